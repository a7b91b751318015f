#!/usr/bin/env bash
# A job's results under simulated nodes (tests/nodes/simnodes.sh: 2 to 4 nodes
# of 1 or 2 ranks, 1 or 2 threads per rank from OMP_NUM_THREADS or the config's
# `threads`, either assignment) are bitwise identical outside /provenance to
# the single-node run's, and the file's provenance records every simulated
# host, each rank on its node with the threads it was given.
source "$(dirname "$0")/lib.sh"

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/store.h5" --streams 8 --duration 20min \
  --block-samples 8192 --corrupt 2 --seed 7
expect_rc gen 0
cat > "$WORK/job.yaml" <<YAML
store: store.h5
output: out.h5
window: 30s
analyses: [stats, quality]
unit_samples: 40000
checkpoint_interval: 100ms
YAML

# The reference: one process on the real host.
run reference 120 "$TSWEEP" --threads 1 run "$WORK/job.yaml" --set "output=$WORK/reference.h5"
expect_rc reference 0

# nodes ranks/node threads  from    assignment
cases=(
  "2 1 2 env dynamic"
  "2 2 1 env dynamic"
  "2 2 2 config dynamic"
  "3 1 2 config dynamic"
  "3 2 1 config static"
  "4 1 1 env static"
  "4 1 2 env dynamic"
)
for c in "${cases[@]}"; do
  read -r n r t from assignment <<<"$c"
  name="n${n}_r${r}_t${t}_${from}_${assignment}"
  # A node's ranks x threads may exceed its CPUs (all of this machine's) only
  # with --oversubscribe; the nodes together may without it, as each node
  # counts only its own ranks (n2_r1_t2 on 2 CPUs keeps its 2 threads).
  flags=()
  [ $((r * t)) -le "$NCPU" ] || flags=(--oversubscribe)
  args=("${flags[@]}" run "$WORK/job.yaml" --set "output=$WORK/$name.h5" --set "assignment=$assignment")
  if [ "$from" = env ]; then
    OMP_NUM_THREADS=$t sim "$name" 150 "$n" "$r" "$TSWEEP" "${args[@]}"
  else
    sim "$name" 150 "$n" "$r" "$TSWEEP" "${args[@]}" --set "threads=$t"
  fi
  expect_rc "$name" 0
  [ "$RC" -eq 0 ] || continue
  same_results "$name" "$WORK/reference.h5" "$WORK/$name.h5"
  check "$name" provenance "$WORK/$name.h5" "$n" "$r" "$t"
done
nodes_finish
