# Helpers for end-to-end tests of the tsweep CLI. Source it from a test script.
# The test driver (cmake/TsweepTesting.cmake) sets TSWEEP, TSWEEP_MPIEXEC,
# TSWEEP_MPIEXEC_BARE, TSWEEP_SHARED_DATA and PYTHON.
set -euo pipefail

: "${TSWEEP:?TSWEEP (path to the tsweep binary) is not set}"
: "${TSWEEP_MPIEXEC:?TSWEEP_MPIEXEC is not set}"
TSWEEP_MPIEXEC_BARE=${TSWEEP_MPIEXEC_BARE:-$TSWEEP_MPIEXEC}
PYTHON=${PYTHON:-/usr/bin/python3}
NCPU=$(nproc)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsweep-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILURES=0
PASSES=0
FAILED=()

# A passed check prints nothing unless TSWEEP_TEST_VERBOSE=1, so that a failing
# test's output is its failures, not hundreds of passes around them.
fail() {
  local m="$*"
  echo "FAIL: $m" >&2
  FAILURES=$((FAILURES + 1))
  FAILED+=("${m:0:400}")
}
pass() { PASSES=$((PASSES + 1)); [ "${TSWEEP_TEST_VERBOSE:-0}" != 1 ] || echo "ok: $*"; }

# skip REASON: exit with CTest's skip code, saying why the test cannot run here.
skip() { echo "SKIP: $*" >&2; exit 77; }

# run NAME TIMEOUT CMD...: runs CMD with a time limit, keeps stdout in
# $WORK/NAME.out, stderr in $WORK/NAME.err and the exit code in RC.
run() {
  local name=$1 limit=$2
  shift 2
  set +e
  timeout --kill-after=5 "$limit" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  RC=$?
  set -e
  OUT=$(cat "$WORK/$name.out")
  ERR=$(cat "$WORK/$name.err")
  if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then fail "$name: timed out after ${limit}s (hang)"; fi
}

expect_rc() { [ "$RC" -eq "$2" ] && pass "$1: exit $RC" || fail "$1: exit $RC, expected $2; stderr: $ERR"; }
expect_in() { # expect_in NAME TEXT NEEDLE
  case "$2" in *"$3"*) pass "$1: has '$3'" ;; *) fail "$1: '$3' not found in: $2" ;; esac
}
expect_not_in() {
  case "$2" in *"$3"*) fail "$1: unexpected '$3' in: $2" ;; *) pass "$1: no '$3'" ;; esac
}

# stop_resume_fixture: the store ($WORK/store.h5, 32 streams x 3 h, two damaged
# blocks) and job ($WORK/job.yaml: 10 s windows, small units, 2 ms epochs: a few
# units each, so that a run has hundreds of epochs to be stopped at) that
# the stop, kill and resume tests interrupt.
stop_resume_fixture() {
  run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 32 --duration 3h \
    --block-samples 4096 --corrupt 2 --seed 3
  expect_rc gen 0
  cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: out.h5
window: 10s
unit_samples: 20000
checkpoint_interval: 2ms
YAML
}

# Hold points (include/tsweep/exec/hold.hpp): a held rank writes MARKER.<rank>.
# wait_until SECONDS CONDITION...: polls CONDITION every 20 ms; false once SECONDS have passed.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.02
  done
}
held() { local r; for r in "${@:2}"; do [ -s "$1.$r" ] || return 1; done; }
# held_or_gone PID MARKER RANKS...: the ranks are held, or PID has exited (and never will be).
held_or_gone() { held "${@:2}" || ! kill -0 "$1" 2>/dev/null; }
exited() { ! kill -0 "$1" 2>/dev/null; }

# start_held NAME HOLD MARKER "RANKS" CMD...: starts CMD in the background with
# hold point HOLD armed (stdout and stderr in $WORK/NAME.out and .err) and
# sets HELD_PID; returns 1, with the failure counted and CMD killed, unless
# every one of RANKS is held within 120 s.
start_held() {
  local name=$1 hold=$2 marker=$3 ranks=$4
  shift 4
  TSWEEP_TEST_HOLD=$hold TSWEEP_TEST_HOLD_MARKER=$marker "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  HELD_PID=$!
  # shellcheck disable=SC2086
  if ! { wait_until 120 held_or_gone "$HELD_PID" "$marker" $ranks && held "$marker" $ranks; }; then
    fail "$name: never reached hold point $hold; stderr: $(tail -n 5 "$WORK/$name.err")"
    kill -9 "$HELD_PID" 2>/dev/null || true
    wait "$HELD_PID" 2>/dev/null || true
    return 1
  fi
}

# signal_held NAME SIGNAL TARGET MARKER "RANKS" WANT_RC: sends SIGNAL to the job
# start_held started (TARGET "ranks": to each held rank's pid; else to the
# launched process), waits up to 30 s for it to end, and checks its exit
# status against WANT_RC; sets RC and ERR (its stderr) as run() does.
signal_held() {
  local name=$1 signal=$2 target=$3 marker=$4 ranks=$5 want=$6 r
  if [ "$target" = ranks ]; then
    for r in $ranks; do kill -"$signal" "$(cat "$marker.$r")"; done
  else
    kill -"$signal" "$HELD_PID"
  fi
  if ! wait_until 30 exited "$HELD_PID"; then
    fail "$name: still running 30 s after SIG$signal"
    kill -9 "$HELD_PID" 2>/dev/null || true
  fi
  RC=0
  wait "$HELD_PID" || RC=$?
  ERR=$(cat "$WORK/$name.err")
  [ "$RC" -eq "$want" ] && pass "$name: exit $RC" || fail "$name: exit $RC, expected $want; stderr: $ERR"
}

# threads_of JSON_FILE: the threads column of `tsweep info --json`, space-separated.
threads_of() {
  "$PYTHON" -c 'import json,sys; print(" ".join(str(r["threads"]) for r in json.load(open(sys.argv[1]))["ranks"]))' "$1"
}

finish() {
  if [ "$FAILURES" -gt 0 ]; then
    echo "$FAILURES check(s) failed, $PASSES passed:" >&2
    printf '  %s\n' "${FAILED[@]}" >&2
    exit 1
  fi
  echo "all $PASSES checks passed"
}
