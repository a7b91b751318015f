#!/usr/bin/env bash
# A stop signal is an agreed, orderly shutdown: SIGUSR1, SIGTERM and SIGINT to
# mpirun at 2 ranks, to the rank processes (as srun/scancel send them), and to a
# single rank (under mpiexec and as a singleton) commit what is done, print one
# line saying how to resume, never abort (no MPI_ABORT banner, no "aborting"),
# exit 75, and `--resume` then completes to a file identical outside
# /provenance to an uninterrupted run.
#
# The signal lands at a known moment, with no sleeps: TSWEEP_TEST_HOLD holds a
# rank at a named point (inside a unit, after an epoch's commit), the held rank
# writes $TSWEEP_TEST_HOLD_MARKER.<rank> and waits; the test waits for that
# file, then signals. A held rank leaves its hold when a stop signal arrives
# (points and variables: include/tsweep/exec/hold.hpp).
#
# Open MPI's mpirun answers SIGTERM and SIGINT itself: it sends SIGCONT, then
# SIGTERM one second later, then SIGKILL one more second later, and exits 1
# whatever the ranks exit with (ORTE sets its exit status when the signal
# arrives). So under Open MPI, SIGTERM/SIGINT to mpirun exits 1; what is checked
# there is that the ranks committed and said how to resume within that second.
source "$(dirname "$0")/../e2e/lib.sh"
here=$(dirname "$0")
export TSWEEP_TEST_HOLD_TIMEOUT=120  # a held run that is never signalled gives up instead of hanging

stop_resume_fixture
run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/reference.h5"
expect_rc reference 0

if $TSWEEP_MPIEXEC --version 2>&1 | grep -Eq "Open MPI|OpenRTE"; then term_rc_of_mpirun=1; else term_rc_of_mpirun=75; fi

# stop NAME LAUNCH SIGNAL TARGET HOLD HELD_RANKS EXPECT_RC STOPPED_BY RESUME_NP
#   LAUNCH: "mpiexec:N" (N ranks under mpiexec) or "singleton" (tsweep alone, one rank)
#   TARGET: "launcher" (mpiexec, or the singleton itself) or "ranks" (every held rank's pid)
stop() {
  local name=$1 launch=$2 signal=$3 target=$4 hold=$5 held_ranks=$6 want_rc=$7 stopped_by=$8 resume_np=$9
  local marker="$WORK/$name.hold" out="$WORK/$name.h5"
  local cmd=("$TSWEEP" run "$WORK/job.yaml" --set "output=$out")
  # shellcheck disable=SC2206
  [ "$launch" = singleton ] || cmd=($TSWEEP_MPIEXEC -np "${launch#mpiexec:}" "${cmd[@]}")
  start_held "$name" "$hold" "$marker" "$held_ranks" "${cmd[@]}" || return
  signal_held "$name" "$signal" "$target" "$marker" "$held_ranks" "$want_rc"
  local err=$ERR
  expect_in "$name" "$err" "stopped by $stopped_by"
  expect_in "$name" "$err" " after committing "
  expect_in "$name" "$err" "--resume"
  expect_not_in "$name" "$err" "MPI_ABORT"
  expect_not_in "$name" "$err" "aborting"
  expect_not_in "$name" "$err" "error:"
  [ "$(grep -c 'stopped by' <<<"$err")" -eq 1 ] && pass "$name: one stop message" || fail "$name: stop message not once: $err"
  [ -e "$out.partial" ] && [ ! -e "$out" ] && pass "$name: partial results kept" || fail "$name: no $out.partial, or $out exists"

  # The resume finds exactly the units the stop message said were committed.
  local committed
  committed=$(sed -n 's/.*after committing \([0-9]*\) of.*/\1/p' <<<"$err" | head -n 1)
  run "$name.resume" 300 $TSWEEP_MPIEXEC -np "$resume_np" "$TSWEEP" run "$WORK/job.yaml" --set "output=$out" --resume
  expect_rc "$name.resume" 0
  if [ "${committed:-0}" -gt 0 ]; then
    expect_in "$name.resume" "$ERR" "($committed already committed)"
  fi
  if "$PYTHON" "$here/compare_results.py" "$WORK/reference.h5" "$out" &&
    h5diff --exclude-path /provenance "$WORK/reference.h5" "$out" >/dev/null; then
    pass "$name: resumed result identical to the uninterrupted run"
  else
    fail "$name: resumed result differs from the uninterrupted run"
  fi
}

# name            launch     signal target   hold point          held   exit                stopped by resume at
stop usr1_mpirun  mpiexec:2  USR1   launcher job.unit:200@0      "0"    75                  SIGUSR1    2
stop term_mpirun  mpiexec:2  TERM   launcher job.unit:200@0      "0"    $term_rc_of_mpirun  SIGTERM    1
stop int_mpirun   mpiexec:2  INT    launcher job.unit:200@0      "0"    $term_rc_of_mpirun  SIG        2
stop usr1_ranks   mpiexec:2  USR1   ranks    epoch.committed:3   "0 1"  75                  SIGUSR1    1
stop term_rank    mpiexec:1  TERM   ranks    job.unit:300        "0"    75                  SIGTERM    2
stop int_alone    singleton  INT    launcher job.unit:300        "0"    75                  SIGINT     1
finish
