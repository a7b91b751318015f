#!/usr/bin/python3
"""Decode rate of tsweep.Store.read from Python against the C++ decode rate
of the same blocks (benchmarks/sweep/sweep_decode.cpp), in rotation.

    read_bench.py BUILD WORK [--rounds N] [--streams N] [--duration D] [--glob PATTERN]

BUILD is a build tree with bin/tsweep, bin/sweep_decode and python/tsweep;
WORK keeps the store (reused: its name holds the knobs) and records.jsonl.
Each round runs A (sweep_decode STORE --streams GLOB) then B (a new
Python process that imports tsweep and reads the same streams with
Store.read in every variant below), so A and B alternate: A B A B ...
B runs twice in a round, on fresh and on reused memory (MEMORY below).
Prints a markdown report: best and median of the rounds, and each B/A
ratio taken round by round (the two runs of a round are neighbours in
time), then the median of those.

Variants of B, each one Store.read(GLOB, ...) call timed from Python
(perf_counter around the call: index lookups, reads, decode, allocation of
the numpy arrays, everything):
    raw, values only      physical=False, times=False
    raw + times           physical=False            (the default times=True)
    physical + times      physical=True, times=True  (the defaults)
each with threads=1 and threads=CPUs, after one default read that is timed
apart ("first read of the process"): its arrays are the process's first
large allocation, which on a VM that hands freed memory back to its host
costs far more than memory the process has touched before. Every read
returns new arrays: on fresh memory the rates include faulting them in
(the kernel zeroes every page first), which sweep_decode, decoding into one
reused buffer, never pays; on reused memory they do not.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

VARIANTS = [("raw, values only", False, False), ("raw + times", False, True), ("physical + times", True, True)]
COLD = "physical + times, first read of the process"
# B runs twice a round: with glibc's defaults, every array of a read is
# fresh memory from the kernel; with these, freed arrays of up to 32 MiB
# (one stream's here) stay in the heap and the next read reuses them, as
# sweep_decode reuses its one buffer.
MEMORY = {"fresh": {}, "reused": {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 40)}}


def main():
    args = parse_args()
    if args.reader:
        return reader(*args.reader)
    os.makedirs(args.work, exist_ok=True)
    tsweep, decode = (os.path.join(args.build, "bin", b) for b in ("tsweep", "sweep_decode"))
    store = make_store(tsweep, args)
    before = os.getloadavg()[0]
    records = []
    for r in range(args.rounds):
        rec = {"round": r, "cpp": run_json([decode, store, "--streams", args.glob])}
        for memory, tunables in MEMORY.items():
            env = dict(os.environ, PYTHONPATH=os.path.join(args.build, "python"), **tunables)
            rec[memory] = run_json([sys.executable, os.path.abspath(__file__), "--reader", store, args.glob], env=env)
        records.append(rec)
        print(f"round {r + 1}/{args.rounds}: C++ {rec['cpp']['decode_samples_per_second'] / 1e9:.3f} G/s, Python "
              f"default read {rec['fresh']['physical + times, threads=cpus']['samples_per_second'] / 1e9:.3f} G/s",
              file=sys.stderr)
    with open(os.path.join(args.work, "records.jsonl"), "a") as f:
        for rec in records:
            f.write(json.dumps(rec) + "\n")
    print(report(records, args, before, os.getloadavg()[0]))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("build", nargs="?")
    p.add_argument("work", nargs="?")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--streams", type=int, default=128, help="streams of the generated store (beds of 8)")
    p.add_argument("--duration", default="120min")
    p.add_argument("--glob", default="*/ECG_*", help="streams read (default: the int16 ECG leads)")
    p.add_argument("--reader", nargs=2, metavar=("STORE", "GLOB"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if not args.reader and (not args.build or not args.work):
        p.error("BUILD and WORK are required")
    if not args.reader and args.rounds < 3:
        p.error("--rounds must be at least 3 (best and median of the rounds)")
    return args


def make_store(tsweep, args):
    store = os.path.join(args.work, f"bench-{args.streams}x{args.duration}-s11.h5")
    if not os.path.exists(store):
        subprocess.run([tsweep, "--threads", "1", "generate", store, "--streams", str(args.streams),
                        "--duration", args.duration, "--seed", "11"], check=True, stdout=subprocess.DEVNULL)
    return store


def run_json(command, env=None):
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"read_bench.py: {' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def reader(store, glob):
    """B: one process; the default read once first (its arrays are the process's first large
    allocation), then every variant once, each timed from Python; prints one JSON object."""
    t0 = time.perf_counter()
    import tsweep
    imported = time.perf_counter() - t0
    cpus = len(os.sched_getaffinity(0))
    out = {"import_seconds": imported, "cpus": cpus}
    with tsweep.Store(store) as s:
        out[COLD] = timed_read(s, glob, True, True, cpus)
        for label, physical, times in VARIANTS:
            for threads, tag in ((1, "1"), (cpus, "cpus")):
                out[f"{label}, threads={tag}"] = timed_read(s, glob, physical, times, threads)
    print(json.dumps(out))


def timed_read(store, glob, physical, times, threads):
    t0 = time.perf_counter()
    data = store.read(glob, physical=physical, times=times, threads=threads)
    seconds = time.perf_counter() - t0
    samples = sum(len(d) for d in data.values())
    return dict(store.last_read, seconds=seconds, samples_per_second=samples / seconds)


def report(records, args, load_before, load_after):
    cpp = [r["cpp"] for r in records]
    check_samples(records)
    cpus = records[0]["fresh"]["cpus"]
    lines = [machine_line(args, load_before, load_after, len(records)),
             "",
             f"Store: `tsweep --threads 1 generate STORE --streams {args.streams} --duration {args.duration} --seed 11`; "
             f"read: `{args.glob}`, {cpp[0]['streams']} streams, {cpp[0]['samples']:,} samples, {cpp[0]['blocks']} "
             f"blocks, {cpp[0]['encoded_bytes'] / 2**20:.1f} MiB encoded.",
             "",
             "| what | threads | G samples/s, best | median | x C++ values only (median of rounds) | "
             "x C++ values + times (median of rounds) |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, key in (("C++ `sweep_decode`: values only (checksums)", "decode_samples_per_second"),
                       ("C++ `sweep_decode`: values + times", "decode_times_samples_per_second"),
                       ("C++ `sweep_decode`: index + read + values", "read_decode_samples_per_second")):
        lines.append(row(label, "1", [(c[key], c) for c in cpp]))
    for memory in MEMORY:
        for key in [COLD] + [f"{label}, threads={tag}" for label, _, _ in VARIANTS for tag in ("1", "cpus")]:
            threads = "1" if key.endswith("threads=1") else str(cpus)
            lines.append(row(f"`Store.read`, {memory} memory: {key.split(', threads=')[0]}", threads,
                             [(r[memory][key]["samples_per_second"], r["cpp"]) for r in records]))
    imports = [r["fresh"]["import_seconds"] for r in records]
    lines += ["", f"`import tsweep` (numpy, pandas included): median {statistics.median(imports):.2f} s, "
                  "outside the rates."]
    return "\n".join(lines)


def row(label, threads, rounds):
    """A table row from (rate, the C++ record of the same round) per round."""
    rates = [rate for rate, _ in rounds]
    vs_values = statistics.median(rate / c["decode_samples_per_second"] for rate, c in rounds)
    vs_times = statistics.median(rate / c["decode_times_samples_per_second"] for rate, c in rounds)
    return (f"| {label} | {threads} | {max(rates) / 1e9:.3f} | {statistics.median(rates) / 1e9:.3f} | "
            f"{vs_values:.2f} | {vs_times:.2f} |")


def check_samples(records):
    """Every read of a round got the samples sweep_decode decoded: the same blocks."""
    for r in records:
        for memory in MEMORY:
            for key, v in r[memory].items():
                if isinstance(v, dict) and v["samples"] != r["cpp"]["samples"]:
                    sys.exit(f"read_bench.py: {memory} {key} read {v['samples']} samples, "
                             f"sweep_decode {r['cpp']['samples']}")


def machine_line(args, load_before, load_after, rounds):
    model = "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"Machine: `nproc` {os.cpu_count()}, {model}, {platform.python_implementation()} "
            f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; build `{args.build}`; "
            f"{rounds} rounds A B A B (A: sweep_decode, B: a Python process); load average {load_before:.2f} "
            f"before, {load_after:.2f} after (the CPUs were shared with other work: compare ratios of a round).")


if __name__ == "__main__":
    sys.exit(main())
