#!/usr/bin/env bash
# A results file whose writers are killed with SIGKILL at any moment (during
# create, between epochs, in the middle of a collective write, before the
# commit record, one rank only) resumes, at the same or another rank count, to
# a file identical outside /provenance to an uninterrupted run's.
#   kill9_resume_test.sh WRITER   (WRITER: the output_results_writer binary)
#
# Each kill lands at its point deterministically: TSWEEP_TEST_HOLD=POINT[:N][@RANK]
# holds the writer there, each held rank writes $TSWEEP_TEST_HOLD_MARKER.<rank>
# (its pid) and waits; the test waits for the markers, then kills (points and
# variables: include/tsweep/exec/hold.hpp). No trial depends on timing.
source "$(dirname "$0")/../e2e/lib.sh"
WRITER=${1:?usage: kill9_resume_test.sh WRITER}
CHECK="$(dirname "$0")/check_results.py"
ROWS=200000  # about 2000 units
EPOCHS=30
command -v h5diff >/dev/null || skip "h5diff is not installed"
# Killed ranks cannot remove their shared-memory segments: keep them in $WORK, which goes at exit.
export OMPI_MCA_btl_vader_backing_directory="$WORK"
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "$PYTHON has no h5py"
# A held writer that is never killed gives up (exit 124) instead of hanging the suite.
export TSWEEP_TEST_HOLD_TIMEOUT=120

# shellcheck disable=SC2086
run reference 300 $TSWEEP_MPIEXEC -np 2 "$WRITER" write "$WORK/reference.h5" --rows $ROWS --epochs $EPOCHS
expect_rc reference 0
[ -f "$WORK/reference.h5" ] || { fail "reference: no file"; finish; }

# commits LOG: how many "committed K" lines the writer printed; committed_so_far LOG: the last K (0 if none).
commits() { grep -c '^committed' "$1" || true; }
committed_so_far() { { grep '^committed' "$1" || echo "committed 0"; } | tail -n 1 | cut -d' ' -f2; }

printed() { [ "$(commits "$1")" -ge "$2" ]; }
alive() { kill -0 "$1" 2>/dev/null; }
gone() { local p; for p in "$@"; do ! alive "$p" || return 1; done; }

# trial NAME HOLD HELD_RANKS EPOCHS_PRINTED RESUME_NP [rank1]: starts a writer at 2 ranks
# held at HOLD (TSWEEP_TEST_HOLD), waits until the ranks HELD_RANKS ("0 1", or "1") are
# held and rank 0 has printed EPOCHS_PRINTED commits, SIGKILLs every process (or only
# rank 1), then resumes at RESUME_NP ranks: exactly the units reported committed are.
trial() {
  local name=$1 hold=$2 held_ranks=$3 printed_epochs=$4 resume_np=$5 victims=${6:-all}
  local out="$WORK/$name.h5" log="$WORK/$name.log" marker="$WORK/$name.hold"
  # setsid: a process group of its own, so that the launcher and every rank can be killed together.
  # shellcheck disable=SC2086
  TSWEEP_TEST_HOLD=$hold TSWEEP_TEST_HOLD_MARKER=$marker \
    setsid -w $TSWEEP_MPIEXEC -np 2 "$WRITER" write "$out" --rows $ROWS --epochs $EPOCHS >"$log" 2>&1 &
  local job=$!
  # shellcheck disable=SC2086
  if ! { wait_until 120 held_or_gone "$job" "$marker" $held_ranks && held "$marker" $held_ranks; }; then
    fail "$name: the writer never reached hold point $hold; log: $(tail -n 5 "$log")"
    kill -9 -- "-$job" 2>/dev/null || true
    wait "$job" 2>/dev/null || true
    return
  fi
  # The held rank printed its last line before holding; wait until the launcher has forwarded it.
  wait_until 30 printed "$log" "$printed_epochs" || fail "$name: rank 0 printed $(commits "$log") commits, expected $printed_epochs"
  local seen
  seen=$(committed_so_far "$log")
  local pids=("$(cat "$out.pid.0")" "$(cat "$out.pid.1")")
  if [ "$victims" = rank1 ]; then
    kill -9 "${pids[1]}" 2>/dev/null || true  # the launcher takes the other rank down
  else
    kill -9 "${pids[@]}" 2>/dev/null || true
    kill -9 -- "-$job" 2>/dev/null || true
  fi
  wait_until 60 gone "${pids[@]}" || fail "$name: ranks still alive after SIGKILL"
  kill -9 -- "-$job" 2>/dev/null || true
  wait "$job" 2>/dev/null || true

  if grep -q '^finished' "$log"; then
    fail "$name: the writer finished although it was held at $hold"
    return
  fi
  [ -e "$out" ] && fail "$name: $out exists although the run never finished"
  if [ "$printed_epochs" -eq 0 ]; then
    # Killed while creating: nothing to resume, and resume says so.
    [ -e "$out.partial" ] && fail "$name: killed during create, yet $out.partial exists"
    # shellcheck disable=SC2086
    run "$name-resume" 120 $TSWEEP_MPIEXEC -np "$resume_np" "$WRITER" resume "$out" --rows $ROWS --epochs 7
    expect_rc "$name-resume" 2
    expect_in "$name-resume" "$ERR" "no partial results at $out.partial to resume"
    pass "$name: killed during create, nothing left that looks like a result"
    return
  fi
  # shellcheck disable=SC2086
  run "$name-resume" 300 $TSWEEP_MPIEXEC -np "$resume_np" "$WRITER" resume "$out" --rows $ROWS --epochs 7
  expect_rc "$name-resume" 0
  local resumed
  resumed=$(grep '^resumed' "$WORK/$name-resume.out" | cut -d' ' -f2)
  [ "${resumed:-x}" = "$seen" ] && pass "$name: resumed with the $seen units reported committed" ||
    fail "$name: resumed with ${resumed:-?} committed units, but $seen were reported committed"
  run "$name-h5diff" 120 h5diff --exclude-path /provenance "$WORK/reference.h5" "$out"
  expect_rc "$name-h5diff" 0
  run "$name-bytes" 120 "$PYTHON" "$CHECK" compare "$WORK/reference.h5" "$out"
  expect_rc "$name-bytes" 0
}

# name           hold point              held  epochs printed  resume at
trial during_create results.create          "0 1" 0  2
trial between_epochs epoch.committed:3      "0 1" 3  2
trial mid_write     results.write:5         "0 1" 4  1
trial before_commit results.commit:9        "0 1" 8  2
trial late_one_rank results.write:25@1      "1"   24 1 rank1
trial late          epoch.committed:$EPOCHS "0 1" $EPOCHS 2
finish
