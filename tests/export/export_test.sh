#!/usr/bin/env bash
# `tsweep export`: a synthetic store exported at its native rates and resampled
# (nearest, linear, mean; float32, float64, raw int16), at 2 ranks and at
# 1 rank x 2 threads, read back with h5py and with xarray (h5netcdf engine) and
# compared with the store's samples decoded by the reference decoder
# (check_export.py); the file is identical for any ranks and threads; bad
# export keys exit 2 naming the key; `run` accepts a config with an export
# section and its results are unchanged.
source "$(dirname "$0")/../e2e/lib.sh"
here=$(dirname "$0")
"$PYTHON" -c 'import h5py, numpy, xarray, h5netcdf' 2>/dev/null || skip "Debian's python3 lacks h5py, numpy, xarray or h5netcdf"
check() { "$PYTHON" "$here/check_export.py" "$@"; }

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 16 --duration 20min --seed 5
expect_rc gen 0
cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: results.h5
window: 1min
streams: ["*/ECG*", "*/ABP", "*/RESP", "*/HR", "*/SpO2"]
unit_samples: 100000
export:
  output: export.h5
  chunk: {streams: 1, time: 16384}
YAML
S=1704067500003000000  # 2024-01-01T00:05:00.003Z
E=1704068100000000000  # 2024-01-01T00:15:00Z

# Native rates: one grid per rate, every stored sample exported as it is.
run native 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" export "$WORK/job.yaml" --set export.dtype=float64 --json
expect_rc native 0
expect_in native "$OUT" '"all_collective": true'
[ -e "$WORK/export.h5" ] && [ ! -e "$WORK/export.h5.partial" ] && [ ! -e "$WORK/export.h5.lock" ] &&
  pass "native: finished file, no partial or lock left" || fail "native: partial or lock left behind"
check "$WORK/export.h5" "$WORK/store.h5" --expect-groups 5 --expect-streams 12 && pass "native: equals the store" ||
  fail "native: differs from the store"

# The same at 1 rank x 2 threads and 2 ranks x 1 thread, float32: identical files outside provenance.
run native_t2 300 $TSWEEP_MPIEXEC -np 1 "$TSWEEP" --threads 2 export "$WORK/job.yaml" --set "export.output=$WORK/n1.h5"
expect_rc native_t2 0
run native_np2 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" --threads 1 export "$WORK/job.yaml" --set "export.output=$WORK/n2.h5" \
  --set assignment=static
expect_rc native_np2 0
h5diff --exclude-path /tsweep/provenance "$WORK/n1.h5" "$WORK/n2.h5" >/dev/null &&
  pass "native: identical for 1x2 and 2x1 ranks x threads" || fail "native: files differ between rank counts"
check "$WORK/n1.h5" "$WORK/store.h5" && pass "native float32: equals the store" || fail "native float32 differs"

# A chosen rate, every stream (the irregular ones too), a time range, each method.
for m in nearest linear mean; do
  run "rate_$m" 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" export "$WORK/job.yaml" --set 'streams=*' --set export.rate=100Hz \
    --set "export.method=$m" --set time_range.start=2024-01-01T00:05:00.003Z --set time_range.end=2024-01-01T00:15:00Z \
    --set "export.output=$WORK/r_$m.h5"
  expect_rc "rate_$m" 0
  check "$WORK/r_$m.h5" "$WORK/store.h5" --start $S --end $E --expect-groups 1 --expect-streams 16 &&
    pass "rate 100Hz $m: equals the store" || fail "rate 100Hz $m: differs"
done
run linear_gap 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" export "$WORK/job.yaml" --set 'streams=*/HR' --set export.rate=4Hz \
  --set export.method=linear --set export.max_gap=30s --set "export.output=$WORK/gap.h5"
expect_rc linear_gap 0
check "$WORK/gap.h5" "$WORK/store.h5" --max-gap 30000000000 && pass "linear with max_gap: equals the store" ||
  fail "linear with max_gap differs"

# Raw values as int16.
run raw 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" export "$WORK/job.yaml" --set 'streams=*/ECG*' --set export.dtype=int16 \
  --set export.physical=false --set "export.output=$WORK/raw.h5"
expect_rc raw 0
check "$WORK/raw.h5" "$WORK/store.h5" && pass "raw int16: equals the store" || fail "raw int16 differs"

# Chunk shape as configured.
"$PYTHON" -c 'import h5py,sys; f=h5py.File(sys.argv[1]); c=f["values_500Hz"].chunks; sys.exit(0 if c==(1,16384) else "chunks %r" % (c,))' \
  "$WORK/export.h5" && pass "chunks 1 x 16384" || fail "chunk shape is not the configured one"

# Bad input: exit 2, one line naming the key, on every rank, nothing left behind.
bad() {
  local name=$1 needle=$2
  shift 2
  run "$name" 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" export "$WORK/job.yaml" --set "export.output=$WORK/bad.h5" "$@"
  expect_rc "$name" 2
  expect_in "$name" "$ERR" "$needle"
  [ ! -e "$WORK/bad.h5" ] && [ ! -e "$WORK/bad.h5.partial" ] && [ ! -e "$WORK/bad.h5.creating" ] &&
    pass "$name: nothing left behind" || fail "$name: files left behind"
}
bad irregular_native "export.rate" --set 'streams=*'
bad method "export.method" --set export.method=cubic
bad rate "export.rate" --set export.rate=fast
bad int_physical "export.dtype" --set export.dtype=int16
bad int_narrow "export.dtype" --set export.dtype=int16 --set export.physical=false --set 'streams=*/SpO2'
bad unknown_key "export.colour" --set export.colour=red
bad chunk "export.chunk.time" --set export.chunk.time=0
bad pattern "matches no stream" --set 'streams=nothing*'
run no_output 60 "$TSWEEP" export "$WORK/job.yaml" --set export.output=
expect_rc no_output 2
printf 'store: store.h5\n' > "$WORK/noexport.yaml"
run no_section 60 "$TSWEEP" export "$WORK/noexport.yaml"
expect_rc no_section 2
expect_in no_section "$ERR" "export.output"
run exists 60 "$TSWEEP" export "$WORK/job.yaml"
expect_rc exists 2
expect_in exists "$ERR" "--force"

# `run` takes the same config (the export section is ignored) and gives the same results as without it.
run results 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml"
expect_rc results 0
grep -v -e '^export:' -e '^  output: export.h5' -e '^  chunk:' "$WORK/job.yaml" > "$WORK/plain.yaml"
run results_plain 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/plain.yaml" --set "output=$WORK/plain.h5"
expect_rc results_plain 0
h5diff --exclude-path /provenance "$WORK/results.h5" "$WORK/plain.h5" >/dev/null &&
  pass "run: the export section changes nothing" || fail "run: results differ with an export section"
finish
