// The summary loops with 32-byte vectors; this file alone is compiled with
// -mavx2 and only called after the CPU was seen to support AVX2.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/summary_kernels.hpp"

namespace tsweep::codec::detail::summary_avx2 {
#define TSWEEP_SUMMARY_AVX2 1
#include "kernels/summary.inl"
#undef TSWEEP_SUMMARY_AVX2
extern const SummaryKernels kTable;
const SummaryKernels kTable = make_summary_kernels("avx2");
}  // namespace tsweep::codec::detail::summary_avx2
