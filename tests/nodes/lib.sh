# shellcheck shell=bash
# Helpers for the simulated-node tests (tests/nodes/*_test.sh): source it from a
# test script. It sources tests/e2e/lib.sh (run, expect_rc, wait_until, held,
# skip, finish, ...), skips the test (exit 77) when the harness cannot start
# namespaces here, and checks at the end that the real host name is unchanged
# and that no process of the test is left behind.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
NODES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIMNODES="$NODES_DIR/simnodes.sh"
COMPARE_RESULTS="$NODES_DIR/../run/compare_results.py"

# The harness runs the suite's own mpiexec (the first word of TSWEEP_MPIEXEC);
# it adds the flags it needs itself.
read -r SIMNODES_MPIRUN _ <<<"$TSWEEP_MPIEXEC"
export SIMNODES_MPIRUN
# Threads come from what each test sets, not from the caller's environment.
unset OMP_NUM_THREADS SLURM_CPUS_PER_TASK NCPUS
export TSWEEP_TEST_HOLD_TIMEOUT=90  # a held run that is never signalled gives up instead of hanging

# One-sided communication across nodes (tsweep's work counter and stop flag are
# an MPI window): Debian's Open MPI disables osc/pt2pt and osc/ucx
# (/etc/openmpi/openmpi-mca-params.conf), and osc/rdma needs an RDMA network,
# so over TCP no component is left and MPI_Win_allocate fails across nodes.
# The tests of results and stops take osc/pt2pt where it exists (an
# OMPI_MCA_osc already set wins); one_sided_default_test.sh checks the stock
# selection on its own. Call nodes_default_one_sided to drop this.
if [ -z "${OMPI_MCA_osc+x}" ] && ompi_info 2>/dev/null | grep -q "MCA osc: pt2pt"; then
  export OMPI_MCA_osc=pt2pt
fi
nodes_default_one_sided() { unset OMPI_MCA_osc; }

REAL_HOST=$(hostname)
if ! probe=$("$SIMNODES" --nodes 1 --ranks-per-node 1 -- true 2>&1); then
  case $probe in
    *SKIP:*) skip "$(sed -n 's/.*SKIP: //p' <<<"$probe" | head -n 1)" ;;
    *) echo "FAIL: simnodes.sh cannot run 'true' on one node: $probe" >&2; exit 1 ;;
  esac
fi

# sim NAME LIMIT NODES RANKS_PER_NODE CMD...: `run` under the harness.
sim() {
  local name=$1 limit=$2 nodes=$3 ranks=$4
  shift 4
  run "$name" "$limit" "$SIMNODES" --nodes "$nodes" --ranks-per-node "$ranks" -- "$@"
}

# same_results NAME REFERENCE FILE: bitwise equal outside /provenance (h5py and h5diff).
same_results() {
  if "$PYTHON" "$COMPARE_RESULTS" "$2" "$3" && h5diff --exclude-path /provenance "$2" "$3" >/dev/null; then
    pass "$1: identical to the single-node run outside /provenance"
  else
    fail "$1: $3 differs from $2"
  fi
}

# check NAME WHAT FILE NUMBERS...: tests/nodes/check_nodes.py WHAT FILE NUMBERS... passes.
check() {
  local name=$1 why
  shift
  if why=$("$PYTHON" "$NODES_DIR/check_nodes.py" "$@" 2>&1); then pass "$name: $why"; else fail "$name: $why"; fi
}

leftovers() { pgrep -f -- "$WORK/" >/dev/null 2>&1; }
nodes_finish() {
  if [ "$(hostname)" = "$REAL_HOST" ]; then pass "host name still $REAL_HOST"; else fail "host name changed to $(hostname)"; fi
  if wait_until 30 eval '! leftovers'; then
    pass "no process of the test left"
  else
    fail "processes left behind: $(pgrep -af -- "$WORK/" | head -n 5)"
    local pid
    for pid in $(pgrep -f -- "$WORK/"); do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  finish
}
