// The kernels for any CPU: a portable scalar reference, and 16-byte vectors
// (SSE2 on x86-64, NEON on AArch64) for the compiler's baseline.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/kernels.hpp"

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace tsweep::codec::detail::scalar {
#define TSWEEP_KERNEL_VECTOR_BYTES 0
#include "kernels/rows.inl"
#undef TSWEEP_KERNEL_VECTOR_BYTES
extern const Kernels kTable;
const Kernels kTable = make_kernels("scalar");
}  // namespace tsweep::codec::detail::scalar

#if defined(__GNUC__) && (defined(__clang__) || __GNUC__ >= 12)
namespace tsweep::codec::detail::vector128 {
#define TSWEEP_KERNEL_VECTOR_BYTES 16
#include "kernels/rows.inl"
#undef TSWEEP_KERNEL_VECTOR_BYTES
extern const Kernels kTable;
const Kernels kTable = make_kernels("vector128");
}  // namespace tsweep::codec::detail::vector128
#endif
