#!/bin/sh
# The remote-shell agent of tests/nodes/simnodes.sh (Open MPI's plm_rsh_agent):
# mpirun runs it as `agent.sh HOST COMMAND...` in place of `ssh HOST COMMAND...`
# to start its daemon (orted) on HOST. It runs COMMAND, as a remote shell would,
# in a new UTS namespace whose host name is HOST, so that the orted and every
# rank it starts see HOST as their host name. The real machine's host name is
# never touched: `hostname` runs only inside the namespace `unshare` made, and
# not at all when `unshare` fails. The environment (and so every variable given
# to simnodes.sh) is inherited from mpirun, as on a node whose shell startup
# would set it.
set -u
if [ $# -lt 2 ]; then
  echo "agent.sh: usage: agent.sh HOST COMMAND..." >&2
  exit 2
fi
host=$1
shift
# Open MPI passes the command as words meant for a remote shell (quoted values
# such as -mca ess "env"): join and hand them to sh -c, as sshd would.
exec unshare --uts -- sh -c 'hostname "$1" || exit 1; shift; exec sh -c "$*"' agent.sh "$host" "$@"
