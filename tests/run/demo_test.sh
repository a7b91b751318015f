#!/usr/bin/env bash
# The demo config (configs/demo.yaml) runs as scripts/demo.sh runs it, on a
# freshly generated store, and its results read back with h5py.
source "$(dirname "$0")/../e2e/lib.sh"
src=${TSWEEP_SOURCE_DIR:?}
mkdir -p "$WORK/configs" "$WORK/demo"
cp "$src/configs/demo.yaml" "$WORK/configs/"
run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/demo/store.h5" --streams 16 --duration 30min --corrupt 2
expect_rc gen 0
run demo 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/configs/demo.yaml"
expect_rc demo 0
"$PYTHON" "$src/scripts/read_results.py" "$WORK/demo/results.h5" >"$WORK/read.out" && pass "read_results.py reads the demo results" || fail "read_results.py failed"
expect_in read "$(cat "$WORK/read.out")" "bed0000/ECG_II"
for cfg in "$src"/configs/*.yaml; do
  # Every example config is valid (its paths need not exist here).
  run "check_$(basename "$cfg")" 30 "$TSWEEP" run "$cfg" --set "store=$WORK/demo/store.h5" --set "output=$WORK/check.h5" --force
  case "$(basename "$cfg")" in
    demo.yaml) expect_rc "check_$(basename "$cfg")" 0 ;;
    *) expect_not_in "check_$(basename "$cfg")" "$ERR" "unknown key" ;;
  esac
  rm -f "$WORK/check.h5"
done
finish
