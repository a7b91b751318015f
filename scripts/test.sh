#!/usr/bin/env bash
# The full test suite, as CI runs it, on a fresh Debian bookworm machine (as root):
#   1. installs the dependencies (scripts/install-deps.sh, idempotent);
#   2. builds the `ci` preset (warnings as errors, contract checks on) and runs every test;
#   3. builds the `asan` preset and runs the unit tests under ASan/UBSan, then
#      the store, output and CLI paths end to end under them (`asan-e2e`);
#   4. runs the codec fuzzer for a short while (scripts/fuzz-codec.sh), when present.
# Set TSWEEP_TEST_QUICK=1 to skip steps 3 and 4.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)

bash scripts/install-deps.sh

echo "== ci build and full test suite"
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci

if [ "${TSWEEP_TEST_QUICK:-0}" != 1 ]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan
  echo "== store, output and CLI end to end under AddressSanitizer + UndefinedBehaviorSanitizer"
  ctest --preset asan-e2e

  if [ -x scripts/fuzz-codec.sh ]; then
    echo "== codec fuzzing (short run)"
    bash scripts/fuzz-codec.sh
  fi
fi
echo "== all tests passed"
