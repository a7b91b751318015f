#!/usr/bin/env bash
# End-to-end benchmark of `tsweep run` (stats + quality) on a generated store:
# samples/s per core, parallel efficiency 1 → 2 ranks, 1 rank x 2 threads vs
# 2 ranks x 1 thread, and peak memory per rank on two store sizes.
#
#   benchmarks/run/run_bench.sh BUILD_DIR WORK_DIR [STREAMS] [DURATION] [REPEATS] [CHECKPOINT]
#
# Defaults make a store of about 2 GiB (256 streams x 30 h) and commit an
# epoch every 5 s (CHECKPOINT): a rank holds at most one epoch of rows, so its
# memory depends on the unit size and the epoch, not on the store. Prints a
# markdown table; every row is the best of REPEATS runs, taken in rotation so
# that a busy moment of the machine does not favour one configuration.
set -euo pipefail
build=${1:?usage: run_bench.sh BUILD_DIR WORK_DIR [STREAMS] [DURATION] [REPEATS]}
work=${2:?usage: run_bench.sh BUILD_DIR WORK_DIR [STREAMS] [DURATION] [REPEATS]}
streams=${3:-256}
duration=${4:-30h}
repeats=${5:-3}
checkpoint=${6:-5s}
tsweep=$(cd "$build" && pwd)/bin/tsweep
mkdir -p "$work"
cd "$work"
mpirun=(mpirun)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)

make_store() { # make_store FILE STREAMS DURATION
  if [ ! -s "$1" ]; then
    echo "generating $1 ($2 streams x $3) ..." >&2
    "${mpirun[@]}" -np 2 "$tsweep" generate "$1" --streams "$2" --duration "$3" --seed 11 >&2
  fi
}
make_store big.h5 "$streams" "$duration"
small_streams=$((streams / 8 > 0 ? streams / 8 : 1))
make_store small.h5 "$small_streams" "$duration"
make_store mid.h5 "$((streams / 2 > 0 ? streams / 2 : 1))" "$duration"

cat > job.yaml <<YAML
store: big.h5
output: results.h5
window: 1min
analyses: [stats, quality]
assignment: dynamic
checkpoint_interval: $checkpoint
YAML

# one NAME STORE NP THREADS BIND: one run; prints "seconds samples maxrss_kib_of_worst_rank".
# Each rank runs under its own /usr/bin/time, writing rss.<rank>: the shell
# around it expands the rank. (The "rss.%q{OMPI_COMM_WORLD_RANK}" used before is
# valgrind's syntax: neither mpirun nor time expands it, so every rank wrote
# the same file and the figure was whichever rank finished last.)
one() {
  local store=$2 np=$3 threads=$4 bind=$5
  rm -f results.h5 results.h5.partial rss.*
  # shellcheck disable=SC2016  # $OMPI_COMM_WORLD_RANK is for the rank's shell to expand
  "${mpirun[@]}" -np "$np" --bind-to "$bind" \
    sh -c 'exec /usr/bin/time -f "%M" -o "rss.$OMPI_COMM_WORLD_RANK" "$@"' rank \
    "$tsweep" --threads "$threads" --log-level warn run job.yaml --set "store=$store" --json >summary.json
  local files
  files=$(find . -maxdepth 1 -name 'rss.*' | wc -l)
  if [ "$files" -ne "$np" ]; then
    echo "run_bench.sh: $files peak-RSS files for $np ranks" >&2
    exit 1
  fi
  local rss
  rss=$(cat rss.* | sort -n | tail -1)
  /usr/bin/python3 -c 'import json,sys; j=json.load(open("summary.json")); print(j["seconds"], j["samples"], sys.argv[1])' "$rss"
}

declare -A best_rate best_rss samples_of
configs=("1x1:big.h5:1:1:core" "2x1:big.h5:2:1:core" "1x2:big.h5:1:2:none" "1x1-small:small.h5:1:1:core"
         "1x1-mid:mid.h5:1:1:core")
for ((r = 0; r < repeats; ++r)); do
  for c in "${configs[@]}"; do
    IFS=: read -r name store np threads bind <<<"$c"
    read -r seconds samples rss < <(one "$name" "$store" "$np" "$threads" "$bind")
    rate=$(/usr/bin/python3 -c "print($samples / $seconds)")
    echo "run $r $name: $samples samples in $seconds s = $rate samples/s, peak RSS $rss KiB" >&2
    if [ -z "${best_rate[$name]:-}" ] || /usr/bin/python3 -c "import sys; sys.exit(0 if $rate > ${best_rate[$name]} else 1)"; then
      best_rate[$name]=$rate
    fi
    best_rss[$name]=$(( ${best_rss[$name]:-0} > rss ? ${best_rss[$name]:-0} : rss ))
    samples_of[$name]=$samples
  done
done

size_big=$(stat -c %s big.h5)
size_small=$(stat -c %s small.h5)
size_mid=$(stat -c %s mid.h5)
/usr/bin/python3 - "$size_big" "$size_small" "$size_mid" <<PY
import sys
big, small, mid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rate = {"1x1": ${best_rate[1x1]}, "2x1": ${best_rate[2x1]}, "1x2": ${best_rate[1x2]}, "small": ${best_rate[1x1-small]},
        "mid": ${best_rate[1x1-mid]}}
rss = {"1x1": ${best_rss[1x1]}, "2x1": ${best_rss[2x1]}, "1x2": ${best_rss[1x2]}, "small": ${best_rss[1x1-small]},
       "mid": ${best_rss[1x1-mid]}}
samples = {"big": ${samples_of[1x1]}, "small": ${samples_of[1x1-small]}, "mid": ${samples_of[1x1-mid]}}
print(f"stores: big {big / 2**30:.2f} GiB ({samples['big']:,} samples), mid {mid / 2**30:.2f} GiB, "
      f"small {small / 2**30:.3f} GiB ({samples['small']:,} samples); checkpoint_interval $checkpoint")
print()
print("| ranks x threads | store | samples/s | samples/s per core | peak RSS per rank |")
print("|---|---|---:|---:|---:|")
for name, label, cores, store in [("1x1", "1 x 1", 1, "big"), ("2x1", "2 x 1", 2, "big"), ("1x2", "1 x 2", 2, "big"),
                                  ("mid", "1 x 1", 1, "mid"), ("small", "1 x 1", 1, "small")]:
    print(f"| {label} | {store} | {rate[name]:.3g} | {rate[name] / cores:.3g} | {rss[name] / 1024:.0f} MiB |")
print()
print(f"parallel efficiency 1 -> 2 ranks: {rate['2x1'] / (2 * rate['1x1']):.1%}")
print(f"1 rank x 2 threads / 2 ranks x 1 thread: {rate['1x2'] / rate['2x1']:.3f}")
print(f"peak RSS (1 x 1): small {rss['small'] / 1024:.0f} MiB, mid {rss['mid'] / 1024:.0f} MiB, big {rss['1x1'] / 1024:.0f} MiB "
      f"for {small / 2**30:.2f}, {mid / 2**30:.2f} and {big / 2**30:.2f} GiB")
PY
