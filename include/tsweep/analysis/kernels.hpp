#pragma once
/// \file
/// The window reduction of one unit: samples in sample order in, one
/// WindowRow per window out. Serial and pure; the caller may compute different
/// windows on different threads, and every window is reduced in sample order,
/// so results never depend on the thread count.

#include <cstdint>
#include <vector>

#include "tsweep/analysis/window.hpp"
#include "tsweep/core/span.hpp"

namespace tsweep::analysis {

/// What the reduction needs to know of a stream.
struct StreamFacts {
  std::int64_t rate_nhz = 0;   ///< nominal rate, 0 = irregular (no expected count, no gaps)
  std::int64_t first_ns = 0;   ///< time of the stream's first sample: the nominal grid starts here
  std::int64_t last_ns = 0;    ///< time of its last sample
  bool has_valid_range = false;
  double valid_min = 0;        ///< physical values outside [valid_min, valid_max] are out of range
  double valid_max = 0;
};

/// A corrupt block's time range (from the block index), inclusive.
struct CorruptSpan {
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
};

/// The windows of one unit.
struct UnitWindows {
  std::int32_t stream = 0;        ///< row of the results file's stream table
  std::int64_t window_ns = 0;
  std::int64_t first_window = 0;  ///< k of the first window [k·W, (k+1)·W)
  std::int64_t windows = 0;
  std::int64_t begin_ns = 0;      ///< samples outside [begin_ns, end_ns) are not counted
  std::int64_t end_ns = 0;
};

/// The decoded samples around a unit, in sample order. Samples before
/// `begin_ns` serve only as predecessors (for gaps and time order).
struct UnitSamples {
  Span<const std::int64_t> times;
  Span<const double> values;                 ///< physical values
  Span<const std::int64_t> breaks;           ///< sorted indices of samples whose predecessor is unknown (after a corrupt block)
  Span<const CorruptSpan> corrupt;
  /// -1: unknown (the reduction checks); 1: the caller knows times never go
  /// backwards (it checked each block while decoding, in parallel); 0: they do.
  int ordered = -1;
};

/// Prepares a unit's reduction (a linear pass that finds each window's
/// samples), then computes any window on any thread. The spans must outlive it.
class UnitReduction {
 public:
  UnitReduction(const StreamFacts& stream, const UnitWindows& windows, const UnitSamples& samples);

  /// Row of window `i` (0 ≤ i < windows). Thread-safe for distinct or equal i.
  [[nodiscard]] WindowRow compute(std::int64_t i) const;
  [[nodiscard]] std::int64_t windows() const noexcept { return m_windows.windows; }
  /// Samples inside the unit's windows and range (what the rows count).
  [[nodiscard]] std::int64_t samples() const noexcept { return m_offsets.back() - m_offsets.front(); }

 private:
  template <class At>
  void reduce(WindowRow& row, std::int64_t lo, std::int64_t hi, At at) const;
  [[nodiscard]] bool has_previous(std::int64_t j) const;

  StreamFacts m_stream;
  UnitWindows m_windows;
  UnitSamples m_samples;
  std::int64_t m_gap_threshold = INT64_MAX;  ///< intervals longer than this (ns) are gaps
  bool m_ordered = true;                     ///< times never go backwards: windows are index ranges
  std::vector<std::int64_t> m_offsets;       ///< window i: m_offsets[i] .. m_offsets[i+1]
  std::vector<std::int64_t> m_index;         ///< sample indices grouped by window (when not ordered)
  std::vector<std::int64_t> m_breaks;        ///< sorted samples without a known predecessor
};

/// Nominal sample instants t_i = first + floor(i·10^18 / rate) inside [a, b).
std::int64_t expected_samples(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t a, std::int64_t b);

}  // namespace tsweep::analysis
