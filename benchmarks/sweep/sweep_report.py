#!/usr/bin/python3
"""Bookkeeping for sweep_bench.sh: records each run, checks the numpy
baselines against tsweep's results, and prints the markdown report.

    sweep_report.py record RECORDS --round R --name NAME --kind KIND --label L --store S
                           --np N --threads T --json OUT.json --time FILE... [--results RESULTS.h5]
    sweep_report.py check ROWS.npz DENSE_DIR RESULTS.h5
    sweep_report.py table RECORDS WORK_DIR
    sweep_report.py meta WORK_DIR --build BUILD --glob GLOB --gen-streams N --seed S --store LABEL:PATH:DURATION:GEN_JSON...
    sweep_report.py dense-ok DENSE_DIR STORE      (exit 0 when DENSE_DIR is a copy of STORE)

KIND is tsweep (a `tsweep run --json` summary), verify (`tsweep verify
--json`), decode (sweep_decode's JSON) or numpy (a baseline's JSON line).
Each --time FILE is the output of one process's `/usr/bin/time -v`.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

# Phase fields: per-rank phases (the summary's maps hold them summed over the
# ranks, as tsweep's JobSummary::Phases does; per_rank lists and the
# provenance's per_rank hold each rank's), and job-level ones (rank 0's wall).
RANK_PHASES = ["read_seconds", "decode_seconds", "reduce_seconds", "compute_seconds", "write_seconds", "wait_seconds"]
JOB_PHASES = ["plan_seconds", "open_seconds"]
PHASES = RANK_PHASES + JOB_PHASES
# Counters of the summary worth showing next to the phases, where they exist.
COUNTERS = ["blocks_read", "blocks_summarised", "units", "epochs"]


def _time_v(path):
    """Peak RSS (KiB) and elapsed wall seconds from `/usr/bin/time -v` output."""
    text = open(path).read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    seconds = None
    if wall:
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
    status = re.search(r"Exit status: (\d+)", text)
    return (int(rss.group(1)) if rss else None, seconds, int(status.group(1)) if status else None)


def _pick(d):
    """The phase fields of a dict: "read_seconds", or "read" inside a phases/timings map."""
    found = {}
    if isinstance(d, dict):
        for k in PHASES:
            v = d.get(k, d.get(k[:-len("_seconds")]))
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                found[k] = float(v)
    return found


def _per_rank_mean(rows):
    if not (isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)):
        return {}
    per = [_pick(r) for r in rows]
    keys = set().union(*per)
    return {k: statistics.mean(p.get(k, 0.0) for p in per) for k in keys}


def _merge(doc, ranks, where, got, sources):
    """Adds doc's phases to got (per-rank means), first found wins."""
    for key in ("per_rank", None, "phases", "timings"):
        if key == "per_rank":
            found = _per_rank_mean(doc.get("per_rank"))
        else:
            found = {k: (v / ranks if k in RANK_PHASES else v)
                     for k, v in _pick(doc if key is None else doc.get(key)).items()}
        new = {k: v for k, v in found.items() if k not in got}
        if new:
            got.update(new)
            sources.append(where + ("" if key is None else "." + key))


def phases(summary, results, ranks=1):
    """(per-rank mean phase seconds, where they came from): the summary first, then the provenance."""
    got, sources = {}, []
    _merge(summary, ranks, "summary", got, sources)
    if not any(k in got for k in RANK_PHASES) and results and os.path.exists(results):
        try:
            import h5py
            with h5py.File(results, "r") as f:
                prov = json.loads(bytes(f["provenance/json"][()]).rstrip(b"\0"))
            _merge(prov, ranks, "provenance", got, sources)
        except Exception as e:  # an absent or unreadable provenance only costs the phase columns
            print("sweep_report.py: no provenance in %s: %s" % (results, e), file=sys.stderr)
    return got, (" + ".join(sources) or None)


def cmd_record(a):
    with open(a.json) as f:
        text = f.read().strip()
    try:
        out = json.loads(text.splitlines()[-1] if a.kind == "numpy" else text)
    except (ValueError, IndexError):
        raise SystemExit("sweep_report.py: %s (%s) did not print JSON: %r" % (a.name, a.kind, text[:300]))
    rec = {"round": a.round, "name": a.name, "kind": a.kind, "label": a.label, "store": a.store, "np": a.np,
           "threads": a.threads, "cores": a.np * a.threads}
    if a.kind == "tsweep":
        rec["samples"] = int(out["samples"])
        rec["seconds"] = float(out["seconds"])
        rec["phases"], rec["phase_source"] = phases(out, a.results, a.np)
        rec["counters"] = {k: out[k] for k in COUNTERS if isinstance(out.get(k), int)}
        rec["summary_keys"] = sorted(out)
    elif a.kind == "verify":
        rec["samples"] = int(out["samples"])
        rec["seconds"] = float(out["seconds"])
    elif a.kind == "decode":
        rec["samples"] = int(out["samples"])
        rec["seconds"] = float(out["decode_seconds"])  # the rate is decode only
        rec["decode_times_seconds"] = float(out["decode_times_seconds"])
        rec["read_seconds"] = float(out["read_seconds"]) + float(out["index_seconds"])
        rec["encoded_bytes"] = int(out["encoded_bytes"])
    elif a.kind == "numpy":
        rec["samples"] = int(out["samples"])
        rec["seconds"] = float(out["seconds"])
        rec["cores"] = int(out.get("procs", 1))
    else:
        raise SystemExit("sweep_report.py: unknown kind " + a.kind)
    rss, wall = [], []
    for path in a.time:
        r, w, status = _time_v(path)
        if status not in (0, None):
            raise SystemExit("sweep_report.py: %s exited %s (%s)" % (a.name, status, path))
        if r is not None:
            rss.append(r)
        if w is not None:
            wall.append(w)
    rec["rss_kib"] = max(rss) if rss else None
    rec["wall"] = max(wall) if wall else None
    recs = [rec]
    if a.kind == "decode":  # one sweep_decode process times three things: one record each
        recs.append(dict(rec, name="decode+read:" + a.label, seconds=rec["seconds"] + rec["read_seconds"]))
        recs.append(dict(rec, name="decode+times:" + a.label, seconds=rec["decode_times_seconds"]))
    with open(a.records, "a") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    for r in recs:
        rate = r["samples"] / r["seconds"] if r["seconds"] > 0 else 0
        print("round %d %-24s %12d samples %8.3f s %9.3g samples/s/core  RSS %s KiB" %
              (a.round, r["name"], r["samples"], r["seconds"], rate / r["cores"], r["rss_kib"]), file=sys.stderr)


def cmd_check(a):
    """The baselines' rows against tsweep's results, window by window."""
    import h5py
    import numpy as np
    rows = np.load(a.rows)
    with open(os.path.join(a.dense, "streams.json")) as f:
        names = [s["name"] for s in json.load(f)["streams"]]
    with h5py.File(a.results, "r") as f:
        st = {k: f["streams"][k][()] for k in f["streams"]}
        win = {k: f["windows"][k][()] for k in f["windows"]}
    where = {(n.decode() if isinstance(n, bytes) else n): (int(b), int(c))
             for n, b, c in zip(st["name"], st["row_start"], st["row_count"])}
    exact = ["count", "nan_count", "out_of_range", "longest_flat_run", "gaps", "longest_gap", "min", "max"]
    close = ["mean", "std"]
    bad, compared, missing = [], 0, 0
    want_nonempty = 0
    for sid, name in enumerate(names):
        if name not in where:
            raise SystemExit("sweep_report.py check: stream %s is not in %s" % (name, a.results))
        b, c = where[name]
        t_start = win["start"][b:b + c]
        present = (win["count"][b:b + c] + win["nan_count"][b:b + c]) > 0
        want_nonempty += int(present.sum())
        mine = np.flatnonzero(rows["stream"] == sid)
        pos = np.searchsorted(t_start, rows["start"][mine])
        ok = (pos < c) & (t_start[np.minimum(pos, c - 1)] == rows["start"][mine])
        missing += int((~ok).sum())
        mine, pos = mine[ok], pos[ok]
        compared += mine.size
        for k in exact + close:
            theirs = win[k][b:b + c][pos]
            ours = rows[k][mine]
            if k in close:
                same = np.isclose(ours, theirs, rtol=1e-9, atol=1e-12, equal_nan=True)
            elif ours.dtype.kind == "f":
                same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
            else:
                same = ours == theirs
            for i in np.flatnonzero(~same)[:3]:
                bad.append("%s window %d %s: baseline %r, tsweep %r" % (name, rows["start"][mine[i]], k, ours[i], theirs[i]))
    if missing or compared != want_nonempty or bad:
        print("baseline rows DIFFER from tsweep: %d compared, %d windows tsweep lacks, %d non-empty in tsweep"
              % (compared, missing, want_nonempty))
        for line in bad[:20]:
            print("  " + line)
        return 1
    print("baseline rows agree with tsweep on all %d non-empty windows (%s exact; mean, std to 1e-9)"
          % (compared, ", ".join(exact)))
    return 0


def _sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def _g(x):
    return "%.3f" % (x / 1e9) if x >= 1e8 else "%.4f" % (x / 1e9)


def cmd_table(a):
    recs = [json.loads(line) for line in open(a.records)]
    meta = json.load(open(os.path.join(a.work, "meta.json")))
    by = {}
    for r in recs:
        by.setdefault(r["name"], []).append(r)
    rounds = max(r["round"] for r in recs) + 1

    def stat(name):
        rs = by.get(name, [])
        if not rs:
            return None
        secs = sorted(r["seconds"] for r in rs)
        r0 = rs[0]
        best_rate = r0["samples"] / secs[0]
        med_rate = r0["samples"] / statistics.median(secs)
        rss = max((r["rss_kib"] or 0) for r in rs)
        return {"best_s": secs[0], "med_s": statistics.median(secs), "best": best_rate, "med": med_rate,
                "cores": r0["cores"], "samples": r0["samples"], "rss": rss, "n": len(rs), "recs": rs}

    def per_round_ratio(num, den):
        """Median and best over rounds of rate(num) / rate(den), each round's pair measured side by side."""
        a_, b_ = {r["round"]: r for r in by.get(num, [])}, {r["round"]: r for r in by.get(den, [])}
        ratios = []
        for k in sorted(set(a_) & set(b_)):
            ra = a_[k]["samples"] / a_[k]["seconds"] / a_[k]["cores"]
            rb = b_[k]["samples"] / b_[k]["seconds"] / b_[k]["cores"]
            ratios.append(ra / rb)
        return (statistics.median(ratios), max(ratios)) if ratios else (None, None)

    stores = meta["stores"]
    A = stores[0]["label"]
    out = []
    p = out.append
    p("### Window sweep (`benchmarks/sweep/sweep_bench.sh`)")
    p("")
    p("Machine: `nproc` %s, %s (`lscpu`), %s GiB RAM; %s; load average before the runs %s. tsweep %s, "
      "`%s` build (%s) in `%s`. %s; Python %s, numpy %s. %d rounds, every configuration once per round in "
      "the same order (rotation); rates are samples / the command's own seconds, per core. Load average "
      "after the rounds: %s (above 0 the two CPUs were shared with other work: compare ratios of the same round)."
      % (meta["nproc"], meta["cpu"], meta["mem_gib"], meta["date"], meta["load"], meta["git"], meta["build_type"],
         meta["compiler"], meta["build"], meta["mpi"], meta["python"], meta["numpy"], rounds,
         open("/proc/loadavg").read().split()[0]))
    p("")
    p("Stores: `mpirun -np 2 tsweep --threads 1 generate STORE --streams %d --duration D --seed %d` "
      "(beds of 8 streams; `generate` cannot restrict the kinds, so the job selects the ECG streams with "
      "`streams: [\"%s\"]`: int16 ECG-like, ECG_II at 500 Hz and ECG_V5 at 250 Hz, with the generator's "
      "gaps, flat runs and out-of-range spikes)." % (meta["gen_streams"], meta["seed"], meta["glob"]))
    p("")
    p("| store | duration | selected streams | selected samples | samples in store | file | generated in (2 ranks) |")
    p("|---|---|---:|---:|---:|---:|---:|")
    for s in stores:
        p("| %s | %s | %d | %s | %s | %.2f GiB | %s |" % (
            s["label"], s["duration"], s["selected_streams"], f"{s['selected_samples']:,}", f"{s['store_samples']:,}",
            s["bytes"] / 2**30, ("%.1f s" % s["gen_seconds"]) + (" (earlier run)" if s.get("cached") else "")))
    p("")

    p("**a, b, e, f: store %s, 1 core unless stated** (best and median of %d; x decode = rate / decode-only rate "
      "of the same blocks in the same round, median of the rounds)" % (A, rounds))
    p("")
    p("| what | ranks x threads | G samples/s per core, best | median | x decode (median) | peak RSS per process | process wall, best |")
    p("|---|---|---:|---:|---:|---:|---:|")
    rows_a = [("decode-only: values, checksums (`sweep_decode`)", "decode:" + A),
              ("decode-only incl. index lookup and read", "decode+read:" + A),
              ("decode-only: values + times", "decode+times:" + A),
              ("`tsweep verify` (whole store: rows, reads, checksums, decode)", "verify:" + A),
              ("`tsweep run` 1-min windows", "run1min-1x1:" + A),
              ("`tsweep run` 1-h windows (effective)", "run1h-1x1:" + A),
              ("`tsweep run` 1-min windows", "run1min-2x1:" + A),
              ("`tsweep run` 1-min windows", "run1min-1x2:" + A),
              ("numpy + multiprocessing, 1 worker", "numpy-mp1:" + A),
              ("numpy + multiprocessing, %s workers" % meta["nproc"], "numpy-mpN:" + A),
              ("numpy vectorised (reduceat), 1 process", "numpy-vec:" + A)]
    for label, name in rows_a:
        s = stat(name)
        if not s:
            continue
        rx, _ = per_round_ratio(name, "decode:" + A)
        rxt = "1" if name.startswith("decode:") else ("%.3f" % rx if rx is not None else "")
        r0 = s["recs"][0]
        shape = "%d x %d" % (r0["np"], r0["threads"]) if r0["kind"] in ("tsweep", "verify") else (
            "%d proc" % s["cores"] if r0["kind"] == "numpy" else "1 x 1")
        wall = min((r["wall"] for r in s["recs"] if r.get("wall") is not None), default=None)
        p("| %s | %s | %s | %s | %s | %.0f MiB | %s |" % (
            label, shape, _g(s["best"] / s["cores"]), _g(s["med"] / s["cores"]), rxt, s["rss"] / 1024,
            "%.2f s" % wall if wall is not None else ""))
    p("")
    sv = stat("verify:" + A)
    p("What the rows include. *decode-only*: `sweep_decode` opens the store with the public Reader, reads each "
      "selected stream's blocks in batches of about 4 M samples (`unit_samples`' default) and decodes each batch "
      "with one `codec::Decoder` into a reused buffer: values only, XXH3 checksum verified; the rate counts decoding "
      "alone, *incl. read* adds the index lookups and `read_bytes` (page cache), *+ times* also materialises every "
      "sample time. *verify* checks the whole store (%s samples, every stream, not only the selection): table rows "
      "and their checksums, the tables against each other, block bytes read in 32 MiB batches, headers against the "
      "index, XXH3, and values decoded (not times). *tsweep run*: `samples` / `seconds` of `--json` (plan to "
      "finish, inside the process). *numpy*: the scripts' own time from start to the last row, reading the dense "
      "copy (int16 values + int64 times, 10 bytes a sample) from the page cache with `np.load(mmap_mode='r')`; "
      "interpreter start-up and imports are outside it, as MPI start-up is for tsweep (the wall column has both). "
      "Peak RSS: `/usr/bin/time -v` of each process (each rank), the largest; for multiprocessing, the largest "
      "process of the pool." % (f"{sv['samples']:,}" if sv else "?"))
    p("")
    # `samples` of the summary is what the job says it analysed; where it is not the selection
    # (a job that answers whole blocks from their summaries might count them apart), say so.
    sel = {st_["label"]: st_["selected_samples"] for st_ in stores}
    odd = sorted({"%s: %s reports %s samples, the selection holds %s" % (r["name"], r["kind"], f"{r['samples']:,}",
                                                                        f"{sel[r['label']]:,}")
                  for r in recs if r["kind"] in ("tsweep", "decode") and r["label"] in sel
                  and r["samples"] != sel[r["label"]]})
    if odd:
        p("**Sample counts differ from the selection** (rates above use the reported count): " + "; ".join(odd) + ".")
        p("")
    s1, s2 = stat("run1min-1x1:" + A), stat("decode:" + A)
    if s1 and s2:
        med, best = per_round_ratio("run1min-1x1:" + A, "decode:" + A)
        p("1-min run / decode-only (1 x 1): %.3f median of rounds, %.3f best round, %.3f from the best of each. "
          "Samples: %s selected (`samples` of `tsweep run --json`); decode-only counts the same blocks' samples."
          % (med, best, s1["best"] / s2["best"], f"{s1['samples']:,}"))
        p("")

    p("**c: parallel efficiency** (1-min windows)")
    p("")
    p("| store | 1 x 1 G/s | 2 x 1 G/s | 1 x 2 G/s | 2 x 1 / (2 x 1 x 1), best | median of rounds | 1 x 2 / 2 x 1, best | median of rounds |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|")
    for st_ in stores:
        L = st_["label"]
        a1, a2, a3 = stat("run1min-1x1:" + L), stat("run1min-2x1:" + L), stat("run1min-1x2:" + L)
        if not (a1 and a2 and a3):
            continue
        eff_med, _ = per_round_ratio("run1min-2x1:" + L, "run1min-1x1:" + L)
        thr_med, _ = per_round_ratio("run1min-1x2:" + L, "run1min-2x1:" + L)
        p("| %s | %s | %s | %s | %.1f %% | %.1f %% | %.3f | %.3f |" % (
            L, _g(a1["best"]), _g(a2["best"]), _g(a3["best"]), 100 * a2["best"] / (2 * a1["best"]), 100 * eff_med,
            a3["best"] / a2["best"], thr_med))
    p("")

    p("**d: flat cost**, `tsweep run` 1-min windows, 1 x 1, default settings")
    p("")
    p("| store | selected samples | ns per sample, best | median | G samples/s | decode-only ns per sample, best | peak RSS |")
    p("|---|---:|---:|---:|---:|---:|---:|")
    for st_ in stores:
        L = st_["label"]
        s = stat("run1min-1x1:" + L)
        d = stat("decode:" + L)
        if not s:
            continue
        p("| %s | %s | %.2f | %.2f | %s | %s | %.0f MiB |" % (
            L, f"{s['samples']:,}", 1e9 / s["best"], 1e9 / s["med"], _g(s["best"]),
            "%.3f" % (1e9 / d["best"]) if d else "", s["rss"] / 1024))
    p("")

    # Phases: whatever the summary (or else the provenance) has, mean over ranks, from the median run.
    tsweep_names = [n for n in by if by[n][0]["kind"] == "tsweep"]
    keys = [k for k in PHASES if any(k in (r.get("phases") or {}) for n in tsweep_names for r in by[n])]
    counters = [k for k in COUNTERS if any(k in (r.get("counters") or {}) for n in tsweep_names for r in by[n])]
    sources = sorted({r.get("phase_source") or "none" for n in tsweep_names for r in by[n]})
    p("**Per-phase seconds** of `tsweep run` (from %s; per rank: rank-seconds / ranks; plan and open: rank 0; "
      "the run of median time). Fields looked for: %s." % (", ".join(sources), ", ".join(PHASES)))
    p("")
    if keys:
        cols = ["run", "seconds"] + [k.replace("_seconds", "") for k in keys] + ["rest"] + counters
        p("| " + " | ".join(cols) + " |")
        p("|---|" + "---:|" * (len(cols) - 1))
        for n in sorted(tsweep_names, key=lambda x: (x.split(":")[1], x)):
            rs = sorted(by[n], key=lambda r: r["seconds"])
            r = rs[len(rs) // 2]
            ph = r.get("phases") or {}
            # compute = decode + reduce where both exist; do not count it twice
            parts = [ph[k] for k in keys if k in ph and not (k == "compute_seconds" and "decode_seconds" in ph)]
            cs = r.get("counters") or {}
            p("| %s | %.3f | " % (n, r["seconds"]) + " | ".join("%.3f" % ph[k] if k in ph else "—" for k in keys)
              + " | %.3f |" % (r["seconds"] - sum(parts))
              + "".join(" %s |" % (f"{cs[k]:,}" if k in cs else "—") for k in counters))
    else:
        p("(no phase fields found)")
    p("")
    ks = sorted({k for n in tsweep_names for r in by[n] for k in r.get("summary_keys", [])})
    p("`tsweep run --json` summary fields seen: %s." % ", ".join("`%s`" % k for k in ks))
    p("")
    check = os.path.join(a.work, "check.txt")
    if os.path.exists(check):
        p("Baselines against tsweep's results file (store %s, 1-min windows): %s" % (A, open(check).read().strip()))
        p("")
    p("Commands (in `%s`):" % a.work)
    p("")
    p("```")
    for line in open(os.path.join(a.work, "commands.txt")):
        p(line.rstrip("\n"))
    p("```")
    print("\n".join(out))


def cmd_meta(a):
    """Machine, build and store facts, once, before the runs: WORK_DIR/meta.json."""
    import fnmatch
    import h5py
    import numpy
    cache = {}
    cache_path = os.path.join(a.build, "CMakeCache.txt")
    if os.path.exists(cache_path):
        for line in open(cache_path):
            m = re.match(r"(CMAKE_BUILD_TYPE|CMAKE_CXX_COMPILER):[A-Z]+=(.*)", line.strip())
            if m:
                cache[m.group(1)] = m.group(2)
    cpu = re.search(r"Model name:\s*(.*)", _sh("lscpu"))
    mem = re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read())
    git = _sh("git -C %s rev-parse --short=12 HEAD" % os.path.dirname(os.path.abspath(__file__)))
    dirty = _sh("git -C %s status --porcelain --untracked-files=no -- src include" % os.path.dirname(os.path.abspath(__file__)))
    compiler = cache.get("CMAKE_CXX_COMPILER", "c++")
    meta = {"nproc": _sh("nproc"), "cpu": cpu.group(1).strip() if cpu else "unknown CPU",
            "mem_gib": "%.0f" % (int(mem.group(1)) / 2**20) if mem else "?",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": open("/proc/loadavg").read().split()[0], "git": git + (" (src/include modified)" if dirty else ""),
            "build": os.path.abspath(a.build), "build_type": cache.get("CMAKE_BUILD_TYPE", "?"),
            "compiler": (_sh("%s --version" % compiler).splitlines() or [compiler])[0],
            "mpi": (_sh("mpirun --version").splitlines() or ["mpirun ?"])[0],
            "python": sys.version.split()[0], "numpy": numpy.__version__, "glob": a.glob,
            "gen_streams": a.gen_streams, "seed": a.seed, "stores": []}
    for spec in a.store:
        label, path, duration, gen_json = spec.split(":", 3)
        with h5py.File(path, "r") as f:
            st = f["streams"][()]
        names = [(n.decode() if isinstance(n, bytes) else n) for n in st["name"]]
        sel = [i for i, n in enumerate(names) if fnmatch.fnmatchcase(n, a.glob)]
        gen = json.load(open(gen_json))
        meta["stores"].append({"label": label, "path": os.path.abspath(path), "duration": duration,
                               "store_samples": int(st["sample_count"].sum()), "bytes": os.path.getsize(path),
                               "selected_streams": len(sel), "selected_samples": int(st["sample_count"][sel].sum()),
                               "gen_seconds": gen.get("wall_seconds", gen.get("seconds", 0.0)),
                               "cached": bool(gen.get("cached"))})
    with open(os.path.join(a.work, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    if meta["build_type"] not in ("Release", "RelWithDebInfo"):
        print("sweep_report.py: warning: %s is a %s build; benchmark an optimised one (cmake --preset release)"
              % (a.build, meta["build_type"]), file=sys.stderr)


def cmd_dense_ok(a):
    import h5py
    try:
        meta = json.load(open(os.path.join(a.dense, "streams.json")))
        with h5py.File(a.store, "r") as f:
            uuid = f.attrs["store_uuid"]
        uuid = uuid.decode() if isinstance(uuid, bytes) else str(uuid)
    except (OSError, ValueError, KeyError):
        return 1
    return 0 if meta.get("uuid") == uuid and os.path.abspath(a.store) == meta.get("store") else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("records")
    r.add_argument("--round", type=int, required=True)
    r.add_argument("--name", required=True)
    r.add_argument("--kind", required=True)
    r.add_argument("--label", required=True)
    r.add_argument("--store", required=True)
    r.add_argument("--np", type=int, default=1)
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--json", required=True)
    r.add_argument("--time", nargs="*", default=[])
    r.add_argument("--results")
    c = sub.add_parser("check")
    c.add_argument("rows")
    c.add_argument("dense")
    c.add_argument("results")
    t = sub.add_parser("table")
    t.add_argument("records")
    t.add_argument("work")
    m = sub.add_parser("meta")
    m.add_argument("work")
    m.add_argument("--build", required=True)
    m.add_argument("--glob", required=True)
    m.add_argument("--gen-streams", type=int, required=True)
    m.add_argument("--seed", type=int, required=True)
    m.add_argument("--store", action="append", default=[])
    d = sub.add_parser("dense-ok")
    d.add_argument("dense")
    d.add_argument("store")
    a = ap.parse_args()
    if a.cmd == "meta":
        cmd_meta(a)
        return
    if a.cmd == "dense-ok":
        sys.exit(cmd_dense_ok(a))
    if a.cmd == "record":
        cmd_record(a)
    elif a.cmd == "check":
        sys.exit(cmd_check(a))
    else:
        cmd_table(a)


if __name__ == "__main__":
    main()
