#!/usr/bin/env bash
# The built-in analyses percentiles, spectrum and events through `tsweep run`,
# against NumPy and SciPy (check_builtins.py):
# - dense float64 signals (sums of sines and noise, NaNs in one window, values
#   on the histogram's edges) ingested at 250 Hz, 60 s windows at 2 ranks:
#   quantiles = numpy.quantile, histogram = numpy.histogram, band powers =
#   scipy.signal.welch summed over each band; the same file at 1 rank x 2 threads;
#   --set reaches a parameter inside the analyses list;
# - the beat streams of a generated demo store, 1 min windows: count, rate and
#   the interval statistics from the beat times, read from the store with the
#   independent reference decoder (tests/codec/reference_decoder.py).
source "$(dirname "$0")/../e2e/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
check="$here/check_builtins.py"

# stop MESSAGE: a step the rest depends on failed; report everything so far and exit 1.
stop() {
  fail "$*"
  finish
  exit 1
}

# checked MODE RESULTS DATA WHAT: the results file exists and check_builtins.py MODE agrees with it.
checked() {
  [ -f "$2" ] || stop "$1: no results file $2"
  if "$PYTHON" "$check" "$1" "$2" "$3" >"$WORK/$1.out" 2>&1; then
    pass "$(tail -1 "$WORK/$1.out")"
  else
    fail "$4: $(head -30 "$WORK/$1.out")"
  fi
}

# --- percentiles and spectrum on dense signals --------------------------------
"$PYTHON" "$check" make-dense "$WORK/arrays.h5" >"$WORK/make.out" 2>&1 ||
  stop "writing the dense signals with $PYTHON failed: $(cat "$WORK/make.out")"
run ingest 120 "$TSWEEP" ingest "$WORK/dense.h5" "$WORK/arrays.h5" --dataset '/signals/*' --rate 250 \
  --start 2024-03-01T00:00:00Z --prefix arrays
[ "$RC" -eq 0 ] || stop "ingest of the dense signals: exit $RC: $ERR"
# The parameters here are those check_builtins.py expects (it checks the
# `parameters` attributes against its own copy).
cat > "$WORK/dense.yaml" <<YAML
store: dense.h5
output: dense_np2.h5
window: 60s
unit_samples: 40000
analyses:
  - stats
  - percentiles: {q: [0.01, 0.25, 0.5, 0.9, 0.99], bins: 16, range: [-5, 5]}
  - spectrum: {bands: {low: [0.5, 4], mid: [4, 13], high: [13, 40]}, segment: 512, overlap: 0.5}
YAML
run dense_np2 180 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" --threads 1 run "$WORK/dense.yaml"
expect_rc dense_np2 0
checked dense "$WORK/dense_np2.h5" "$WORK/arrays.h5" "percentiles/spectrum differ from NumPy/SciPy"
run dense_np1_t2 180 $TSWEEP_MPIEXEC -np 1 "$TSWEEP" --threads 2 --oversubscribe run "$WORK/dense.yaml" \
  --set "output=$WORK/dense_np1_t2.h5"
expect_rc dense_np1_t2 0
if h5diff --exclude-path /provenance "$WORK/dense_np2.h5" "$WORK/dense_np1_t2.h5" >"$WORK/dense.diff" 2>&1; then
  pass "dense: 1 rank x 2 threads gives the file of 2 ranks x 1 thread outside /provenance"
else
  fail "dense: 1 rank x 2 threads differs from 2 ranks: $(head -5 "$WORK/dense.diff")"
fi
run dense_set_q 180 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/dense.yaml" --set "output=$WORK/dense_q.h5" \
  --set 'analyses.percentiles.q=[0.5]'
expect_rc dense_set_q 0
if "$PYTHON" "$check" params "$WORK/dense_q.h5" percentiles q '[0.5]' >"$WORK/set_q.out" 2>&1; then
  pass "--set analyses.percentiles.q: $(tail -1 "$WORK/set_q.out")"
else
  fail "--set analyses.percentiles.q=[0.5]: $(cat "$WORK/set_q.out")"
fi

# --- events on the beat streams of a demo store -------------------------------
run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 16 --duration 1h --seed 17
[ "$RC" -eq 0 ] || stop "generate: exit $RC: $ERR"
cat > "$WORK/events.yaml" <<YAML
store: store.h5
output: events.h5
window: 1min
streams: ["bed*/RR"]
analyses: [events]
YAML
run events 180 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" --threads 2 --oversubscribe run "$WORK/events.yaml"
expect_rc events 0
checked events "$WORK/events.h5" "$WORK/store.h5" "events differ from NumPy"
finish
