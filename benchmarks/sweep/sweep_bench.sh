#!/usr/bin/env bash
# The window sweep, end to end: `tsweep run` (stats + quality) over int16
# ECG-like streams, against the decode-only rate of the same blocks and
# against the numpy scripts users write today, all in one rotation.
#
#   benchmarks/sweep/sweep_bench.sh BUILD_DIR WORK_DIR [options]
#
#   --repeats N      rounds of the rotation (default 5; best and median are reported)
#   --sizes LIST     target selected samples of the stores, comma-separated
#                    (default 1e8,1e9; the first is also the store of parts a, b, e, f)
#   --huge           add a store of 4e9 selected samples (generating it takes
#                    minutes and about 3 GB of disk)
#   --no-numpy       skip the numpy baselines (and the dense copy they need)
#   --perf           after the rounds, `perf record -e cpu-clock` one 1 x 1
#                    1-minute run and print the hottest symbols
#   --gen-streams N  streams per generated store (default 256: 32 beds, 64 ECG streams)
#   --glob PATTERN   streams the job selects (default '*/ECG_*')
#
# Measures, per round, in this order:
#   store 1: decode-only (sweep_decode: values with checksums; also with the
#            read, and with times), tsweep verify 1 x 1, tsweep run 1-min 1 x 1,
#            1-h 1 x 1, 1-min 2 x 1 and 1 x 2, numpy + multiprocessing with 1
#            and with nproc workers, vectorised numpy;
#   other stores: decode-only, run 1-min 1 x 1, 2 x 1 and 1 x 2 (the largest,
#            with --huge: decode-only and 1 x 1 only).
# Every process runs under /usr/bin/time -v (each rank under its own) for peak
# RSS. Stores and the dense copy are kept in WORK_DIR and reused when their
# names (which hold the knobs) match. Prints a markdown report on stdout;
# progress on stderr.
set -euo pipefail

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
build=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
shift 2
repeats=5 sizes=1e8,1e9 huge=0 numpy=1 perf=0 gen_streams=256 glob='*/ECG_*' seed=11
while [ $# -gt 0 ]; do
  case $1 in
    --repeats) repeats=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --huge) huge=1 ;;
    --no-numpy) numpy=0 ;;
    --perf) perf=1 ;;
    --gen-streams) gen_streams=$2; shift ;;
    --glob) glob=$2; shift ;;
    -h|--help) usage ;;
    *) echo "sweep_bench.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done
[ "$repeats" -ge 1 ] || { echo "sweep_bench.sh: --repeats must be >= 1" >&2; exit 2; }
[ $((gen_streams % 8)) -eq 0 ] || { echo "sweep_bench.sh: --gen-streams must be a multiple of 8 (beds)" >&2; exit 2; }
[ "$huge" = 1 ] && sizes="$sizes,4e9"

here=$(cd "$(dirname "$0")" && pwd)
tsweep=$build/bin/tsweep
decode=$build/bin/sweep_decode
py=/usr/bin/python3
report() { "$py" "$here/sweep_report.py" "$@"; }
for exe in "$tsweep" "$decode"; do
  [ -x "$exe" ] || { echo "sweep_bench.sh: $exe not found; build with: cmake --build $build" >&2; exit 2; }
done
ncpu=$(nproc)
mpirun=(mpirun)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
[ "$ncpu" -lt 2 ] && mpirun+=(--oversubscribe)
cd "$work"
: >commands.txt
declare -A logged
log_cmd() { # log_cmd KEY COMMAND...: the exact command, once per kind
  if [ -z "${logged[$1]:-}" ]; then
    logged[$1]=1
    shift
    printf '%q ' "$@" | sed 's/ $//' >>commands.txt
    echo >>commands.txt
  fi
}

# --- stores ----------------------------------------------------------------
beds=$((gen_streams / 8))
per_second=$((beds * 750))  # ECG samples per second of a bed store: 500 Hz + 250 Hz per bed
labels=() stores=() durations=()
for size in ${sizes//,/ }; do
  target=$("$py" -c "print(int(float('$size')))")
  minutes=$("$py" -c "import math; print(max(1, math.ceil($target / ($per_second * 60))))")
  labels+=("$size")
  stores+=("ecg-$size-${gen_streams}x${minutes}min-s$seed.h5")
  durations+=("${minutes}min")
done

# Disk: about 0.65 bytes per stored sample (RESULTS.md, Run), the ECG streams
# are 80 % of a bed's samples; the dense copy is 10 bytes per selected sample.
need=0
for i in "${!stores[@]}"; do
  [ -s "${stores[$i]}" ] && continue
  need=$("$py" -c "print($need + int(float('${labels[$i]}') / 0.8 * 0.65))")
done
[ "$numpy" = 1 ] && need=$("$py" -c "print($need + int(float('${labels[0]}') * 10))")
avail=$(df --output=avail -B1 "$work" | tail -1)
echo "disk: need about $((need >> 20)) MiB more in $work, $((avail >> 20)) MiB free" >&2
if [ "$need" -gt $((avail - (1 << 30))) ]; then
  echo "sweep_bench.sh: not enough free disk in $work (keep 1 GiB spare)" >&2
  exit 1
fi

store_args=()
for i in "${!stores[@]}"; do
  s=${stores[$i]}
  log_cmd generate "${mpirun[@]}" -np 2 "$tsweep" --threads 1 generate "$s" --streams "$gen_streams" \
    --duration "${durations[$i]}" --seed "$seed" --json
  if [ ! -s "$s" ] || [ ! -s "$s.gen.json" ]; then
    echo "generating $s ($gen_streams streams x ${durations[$i]}) ..." >&2
    rm -f "$s" "$s.partial.h5"
    t0=$(date +%s.%N)
    "${mpirun[@]}" -np 2 "$tsweep" --threads 1 --log-level warn generate "$s.partial.h5" --streams "$gen_streams" \
      --duration "${durations[$i]}" --seed "$seed" --json >"$s.gen.out"
    t1=$(date +%s.%N)
    mv "$s.partial.h5" "$s"
    "$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); j["wall_seconds"]=float(sys.argv[3])-float(sys.argv[2]); json.dump(j, open(sys.argv[4], "w"))' \
      "$s.gen.out" "$t0" "$t1" "$s.gen.json"
  else
    "$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); j["cached"]=True; json.dump(j, open(sys.argv[1], "w"))' "$s.gen.json"
  fi
  store_args+=(--store "${labels[$i]}:$s:${durations[$i]}:$s.gen.json")
done
report meta "$work" --build "$build" --glob "$glob" --gen-streams "$gen_streams" --seed "$seed" "${store_args[@]}"

A=${labels[0]}
storeA=${stores[0]}
dense=dense-${storeA%.h5}
if [ "$numpy" = 1 ]; then
  log_cmd export "$py" "$here/export_dense.py" "$storeA" "$dense" --streams "$glob" --procs "$ncpu"
  if ! report dense-ok "$dense" "$storeA"; then
    echo "dense copy of $storeA for the numpy baselines (reference Python decoder) ..." >&2
    rm -rf "$dense"
    "$py" "$here/export_dense.py" "$storeA" "$dense" --streams "$glob" --procs "$ncpu" >&2
  fi
fi

cat >job.yaml <<YAML
# sweep_bench.sh: stats + quality over the ECG streams; everything else default.
store: $storeA
output: results.h5
window: 1min
streams: ["$glob"]
analyses: [stats, quality]
YAML
log_cmd job cat job.yaml

records=$work/records.jsonl
: >"$records"

# --- one measurement of each kind ------------------------------------------
run_tsweep() { # run_tsweep ROUND LABEL STORE NP THREADS WINDOW
  local round=$1 label=$2 store=$3 np=$4 threads=$5 window=$6 bind=core
  [ "$threads" -gt 1 ] && bind=none
  local name="run$window-${np}x$threads:$label"
  rm -f results.h5 results.h5.partial time.*
  local cmd=("${mpirun[@]}" -np "$np" --bind-to "$bind")
  local inner=("$tsweep" --threads "$threads" --log-level warn run job.yaml --set "store=$store" --set "window=$window" --json)
  log_cmd "run-$np-$threads-$window" "${cmd[@]}" "${inner[@]}"
  # shellcheck disable=SC2016  # the rank's shell expands $OMPI_COMM_WORLD_RANK
  # (1 x 1 is bound to one core on purpose: tsweep's note that the other CPU idles is dropped)
  "${cmd[@]}" sh -c 'exec /usr/bin/time -v -o "time.$OMPI_COMM_WORLD_RANK" "$@"' rank "${inner[@]}" >out.json \
    2> >(grep -v 'CPUs allocated on .* are idle' >&2)
  report record "$records" --round "$round" --name "$name" --kind tsweep --label "$label" --store "$store" \
    --np "$np" --threads "$threads" --json out.json --time time.* --results results.h5
  if [ "$round" = 0 ] && [ "$label" = "$A" ] && [ "$window" = 1min ] && [ "$np" = 1 ] && [ "$threads" = 1 ]; then
    cp results.h5 results-check.h5
  fi
  rm -f results.h5
}

run_decode() { # run_decode ROUND LABEL STORE
  rm -f time.*
  log_cmd decode "$decode" "$3" --streams "$glob"
  /usr/bin/time -v -o time.0 "$decode" "$3" --streams "$glob" >out.json
  report record "$records" --round "$1" --name "decode:$2" --kind decode --label "$2" --store "$3" \
    --json out.json --time time.0
}

run_verify() { # run_verify ROUND LABEL STORE
  rm -f time.*
  local inner=("$tsweep" --threads 1 --log-level warn verify "$3" --json)
  log_cmd verify "${mpirun[@]}" -np 1 --bind-to core "${inner[@]}"
  # shellcheck disable=SC2016
  "${mpirun[@]}" -np 1 --bind-to core sh -c 'exec /usr/bin/time -v -o "time.$OMPI_COMM_WORLD_RANK" "$@"' rank \
    "${inner[@]}" >out.json
  report record "$records" --round "$1" --name "verify:$2" --kind verify --label "$2" --store "$3" \
    --json out.json --time time.*
}

run_numpy() { # run_numpy ROUND NAME SCRIPT ARGS...
  local round=$1 name=$2 script=$3
  shift 3
  local extra=()
  [ "$round" = 0 ] && extra=(--out "rows-${name%%:*}.npz")
  rm -f time.*
  log_cmd "$name" "$py" "$here/$script" "$dense" "$@"
  /usr/bin/time -v -o time.0 "$py" "$here/$script" "$dense" "$@" "${extra[@]}" >out.json
  report record "$records" --round "$round" --name "$name" --kind numpy --label "$A" --store "$dense" \
    --json out.json --time time.0
}

# --- the rotation ----------------------------------------------------------
t_start=$(date +%s)
for ((r = 0; r < repeats; ++r)); do
  echo "round $((r + 1)) of $repeats" >&2
  run_decode "$r" "$A" "$storeA"
  run_verify "$r" "$A" "$storeA"
  run_tsweep "$r" "$A" "$storeA" 1 1 1min
  run_tsweep "$r" "$A" "$storeA" 1 1 1h
  run_tsweep "$r" "$A" "$storeA" 2 1 1min
  run_tsweep "$r" "$A" "$storeA" 1 2 1min
  if [ "$numpy" = 1 ]; then
    run_numpy "$r" "numpy-mp1:$A" baseline_numpy_mp.py --procs 1
    run_numpy "$r" "numpy-mpN:$A" baseline_numpy_mp.py --procs "$ncpu"
    run_numpy "$r" "numpy-vec:$A" baseline_numpy_vec.py
  fi
  for i in "${!stores[@]}"; do
    [ "$i" = 0 ] && continue
    run_decode "$r" "${labels[$i]}" "${stores[$i]}"
    run_tsweep "$r" "${labels[$i]}" "${stores[$i]}" 1 1 1min
    if [ "${labels[$i]}" != 4e9 ]; then
      run_tsweep "$r" "${labels[$i]}" "${stores[$i]}" 2 1 1min
      run_tsweep "$r" "${labels[$i]}" "${stores[$i]}" 1 2 1min
    fi
  done
done
echo "rounds took $(($(date +%s) - t_start)) s" >&2

rm -f check.txt
if [ "$numpy" = 1 ]; then
  {
    for f in rows-numpy-mp1.npz rows-numpy-vec.npz; do
      printf '%s: ' "${f#rows-}"
      report check "$f" "$dense" results-check.h5 || true
    done
  } >check.txt
  cat check.txt >&2
fi

perf_cmd=(perf record -e cpu-clock -F 2000 -o perf.data -- "$tsweep" --threads 1 --log-level warn run job.yaml
          --set output=perf-results.h5 --json)
[ "$perf" = 1 ] && log_cmd perf "${perf_cmd[@]}"
report table "$records" "$work"

if [ "$perf" = 1 ]; then
  if command -v perf >/dev/null; then
    rm -f perf-results.h5
    "${perf_cmd[@]}" >perf-out.json 2>perf-record.log
    echo
    echo "**perf record -e cpu-clock**, \`tsweep run\` 1 x 1, 1-min windows, store $A (self time, symbols over 1 %):"
    echo
    echo '```'
    perf report -i perf.data --stdio --no-children -F overhead,dso,sym --percent-limit 1 2>/dev/null |
      grep -v '^#' | grep '%' | sed 's/ *$//' | head -30
    echo '```'
    rm -f perf-results.h5
  else
    echo "(perf not installed: no profile)"
  fi
fi
