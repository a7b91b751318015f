#!/usr/bin/env bash
# A results file whose writers are killed with SIGKILL at any moment (during
# create, between epochs, in the middle of a collective write, one rank only)
# resumes, at the same or another rank count, to a file identical outside
# /provenance to an uninterrupted run's.
#   kill9_resume_test.sh WRITER   (WRITER: the output_results_writer binary)
source "$(dirname "$0")/../e2e/lib.sh"
WRITER=${1:?usage: kill9_resume_test.sh WRITER}
CHECK="$(dirname "$0")/check_results.py"
ROWS=200000  # about 2000 units
EPOCHS=30
command -v h5diff >/dev/null || skip "h5diff is not installed"
# Killed ranks cannot remove their shared-memory segments: keep them in $WORK, which goes at exit.
export OMPI_MCA_btl_vader_backing_directory="$WORK"
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "$PYTHON has no h5py"

# shellcheck disable=SC2086
run reference 300 $TSWEEP_MPIEXEC -np 2 "$WRITER" write "$WORK/reference.h5" --rows $ROWS --epochs $EPOCHS
expect_rc reference 0
[ -f "$WORK/reference.h5" ] || { fail "reference: no file"; finish; }

# committed_so_far LOG: the last "committed K" the writer printed (0 if none).
committed_so_far() { { grep '^committed' "$1" || echo "committed 0"; } | tail -n 1 | cut -d' ' -f2; }

# wait_until SECONDS CONDITION...: polls CONDITION every 20 ms.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.02
  done
}
pids_written() { [ -f "$1.pid.0" ] && [ -f "$1.pid.1" ]; }
reached() { [ "$(committed_so_far "$1")" -ge "$2" ]; }

# trial NAME AFTER_UNITS DELAY_S PAUSE_MS RESUME_NP [rank1]: starts a writer, waits until
# AFTER_UNITS units are committed and DELAY_S more seconds, kills it, then resumes at RESUME_NP ranks.
trial() {
  local name=$1 after=$2 delay=$3 pause=$4 resume_np=$5 victims=${6:-all}
  local out="$WORK/$name.h5" log="$WORK/$name.log"
  # setsid: a process group of its own, so that the launcher and every rank can be killed together.
  # shellcheck disable=SC2086
  setsid $TSWEEP_MPIEXEC -np 2 "$WRITER" write "$out" --rows $ROWS --epochs $EPOCHS --pause-ms "$pause" >"$log" 2>&1 &
  local job=$!
  wait_until 60 pids_written "$out" || fail "$name: the writer did not start"
  if [ "$after" -gt 0 ]; then wait_until 120 reached "$log" "$after" || fail "$name: never reached $after units"; fi
  sleep "$delay"
  local seen
  seen=$(committed_so_far "$log")
  local pids=("$(cat "$out.pid.0")" "$(cat "$out.pid.1")")
  if [ "$victims" = rank1 ]; then
    kill -9 "${pids[1]}" 2>/dev/null || true  # the launcher takes the other rank down
  else
    kill -9 "${pids[@]}" 2>/dev/null || true
    kill -9 -- "-$job" 2>/dev/null || true
  fi
  wait_until 60 eval '! kill -0 '"${pids[0]}"' 2>/dev/null && ! kill -0 '"${pids[1]}"' 2>/dev/null' ||
    fail "$name: ranks still alive after SIGKILL"
  kill -9 -- "-$job" 2>/dev/null || true
  wait "$job" 2>/dev/null || true

  if grep -q '^finished' "$log"; then
    fail "$name: the writer finished before it was killed; the trial proves nothing"
    return
  fi
  [ -e "$out" ] && fail "$name: $out exists although the run never finished"
  if [ ! -e "$out.partial" ]; then
    # Killed while creating: nothing to resume, and resume says so.
    # shellcheck disable=SC2086
    run "$name-resume" 120 $TSWEEP_MPIEXEC -np "$resume_np" "$WRITER" resume "$out" --rows $ROWS --epochs 7
    expect_rc "$name-resume" 2
    expect_in "$name-resume" "$ERR" "no partial results at $out.partial to resume"
    pass "$name: killed during create (after $seen units), nothing left that looks like a result"
    return
  fi
  # shellcheck disable=SC2086
  run "$name-resume" 300 $TSWEEP_MPIEXEC -np "$resume_np" "$WRITER" resume "$out" --rows $ROWS --epochs 7
  expect_rc "$name-resume" 0
  local resumed
  resumed=$(grep '^resumed' "$WORK/$name-resume.out" | cut -d' ' -f2)
  [ "${resumed:-0}" -ge "$seen" ] && pass "$name: resumed with $resumed committed units (>= $seen reported)" ||
    fail "$name: resumed with ${resumed:-?} committed units, but $seen were reported committed"
  run "$name-h5diff" 120 h5diff --exclude-path /provenance "$WORK/reference.h5" "$out"
  expect_rc "$name-h5diff" 0
  run "$name-bytes" 120 "$PYTHON" "$CHECK" compare "$WORK/reference.h5" "$out"
  expect_rc "$name-bytes" 0
}

trial during_create 0 "0.$((RANDOM % 4))" 0 2
trial between_epochs 200 0 40 2
trial mid_write 300 "0.$((RANDOM % 3))$((RANDOM % 10))" 0 1
trial late_one_rank 1200 "0.0$((RANDOM % 10))" 0 1 rank1
trial late 1600 0 0 2
finish
