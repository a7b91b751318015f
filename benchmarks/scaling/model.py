#!/usr/bin/python3
"""A performance model of `tsweep run`, fitted to the scaling runs, checked on
the runs it was not fitted on, and used to predict 1 to 1000 nodes.

    model.py WORK [--out DIR] [--dpi 100] [--json]

Reads WORK/strong.csv, weak.csv, nodes.csv (scaling.py) and writes
DIR/model.md (constants, held-out errors, prediction tables, assumptions),
DIR/model.json and DIR/model.png (DIR defaults to this folder).

The model (one rank = P ranks x t threads; per-config medians of the rounds):

  T = t_plan + t_open(R, P) + T_work + E(P) * t_epoch(P, R/E)        in-process
  T_wall = T + t_launch(P)                                            with the launcher

  T_work  = ceil(U/P) * max((k_u + r_u) / t_eff, r_u)                 dynamic units
            k_u = (c_s S_read + c_b B_sum + c_u U) / U                compute per unit
            r_u = (d_s S_read + d_b B + d_u U) / U                    read per unit
  t_epoch = e_0 + e_l log2 P + e_r R/E                                collective write
  t_open  = o_0 + o_l log2 P + o_r R                                  create the results file
  E(P)    = max(1, ceil(R / (P * 65536)), ceil(T_work / 30 s))        epochs (job.cpp: 2^16
                                                                      rows per rank, 30 s)

S_read: samples of the blocks decoded (S * B_read / B), B_sum: blocks taken
from their index summaries, B = B_read + B_sum index rows, U units, R window
rows. t_eff = t * min(1, CPUs / (P t)) (oversubscription shares the CPUs). The
read runs on a rank's main thread while its other threads compute (job.cpp),
hence max(). Every constant is fitted by (relative, non-negative) least
squares on the phases tsweep reports (`--json` phases): c_* on decode+reduce,
d_* on read, e_* on write / E, o_* on open, all from 1-thread runs; the
launcher's t_launch = l_0 + l_1 (P - 1) on wall - seconds.
"""
import argparse
import csv
import itertools
import json
import math
import os
import statistics
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH_ROWS = 1 << 16  # src/exec/job/job.cpp max_epoch_rows
CHECKPOINT_S = 30.0   # plan/config.cpp: checkpoint_interval default
NUM = ["ranks", "threads", "nodes", "cores", "cpus", "oversubscribed", "samples", "units", "epochs", "rows",
       "blocks_read", "blocks_summarised", "encoded_bytes", "store_samples", "store_bytes"]
FLT = ["seconds", "wall_seconds", "read_seconds", "decode_seconds", "reduce_seconds", "write_seconds",
       "wait_seconds", "plan_seconds", "open_seconds"]


# --- data --------------------------------------------------------------------
def load(work):
    rows = []
    for exp in ("strong", "weak", "nodes"):
        path = os.path.join(work, exp + ".csv")
        if not os.path.exists(path):
            continue
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if r.get("rc") != "0" or not r.get("seconds"):
                    continue
                for k in NUM:
                    r[k] = int(float(r[k])) if r.get(k) not in (None, "") else 0
                for k in FLT:
                    r[k] = float(r[k]) if r.get(k) not in (None, "") else 0.0
                r["results_bytes"] = int(r["results_bytes"]) if r.get("results_bytes") else 0
                rows.append(r)
    return rows


def points(rows, stat="best"):
    """One point per (experiment, config). stat best: the run of least time among the rounds, whole (its
    phases belong together), as the least disturbed by other work on a shared machine; median: the median of
    every number over the rounds."""
    by = {}
    for r in rows:
        by.setdefault((r["experiment"], r["config"]), []).append(r)
    pts = []
    for (exp, cfg), rs in by.items():
        if stat == "best":
            p = dict(min(rs, key=lambda r: r["seconds"]))
        else:
            p = dict(rs[0])
            for k in FLT:
                p[k] = statistics.median(r[k] for r in rs)
        p["best"] = min(r["seconds"] for r in rs)
        p["median"] = statistics.median(r["seconds"] for r in rs)
        p["wall_best"] = min(r["wall_seconds"] for r in rs)
        p["wall_median"] = statistics.median(r["wall_seconds"] for r in rs)
        p["n"] = len(rs)
        p["id"] = "%s:%s" % (exp, cfg)
        pts.append(p)
    return pts


def features(p):
    B = p["blocks_read"] + p["blocks_summarised"]
    s_read = p["samples"] * p["blocks_read"] / B if B else p["samples"]
    return dict(S_read=s_read, B=B, B_sum=p["blocks_summarised"], U=p["units"], R=p["rows"], E=p["epochs"],
                P=p["ranks"], t=p["threads"])


# --- fitting -------------------------------------------------------------------
def nnls_rel(X, y):
    """Non-negative least squares of y ~ X c, relative (each row divided by y): every subset of the
    columns, the best solution whose coefficients are all >= 0 (few columns: exhaustive is exact)."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    w = 1.0 / np.maximum(np.abs(y), 1e-9)
    Xw, yw = X * w[:, None], y * w
    best = (np.inf, np.zeros(X.shape[1]))
    n = X.shape[1]
    for k in range(1, n + 1):
        for cols in itertools.combinations(range(n), k):
            c, *_ = np.linalg.lstsq(Xw[:, cols], yw, rcond=None)
            if np.any(c < 0):
                continue
            full = np.zeros(n)
            full[list(cols)] = c
            res = float(np.sum((Xw @ full - yw) ** 2))
            if res < best[0] - 1e-15:
                best = (res, full)
    return best[1]


def is_fit(p):
    """The fitted points: every 1 x 1 run on mpirun (both windows, both unit sizes, strong and weak stores)
    and the 1-min strong 2 x 1 (for the log2 P terms and the launcher's per-rank cost)."""
    if p["experiment"] == "nodes" or p["oversubscribed"]:
        return False
    if p["ranks"] == 1 and p["threads"] == 1:
        return True
    return p["experiment"] == "strong" and p["ranks"] == 2 and p["threads"] == 1 and p["window"] == "1min" \
        and not p.get("unit_samples")


def fit(pts):
    one = [p for p in pts if is_fit(p) and p["ranks"] == 1]
    two = [p for p in pts if is_fit(p) and p["ranks"] > 1]
    if len(one) < 3:
        sys.exit("model.py: need at least three 1 x 1 runs to fit (have %d)" % len(one))
    F = [features(p) for p in one]
    # compute (decode + reduce, rank-seconds; 1 thread, so also core-seconds)
    c = nnls_rel([[f["S_read"], f["B_sum"], f["U"]] for f in F],
                 [p["decode_seconds"] + p["reduce_seconds"] for p in one])
    d = nnls_rel([[f["S_read"], f["B"], f["U"]] for f in F], [p["read_seconds"] for p in one])
    e = nnls_rel([[f["E"], f["R"]] for f in F], [p["write_seconds"] for p in one])  # per rank = total at P = 1
    o = nnls_rel([[1.0, f["R"]] for f in F], [p["open_seconds"] for p in one])
    l0 = statistics.median(p["wall_seconds"] - p["seconds"] for p in one)
    m = dict(c_s=c[0], c_b=c[1], c_u=c[2], d_s=d[0], d_b=d[1], d_u=d[2], e_0=e[0], e_r=e[1] / 1.0,
             o_0=o[0], o_r=o[1], l_0=l0, plan=statistics.median(p["plan_seconds"] for p in one),
             e_l=0.0, o_l=0.0, l_1=0.0)
    # e_r was fitted on write = e_0 E + e_r' R, i.e. per epoch e_r' (R/E): the same constant.
    for p in two:
        f = features(p)
        lg = math.log2(f["P"])
        per_rank_write = p["write_seconds"] / f["P"]
        m["e_l"] = max(0.0, (per_rank_write - f["E"] * m["e_0"] - m["e_r"] * f["R"]) / (f["E"] * lg))
        m["o_l"] = max(0.0, (p["open_seconds"] - m["o_0"] - m["o_r"] * f["R"]) / lg)
        m["l_1"] = max(0.0, (p["wall_seconds"] - p["seconds"] - l0) / (f["P"] - 1))
    return m, one + two


# --- the model, evaluated ----------------------------------------------------------
def epochs(R, P, T_work):
    return max(1, math.ceil(R / (P * EPOCH_ROWS)), math.ceil(T_work / CHECKPOINT_S))


def predict_local(m, p, cpus):
    f = features(p)
    P, t, U = f["P"], f["t"], max(1, f["U"])
    t_eff = t * min(1.0, cpus / (P * t))
    p_eff = P * min(1.0, cpus / (P * t)) if t == 1 else P
    k_u = (m["c_s"] * f["S_read"] + m["c_b"] * f["B_sum"] + m["c_u"] * U) / U
    r_u = (m["d_s"] * f["S_read"] + m["d_b"] * f["B"] + m["d_u"] * U) / U
    if t == 1:
        # one thread: the main thread reads, then computes (no overlap); ranks share the CPUs
        work = math.ceil(U / P) * (k_u + r_u) * P / p_eff
    else:
        work = math.ceil(U / P) * max((k_u + r_u) / t_eff, r_u)
    E = epochs(f["R"], P, work)
    lg = math.log2(P) if P > 1 else 0.0
    t_epoch = m["e_0"] + m["e_l"] * lg + m["e_r"] * f["R"] / E
    t_open = m["o_0"] + m["o_l"] * lg + m["o_r"] * f["R"]
    T = m["plan"] + t_open + work + E * t_epoch
    return dict(T=T, wall=T + m["l_0"] + m["l_1"] * (P - 1), work=work, E=E, epochs_s=E * t_epoch, open=t_open)


# --- the machine and workloads of the prediction --------------------------------------
# Every number here is an assumption, not a measurement of this project; NODE_WHY says where it comes from.
NODE = dict(
    name="NERSC Perlmutter CPU node (NERSC's documentation: 2 x AMD EPYC 7763, i.e. 2 x 64 Zen 3 cores = 128 "
         "cores, 512 GB DDR4, one HPE Slingshot 11 NIC of 200 Gb/s; 8 NUMA domains of 16 cores assumed, NPS4 as "
         "on LUMI-C's EPYC 7763 nodes)",
    ranks_per_node=8, threads_per_rank=16, core_factor=0.77, mem_bw=300e9,
    read_bw_rank=1.5e9, read_bw_node=10e9, read_bw_fs=1e12, read_latency=0.5e-3,
    write_bw_node=5e9, write_bw_fs=0.5e12, epoch_commit=0.02, coll_latency=3e-6, coll_per_epoch=40,
    open_results=0.5, open_store=0.05, mds_opens=20000, stream_row_bytes=200,
    launch_0=1.0, launch_per_rank=0.25e-3, atomic=1e-6,
)
NODE_WHY = dict(
    ranks_per_node="one rank per NUMA domain (16 cores, two CCDs sharing a memory quadrant)",
    threads_per_rank="the 16 cores of the rank's NUMA domain (tsweep: `srun -c 16`, SLURM_CPUS_PER_TASK)",
    core_factor="speed of one EPYC 7763 core relative to this machine's (a Zen 5 EPYC under KVM, TSC 2.6 GHz): "
                "about +13-16 % IPC per generation over two generations (AMD's Zen 4 and Zen 5 launch figures) "
                "at similar all-core clocks (7763: 2.45 GHz base, 3.5 GHz boost) gives 1/1.3; a guess, not "
                "measured; the compute terms scale with its inverse",
    mem_bw="bytes/s per node; 2 x 204.8 GB/s peak (8 DDR4-3200 channels a socket), STREAM typically 75 %; used "
           "only to check that decoding is not memory-bound",
    read_bw_rank="bytes/s one rank's main thread reads (one Lustre client I/O stream: typically 1-2 GB/s)",
    read_bw_node="bytes/s one node reads: the NIC is 25 GB/s; Lustre clients typically reach 40-60 % of it",
    read_bw_fs="bytes/s the file system gives this job: Perlmutter's all-flash scratch is quoted at up to 5 TB/s "
               "for the whole machine (35 PB); one job is assumed to get a fifth",
    read_latency="s per unit: a few small reads (index rows, then the unit's block bytes) at 0.1-0.3 ms each",
    write_bw_node="bytes/s one node writes collectively (MPI-IO two-phase collective buffering to Lustre)",
    write_bw_fs="bytes/s the job writes collectively (half the read figure: writes are slower on Lustre)",
    epoch_commit="s per epoch on Lustre: H5Fflush and the committed-unit record (metadata round trips)",
    coll_latency="s per log2(P) stage of a small collective (MPI_Allreduce on Slingshot/HDR: 2-4 µs a stage)",
    coll_per_epoch="small collectives per epoch: agree + allreduce + one collective write per column (19) + "
                   "the commit record and flush (job.cpp, src/output/FORMAT.md)",
    open_results="s to create the results file collectively on Lustre (striped create, metadata, allocation)",
    open_store="s for a rank to open the store (the stream table read comes on top, at read_bw_rank)",
    mds_opens="opens/s a Lustre metadata server sustains: every rank opens the store and the results file",
    stream_row_bytes="bytes of a stream row, which every rank reads to plan (src/store/FORMAT.md, ~20 fields)",
    launch_0="s for srun --mpi=pmix, MPI_Init and Kokkos initialisation at small scale (0.4 s with mpirun here)",
    launch_per_rank="s per rank of PMIx wire-up (launches of 10^4 ranks take a few seconds)",
    atomic="s rank 0's counter is busy per unit handed out (MPI_Fetch_and_op, dynamic assignment): a floor of "
           "U x atomic on the run",
)
WORKLOADS = [
    dict(key="A", name="10^4 streams x 24 h at 250 Hz (int16 ECG-like), 1-min windows, stats + quality",
         streams=10_000, seconds=86_400, rate=250, window=60),
    dict(key="A-1h", name="the same, 1-h windows (blocks that a window covers whole come from their summaries)",
         streams=10_000, seconds=86_400, rate=250, window=3600),
    dict(key="B", name="10^5 streams x 30 days at 250 Hz, 1-min windows (max_rows raised to 5e9)",
         streams=100_000, seconds=30 * 86_400, rate=250, window=60),
]
NODES = [1, 2, 4, 10, 30, 100, 300, 1000]


def workload_counts(w, unit_samples=4_000_000, block_samples=32_768):
    per_stream = w["seconds"] * w["rate"]
    windows = w["seconds"] // w["window"]
    per_window = w["window"] * w["rate"]
    win_per_unit = max(1, unit_samples // per_window)
    units = w["streams"] * math.ceil(windows / win_per_unit)
    blocks = w["streams"] * math.ceil(per_stream / block_samples)
    # a block is decoded when a window edge cuts it: one block per window boundary at most
    cut = min(blocks, w["streams"] * (windows + 1))
    return dict(S=w["streams"] * per_stream, U=units, R=w["streams"] * windows, B=blocks, B_read=cut,
                B_sum=blocks - cut, block_samples=block_samples, unit_samples=per_stream * w["streams"] / units)


def predict_cluster(m, w, N, node, bytes_per_sample, bytes_per_row, rpn=None, t=None):
    n = workload_counts(w)
    rpn = rpn or node["ranks_per_node"]
    t = t or node["threads_per_rank"]
    P = N * rpn
    f = node["core_factor"]
    S_read = n["S"] * n["B_read"] / n["B"]
    k_u = (m["c_s"] * S_read + m["c_b"] * n["B_sum"] + m["c_u"] * n["U"]) / n["U"] / f
    # a unit's blocks are shared by the rank's threads: the slowest thread holds ceil(blocks/t) of them
    blocks_u = max(1.0, n["B_read"] / n["U"])
    eta = (blocks_u / t) / math.ceil(blocks_u / t)
    bytes_u = S_read * bytes_per_sample / n["U"]
    bw = min(node["read_bw_rank"], node["read_bw_node"] / rpn, node["read_bw_fs"] / P)
    r_cpu = (m["d_s"] * S_read + m["d_b"] * n["B"] + m["d_u"] * n["U"]) / n["U"] / f
    r_u = r_cpu + node["read_latency"] + bytes_u / bw
    units_per_rank = math.ceil(n["U"] / P)
    if t == 1:
        per_unit = k_u + r_u  # the only thread reads, then computes
    else:
        per_unit = max(k_u / (t * eta) + r_cpu / t, r_u)
    work = max(units_per_rank * per_unit, n["U"] * node["atomic"])
    E = epochs(n["R"], P, work)
    lg = math.log2(P) if P > 1 else 0.0
    wbw = min(node["write_bw_node"] * N, node["write_bw_fs"])
    t_epoch = node["epoch_commit"] + node["coll_per_epoch"] * node["coll_latency"] * lg \
        + (n["R"] / E) * bytes_per_row / wbw
    start = (node["open_store"] + P / node["mds_opens"]
             + w["streams"] * node["stream_row_bytes"] / min(node["read_bw_rank"], node["read_bw_fs"] / P)
             + node["open_results"] + P / node["mds_opens"] + m["plan"])
    T = start + work + E * t_epoch
    launch = node["launch_0"] + node["launch_per_rank"] * P
    # block bytes per second a node's cores would take in if the reads were free (compute alone)
    compute_only = units_per_rank * (k_u / (t * eta) + r_cpu / t)
    mem = (S_read * bytes_per_sample / N) / compute_only if compute_only > 0 else 0.0
    io_bound = t > 1 and r_u > k_u / (t * eta) + r_cpu / t
    parts = {"start-up": start, "epoch writes": E * t_epoch, ("read" if io_bound else "compute"): work}
    return dict(N=N, P=P, rpn=rpn, t=t, cores=P * t, start=start, work=work, epochs=E, epochs_s=E * t_epoch, T=T,
                wall=T + launch, launch=launch, mem_bw=mem, compute_u=k_u, read_u=r_u, eta=eta,
                io_bound=bool(io_bound), bound=max(parts, key=parts.get), counts=n)


# --- report -------------------------------------------------------------------------------
def g(x, unit=""):
    """3 significant digits with an SI prefix: g(4.5e-3, "s") = "4.5 ms"."""
    if x == 0:
        return "0" + (" " + unit if unit else "")
    for lim, scale, pre in ((1e-6, 1e9, "n"), (1e-3, 1e6, "µ"), (1, 1e3, "m"), (1e3, 1, ""), (1e6, 1e-3, "k"),
                            (1e9, 1e-6, "M"), (1e12, 1e-9, "G"), (1e15, 1e-12, "T")):
        if abs(x) < lim:
            if not unit and pre in ("n", "µ", "m", "k", "M", "G", "T"):
                return "%.3g" % x
            return "%.3g %s%s" % (x * scale, pre, unit)
    return "%.3g %s" % (x, unit)


def pct(x):
    return "%.1f %%" % (100 * x) if x < 0.095 else "%.0f %%" % (100 * x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--dpi", type=int, default=100)
    ap.add_argument("--stat", choices=["best", "median"], default="best",
                    help="which run of the rounds a configuration is (default best: least disturbed)")
    ap.add_argument("--json", action="store_true", help="also print model.json on stdout")
    a = ap.parse_args()
    rows = load(a.work)
    if not rows:
        sys.exit("model.py: no runs in %s/{strong,weak,nodes}.csv" % a.work)
    pts = points(rows, a.stat)
    local = [p for p in pts if p["experiment"] != "nodes"] or pts
    cpus = max(p["cpus"] for p in local)
    m, fitted = fit(pts)
    fitted_ids = {p["id"] for p in fitted}
    # the same fit on each round alone: how much the constants move with the machine's load
    spread = {}
    for rnd in sorted({r["round"] for r in rows}):
        try:
            mr, _ = fit(points([r for r in rows if r["round"] == rnd], "best"))
        except SystemExit:
            continue
        for k, v in mr.items():
            spread.setdefault(k, []).append(v)
    dec = [p for p in pts if p["window"] == "1min" and p["blocks_read"]]
    bps = statistics.median(p["encoded_bytes"] / features(p)["S_read"] for p in dec) if dec else 0.65
    rb = [r["results_bytes"] / r["rows"] for r in rows if r.get("results_bytes") and r["rows"]
          and r["window"] == "1min"]
    bpr = statistics.median(rb) if rb else 162.0

    checks = []
    for p in sorted(pts, key=lambda p: (p["experiment"] != "strong", p["experiment"], p["window"], p["cores"],
                                        p["config"])):
        pr = predict_local(m, p, cpus)
        checks.append(dict(id=p["id"], experiment=p["experiment"], config=p["config"], fitted=p["id"] in fitted_ids,
                           over=bool(p["oversubscribed"]) or (p["experiment"] == "nodes" and p["cores"] > cpus),
                           T=p["seconds"], best=p["best"], median=p["median"], wall=p["wall_seconds"],
                           pT=pr["T"], pwall=pr["wall"], E=p["epochs"], pE=pr["E"],
                           errT=pr["T"] / p["seconds"] - 1, errMed=pr["T"] / p["median"] - 1,
                           errW=pr["wall"] / p["wall_seconds"] - 1, n=p["n"]))

    def summary(sel, key="errT"):
        e = [abs(c[key]) for c in sel]
        return (statistics.median(e), max(e), len(e)) if e else (float("nan"), float("nan"), 0)

    held = [c for c in checks if not c["fitted"]]
    held_in = [c for c in held if not c["over"]]
    held_over = [c for c in held if c["over"]]
    preds = {w["key"]: [predict_cluster(m, w, N, NODE, bps, bpr) for N in NODES] for w in WORKLOADS}
    layouts = [(8, 16), (16, 8), (32, 4), (128, 1)]
    lay = {(rpn, t, N): predict_cluster(m, WORKLOADS[0], N, NODE, bps, bpr, rpn, t)
           for rpn, t in layouts for N in (1, 10, 100)}

    out = []
    p_ = out.append
    p_("### The model")
    p_("")
    p_("`benchmarks/scaling/model.py` (equations and fitting in its docstring). In-process time of P ranks × t "
       "threads:")
    p_("")
    p_("    T(P, t) = t_plan + t_open(R, P) + ceil(U/P) · max((k_u + r_u)/t, r_u) + E(P) · t_epoch(P)")
    p_("    k_u = (c_s·S_read + c_b·B_sum + c_u·U)/U     r_u = (d_s·S_read + d_b·B + d_u·U)/U")
    p_("    t_epoch = e_0 + e_l·log2 P + e_r·R/E        t_open = o_0 + o_l·log2 P + o_r·R")
    p_("    E(P) = max(1, ceil(R / (P·2^16)), ceil(T_work / 30 s))     T_wall = T + l_0 + l_1·(P − 1)")
    p_("")
    p_("S_read: samples of the blocks decoded; B_sum: blocks answered from their index summaries; B: index rows "
       "read; U: units; R: window rows; E: epochs (2^16 rows per rank, or the 30 s checkpoint interval, end one: "
       "`job.cpp`). With one thread the rank reads and then computes (k_u + r_u per unit); with more, its main "
       "thread reads the next unit while the others compute. Each group of constants is fitted (non-negative "
       "least squares on relative errors) to the phase it explains in `tsweep run --json` `phases`, on the %s "
       "run of the rounds of %d configurations: %s. The other %d configurations are held out."
       % ("fastest" if a.stat == "best" else "median", len(fitted),
          ", ".join("`%s`" % i for i in sorted(fitted_ids)), len(held)))
    p_("")
    p_("| constant | what | fitted to | value | fitted to each round's runs alone (min – max) |")
    p_("|---|---|---|---:|---:|")
    for k, what, src in (
            ("c_s", "compute per sample decoded", "decode + reduce"),
            ("c_b", "compute per block taken from its summary", "decode + reduce"),
            ("c_u", "compute per unit", "decode + reduce"),
            ("d_s", "read per sample decoded (page cache)", "read"),
            ("d_b", "read per index row", "read"),
            ("d_u", "read per unit", "read"),
            ("e_0", "collective write, per epoch", "write"),
            ("e_r", "collective write, per row", "write"),
            ("e_l", "collective write, per epoch and log2 P", "write (2 × 1)"),
            ("o_0", "create the results file", "open"),
            ("o_r", "create the results file, per row", "open"),
            ("o_l", "create the results file, per log2 P", "open (2 × 1)"),
            ("plan", "plan", "plan"),
            ("l_0", "launcher start-up and exit (mpirun, MPI_Init, Kokkos init)", "wall − seconds"),
            ("l_1", "launcher, per extra rank", "wall − seconds (2 × 1)")):
        sp = spread.get(k, [])
        p_("| `%s` | %s | %s | %s | %s |" % (k, what, src, g(m[k], "s"),
                                             "%s – %s" % (g(min(sp), "s"), g(max(sp), "s")) if sp else ""))
    p_("")
    p_("The fit takes each configuration's fastest run, whichever round it came from, so its constants can lie "
       "below those of every single round.")
    p_("")
    p_("Measured and used as they are: %.3f bytes per decoded sample (encoded_bytes / S_read of the 1-min runs), "
       "%.0f bytes per window row in the results file%s." % (
           bps, bpr, "" if rb else " (measured once by hand; these CSVs have no results_bytes)"))
    p_("")
    p_("### Checked against the runs it was not fitted on")
    p_("")
    mi, ma, ni = summary(held_in)
    mo, mao, no = summary(held_over)
    mf, maf, nf = summary([c for c in checks if c["fitted"]])
    mim, mam, _ = summary(held_in, "errMed")
    p_("Relative error of the predicted in-process time against the %s of the rounds: fitted points median "
       "%.0f %% (max %.0f %%, %d points); **held-out points within the CPUs median %.0f %% (max %.0f %%, %d "
       "points)**; held-out oversubscribed points (more ranks × threads than the %d CPUs, simulated nodes "
       "included) median %.0f %% (max %.0f %%, %d). Against the median run instead, the held-out points within "
       "the CPUs are off by %.0f %% (median; max %.0f %%)." % (
           "fastest run" if a.stat == "best" else "median", 100 * mf, 100 * maf, nf, 100 * mi, 100 * ma, ni,
           cpus, 100 * mo, 100 * mao, no, 100 * mim, 100 * mam))
    p_("")
    p_("| run | fitted | measured s (best / median of %d) | predicted s | error | epochs measured / model | "
       "wall s | predicted | error |" % max(c["n"] for c in checks))
    p_("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in checks:
        p_("| `%s`%s | %s | %.3f / %.3f | %.3f | %+.0f %% | %d / %d | %.2f | %.2f | %+.0f %% |" % (
            c["id"], " (over)" if c["over"] else "", "fitted" if c["fitted"] else "**held out**", c["best"],
            c["median"], c["pT"], 100 * c["errT"], c["E"], c["pE"], c["wall"], c["pwall"], 100 * c["errW"]))
    p_("")
    p_("### Predictions for 1 to 1000 nodes")
    p_("")
    p_("Node: %s; %d ranks × %d threads per node (one rank per NUMA domain). The constants fitted above carry "
       "over per core (divided by the core factor); the file system, network and launcher are assumptions "
       "(listed below). *run*: tsweep's own time (plan to finish); *+ launch*: with srun/MPI_Init; efficiency is "
       "against 1 node: T(1) / (N · T(N))." % (NODE["name"], NODE["ranks_per_node"], NODE["threads_per_rank"]))
    p_("")
    for w in WORKLOADS:
        ps = preds[w["key"]]
        n = ps[0]["counts"]
        s_read = n["S"] * n["B_read"] / n["B"]
        p_("**Workload %s**: %s: %s samples, %s units, %s window rows, %s blocks of which %s are decoded; reads "
           "about %s of block bytes; results file about %s." % (
               w["key"], w["name"], "%.3g" % n["S"], f"{n['U']:,}", f"{n['R']:,}", "%.3g" % n["B"],
               "%.3g" % n["B_read"], g(s_read * bps, "B"), g(n["R"] * bpr, "B")))
        p_("")
        p_("| nodes | ranks | cores | start-up s | work s | epochs | epoch writes s | run s | speed-up | "
           "efficiency | + launch s | efficiency with launch | bound by |")
        p_("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for q in ps:
            p_("| %d | %d | %d | %.3g | %.3g | %d | %.3g | %.3g | %.3g | %s | %.3g | %s | %s |" % (
                q["N"], q["P"], q["cores"], q["start"], q["work"], q["epochs"], q["epochs_s"], q["T"],
                ps[0]["T"] / q["T"], pct(ps[0]["T"] / (q["N"] * q["T"])), q["wall"],
                pct(ps[0]["wall"] / (q["N"] * q["wall"])), q["bound"]))
        p_("")
    p_("Ranks × threads per node, workload A (run seconds; a rank's reads go through its main thread, so more "
       "ranks per node read in more streams until the node's %s/s):" % g(NODE["read_bw_node"], "B"))
    p_("")
    p_("| per node | 1 node | 10 nodes | 100 nodes |")
    p_("|---|---:|---:|---:|")
    for rpn, t in layouts:
        p_("| %d × %d | %.3g | %.3g | %.3g |" % (rpn, t, lay[(rpn, t, 1)]["T"], lay[(rpn, t, 10)]["T"],
                                                lay[(rpn, t, 100)]["T"]))
    p_("")
    q0 = preds["A"][0]
    p_("Memory bandwidth check (workload A, 1 node): were the reads free, the 128 cores would decode %.0f GB/s of "
       "block bytes (their working set stays in L2: a block and its decoded samples) against about %.0f GB/s per "
       "node: %s." % (q0["mem_bw"] / 1e9, NODE["mem_bw"] / 1e9,
                      "not a limit" if q0["mem_bw"] < 0.5 * NODE["mem_bw"] else "close to a limit"))
    p_("")
    p_("### Assumptions")
    p_("")
    p_("Measured here and carried over: the per-sample, per-block and per-unit costs of decoding and reducing "
       "(`c_*`) and of the read path's CPU work (`d_*`), bytes per sample and per results row, the plan time, and "
       "tsweep's own rules (2^16 rows per rank per epoch, the 30 s checkpoint interval, `unit_samples` 4 M, "
       "dynamic assignment). Not measured, because this machine has 2 cores, a local disk and no network: the "
       "values in `NODE` of model.py, each with its source there:")
    p_("")
    for k, v in NODE.items():
        if k == "name":
            continue
        p_("- `%s` = %s: %s" % (k, "%g" % v, NODE_WHY.get(k, "")))
    p_("")
    p_("Also assumed: threads within a rank scale like ranks up to 16 (checked only at 2: `1x2` against `2x1` "
       "in the table above); a unit's blocks are shared by its rank's threads, so its compute is "
       "ceil(blocks/t)-granular (η = %.2f for workload A at 16 threads); the main thread's read of the next unit "
       "overlaps the other threads' compute; the store and the results file are on one shared Lustre-like file "
       "system whose bandwidth a job gets at the figures above; every stream has one rate, so units are equal "
       "and dynamic assignment leaves ceil(U/P) units on the busiest rank; no failures, stragglers or other jobs "
       "on the nodes. The local model (the held-out check) reads from the page cache and writes to a local disk; "
       "only its per-core constants are used at scale." % q0["eta"])
    text = "\n".join(out) + "\n"
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "model.md"), "w") as f:
        f.write(text)
    res = dict(stat=a.stat, constants={k: float(v) for k, v in m.items()},
               constants_per_round={k: [float(x) for x in v] for k, v in spread.items()},
               bytes_per_sample=bps, bytes_per_row=bpr, cpus=cpus, checks=checks, node=NODE, workloads=WORKLOADS,
               predictions={k: [{kk: vv for kk, vv in q.items() if kk != "counts"} for q in v]
                            for k, v in preds.items()})
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(res, f, indent=1)
    plot(preds, a.out, a.dpi)
    print(text)
    if a.json:
        print(json.dumps(res, indent=1))


def plot(preds, out, dpi):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    for (k, ps), col in zip(preds.items(), ("tab:blue", "tab:orange", "tab:green")):
        N = [q["N"] for q in ps]
        ax1.plot(N, [q["T"] for q in ps], "o-", color=col, label="%s: run" % k)
        ax1.plot(N, [q["wall"] for q in ps], "s:", color=col, ms=4, alpha=0.7, label="%s: + launch" % k)
        ax1.plot(N, [ps[0]["T"] / n for n in N], "--", color=col, lw=0.8, alpha=0.6)
        ax2.plot(N, [ps[0]["T"] / (q["N"] * q["T"]) for q in ps], "o-", color=col, label="%s: run" % k)
        ax2.plot(N, [ps[0]["wall"] / (q["N"] * q["wall"]) for q in ps], "s:", color=col, ms=4, alpha=0.7,
                 label="%s: + launch" % k)
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xlabel("nodes (%d ranks x %d threads each)" % (NODE["ranks_per_node"], NODE["threads_per_rank"]))
        ax.grid(True, alpha=0.3)
    ax1.set_yscale("log")
    ax1.set_ylabel("predicted seconds")
    ax2.set_ylabel("parallel efficiency against 1 node")
    ax2.set_ylim(0, 1.1)
    ax1.legend(fontsize=7, ncol=2)
    fig.suptitle("Model: workloads A, A-1h, B on 2 x EPYC 7763 nodes (assumptions in RESULTS.md); "
                 "dashed: ideal from 1 node", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    path = os.path.join(out, "model.png")
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
