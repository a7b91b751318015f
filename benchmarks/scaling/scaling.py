#!/usr/bin/python3
"""Strong, weak and across-node scaling of `tsweep run`, one CSV row per run.

    scaling.sh BIN WORK [--strong] [--weak] [--nodes] [--repeats N] [options]

With none of --strong, --weak, --nodes, all three run. Every configuration
runs once per round, all experiments interleaved in one rotation, so that the
points of a round share the machine's load; best and median come from the
rounds (plot.py, model.py). Writes WORK/strong.csv, WORK/weak.csv and
WORK/nodes.csv (columns: COLUMNS below), WORK/meta.json (machine, binary,
commands) and WORK/commands.txt (each kind of command once, exactly).

  --strong     one fixed store (default 256 streams x 36 h, 3.9e9 samples,
               about 2.3 s at 1 x 1); ranks x threads from 1 to all CPUs
               (c x 1 and 1 x c for c = 1, 2, 4, ... up to the CPUs), then
               2C x 1 and C x 2 marked oversubscribed (not under Slurm unless
               --oversubscribed); 1 x 1 also at unit_samples 500000 (more
               units: separates the per-unit cost from the per-sample one)
  --weak       the store grows with the ranks: 64 streams x 36 h per rank
               (P ranks x 1 thread, P = 1, 2, 4, ... up to the CPUs, then 2C)
  --nodes      N nodes x 1 rank (--ranks-per-node) on the strong store: under
               Slurm real nodes of the allocation (srun -N n); elsewhere
               simulated nodes (tests/nodes/simnodes.sh, fake hosts on this
               machine), N = 1..4; skipped, saying so, where neither exists
  --windows L  window widths, comma-separated (default 1min,1h; 1-h windows
               take most blocks from their index summaries)
  --repeats N  rounds (default 3)
  --tiny       small stores (16 streams x 30 min strong, 8 per rank weak) for
               a smoke test in seconds
  --strong-streams N, --weak-streams N, --duration D, --block-samples B,
  --seed S     store knobs (streams are multiples of 8)
  --max-nodes N      simulated nodes up to N (default 4)
  --ranks-per-node R ranks per node in --nodes (default 1)
  --launcher L       auto (srun under Slurm, else mpirun), mpirun or srun
  --simnodes PATH    the simulated-node launcher (default tests/nodes/simnodes.sh)
  --simnodes-opts S  mpirun options it passes on (default '-mca osc pt2pt': between
                     fake nodes, TCP only, the default osc/rdma fails MPI_Win_allocate)
  --wait-simnodes S  wait up to S seconds for it to appear (default 0)
  --timeout S        per run (default 600)
  --quiet-wait S     before each run wait up to S s for the other processes on the
                     machine to use less than --quiet-cpus CPUs (default 0.3); what
                     they used before and during each run is in the CSV either way
  --dry-run          print the commands, run nothing

Stores stay in WORK/stores and are reused when their names (which hold the
knobs) match; they are read once into the page cache before the rounds.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

PHASES = ["read", "decode", "reduce", "write", "wait", "plan", "open"]
COLUMNS = (["experiment", "config", "round", "window", "ranks", "threads", "nodes", "ranks_per_node", "cores",
            "cpus", "oversubscribed", "launcher", "unit_samples", "store", "store_streams", "store_duration",
            "store_samples", "store_bytes", "samples", "seconds", "wall_seconds"]
           + ["%s_seconds" % p for p in PHASES]
           + ["units", "epochs", "rows", "blocks_read", "blocks_summarised", "encoded_bytes", "results_bytes",
              "imbalance", "load1", "load5", "load15", "load1_after", "others_cpus_before", "others_cpus_during",
              "quiet_wait", "rc", "utc"])
# read..wait are rank-seconds summed over the ranks (tsweep's summary.phases);
# plan and open are rank 0's wall seconds. others_cpus_*: CPUs' worth of work
# that was not this benchmark's (from /proc/stat less the runs' own CPU time)
# in the half second before the run and during it: the noise of a shared machine
# (during: not for simulated nodes, whose ranks this script cannot account for).


def cpu_busy():
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]) - idle, sum(v[:8])


def others_busy(seconds):
    """CPUs kept busy by other processes over the next `seconds` (this script is asleep meanwhile)."""
    b0, _ = cpu_busy()
    time.sleep(seconds)
    b1, _ = cpu_busy()
    return (b1 - b0) / os.sysconf("SC_CLK_TCK") / seconds


def log(*a):
    print("scaling:", *a, file=sys.stderr, flush=True)


def duration_seconds(d):
    units = {"ms": 1e-3, "s": 1, "min": 60, "h": 3600, "d": 86400}
    for u in sorted(units, key=len, reverse=True):
        if d.endswith(u):
            return float(d[:-len(u)]) * units[u]
    return float(d)


class Launcher:
    """How P ranks x T threads start: mpirun here, srun under Slurm, simnodes.sh for fake nodes."""

    def __init__(self, kind, cpus, simnodes=None, simnodes_opts=()):
        self.kind = kind
        self.simnodes_opts = list(simnodes_opts)
        self.cpus = cpus
        self.simnodes = simnodes
        self.root = os.geteuid() == 0

    def mpirun(self, ranks, threads):
        cmd = ["mpirun"]
        if self.root:
            cmd.append("--allow-run-as-root")
        cmd += ["-np", str(ranks)]
        if ranks > self.cpus:
            cmd.append("--oversubscribe")
        # One thread per rank and a core each: bind, as Open MPI does by default.
        # Threads, or more ranks than cores: every rank may use every CPU.
        cmd += ["--bind-to", "core" if threads == 1 and ranks <= self.cpus else "none"]
        return cmd

    def srun(self, ranks, threads, nodes=1, oversubscribed=False):
        # -N: strong and weak runs stay on one node of the allocation; --nodes runs spread over `nodes`
        cmd = ["srun", "--mpi=pmix", "-N", str(nodes), "-n", str(ranks), "-c", str(threads), "--cpu-bind=cores"]
        if nodes > 1:
            cmd += ["--ntasks-per-node", str(ranks // nodes)]
        if oversubscribed:
            cmd.append("--overcommit")
        return cmd

    def prefix(self, ranks, threads, nodes=1, ranks_per_node=None, simulated=False):
        if simulated:
            # simnodes.sh --nodes N --ranks-per-node R [mpirun opts] -- CMD ARGS...
            # (it binds to none and allows oversubscription itself)
            return (["bash", self.simnodes, "--nodes", str(nodes), "--ranks-per-node", str(ranks_per_node)]
                    + self.simnodes_opts + ["--"])
        if self.kind == "srun":
            return self.srun(ranks, threads, nodes or 1, ranks * threads > self.cpus * (nodes or 1))
        return self.mpirun(ranks, threads)


def slurm_cpus():
    """(nodes, CPUs per node) of the Slurm allocation, or None outside one."""
    if not os.environ.get("SLURM_JOB_ID"):
        return None
    nodes = int(os.environ.get("SLURM_JOB_NUM_NODES", os.environ.get("SLURM_NNODES", "1")))
    per = os.environ.get("SLURM_CPUS_ON_NODE") or os.environ.get("SLURM_JOB_CPUS_PER_NODE", "1")
    per = int(per.split("(")[0].split(",")[0])
    return nodes, per


def powers_to(n):
    out, c = [], 1
    while c <= n:
        out.append(c)
        c *= 2
    if out[-1] != n:
        out.append(n)
    return out


def parse_summary(text):
    """The JSON object tsweep run --json prints (rank 0), from stdout that may hold other lines."""
    dec = json.JSONDecoder()
    i = text.find("{")
    while i >= 0:
        try:
            obj, _ = dec.raw_decode(text[i:])
            if isinstance(obj, dict) and "samples" in obj:
                return obj
        except ValueError:
            pass
        i = text.find("{", i + 1)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bin")
    ap.add_argument("work")
    ap.add_argument("--strong", action="store_true")
    ap.add_argument("--weak", action="store_true")
    ap.add_argument("--nodes", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--windows", default="1min,1h")
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--strong-streams", type=int)
    ap.add_argument("--weak-streams", type=int)
    ap.add_argument("--duration")
    ap.add_argument("--block-samples", type=int)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--alt-unit-samples", type=int, default=500000)
    ap.add_argument("--max-nodes", type=int, default=4)
    ap.add_argument("--ranks-per-node", type=int, default=1)
    ap.add_argument("--oversubscribed", action="store_true", help="oversubscribed layouts under Slurm too")
    ap.add_argument("--launcher", choices=["auto", "mpirun", "srun"], default="auto")
    ap.add_argument("--simnodes", default=os.path.join(REPO, "tests", "nodes", "simnodes.sh"))
    ap.add_argument("--simnodes-opts", default="-mca osc pt2pt",
                    help="mpirun options for simnodes.sh (default '-mca osc pt2pt': over TCP between fake nodes "
                         "Open MPI's default one-sided component fails MPI_Win_allocate)")
    ap.add_argument("--wait-simnodes", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--quiet-wait", type=float, default=0,
                    help="before each run, wait up to this many seconds for a moment when other processes "
                         "keep less than --quiet-cpus CPUs busy (default 0: do not wait)")
    ap.add_argument("--quiet-cpus", type=float, default=0.3)
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args()
    if not (a.strong or a.weak or a.nodes):
        a.strong = a.weak = a.nodes = True
    if a.repeats < 1:
        ap.error("--repeats must be >= 1")
    tsweep = os.path.abspath(a.bin)
    if not os.access(tsweep, os.X_OK):
        ap.error("%s is not an executable tsweep binary" % a.bin)
    strong_streams = a.strong_streams or (16 if a.tiny else 256)
    weak_streams = a.weak_streams or (8 if a.tiny else 64)
    duration = a.duration or ("30min" if a.tiny else "36h")
    for n in (strong_streams, weak_streams):
        if n % 8:
            ap.error("streams must be multiples of 8 (beds of 8 streams)")
    windows = [w for w in a.windows.split(",") if w]

    slurm = slurm_cpus()
    kind = a.launcher if a.launcher != "auto" else ("srun" if slurm else "mpirun")
    if slurm:
        nodes_avail, cpus_per_node = slurm
    else:
        nodes_avail, cpus_per_node = 1, os.cpu_count() or 1
    cpus = cpus_per_node  # strong and weak run on one node; --nodes spans them
    launcher = Launcher(kind, cpus, a.simnodes, shlex.split(a.simnodes_opts))
    over_ok = not slurm or a.oversubscribed

    os.makedirs(a.work, exist_ok=True)
    work = os.path.abspath(a.work)
    sdir = os.path.join(work, "stores")
    odir = os.path.join(work, "out")
    ldir = os.path.join(work, "logs")
    for d in (sdir, odir, ldir):
        os.makedirs(d, exist_ok=True)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.pop("OMP_NUM_THREADS", None)  # --threads decides; a stray value would only be reported

    commands = []

    def note(key, cmd):
        if key not in [k for k, _ in commands]:
            commands.append((key, " ".join(shlex.quote(c) for c in cmd)))

    # --- stores ---------------------------------------------------------------
    def store_for(streams):
        name = "store-%dx%s%s-s%d.h5" % (streams, duration, "-b%d" % a.block_samples if a.block_samples else "",
                                         a.seed)
        return os.path.join(sdir, name)

    stores = {}

    def ensure_store(streams):
        path = store_for(streams)
        if path in stores:
            return stores[path]
        meta_path = path + ".gen.json"
        gen_ranks = max(1, min(cpus, 16))
        pre = launcher.srun(gen_ranks, 1) if kind == "srun" else launcher.mpirun(gen_ranks, 1)
        cmd = pre + [tsweep, "--threads", "1", "--log-level", "warn", "generate", path + ".partial.h5",
                     "--streams", str(streams), "--duration", duration, "--seed", str(a.seed), "--json"]
        if a.block_samples:
            cmd += ["--block-samples", str(a.block_samples)]
        note("generate", cmd)
        if a.dry_run:
            stores[path] = {"path": path, "streams": streams, "samples": 0, "bytes": 0}
            return stores[path]
        if not (os.path.exists(path) and os.path.exists(meta_path)):
            for p in (path, path + ".partial.h5"):
                if os.path.exists(p):
                    os.remove(p)
            log("generating %s (%d streams x %s) ..." % (os.path.basename(path), streams, duration))
            t0 = time.monotonic()
            p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if p.returncode != 0:
                sys.exit("scaling: generate failed (%d): %s" % (p.returncode, p.stderr[-2000:]))
            g = parse_summary(p.stdout) or {}
            g["wall_seconds"] = time.monotonic() - t0
            g["ranks"] = gen_ranks
            os.rename(path + ".partial.h5", path)
            with open(meta_path, "w") as f:
                json.dump(g, f)
        g = json.load(open(meta_path))
        stores[path] = {"path": path, "streams": streams, "samples": int(g.get("samples", 0)),
                        "bytes": os.path.getsize(path), "gen_seconds": g.get("wall_seconds"),
                        "gen_ranks": g.get("ranks")}
        return stores[path]

    # --- configurations ------------------------------------------------------
    configs = []  # dicts: experiment, config, window, ranks, threads, nodes, rpn, store, unit_samples, simulated

    def add(exp, window, ranks, threads, store, nodes=1, rpn=None, unit_samples=None, simulated=False, tag=""):
        over = ranks * threads > cpus * nodes if not simulated else ranks * threads > cpus
        name = "%s-%s%dx%d%s%s" % (window, "%dn-" % nodes if exp == "nodes" else "", ranks, threads, tag,
                                   "-over" if over else "")
        configs.append(dict(experiment=exp, config=name, window=window, ranks=ranks, threads=threads, nodes=nodes,
                            rpn=rpn or ranks // nodes, store=store, unit_samples=unit_samples, simulated=simulated,
                            oversubscribed=over))

    if a.strong:
        st = ensure_store(strong_streams)
        layouts = []
        for c in powers_to(cpus):
            layouts.append((c, 1))
            if c > 1:
                layouts.append((1, c))
        if over_ok:
            layouts += [(2 * cpus, 1), (cpus, 2)]
        for w in windows:
            for r, t in layouts:
                add("strong", w, r, t, st)
            add("strong", w, 1, 1, st, unit_samples=a.alt_unit_samples, tag="-u%dk" % (a.alt_unit_samples // 1000))
    if a.weak:
        plist = powers_to(cpus) + ([2 * cpus] if over_ok else [])
        for p in plist:
            ensure_store(weak_streams * p)
        for w in windows:
            for p in plist:
                add("weak", w, p, 1, ensure_store(weak_streams * p))
    nodes_note = None
    if a.nodes:
        st = ensure_store(strong_streams)
        if slurm and kind == "srun":
            rpn = a.ranks_per_node
            tpr = max(1, cpus_per_node // rpn)
            for n in powers_to(nodes_avail):
                add("nodes", windows[0], n * rpn, tpr, st, nodes=n, rpn=rpn)
        else:
            deadline = time.monotonic() + a.wait_simnodes
            while not os.path.exists(a.simnodes) and time.monotonic() < deadline:
                time.sleep(15)
            if os.path.exists(a.simnodes):
                for n in range(1, a.max_nodes + 1):
                    add("nodes", windows[0], n * a.ranks_per_node, 1, st, nodes=n, rpn=a.ranks_per_node,
                        simulated=True)
            else:
                nodes_note = "no %s: the across-node runs were skipped" % a.simnodes
                log(nodes_note)

    # --- one run ---------------------------------------------------------------
    def job_yaml(c):
        y = os.path.join(work, "job-%s.yaml" % c["window"])
        with open(y, "w") as f:
            f.write("# scaling.py: stats + quality over every stream of the store; defaults otherwise\n"
                    "store: %s\noutput: results.h5\nwindow: %s\nanalyses: [stats, quality]\n"
                    % (c["store"]["path"], c["window"]))
        return y

    def command(c, out):
        inner = [tsweep, "--threads", str(c["threads"])]
        if c["oversubscribed"]:
            inner.append("--oversubscribe")
        inner += ["--log-level", "warn", "run", job_yaml(c), "--set", "store=" + c["store"]["path"],
                  "--set", "output=" + out, "--force", "--json"]
        if c["unit_samples"]:
            inner += ["--set", "unit_samples=%d" % c["unit_samples"]]
        pre = launcher.prefix(c["ranks"], c["threads"], c["nodes"], c["rpn"], c["simulated"])
        return pre + inner

    writers = {}

    def writer(exp):
        if exp not in writers:
            f = open(os.path.join(work, exp + ".csv"), "w", newline="")
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            w.writeheader()
            writers[exp] = (f, w)
        return writers[exp][1]

    def run_one(rnd, c):
        out = os.path.join(odir, "results-%s.h5" % c["config"])
        cmd = command(c, out)
        note(("%s %s %s" % (c["experiment"], c["config"],
                            "(simulated nodes)" if c["simulated"] else "")).strip(), cmd)
        if a.dry_run:
            return
        for p in (out, out + ".partial"):
            if os.path.exists(p):
                os.remove(p)
        tq = time.monotonic()
        before = others_busy(0.5)
        while before > a.quiet_cpus and time.monotonic() - tq < a.quiet_wait:
            before = others_busy(0.5)
        waited = time.monotonic() - tq - 0.5
        load = os.getloadavg()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        b0, _ = cpu_busy()
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=a.timeout)
            rc, so, se = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, so, se = 124, e.stdout or "", e.stderr or ""
            so = so.decode() if isinstance(so, bytes) else so
            se = se.decode() if isinstance(se, bytes) else se
        wall = time.monotonic() - t0
        b1, _ = cpu_busy()
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        mine = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        during = max(0.0, ((b1 - b0) / os.sysconf("SC_CLK_TCK") - mine) / wall) if wall > 0 else 0.0
        s = parse_summary(so) or {}
        if rc != 0 or not s:
            lp = os.path.join(ldir, "%s-%s-r%d.log" % (c["experiment"], c["config"], rnd))
            with open(lp, "w") as f:
                f.write(" ".join(cmd) + "\n--- stdout\n" + so + "\n--- stderr\n" + se)
            log("%s %s round %d: exit %d (log: %s)" % (c["experiment"], c["config"], rnd, rc, lp))
        ph = s.get("phases", {})
        st = c["store"]
        row = dict(experiment=c["experiment"], config=c["config"], round=rnd, window=c["window"], ranks=c["ranks"],
                   threads=c["threads"], nodes=c["nodes"], ranks_per_node=c["rpn"], cores=c["ranks"] * c["threads"],
                   cpus=cpus * (c["nodes"] if not c["simulated"] else 1), oversubscribed=int(c["oversubscribed"]),
                   launcher="simnodes" if c["simulated"] else kind, unit_samples=c["unit_samples"] or "",
                   store=os.path.basename(st["path"]), store_streams=st["streams"], store_duration=duration,
                   store_samples=st["samples"], store_bytes=st["bytes"], samples=s.get("samples", ""),
                   seconds=s.get("seconds", ""), wall_seconds="%.4f" % wall,
                   units=s.get("units", ""), epochs=s.get("epochs", ""), rows=s.get("rows", ""),
                   blocks_read=s.get("blocks_read", ""), blocks_summarised=s.get("blocks_summarised", ""),
                   encoded_bytes=s.get("encoded_bytes", ""), imbalance=s.get("imbalance", ""),
                   load1=load[0], load5=load[1], load15=load[2], load1_after=os.getloadavg()[0],
                   others_cpus_before="%.2f" % before,
                   # simnodes' orteds are not waited for by mpirun's children here: their ranks' CPU time is
                   # not in RUSAGE_CHILDREN, so what others used during the run cannot be told apart
                   others_cpus_during="" if c["simulated"] else "%.2f" % during,
                   quiet_wait="%.1f" % max(0.0, waited), rc=rc,
                   utc=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for k in PHASES:
            v = ph.get(k + "_seconds", ph.get(k))
            row[k + "_seconds"] = v if v is not None else ""
        row["results_bytes"] = os.path.getsize(out) if os.path.exists(out) else ""
        w = writer(c["experiment"])
        w.writerow(row)
        writers[c["experiment"]][0].flush()
        for p in (out, out + ".partial"):
            if os.path.exists(p):
                os.remove(p)
        if s:
            log("r%d %-6s %-22s %8.3f s  %6.3f G samples/s per core  (wall %.2f s, others %.2f/%.2f CPUs, "
                "load %.2f)" % (rnd, c["experiment"], c["config"], s["seconds"],
                                s["samples"] / s["seconds"] / (c["ranks"] * c["threads"]) / 1e9, wall, before,
                                during, load[0]))

    # --- the rotation ------------------------------------------------------------
    meta = {"utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "host": platform.node(), "nproc": os.cpu_count(), "cpus_per_node": cpus_per_node,
            "nodes_in_allocation": nodes_avail, "slurm_job": os.environ.get("SLURM_JOB_ID"), "launcher": kind,
            "tsweep": tsweep, "repeats": a.repeats, "windows": windows, "duration": duration,
            "strong_streams": strong_streams, "weak_streams": weak_streams, "seed": a.seed,
            "block_samples": a.block_samples, "nodes_note": nodes_note,
            "load_before": open("/proc/loadavg").read().split()[:3]}
    for key, cmdline in (("lscpu", ["lscpu"]), ("version", [tsweep, "--version"]),
                         ("mpirun", ["mpirun", "--version"])):
        try:
            meta[key] = subprocess.run(cmdline, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            meta[key] = ""
    meta["stores"] = list(stores.values())
    if not a.dry_run:
        for stv in stores.values():  # into the page cache, so that no round reads from disk
            with open(stv["path"], "rb") as f:
                while f.read(1 << 24):
                    pass
    t_start = time.monotonic()
    for rnd in range(a.repeats):
        log("round %d of %d (%d runs)" % (rnd + 1, a.repeats, len(configs)))
        for c in configs:
            run_one(rnd, c)
    meta["rounds_seconds"] = time.monotonic() - t_start
    meta["load_after"] = open("/proc/loadavg").read().split()[:3]
    for f, _ in writers.values():
        f.close()
    for exp, flag in (("strong", a.strong), ("weak", a.weak), ("nodes", a.nodes)):
        path = os.path.join(work, exp + ".csv")
        if flag and exp not in writers and not a.dry_run:
            with open(path, "w", newline="") as f:  # header only: nothing ran (e.g. no simulated nodes)
                csv.DictWriter(f, fieldnames=COLUMNS).writeheader()
    with open(os.path.join(work, "commands.txt"), "w") as f:
        for key, line in commands:
            f.write("# %s\n%s\n" % (key, line))
    if a.dry_run:
        for key, line in commands:
            print(line)
        return
    with open(os.path.join(work, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log("done: %d rounds in %.0f s; CSVs in %s" % (a.repeats, meta["rounds_seconds"], work))


if __name__ == "__main__":
    main()
