#!/usr/bin/python3
"""A vectorised numpy version of the same window statistics, one process.

    baseline_numpy_vec.py DENSE_DIR [--window 60] [--out rows.npz]

Same input, fields and definitions as baseline_numpy_mp.py, but no Python
loop over windows: each stream is reduced whole with ufunc.reduceat over the
window boundaries (the fastest plain-numpy form we know). Streams are
processed one after another, so memory is a few arrays of one stream.

Whole-stream temporaries are megabytes: glibc's malloc serves them with
fresh mmap()s and unmaps them on free, so every numpy operation page-faults
its output in again (3x the run time on a 2-core EPYC VM). The script turns
that off with mallopt() at start-up (--no-malloc-tuning to see the difference).

Prints one JSON line: samples, windows, seconds (from start to the last row,
reading the dense files included; interpreter start-up and imports excluded).
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import time

import numpy as np

FIELDS = ["stream", "start", "count", "min", "max", "mean", "std", "nan_count", "out_of_range",
          "longest_flat_run", "gaps", "longest_gap"]


def analyse_stream(values, times, window_ns, sid, s):
    t = np.asarray(times)
    n = t.size
    if n == 0:
        return None
    x = values.astype(np.float64)
    x *= s["scale"]
    x += s["offset"]
    # Window boundaries by binary search on the (sorted) times; empty windows dropped.
    first_k, last_k = t[0] // window_ns, t[-1] // window_ns
    edges = np.searchsorted(t, np.arange(first_k, last_k + 2) * window_ns)
    keep = np.flatnonzero(edges[1:] > edges[:-1])
    starts = edges[keep]
    size = edges[keep + 1] - starts
    k = first_k + keep

    nan = np.isnan(x)
    nan_count = np.add.reduceat(nan, starts, dtype=np.int64)
    count = size - nan_count
    xz = np.where(nan, 0.0, x) if nan_count.any() else x
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.add.reduceat(xz, starts) / count
        dev = xz - np.repeat(mean, size)  # two passes, like tsweep: no cancellation
        if nan_count.any():
            dev[nan] = 0.0
        np.square(dev, out=dev)
        std = np.sqrt(np.add.reduceat(dev, starts) / count)
    mn = np.fmin.reduceat(x, starts)  # fmin/fmax skip NaN
    mx = np.fmax.reduceat(x, starts)
    vmin = -np.inf if s["valid_min"] is None else s["valid_min"]
    vmax = np.inf if s["valid_max"] is None else s["valid_max"]
    oor = np.add.reduceat((x < vmin) | (x > vmax), starts, dtype=np.int64)

    # Runs of identical values, cut at every window start; NaN is never part of a run.
    brk = np.empty(n, dtype=bool)
    brk[0] = True
    np.not_equal(x[1:], x[:-1], out=brk[1:])
    brk[starts] = True
    run_start = np.flatnonzero(brk)
    run_len = np.diff(np.append(run_start, n))
    if nan_count.any():
        run_len[nan[run_start]] = 0
    flat = np.maximum.reduceat(run_len, np.searchsorted(run_start, starts))

    # Gaps are rare: find them, then give each to the window its interval ends in.
    gaps = np.zeros(starts.size, dtype=np.int64)
    longest_gap = np.zeros(starts.size, dtype=np.int64)
    if s["rate_nhz"]:
        threshold = (3 * 10**18) // (2 * s["rate_nhz"])
        dt = np.diff(t)
        j = np.flatnonzero(dt > threshold)
        w = np.searchsorted(starts, j + 1, side="right") - 1
        np.add.at(gaps, w, 1)
        np.maximum.at(longest_gap, w, dt[j])
    return {"stream": np.full(starts.size, sid), "start": k * window_ns, "count": count,
            "min": np.where(count > 0, mn, np.nan), "max": np.where(count > 0, mx, np.nan), "mean": mean,
            "std": std, "nan_count": nan_count, "out_of_range": oor, "longest_flat_run": flat, "gaps": gaps,
            "longest_gap": longest_gap}


def keep_freed_memory():
    """Large frees stay in the heap (no munmap, no trim), so temporaries reuse mapped pages."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dense")
    ap.add_argument("--window", type=float, default=60.0, help="window width in seconds")
    ap.add_argument("--out", help="write the rows to this .npz")
    ap.add_argument("--no-malloc-tuning", action="store_true", help="leave glibc's malloc at its defaults")
    a = ap.parse_args()
    tuned = False if a.no_malloc_tuning else keep_freed_memory()
    t0 = time.time()
    with open(os.path.join(a.dense, "streams.json")) as f:
        streams = json.load(f)["streams"]
    window_ns = int(round(a.window * 1e9))
    parts = []
    for sid, s in enumerate(streams):
        # Mapped afresh for each stream, so that only one stream's pages count in the RSS.
        sl = slice(s["begin"], s["begin"] + s["count"])
        values = np.load(os.path.join(a.dense, "values.npy"), mmap_mode="r")[sl]
        times = np.load(os.path.join(a.dense, "times.npy"), mmap_mode="r")[sl]
        r = analyse_stream(values, times, window_ns, sid, s)
        del values, times
        if r is not None:
            parts.append(r)
    seconds = time.time() - t0
    rows = sum(p["start"].size for p in parts)
    if a.out:
        np.savez(a.out, **{k: np.concatenate([p[k] for p in parts]) for k in FIELDS})
    print(json.dumps({"samples": sum(s["count"] for s in streams), "windows": rows, "seconds": seconds, "procs": 1,
                      "malloc_tuned": tuned}))


if __name__ == "__main__":
    main()
