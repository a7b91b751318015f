#!/usr/bin/env bash
# A results file written by two ranks describes itself to h5py: attributes,
# stream and unit tables, every column readable directly, provenance as JSON.
#   h5py_test.sh WRITER   (WRITER: the output_results_writer binary)
source "$(dirname "$0")/../e2e/lib.sh"
WRITER=${1:?usage: h5py_test.sh WRITER}
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "$PYTHON has no h5py"

# shellcheck disable=SC2086
run write 120 $TSWEEP_MPIEXEC -np 2 "$WRITER" write "$WORK/results.h5" --rows 5000 --epochs 6
expect_rc write 0
run describe 60 "$PYTHON" "$(dirname "$0")/check_results.py" describe "$WORK/results.h5"
expect_rc describe 0
expect_in describe "$OUT" "columns readable"
run h5dump 60 h5dump -A "$WORK/results.h5"
expect_rc h5dump 0
expect_in h5dump "$OUT" 'tsweep_format'
finish
