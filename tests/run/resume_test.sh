#!/usr/bin/env bash
# A run killed with SIGKILL at (seeded) random points, then resumed, equals an
# uninterrupted run; SIGTERM to the ranks (as srun/scancel send it) and
# SIGUSR1 to mpirun (which forwards it) stop with exit 75 and a message
# saying how to resume, and the resumed result is identical too.
#
# Kills and signals land at their points deterministically, never after a
# sleep: TSWEEP_TEST_HOLD=POINT[:N][@RANK] holds the ranks there and each held
# rank writes $TSWEEP_TEST_HOLD_MARKER.<rank>; the test waits for the markers
# (points and variables: include/tsweep/exec/hold.hpp). A held rank leaves its
# hold when a stop signal arrives. tests/run/stop_signal_test.sh covers every
# signal and launcher.
source "$(dirname "$0")/../e2e/lib.sh"
here=$(dirname "$0")
export TSWEEP_TEST_HOLD_TIMEOUT=120  # a held run that is never killed gives up instead of hanging

stop_resume_fixture

run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/reference.h5" --json
expect_rc reference 0


# start NAME HOLD HELD_RANKS: runs the job at 2 ranks in the background, held at HOLD,
# and returns once the ranks HELD_RANKS are held; MPIPID is mpirun's pid.
start() {
  rm -f "$WORK/$1.h5" "$WORK/$1.h5.partial" "$WORK/$1.hold".*
  TSWEEP_TEST_HOLD=$2 TSWEEP_TEST_HOLD_MARKER="$WORK/$1.hold" $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" \
    --set "output=$WORK/$1.h5" >"$WORK/$1.run.out" 2>"$WORK/$1.run.err" &
  MPIPID=$!
  # shellcheck disable=SC2086
  wait_until 120 held_or_gone $MPIPID "$WORK/$1.hold" $3 && held "$WORK/$1.hold" $3 ||
    fail "$1: never reached hold point $2; $(tail -n 3 "$WORK/$1.run.err")"
}
ranks_of() { pgrep -P "$1" -f "$TSWEEP" || true; }
# stopped PID: waits (bounded) for PID to exit; RC is its exit code.
stopped() {
  set +e
  timeout 60 tail --pid="$1" -f /dev/null || kill -KILL "$1" 2>/dev/null
  wait "$1"
  RC=$?
  set -e
}

same_as_reference() {
  if "$PYTHON" "$here/compare_results.py" "$WORK/reference.h5" "$WORK/$1.h5" && \
     h5diff --exclude-path /provenance "$WORK/reference.h5" "$WORK/$1.h5" >/dev/null; then
    pass "$1: resumed result identical to the uninterrupted run"
  else
    fail "$1: resumed result differs"
  fi
}

# SIGKILL of every process at a seeded random point, then --resume (at 1 or 2 ranks).
# Collective points hold both ranks; a point inside a unit holds one rank (the
# other waits for it at the epoch's end, or works on). Epochs end by time
# (checkpoint_interval), so a fast machine makes few: epoch points stay early.
for trial in 1 2 3 4 5; do
  name="kill$trial"
  # Every kind of point once, each at a seeded random occurrence.
  read -r hold held_ranks < <("$PYTHON" -c "
import random
random.seed($trial)
k = random.randint(2, 6)
print([f'results.create 0 1', f'epoch.committed:{k} 0 1', f'results.write:{k} 0 1',
       f'results.commit:{k} 0 1', f'job.unit:{60 * k}@{k % 2} {k % 2}'][$trial - 1])")
  start "$name" "$hold" "$held_ranks"
  for pid in $(ranks_of $MPIPID); do kill -KILL "$pid" 2>/dev/null || true; done
  kill -KILL $MPIPID 2>/dev/null || true
  wait $MPIPID 2>/dev/null || true
  state=$([ -e "$WORK/$name.h5" ] && echo finished || ([ -e "$WORK/$name.h5.partial" ] && echo partial || echo none))
  [ "$state" = finished ] && fail "$name: finished although held at $hold"
  np=$(( trial % 2 + 1 ))
  run "$name.resume" 300 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/$name.h5" --resume
  expect_rc "$name.resume (killed at $hold, file $state, resumed at $np ranks)" 0
  same_as_reference "$name"
done

# SIGTERM to the ranks: finish current work, commit, exit 75, say how to resume.
start term job.unit:400@1 1
for pid in $(ranks_of $MPIPID); do kill -TERM "$pid" 2>/dev/null || true; done
stopped $MPIPID
ERR=$(cat "$WORK/term.run.err")
[ "$RC" -eq 75 ] && pass "SIGTERM: exit 75" || fail "SIGTERM: exit $RC; $ERR"
expect_in term "$ERR" "stopped by SIGTERM"
expect_in term "$ERR" "--resume"
expect_not_in term "$ERR" "MPI_ABORT"
[ -e "$WORK/term.h5.partial" ] && pass "SIGTERM: partial results kept" || fail "SIGTERM: no .partial file"
run term.resume 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/term.h5" --resume
expect_rc term.resume 0
same_as_reference term

# SIGUSR1 to mpirun: Open MPI forwards it to every rank.
start usr1 epoch.committed:4 "0 1"
kill -USR1 $MPIPID 2>/dev/null || true
stopped $MPIPID
[ "$RC" -eq 75 ] && pass "SIGUSR1: exit 75" || fail "SIGUSR1: exit $RC; $(cat "$WORK/usr1.run.err")"
run usr1.resume 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/usr1.h5" --resume
expect_rc usr1.resume 0
same_as_reference usr1

# Resuming a finished result does nothing and says so; resuming with another config is refused.
run again 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/term.h5" --resume
expect_rc again 0
expect_in again "$ERR" "already complete"
start other epoch.committed:2 "0 1"
for pid in $(ranks_of $MPIPID); do kill -KILL "$pid" 2>/dev/null || true; done
wait $MPIPID 2>/dev/null || true
run other.resume 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/other.h5" --set window=20s --resume
expect_rc other.resume 2
expect_in other.resume "$ERR" "window"
finish
