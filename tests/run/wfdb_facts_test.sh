#!/usr/bin/env bash
# MIT-BIH 100 ingested and analysed in one window spanning the record: count,
# min, max and mean of each lead equal the facts in the data README, converted
# to physical units (mV = (adu - 1024) / 200).
source "$(dirname "$0")/../e2e/lib.sh"
[ -f "$TSWEEP_SHARED_DATA/wfdb/100.hea" ] || skip "MIT-BIH record 100 not found in $TSWEEP_SHARED_DATA (set -DTSWEEP_SHARED_DATA)"

run ingest 120 "$TSWEEP" ingest "$WORK/store.h5" "$TSWEEP_SHARED_DATA/wfdb/100.hea"
expect_rc ingest 0
cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: results.h5
window: 1h
analyses: [stats, quality]
unit_samples: 100000
YAML
for np in 1 2; do
  rm -f "$WORK/results.h5"
  run run$np 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml"
  expect_rc run$np 0
  if "$PYTHON" - "$WORK/results.h5" <<'PY'
import sys, h5py, numpy as np
facts = {"MLII": (650000, 481, 1311, 625781133), "V5": (650000, 531, 1269, 640765524)}
with h5py.File(sys.argv[1], "r") as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f["streams/name"][()]]
    rows = f["windows"]
    ok = True
    for lead, (n, lo, hi, total) in facts.items():
        i = [k for k, name in enumerate(names) if name.endswith("/" + lead)]
        assert len(i) == 1, names
        s = i[0]
        r = int(f["streams/row_start"][s])
        assert int(f["streams/row_count"][s]) == 1, "one window should span the record"
        got = dict(count=int(rows["count"][r]), min=rows["min"][r], max=rows["max"][r], mean=rows["mean"][r],
                   missing=int(rows["missing"][r]), expected=int(rows["expected"][r]))
        want = dict(count=n, min=(lo - 1024) / 200, max=(hi - 1024) / 200, mean=(total / n - 1024) / 200)
        print(lead, got, want)
        ok &= got["count"] == want["count"] and got["expected"] == n and got["missing"] == 0
        ok &= abs(got["min"] - want["min"]) < 1e-12 and abs(got["max"] - want["max"]) < 1e-12
        ok &= abs(got["mean"] - want["mean"]) < 1e-9
sys.exit(0 if ok else 1)
PY
  then pass "run$np: MLII and V5 match the facts"; else fail "run$np: facts do not match"; fi
done
finish
