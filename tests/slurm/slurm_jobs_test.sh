#!/usr/bin/env bash
# The shipped Slurm scripts on a live single-node Slurm (tests/slurm/cluster.sh),
# unmodified, resources given only as sbatch options: every script passes
# `sbatch --test-only`; the launch report; a full run; a time-limit stop,
# requeue and resume; scancel, resubmit and resume; a signal to the batch
# shell; an array job; two jobs on one output; a missing binary; the
# no-progress guard and the restart cap; the scaling benchmark's job script.
# Each result is compared with an
# uninterrupted run outside Slurm (outside /provenance).
#
# Slurm holds a requeued job until its previous segment's credentials have
# expired (Reason=BeginTime): the test cluster sets them to expire after 10 s
# (cred_expire) instead of the default 120 s.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/cluster.sh"
src=${TSWEEP_SOURCE_DIR:?}
scripts=$src/slurm
trap 'slurm_stop; rm -rf "$WORK"' EXIT
slurm_start "$WORK/slurm" || skip "$SLURM_SKIP_REASON"
export TSWEEP TSWEEP_TEST_HOLD_TIMEOUT=150
jobs=$WORK/jobs
mkdir -p "$jobs"
cd "$jobs"

stop_resume_fixture
run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/reference.h5"
expect_rc reference 0

# submit VAR SBATCH-ARGS...: submits, sets VAR to the job id.
submit() {
  local var=$1 id
  shift
  id=$(sbatch --parsable "$@" 2>"$WORK/sbatch.err") || { fail "sbatch $*: $(cat "$WORK/sbatch.err")"; id=0; }
  printf -v "$var" '%s' "${id%%;*}"
}
state_of() { slurm_job_state "$1"; }
steps_gone() { ! pgrep -f "slurmstepd: \[$1\." >/dev/null; }
requeue_pending() { [ "$(state_of "$1")" = PENDING ] && slurm_job_field "$1" Reason | grep -q BeginTime; }

# held_job JOB MARKER SECONDS: the job's rank 0 reached its hold point.
held_job() {
  local job=$1 marker=$2
  if wait_until "$3" sh -c "[ -s '$marker.0' ] || { s=\$(scontrol show job $job | grep -o 'JobState=[A-Z]*'); case \$s in *COMPLETED*|*FAILED*|*CANCELLED*) true ;; *) false ;; esac; }" \
     && [ -s "$marker.0" ]; then
    return 0
  fi
  fail "job $job never reached its hold point; log: $(tail -n 5 "$jobs"/*-"$job".out 2>/dev/null)"
  return 1
}

same_as_reference() {  # same_as_reference NAME RESULTS [REFERENCE]
  run "cmp-$1" 60 "$PYTHON" "$src/tests/run/compare_results.py" "${3:-$WORK/reference.h5}" "$2"
  expect_rc "$1: results equal the uninterrupted run's" 0
}

log_of() { cat "$jobs/$1-$2.out" 2>/dev/null || true; }

# --- every script submits as shipped ----------------------------------------
printf 'streams=bed0000/*\nstreams=bed0001/*\n' > "$jobs/slices.txt"
for s in "tsweep-info.sbatch" "tsweep-run.sbatch $WORK/job.yaml" "tsweep-array.sbatch $WORK/job.yaml $jobs/slices.txt"; do
  set -- $s
  extra=()
  [ "$1" = tsweep-array.sbatch ] && extra=(--array=0-1)
  run "test-only-$1" 30 sbatch --test-only -n 2 -c 1 "${extra[@]}" "$scripts/$@"
  expect_rc "sbatch --test-only $1" 0
  run "test-only-bare-$1" 30 sbatch --test-only "${extra[@]}" "$scripts/$@"
  expect_rc "sbatch --test-only $1 without resource options" 0
done

# --- launch report ----------------------------------------------------------
submit info -n 2 -c 1 "$scripts/tsweep-info.sbatch"
slurm_finish_job "$info" 60
[ "$STATE" = COMPLETED ] && pass "info job completed" || fail "info job $STATE $EXIT: $(log_of tsweep-info "$info")"
[ "$(log_of tsweep-info "$info" | grep -c 'SLURM_CPUS_PER_TASK=1')" -eq 2 ] && pass "info: 2 ranks, 1 thread each from Slurm" \
  || fail "info report: $(log_of tsweep-info "$info")"

# --- a full run ---------------------------------------------------------------
submit full -n 2 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/full.h5"
slurm_finish_job "$full" 180
[ "$STATE" = COMPLETED ] && pass "full run completed" || fail "full run $STATE $EXIT: $(log_of tsweep "$full" | tail -n 5)"
same_as_reference full "$jobs/full.h5"
expect_not_in "full log" "$(log_of tsweep "$full")" "MPI_ABORT"
[ "$(log_of tsweep "$full" | grep -c '(100.0%)')" -eq 1 ] && pass "full log: 100 % once" || fail "full log: 100 % not once"

# --- time limit: --signal before it, stop, requeue, resume --------------------
# Rank 0 holds in its 4th unit until the stop signal; Slurm sends it to the
# batch shell 55 s before the 1-minute limit (Slurm checks about every 30 s).
TSWEEP_TEST_HOLD=job.unit:4@0 TSWEEP_TEST_HOLD_MARKER=$jobs/limit.hold \
  submit limit -n 2 -c 1 --time=1 --signal=B:USR1@55 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/limit.h5"
if held_job "$limit" "$jobs/limit.hold" 120; then
  wait_until 120 requeue_pending "$limit" || fail "time limit: job $limit not requeued (state $(state_of "$limit"))"
  touch "$jobs/limit.hold.release"
  slurm_finish_job "$limit" 240
  [ "$STATE" = COMPLETED ] && pass "time limit: completed after requeue" || fail "time limit: $STATE $EXIT"
  log=$(log_of tsweep "$limit")
  expect_in "time limit log" "$log" "got SIGUSR1"
  expect_in "time limit log" "$log" "requeued job $limit"
  expect_in "time limit log" "$log" "segment 2"
  expect_in "time limit log (first segment kept)" "$log" "segment 1"
  expect_not_in "time limit log" "$log" "MPI_ABORT"
  [ "$(slurm_job_field "$limit" Restarts)" -ge 1 ] && pass "time limit: Restarts >= 1" || fail "time limit: Restarts $(slurm_job_field "$limit" Restarts)"
  same_as_reference limit "$jobs/limit.h5"
fi

# --- scancel, then resubmit: resumes from the partial result ------------------
TSWEEP_TEST_HOLD=job.unit:4@0 TSWEEP_TEST_HOLD_MARKER=$jobs/cancel.hold \
  submit cancel -n 2 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/cancel.h5"
if held_job "$cancel" "$jobs/cancel.hold" 120; then
  scancel "$cancel"
  slurm_finish_job "$cancel" 60
  [ "$STATE" = CANCELLED ] && pass "scancel: job cancelled" || fail "scancel: $STATE"
  wait_until 30 steps_gone "$cancel" || fail "scancel: job steps still running"
  [ -e "$jobs/cancel.h5.partial" ] && pass "scancel: partial result kept" || fail "scancel: no partial result"
  submit again -n 2 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/cancel.h5"
  slurm_finish_job "$again" 180
  [ "$STATE" = COMPLETED ] && pass "resubmitted job completed" || fail "resubmitted: $STATE $EXIT: $(log_of tsweep "$again" | tail -n 3)"
  expect_in "resubmitted log" "$(log_of tsweep "$again")" "already committed"
  same_as_reference cancel "$jobs/cancel.h5"
fi

# --- a signal to the batch shell (scancel --batch): trapped, forwarded, requeued
TSWEEP_TEST_HOLD=job.unit:4@0 TSWEEP_TEST_HOLD_MARKER=$jobs/batch.hold \
  submit batch -n 2 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/batch.h5"
if held_job "$batch" "$jobs/batch.hold" 120; then
  scancel --signal=USR1 --batch "$batch"
  wait_until 120 requeue_pending "$batch" || fail "batch signal: job $batch not requeued (state $(state_of "$batch"))"
  touch "$jobs/batch.hold.release"
  slurm_finish_job "$batch" 240
  [ "$STATE" = COMPLETED ] && pass "batch signal: completed after requeue" || fail "batch signal: $STATE $EXIT"
  expect_in "batch signal log" "$(log_of tsweep "$batch")" "got SIGUSR1"
  expect_not_in "batch signal log" "$(log_of tsweep "$batch")" "MPI_ABORT"
  same_as_reference batch "$jobs/batch.h5"
fi

# --- an array job: one slice and one results file per task --------------------
for t in 0 1; do
  run "slice-ref-$t" 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/slice-ref-$t.h5" \
    --set "streams=bed000$t/*"
  expect_rc "slice $t reference" 0
done
TSWEEP_ARRAY_PREFIX=$jobs/slice submit array --array=0-1 -n 1 -c 1 "$scripts/tsweep-array.sbatch" "$WORK/job.yaml" "$jobs/slices.txt"
for t in 0 1; do
  slurm_finish_job "${array}_$t" 180
  [ "$STATE" = COMPLETED ] && pass "array task $t completed" || fail "array task $t: $STATE $EXIT: $(cat "$jobs/tsweep-array-${array}_$t.out" | tail -n 3)"
  same_as_reference "array-$t" "$jobs/slice-$t.h5" "$WORK/slice-ref-$t.h5"
done
run read-array 60 "$PYTHON" "$src/scripts/read_results.py" "$jobs/slice-0.h5" "$jobs/slice-1.h5"
expect_rc "read_results.py reads the array's files together" 0
expect_in "read_results.py" "$OUT" "bed0000/ECG_II"
expect_in "read_results.py" "$OUT" "bed0001/ECG_II"

# --- two jobs on one output: the second refuses, naming the first -------------
TSWEEP_TEST_HOLD=job.unit:3@0 TSWEEP_TEST_HOLD_MARKER=$jobs/first.hold \
  submit first -n 1 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/shared.h5"
if held_job "$first" "$jobs/first.hold" 120; then
  submit second -n 1 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/shared.h5"
  slurm_finish_job "$second" 120
  [ "$STATE" = FAILED ] && [ "${EXIT%%:*}" = 73 ] && pass "second job on the output: FAILED, exit 73" \
    || fail "second job: $STATE $EXIT: $(log_of tsweep "$second" | tail -n 3)"
  expect_in "second job log" "$(log_of tsweep "$second")" "is being written by another run"
  expect_in "second job log" "$(log_of tsweep "$second")" "slurm job $first"
  touch "$jobs/first.hold.release"
  slurm_finish_job "$first" 180
  [ "$STATE" = COMPLETED ] && pass "first job completed" || fail "first job: $STATE $EXIT"
  same_as_reference shared "$jobs/shared.h5"
fi

# --- a missing binary: a clear line, exit 127 ---------------------------------
TSWEEP=/nonexistent/bin/tsweep submit missing -n 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml"
slurm_finish_job "$missing" 60
[ "$STATE" = FAILED ] && [ "${EXIT%%:*}" = 127 ] && pass "missing binary: FAILED, exit 127" || fail "missing binary: $STATE $EXIT"
expect_in "missing binary log" "$(log_of tsweep "$missing")" "'/nonexistent/bin/tsweep' was not found"

# --- no progress: a segment that commits nothing is not requeued ---------------
TSWEEP_TEST_HOLD=job.unit:1@0 TSWEEP_TEST_HOLD_MARKER=$jobs/stuck.hold \
  submit stuck -n 1 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/stuck.h5"
if held_job "$stuck" "$jobs/stuck.hold" 120; then
  scancel --signal=USR1 --batch "$stuck"
  slurm_finish_job "$stuck" 120
  [ "${EXIT%%:*}" = 75 ] && [ "$(slurm_job_field "$stuck" Restarts)" = 0 ] && pass "no progress: exit 75, not requeued" \
    || fail "no progress: $STATE $EXIT restarts $(slurm_job_field "$stuck" Restarts)"
  expect_in "no progress log" "$(log_of tsweep "$stuck")" "no unit committed in this segment"
fi

# --- the restart cap ------------------------------------------------------------
TSWEEP_MAX_RESTARTS=0 TSWEEP_TEST_HOLD=job.unit:3@0 TSWEEP_TEST_HOLD_MARKER=$jobs/cap.hold \
  submit cap -n 1 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/cap.h5"
if held_job "$cap" "$jobs/cap.hold" 120; then
  scancel --signal=USR1 --batch "$cap"
  slurm_finish_job "$cap" 120
  [ "${EXIT%%:*}" = 75 ] && [ "$(slurm_job_field "$cap" Restarts)" = 0 ] && pass "restart cap: exit 75, not requeued" \
    || fail "restart cap: $STATE $EXIT"
  expect_in "restart cap log" "$(log_of tsweep "$cap")" "TSWEEP_MAX_RESTARTS=0"
  submit capped -n 2 -c 1 "$scripts/tsweep-run.sbatch" "$WORK/job.yaml" --set "output=$jobs/cap.h5"
  slurm_finish_job "$capped" 180
  [ "$STATE" = COMPLETED ] && pass "resubmitted after the cap: completed" || fail "after the cap: $STATE $EXIT"
  same_as_reference cap "$jobs/cap.h5"
fi

# --- the scaling benchmark as a Slurm job (tiny stores, one round) -------------
TSWEEP_SCALING_DIR=$src/benchmarks/scaling submit scaling -n 2 -c 1 "$src/benchmarks/scaling/scaling.sbatch" \
  "$TSWEEP" "$jobs/scaling" --tiny --repeats 1 --strong --timeout 40
slurm_finish_job "$scaling" 240
[ "$STATE" = COMPLETED ] && pass "scaling benchmark job completed" || fail "scaling job: $STATE $EXIT: $(tail -n 5 "$jobs/tsweep-scaling-$scaling.out")"
[ "$(wc -l < "$jobs/scaling/strong.csv" 2>/dev/null || echo 0)" -ge 5 ] && pass "scaling job wrote strong.csv" \
  || fail "scaling job: no strong.csv rows"

finish
