#!/usr/bin/env bash
# `cmake --install` of this build, then a separate project that finds tsweep
# with find_package and links two of its layers.
source "$(dirname "$0")/../e2e/lib.sh"
build=${TSWEEP_BUILD_DIR:?}
run install 300 cmake --install "$build" --prefix "$WORK/prefix"
expect_rc install 0
[ -x "$WORK/prefix/bin/tsweep" ] && pass "tsweep installed" || fail "no bin/tsweep"
[ -f "$WORK/prefix/lib/cmake/tsweep/tsweepConfig.cmake" ] && pass "config installed" || fail "no tsweepConfig.cmake"
run configure 300 cmake -S "$(dirname "$0")/consumer" -B "$WORK/consumer" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
  -DKokkos_ROOT="${Kokkos_ROOT:-}"
expect_rc configure 0
run build 300 cmake --build "$WORK/consumer"
expect_rc build 0
run use 60 "$WORK/consumer/consumer"
expect_rc use 0
expect_in use "$OUT" "roundtrip-ok"
finish
