#!/usr/bin/env bash
# Store throughput through the CLI: generate (bulk, 1 and 2 ranks), verify
# (1 rank x 1/2 threads, 2 ranks), ingest (the shared sample files, a large
# HDF5 array, a CSV file). Prints one Markdown table row per measurement.
#
#   benchmarks/store/run.sh BUILD_DIR [SCALE]
#
# SCALE multiplies the generated store's streams (default 1: 64 streams x 1 h,
# about 0.2 G samples). Needs python3 with h5py and numpy for the inputs.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [SCALE]}
scale=${2:-1}
tsweep="$build/bin/tsweep"
shared=${TSWEEP_SHARED_DATA:-$(dirname "$0")/../../../shared/data}
mpiexec="mpiexec --oversubscribe --bind-to none $([ "$(id -u)" = 0 ] && echo --allow-run-as-root)"
py=/usr/bin/python3
work=$(mktemp -d "${TMPDIR:-/tmp}/tsweep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
streams=$((64 * scale))

field() { "$py" -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d[sys.argv[1]])' "$1"; }
row() { printf '| %s | %s | %s | %s | %.3g |\n' "$1" "$2" "$3" "$4" "$5"; }

echo "| what | command | samples | seconds | samples/s |"
echo "|---|---|---:|---:|---:|"
for np in 1 2; do
  out=$($mpiexec -np $np "$tsweep" --threads 1 generate "$work/g.h5" --streams $streams --duration 1h --force --json 2>/dev/null)
  s=$(field samples <<<"$out"); t=$(field seconds <<<"$out")
  row "generate (bulk, $np rank)" "\`mpiexec -np $np tsweep --threads 1 generate g.h5 --streams $streams --duration 1h\`" "$s" "$t" "$(echo "$s / $t" | bc -l)"
done
bytes=$(stat -c %s "$work/g.h5")
for cfg in "1 1" "1 2" "2 1"; do
  set -- $cfg
  out=$($mpiexec -np $1 "$tsweep" --threads $2 verify "$work/g.h5" --json 2>/dev/null || true)
  s=$(field samples <<<"$out"); t=$(field seconds <<<"$out")
  row "verify ($1 rank x $2 thread)" "\`mpiexec -np $1 tsweep --threads $2 verify g.h5\`" "$s" "$t" "$(echo "$s / $t" | bc -l)"
done
out=$("$tsweep" --threads 2 verify "$work/g.h5" --no-decode --json 2>/dev/null || true)
s=$(field samples <<<"$out"); t=$(field seconds <<<"$out")
row "verify checksums only (1 rank x 2 threads)" "\`tsweep --threads 2 verify g.h5 --no-decode\`" "$s" "$t" "$(echo "$s / $t" | bc -l)"

ingest() { # NAME ARGS...: ingest into a fresh store, report samples/s (read + write)
  local name=$1; shift
  rm -f "$work/i.h5"
  local out s t
  out=$("$tsweep" ingest "$work/i.h5" "$@" --json 2>/dev/null)
  s=$(field samples <<<"$out")
  t=$("$py" -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["read_seconds"] + d["write_seconds"])' <<<"$out")
  row "ingest $name" "\`tsweep ingest i.h5 $(echo "$@" | sed "s|$work/||g; s|$shared/||g")\`" "$s" "$t" "$(echo "$s / $t" | bc -l)"
}
if [ -f "$shared/wfdb/100.hea" ]; then
  ingest "WFDB 212 (MIT-BIH 100)" "$shared/wfdb/100.hea"
  ingest "EDF+ (test_generator_2)" "$shared/edf/test_generator_2.edf"
  ingest "miniSEED Steim-2" "$shared/mseed/testdata-3channel-signal.mseed2"
fi
"$py" - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
rng = np.random.default_rng(1)
n = 25_000_000
ecg = (np.cumsum(rng.integers(-3, 4, size=(n, 2)), axis=0) % 4000 - 2000).astype(np.int16)
with h5py.File(f"{work}/array.h5", "w") as f:
    f.create_dataset("ecg", data=ecg)
t = 1_700_000_000 + np.cumsum(rng.uniform(0.5, 1.5, size=1_000_000))
v = np.round(rng.normal(80, 10, size=(1_000_000, 2)), 1)
with open(f"{work}/vitals.csv", "w") as out:
    out.write("time,hr,map\n")
    for i in range(len(t)):
        out.write(f"{t[i]:.3f},{v[i, 0]},{v[i, 1]}\n")
PY
ingest "HDF5 array (int16, 2 x 25M)" "$work/array.h5" --dataset /ecg --rate 500 --start 2024-01-01T00:00:00Z
ingest "CSV (1M rows x 2 columns)" "$work/vitals.csv"
echo
echo "generated store: $streams streams x 1 h, $((bytes / 1048576)) MiB"
