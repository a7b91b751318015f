#!/usr/bin/env bash
# ctest smoke test: the scaling scripts end to end on tiny stores (well under a
# minute on 2 cores): scaling.sh (strong, weak and, where simulated nodes can
# run here, 1-2 nodes), plot.py and model.py, into a temporary folder (the
# committed PNGs and model.md are left alone). Exit 77 (skip) without
# matplotlib or numpy. Gets TSWEEP and PYTHON from tsweep_add_script_test.
set -euo pipefail
: "${TSWEEP:?TSWEEP (path to the tsweep binary) is not set}"
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
if ! "$PYTHON" -c 'import matplotlib, numpy' 2>/dev/null; then
  echo "SKIP: $PYTHON has no matplotlib or numpy (python3-matplotlib)"
  exit 77
fi
unset SLURM_JOB_ID  # mpirun here, even inside an allocation
work=$(mktemp -d "${TMPDIR:-/tmp}/tsweep-scaling.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

ok_runs() { # ok_runs CSV: runs that exited 0 with a summary
  "$PYTHON" -c 'import csv, sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["rc"] == "0" and r["seconds"]))' \
    "$1" 2>/dev/null || echo 0
}

timeout --kill-after=5 100 bash "$here/scaling.sh" "$TSWEEP" "$work" --tiny --repeats 1 --max-nodes 2 --timeout 40 \
  2>"$work/driver.err" || { rc=$?; cat "$work/driver.err" >&2; bad "scaling.sh exited $rc"; }
for exp in strong weak; do
  n=$(ok_runs "$work/$exp.csv")
  [ "$n" -ge 3 ] && echo "ok: $exp.csv has $n successful runs" || bad "$exp.csv: $n successful runs"
done
if [ -s "$work/nodes.csv" ]; then
  echo "ok: nodes.csv has $(ok_runs "$work/nodes.csv") successful simulated-node runs (0 where unshare is not permitted)"
fi
"$PYTHON" "$here/plot.py" "$work" --out "$work/png" >/dev/null || bad "plot.py"
for f in strong weak; do
  [ -s "$work/png/$f.png" ] && echo "ok: $f.png" || bad "no $f.png"
done
"$PYTHON" "$here/model.py" "$work" --out "$work/model" >/dev/null 2>"$work/model.err" ||
  { cat "$work/model.err" >&2; bad "model.py"; }
md=$work/model/model.md
grep -q "held out" "$md" 2>/dev/null && echo "ok: model.md has the held-out check" || bad "model.md"
grep -q "^| 1000 |" "$md" 2>/dev/null && echo "ok: model.md predicts 1000 nodes" || bad "no 1000-node row"
[ -s "$work/model/model.png" ] && echo "ok: model.png" || bad "no model.png"
exit "$fail"
