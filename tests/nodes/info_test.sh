#!/usr/bin/env bash
# `tsweep info` under 2 and 3 simulated nodes (tests/nodes/simnodes.sh): the
# launch report shows that many distinct hosts, each with its own ranks, and
# MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) gives one communicator per
# simulated node: every rank's local_rank and local_size count the ranks of its
# node only, and the threads of a node's ranks share that node's CPUs (one rank
# alone on a node takes all of them). The same ranks on the real host make one
# node, so the checks can tell the two apart.
source "$(dirname "$0")/lib.sh"

for layout in "2 2" "3 2" "3 1"; do
  read -r n r <<<"$layout"
  name="info_${n}x${r}"
  sim "$name" 60 "$n" "$r" "$TSWEEP" info
  expect_rc "$name" 0
  # The table: one line per rank, NODES distinct hosts with R ranks each.
  table_hosts=$(awk '$1 ~ /^[0-9]+$/ {print $2}' <<<"$OUT" | sort | uniq -c | awk '{print $2 ":" $1}' | xargs)
  want=$(for ((k = 1; k <= n; k++)); do echo "node$k:$r"; done | xargs)
  [ "$table_hosts" = "$want" ] && pass "$name: report lists $table_hosts" ||
    fail "$name: report lists hosts '$table_hosts', expected '$want': $OUT"
  sim "$name.json" 60 "$n" "$r" "$TSWEEP" info --json
  expect_rc "$name.json" 0
  check "$name.json" info "$WORK/$name.json.out" "$n" "$r"
done

# Environment given to the harness reaches every rank on every node.
OMP_NUM_THREADS=1 sim env_3x1 60 3 1 "$TSWEEP" info --json
expect_rc env_3x1 0
threads=$(threads_of "$WORK/env_3x1.out")
[ "$threads" = "1 1 1" ] && pass "env_3x1: OMP_NUM_THREADS=1 reached the ranks of every node" ||
  fail "env_3x1: threads '$threads', expected '1 1 1'"
expect_in env_3x1 "$OUT" '"source": "OMP_NUM_THREADS"'

# Contrast: the same three ranks on the real host are one node of three.
run real_host 60 $TSWEEP_MPIEXEC -np 3 "$TSWEEP" info --json
expect_rc real_host 0
check real_host one-node "$WORK/real_host.out" 3

# The harness exits with the command's exit code.
sim exit_code 60 2 1 sh -c 'exit 3'
expect_rc exit_code 3
nodes_finish
