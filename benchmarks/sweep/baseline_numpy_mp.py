#!/usr/bin/python3
"""The script users write today: numpy per window, multiprocessing over streams.

    baseline_numpy_mp.py DENSE_DIR [--window 60] [--procs N] [--out rows.npz]

DENSE_DIR is what export_dense.py writes (values.npy, times.npy,
streams.json). Per stream and per aligned window [k*W, (k+1)*W) that holds
samples: count, min, max, mean, std (population) of the non-NaN physical
values, NaN count, samples outside the valid range, longest run of identical
consecutive values, gaps (intervals over 1.5 periods ending in the window)
and the longest gap: the fields of tsweep's `stats` + `quality` that a user
would compute, with tsweep's definitions. Empty windows are not reported.

Prints one JSON line: samples, windows, seconds (from start to the last row,
reading the dense files included; interpreter start-up and imports excluded).
"""
import argparse
import json
import multiprocessing
import os
import time

import numpy as np

FIELDS = ["stream", "start", "count", "min", "max", "mean", "std", "nan_count", "out_of_range",
          "longest_flat_run", "gaps", "longest_gap"]


def longest_flat_run(x):
    """Longest run of identical consecutive non-NaN values."""
    if x.size == 0 or np.isnan(x).all():
        return 0
    same = np.concatenate(([False], x[1:] == x[:-1], [False]))
    edges = np.flatnonzero(np.diff(same.astype(np.int8)))
    if edges.size == 0:
        return 1
    return int((edges[1::2] - edges[0::2]).max()) + 1


def analyse_stream(job):
    dense, window_ns, sid, s = job
    values = np.load(os.path.join(dense, "values.npy"), mmap_mode="r")[s["begin"]:s["begin"] + s["count"]]
    times = np.load(os.path.join(dense, "times.npy"), mmap_mode="r")[s["begin"]:s["begin"] + s["count"]]
    x = values.astype(np.float64) * s["scale"] + s["offset"]
    t = np.asarray(times)
    threshold = (3 * 10**18) // (2 * s["rate_nhz"]) if s["rate_nhz"] else None
    vmin = -np.inf if s["valid_min"] is None else s["valid_min"]
    vmax = np.inf if s["valid_max"] is None else s["valid_max"]
    rows = []
    if t.size == 0:
        return rows
    first_k, last_k = t[0] // window_ns, t[-1] // window_ns
    for k in range(first_k, last_k + 1):
        lo, hi = np.searchsorted(t, [k * window_ns, (k + 1) * window_ns])
        if hi == lo:
            continue
        w = x[lo:hi]
        nan = np.isnan(w)
        good = w[~nan]
        n = good.size
        row = {"stream": sid, "start": k * window_ns, "count": n,
               "min": good.min() if n else np.nan, "max": good.max() if n else np.nan,
               "mean": good.mean() if n else np.nan, "std": good.std() if n else np.nan,
               "nan_count": int(nan.sum()), "out_of_range": int(((good < vmin) | (good > vmax)).sum()),
               "longest_flat_run": longest_flat_run(w), "gaps": 0, "longest_gap": 0}
        if threshold is not None:
            dt = np.diff(t[max(lo, 1) - 1:hi])  # intervals ending at samples lo..hi-1
            big = dt[dt > threshold]
            row["gaps"] = int(big.size)
            row["longest_gap"] = int(big.max()) if big.size else 0
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dense")
    ap.add_argument("--window", type=float, default=60.0, help="window width in seconds")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", help="write the rows to this .npz")
    a = ap.parse_args()
    t0 = time.time()
    with open(os.path.join(a.dense, "streams.json")) as f:
        streams = json.load(f)["streams"]
    window_ns = int(round(a.window * 1e9))
    jobs = [(a.dense, window_ns, i, s) for i, s in enumerate(streams)]
    with multiprocessing.Pool(a.procs) as pool:
        rows = [r for part in pool.map(analyse_stream, jobs) for r in part]
    seconds = time.time() - t0
    if a.out:
        np.savez(a.out, **{k: np.array([r[k] for r in rows]) for k in FIELDS})
    print(json.dumps({"samples": sum(s["count"] for s in streams), "windows": len(rows), "seconds": seconds,
                      "procs": a.procs}))


if __name__ == "__main__":
    main()
