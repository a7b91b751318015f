#!/usr/bin/env bash
# A run killed with SIGKILL at random moments, then resumed, equals an
# uninterrupted run; SIGTERM to the ranks (as srun/scancel send it) and
# SIGUSR1 to mpirun (which forwards it) stop with exit 75 and a message
# saying how to resume, and the resumed result is identical too.
source "$(dirname "$0")/../e2e/lib.sh"
here=$(dirname "$0")

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 32 --duration 3h \
  --block-samples 4096 --corrupt 2 --seed 3
expect_rc gen 0
cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: out.h5
window: 10s
unit_samples: 20000
checkpoint_interval: 50ms
YAML

t0=$(date +%s.%N)
run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/reference.h5" --json
expect_rc reference 0
full_seconds=$("$PYTHON" -c "print($(date +%s.%N) - $t0)")
echo "uninterrupted run: ${full_seconds}s from launch to exit"

# start NAME: runs the job at 2 ranks in the background; MPIPID is mpirun's pid.
start() {
  rm -f "$WORK/$1.h5" "$WORK/$1.h5.partial"
  $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/$1.h5" \
    >"$WORK/$1.run.out" 2>"$WORK/$1.run.err" &
  MPIPID=$!
}
ranks_of() { pgrep -P "$1" -f "$TSWEEP" || true; }

same_as_reference() {
  if "$PYTHON" "$here/compare_results.py" "$WORK/reference.h5" "$WORK/$1.h5" && \
     h5diff --exclude-path /provenance "$WORK/reference.h5" "$WORK/$1.h5" >/dev/null; then
    pass "$1: resumed result identical to the uninterrupted run"
  else
    fail "$1: resumed result differs"
  fi
}

# SIGKILL of every process at a random moment, then --resume (at 1 or 2 ranks).
for trial in 1 2 3 4 5; do
  name="kill$trial"
  start "$name"
  delay=$("$PYTHON" -c "import random; random.seed($trial); print(round(random.uniform(0.2, max(0.5, 0.9 * $full_seconds)), 2))")
  sleep "$delay"
  for pid in $(ranks_of $MPIPID); do kill -KILL "$pid" 2>/dev/null || true; done
  kill -KILL $MPIPID 2>/dev/null || true
  wait $MPIPID 2>/dev/null || true
  state=$([ -e "$WORK/$name.h5" ] && echo finished || ([ -e "$WORK/$name.h5.partial" ] && echo partial || echo none))
  np=$(( trial % 2 + 1 ))
  run "$name.resume" 300 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/$name.h5" --resume
  expect_rc "$name.resume (killed after ${delay}s, file $state, resumed at $np ranks)" 0
  same_as_reference "$name"
done

# SIGTERM to the ranks: finish current work, commit, exit 75, say how to resume.
start term
sleep "$("$PYTHON" -c "print(max(0.3, 0.3 * $full_seconds))")"
for pid in $(ranks_of $MPIPID); do kill -TERM "$pid" 2>/dev/null || true; done
set +e; timeout 60 tail --pid=$MPIPID -f /dev/null; wait $MPIPID; rc=$?; set -e
ERR=$(cat "$WORK/term.run.err")
if [ -e "$WORK/term.h5" ]; then
  echo "note: the run finished before SIGTERM arrived"
else
  [ "$rc" -eq 75 ] && pass "SIGTERM: exit 75" || fail "SIGTERM: exit $rc; $ERR"
  expect_in term "$ERR" "stopped by SIGTERM"
  expect_in term "$ERR" "--resume"
  [ -e "$WORK/term.h5.partial" ] && pass "SIGTERM: partial results kept" || fail "SIGTERM: no .partial file"
  run term.resume 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/term.h5" --resume
  expect_rc term.resume 0
fi
same_as_reference term

# SIGUSR1 to mpirun: Open MPI forwards it to every rank.
start usr1
sleep "$("$PYTHON" -c "print(max(0.3, 0.3 * $full_seconds))")"
kill -USR1 $MPIPID 2>/dev/null || true
set +e; wait $MPIPID; rc=$?; set -e
if [ -e "$WORK/usr1.h5" ]; then
  echo "note: the run finished before SIGUSR1 arrived"
else
  [ "$rc" -eq 75 ] && pass "SIGUSR1: exit 75" || fail "SIGUSR1: exit $rc; $(cat "$WORK/usr1.run.err")"
  run usr1.resume 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/usr1.h5" --resume
  expect_rc usr1.resume 0
fi
same_as_reference usr1

# Resuming a finished result does nothing and says so; resuming with another config is refused.
run again 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/term.h5" --resume
expect_rc again 0
expect_in again "$ERR" "already complete"
start other; sleep 0.5; for pid in $(ranks_of $MPIPID); do kill -KILL "$pid" 2>/dev/null || true; done; wait $MPIPID 2>/dev/null || true
if [ -e "$WORK/other.h5.partial" ]; then
  run other.resume 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set "output=$WORK/other.h5" --set window=20s --resume
  expect_rc other.resume 2
  expect_in other.resume "$ERR" "window"
fi
finish
