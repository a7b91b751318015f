#!/usr/bin/env bash
# One byte flipped in one row of /streams, /blocks/runs or /blocks/index of a
# generated store (row checksum left as it was): `tsweep verify` exits 1 and
# names the table and row; `tsweep run` either refuses (exit 2, one error line
# naming the table and row) or flags the block whose index row is damaged as
# corrupt (counted in the summary and in the results' corrupt_blocks column;
# fatal with on_corrupt: fail). Never exit 0 with nothing flagged. Aimed flips
# of the fields readers rely on, then random bytes of random rows; and flips of
# an index row's block summary with the row re-sealed, which verify names.
source "$(dirname "$0")/../e2e/lib.sh"
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "python3-h5py is not installed"
here=$(dirname "$0")
RANDOM_FLIPS=${RANDOM_FLIPS:-24}

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/clean.h5" --streams 8 --duration 6min \
  --block-samples 4000 --seed 3
expect_rc gen 0
cat >"$WORK/job.yaml" <<YAML
store: store.h5
output: out.h5
window: 30s
analyses: [stats, quality]
unit_samples: 40000
YAML

# corrupt_sum RESULTS: the sum of the results' corrupt_blocks column.
corrupt_sum() {
  "$PYTHON" -c 'import h5py,sys; print(int(h5py.File(sys.argv[1], "r")["windows/corrupt_blocks"][:].sum()))' "$1"
}

cp "$WORK/clean.h5" "$WORK/store.h5"
run clean_verify 60 "$TSWEEP" verify "$WORK/store.h5"
expect_rc clean_verify 0
expect_in clean_verify "$OUT" "0 bad blocks, 0 bad table rows"
run clean_run 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --force --json --set "output=$WORK/clean_out.h5"
expect_rc clean_run 0
expect_in clean_run "$OUT" '"corrupt_blocks": 0'

REFUSED=0
FLAGGED=0
# check NAME TABLE ROW NP: store.h5 was damaged in row ROW of TABLE; verify
# (at NP ranks) and run (at NP ranks) must notice.
check() {
  local name=$1 table=$2 row=$3 np=$4
  run "$name.verify" 60 $TSWEEP_MPIEXEC -np "$np" "$TSWEEP" verify "$WORK/store.h5" --json
  expect_rc "$name.verify" 1
  if "$PYTHON" - "$WORK/$name.verify.out" "$table" "$row" <<'PY'; then
import json, sys
report, table, row = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
named = any(p["table"] == table and p["row"] == row for p in report["row_problems"])
named |= table == "/blocks/index" and any(b["block"] == row and f"/blocks/index row {row}" in b["reason"]
                                          for b in report["bad"])
sys.exit(0 if named else 1)
PY
    pass "$name: verify names $table row $row"
  else
    fail "$name: verify does not name $table row $row: $(head -c 600 "$WORK/$name.verify.out")"
  fi
  run "$name.run" 60 $TSWEEP_MPIEXEC -np "$np" "$TSWEEP" run "$WORK/job.yaml" --force --json \
    --set "output=$WORK/$name.h5"
  if [ "$RC" -eq 2 ]; then
    REFUSED=$((REFUSED + 1))
    expect_in "$name.run" "$ERR" "$table row $row"
    lines=$(grep -c "error" "$WORK/$name.run.err" || true)
    [ "$lines" -eq 1 ] && pass "$name.run: refused with one error line" || fail "$name.run: $lines error lines: $ERR"
    [ ! -e "$WORK/$name.h5" ] && pass "$name.run: no finished result" || fail "$name.run: $name.h5 exists"
  elif [ "$RC" -eq 0 ]; then
    FLAGGED=$((FLAGGED + 1))
    [ "$table" = /blocks/index ] && pass "$name.run: went on past a damaged index row" \
      || fail "$name.run: exit 0 although $table row $row is damaged"
    expect_not_in "$name.run" "$OUT" '"corrupt_blocks": 0'
    expect_in "$name.run" "$ERR" "corrupt block $row "
    sum=$(corrupt_sum "$WORK/$name.h5")
    [ "$sum" -ge 1 ] && pass "$name.run: $sum window(s) flag the corrupt block" || fail "$name.run: no window flagged"
  else
    fail "$name.run: exit $RC, expected 2 (refused) or 0 with the block flagged; stderr: $ERR"
  fi
}

# Aimed flips: the fields a reader follows or sums, in rows away from the tables' ends.
aimed() {
  local name=$1 table=$2 row=$3 field=$4 byte=$5
  cp "$WORK/clean.h5" "$WORK/store.h5"
  "$PYTHON" "$here/flip_row.py" "$WORK/store.h5" "$table" "$row" "$field" "$byte" >/dev/null
  check "$name" "$table" "$row" 2
}
aimed run_first_ns /blocks/runs 3 first_ns 1
aimed run_last_ns /blocks/runs 5 last_ns 0
aimed stream_sample_count /streams 2 sample_count 0
aimed stream_first_ns /streams 6 first_ns 2
aimed index_checksum /blocks/index 40 checksum 3
aimed index_length /blocks/index 41 length 0
aimed index_offset /blocks/index 77 offset 1
aimed_refused=$REFUSED
aimed_flagged=$FLAGGED
[ "$aimed_refused" -eq 4 ] && [ "$aimed_flagged" -eq 3 ] && pass "aimed: 4 refused, 3 flagged" \
  || fail "aimed: $aimed_refused refused, $aimed_flagged flagged (expected 4 and 3)"

# An index row the run cannot trust is fatal with on_corrupt: fail.
cp "$WORK/clean.h5" "$WORK/store.h5"
"$PYTHON" "$here/flip_row.py" "$WORK/store.h5" /blocks/index 41 length 0 >/dev/null
run fail_on_corrupt 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --force --set on_corrupt=fail \
  --set "output=$WORK/fail.h5"
expect_rc fail_on_corrupt 2
expect_in fail_on_corrupt "$ERR" "block 41"
expect_in fail_on_corrupt "$ERR" "on_corrupt: fail"

# A summary field flipped and its row re-sealed: the row checksum cannot see it,
# verify (which summarises every decoded block again) must, naming the block and
# its index row. (A run relies on sealed rows without decoding them to check.)
for flip in "nan_count 0" "out_of_range 0" "longest_flat 1" "first 0" "max 1" "sum_lo 2" "squares0 5" "squares2 0"; do
  set -- $flip
  row=$((20 + ${#1}))
  cp "$WORK/clean.h5" "$WORK/store.h5"
  "$PYTHON" "$here/flip_row.py" "$WORK/store.h5" /blocks/index "$row" "$1" "$2" 0x08 --reseal >/dev/null
  for np in 1 2; do
    run "sealed_$1.np$np" 60 $TSWEEP_MPIEXEC -np "$np" "$TSWEEP" verify "$WORK/store.h5" --json
    expect_rc "sealed_$1.np$np" 1
    "$PYTHON" - "$WORK/sealed_$1.np$np.out" "$row" "$1" <<'PY' && pass "sealed $1 flip: verify np$np names block $row" \
      || fail "sealed $1 flip: verify np$np does not name block $row: $(head -c 600 "$WORK/sealed_$1.np$np.out")"
import json, sys
report, row, field = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
assert report["bad_blocks"] == 1 and report["bad_rows"] == 0, report
b = report["bad"][0]
assert b["block"] == row, b
assert f"/blocks/index row {row} has a summary that disagrees" in b["reason"] and f"({field}: index" in b["reason"], b
assert report["summaries_checked"] == report["blocks"]
PY
  done
done

# Random flips: any byte of any row of the three tables, one bit.
REFUSED=0
FLAGGED=0
for seed in $(seq 1 "$RANDOM_FLIPS"); do
  cp "$WORK/clean.h5" "$WORK/store.h5"
  what=$("$PYTHON" "$here/flip_row.py" "$WORK/store.h5" --random "$seed")
  table=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["table"])' "$what")
  row=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["row"])' "$what")
  echo "random $seed: $what"
  check "random$seed" "$table" "$row" 1
done
echo "random flips: $REFUSED refused, $FLAGGED flagged of $RANDOM_FLIPS"
[ $((REFUSED + FLAGGED)) -eq "$RANDOM_FLIPS" ] && pass "every random flip refused or flagged" \
  || fail "random flips: only $REFUSED refused and $FLAGGED flagged of $RANDOM_FLIPS"
finish
