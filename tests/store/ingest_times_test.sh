#!/usr/bin/env bash
# Sample times and events of real files, through ingest and a job with 1 s
# windows (so a window's first and last time are its samples' own): every
# miniSEED sample at its record header's start + j / rate, checked against the
# headers read here without libmseed, with record jitter no gap and a missing
# record one; MIT-BIH 100's 2274 beat annotations (100.atr) as an event stream
# at their times and codes, checked against a decoder written here from annot(5);
# a named annotation file is never dropped, an unnamed one is mentioned, a bad
# one is an error (exit 2, one line naming it); EDF+ annotations without a
# duration (NaN values) make no flat runs.
source "$(dirname "$0")/../e2e/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
D=${TSWEEP_SHARED_DATA:-}
[ -n "$D" ] && [ -f "$D/wfdb/100.atr" ] && [ -f "$D/mseed/testdata-3channel-signal.mseed2" ] && [ -f "$D/edf/test_generator_2.edf" ] \
  || skip "the shared sample data is not at '$D' (set TSWEEP_SHARED_DATA)"
"$PYTHON" -c 'import h5py, numpy' 2>/dev/null || skip "python3-h5py is not installed"
M="$D/mseed/testdata-3channel-signal.mseed2"

# A copy of the miniSEED file without one LHZ record from its middle: a real gap.
"$PYTHON" - "$M" "$WORK/holed.mseed" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
records = [data[i:i + 512] for i in range(0, len(data), 512)]
lhz = [i for i, r in enumerate(records) if r[15:18] == b"LHZ"]
open(sys.argv[2], "wb").write(b"".join(r for i, r in enumerate(records) if i != lhz[len(lhz) // 2]))
PY

S="$WORK/store.h5"
run ingest 120 "$TSWEEP" ingest "$S" "$M" "$D/wfdb/100.hea" "$D/wfdb/100.atr" --json
expect_rc ingest 0
run ingest_holed 120 "$TSWEEP" ingest "$S" "$WORK/holed.mseed" --prefix holed
expect_rc ingest_holed 0
run ingest_edf 120 "$TSWEEP" ingest "$S" "$D/edf/test_generator_2.edf" --annotations events
expect_rc ingest_edf 0
"$PYTHON" - "$WORK/ingest.out" <<'PY' && pass "100.atr named: its annotations are a stream of their own" || fail "100.atr import"
import json, sys
r = json.load(open(sys.argv[1]))
a = [s for s in r["streams"] if s["name"] == "100/annotations"]
assert len(a) == 1 and a[0]["samples"] == 2274 and a[0]["source"].endswith("100.atr"), r["streams"]
assert not any("100.atr" in n for n in r["notes"]), r["notes"]
PY

cat >"$WORK/job.yaml" <<'YAML'
store: store.h5
output: results.h5
window: 1s
analyses: [stats, quality]
streams: ["IU.*", "holed/*", "100/annotations", "test_generator_2/annotations"]
YAML
run job 300 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml"
expect_rc job 0

"$PYTHON" - "$WORK/results.h5" "$M" "$WORK/holed.mseed" "$HERE" <<'PY' && pass "every miniSEED sample at its record header time; jitter is no gap" || fail "miniSEED sample times"
import sys
import h5py
sys.path.insert(0, sys.argv[4])
import mseed_records  # the record headers, read without libmseed

f = h5py.File(sys.argv[1], "r")
names = [n.decode() for n in f["streams/name"][()]]
w = {k: f["windows"][k][()] for k in ("count", "first_time", "last_time", "gaps", "longest_gap")}
def rows(name):
    i = names.index(name)
    a = int(f["streams/row_start"][i])
    return slice(a, a + int(f["streams/row_count"][i]))
for prefix, path in (("", sys.argv[2]), ("holed/", sys.argv[3])):
    want = mseed_records.sample_times(mseed_records.records(path))
    for ident, times in want.items():
        r = rows(prefix + ident)
        count = w["count"][r]
        assert count.max() == 1, (ident, "1 Hz samples in 1 s windows: one at most per window")
        got = w["first_time"][r][count == 1].tolist()
        off = [g - t for g, t in zip(got, times) if g != t]
        assert len(got) == len(times) and not off, (prefix + ident, len(got), len(times), len(off), max(map(abs, off or [0])))
        assert got[-1] == times[-1]
        gaps, longest = int(w["gaps"][r].sum()), int(w["longest_gap"][r].max())
        if prefix:
            if ident.endswith("LHZ"):
                hole = max(b - a for a, b in zip(times, times[1:]))
                assert gaps == 1 and longest == hole > 1_500_000_000, (ident, gaps, longest, hole)
            else:
                assert gaps == 0, (ident, gaps)
        else:
            assert gaps == 0, (ident, "record jitter of a few microseconds is no gap", gaps)
        print(prefix + ident, len(got), "samples at their header times; gaps", gaps)
PY

"$PYTHON" - "$WORK/results.h5" "$D/wfdb/100.atr" <<'PY' && pass "100.atr: 2274 annotations at their times and codes" || fail "100.atr events"
import sys
import h5py
import numpy as np

# annot(5): little-endian 16-bit words, code = top 6 bits, interval = low 10;
# 59 SKIP (+ 32-bit interval, high word first), 60 NUM, 61 SUB, 62 CHN, 63 AUX (+ text, padded), 0 = end.
b = open(sys.argv[2], "rb").read()
events, t, i = [], 0, 0
while True:
    word = b[i] | b[i + 1] << 8
    i += 2
    if word == 0:
        break
    code, field = word >> 10, word & 0x3FF
    if code == 59:
        hi, lo = b[i] | b[i + 1] << 8, b[i + 2] | b[i + 3] << 8
        t += int(np.int32(np.uint32(hi << 16 | lo)))
        i += 4
    elif code == 63:
        i += (field & 0xFF) + (field & 1)
    elif code < 59:
        t += field
        events.append((t * 10**9 // 360, code))  # 360 Hz, the record starts at the epoch (no base date)
assert len(events) == 2274 and events[0] == (50_000_000, 28), (len(events), events[:2])

f = h5py.File(sys.argv[1], "r")
names = [n.decode() for n in f["streams/name"][()]]
s = names.index("100/annotations")
a = int(f["streams/row_start"][s])
r = slice(a, a + int(f["streams/row_count"][s]))
w = {k: f["windows"][k][()][r] for k in ("start", "count", "min", "max", "first_time", "last_time", "longest_flat_run")}
by_window = {}
for time, code in events:
    by_window.setdefault(time // 10**9 * 10**9, []).append((time, code))
checked = 0
for k, start in enumerate(w["start"]):
    e = by_window.get(int(start), [])
    assert w["count"][k] == len(e), (start, w["count"][k], e)
    if e:
        assert (w["first_time"][k], w["last_time"][k]) == (e[0][0], e[-1][0]), (start, e)
        assert (w["min"][k], w["max"][k]) == (min(c for _, c in e), max(c for _, c in e)), (start, e)
        checked += len(e) if len(e) <= 2 else 2
assert sum(w["count"]) == 2274
print("2274 annotations in", len(w["start"]), "windows;", checked, "event times checked one by one")

# EDF+ annotations carry NaN (no duration): NaN makes no flat run.
e = names.index("test_generator_2/annotations")
a = int(f["streams/row_start"][e])
r = slice(a, a + int(f["streams/row_count"][e]))
nan, flat = f["windows/nan_count"][()][r], f["windows/longest_flat_run"][()][r]
assert nan.sum() == 2 and flat.max() == 0, (nan.sum(), flat.max())
PY

# 100.atr alone brings its record; 100.hea alone says that 100.atr was not ingested.
run atr_alone 120 "$TSWEEP" ingest "$WORK/alone.h5" "$D/wfdb/100.atr" --json
expect_rc atr_alone 0
"$PYTHON" -c 'import json, sys; n = sorted(s["name"] for s in json.load(open(sys.argv[1]))["streams"]); assert n == ["100/MLII", "100/V5", "100/annotations"], n' \
  "$WORK/atr_alone.out" && pass "100.atr alone: the record and its annotations" || fail "100.atr alone: $OUT"
run hea_alone 120 "$TSWEEP" ingest "$WORK/hea.h5" "$D/wfdb/100.hea" --json
expect_rc hea_alone 0
expect_in hea_alone "$ERR" "100.atr not ingested"

# Bad annotation files and a signal file its header does not name: exit 2, one error line naming the file.
mkdir -p "$WORK/cut" "$WORK/junk" "$WORK/other"
for dir in cut junk other; do cp "$D/wfdb/100.hea" "$WORK/$dir/"; ln -s "$D/wfdb/100.dat" "$WORK/$dir/100.dat"; done
head -c 3001 "$D/wfdb/100.atr" >"$WORK/cut/100.atr"
{ cat "$D/wfdb/100.atr"; printf 'junk'; } >"$WORK/junk/100.atr"
cp "$D/wfdb/100.hea" "$WORK/other/rec.hea" && printf 'xx' >"$WORK/other/rec.dat"
for np in 1 2; do
  for input in cut/100.atr junk/100.atr other/rec.dat; do
    name="bad_np${np}_$(echo "$input" | tr -c 'a-z0-9' '_')"
    run "$name" 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" ingest "$WORK/bad.h5" "$WORK/$input"
    expect_rc "$name" 2
    lines=$(grep -c 'error' "$WORK/$name.err" || true)
    [ "$lines" -eq 1 ] && pass "$name: one error line" || fail "$name: $lines error lines: $ERR"
    expect_in "$name" "$ERR" "$input"
  done
done
[ -e "$WORK/bad.h5" ] && fail "a failed ingest left a store behind" || pass "no store left behind"
finish
