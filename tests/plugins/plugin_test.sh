#!/usr/bin/env bash
# Analysis plugins end to end: `cmake --install` of this build, the example
# plugin (examples/analysis-plugin) built out of tree against the installed
# package, and the installed tsweep running it at ranks {1,2} x threads {1,2}:
# the four results are identical outside /provenance and the plugin's fields
# equal NumPy's on streams whose every sample is known. Then broken plugins
# (wrong ABI, no registration, a reduce() that throws, a name taken by a
# built-in, a missing file, a load failing on one rank only): every rank exits
# 2 within seconds, with one `tsweep: error:` line, and no results file.
#
# Environment: TSWEEP, TSWEEP_MPIEXEC, PYTHON (lib.sh), TSWEEP_BUILD_DIR (the
# build tree to install), TSWEEP_TEST_PLUGINS_DIR (where this build put
# libwrong_abi.so, libno_register.so, libthrows.so and libduplicate.so), and
# Kokkos_ROOT when Kokkos is not where tsweep's package config finds it.
source "$(dirname "$0")/../e2e/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${TSWEEP_BUILD_DIR:?TSWEEP_BUILD_DIR (the tsweep build tree to install) is not set}
test_plugins=${TSWEEP_TEST_PLUGINS_DIR:?TSWEEP_TEST_PLUGINS_DIR (folder of libwrong_abi.so, libthrows.so, ...) is not set}

# stop MESSAGE: a step the rest depends on failed; report everything so far and exit 1.
stop() {
  fail "$*"
  finish
  exit 1
}
# one_error_line NAME: exactly one error line on stderr.
one_error_line() {
  local n
  n=$(grep -c 'error: ' "$WORK/$1.err" || true)
  [ "$n" -eq 1 ] && pass "$1: one error line" || fail "$1: $n error lines, expected 1; stderr: $ERR"
}
# timed NAME CMD...: `run NAME 60 CMD...`, with the wall time in ms in ELAPSED_MS.
timed() {
  local name=$1 t0
  shift
  t0=$(date +%s%N)
  run "$name" 60 "$@"
  ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
}
# refused NAME OUTPUT NEEDLE...: the run exited 2 within 30 s on every rank, with
# one error line holding every NEEDLE, no MPI abort, and no file at OUTPUT.
refused() {
  local name=$1 output=$2 needle
  shift 2
  expect_rc "$name" 2
  one_error_line "$name"
  for needle in "$@"; do expect_in "$name" "$ERR" "$needle"; done
  expect_not_in "$name" "$ERR" "MPI_ABORT"
  [ "$ELAPSED_MS" -lt 30000 ] && pass "$name: every rank out in ${ELAPSED_MS} ms" ||
    fail "$name: took ${ELAPSED_MS} ms (limit 30 s): a rank waited for another"
  [ ! -e "$output" ] && pass "$name: no results file" || fail "$name: $output exists after a failed run"
}

for lib in wrong_abi no_register throws duplicate; do
  [ -f "$test_plugins/lib$lib.so" ] || stop "$test_plugins/lib$lib.so is missing: build the tests/plugins targets first"
done

# --- Install, and build the example against the installed package -----------
run install 300 cmake --install "$build" --prefix "$WORK/prefix"
expect_rc install 0
tsweep="$WORK/prefix/bin/tsweep"
[ -x "$tsweep" ] || stop "install: no $tsweep"
[ -f "$WORK/prefix/lib/cmake/tsweep/tsweepAnalysis.cmake" ] || [ -f "$WORK/prefix/lib64/cmake/tsweep/tsweepAnalysis.cmake" ] ||
  stop "install: no lib/cmake/tsweep/tsweepAnalysis.cmake (tsweep_add_analysis)"
[ -f "$WORK/prefix/include/tsweep/analysis/analysis.hpp" ] || stop "install: no include/tsweep/analysis/analysis.hpp"
run installed_version 30 "$tsweep" --version
[ "$RC" -eq 0 ] || stop "the installed $tsweep does not run (exit $RC): $ERR"
pass "installed tsweep runs"

run plugin_configure 300 cmake -S "$src/examples/analysis-plugin" -B "$WORK/plugin-build" \
  -DCMAKE_PREFIX_PATH="$WORK/prefix" -DKokkos_ROOT="${Kokkos_ROOT:-}" -DCMAKE_BUILD_TYPE=Release
[ "$RC" -eq 0 ] || stop "configuring examples/analysis-plugin against $WORK/prefix failed: $(tail -20 "$WORK/plugin_configure.err")"
run plugin_build 300 cmake --build "$WORK/plugin-build"
[ "$RC" -eq 0 ] || stop "building examples/analysis-plugin failed: $(tail -20 "$WORK/plugin_build.out") $ERR"
plugin="$WORK/plugin-build/libline_length.so"
[ -f "$plugin" ] || stop "the example build made no $plugin: $(ls "$WORK/plugin-build")"
exported=$(nm -D --defined-only "$plugin" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
[ "$exported" = "tsweep_analysis_abi tsweep_analysis_register " ] &&
  pass "the plugin exports exactly the two entry points" || fail "the plugin exports functions: $exported"

# --- Data: a demo store, extended with dense streams whose samples we know ---
run gen 120 $TSWEEP_MPIEXEC -np 2 "$tsweep" generate "$WORK/store.h5" --streams 8 --duration 10min \
  --start 2024-03-01T00:00:00Z --block-samples 8192 --seed 21
[ "$RC" -eq 0 ] || stop "generate: exit $RC: $ERR"
cat > "$WORK/make_dense.py" <<'PY'
# Three float64 signals, 250 Hz x 10 min: sines plus noise, one with NaNs
# (a run in window 2, all but one sample of window 5, all of window 7).
import sys
import h5py
import numpy as np
rate, n = 250, 250 * 600
t = np.arange(n) / rate
rng = np.random.default_rng(5)
a = 1.5 * np.sin(2 * np.pi * 1.1 * t) + 0.1 * rng.standard_normal(n)
b = 0.4 * np.sin(2 * np.pi * 7.0 * t + 0.3) + 0.8 * np.sin(2 * np.pi * 0.2 * t) + 0.05 * rng.standard_normal(n)
c = 3.0 * np.sin(2 * np.pi * 17.5 * t) + rng.standard_normal(n)
w = 60 * rate
c[2 * w + 100:2 * w + 900] = np.nan
c[5 * w:6 * w] = np.nan
c[5 * w + 4321] = 0.25
c[7 * w:8 * w] = np.nan
with h5py.File(sys.argv[1], "w") as f:
    for name, x in (("a", a), ("b", b), ("c", c)):
        f.create_dataset("signals/" + name, data=x.astype(np.float64))
PY
"$PYTHON" "$WORK/make_dense.py" "$WORK/dense_arrays.h5" || stop "could not write the dense arrays with $PYTHON (h5py, numpy)"
run ingest 120 "$tsweep" ingest "$WORK/store.h5" "$WORK/dense_arrays.h5" --dataset '/signals/*' --rate 250 \
  --start 2024-03-01T00:00:00Z --prefix dense
[ "$RC" -eq 0 ] || stop "ingest of the dense arrays: exit $RC: $ERR"

# The job lives in its own folder and names the store and the plugin relative
# to it; the runs start elsewhere, so a path taken relative to the working
# directory would not be found.
mkdir -p "$WORK/jobs" "$WORK/out" "$WORK/elsewhere"
cat > "$WORK/jobs/job.yaml" <<YAML
store: ../store.h5
output: ../out/results.h5
window: 1min
unit_samples: 30000
plugins: [../plugin-build/libline_length.so]
analyses: [stats, {line_length: {scale: 2}}]
YAML
cd "$WORK/elsewhere" || stop "cannot cd to $WORK/elsewhere"

# --- The plugin at ranks {1,2} x threads {1,2} -------------------------------
ref=""
for np in 1 2; do
  for t in 1 2; do
    name="line_length_np${np}_t${t}"
    run "$name" 180 $TSWEEP_MPIEXEC -np $np "$tsweep" --threads $t --oversubscribe run "$WORK/jobs/job.yaml" \
      --set "output=$WORK/out/$name.h5"
    expect_rc "$name" 0
    [ -f "$WORK/out/$name.h5" ] || { fail "$name: no results file $WORK/out/$name.h5"; continue; }
    if [ -z "$ref" ]; then ref="$WORK/out/$name.h5"; continue; fi
    if h5diff --exclude-path /provenance "$ref" "$WORK/out/$name.h5" >"$WORK/$name.diff" 2>&1; then
      pass "$name: h5diff finds no difference from np1_t1 outside /provenance"
    else
      fail "$name: h5diff against np1_t1: $(head -5 "$WORK/$name.diff")"
    fi
    if "$PYTHON" "$src/tests/run/compare_results.py" "$ref" "$WORK/out/$name.h5" 2>"$WORK/$name.cmp"; then
      pass "$name: bitwise identical datasets and attributes"
    else
      fail "$name: differs from np1_t1: $(head -5 "$WORK/$name.cmp")"
    fi
  done
done
[ -n "$ref" ] || stop "no run of the plugin succeeded"

cat > "$WORK/check_line_length.py" <<'PY'
# The plugin's fields against NumPy: every window of the dense streams (every
# sample known), and on every row the NaN pattern and the slope's definition.
import json
import sys

import h5py
import numpy as np

results, arrays = sys.argv[1], sys.argv[2]
rate, start_ns, scale = 250, 1709251200 * 10**9, 2.0  # 2024-03-01T00:00:00Z
problems = []
with h5py.File(results, "r") as f:
    g = f.get("analyses/line_length")
    if g is None:
        sys.exit("no group /analyses/line_length in %s (has: %s)" % (results, list(f.get("analyses", {}))))
    params = json.loads(g.attrs["parameters"])
    if params.get("scale") != scale:
        problems.append("parameters attribute %r does not record scale 2" % (params,))
    for field, unit in (("line_length", "stream unit"), ("mean_abs_slope", "stream unit/s")):
        d = g.get(field)
        if d is None:
            sys.exit("no dataset /analyses/line_length/%s (has: %s)" % (field, list(g)))
        if d.dtype != np.float64 or d.ndim != 1 or d.shape[0] != f["windows/stream"].shape[0]:
            problems.append("%s: dtype %s shape %s, expected float64 (%d,)" % (field, d.dtype, d.shape, f["windows/stream"].shape[0]))
        u = d.attrs.get("unit")
        u = u.decode() if isinstance(u, bytes) else u
        if u != unit:
            problems.append("%s: unit %r, expected %r" % (field, u, unit))
        if not d.attrs.get("description"):
            problems.append("%s: no description attribute" % field)
    ll = g["line_length"][:]
    slope = g["mean_abs_slope"][:]
    stream = f["windows/stream"][:]
    start = f["windows/start"][:]
    count = f["windows/count"][:]
    names = [n.decode().rstrip("\0") for n in f["streams/name"][:]]
    begin, end = f["streams/begin_ns"][:], f["streams/end_ns"][:]
    width = int(f.attrs["window_ns"])

# Every row: NaN exactly when the window has fewer than 2 non-NaN values, and
# mean_abs_slope = line_length / covered seconds.
if not np.array_equal(np.isnan(ll), count < 2):
    bad = np.nonzero(np.isnan(ll) != (count < 2))[0][:5]
    problems.append("line_length must be NaN exactly where stats count < 2; rows %s: line_length %s, count %s" % (bad, ll[bad], count[bad]))
if np.any(ll[~np.isnan(ll)] < 0):
    problems.append("negative line_length")
covered = (np.minimum(start + width, end[stream]) - np.maximum(start, begin[stream])) * 1e-9
ok = ~np.isnan(ll)
if not np.array_equal(np.isnan(slope), np.isnan(ll)):
    problems.append("mean_abs_slope NaN pattern differs from line_length's")
elif not np.allclose(slope[ok], ll[ok] / covered[ok], rtol=1e-12, atol=0):
    problems.append("mean_abs_slope != line_length / covered seconds")

checked = 0
with h5py.File(arrays, "r") as a:
    for name in ("a", "b", "c"):
        x = a["signals/" + name][:]
        sid = names.index("dense/" + name)
        rows = np.nonzero(stream == sid)[0]
        if len(rows) != 10:
            problems.append("dense/%s: %d rows, expected 10 one-minute windows" % (name, len(rows)))
        for r in rows:
            i0 = (int(start[r]) - start_ns) * rate // 10**9
            seg = x[max(i0, 0):i0 + 60 * rate]
            seg = seg[~np.isnan(seg)]
            want = scale * float(np.sum(np.abs(np.diff(seg)))) if len(seg) >= 2 else float("nan")
            got = float(ll[r])
            checked += 1
            if np.isnan(want) != np.isnan(got) or (not np.isnan(want) and abs(got - want) > 1e-10 * abs(want)):
                problems.append("dense/%s window at %d: line_length %r, NumPy %r" % (name, start[r], got, want))
if checked < 25:
    problems.append("only %d dense windows checked" % checked)
for p in problems:
    print("check_line_length: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print("line_length matches NumPy on %d dense windows; NaN pattern and slope hold on %d rows" % (checked, len(ll)))
PY
if "$PYTHON" "$WORK/check_line_length.py" "$ref" "$WORK/dense_arrays.h5" >"$WORK/check.out" 2>&1; then
  pass "$(tail -1 "$WORK/check.out")"
else
  fail "line_length results: $(head -20 "$WORK/check.out")"
fi

# A value the plugin refuses, reached through --set into the analyses list.
timed bad_scale $TSWEEP_MPIEXEC -np 2 "$tsweep" run "$WORK/jobs/job.yaml" --set "output=$WORK/out/bad_scale.h5" \
  --set analyses.line_length.scale=-1
refused bad_scale "$WORK/out/bad_scale.h5" "analyses.line_length.scale" "must be > 0"

# --- Broken plugins, at 2 ranks ----------------------------------------------
# bad_job NAME PLUGIN ANALYSES: a job in $WORK/jobs/NAME.yaml writing $WORK/out/NAME.h5.
bad_job() {
  cat > "$WORK/jobs/$1.yaml" <<YAML
store: ../store.h5
output: ../out/$1.h5
window: 1min
unit_samples: 30000
plugins: [$2]
analyses: $3
YAML
}
bad_job wrong_abi "$test_plugins/libwrong_abi.so" "[stats]"
timed wrong_abi $TSWEEP_MPIEXEC -np 2 "$tsweep" run "$WORK/jobs/wrong_abi.yaml"
refused wrong_abi "$WORK/out/wrong_abi.h5" "$test_plugins/libwrong_abi.so" "ABI"

bad_job no_register "$test_plugins/libno_register.so" "[stats]"
timed no_register $TSWEEP_MPIEXEC -np 2 "$tsweep" run "$WORK/jobs/no_register.yaml"
refused no_register "$WORK/out/no_register.h5" "$test_plugins/libno_register.so" "tsweep_analysis_register"

bad_job duplicate "$test_plugins/libduplicate.so" "[stats]"
timed duplicate $TSWEEP_MPIEXEC -np 2 "$tsweep" run "$WORK/jobs/duplicate.yaml"
refused duplicate "$WORK/out/duplicate.h5" "$test_plugins/libduplicate.so" "stats"

# 8 streams x 10 one-minute windows: each rank reaches its third window.
bad_job throws "$test_plugins/libthrows.so" "[stats, thrower]"
timed throws $TSWEEP_MPIEXEC -np 2 "$tsweep" --threads 2 --oversubscribe run "$WORK/jobs/throws.yaml"
refused throws "$WORK/out/throws.h5" "thrower: refusing window 3"
# The analysis is named besides the exception text, which happens to hold it too.
expect_in throws_names_analysis "${ERR//thrower: refusing window 3/}" "thrower"

bad_job missing "missing/libnope.so" "[stats]"
timed missing $TSWEEP_MPIEXEC -np 2 "$tsweep" run "$WORK/jobs/missing.yaml"
refused missing "$WORK/out/missing.h5" "libnope.so"

# The plugin fails to load on rank 1 alone (as a file missing there would):
# rank 0 loaded it and must not wait for rank 1 in a collective.
timed missing_on_rank_1 env TSWEEP_INJECT_FAULT=plugin:1 $TSWEEP_MPIEXEC -np 2 "$tsweep" run "$WORK/jobs/job.yaml" \
  --set "output=$WORK/out/missing_on_rank_1.h5"
refused missing_on_rank_1 "$WORK/out/missing_on_rank_1.h5" "plugin"
finish
