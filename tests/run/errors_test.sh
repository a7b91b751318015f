#!/usr/bin/env bash
# Bad config, missing or foreign store, unknown stream pattern, unwritable or
# existing output, and a failure on one rank only: every rank exits with the
# documented code within seconds, one error line names the problem, and
# nothing is left that looks like a finished result.
source "$(dirname "$0")/../e2e/lib.sh"

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 8 --duration 5min --seed 5
expect_rc gen 0
good() {
  cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: out/results.h5
window: 1min
unit_samples: 20000
YAML
  mkdir -p "$WORK/out"
}
good
echo "not hdf5" > "$WORK/foreign.h5"
"$PYTHON" -c 'import h5py,sys; h5py.File(sys.argv[1], "w").create_dataset("x", data=[1, 2])' "$WORK/plain.h5"

# case NAME EXPECTED_RC NEEDLE ARGS...: at 1, 2 and 4 ranks; 30 s is far more than any of them needs.
case_() {
  local name=$1 want=$2 needle=$3
  shift 3
  for np in 1 2 4; do
    run "$name.np$np" 30 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$@"
    expect_rc "$name.np$np" "$want"
    expect_in "$name.np$np" "$ERR" "$needle"
    lines=$(grep -c "error" "$WORK/$name.np$np.err" || true)
    [ "$lines" -eq 1 ] && pass "$name.np$np: one error line" || fail "$name.np$np: $lines error lines: $ERR"
    [ ! -e "$WORK/out/results.h5" ] && pass "$name.np$np: no finished result" || fail "$name.np$np: results.h5 exists"
  done
}

case_ unknown_key 2 "key 'windwo': unknown key" "$WORK/job.yaml" --set windwo=2
case_ bad_window 2 "key 'window': expected a duration" "$WORK/job.yaml" --set window=ten
case_ bad_threads 2 "key 'threads'" "$WORK/job.yaml" --set threads=-3
case_ missing_config 2 "nope.yaml" "$WORK/nope.yaml"
case_ missing_store 2 "missing.h5" "$WORK/job.yaml" --set "store=$WORK/missing.h5"
case_ foreign_store 2 "foreign.h5" "$WORK/job.yaml" --set "store=$WORK/foreign.h5"
case_ not_a_store 2 "plain.h5" "$WORK/job.yaml" --set "store=$WORK/plain.h5"
case_ unknown_pattern 2 "'icu*/EEG' matches no stream" "$WORK/job.yaml" --set 'streams=["bed*/ECG*", "icu*/EEG"]'
case_ unwritable_output 2 "no/such/dir" "$WORK/job.yaml" --set "output=$WORK/no/such/dir/results.h5"
mkdir -p "$WORK/config_dir.yaml"
case_ config_is_a_directory 2 "config_dir.yaml" "$WORK/config_dir.yaml"
# A window far too small for the time range is refused before anything is made (no .partial left).
case_ tiny_window 2 "window: 1us makes" "$WORK/job.yaml" --set window=1us
[ -z "$(ls "$WORK/out")" ] && pass "tiny_window: nothing left in the output folder" || fail "tiny_window: left $(ls "$WORK/out")"
# 1 us windows over a day: 8.6e10 rows, terabytes: more than any disk here has free.
run gen_day 120 "$TSWEEP" generate "$WORK/day.h5" --streams 1 --duration 24h --seed 6
expect_rc gen_day 0
case_ results_too_big_for_disk 2 "the results need about" "$WORK/job.yaml" --set "store=$WORK/day.h5" --set window=1us --set max_rows=100000000000000
[ -z "$(ls "$WORK/out")" ] && pass "results_too_big_for_disk: nothing left" || fail "results_too_big_for_disk: left $(ls "$WORK/out")"
# The store is never the output, with --force or through a link.
cp "$WORK/store.h5" "$WORK/store.orig.h5"
ln -s ../store.h5 "$WORK/out/link.h5"
case_ output_is_store 2 "is the run's store" "$WORK/job.yaml" --set "output=$WORK/store.h5" --force
case_ output_links_to_store 2 "is the run's store" "$WORK/job.yaml" --set "output=$WORK/out/link.h5" --force
case_ resume_output_is_store 2 "is the run's store" "$WORK/job.yaml" --set "output=$WORK/store.h5" --resume
cmp -s "$WORK/store.h5" "$WORK/store.orig.h5" && pass "store untouched" || fail "the store was changed"
rm -f "$WORK/out/link.h5"
# --force replaces only tsweep results files.
cp "$WORK/plain.h5" "$WORK/out/results.h5"
for np in 1 2; do
  run "force_foreign.np$np" 30 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml" --force
  expect_rc "force_foreign.np$np" 2
  expect_in "force_foreign.np$np" "$ERR" "is not a tsweep results file"
done
cmp -s "$WORK/plain.h5" "$WORK/out/results.h5" && pass "foreign output untouched" || fail "foreign output replaced"
rm -f "$WORK/out/results.h5"
# --resume never writes into a .partial that is not a results file.
: > "$WORK/out/results.h5.partial"
for np in 1 2; do
  run "resume_empty_partial.np$np" 30 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml" --resume
  expect_rc "resume_empty_partial.np$np" 2
  expect_in "resume_empty_partial.np$np" "$ERR" "results.h5.partial"
done
[ ! -s "$WORK/out/results.h5.partial" ] && pass "empty .partial left empty" || fail "--resume wrote into an empty .partial"
rm -f "$WORK/out/results.h5.partial"
# Static assignment, so that the failing rank runs units of its own: with the
# shared counter a busy machine can leave it none, and the 'unit' fault unmet.
for point in open layout unit epoch; do
  for np in 2 4; do
    bad=$((np - 1))
    run "fault_$point.np$np" 30 env TSWEEP_INJECT_FAULT="$point:$bad" $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml" --force \
      --set assignment=static
    expect_rc "fault_$point.np$np" 1
    expect_in "fault_$point.np$np" "$ERR" "fault injected at '$point' on rank $bad"
    [ ! -e "$WORK/out/results.h5" ] && pass "fault_$point.np$np: no finished result" || fail "fault_$point.np$np: results.h5 exists"
    if [ "$point" = layout ]; then
      [ -z "$(ls "$WORK/out")" ] && pass "fault_layout.np$np: nothing left" || fail "fault_layout.np$np: left $(ls "$WORK/out")"
    fi
  done
done
unset TSWEEP_INJECT_FAULT

# An existing result is never overwritten without --force.
run first 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --force
expect_rc first 0
run again 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml"
expect_rc again 2
expect_in again "$ERR" "pass --force to overwrite"
run forced 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --force
expect_rc forced 0
run both 30 $TSWEEP_MPIEXEC -np 1 "$TSWEEP" run "$WORK/job.yaml" --force --resume
expect_rc both 2
finish
