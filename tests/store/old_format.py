"""Rewrites a tsweep store in the layout of an older store format version (h5py).

usage:
  old_format.py STORE VERSION      VERSION 2: /blocks/index without the block summaries of version 3,
                                   each index row re-sealed over the 46 bytes it keeps;
                                   VERSION 1: also every table without its row_checksum field

The layout of a store written by a tsweep of that version (src/store/FORMAT.md,
*Versions*): every other field keeps its HDF5 type (enums stay enums), the
rows their order, the block bytes are untouched. The tables are rewritten with
the low-level API so the member types are copied as they are.
"""
import sys

import h5py
import numpy as np

from flip_row import xxh3_64

SUMMARY_FIELDS = {"nan_count", "out_of_range", "longest_flat", "head_flat", "tail_flat", "first", "last", "min",
                  "max", "sum_lo", "sum_hi", "squares0", "squares1", "squares2"}
TABLES = ["streams", "stream_attrs", "blocks/index", "blocks/runs"]


def rewrite(f, table, version):
    index = table == "blocks/index"

    def dropped(name):
        return (version < 2 and name == "row_checksum") or (index and version < 3 and name in SUMMARY_FIELDS)

    ds = f[table]
    tid = ds.id.get_type()
    kept = [(tid.get_member_name(i), tid.get_member_type(i)) for i in range(tid.get_nmembers())
            if not dropped(tid.get_member_name(i).decode())]
    size = sum(t.get_size() for _, t in kept)
    old = h5py.h5t.create(h5py.h5t.COMPOUND, size)
    at = 0
    for name, t in kept:
        old.insert(name, at, t)
        at += t.get_size()
    rows = ds.shape[0]
    buf = np.zeros(max(rows, 1) * size, dtype=np.uint8)
    if rows:
        ds.id.read(h5py.h5s.ALL, h5py.h5s.ALL, buf, mtype=old)
    if index and version >= 2:
        for r in range(rows):  # row_checksum is last: XXH3-64 of the row's other bytes, in this layout
            row = buf[r * size:(r + 1) * size]
            row[-8:] = np.frombuffer(np.uint64(xxh3_64(row[:-8].tobytes())).tobytes(), dtype=np.uint8)
    dcpl = ds.id.get_create_plist()
    space = ds.id.get_space()
    description = ds.attrs.get("description")
    fresh = table + "_old"
    out = h5py.h5d.create(f.id, fresh.encode(), old, space, dcpl=dcpl)
    if rows:
        out.write(h5py.h5s.ALL, h5py.h5s.ALL, buf, mtype=old)
    out.close()
    del f[table]
    f.move(fresh, table)
    if description is not None:
        f[table].attrs["description"] = description


def main(path, version):
    if version not in (1, 2):
        raise SystemExit("VERSION must be 1 or 2")
    with h5py.File(path, "r+", libver="latest") as f:
        for table in TABLES:
            rewrite(f, table, version)
        f.attrs.modify("tsweep_format_version", np.int64(version))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
