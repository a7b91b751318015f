#!/usr/bin/env bash
# 20 trials: `mpirun -np 2 tsweep run` stopped by SIGUSR1 to mpirun while rank
# 0 is held inside a unit: every trial exits 75, says how to resume, and has
# no MPI_Abort text (MPI_ABORT, "aborting") anywhere in its output.
source "$(dirname "$0")/../e2e/lib.sh"
export TSWEEP_TEST_HOLD_TIMEOUT=60
trials=${TSWEEP_STOP_TRIALS:-20}
stop_resume_fixture
ok=0
for i in $(seq 1 "$trials"); do
  marker="$WORK/t$i.hold"
  TSWEEP_TEST_HOLD=job.unit:$((2 + i % 5))@0 TSWEEP_TEST_HOLD_MARKER=$marker \
    $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/t$i.h5" >"$WORK/t$i.log" 2>&1 &
  pid=$!
  if ! { wait_until 60 held_or_gone "$pid" "$marker" 0 && held "$marker" 0; }; then
    fail "trial $i: never held: $(tail -n 3 "$WORK/t$i.log")"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; continue
  fi
  kill -USR1 "$pid"
  wait_until 30 exited "$pid" || { fail "trial $i: still running 30 s after SIGUSR1"; kill -9 "$pid" 2>/dev/null || true; }
  rc=0
  wait "$pid" || rc=$?
  log=$(cat "$WORK/t$i.log")
  if [ "$rc" -eq 75 ] && ! grep -qiE "MPI_ABORT|aborting" <<<"$log" && grep -q -- "--resume" <<<"$log"; then
    ok=$((ok + 1))
  else
    fail "trial $i: exit $rc; output: $(tail -n 5 "$WORK/t$i.log")"
  fi
done
[ "$ok" -eq "$trials" ] && pass "$ok of $trials stops by SIGUSR1 to mpirun: exit 75, no MPI_Abort text" || fail "only $ok of $trials clean stops"
finish
