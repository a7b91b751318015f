#!/usr/bin/env bash
# `tsweep ingest` of every file in the shared sample data, checked against
# the facts in its README (count, min, max and sum of raw values, start
# time, units, gain); appends to an existing store; CSV and HDF5 arrays;
# bad or truncated inputs exit 2 with one line naming the file, on every
# rank, and leave the store as it was.
source "$(dirname "$0")/../e2e/lib.sh"
D=${TSWEEP_SHARED_DATA:-}
[ -n "$D" ] && [ -f "$D/wfdb/100.hea" ] && [ -f "$D/edf/test_generator_2.edf" ] && [ -f "$D/mseed/testdata-3channel-signal.mseed2" ] \
  || skip "the shared sample data is not at '$D' (set TSWEEP_SHARED_DATA)"
"$PYTHON" -c 'import h5py, numpy' 2>/dev/null || skip "python3-h5py is not installed"

S="$WORK/real.h5"
run ingest_all 120 "$TSWEEP" ingest "$S" "$D"/wfdb/* "$D"/edf/* "$D"/mseed/* --json
expect_rc ingest_all 0
run stats 120 "$TSWEEP" inspect "$S" --stats --json --attributes
expect_rc stats 0
"$PYTHON" - "$WORK/stats.out" <<'PY' && pass "every README fact holds" || fail "facts differ"
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["streams"]}
def check(name, count, lo, hi, total):
    r = s[name]["raw"]
    got = (r["count"], r["min"], r["max"], r["sum"])
    print(name, got)
    assert got == (count, lo, hi, total), (name, got)
check("100/MLII", 650000, 481, 1311, 625781133)
check("100/V5", 650000, 531, 1269, 640765524)
check("test_generator_2/ramp", 120000, -3276, 3243, -1965600)
check("IU.COLA.00.LHZ", 4200, -2121836, 1342348, -988218594)
assert s["IU.COLA.00.LHZ"]["first"] == "2010-02-27T06:50:00.069539000Z", s["IU.COLA.00.LHZ"]["first"]
m = s["100/MLII"]
assert m["rate_nhz"] == 360_000_000_000 and m["unit"] == "mV" and m["type"] == "int16"
assert abs(m["scale"] - 1 / 200) < 1e-15 and abs(m["offset"] + 1024 / 200) < 1e-12, (m["scale"], m["offset"])
assert s["100_3chan/III"]["samples"] == 999 and s["100_3chan/I"]["raw"]["count"] == 999
assert s["test_generator_2/ramp"]["rate_nhz"] == 200_000_000_000 and s["test_generator_2/ramp"]["unit"] == "uV"
assert s["test_generator_2/sine 15 Hz"]["unit"] == "\u00b0", s["test_generator_2/sine 15 Hz"]["unit"]  # Latin-1 in the file
assert s["IU.COLA.00.LH1"]["attributes"]["channel"] == "LH1"
assert all(x["raw"]["bad_blocks"] == 0 for x in d["streams"])
a = s["100/annotations"]  # 100.atr is among the inputs: its beat annotations are an event stream
assert (a["samples"], a["type"], a["rate_nhz"]) == (2274, "float64", 0), a
assert len(d["streams"]) == 20, len(d["streams"])
PY
run verify_real 120 "$TSWEEP" verify "$S" --json
expect_rc verify_real 0
# Format 3: every block's index row carries a summary, and verify held each one against its decoded block.
"$PYTHON" - "$WORK/verify_real.out" <<'PY' && pass "every ingested block's summary matches its samples" || fail "summaries not checked"
import json, sys
v = json.load(open(sys.argv[1]))
print({k: v[k] for k in ("format_version", "block_summaries", "blocks", "summaries_checked", "bad_blocks")})
assert v["format_version"] == 3 and v["block_summaries"] and v["bad_blocks"] == 0
assert v["summaries_checked"] == v["blocks"] > 0
PY
# The summaries add up to the README's facts, read with h5py alone (raw count, min, max, exact sum).
"$PYTHON" - "$S" <<'PY' && pass "index summaries add up to the README facts" || fail "index summaries"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
streams, index = f["streams"][()], f["blocks/index"][()]
names = [n.decode() for n in streams["name"]]
def facts(name):
    rows = index[index["stream"] == names.index(name)]
    total = 0
    for r in rows:  # sum_hi:sum_lo is a 128-bit two's-complement integer
        s = int(r["sum_hi"]) << 64 | int(r["sum_lo"])
        total += s - (1 << 128) if s >> 127 else s
    return int(rows["count"].sum()), int(rows["min"].min()), int(rows["max"].max()), total
for name, want in [("100/MLII", (650000, 481, 1311, 625781133)), ("100/V5", (650000, 531, 1269, 640765524)),
                   ("test_generator_2/ramp", (120000, -3276, 3243, -1965600)),
                   ("IU.COLA.00.LHZ", (4200, -2121836, 1342348, -988218594))]:
    got = facts(name)
    print(name, got)
    assert got == want, (name, got, want)
PY

# h5py sees a self-describing store: format attributes and plain structured tables.
"$PYTHON" - "$S" <<'PY' && pass "readable with h5py" || fail "h5py view"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert f.attrs["tsweep_format"] in (b"store", "store") and int(f.attrs["tsweep_format_version"]) == 3
assert all("row_checksum" in f[t].dtype.names for t in ("streams", "stream_attrs", "blocks/index", "blocks/runs"))
names = [n.decode() for n in f["streams"]["name"]]
assert "100/MLII" in names and f["blocks/index"].shape[0] == sum(f["streams"]["block_count"])
PY

# Appending to an existing store: new streams, and more blocks for a stream it
# has; the same record a second time is refused (its samples would count twice).
A="$WORK/append.h5"
run first 120 "$TSWEEP" ingest "$A" "$D/wfdb/100_3chan.hea"
expect_rc first 0
run twice 120 "$TSWEEP" ingest "$A" "$D/mseed/testdata-3channel-signal.mseed2" "$D/wfdb/100_3chan.hea" --json
expect_rc twice 2
expect_in twice "$ERR" "ingested twice?"
expect_in twice "$ERR" "100_3chan/"
run second 120 "$TSWEEP" ingest "$A" "$D/mseed/testdata-3channel-signal.mseed2" --json
expect_rc second 0
# The same record shifted past its end (a later recording of the same signals) appends.
mkdir -p "$WORK/later"
sed '1s/$/ 0:00:10/' "$D/wfdb/100_3chan.hea" > "$WORK/later/100_3chan.hea"
cp "$D/wfdb/100_3chan.dat" "$WORK/later/"
run later 120 "$TSWEEP" ingest "$A" "$WORK/later/100_3chan.hea" --json
expect_rc later 0
run append_stats 120 "$TSWEEP" inspect "$A" --stats --json
"$PYTHON" - "$WORK/append_stats.out" <<'PY' && pass "appended to existing streams" || fail "append"
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["streams"]}
assert len(s) == 6 and s["100_3chan/I"]["samples"] == 2 * 999 and s["100_3chan/I"]["runs"] == 2, s["100_3chan/I"]
assert s["IU.COLA.00.LHZ"]["samples"] == 4200
PY
run append_verify 120 "$TSWEEP" verify "$A" --json
expect_rc append_verify 0
expect_in append_verify "$OUT" '"bad_blocks": 0'
"$PYTHON" -c 'import json,sys; v=json.load(open(sys.argv[1])); sys.exit(0 if v["summaries_checked"] == v["blocks"] else 1)' \
  "$WORK/append_verify.out" && pass "appended blocks carry sound summaries" || fail "appended blocks' summaries"

# CSV: ISO and epoch times, units in the header, empty cells missing, nan kept.
cat >"$WORK/vitals.csv" <<'CSV'
time,HR [bpm],SpO2 (%)
2024-03-01T12:00:00Z,71,98.5
2024-03-01T12:00:01.5Z,72,
2024-03-01T12:00:03Z,,nan
2024-03-01T12:00:04Z,74,97
CSV
printf 'ts;temp\n1709294400.25;36.6\n1709294401.5;36.7\n' >"$WORK/epoch.csv"
run csv 120 "$TSWEEP" ingest "$WORK/csv.h5" "$WORK/vitals.csv" "$WORK/epoch.csv" --unit degC --json
expect_rc csv 0
run csv_stats 120 "$TSWEEP" inspect "$WORK/csv.h5" --stats --json
"$PYTHON" - "$WORK/csv_stats.out" <<'PY' && pass "CSV columns, units, missing and NaN" || fail "CSV"
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["streams"]}
hr, spo2, temp = s["vitals/HR"], s["vitals/SpO2"], s["epoch/temp"]
assert hr["unit"] == "bpm" and hr["raw"]["count"] == 3 and hr["raw"]["sum"] == 217 and hr["rate_nhz"] == 0
assert spo2["unit"] == "%" and spo2["raw"]["count"] == 3 and spo2["raw"]["nan"] == 1
assert temp["unit"] == "degC" and temp["first_ns"] == 1709294400_250000000 and temp["last_ns"] == 1709294401_500000000
assert hr["first"] == "2024-03-01T12:00:00Z" and hr["last"] == "2024-03-01T12:00:04Z"
PY

# HDF5 dense array: 2-D int16 (samples x channels), attributes for unit and scale.
"$PYTHON" - "$WORK/array.h5" <<'PY'
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], "w") as f:
    d = f.create_dataset("rec/ecg", data=(np.arange(3000, dtype=np.int16).reshape(1000, 3) % 700) - 350)
    d.attrs["units"] = "mV"
    d.attrs["scale_factor"] = 0.005
PY
run dense 120 "$TSWEEP" ingest "$WORK/dense.h5" "$WORK/array.h5" --dataset /rec/ecg --rate 250 --start 2024-01-01T00:00:00.5Z
expect_rc dense 0
run dense_stats 120 "$TSWEEP" inspect "$WORK/dense.h5" --stats --json
"$PYTHON" - "$WORK/dense_stats.out" "$WORK/array.h5" <<'PY' && pass "HDF5 array columns" || fail "HDF5 array"
import json, sys, h5py
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["streams"]}
a = h5py.File(sys.argv[2], "r")["rec/ecg"][()]
for c in range(3):
    x = s[f"array/ecg_{c}"]
    assert x["raw"]["count"] == 1000 and x["raw"]["sum"] == int(a[:, c].astype(int).sum()), x
    assert x["unit"] == "mV" and x["scale"] == 0.005 and x["rate_nhz"] == 250_000_000_000
    assert x["first"] == "2024-01-01T00:00:00.500000000Z"
PY

# WFDB: the format's invalid value is a missing sample (a gap), not a number; base date and time kept.
mkdir -p "$WORK/wf"
printf 'rec 1 100 10 12:30:15.5 01/02/2020\r\n# a comment\r\nrec.dat 16 200 16 0\r\n' >"$WORK/wf/rec.hea"
"$PYTHON" -c "import numpy as np; np.array([1,2,3,4,-32768,6,7,8,9,10], dtype='<i2').tofile('$WORK/wf/rec.dat')"
run wfdb_missing 120 "$TSWEEP" ingest "$WORK/wf.h5" "$WORK/wf/rec.hea"
expect_rc wfdb_missing 0
run wfdb_stats 120 "$TSWEEP" inspect "$WORK/wf.h5" --stats --json
"$PYTHON" - "$WORK/wfdb_stats.out" <<'PY' && pass "WFDB invalid sample is a gap; start time kept" || fail "WFDB missing sample"
import json, sys
x = json.load(open(sys.argv[1]))["streams"][0]
assert (x["samples"], x["blocks"], x["raw"]["min"], x["raw"]["sum"]) == (9, 2, 1, 50), x
assert x["first"] == "2020-02-01T12:30:15.500000000Z" and x["last"] == "2020-02-01T12:30:15.590000000Z", x
PY

# Bad and truncated inputs: exit 2, one line naming the file, store unchanged, at 1 and 2 ranks.
head -c 3000 "$D/edf/test_generator_2.edf" >"$WORK/short.edf"
head -c 20000 "$D/mseed/testdata-3channel-signal.mseed2" >"$WORK/short.mseed"
mkdir -p "$WORK/rec" && cp "$D/wfdb/100.hea" "$WORK/rec/" && head -c 100001 "$D/wfdb/100.dat" >"$WORK/rec/100.dat"
printf 'time,x\n2024-01-01T00:00:00Z,1\n2024-01-01T00:00:01Z,abc\n' >"$WORK/bad.csv"
echo "garbage" >"$WORK/garbage.edf"
before=$(md5sum <"$A")
for np in 1 2; do
  for input in short.edf short.mseed rec/100.hea bad.csv garbage.edf missing.csv; do
    name="bad_np${np}_$(echo "$input" | tr -c 'a-z0-9' '_')"
    run "$name" 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" ingest "$A" "$D/wfdb/100_3chan.hea" "$WORK/$input"
    expect_rc "$name" 2
    lines=$(grep -c 'error' "$WORK/$name.err" || true)
    [ "$lines" -eq 1 ] && pass "$name: one error line" || fail "$name: $lines error lines: $ERR"
    want=$(basename "$input")
    [ "$want" = 100.hea ] && want=100.dat  # the header is fine; its signal file is cut short
    expect_in "$name" "$ERR" "$want"
  done
done
[ "$(md5sum <"$A")" = "$before" ] && pass "store unchanged after failed ingests" || fail "a failed ingest changed the store"
run bad_new 120 "$TSWEEP" ingest "$WORK/never.h5" "$WORK/short.edf"
expect_rc bad_new 2
ls "$WORK" | grep -q never && fail "a failed ingest left a file behind" || pass "no store left behind"
run conflict 120 "$TSWEEP" ingest "$A" "$WORK/array.h5" --dataset /rec/ecg --rate 250 --start 2024-01-01T00:00:00Z --prefix 100_3chan
expect_rc conflict 0
run conflict2 120 "$TSWEEP" ingest "$A" "$WORK/array.h5" --dataset /rec/ecg --rate 500 --start 2024-01-01T00:00:00Z --prefix 100_3chan
expect_rc conflict2 2
expect_in conflict2 "$ERR" "exists with a different"
run after_conflict 120 "$TSWEEP" inspect "$A" --json
"$PYTHON" - "$WORK/after_conflict.out" "$D/mseed/testdata-3channel-signal.mseed2" "$(dirname "$0")" <<'PY' && pass "store as before the failed ingest" || fail "failed ingest left traces"
import json, sys
sys.path.insert(0, sys.argv[3])
import mseed_records  # tests/store/mseed_records.py: the record headers, read without libmseed
d = json.load(open(sys.argv[1]))
# 100_3chan twice (3 x 2 blocks), the array (3), and the miniSEED channels' runs of exactly continuing records.
blocks = 6 + 3 + sum(mseed_records.segments(mseed_records.records(sys.argv[2])).values())
assert d["blocks"] == blocks and len(d["streams"]) == 9, (d["blocks"], blocks, len(d["streams"]))
PY
run verify_after 120 "$TSWEEP" verify "$A"
expect_rc verify_after 0

# miniSEED records in any order join up where each starts exactly where the one before ends (the
# others keep their own start time: a block of their own); a missing record splits the channel too.
"$PYTHON" - "$D/mseed/testdata-3channel-signal.mseed2" "$WORK/shuffled.mseed" "$WORK/holed.mseed" <<'PY'
import random, sys
data = open(sys.argv[1], "rb").read()
records = [data[i:i + 512] for i in range(0, len(data), 512)]
random.Random(7).shuffle(records)
open(sys.argv[2], "wb").write(b"".join(records))
lhz = [i for i, r in enumerate(open(sys.argv[1], "rb").read()[k:k + 512] for k in range(0, len(data), 512)) if r[15:18] == b"LHZ"]
keep = [r for i, r in enumerate(data[k:k + 512] for k in range(0, len(data), 512)) if i != lhz[len(lhz) // 2]]
open(sys.argv[3], "wb").write(b"".join(keep))
PY
run shuffled 120 "$TSWEEP" ingest "$WORK/seed.h5" "$WORK/shuffled.mseed" --prefix shuffled
expect_rc shuffled 0
run holed 120 "$TSWEEP" ingest "$WORK/seed.h5" "$WORK/holed.mseed" --prefix holed
expect_rc holed 0
run seed_stats 120 "$TSWEEP" inspect "$WORK/seed.h5" --stats --json
"$PYTHON" - "$WORK/seed_stats.out" "$WORK/shuffled.mseed" "$WORK/holed.mseed" "$(dirname "$0")" <<'PY' && pass "records in any order; a gap splits blocks" || fail "miniSEED order/gaps"
import json, sys
sys.path.insert(0, sys.argv[4])
import mseed_records  # tests/store/mseed_records.py: the record headers, read without libmseed
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["streams"]}
runs = mseed_records.segments(mseed_records.records(sys.argv[2]))["IU.COLA.00.LHZ"]
holed = mseed_records.segments(mseed_records.records(sys.argv[3]))["IU.COLA.00.LHZ"]
z = s["shuffled/IU.COLA.00.LHZ"]
assert (z["raw"]["count"], z["raw"]["min"], z["raw"]["max"], z["raw"]["sum"]) == (4200, -2121836, 1342348, -988218594)
assert z["blocks"] == runs and z["first"] == "2010-02-27T06:50:00.069539000Z", (z["blocks"], runs)
h = s["holed/IU.COLA.00.LHZ"]
assert h["blocks"] == holed > 1 and h["samples"] < 4200, (h["blocks"], holed, h["samples"])
PY

# Rice codes (the default, --entropy-coding auto) against packing alone: the
# same samples in fewer bytes (MIT-BIH 100 gets below 3.85 bits/sample), both verify.
run packed 120 "$TSWEEP" ingest "$WORK/packed.h5" "$D/wfdb/100.hea" --entropy-coding off --json
expect_rc packed 0
run rice 120 "$TSWEEP" ingest "$WORK/rice.h5" "$D/wfdb/100.hea" --entropy-coding always --json
expect_rc rice 0
for st in packed rice; do
  run "verify_$st" 60 "$TSWEEP" verify "$WORK/$st.h5" --json
  expect_rc "verify_$st" 0
  run "stats_$st" 60 "$TSWEEP" inspect "$WORK/$st.h5" --stats --json
  expect_rc "stats_$st" 0
done
"$PYTHON" - "$WORK/stats_packed.out" "$WORK/stats_rice.out" "$WORK/stats.out" <<'PY' && pass "Rice-coded and packed stores hold the same samples, Rice in fewer bytes" || fail "entropy coding"
import json, sys
p, r, d = ({x["name"]: x for x in json.load(open(f))["streams"]} for f in sys.argv[1:4])
for lead in ("100/MLII", "100/V5"):
    print(lead, "bits/sample: default", d[lead]["bits_per_sample"], "packed", p[lead]["bits_per_sample"], "rice", r[lead]["bits_per_sample"])
    assert p[lead]["raw"] == r[lead]["raw"] == d[lead]["raw"], lead
    assert r[lead]["bytes"] < p[lead]["bytes"], lead
    assert d[lead]["bits_per_sample"] <= 3.85 < p[lead]["bits_per_sample"], lead
PY
run bad_entropy 20 "$TSWEEP" ingest "$WORK/never.h5" "$D/wfdb/100.hea" --entropy-coding maybe
expect_rc bad_entropy 2
grep -q "entropy-coding 'maybe'" "$WORK/bad_entropy.err" && [ ! -e "$WORK/never.h5" ] \
  && pass "a bad --entropy-coding is one line and writes no store" || fail "bad --entropy-coding: $(cat "$WORK/bad_entropy.err")"
finish
