#!/usr/bin/env bash
# Fuzzes block decoding: builds the libFuzzer target with clang-14, ASan and
# UBSan into its own build folder, writes a seed corpus of valid blocks, and
# runs the fuzzer for a while. Exits non-zero when the fuzzer finds a crash,
# leak, timeout or undefined behaviour (the input is kept in the artifacts
# folder; replay it with `build-fuzz/bin/fuzz_decode FILE`).
#
#   scripts/fuzz-codec.sh [SECONDS]     (default 60; TSWEEP_FUZZ_BUILD sets the folder)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds="${1:-60}"
build="${TSWEEP_FUZZ_BUILD:-$here/build-fuzz}"
case "$seconds" in
  ''|*[!0-9]*) echo "fuzz-codec.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac
for tool in clang-14 clang++-14 cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz-codec.sh: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang-14 CXX=clang++-14 cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTSWEEP_BUILD_FUZZERS=ON -DTSWEEP_BUILD_TESTS=OFF -DTSWEEP_BUILD_BENCHMARKS=OFF \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" >/dev/null
cmake --build "$build" --target fuzz_decode fuzz_codec_corpus

corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts/"
rm -rf "$corpus/seed"
mkdir -p "$corpus/seed" "$corpus/work" "$artifacts"
"$build/bin/fuzz_codec_corpus" "$corpus/seed"
# Two jobs would fight over two cores with everything else; one is enough for CI.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
"$build/bin/fuzz_decode" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus/work" "$corpus/seed"
