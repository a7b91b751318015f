#!/usr/bin/env bash
# One writer per output: while a run holds its output (held at a hold point
# inside a unit), a second run on the same output, fresh, --resume or --force,
# refuses at once with one line naming the holder (host, pid, batch job) and
# exit 73, and leaves the first run's files alone; the first run then finishes
# and its lock is gone. A run killed with SIGKILL leaves its lock behind; the
# next run recognises it as stale (its process is gone) and resumes. The
# progress lines never repeat a count and print 100 % once.
source "$(dirname "$0")/../e2e/lib.sh"
export TSWEEP_TEST_HOLD_TIMEOUT=120

stop_resume_fixture
run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/reference.h5" \
  --progress --set progress_interval=1ms
expect_rc reference 0
# Progress (hundreds of 2 ms epochs, a line due at each): unit counts only grow, 100 % once.
counts=$(grep -o 'progress: [0-9]*/' "$WORK/reference.err" | tr -dc '0-9\n')
[ -n "$counts" ] && pass "progress lines printed" || fail "no progress lines: $ERR"
[ "$(printf '%s\n' "$counts" | sort -n | uniq | wc -l)" -eq "$(printf '%s\n' "$counts" | wc -l)" ] \
  && pass "no progress line repeats a unit count" || fail "repeated progress lines: $(printf '%s ' $counts)"
[ "$(grep -c '(100.0%)' "$WORK/reference.err")" -eq 1 ] && pass "100 % printed once" \
  || fail "100 % printed $(grep -c '(100.0%)' "$WORK/reference.err") times"
[ ! -e "$WORK/reference.h5.lock" ] && pass "finished run: lock released" || fail "finished run left its lock"

out="$WORK/out.h5"
marker="$WORK/first.hold"
SLURM_JOB_ID=4242 TSWEEP_TEST_HOLD=job.unit:3@0 TSWEEP_TEST_HOLD_MARKER=$marker \
  $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$out" >"$WORK/first.out" 2>"$WORK/first.err" &
first=$!
if wait_until 120 held_or_gone "$first" "$marker" 0 && held "$marker" 0; then
  for mode in fresh --resume --force; do
    args=()
    [ "$mode" = fresh ] || args=("$mode")
    run "second$mode" 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$out" "${args[@]}"
    expect_rc "second run ($mode) on a held output" 73
    expect_in "second$mode" "$ERR" "is being written by another run"
    expect_in "second$mode" "$ERR" "host $(hostname)"
    expect_in "second$mode" "$ERR" "slurm job 4242"
    [ "$(grep -c 'error:' "$WORK/second$mode.err")" -eq 1 ] && pass "second$mode: one error line" \
      || fail "second$mode: not one error line: $ERR"
    expect_not_in "second$mode" "$ERR" "MPI_ABORT"
  done
  [ -e "$out.partial" ] && pass "the held run's .partial is still there" || fail "the held run's .partial is gone"
  touch "$marker.release"
  rc=0
  timeout 120 tail --pid="$first" -f /dev/null || true
  wait "$first" || rc=$?
  [ "$rc" -eq 0 ] && pass "first run finished after the refusals" || fail "first run exit $rc: $(tail -n 3 "$WORK/first.err")"
  run compare 60 "$PYTHON" "$TSWEEP_SOURCE_DIR/tests/run/compare_results.py" "$WORK/reference.h5" "$out"
  expect_rc "first run's results equal the reference" 0
  [ ! -e "$out.lock" ] && pass "first run: lock released" || fail "first run left $out.lock"
else
  fail "first run never reached its hold point: $(tail -n 5 "$WORK/first.err")"
  kill -9 "$first" 2>/dev/null || true
fi

# SIGKILL at a hold point: the lock stays, and is stale.
out2="$WORK/killed.h5"
marker2="$WORK/killed.hold"
TSWEEP_TEST_HOLD=epoch.committed:3 TSWEEP_TEST_HOLD_MARKER=$marker2 \
  "$TSWEEP" run "$WORK/job.yaml" --set "output=$out2" >"$WORK/killed.out" 2>"$WORK/killed.err" &
killed=$!
if wait_until 120 held_or_gone "$killed" "$marker2" 0 && held "$marker2" 0; then
  kill -9 "$(cat "$marker2.0")"
  wait "$killed" 2>/dev/null || true
  [ -e "$out2.lock" ] && pass "a killed run leaves its lock" || fail "no lock after SIGKILL"
  run resume_after_kill 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$out2" --resume
  expect_rc "resume after SIGKILL breaks the stale lock" 0
  expect_in resume_after_kill "$ERR" "breaking a stale claim"
  expect_in resume_after_kill "$ERR" "is gone"
  run compare2 60 "$PYTHON" "$TSWEEP_SOURCE_DIR/tests/run/compare_results.py" "$WORK/reference.h5" "$out2"
  expect_rc "resumed results equal the reference" 0
  [ ! -e "$out2.lock" ] && pass "resumed run: lock released" || fail "resumed run left its lock"
else
  fail "killed run never reached its hold point: $(tail -n 5 "$WORK/killed.err")"
  kill -9 "$killed" 2>/dev/null || true
fi

finish
