#!/usr/bin/env bash
# Help, the version and a bad command line are answered without starting MPI,
# alone and under mpiexec, with the output and exit codes that they had when
# they did start it. A preloaded PMPI probe ($1) logs every MPI_Init.
source "$(dirname "$0")/../e2e/lib.sh"
PROBE=${1:?usage: cli_no_mpi_test.sh MPI_INIT_PROBE_LIBRARY}
LOG=$WORK/mpi_init.log
probed=(env LD_PRELOAD="$PROBE" TSWEEP_TEST_MPI_INIT_LOG="$LOG")

# check NAME RC [mpiexec args --] ARGS...: exit RC, and MPI never started.
check() {
  local name=$1 rc=$2
  shift 2
  rm -f "$LOG"
  run "$name" 60 "${probed[@]}" "$TSWEEP" "$@"
  expect_rc "$name" "$rc"
  [ -s "$LOG" ] && fail "$name: started MPI ($(tr '\n' ' ' <"$LOG"))" || pass "$name: MPI not started"
}
one_error_line() { # one_error_line NAME TEXT: stderr is that one line, stdout is empty
  local want="tsweep: error: $2 (see 'tsweep --help')"
  [ "$ERR" = "$want" ] && pass "$1: one line" || fail "$1: stderr '$ERR', expected '$want'"
  [ -z "$OUT" ] && pass "$1: nothing on stdout" || fail "$1: stdout: $OUT"
}

# The probe sees MPI start in a command that runs; otherwise the checks below prove nothing.
rm -f "$LOG"
run control 60 "${probed[@]}" "$TSWEEP" info --json
expect_rc control 0
grep -q MPI_Init "$LOG" 2>/dev/null && pass "control: the probe saw MPI start" || fail "control: the probe saw no MPI_Init"

check help 0 --help
expect_in help "$OUT" "Usage: tsweep [OPTIONS] [SUBCOMMAND]"
for c in info generate inspect verify ingest recover run; do expect_in help "$OUT" "  $c "; done
[ -z "$ERR" ] && pass "help: nothing on stderr" || fail "help: stderr: $ERR"
check help_short 0 -h
expect_in help_short "$OUT" "Usage: tsweep [OPTIONS] [SUBCOMMAND]"
for c in info generate inspect verify ingest recover run; do
  check "${c}_help" 0 "$c" --help
  expect_in "${c}_help" "$OUT" "Usage: tsweep $c"
done
check version 0 --version
for line in "tsweep " "  MPI:    " "  HDF5:   " "  Kokkos: " "  spdlog: "; do expect_in version "$OUT" "$line"; done
[ "$(wc -l <"$WORK/version.out")" -eq 5 ] && pass "version: 5 lines" || fail "version: $OUT"
check version_before_command 0 --version info
[ "$OUT" = "$(cat "$WORK/version.out")" ] && pass "version_before_command: same text" || fail "version_before_command: $OUT"

check no_command 2
one_error_line no_command "a subcommand is required"
check unknown_command 2 frobnicate
one_error_line unknown_command "The following argument was not expected: frobnicate"
check unknown_global_option 2 --bogus info
one_error_line unknown_global_option "The following argument was not expected: --bogus"
check unknown_command_option 2 info --nope
one_error_line unknown_command_option "The following argument was not expected: --nope"
check bad_threads 2 --threads 0 info
one_error_line bad_threads "--threads: Value 0 not in range 1 to 4096"
check bad_log_level 2 --log-level loud info
one_error_line bad_log_level "--log-level: expected one of trace, debug, info, warn, error, off; got 'loud'"
check ingest_without_store 2 ingest
one_error_line ingest_without_store "store is required"
check ingest_without_inputs 2 ingest "$WORK/store.h5"
one_error_line ingest_without_inputs "inputs is required"
check run_without_config 2 run
one_error_line run_without_config "config is required"
[ -e "$WORK/store.h5" ] && fail "ingest_without_inputs: made a store" || pass "ingest_without_inputs: no store made"

# Under mpiexec: every rank exits without MPI, rank 0 prints once, and the
# launcher reports nothing but the exit code (no rank killed, none that
# skipped MPI_Finalize, no abort).
mpi_check() { # mpi_check NAME RC ARGS...
  local name=$1 rc=$2
  shift 2
  rm -f "$LOG"
  # shellcheck disable=SC2086
  run "$name" 60 $TSWEEP_MPIEXEC -np 2 "${probed[@]}" "$TSWEEP" "$@"
  expect_rc "$name" "$rc"
  [ -s "$LOG" ] && fail "$name: started MPI ($(tr '\n' ' ' <"$LOG"))" || pass "$name: MPI not started"
  for bad in finalize signal MPI_ABORT MPI_Init orte_ ORTE_ "not be able to"; do expect_not_in "$name" "$ERR" "$bad"; done
}
mpi_check np2_bad_option 2 --bogus info
lines=$(grep -c '^tsweep: error:' "$WORK/np2_bad_option.err" || true)
[ "$lines" -eq 1 ] && pass "np2_bad_option: one error line" || fail "np2_bad_option: $lines error lines: $ERR"
expect_in np2_bad_option "$ERR" "tsweep: error: The following argument was not expected: --bogus (see 'tsweep --help')"
mpi_check np2_missing_argument 2 ingest
lines=$(grep -c '^tsweep: error:' "$WORK/np2_missing_argument.err" || true)
[ "$lines" -eq 1 ] && pass "np2_missing_argument: one error line" || fail "np2_missing_argument: $lines error lines: $ERR"
mpi_check np2_help 0 --help
[ "$(grep -c '^Usage: tsweep' "$WORK/np2_help.out")" -eq 1 ] && pass "np2_help: printed once" || fail "np2_help: $OUT"
[ -z "$ERR" ] && pass "np2_help: nothing on stderr" || fail "np2_help: stderr: $ERR"
mpi_check np2_version 0 --version
[ "$OUT" = "$(cat "$WORK/version.out")" ] && pass "np2_version: printed once" || fail "np2_version: $OUT"
finish
