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

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

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

# threads_of JSON_FILE: the threads column of `tsweep info --json`, space-separated.
threads_of() {
  "$PYTHON" -c 'import json,sys; print(" ".join(str(r["threads"]) for r in json.load(open(sys.argv[1]))["ranks"]))' "$1"
}

finish() {
  if [ "$FAILURES" -gt 0 ]; then echo "$FAILURES check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
}
