// The kernels with 32-byte vectors; this file alone is compiled with -mavx2
// and only called after the CPU was seen to support AVX2 (kernels.cpp).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/kernels.hpp"

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace tsweep::codec::detail::avx2 {
#define TSWEEP_KERNEL_VECTOR_BYTES 32
#include "kernels/rows.inl"
#undef TSWEEP_KERNEL_VECTOR_BYTES
extern const Kernels kTable;
const Kernels kTable = make_kernels("avx2");
}  // namespace tsweep::codec::detail::avx2
