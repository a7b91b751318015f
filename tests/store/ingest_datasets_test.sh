#!/usr/bin/env bash
# `tsweep ingest` of many datasets of one HDF5 file in one call and one
# transaction: a pattern, a list, both appended to a store; a bad dataset in
# the list leaves the store as it was; a pattern that matches nothing is one
# line and exit 2.
source "$(dirname "$0")/../e2e/lib.sh"
TIME=(--rate 100 --start 2024-01-01T00:00:00Z)
SRC=$WORK/sig.h5

"$PYTHON" - "$SRC" <<'PY'
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], "w") as f:
    for i in range(6):
        d = f.create_dataset(f"signals/ch{i}", data=((np.arange(1000 + 10 * i) * (i + 3)) % 701 - 350).astype(np.int16))
        d.attrs["units"] = "mV"
    f.create_dataset("signals/pair", data=np.arange(400, dtype=np.float32).reshape(200, 2) / 8)
    f.create_dataset("signals/sub/deep", data=np.arange(50, dtype=np.int32))  # not in /signals/*
    f.create_dataset("other/x", data=np.arange(70, dtype=np.int64) * 3)
    f.create_dataset("meta/text", data=np.array([b"not", b"numbers"]))
PY

# facts STORE_JSON_FILE NAME... : the store holds exactly these streams, each
# with the samples and raw sum of the dataset (or column) it came from.
facts() {
  "$PYTHON" - "$SRC" "$@" <<'PY'
import json, sys, h5py
src, report, names = sys.argv[1], sys.argv[2], sys.argv[3:]
streams = {s["name"]: s for s in json.load(open(report))["streams"]}
assert sorted(streams) == sorted(names), sorted(streams)
f = h5py.File(src, "r")
paths = {}  # dataset name -> its first path (visititems stops at a callback that returns a value)
def note(path, obj):
    if isinstance(obj, h5py.Dataset):
        paths.setdefault(path.rsplit("/", 1)[-1], path)
f.visititems(note)
for name in names:
    base = name.split("/", 1)[1]
    column = None
    if base not in paths:
        base, column = base.rsplit("_", 1)
    a = f[paths[base]][()]
    if column is not None:
        a = a[:, int(column)]
    s = streams[name]
    assert s["samples"] == len(a), (name, s["samples"], len(a))
    assert s["raw"]["count"] == len(a) and abs(s["raw"]["sum"] - float(a.astype(float).sum())) < 1e-6, (name, s["raw"])
    assert s["rate_hz"] == 100.0 and s["first"] == "2024-01-01T00:00:00Z", s
PY
}

# A pattern: every dataset directly in /signals (not /signals/sub/deep), one call.
run pattern 120 "$TSWEEP" ingest "$WORK/p.h5" "$SRC" --dataset '/signals/*' "${TIME[@]}" --json
expect_rc pattern 0
run pattern_inspect 60 "$TSWEEP" inspect "$WORK/p.h5" --stats --json
cp "$WORK/pattern_inspect.out" "$WORK/p.json"
facts "$WORK/p.json" sig/ch0 sig/ch1 sig/ch2 sig/ch3 sig/ch4 sig/ch5 sig/pair_0 sig/pair_1 &&
  pass "pattern: 8 streams, samples and sums of their datasets" || fail "pattern: $(cat "$WORK/p.json")"
"$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["streams"]) == 8 and all(s["created"] for s in r["streams"]), r' \
  "$WORK/pattern.out" && pass "pattern: one report of 8 new streams" || fail "pattern: report $OUT"

# Under mpiexec at 2 ranks: the same store.
run pattern_np2 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" ingest "$WORK/p2.h5" "$SRC" --dataset '/signals/*' "${TIME[@]}"
expect_rc pattern_np2 0
run pattern_np2_inspect 60 "$TSWEEP" inspect "$WORK/p2.h5" --stats --json
cp "$WORK/pattern_np2_inspect.out" "$WORK/p2.json"
facts "$WORK/p2.json" sig/ch0 sig/ch1 sig/ch2 sig/ch3 sig/ch4 sig/ch5 sig/pair_0 sig/pair_1 &&
  pass "pattern_np2: 8 streams" || fail "pattern_np2: $(cat "$WORK/p2.json")"

# A list: commas and repeats, a path without its leading '/', a dataset in a subgroup.
run list 120 "$TSWEEP" ingest "$WORK/l.h5" "$SRC" --dataset /signals/ch0,signals/ch1 --dataset /other/x \
  --dataset /signals/sub/deep "${TIME[@]}"
expect_rc list 0
run list_inspect 60 "$TSWEEP" inspect "$WORK/l.h5" --stats --json
cp "$WORK/list_inspect.out" "$WORK/l.json"
facts "$WORK/l.json" sig/ch0 sig/ch1 sig/x sig/deep && pass "list: 4 streams" || fail "list: $(cat "$WORK/l.json")"

# Appended to an existing store in one call: a bracket pattern, and a path the pattern also matches (once).
run append 120 "$TSWEEP" ingest "$WORK/l.h5" "$SRC" --dataset '/signals/ch[23]' --dataset /signals/ch3 "${TIME[@]}"
expect_rc append 0
run append_inspect 60 "$TSWEEP" inspect "$WORK/l.h5" --stats --json
cp "$WORK/append_inspect.out" "$WORK/l2.json"
facts "$WORK/l2.json" sig/ch0 sig/ch1 sig/x sig/deep sig/ch2 sig/ch3 && pass "append: 6 streams" ||
  fail "append: $(cat "$WORK/l2.json")"

# A bad dataset in the list: nothing is committed, one line names it.
before=$(sha256sum <"$WORK/l.h5")
run bad_in_list 120 "$TSWEEP" ingest "$WORK/l.h5" "$SRC" --dataset /signals/ch4,/meta/text,/signals/ch5 "${TIME[@]}"
expect_rc bad_in_list 2
[ "$(wc -l <"$WORK/bad_in_list.err")" -eq 1 ] && pass "bad_in_list: one line" || fail "bad_in_list: $ERR"
expect_in bad_in_list "$ERR" "/meta/text"
[ "$(sha256sum <"$WORK/l.h5")" = "$before" ] && pass "bad_in_list: store unchanged" || fail "bad_in_list: store changed"
run bad_in_list_inspect 60 "$TSWEEP" inspect "$WORK/l.h5" --json
"$PYTHON" -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["streams"]) == 6' "$WORK/bad_in_list_inspect.out" &&
  pass "bad_in_list: still 6 streams" || fail "bad_in_list: $OUT"

# A dataset refused only while writing (its stream exists with another type)
# and one that gives committed samples again: the store keeps what it had.
"$PYTHON" - "$SRC" <<'PY'
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], "a") as f:
    f["late/ch1"] = np.arange(10, dtype=np.float64)
PY
summary() { "$PYTHON" -c 'import json,sys; print(sorted((s["name"], s["samples"], s["blocks"]) for s in json.load(open(sys.argv[1]))["streams"]))' "$1"; }
summary "$WORK/bad_in_list_inspect.out" >"$WORK/l.summary"
run late_conflict 120 "$TSWEEP" ingest "$WORK/l.h5" "$SRC" --dataset /signals/ch4,/late/ch1 "${TIME[@]}"
expect_rc late_conflict 2
[ "$(wc -l <"$WORK/late_conflict.err")" -eq 1 ] && pass "late_conflict: one line" || fail "late_conflict: $ERR"
expect_in late_conflict "$ERR" "stream 'sig/ch1' exists with a different"
run overlap 120 "$TSWEEP" ingest "$WORK/l.h5" "$SRC" --dataset '/signals/ch[45]' --dataset /signals/ch0 "${TIME[@]}"
expect_rc overlap 2
[ "$(wc -l <"$WORK/overlap.err")" -eq 1 ] && pass "overlap: one line" || fail "overlap: $ERR"
expect_in overlap "$ERR" "stream 'sig/ch0' already holds samples"
run after_refusals 60 "$TSWEEP" inspect "$WORK/l.h5" --json
[ "$(summary "$WORK/after_refusals.out")" = "$(cat "$WORK/l.summary")" ] && pass "refusals: streams as before" ||
  fail "refusals: $(summary "$WORK/after_refusals.out") != $(cat "$WORK/l.summary")"
run verify_after 120 "$TSWEEP" verify "$WORK/l.h5"
expect_rc verify_after 0

# One dataset missing from the list, into a new store: no store, no partial file.
run missing_in_list 120 "$TSWEEP" ingest "$WORK/n.h5" "$SRC" --dataset /signals/ch0,/signals/nope "${TIME[@]}"
expect_rc missing_in_list 2
[ "$(wc -l <"$WORK/missing_in_list.err")" -eq 1 ] && pass "missing_in_list: one line" || fail "missing_in_list: $ERR"
expect_in missing_in_list "$ERR" "has no dataset '/signals/nope'"
compgen -G "$WORK/n.h5*" >/dev/null && fail "missing_in_list: left $(ls "$WORK"/n.h5*)" || pass "missing_in_list: nothing left"

# A pattern that matches nothing: one line, exit 2, alone and at 2 ranks.
run no_match 60 "$TSWEEP" ingest "$WORK/n.h5" "$SRC" --dataset '/nothing/*' "${TIME[@]}"
expect_rc no_match 2
[ "$(wc -l <"$WORK/no_match.err")" -eq 1 ] && pass "no_match: one line" || fail "no_match: $ERR"
expect_in no_match "$ERR" "no dataset matches '/nothing/*' (--dataset)"
run no_match_np2 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" ingest "$WORK/n.h5" "$SRC" --dataset '/nothing/*' "${TIME[@]}"
expect_rc no_match_np2 2
lines=$(grep -c "no dataset matches" "$WORK/no_match_np2.err" || true)
[ "$lines" -eq 1 ] && pass "no_match_np2: one error line" || fail "no_match_np2: $lines lines: $ERR"
compgen -G "$WORK/n.h5*" >/dev/null && fail "no_match: left $(ls "$WORK"/n.h5*)" || pass "no_match: no store"

# '*' stands for a group too, never for more than one level.
run group_pattern 60 "$TSWEEP" ingest "$WORK/g.h5" "$SRC" --dataset '/*/x,/signals/ch0' "${TIME[@]}"
expect_rc group_pattern 0
run group_pattern_inspect 60 "$TSWEEP" inspect "$WORK/g.h5" --stats --json
cp "$WORK/group_pattern_inspect.out" "$WORK/g.json"
facts "$WORK/g.json" sig/x sig/ch0 && pass "group_pattern: 2 streams" || fail "group_pattern: $(cat "$WORK/g.json")"

# Two datasets that make one stream name: refused before anything is written, naming both.
"$PYTHON" - "$SRC" <<'PY'
import h5py, sys
with h5py.File(sys.argv[1], "a") as f:
    f["signals/x"] = f["other/x"][()]
PY
run clash 60 "$TSWEEP" ingest "$WORK/c.h5" "$SRC" --dataset '/*/x' "${TIME[@]}"
expect_rc clash 2
[ "$(wc -l <"$WORK/clash.err")" -eq 1 ] && pass "clash: one line" || fail "clash: $ERR"
expect_in clash "$ERR" "datasets /other/x and /signals/x both make stream 'sig/x'"
compgen -G "$WORK/c.h5*" >/dev/null && fail "clash: left a store" || pass "clash: no store"
finish
