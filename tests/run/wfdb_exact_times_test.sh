#!/usr/bin/env bash
# MIT-BIH 100 (360 Hz: the period, 2 777 777.7... ns, is not a whole number of
# nanoseconds) ingested at the default block size, so each lead spans many
# blocks. Every sample time the store defines (from each block's header, by
# src/codec/FORMAT.md) must be start + floor(i * 10^18 / 360e9), whatever the
# block boundaries; and `tsweep run` with 1-second windows must see 360
# samples in every full window and nothing missing on this gapless record.
source "$(dirname "$0")/../e2e/lib.sh"
[ -f "$TSWEEP_SHARED_DATA/wfdb/100.hea" ] || skip "MIT-BIH record 100 not found in $TSWEEP_SHARED_DATA (set -DTSWEEP_SHARED_DATA)"

run ingest 120 "$TSWEEP" ingest "$WORK/store.h5" "$TSWEEP_SHARED_DATA/wfdb/100.hea"
expect_rc ingest 0

if "$PYTHON" - "$WORK/store.h5" <<'PY'
import struct, sys, h5py, numpy as np
E, RATE, N = 10**18, 360 * 10**9, 650000
with h5py.File(sys.argv[1], "r") as f:
    streams, index, data = f["streams"][()], f["blocks/index"][()], f["blocks/data"]
    ok = True
    for s in streams:
        rows = index[index["stream"] == s["id"]]
        rows = rows[np.argsort(rows["first_ns"], kind="stable")]
        start, times = int(s["first_ns"]), []
        for row in rows:
            head = bytes(data[int(row["offset"]):int(row["offset"]) + 80])
            version = head[4]
            count, = struct.unpack_from("<I", head, 8)
            first, last, rate = struct.unpack_from("<qqq", head, 24)
            phase = struct.unpack_from("<q", head, 72)[0] if version >= 2 else 0
            assert head[:4] == b"TSBK" and head[6] == 0 and rate == RATE, (head[:7], rate)
            j = np.arange(count, dtype=object)
            times.extend(first + (phase + j * E) // rate)
        i = np.arange(len(times), dtype=object)
        off = np.array(times, dtype=object) - (start + i * E // RATE)
        early, late = int(np.sum(off < 0)), int(np.sum(off > 0))
        print(f"{s['name'].decode()}: {len(rows)} blocks, {len(times)} samples, {early} early, {late} late")
        ok &= len(rows) > 1 and len(times) == N and early == 0 and late == 0
sys.exit(0 if ok else 1)
PY
then pass "every sample time is start + floor(i*10^18/rate)"; else fail "sample times are off the exact grid"; fi

cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: results.h5
window: 1s
analyses: [stats, quality]
unit_samples: 100000
YAML
for np in 1 2; do
  rm -f "$WORK/results.h5"
  run run$np 120 $TSWEEP_MPIEXEC -np $np "$TSWEEP" run "$WORK/job.yaml"
  expect_rc run$np 0
  if "$PYTHON" - "$WORK/results.h5" <<'PY'
import sys, h5py, numpy as np
E, RATE, N, W = 10**18, 360 * 10**9, 650000, 10**9
with h5py.File(sys.argv[1], "r") as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f["streams/name"][()]]
    w = f["windows"]
    ok = True
    for s, name in enumerate(names):
        r0, n = int(f["streams/row_start"][s]), int(f["streams/row_count"][s])
        col = {k: w[k][r0:r0 + n].astype(np.int64).tolist()
               for k in ("start", "count", "expected", "missing", "first_time", "last_time")}
        t0 = col["first_time"][0]  # the record's first sample
        t = lambda i: t0 + i * E // RATE
        index = lambda a: min(N, max(0, -(-((a - t0) * RATE) // E)))  # first sample at or after a
        full, bad = {}, 0
        for k in range(n):
            a = col["start"][k]
            lo, hi = index(a), index(a + W)
            inside = t(0) <= a and a + W <= t(N - 1) + 1
            if inside:
                full[col["count"][k]] = full.get(col["count"][k], 0) + 1
            bad += (col["count"][k] != hi - lo or col["expected"][k] != hi - lo or col["missing"][k] != 0
                    or col["first_time"][k] != t(lo) or col["last_time"][k] != t(hi - 1))
        print(f"{name}: {n} windows, counts of the full windows {full}, samples {sum(col['count'])}, "
              f"expected {sum(col['expected'])}, missing {sum(col['missing'])}, windows off the exact grid {bad}")
        ok &= list(full) == [360] and sum(col["count"]) == N and sum(col["missing"]) == 0 and bad == 0
sys.exit(0 if ok else 1)
PY
  then pass "run$np: 1 s windows hold 360 samples, none missing"; else fail "run$np: window counts are off"; fi
done
finish
