#!/usr/bin/env bash
# The shipped PBS script (slurm/tsweep-run.pbs) through PBS-style `qsub`:
# Debian's slurm-wlm-torque wrappers on the live test Slurm
# (tests/slurm/cluster.sh) turn Torque's `-l nodes=N:ppn=P,walltime=...` and
# `-v` into sbatch options and `qrerun` into a requeue. A full run, and a
# signal to the batch shell that stops, reruns and resumes, each compared
# with an uninterrupted run; a missing CONFIG exits 2. The PBS Pro `select`
# syntax is checked by the PBS variables' unit tests (tests/exec/threads_test.cpp),
# as the wrappers here do not start chunks. The wrappers do not quote -v values,
# so TSWEEP_ARGS here has no blanks (--set=key=value).
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/cluster.sh"
src=${TSWEEP_SOURCE_DIR:?}
script=$src/slurm/tsweep-run.pbs
trap 'slurm_stop; rm -rf "$WORK"' EXIT
command -v qsub >/dev/null 2>&1 || skip "qsub not installed (Debian package slurm-wlm-torque; scripts/install-deps.sh installs it)"
slurm_start "$WORK/slurm" || skip "$SLURM_SKIP_REASON"
jobs=$WORK/jobs
mkdir -p "$jobs"
cd "$jobs"
stop_resume_fixture
run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/reference.h5"
expect_rc reference 0
root_ok=OMPI_ALLOW_RUN_AS_ROOT=1,OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

log_of() { cat "$jobs/$1-$2.log" 2>/dev/null || true; }

j=$(qsub -N full -l nodes=1:ppn=2,walltime=00:10:00 -v "CONFIG=$WORK/job.yaml,TSWEEP=$TSWEEP,TSWEEP_ARGS=--set=output=$jobs/full.h5,$root_ok" "$script")
slurm_finish_job "$j" 180
[ "$STATE" = COMPLETED ] && pass "qsub full run completed" || fail "qsub full run: $STATE $EXIT: $(log_of full "$j" | tail -n 5)"
run cmp-full 60 "$PYTHON" "$src/tests/run/compare_results.py" "$WORK/reference.h5" "$jobs/full.h5"
expect_rc "qsub full run equals the uninterrupted run" 0

j=$(qsub -N stop -l nodes=1:ppn=2,walltime=00:10:00 \
  -v "CONFIG=$WORK/job.yaml,TSWEEP=$TSWEEP,TSWEEP_ARGS=--set=output=$jobs/stop.h5,$root_ok,TSWEEP_TEST_HOLD=job.unit:4@0,TSWEEP_TEST_HOLD_MARKER=$jobs/stop.hold,TSWEEP_TEST_HOLD_TIMEOUT=150" "$script")
if wait_until 120 test -s "$jobs/stop.hold.0"; then
  scancel --signal=USR1 --batch "$j"
  wait_until 120 sh -c "scontrol show job $j | grep -q 'Reason=BeginTime'" || fail "qsub stop: job $j was not rerun"
  touch "$jobs/stop.hold.release"
  slurm_finish_job "$j" 240
  [ "$STATE" = COMPLETED ] && pass "qsub stop: rerun and completed" \
    || fail "qsub stop: $STATE $EXIT; slurmd: $(grep -E "JobId=$j|StepId=$j|job $j" "$WORK/slurm/slurmd.log" | tail -n 8)"
  log=$(log_of stop "$j")
  expect_in "qsub stop log" "$log" "got SIGUSR1"
  expect_in "qsub stop log" "$log" "rerunning job $j"
  expect_in "qsub stop log" "$log" "segment 2"
  expect_not_in "qsub stop log" "$log" "MPI_ABORT"
  run cmp-stop 60 "$PYTHON" "$src/tests/run/compare_results.py" "$WORK/reference.h5" "$jobs/stop.h5"
  expect_rc "qsub stop, rerun, resume equals the uninterrupted run" 0
else
  fail "qsub stop: never reached its hold point: $(log_of stop "$j" | tail -n 5)"
fi

j=$(qsub -N noconfig -l nodes=1:ppn=1 -v "TSWEEP=$TSWEEP" "$script")
slurm_finish_job "$j" 60
[ "${EXIT%%:*}" = 2 ] && pass "qsub without CONFIG: exit 2" || fail "qsub without CONFIG: $STATE $EXIT"
expect_in "qsub without CONFIG log" "$(log_of noconfig "$j")" "usage: qsub"
finish
