#!/usr/bin/env bash
# `tsweep generate` under mpiexec at 1, 2 and 4 ranks writes identical stores
# (every table and every byte, so identical decoded samples); `tsweep verify`
# at 1, 2 and 4 ranks finds exactly the blocks generate damaged (and checks
# every other block's summary against its samples); bad input
# exits 2 on every rank and leaves files as they were.
source "$(dirname "$0")/../e2e/lib.sh"
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "python3-h5py is not installed"
here=$(dirname "$0")

for np in 1 2 4; do
  run gen_np$np 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" generate "$WORK/g$np.h5" --streams 27 --duration 25min \
    --block-samples 4000 --corrupt 6 --corrupt-list "$WORK/corrupt$np.json" --round-samples 200000 --json
  expect_rc gen_np$np 0
  expect_in gen_np$np "$OUT" '"independent_transfers": 0'
done
run identical 120 "$PYTHON" "$here/compare_stores.py" "$WORK/g1.h5" "$WORK/g2.h5" "$WORK/g4.h5"
expect_rc identical 0
expect_not_in identical "$OUT" DIFFERENT

# Decoded samples: per-stream raw count/min/max/sum equal whatever the writer's rank count.
for np in 1 2 4; do
  run stats$np 120 "$TSWEEP" inspect "$WORK/g$np.h5" --stats --json
  expect_rc stats$np 0
  "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps([(s["name"], s["raw"]) for s in d["streams"]]))' \
    "$WORK/stats$np.out" >"$WORK/raw$np.json"
done
cmp -s "$WORK/raw1.json" "$WORK/raw2.json" && cmp -s "$WORK/raw1.json" "$WORK/raw4.json" \
  && pass "decoded samples identical at 1, 2, 4 ranks" || fail "decoded samples differ between rank counts"

# verify at 1, 2, 4 ranks finds exactly the damaged blocks, with stream and time range.
for np in 1 2 4; do
  run verify_np$np 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" verify "$WORK/g1.h5" --json
  expect_rc verify_np$np 1
  "$PYTHON" - "$WORK/verify_np$np.out" "$WORK/corrupt1.json" <<'PY' && pass "verify np$np found exactly the damaged blocks" || fail "verify np$np: wrong bad-block list"
import json, sys
report, listed = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["corrupted"]
found = [(b["block"], b["name"], b["first_ns"], b["last_ns"]) for b in report["bad"]]
want = [(c["block"], c["name"], c["first_ns"], c["last_ns"]) for c in listed]
print("found", found)
print("want ", want)
assert len(want) == 6 and found == want and report["bad_blocks"] == 6
assert all("checksum mismatch" in b["reason"] for b in report["bad"])
# Every other block's index row carries a summary equal to that of its decoded samples.
assert report["block_summaries"] and report["summaries_checked"] == report["blocks"] - 6, report["summaries_checked"]
PY
done
run verify_text 120 "$TSWEEP" verify "$WORK/g1.h5"
expect_rc verify_text 1
expect_in verify_text "$OUT" "6 bad"
expect_in verify_text "$OUT" "bad block"

# A clean store verifies with exit 0.
run gen_clean 120 "$TSWEEP" generate "$WORK/clean.h5" --streams 9 --duration 5min
expect_rc gen_clean 0
run verify_clean 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" verify "$WORK/clean.h5"
expect_rc verify_clean 0
expect_in verify_clean "$OUT" "0 bad"

# Bad input: exit 2 on every rank, no hang, nothing changed.
before=$(md5sum <"$WORK/g1.h5")
run exists 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/g1.h5" --streams 3
expect_rc exists 2
expect_in exists "$ERR" "already exists"
[ "$(md5sum <"$WORK/g1.h5")" = "$before" ] && pass "existing store untouched" || fail "existing store changed"
run bad_duration 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/x.h5" --duration 10
expect_rc bad_duration 2
expect_in bad_duration "$ERR" "--duration"
[ ! -e "$WORK/x.h5" ] && pass "no store left behind" || fail "a store was left behind"
ls "$WORK" | grep -q partial && fail "a partial file was left behind" || pass "no partial file left"
echo "not a store" >"$WORK/foreign.h5"
for np in 1 2 4; do
  run foreign_np$np 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" verify "$WORK/foreign.h5"
  expect_rc foreign_np$np 2
  expect_in foreign_np$np "$ERR" "not an HDF5 file"
  run missing_np$np 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" inspect "$WORK/missing.h5"
  expect_rc missing_np$np 2
  expect_in missing_np$np "$ERR" "does not exist"
done
finish
