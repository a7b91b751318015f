#!/usr/bin/env bash
# Scaling benchmarks of `tsweep run`: strong (fixed store), weak (the store
# grows with the ranks) and across (simulated or Slurm) nodes, each to a CSV.
#
#   benchmarks/scaling/scaling.sh BIN WORK [--strong] [--weak] [--nodes] [--repeats N] [options]
#   /usr/bin/python3 benchmarks/scaling/plot.py WORK        # PNGs (benchmarks/scaling/*.png)
#   /usr/bin/python3 benchmarks/scaling/model.py WORK       # the performance model (model.md)
#
# BIN is a release tsweep binary; WORK keeps the stores (reused) and the CSVs.
# Under Slurm (SLURM_JOB_ID set) ranks start with `srun --mpi=pmix`, elsewhere
# with mpirun. Options: `scaling.py --help` (the driver this wraps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ] || [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  /usr/bin/python3 "$here/scaling.py" --help >&2 || true
  exit 2
fi
exec /usr/bin/python3 "$here/scaling.py" "$@"
