// The summary loops for any CPU (the portable reference).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/summary_kernels.hpp"

namespace tsweep::codec::detail::summary_scalar {
#include "kernels/summary.inl"
extern const SummaryKernels kTable;
const SummaryKernels kTable = make_summary_kernels("scalar");
}  // namespace tsweep::codec::detail::summary_scalar
