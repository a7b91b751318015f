#!/usr/bin/env bash
# Stops and kills across simulated nodes (tests/nodes/simnodes.sh), each at a
# known moment (a rank held at a hold point, include/tsweep/exec/hold.hpp; no
# sleeps), then `--resume` under the harness at another layout:
#  - SIGUSR1 to the launcher (mpirun forwards it to every node): exit 75, one
#    "stopped by SIGUSR1" line, no MPI_ABORT, no "aborting", the partial file kept;
#  - SIGUSR1 to one rank on the second node only: every node stops, exit 75;
#  - SIGKILL of one rank process on the second node, and of rank 0 on the
#    first: the job ends (nonzero) within a bounded time, nothing is left running;
# and every resumed result is identical outside /provenance to an
# uninterrupted run on one node.
source "$(dirname "$0")/lib.sh"

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 8 --duration 20min \
  --block-samples 4096 --corrupt 2 --seed 3
expect_rc gen 0
# 10 s windows in small units, 2 ms epochs: some 150 units, each rank many epochs.
cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: out.h5
window: 10s
unit_samples: 10000
checkpoint_interval: 2ms
YAML
run reference 120 "$TSWEEP" --threads 1 run "$WORK/job.yaml" --set "output=$WORK/reference.h5"
expect_rc reference 0

# reaped PID...: none of the processes exists any more, not even as a zombie.
reaped() { local p; for p in "$@"; do [ ! -e "/proc/$p" ] || return 1; done; }

# interrupt NAME NODES RANKS HOLD HELD_RANK ACTION TARGET_RANK RESUME_NODES RESUME_RANKS
#   runs the job under the harness held at HOLD, waits for rank HELD_RANK's
#   marker, then ACTION: "usr1" (SIGUSR1 to the launcher when TARGET_RANK is
#   "launcher", else to that rank's pid) or "kill9" (SIGKILL to rank
#   TARGET_RANK's pid); checks the ending, then resumes at the other layout.
interrupt() {
  local name=$1 nodes=$2 ranks=$3 hold=$4 held_rank=$5 action=$6 target=$7 rnodes=$8 rranks=$9
  local marker="$WORK/$name.hold" out="$WORK/$name.h5"
  start_held "$name" "$hold" "$marker" "$held_rank" \
    "$SIMNODES" --nodes "$nodes" --ranks-per-node "$ranks" -- "$TSWEEP" run "$WORK/job.yaml" --set "output=$out" ||
    return
  local pid=$HELD_PID
  local victim=$pid
  if [ "$target" != launcher ]; then
    wait_until 30 held "$marker" "$target" || { fail "$name: rank $target never wrote its marker"; }
    victim=$(cat "$marker.$target")
  fi
  # The job's rank processes, all started by now (one is held in a unit or after an epoch).
  local rank_pids
  rank_pids=$(pgrep -f -- "output=$out" | xargs)
  local start=$SECONDS
  case $action in
    usr1) kill -USR1 "$victim" ;;
    kill9) kill -KILL "$victim" ;;
  esac
  if ! wait_until 60 exited "$pid"; then
    fail "$name: still running 60 s after the $action of $target"
    kill -9 "$pid" 2>/dev/null || true
  fi
  local rc=0
  wait "$pid" || rc=$?
  local err took=$((SECONDS - start))
  err=$(cat "$WORK/$name.err")
  if [ "$action" = usr1 ]; then
    [ "$rc" -eq 75 ] && pass "$name: exit 75 after ${took}s" || fail "$name: exit $rc, expected 75; stderr: $err"
    expect_in "$name" "$err" "stopped by SIGUSR1"
    expect_in "$name" "$err" "--resume"
    expect_not_in "$name" "$err" "MPI_ABORT"
    expect_not_in "$name" "$err" "aborting"
    [ "$(grep -c 'stopped by' <<<"$err")" -eq 1 ] && pass "$name: one stop message" ||
      fail "$name: stop message not once: $err"
    [ -e "$out.partial" ] && [ ! -e "$out" ] && pass "$name: partial results kept" ||
      fail "$name: no $out.partial, or $out exists"
  else
    [ "$rc" -ne 0 ] && pass "$name: exit $rc ${took}s after the SIGKILL of rank $target" ||
      fail "$name: exit 0 although rank $target was killed"
    [ -e "$out" ] && fail "$name: finished although rank $target was killed while held"
  fi
  # Every rank on every node has ended with the launcher, and has been reaped.
  # The ranks' orteds run daemonized, so a rank whose orted is gone is
  # reparented to init, and until init reaps it its pid still answers
  # kill(pid, 0): were rank 0 such a zombie, the resume would take the output's
  # claim (src/output/claim.cpp) for a live run's and exit 73.
  # shellcheck disable=SC2086
  wait_until 30 reaped $rank_pids && pass "$name: no rank left (pids $rank_pids)" ||
    fail "$name: ranks left: $(ps -o pid,stat,args -p "${rank_pids// /,}" | tail -n +2 | head -n 3)"

  local committed
  committed=$(sed -n 's/.*after committing \([0-9]*\) of.*/\1/p' <<<"$err" | head -n 1)
  sim "$name.resume" 150 "$rnodes" "$rranks" "$TSWEEP" run "$WORK/job.yaml" --set "output=$out" --resume
  expect_rc "$name.resume (at $rnodes x $rranks)" 0
  if [ "${committed:-0}" -gt 0 ]; then
    expect_in "$name.resume" "$ERR" "($committed already committed)"
  elif [[ $hold == epoch.committed:* ]]; then
    # Killed after an epoch was committed: the resume keeps that epoch's units.
    expect_in "$name.resume" "$ERR" " already committed)"
  fi
  if [ "$RC" -eq 0 ]; then same_results "$name" "$WORK/reference.h5" "$out"; fi
}

# name          nodes ranks hold                 held action target   resumed at
interrupt usr1_launcher 2 2 job.unit:5@2         2    usr1   launcher 3 1
interrupt usr1_one_rank 2 2 job.unit:5@3         3    usr1   3        2 1
interrupt kill9_remote  2 2 job.unit:5@3         3    kill9  3        2 2
interrupt kill9_rank0   3 1 epoch.committed:3    0    kill9  0        3 1
nodes_finish
