#!/usr/bin/env bash
# Export write bandwidth against dd on the same disk, in rotation.
#
#   benchmarks/export/export_bench.sh BUILD_DIR WORK_DIR [--rounds N] [--ranks R]
#
# Makes (once) a store of 16 streams x 2 h in WORK_DIR and exports every
# stream at 2 kHz as float32 (230 M points, 1.15 GB of values and mask),
# all R ranks writing at once. Each round runs A = `tsweep export --json`
# (its write_bytes_per_second: bytes written / time in the epochs'
# collective writes and flushes) then B = R concurrent `dd conv=fdatasync`
# writing the same bytes in all into R files, then C = the same into one
# shared file at R offsets (as the ranks share the export file; ext4
# serialises buffered writes to one file), and prints one row of a Markdown table;
# the last lines give best and median of the ratios. WORK_DIR must be on the
# disk to be measured.
set -euo pipefail
build=$(realpath "$1")
work=$2
shift 2
rounds=5 ranks=2
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
tsweep=$build/bin/tsweep
mpiexec=${TSWEEP_MPIEXEC:-mpiexec --oversubscribe}
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$work"
cd "$work"
[ -e store.h5 ] || "$tsweep" --threads 1 generate store.h5 --streams 16 --duration 2h --seed 5 >/dev/null
cat > bench.yaml <<YAML
store: store.h5
streams: "*"
checkpoint_interval: 5s
export:
  output: export.h5
  rate: 2kHz
  method: nearest
  dtype: float32
YAML
py=/usr/bin/python3
field() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
echo "| round | export write | export wall | $ranks x dd, fdatasync | write / dd | wall / dd | $ranks x dd, one file | write / dd one file |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
ratios=() walls=() shared=()
for r in $(seq 1 "$rounds"); do
  rm -f export.h5 dd.*
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  $mpiexec -np "$ranks" "$tsweep" export bench.yaml --json >export.json 2>export.err
  end=$(date +%s.%N)
  bytes=$(field export.json bytes_written)
  write=$(field export.json write_bytes_per_second)
  wall=$("$py" -c "print($bytes / ($end - $start))")
  rm -f export.h5
  per=$(( bytes / ranks / 1048576 ))
  start=$(date +%s.%N)
  for k in $(seq 1 "$ranks"); do dd if=/dev/zero of="dd.$k" bs=1M count="$per" conv=fdatasync 2>/dev/null & done
  wait
  end=$(date +%s.%N)
  dd=$("$py" -c "print($per * 1048576 * $ranks / ($end - $start))")
  rm -f dd.*
  start=$(date +%s.%N)
  for k in $(seq 0 $((ranks - 1))); do
    dd if=/dev/zero of=dd.shared bs=1M count="$per" seek=$((k * per)) conv=notrunc,fdatasync 2>/dev/null &
  done
  wait
  end=$(date +%s.%N)
  dd1=$("$py" -c "print($per * 1048576 * $ranks / ($end - $start))")
  rm -f dd.*
  sratio=$("$py" -c "print(f'{$write / $dd1:.2f}')")
  shared+=("$sratio")
  ratio=$("$py" -c "print(f'{$write / $dd:.2f}')")
  wratio=$("$py" -c "print(f'{$wall / $dd:.2f}')")
  ratios+=("$ratio") walls+=("$wratio")
  "$py" -c "print(f'| $r | {$write/1e6:.0f} MB/s | {$wall/1e6:.0f} MB/s | {$dd/1e6:.0f} MB/s | $ratio | $wratio | {$dd1/1e6:.0f} MB/s | $sratio |')"
done
"$py" - "${ratios[*]}" "${walls[*]}" "${shared[*]}" <<'PY'
import statistics, sys
for name, text in (("write / dd", sys.argv[1]), ("wall / dd", sys.argv[2]), ("write / dd one file", sys.argv[3])):
    v = [float(x) for x in text.split()]
    print(f"{name}: best {max(v):.2f}, median {statistics.median(v):.2f} over {len(v)} rounds")
PY
