#!/usr/bin/env bash
# `tsweep export` stops and resumes like `tsweep run`: SIGUSR1 to mpirun, SIGTERM
# to a rank, SIGINT to a singleton, each at a held moment (inside a unit, after
# an epoch's commit; TSWEEP_TEST_HOLD, no sleeps), commit the epoch, say how to
# resume, exit 75; a second export of the same output while one runs exits 73;
# SIGKILL at a held moment leaves a partial file; `--resume` (at another rank
# count) completes each to a file identical, outside /tsweep/provenance, to an
# uninterrupted export.
source "$(dirname "$0")/../e2e/lib.sh"
export TSWEEP_TEST_HOLD_TIMEOUT=120

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 16 --duration 30min \
  --block-samples 4096 --corrupt 2 --seed 3
expect_rc gen 0
cat > "$WORK/job.yaml" <<YAML
store: store.h5
streams: ["*/ECG*", "*/ABP", "*/RESP"]
unit_samples: 20000
checkpoint_interval: 2ms
export:
  output: out.h5
  chunk: {time: 4096}
YAML
run reference 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" export "$WORK/job.yaml" --set "export.output=$WORK/reference.h5"
expect_rc reference 0
expect_in reference "$ERR" "corrupt block"

# interrupt NAME LAUNCH SIGNAL TARGET HOLD HELD_RANKS EXPECT_RC RESUME_NP
interrupt() {
  local name=$1 launch=$2 signal=$3 target=$4 hold=$5 held_ranks=$6 want_rc=$7 resume_np=$8
  local marker="$WORK/$name.hold" out="$WORK/$name.h5"
  local cmd=("$TSWEEP" export "$WORK/job.yaml" --set "export.output=$out")
  # shellcheck disable=SC2206
  [ "$launch" = singleton ] || cmd=($TSWEEP_MPIEXEC -np "${launch#mpiexec:}" "${cmd[@]}")
  start_held "$name" "$hold" "$marker" "$held_ranks" "${cmd[@]}" || return
  if [ "$name" = usr1_mpirun ]; then  # one writer: a second export of the held output is refused
    run "$name.second" 60 "$TSWEEP" export "$WORK/job.yaml" --set "export.output=$out" --resume
    expect_rc "$name.second" 73
    expect_in "$name.second" "$ERR" "pid"
  fi
  signal_held "$name" "$signal" "$target" "$marker" "$held_ranks" "$want_rc"
  local err=$ERR
  if [ "$signal" != KILL ]; then
    expect_in "$name" "$err" "stopped by SIG"
    expect_in "$name" "$err" "tsweep export $WORK/job.yaml --set 'export.output=$out' --resume"
    expect_not_in "$name" "$err" "MPI_ABORT"
    expect_not_in "$name" "$err" "error:"
  fi
  [ -e "$out.partial" ] && [ ! -e "$out" ] && pass "$name: partial export kept" || fail "$name: no $out.partial, or $out exists"
  local committed
  committed=$(sed -n 's/.*after committing \([0-9]*\) of.*/\1/p' <<<"$err" | head -n 1)
  run "$name.resume" 300 $TSWEEP_MPIEXEC -np "$resume_np" "$TSWEEP" export "$WORK/job.yaml" --set "export.output=$out" --resume
  expect_rc "$name.resume" 0
  if [ "${committed:-0}" -gt 0 ]; then expect_in "$name.resume" "$ERR" "($committed already committed)"; fi
  h5diff --exclude-path /tsweep/provenance "$WORK/reference.h5" "$out" >/dev/null &&
    pass "$name: resumed export identical to the uninterrupted one" || fail "$name: resumed export differs"
}

# name          launch     signal target   hold point         held   exit resume at
interrupt usr1_mpirun mpiexec:2 USR1 launcher job.unit:20@0     "0"    75   1
interrupt usr1_ranks  mpiexec:2 USR1 ranks    epoch.committed:3 "0 1"  75   2
interrupt term_rank   mpiexec:1 TERM ranks    job.unit:15       "0"    75   2
interrupt int_alone   singleton INT  launcher job.unit:10       "0"    75   1
interrupt kill_commit singleton KILL launcher export.commit:4   "0"    137  2

# A finished export is left alone by --resume.
run again 60 "$TSWEEP" export "$WORK/job.yaml" --set "export.output=$WORK/reference.h5" --resume
expect_rc again 0
expect_in again "$ERR" "already complete"
finish
