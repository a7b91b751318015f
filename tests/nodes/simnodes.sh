#!/usr/bin/env bash
# simnodes.sh --nodes N --ranks-per-node R [other mpirun options...] -- CMD ARGS...
#
# Runs CMD under Open MPI's mpirun as N simulated nodes node1..nodeN with R
# ranks each, on this one machine. Every node is its own UTS namespace
# (`unshare --uts`) with its own host name, started by mpirun through
# tests/nodes/agent.sh in place of ssh, so each node's orted and its ranks see
# their own host name and Open MPI treats them as separate nodes: one
# MPI_COMM_TYPE_SHARED communicator per node, TCP over loopback between nodes,
# shared memory within one. mpirun (the HNP) runs in a namespace of its own
# named node0, which is not in the hostfile, so no rank runs beside it and the
# real host name cannot collide with a node's. The real machine's host name is
# never changed.
#
# Environment variables given to simnodes.sh reach every rank (the agent and
# the orteds inherit mpirun's environment). The script execs mpirun: its pid is
# mpirun's, SIGUSR1/SIGTERM/SIGINT sent to it reach mpirun (which forwards or
# handles them as it always does), and its exit code is mpirun's.
#
# Exit 77 with one line "SKIP: reason" on stderr when `unshare --uts` is not
# permitted here; exit 2 on a usage error or when a node name resolves to this
# machine. SIMNODES_MPIRUN names the mpirun to use (default: mpirun on PATH). See tests/nodes/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
agent="$here/agent.sh"

usage() {
  echo "usage: simnodes.sh --nodes N --ranks-per-node R [other mpirun options...] -- CMD ARGS..." >&2
  exit 2
}

nodes="" ranks=""
mpirun_opts=()
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) [ $# -ge 2 ] || usage; nodes=$2; shift 2 ;;
    --nodes=*) nodes=${1#*=}; shift ;;
    --ranks-per-node) [ $# -ge 2 ] || usage; ranks=$2; shift 2 ;;
    --ranks-per-node=*) ranks=${1#*=}; shift ;;
    --) shift; break ;;
    *) mpirun_opts+=("$1"); shift ;;
  esac
done
[ $# -gt 0 ] || { echo "simnodes.sh: no command after --" >&2; usage; }
[[ $nodes =~ ^[1-9][0-9]*$ ]] || { echo "simnodes.sh: --nodes needs a positive integer, got '$nodes'" >&2; usage; }
[[ $ranks =~ ^[1-9][0-9]*$ ]] || { echo "simnodes.sh: --ranks-per-node needs a positive integer, got '$ranks'" >&2; usage; }

mpirun=${SIMNODES_MPIRUN:-mpirun}
if ! command -v "$mpirun" >/dev/null 2>&1; then
  echo "simnodes.sh: $mpirun not found" >&2
  exit 2
fi
if ! "$mpirun" --version 2>&1 | grep -Eq "Open MPI|OpenRTE"; then
  echo "simnodes.sh: $mpirun is not Open MPI's (it needs plm_rsh_agent)" >&2
  exit 2
fi

# Namespaces: the probe sets a host name only inside the namespace it made.
if ! command -v unshare >/dev/null 2>&1; then
  echo "SKIP: unshare (util-linux) is not installed" >&2
  exit 77
fi
if ! probe_err=$(unshare --uts -- sh -c 'hostname simnodes-probe && [ "$(hostname)" = simnodes-probe ]' 2>&1); then
  probe_err=${probe_err//$'\n'/ }
  echo "SKIP: unshare --uts is not permitted here (${probe_err:-no message}; it needs root or CAP_SYS_ADMIN)" >&2
  exit 77
fi

# A fake node that resolves to this machine would be taken by Open MPI as the
# local node (and run its ranks beside mpirun): refuse rather than mislead.
local_addrs=" $(hostname -I 2>/dev/null || true) "
for ((i = 1; i <= nodes; i++)); do
  for addr in $(getent ahosts "node$i" 2>/dev/null | awk '{print $1}' | sort -u); do
    case $addr in
      127.* | ::1 | ::ffff:127.*)
        echo "simnodes.sh: node$i resolves to $addr (this machine); Open MPI would not treat it as a separate node" >&2
        exit 2 ;;
    esac
    case $local_addrs in
      *" $addr "*)
        echo "simnodes.sh: node$i resolves to $addr (this machine); Open MPI would not treat it as a separate node" >&2
        exit 2 ;;
    esac
  done
done

# The hostfile lives in a temp dir only until mpirun has it open: mpirun gets
# it as /dev/fd/9 (mpirun reads the hostfile itself at start-up; the orteds
# never do), so nothing is left behind however mpirun ends.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/simnodes.XXXXXX")
for ((i = 1; i <= nodes; i++)); do echo "node$i slots=$ranks"; done >"$tmp/hostfile"
exec 9<"$tmp/hostfile"
rm -rf "$tmp"

root_flags=()
[ "$(id -u)" -ne 0 ] || root_flags=(--allow-run-as-root)

# Open MPI settings, as defaults in the environment (which mpirun, the orteds
# and the ranks all read): a variable already set, or the same -mca given
# among the mpirun options (the command line wins), overrides them.
#   oob/btl_tcp_if_include lo   daemons and ranks talk over loopback only
#   pml ob1, btl self,vader,tcp shared memory within a node, TCP between nodes
#                               (no UCX or other fabric finding a shortcut)
#   mpi_yield_when_idle 1       when the nodes have more ranks than this machine
#                               has CPUs: each "node" claims R slots of its own,
#                               so Open MPI would busy-poll as if on dedicated
#                               cores and starve the ranks that have work
export OMPI_MCA_oob_tcp_if_include=${OMPI_MCA_oob_tcp_if_include:-lo}
export OMPI_MCA_btl_tcp_if_include=${OMPI_MCA_btl_tcp_if_include:-lo}
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader,tcp}
if [ $((nodes * ranks)) -gt "$(nproc)" ]; then
  export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
fi

# mpirun runs in its own UTS namespace named node0 (unshare and sh exec, so
# the pid stays this script's). On its command line:
#   plm rsh, plm_rsh_agent   start each node's orted through agent.sh, never ssh
#   plm_rsh_no_tree_spawn 1  mpirun starts every orted itself
#   --map-by ppr:R:node      R ranks on each node; no binding (the nodes share
#                            this machine's CPUs), more ranks than CPUs allowed
exec unshare --uts -- sh -c 'hostname node0 && exec "$@"' simnodes-hnp \
  "$mpirun" "${root_flags[@]}" \
  --hostfile /dev/fd/9 \
  --map-by "ppr:$ranks:node" --bind-to none --oversubscribe \
  -mca plm rsh -mca plm_rsh_agent "$agent" -mca plm_rsh_no_tree_spawn 1 \
  "${mpirun_opts[@]}" \
  "$@"
