#!/usr/bin/env bash
# Every byte of a store's superblock flipped in turn: inspect, verify and run
# fail within seconds with exit 2 and one line, never hang (HDF5's SWMR read
# retries a bad checksum with a doubling sleep) and never crash.
source "$(dirname "$0")/../e2e/lib.sh"

run gen 120 "$TSWEEP" generate "$WORK/store.h5" --streams 2 --duration 10min --seed 3
expect_rc gen 0
cat > "$WORK/job.yaml" <<YAML
store: bad.h5
output: out.h5
window: 1min
YAML
flip() { # flip OFFSET: the store with the byte at OFFSET inverted, as $WORK/bad.h5
  cp "$WORK/store.h5" "$WORK/bad.h5"
  "$PYTHON" - "$WORK/bad.h5" "$1" <<'PY'
import sys
path, at = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(at); b = f.read(1); f.seek(at); f.write(bytes([b[0] ^ 0xFF]))
PY
}
one_error_line() { # NAME
  local n
  n=$(grep -c "error" "$WORK/$1.err" || true)
  [ "$n" -eq 1 ] && pass "$1: one error line" || fail "$1: $n error lines: $ERR"
}
# Superblock version 3: 48 bytes (signature, versions, flags, addresses, checksum).
for at in $(seq 0 47); do
  flip "$at"
  for cmd in inspect verify; do
    run "$cmd.$at" 20 "$TSWEEP" "$cmd" "$WORK/bad.h5"
    expect_rc "$cmd.$at" 2
    one_error_line "$cmd.$at"
  done
done
for at in 11 37 44; do
  flip "$at"
  run "verify2.$at" 30 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" verify "$WORK/bad.h5"
  expect_rc "verify2.$at" 2
  one_error_line "verify2.$at"
  for np in 1 2; do
    run "run$np.$at" 30 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml"
    expect_rc "run$np.$at" 2
    one_error_line "run$np.$at"
    [ ! -e "$WORK/out.h5" ] && [ ! -e "$WORK/out.h5.partial" ] && pass "run$np.$at: no result" || fail "run$np.$at: left a result"
  done
done
finish
