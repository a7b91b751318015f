#!/usr/bin/env bash
# Sets everything up on a fresh Debian bookworm machine (as root) and runs the
# demo job under mpirun. Re-running reuses what is already installed and built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"

tsweep=build-release/bin/tsweep
mpirun=(mpirun -np 2)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)

echo "== launch report: mpirun -np 2 tsweep info"
"${mpirun[@]}" "$tsweep" info
