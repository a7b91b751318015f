#pragma once
// The summary loops (tsweep/codec/summary.hpp), compiled once per instruction
// set (summary_generic.cpp, summary_avx2.cpp) and chosen at run time. Every
// implementation gives bitwise the same summary: the same lanes, the same
// order. As in kernels.hpp, nothing here is inline.

#include <cstddef>

#include "tsweep/codec/summary.hpp"

namespace tsweep::codec::detail {

struct SummaryKernels {
  const char* name;
  /// Indexed by SampleType - 1: int16, int32, int64, float32, float64.
  Summary (*summarize[5])(const void* values, std::size_t n, const RawRange& range) noexcept;
};

/// The fastest implementation this CPU runs (chosen once).
const SummaryKernels& summary_kernels() noexcept;
/// Every implementation this CPU runs, the portable reference first.
std::size_t summary_kernel_count() noexcept;
const SummaryKernels& summary_kernel_at(std::size_t i) noexcept;
/// Makes summary_kernels() return `k` (tests and benchmarks).
void use_summary_kernels(const SummaryKernels& k) noexcept;

}  // namespace tsweep::codec::detail
