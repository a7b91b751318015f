#!/usr/bin/env bash
# 20 trials on the live test Slurm: `srun --mpi=pmix -n 2 tsweep run` stopped
# by `scancel -s USR1 JOB` while rank 0 is held inside a unit: every trial
# exits 75, says how to resume, and has no MPI_Abort text anywhere in its
# output; the step is not marked CANCELLED or killed.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/cluster.sh"
trap 'slurm_stop; rm -rf "$WORK"' EXIT
slurm_start "$WORK/slurm" || skip "$SLURM_SKIP_REASON"
export TSWEEP_TEST_HOLD_TIMEOUT=60
trials=${TSWEEP_STOP_TRIALS:-20}
stop_resume_fixture
cd "$WORK"
job_of() { squeue -h -n "$1" -o %i 2>/dev/null | head -n 1; }
ok=0
for i in $(seq 1 "$trials"); do
  marker="$WORK/s$i.hold"
  TSWEEP_TEST_HOLD=job.unit:$((2 + i % 5))@0 TSWEEP_TEST_HOLD_MARKER=$marker \
    srun --mpi=pmix -J "trial$i" -n 2 -c 1 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/s$i.h5" >"$WORK/s$i.log" 2>&1 &
  pid=$!
  if ! { wait_until 60 held_or_gone "$pid" "$marker" 0 && held "$marker" 0; }; then
    fail "trial $i: never held: $(tail -n 3 "$WORK/s$i.log")"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; continue
  fi
  scancel -s USR1 "$(job_of "trial$i")"
  wait_until 30 exited "$pid" || { fail "trial $i: still running 30 s after scancel -s USR1"; kill -9 "$pid" 2>/dev/null || true; }
  rc=0
  wait "$pid" || rc=$?
  log=$(cat "$WORK/s$i.log")
  if [ "$rc" -eq 75 ] && ! grep -qiE "MPI_ABORT|aborting|CANCELLED|Killed" <<<"$log" && grep -q -- "--resume" <<<"$log"; then
    ok=$((ok + 1))
  else
    fail "trial $i: exit $rc; output: $(tail -n 5 "$WORK/s$i.log")"
  fi
done
[ "$ok" -eq "$trials" ] && pass "$ok of $trials srun steps stopped by scancel -s USR1: exit 75, no MPI_Abort text" || fail "only $ok of $trials clean stops"
finish
