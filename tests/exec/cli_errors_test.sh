#!/usr/bin/env bash
# Bad flags and unknown subcommands: one clear line, exit 2, at every rank count, no hang.
source "$(dirname "$0")/../e2e/lib.sh"

for np in 1 2 4; do
  for args in "--bogus info" "frobnicate" "info --nope" "--threads 0 info" "--log-level loud info" ""; do
    name="np${np}_$(echo "$args" | tr -c 'a-z0-9' '_')"
    # shellcheck disable=SC2086
    run "$name" 60 $TSWEEP_MPIEXEC -np $np "$TSWEEP" $args
    expect_rc "$name" 2
    lines=$(grep -c '^tsweep: error:' "$WORK/$name.err" || true)
    [ "$lines" -eq 1 ] && pass "$name: one error line" || fail "$name: $lines error lines: $ERR"
  done
done

run help 30 "$TSWEEP" --help
expect_rc help 0
expect_in help "$OUT" "info"
finish
