"""Flips one byte of one row of a tsweep store's table, leaving its row checksum alone (h5py).

usage:
  flip_row.py STORE TABLE ROW FIELD [BYTE [MASK]] [--reseal]
                                                    aimed: byte BYTE (default 0) of FIELD, XOR MASK (default 0x10);
                                                    --reseal: then make the row's checksum again, so that only
                                                    checks beyond the row checksum can notice
  flip_row.py STORE --random SEED                   one random byte of one random row of /streams,
                                                    /blocks/runs or /blocks/index, XOR a random bit

The row is read and written with the dataset's own type as memory type, so
HDF5 converts nothing (a flipped enum code is written as it is). Prints what
was flipped as one JSON line: {"table", "row", "field", "byte"}. Re-sealing
needs libxxhash (XXH3-64 through ctypes; no Python module is needed).
"""
import ctypes
import ctypes.util
import json
import random
import sys

import h5py
import numpy as np

TABLES = ["streams", "blocks/runs", "blocks/index"]


def xxh3_64(data):
    """XXH3-64 (seed 0) of `data`, the row checksum's hash (src/store/FORMAT.md, *Row checksums*)."""
    lib = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
    lib.XXH3_64bits.restype = ctypes.c_uint64
    lib.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    data = bytes(data)
    return lib.XXH3_64bits(data, len(data))


def reseal(buf):
    """Sets a packed row's row_checksum (its last 8 bytes) from its other bytes."""
    buf[-8:] = np.frombuffer(np.uint64(xxh3_64(buf[:-8].tobytes())).tobytes(), dtype=np.uint8)


def field_at(tid, offset):
    """The member of compound type `tid` holding byte `offset`, and the byte's place in it."""
    for i in range(tid.get_nmembers()):
        start = tid.get_member_offset(i)
        if start <= offset < start + tid.get_member_type(i).get_size():
            return tid.get_member_name(i).decode(), offset - start
    raise ValueError(f"no field at byte {offset}")


def flip(path, table, row, field=None, byte=0, mask=0x10, offset=None, sealed=False):
    with h5py.File(path, "r+") as f:
        ds = f[table]
        tid = ds.id.get_type()
        if offset is None:
            offset = tid.get_member_offset(tid.get_member_index(field.encode())) + byte
        field, byte = field_at(tid, offset)
        buf = np.zeros(tid.get_size(), dtype=np.uint8)
        fspace = ds.id.get_space()
        fspace.select_hyperslab((row,), (1,))
        mspace = h5py.h5s.create_simple((1,))
        ds.id.read(mspace, fspace, buf, mtype=tid)
        buf[offset] ^= mask
        if sealed:
            reseal(buf)
        ds.id.write(mspace, fspace, buf, mtype=tid)
    return {"table": "/" + table, "row": row, "field": field, "byte": byte}


def main():
    sealed = "--reseal" in sys.argv
    sys.argv = [a for a in sys.argv if a != "--reseal"]
    path = sys.argv[1]
    if sys.argv[2] == "--random":
        rng = random.Random(int(sys.argv[3]))
        with h5py.File(path, "r") as f:
            table = rng.choice(TABLES)
            rows, size = f[table].shape[0], f[table].id.get_type().get_size()
        done = flip(path, table, rng.randrange(rows), offset=rng.randrange(size), mask=1 << rng.randrange(8))
    else:
        table, row, field = sys.argv[2].lstrip("/"), int(sys.argv[3]), sys.argv[4]
        byte = int(sys.argv[5]) if len(sys.argv) > 5 else 0
        mask = int(sys.argv[6], 0) if len(sys.argv) > 6 else 0x10
        done = flip(path, table, row, field, byte, mask, sealed=sealed)
    print(json.dumps(done))


if __name__ == "__main__":
    main()
