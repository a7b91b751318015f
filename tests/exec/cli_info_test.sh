#!/usr/bin/env bash
# `tsweep info` under the launcher's binding choices: the thread count per rank,
# its source, and the warnings that name the cause and the fix.
source "$(dirname "$0")/../e2e/lib.sh"
unset OMP_NUM_THREADS SLURM_JOB_ID SLURM_CPUS_PER_TASK SLURM_CPUS_ON_NODE PBS_JOBID NCPUS || true

info() { # info NAME TIMEOUT [env...] -- mpiexec args...
  local name=$1; shift
  run "$name" 60 "$@"
  cp "$WORK/$name.out" "$WORK/$name.json"
}

# mpirun -np 2: Open MPI binds each rank to one core → 1 thread each.
if [ "$NCPU" -ge 2 ]; then
  info np2 $TSWEEP_MPIEXEC_BARE -np 2 "$TSWEEP" info --json
  expect_rc np2 0
  [ "$(threads_of "$WORK/np2.json")" = "1 1" ] && pass "np2: 1 thread per rank" || fail "np2: threads $(threads_of "$WORK/np2.json")"
fi

# mpirun -np 1 --bind-to none → every CPU.
info np1_unbound $TSWEEP_MPIEXEC_BARE -np 1 --bind-to none "$TSWEEP" info --json
expect_rc np1_unbound 0
[ "$(threads_of "$WORK/np1_unbound.json")" = "$NCPU" ] && pass "np1 unbound: $NCPU threads" || fail "np1 unbound: threads $(threads_of "$WORK/np1_unbound.json"), expected $NCPU"

# plain mpirun -np 1 → bound to one core: 1 thread, and the idle CPUs are named with the fix.
run np1_bound 60 $TSWEEP_MPIEXEC_BARE -np 1 "$TSWEEP" info
expect_rc np1_bound 0
expect_in np1_bound "$OUT" "affinity"
if [ "$NCPU" -ge 2 ]; then
  expect_in np1_bound "$ERR" "idle"
  expect_in np1_bound "$ERR" "--bind-to none"
  expect_in np1_bound "$ERR" "--map-by slot:PE=$NCPU"
fi
run np1_bound_json 60 $TSWEEP_MPIEXEC_BARE -np 1 "$TSWEEP" info --json
[ "$(threads_of "$WORK/np1_bound_json.out")" = "1" ] && pass "np1 bound: 1 thread" || fail "np1 bound: $(cat "$WORK/np1_bound_json.out")"
expect_in np1_bound_json "$OUT" "idle"

# OMP_NUM_THREADS=1 or SLURM_CPUS_PER_TASK=1 → 1 thread, with the source named.
run omp1 60 env OMP_NUM_THREADS=1 $TSWEEP_MPIEXEC_BARE -np 1 --bind-to none "$TSWEEP" info
expect_rc omp1 0
expect_in omp1 "$OUT" "OMP_NUM_THREADS=1"
run slurm1 60 env SLURM_CPUS_PER_TASK=1 $TSWEEP_MPIEXEC_BARE -np 1 --bind-to none "$TSWEEP" info --json
[ "$(threads_of "$WORK/slurm1.out")" = "1" ] && pass "slurm1: 1 thread" || fail "slurm1: $OUT"
expect_in slurm1 "$OUT" "SLURM_CPUS_PER_TASK=1"

# OMP_NUM_THREADS larger than the mask → capped, with a warning naming the fix.
big=$((NCPU * 2))
run ompbig 60 env OMP_NUM_THREADS=$big $TSWEEP_MPIEXEC_BARE -np 1 --bind-to none "$TSWEEP" info
expect_rc ompbig 0
expect_in ompbig "$ERR" "OMP_NUM_THREADS=$big asks for $big threads"
expect_in ompbig "$ERR" "srun -c $big"
run ompbig_json 60 env OMP_NUM_THREADS=$big $TSWEEP_MPIEXEC_BARE -np 1 --bind-to none "$TSWEEP" info --json
[ "$(threads_of "$WORK/ompbig_json.out")" = "$NCPU" ] && pass "ompbig: capped to $NCPU" || fail "ompbig: $OUT"

# Slurm with --cpus-per-task=2 under a plain mpirun that binds to one core.
run slurm_bound 60 env SLURM_JOB_ID=1 SLURM_CPUS_PER_TASK=2 SLURM_CPUS_ON_NODE=2 $TSWEEP_MPIEXEC_BARE -np 1 "$TSWEEP" info
expect_rc slurm_bound 0
expect_in slurm_bound "$ERR" "SLURM_CPUS_PER_TASK=2 asks for 2 threads"
expect_in slurm_bound "$ERR" "srun -c 2"

# More ranks than CPUs → 1 thread each and a warning that ranks exceed CPUs.
np=$((NCPU * 2))
run overbooked 90 $TSWEEP_MPIEXEC_BARE -np $np --oversubscribe "$TSWEEP" info --json
expect_rc overbooked 0
[ "$(threads_of "$WORK/overbooked.out")" = "$(printf '1 %.0s' $(seq $np) | sed 's/ $//')" ] && pass "overbooked: 1 thread each" || fail "overbooked: $OUT"
expect_in overbooked "$OUT" "$np ranks on"
expect_in overbooked "$OUT" "exceed"

# --threads wins over the environment and is reported as the source.
run flag 60 env OMP_NUM_THREADS=2 $TSWEEP_MPIEXEC_BARE -np 1 --bind-to none "$TSWEEP" --threads 1 info
expect_in flag "$OUT" "--threads=1"

# --version names every library.
run version 30 "$TSWEEP" --version
expect_rc version 0
for lib in "Open MPI" "HDF5" "Kokkos" "OpenMP" "spdlog" "git"; do expect_in version "$OUT" "$lib"; done
finish
