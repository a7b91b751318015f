#!/usr/bin/python3
"""tsweep's fault suite: the trials a demanding user runs, repeated and counted.

  /usr/bin/python3 tests/faults/fault_suite.py [--tsweep BIN] [--scale S] [--only SECTION,...]

Sections (each prints its counts; the suite exits 1 if any trial fails):
  kill9     SIGKILL of a 2-rank `run` at random moments, then --resume: the
            result equals an uninterrupted run (outside /provenance)
  signals   SIGUSR1/SIGTERM/SIGINT to mpirun and to a single rank: exit 75,
            no abort text, and --resume completes to the same result
  flips     random and aimed byte flips in block bytes and in every table of a
            store: `verify` exits non-zero naming the damage, and `run` never
            exits 0 with nothing flagged unless it read nothing damaged (a
            block taken from its summary): then its rows equal the undamaged
            store's, and `summaries: false` flags the block
  badinput  bad configs, stores, outputs, command lines and input files at 1
            and 2 ranks: the documented exit code, one error line, no hang,
            nothing that looks like a finished result
  writer    a live SWMR writer killed at random moments: `tsweep recover`
            keeps every committed block, `verify` passes, a new writer appends

Every command runs under a time limit; a limit hit counts as a failure (a
hang). Needs Debian's python3-h5py and numpy (run it with /usr/bin/python3).
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
COMPARE = os.path.join(SOURCE, "tests", "run", "compare_results.py")


def session_pids(sid):
    """Every process of session `sid`: Open MPI puts each rank in a process
    group of its own, so a signal to mpiexec's group alone leaves the ranks."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    pids.append(int(entry))
            except (ProcessLookupError, PermissionError):
                pass
    return pids


def kill_group(proc):
    """SIGKILL to the process and everything it started (its session), if any is
    left; returns once none of them runs (zombies aside), or after 10 s."""
    for pid in session_pids(proc.pid) + [proc.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = []
        for pid in session_pids(proc.pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                        left.append(pid)
            except (FileNotFoundError, IndexError):
                pass
        if not left:
            return
        time.sleep(0.01)  # polling for the kernel to finish the kills


class Suite:
    def __init__(self, args):
        self.tsweep = os.path.abspath(args.tsweep)
        self.mpiexec = os.environ.get("TSWEEP_MPIEXEC", "mpiexec --allow-run-as-root --oversubscribe").split()
        self.data = os.environ.get("TSWEEP_SHARED_DATA", os.path.join(SOURCE, "..", "shared", "data"))
        self.scale = args.scale
        self.work = tempfile.mkdtemp(prefix="tsweep-faults.")
        self.rng = random.Random(args.seed)
        self.counts = {}  # section -> {"trials": n, "passed": n, ...}
        self.failures = []
        self.verbose = args.verbose

    # --- bookkeeping -------------------------------------------------------
    def count(self, section, key, n=1):
        self.counts.setdefault(section, {}).setdefault(key, 0)
        self.counts[section][key] += n

    def check(self, section, ok, what):
        self.count(section, "checks")
        if ok:
            self.count(section, "passed")
            if self.verbose:
                print(f"ok: {section}: {what}")
        else:
            self.failures.append(f"{section}: {what}")
            print(f"FAIL: {section}: {what}", file=sys.stderr)
        return ok

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    # --- running -----------------------------------------------------------
    def cmd(self, args, ranks=None):
        base = [self.tsweep] + [str(a) for a in args]
        return (self.mpiexec + ["-np", str(ranks)] + base) if ranks else base

    def run(self, args, ranks=None, limit=60, env=None, cwd=None):
        """Runs tsweep; returns (rc, stdout, stderr); rc None means it hit the limit."""
        full_env = dict(os.environ, **(env or {}))
        try:
            p = subprocess.run(self.cmd(args, ranks), capture_output=True, text=True, timeout=limit, env=full_env,
                               cwd=cwd or self.work)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            return None, e.stdout or "", e.stderr or ""

    def start(self, args, ranks=None, env=None):
        full_env = dict(os.environ, **(env or {}))
        return subprocess.Popen(self.cmd(args, ranks), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=full_env, cwd=self.work, start_new_session=True)

    def same_results(self, a, b):
        p = subprocess.run(["/usr/bin/python3", COMPARE, a, b], capture_output=True, text=True, timeout=120)
        return p.returncode == 0

    def job(self, name, store, output, **keys):
        lines = [f"store: {store}", f"output: {output}"]
        keys.setdefault("window", "10s")
        for k, v in keys.items():
            lines.append(f"{k}: {v}")
        path = self.path(name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def generate(self, name, *extra):
        store = self.path(name)
        if not os.path.exists(store):
            rc, _, err = self.run(["generate", store] + list(extra), ranks=2, limit=300)
            if rc != 0:
                raise SystemExit(f"cannot generate {name}: {err}")
        return store

    # --- sections ------------------------------------------------------------
    def kill9(self):
        """SIGKILL of every process of a 2-rank run at a random moment, then --resume."""
        s = "kill9"
        store = self.generate("k9.h5", "--streams", "24", "--duration", "3h", "--block-samples", "4096",
                              "--corrupt", "2", "--seed", "11")
        cfg = self.job("k9.yaml", store, self.path("k9-ref.h5"), unit_samples=20000, checkpoint_interval="30ms")
        t0 = time.monotonic()
        rc, _, err = self.run(["run", cfg], ranks=2, limit=600)
        full = time.monotonic() - t0
        if not self.check(s, rc == 0, f"reference run exit {rc}: {err.strip()[-300:]}"):
            return
        trials = 5 * self.scale
        for t in range(trials):
            out = self.path(f"k9-{t}.h5")
            for p in (out, out + ".partial", out + ".creating"):
                if os.path.exists(p):
                    os.remove(p)
            env, marker = None, None
            if t % 2 == 0:  # at a named moment, held there (TSWEEP_TEST_HOLD), on one rank or both
                point = self.rng.choice(["results.create", "results.write", "results.commit", "epoch.committed",
                                         "job.unit"])
                nth = 1 if point == "results.create" else self.rng.randint(1, 3 if point != "job.unit" else 60)
                where = self.rng.choice(["@0", "@1", ""])
                marker = self.path(f"k9-{t}.hold")
                env = {"TSWEEP_TEST_HOLD": f"{point}:{nth}{where}", "TSWEEP_TEST_HOLD_MARKER": marker,
                       "TSWEEP_TEST_HOLD_TIMEOUT": "120"}
                moment = f"held at {point}:{nth}{where}"
            proc = self.start(["run", cfg, "--set", f"output={out}"], ranks=2, env=env)
            if marker:
                first = marker + (".1" if where == "@1" else ".0")
                deadline = time.monotonic() + 120
                while not os.path.exists(first) and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)  # waiting for the held rank's marker
            else:
                delay = self.rng.uniform(0.05, max(0.2, 0.95 * full))
                time.sleep(delay)  # the random moment is what is under test
                moment = f"after {delay:.2f}s"
            alive = proc.poll() is None
            kill_group(proc)
            proc.wait()
            self.count(s, "trials")
            self.count(s, "killed while running" if alive else "finished before the kill")
            if marker:
                self.check(s, alive, f"trial {t}: killed while {moment}")
            state = "finished" if os.path.exists(out) else ("partial" if os.path.exists(out + ".partial") else "none")
            self.count(s, f"left {state}")
            np_ = 1 + t % 2
            rc, _, err = self.run(["run", cfg, "--set", f"output={out}", "--resume"], ranks=np_, limit=600)
            if self.check(s, rc == 0, f"trial {t}: resume at {np_} ranks, killed {moment} ({state}) exit {rc} "
                                      f"{err.strip()[-300:]}"):
                self.check(s, self.same_results(self.path("k9-ref.h5"), out),
                           f"trial {t}: resumed result identical to the uninterrupted run")

    def signals(self):
        """Stop signals at a held moment (TSWEEP_TEST_HOLD): to mpirun, to the ranks, to a lone rank."""
        s = "signals"
        store = self.generate("k9.h5", "--streams", "24", "--duration", "3h", "--block-samples", "4096",
                              "--corrupt", "2", "--seed", "11")
        ref = self.path("k9-ref.h5")
        cfg = self.job("sig.yaml", store, ref, unit_samples=20000, checkpoint_interval="30ms")
        if not os.path.exists(ref):
            rc, _, err = self.run(["run", cfg], ranks=2, limit=600)
            if not self.check(s, rc == 0, f"reference run exit {rc}: {err.strip()[-300:]}"):
                return
        version = subprocess.run(self.mpiexec + ["--version"], capture_output=True, text=True)
        open_mpi = any(name in version.stdout + version.stderr for name in ("Open MPI", "OpenRTE"))
        names = {signal.SIGUSR1: "SIGUSR1", signal.SIGTERM: "SIGTERM", signal.SIGINT: "SIGINT"}
        launches = [("mpirun", 2), ("ranks", 2), ("ranks", 1), ("singleton", 1)]
        for t in range(5 * self.scale):
            sig = [signal.SIGUSR1, signal.SIGTERM, signal.SIGINT][t % 3]
            target, np_ = launches[(t // 3) % len(launches)]
            point = self.rng.choice(["job.unit", "epoch.committed"])
            nth = self.rng.randint(1, 40 if point == "job.unit" else 3)  # well before the last epoch
            out = self.path(f"sig-{t}.h5")
            for p in (out, out + ".partial", out + ".creating"):
                if os.path.exists(p):
                    os.remove(p)
            marker = self.path(f"sig-{t}.hold")
            env = {"TSWEEP_TEST_HOLD": f"{point}:{nth}@0", "TSWEEP_TEST_HOLD_MARKER": marker,
                   "TSWEEP_TEST_HOLD_TIMEOUT": "120"}
            proc = self.start(["run", cfg, "--set", f"output={out}"], ranks=None if target == "singleton" else np_,
                              env=env)
            deadline = time.monotonic() + 120
            while not os.path.exists(marker + ".0") and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)  # waiting for the held rank's marker: a condition, not a guess
            self.count(s, "trials")
            if not self.check(s, os.path.exists(marker + ".0"), f"trial {t}: reached hold point {point}:{nth}"):
                kill_group(proc)
                proc.wait()
                continue
            if target == "ranks":
                os.kill(int(open(marker + ".0").read().split()[0]), sig)
                if np_ == 2:  # the other rank as srun/scancel would signal it
                    for pid in subprocess.run(["pgrep", "-f", f"output={out}"], capture_output=True,
                                              text=True).stdout.split():
                        if int(pid) != proc.pid:
                            try:
                                os.kill(int(pid), sig)
                            except ProcessLookupError:
                                pass
            else:
                proc.send_signal(sig)
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                kill_group(proc)
                _, err = proc.communicate()
                self.check(s, False, f"trial {t}: still running 60 s after {names[sig]}")
                continue
            want = 1 if (target == "mpirun" and sig != signal.SIGUSR1 and open_mpi) else 75
            self.count(s, f"{names[sig]} to {target} at {np_}")
            self.check(s, proc.returncode == want, f"trial {t}: {names[sig]} to {target} at {np_} rank(s) held at "
                                                   f"{point}:{nth}: exit {proc.returncode} (want {want}) {err[-300:]}")
            self.check(s, "--resume" in err and "MPI_ABORT" not in err and "aborting" not in err
                       and "error:" not in err, f"trial {t}: one resume hint, no abort or error text: {err[-300:]}")
            rc, _, e = self.run(["run", cfg, "--set", f"output={out}", "--resume"], ranks=1 + t % 2, limit=600)
            if self.check(s, rc == 0, f"trial {t}: resume exit {rc} {e.strip()[-300:]}"):
                self.check(s, self.same_results(ref, out), f"trial {t}: resumed result identical")

    def flips(self):
        """Byte flips in block bytes (random) and in every table (aimed and random)."""
        s = "flips"
        sys.path.insert(0, os.path.join(SOURCE, "tests", "store"))
        import flip_row  # noqa: E402  (tests/store/flip_row.py)

        clean = self.generate("flip-clean.h5", "--streams", "8", "--duration", "6min", "--block-samples", "4096",
                              "--corrupt", "0", "--seed", "21")
        store = self.path("flip.h5")
        cfg = self.job("flip.yaml", store, self.path("flip-out.h5"), window="30s")
        # The undamaged store's results: a window that covers a damaged block
        # whole takes the block's checksummed summary and never reads its bytes,
        # so such a run must give exactly these rows.
        shutil.copy(clean, store)
        reference = self.path("flip-reference.h5")
        rc, _, e = self.run(["run", cfg, "--force", "--set", f"output={reference}"], ranks=2, limit=120)
        self.check(s, rc == 0, f"undamaged store: run exit {rc} {e.strip()[-300:]}")

        def judge(label, expect_run_refusal_or_flag=True):
            rc, o, e = self.run(["verify", store, "--json"], ranks=2, limit=60)
            self.check(s, rc in (1, 2), f"{label}: verify exit {rc} (want 1, or 2 for an unreadable store) {e.strip()}")
            if not expect_run_refusal_or_flag:
                return
            rc, o, e = self.run(["run", cfg, "--force", "--json"], ranks=2, limit=120)
            if rc == 2:
                self.count(s, "run refused")
                self.check(s, len([l for l in e.splitlines() if "error" in l]) == 1, f"{label}: one error line")
            elif rc == 0:
                flagged = json.loads(o)["corrupt_blocks"] > 0
                if flagged:
                    self.count(s, "run flagged")
                    return
                # Nothing read was damaged: the rows are those of the undamaged store,
                # and decoding every block (summaries: false) notices the damage.
                self.count(s, "run correct from summaries")
                self.check(s, self.same_results(reference, self.path("flip-out.h5")),
                           f"{label}: run exit 0, nothing flagged, and rows differ from the undamaged store's")
                rc, o, e = self.run(["run", cfg, "--force", "--json", "--set", "summaries=false"], ranks=2, limit=120)
                self.check(s, rc == 2 or (rc == 0 and json.loads(o)["corrupt_blocks"] > 0),
                           f"{label}: with summaries: false, run exit {rc} with nothing flagged")
            else:
                self.check(s, False, f"{label}: run exit {rc}: {e.strip()[-300:]}")

        with h5py.File(clean, "r") as f:
            index = f["blocks/index"][()]
        for t in range(10 * self.scale):
            shutil.copy(clean, store)
            row = index[self.rng.randrange(len(index))]
            at = int(row["offset"]) + self.rng.randrange(int(row["length"]))
            with h5py.File(store, "r+") as f:
                ds = f["blocks/data"]
                ds[at] = ds[at] ^ (1 << self.rng.randrange(8))
            self.count(s, "block byte flips")
            judge(f"block byte {at}")
        aimed = [("streams", 1, "sample_count"), ("streams", 2, "first_ns"), ("streams", 3, "last_ns"),
                 ("streams", 4, "block_count"), ("streams", 5, "last_run"), ("streams", 6, "rate_nhz"),
                 ("streams", 0, "name"), ("blocks/runs", 0, "first_ns"), ("blocks/runs", 1, "last_ns"),
                 ("blocks/runs", 2, "index_begin"), ("blocks/runs", 3, "block_count"), ("blocks/runs", 4, "prev_run"),
                 ("blocks/index", 5, "checksum"), ("blocks/index", 6, "length"), ("blocks/index", 7, "offset"),
                 ("blocks/index", 8, "count"), ("blocks/index", 9, "first_ns"), ("blocks/index", 10, "stream"),
                 ("stream_attrs", 0, "key"), ("stream_attrs", 1, "value")]
        for table, row, field in aimed:
            shutil.copy(clean, store)
            flip_row.flip(store, table, row, field, 0, 0x10)
            self.count(s, "aimed table flips")
            # A run never reads attribute rows (they do not shape results); verify and inspect do.
            judge(f"/{table} row {row} {field}", expect_run_refusal_or_flag=table != "stream_attrs")
        for t in range(10 * self.scale):
            shutil.copy(clean, store)
            rng = random.Random(self.rng.randrange(1 << 30))
            with h5py.File(store, "r") as f:
                table = rng.choice(flip_row.TABLES + ["stream_attrs"])
                rows, size = f[table].shape[0], f[table].id.get_type().get_size()
            done = flip_row.flip(store, table, rng.randrange(rows), offset=rng.randrange(size),
                                 mask=1 << rng.randrange(8))
            self.count(s, "random table flips")
            judge(f"random {done}", expect_run_refusal_or_flag=table != "stream_attrs")

    def badinput(self):
        """Bad input of many kinds: documented exit code, one error line, no hang, no result."""
        s = "badinput"
        store = self.generate("bad-store.h5", "--streams", "4", "--duration", "20min", "--seed", "5")
        day = self.path("bad-day.h5")
        if not os.path.exists(day):
            self.run(["generate", day, "--streams", "1", "--duration", "24h", "--seed", "6"], limit=120)
        os.makedirs(self.path("bad-out"), exist_ok=True)
        out = self.path("bad-out", "results.h5")
        good = self.job("bad-good.yaml", store, out, window="1min")

        def write(name, text, mode="w"):
            p = self.path(name)
            with open(p, mode) as f:
                f.write(text)
            return p

        write("bad-foreign.h5", "not hdf5 at all\n")
        write("bad-empty.h5", "")
        with h5py.File(self.path("bad-plain.h5"), "w") as f:
            f["x"] = [1, 2, 3]
        shutil.copy(store, self.path("bad-truncated.h5"))
        with open(self.path("bad-truncated.h5"), "r+b") as f:
            f.truncate(os.path.getsize(store) // 3)
        shutil.copy(store, self.path("bad-superblock.h5"))
        with open(self.path("bad-superblock.h5"), "r+b") as f:
            f.seek(37)
            b = f.read(1)
            f.seek(37)
            f.write(bytes([b[0] ^ 0xFF]))
        os.makedirs(self.path("bad-dir.yaml"), exist_ok=True)
        write("bad-notyaml.yaml", "store: [unclosed\n")
        write("bad-list.yaml", "- just\n- a list\n")
        write("bad-short.edf", "0       short")
        write("bad-garbage.mseed", "000001D " + "x" * 100)
        write("bad-garbage.csv", "time,value\nnot-a-time,1\n")
        write("bad-good.csv", "time,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:00:01Z,2\n")
        write("bad-unknown.xyz", "what is this\n")
        write("bad-annot.atr", "\x01")
        shutil.copy(os.path.join(self.data, "wfdb", "100_3chan.hea"), self.path("bad-rec.hea")) \
            if os.path.exists(os.path.join(self.data, "wfdb", "100_3chan.hea")) else None
        with open(self.path("bad-results.h5.partial"), "w"):
            pass

        run_cases = [  # (name, expected rc, needle, args)
            ("missing config", 2, "nope.yaml", ["run", self.path("nope.yaml")]),
            ("config is a directory", 2, "bad-dir.yaml", ["run", self.path("bad-dir.yaml")]),
            ("config not YAML", 2, "not valid YAML", ["run", self.path("bad-notyaml.yaml")]),
            ("config not a map", 2, "expected a map", ["run", self.path("bad-list.yaml")]),
            ("unknown key", 2, "windwo", ["run", good, "--set", "windwo=1s"]),
            ("bad window", 2, "window", ["run", good, "--set", "window=ten"]),
            ("zero window", 2, "window", ["run", good, "--set", "window=0s"]),
            ("window without unit", 2, "window", ["run", good, "--set", "window=5"]),
            ("negative threads", 2, "threads", ["run", good, "--set", "threads=-3"]),
            ("unknown analysis", 2, "analyses", ["run", good, "--set", "analyses=[stats, fft]"]),
            ("bad assignment", 2, "assignment", ["run", good, "--set", "assignment=random"]),
            ("bad on_corrupt", 2, "on_corrupt", ["run", good, "--set", "on_corrupt=ignore"]),
            ("bad unit_samples", 2, "unit_samples", ["run", good, "--set", "unit_samples=0"]),
            ("bad max_rows", 2, "max_rows", ["run", good, "--set", "max_rows=-1"]),
            ("time range reversed", 2, "time_range", ["run", good, "--set", "time_range.start=2030-01-01T00:00:00Z",
                                                      "--set", "time_range.end=2020-01-01T00:00:00Z"]),
            ("bad time", 2, "time_range", ["run", good, "--set", "time_range.start=yesterday"]),
            ("time range outside data", 2, "time_range", ["run", good, "--set", "time_range.start=2030-01-01T00:00:00Z"]),
            ("bad override syntax", 2, "", ["run", good, "--set", "window"]),
            ("missing store key", 2, "store", ["run", write("bad-nostore.yaml", f"output: {out}\nwindow: 1min\n")]),
            ("missing store", 2, "missing.h5", ["run", good, "--set", f"store={self.path('missing.h5')}"]),
            ("foreign store", 2, "bad-foreign.h5", ["run", good, "--set", f"store={self.path('bad-foreign.h5')}"]),
            ("empty store", 2, "bad-empty.h5", ["run", good, "--set", f"store={self.path('bad-empty.h5')}"]),
            ("plain HDF5 store", 2, "bad-plain.h5", ["run", good, "--set", f"store={self.path('bad-plain.h5')}"]),
            ("truncated store", 2, "bad-truncated.h5", ["run", good, "--set", f"store={self.path('bad-truncated.h5')}"]),
            ("damaged superblock", 2, "bad-superblock.h5",
             ["run", good, "--set", f"store={self.path('bad-superblock.h5')}"]),
            ("store is a directory", 2, "directory", ["run", good, "--set", f"store={self.work}"]),
            ("unknown pattern", 2, "matches no stream", ["run", good, "--set", "streams=[nothing*]"]),
            ("bad regex", 2, "regex '('", ["run", good, "--set", "streams_regex=[\"(\"]"]),
            ("unwritable output", 2, "no/such", ["run", good, "--set", f"output={self.path('no', 'such', 'r.h5')}"]),
            ("output is the store", 2, "is the run's store", ["run", good, "--set", f"output={store}", "--force"]),
            ("force over a foreign file", 2, "not a tsweep results file",
             ["run", good, "--set", f"output={self.path('bad-plain.h5')}", "--force"]),
            ("resume an empty partial", 2, "bad-results.h5.partial",
             ["run", good, "--set", f"output={self.path('bad-results.h5')}", "--resume"]),
            ("resume and force", 2, "", ["run", good, "--resume", "--force"]),
            ("window too small", 2, "max_rows", ["run", good, "--set", "window=1us"]),
            ("results too big for the disk", 2, "the results need about",
             ["run", good, "--set", f"store={day}", "--set", "window=1us", "--set", "max_rows=100000000000000"]),
            ("unknown subcommand", 2, "", ["frobnicate"]),
            ("unknown flag", 2, "", ["run", good, "--frobnicate"]),
            ("zero threads", 2, "", ["--threads", "0", "run", good]),
            ("no subcommand", 2, "subcommand", []),
            ("inspect missing store", 2, "missing.h5", ["inspect", self.path("missing.h5")]),
            ("inspect foreign file", 2, "bad-foreign.h5", ["inspect", self.path("bad-foreign.h5")]),
            ("inspect damaged superblock", 2, "bad-superblock.h5", ["inspect", self.path("bad-superblock.h5")]),
            ("verify truncated store", 2, "bad-truncated.h5", ["verify", self.path("bad-truncated.h5")]),
            ("verify plain HDF5", 2, "bad-plain.h5", ["verify", self.path("bad-plain.h5")]),
            ("recover foreign file", 2, "bad-foreign.h5", ["recover", self.path("bad-foreign.h5")]),
            ("generate bad duration", 2, "", ["generate", self.path("g1.h5"), "--streams", "2", "--duration", "soon"]),
            ("generate existing store", 2, "", ["generate", store, "--streams", "2", "--duration", "1min"]),
            ("ingest missing file", 2, "nothing.edf", ["ingest", self.path("i1.h5"), self.path("nothing.edf")]),
            ("ingest unknown format", 2, "bad-unknown.xyz", ["ingest", self.path("i2.h5"), self.path("bad-unknown.xyz")]),
            ("ingest short EDF", 2, "bad-short.edf", ["ingest", self.path("i3.h5"), self.path("bad-short.edf")]),
            ("ingest garbage miniSEED", 2, "bad-garbage.mseed",
             ["ingest", self.path("i4.h5"), self.path("bad-garbage.mseed")]),
            ("ingest bad CSV", 2, "bad-garbage.csv", ["ingest", self.path("i5.h5"), self.path("bad-garbage.csv")]),
            ("ingest into a foreign file", 2, "bad-foreign.h5",
             ["ingest", self.path("bad-foreign.h5"), self.path("bad-good.csv")]),
        ]
        rec = os.path.join(self.data, "wfdb", "100_3chan.hea")
        if os.path.exists(rec):
            twice = self.path("bad-twice.h5")
            if not os.path.exists(twice):
                self.run(["ingest", twice, rec], limit=60)
            run_cases.append(("ingest the same record twice", 2, "ingested twice", ["ingest", twice, rec]))
        # Only single-process commands at 2 ranks where they make sense (ingest/generate refuse nothing there).
        for name, want, needle, args in run_cases:
            for ranks in (1, 2):
                if args[:1] in (["ingest"], ["recover"]) and ranks == 2:
                    continue
                for p in (out, out + ".partial", out + ".creating"):
                    if os.path.exists(p):
                        os.remove(p)
                rc, _, err = self.run(args, ranks=ranks, limit=60)
                self.count(s, "cases")
                label = f"{name} at {ranks} rank(s)"
                errors = [l for l in err.splitlines() if "error" in l]
                ok = rc == want and (needle in err) and len(errors) == 1 and not os.path.exists(out)
                self.check(s, ok, f"{label}: exit {rc} (want {want}), {len(errors)} error line(s), "
                                  f"needle {needle!r} {'found' if needle in err else 'missing'}: {err.strip()[-300:]}")
        self.counts[s]["kinds"] = len(run_cases)

    def writer(self):
        """A live SWMR writer killed at random moments; recover, verify, append."""
        s = "writer"
        rec = os.path.join(self.data, "wfdb", "100_3chan.hea")
        trials = 5 * self.scale
        for t in range(trials):
            store = self.path(f"w{t}.h5")
            proc = self.start(["generate", store, "--swmr", "--streams", "4", "--duration", "48h", "--block-samples",
                               "2000", "--commit-blocks", "2", "--pace", "10ms", "--corrupt", "0"])
            seen = 0
            want = self.rng.randint(4, 60)
            deadline = time.monotonic() + 30
            while seen < want and time.monotonic() < deadline and proc.poll() is None:
                rc, o, _ = self.run(["inspect", store, "--json"], limit=20)
                if rc == 0:
                    seen = json.loads(o)["blocks"]
                time.sleep(0.02)
            time.sleep(self.rng.uniform(0, 0.05))
            alive = proc.poll() is None
            kill_group(proc)
            proc.wait()
            self.count(s, "trials")
            self.check(s, alive, f"trial {t}: writer alive when killed")
            size = os.path.getsize(store)
            rc, o, e = self.run(["recover", store], limit=60)
            self.check(s, rc == 0 and "recovered" in o, f"trial {t}: recover exit {rc}: {e.strip()}")
            self.check(s, os.path.getsize(store) >= size, f"trial {t}: file kept whole")
            rc, o, e = self.run(["verify", store, "--json"], limit=60)
            blocks = json.loads(o)["blocks"] if rc == 0 else -1
            self.check(s, rc == 0 and blocks >= seen, f"trial {t}: verify exit {rc}, {blocks} blocks >= {seen} seen")
            if os.path.exists(rec):
                rc, _, e = self.run(["ingest", store, rec], limit=60)
                self.check(s, rc == 0, f"trial {t}: a new writer appends: exit {rc} {e.strip()}")
                rc, o, e = self.run(["verify", store, "--json"], ranks=2, limit=60)
                self.check(s, rc == 0 and json.loads(o)["blocks"] == blocks + 3, f"trial {t}: verify after append")

    # --- driver --------------------------------------------------------------
    def report(self, seconds):
        print(f"\nfault suite: {seconds:.0f} s, scale {self.scale}")
        for section, c in self.counts.items():
            items = ", ".join(f"{k} {v}" for k, v in c.items())
            print(f"  {section:9s} {items}")
        print(f"  failures  {len(self.failures)}")


SECTIONS = ["kill9", "signals", "flips", "badinput", "writer"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tsweep", default=os.environ.get("TSWEEP", os.path.join(SOURCE, "build-ci", "bin", "tsweep")))
    ap.add_argument("--scale", type=int, default=4, help="trial counts scale (4: the full suite)")
    ap.add_argument("--only", default=",".join(SECTIONS))
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    suite = Suite(args)
    t0 = time.monotonic()
    try:
        for name in args.only.split(","):
            if hasattr(suite, name):
                getattr(suite, name)()
    finally:
        suite.report(time.monotonic() - t0)
        if not args.keep:
            shutil.rmtree(suite.work, ignore_errors=True)
    sys.exit(1 if suite.failures else 0)


if __name__ == "__main__":
    main()
