#!/usr/bin/python3
"""Dense copy of a store's samples for the numpy baselines of sweep_bench.sh.

    export_dense.py STORE DIR [--streams GLOB]... [--procs N]

Reads the store with h5py and decodes every block of the selected streams
with the project's independent Python decoder (tests/codec/reference_decoder.py,
written from src/codec/FORMAT.md alone), so the copy does not come from the
C++ code under test. Writes, into DIR:

    values.npy    raw samples of every selected stream, back to back (int16 ...)
    times.npy     their times, int64 ns since the epoch
    streams.json  per stream: name, begin, count, scale, offset, rate_nhz,
                  valid_min, valid_max (so physical = raw * scale + offset)

Streams are in store order, blocks in time order, as `tsweep run` reads them.
The reference decoder does not verify checksums and cannot read zstd
chunks; a block with one stops the export, naming the fallback
(`sweep_decode STORE --export DIR`, the C++ decoder).
"""
import argparse
import fnmatch
import json
import multiprocessing
import os
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "codec"))
import reference_decoder  # noqa: E402

DTYPES = {1: "<i2", 2: "<i4", 3: "<i8", 4: "<f4", 5: "<f8"}


def _text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _decode_range(job):
    """Decodes blocks [lo, hi) of the selected list into the output files."""
    store, out, blocks, positions, lo, hi = job
    values = np.load(os.path.join(out, "values.npy"), mmap_mode="r+")
    times = np.load(os.path.join(out, "times.npy"), mmap_mode="r+")
    with h5py.File(store, "r") as f:
        data = f["blocks/data"]
        for i in range(lo, hi):
            offset, length, count = (int(x) for x in blocks[i])
            raw_block = data[offset:offset + length].tobytes()
            try:
                raw, t = reference_decoder.decode(raw_block)
            except NotImplementedError as e:
                raise SystemExit("export_dense.py: block at byte %d: the reference decoder cannot read it (%s); "
                                 "make the copy with sweep_decode STORE --export DIR instead" % (offset, e))
            a = np.frombuffer(raw, dtype=values.dtype)
            if a.size != count or len(t) != count:
                raise SystemExit("export_dense.py: block at byte %d decodes to %d samples, its index row says %d"
                                 % (offset, a.size, count))
            p = positions[i]
            values[p:p + count] = a
            times[p:p + count] = t
    values.flush()
    times.flush()
    return hi - lo


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("out")
    ap.add_argument("--streams", action="append", default=[], help="shell pattern on stream names (repeatable)")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()

    t0 = time.time()
    with h5py.File(a.store, "r") as f:
        if _text(f.attrs.get("tsweep_format", b"")) != "store":
            raise SystemExit("export_dense.py: %s is not a tsweep store" % a.store)
        st = f["streams"][()]
        index = f["blocks/index"][()]
        uuid = _text(f.attrs.get("store_uuid", b""))
    names = [_text(n) for n in st["name"]]
    chosen = [i for i, n in enumerate(names) if not a.streams or any(fnmatch.fnmatchcase(n, p) for p in a.streams)]
    if not chosen:
        raise SystemExit("export_dense.py: no stream matches %s" % a.streams)
    types = {int(st["sample_type"][i]) for i in chosen}
    if len(types) != 1:
        raise SystemExit("export_dense.py: the selected streams hold more than one sample type")
    dtype = DTYPES[types.pop()]

    # Blocks of the chosen streams in (stream, first time, row) order: the order the job reads them.
    sel = index[np.isin(index["stream"], chosen)]
    rows = np.flatnonzero(np.isin(index["stream"], chosen))
    order = np.lexsort((rows, sel["first_ns"], sel["stream"]))
    sel = sel[order]
    counts = sel["count"].astype(np.int64)
    positions = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    total = int(counts.sum())

    os.makedirs(a.out, exist_ok=True)
    np.lib.format.open_memmap(os.path.join(a.out, "values.npy"), mode="w+", dtype=dtype, shape=(total,)).flush()
    np.lib.format.open_memmap(os.path.join(a.out, "times.npy"), mode="w+", dtype="<i8", shape=(total,)).flush()

    blocks = np.stack([sel["offset"].astype(np.int64), sel["length"].astype(np.int64), counts], axis=1)
    procs = max(1, min(a.procs, len(sel)))
    step = max(1, (len(sel) + 4 * procs - 1) // (4 * procs))
    jobs = [(a.store, a.out, blocks, positions, lo, min(lo + step, len(sel))) for lo in range(0, len(sel), step)]
    with multiprocessing.Pool(procs) as pool:
        done = sum(pool.map(_decode_range, jobs))

    meta = []
    for s in chosen:
        mine = np.flatnonzero(sel["stream"] == s)
        begin = int(positions[mine[0]]) if mine.size else 0
        count = int(counts[mine].sum())
        if count != int(st["sample_count"][s]):
            raise SystemExit("export_dense.py: stream %s: blocks hold %d samples, its row says %d"
                             % (names[s], count, int(st["sample_count"][s])))
        vmin, vmax = float(st["valid_min"][s]), float(st["valid_max"][s])
        meta.append({"name": names[s], "begin": begin, "count": count, "scale": float(st["scale"][s]),
                     "offset": float(st["offset"][s]), "rate_nhz": int(st["rate_nhz"][s]),
                     "valid_min": None if np.isnan(vmin) else vmin, "valid_max": None if np.isnan(vmax) else vmax})
    with open(os.path.join(a.out, "streams.json"), "w") as f:
        json.dump({"store": os.path.abspath(a.store), "uuid": uuid, "samples": total, "blocks": done,
                   "decoder": "tests/codec/reference_decoder.py", "streams": meta}, f, indent=1)
    print(json.dumps({"samples": total, "blocks": done, "streams": len(chosen), "seconds": time.time() - t0}))


if __name__ == "__main__":
    main()
