#pragma once
/// \file
/// The window reduction: raw typed samples in, one WindowRow per window out.
///
/// A unit's windows are built from pieces in sample order. A piece is the
/// part of one block that falls in one window: its codec::Summary (raw
/// units, exact for integer streams), the times of its first and last
/// samples, and the checks of the intervals between its samples. A block
/// adds its pieces (reduce_block(), from decoded samples; or the block's
/// stored summary when a window covers it whole), and the interval from the
/// previous block's last sample to its first is checked where blocks meet.
/// Regular blocks never materialise times: a window's samples inside a block
/// are an index range on the block's time base, and inside a regular block
/// there are no gaps, duplicates or backwards times by construction.
///
/// Pure and serial: the caller reduces blocks on any threads and merges the
/// pieces in sample order, so results never depend on the thread count.

#include <cstdint>
#include <vector>

#include "tsweep/analysis/window.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/codec/summary.hpp"
#include "tsweep/codec/time.hpp"
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

/// The valid range of a stream as raw values (inactive without a valid range).
codec::RawRange raw_range_of(const StreamFacts& facts, codec::SampleType type, double scale, double offset) noexcept;

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

  /// The unit's window holding time t (begin_ns <= t < end_ns), 0 ... windows - 1.
  [[nodiscard]] std::int64_t window_of(std::int64_t t) const noexcept;
  /// End of window i inside the unit: min(end_ns, (first_window + i + 1)·W).
  [[nodiscard]] std::int64_t window_end(std::int64_t i) const noexcept;
};

/// Intervals longer than this (ns) are gaps: 1.5 nominal periods, exactly.
std::int64_t gap_threshold(std::int64_t rate_nhz) noexcept;

/// Checks of the intervals between consecutive samples (later sample's window).
struct TimeChecks {
  std::int64_t duplicates = 0;
  std::int64_t backwards = 0;
  std::int64_t gaps = 0;
  std::int64_t longest_gap = 0;
  void add(std::int64_t dt, std::int64_t threshold) noexcept {
    duplicates += dt == 0;
    backwards += dt < 0;
    const bool gap = dt > threshold;
    gaps += gap;
    longest_gap = gap && dt > longest_gap ? dt : longest_gap;
  }
  void merge(const TimeChecks& o) noexcept {
    duplicates += o.duplicates;
    backwards += o.backwards;
    gaps += o.gaps;
    longest_gap = o.longest_gap > longest_gap ? o.longest_gap : longest_gap;
  }
};

/// The part of one block inside one window.
struct Piece {
  std::int64_t window = 0;  ///< 0 ... windows - 1
  codec::Summary values;
  std::int64_t first_time = 0;  ///< time of the piece's first and last samples
  std::int64_t last_time = 0;
  TimeChecks times;  ///< intervals ending at the piece's samples, within the block
};

/// What one decoded block adds to a unit.
struct BlockPieces {
  std::vector<Piece> pieces;  ///< in window order
  std::int64_t first_time = 0;  ///< the block's first and last samples in sample order
  std::int64_t last_time = 0;
  std::int64_t samples = 0;     ///< samples inside the unit's windows
  void clear() noexcept {
    pieces.clear();
    samples = 0;
  }
};

/// Reusable buffers of reduce_block (one per thread).
struct BlockScratch {
  std::vector<std::int64_t> times;
  std::vector<std::int64_t> order;
  std::vector<std::int64_t> counts;
  std::vector<std::byte> gathered;
};

/// The pieces of one block: `n` raw samples of `type` at `values`, and either
/// their times (`times`, n of them) or, for a regular block, its time base
/// (`times` empty). Samples outside the unit's range contribute no piece but
/// the block's first and last times are always set (n > 0).
void reduce_block(codec::SampleType type, const codec::RawRange& range, std::int64_t gap_threshold,
                  const UnitWindows& windows, const void* values, std::size_t n, Span<const std::int64_t> times,
                  const codec::RegularTimes& base, BlockScratch& scratch, BlockPieces& out);

/// Everything known of one window: the pieces merged in sample order.
struct WindowAccumulator {
  codec::Summary values;
  std::int64_t first_time = no_time;
  std::int64_t last_time = no_time;
  TimeChecks times;

  void add(codec::SampleType type, const Piece& piece) noexcept {
    if (piece.values.count == 0) return;
    if (values.count == 0) first_time = piece.first_time;
    last_time = piece.last_time;
    codec::merge(type, values, piece.values);
    times.merge(piece.times);
  }
};

/// The windows of one unit, built from its blocks given in sample order.
/// The interval from one block's last sample to the next block's first is
/// checked where they meet, unless a corrupt block lies between them (the
/// sample after a corrupt block has no known predecessor).
class UnitAccumulator {
 public:
  UnitAccumulator(const UnitWindows& windows, codec::SampleType type, std::int64_t gap_threshold);

  /// A decoded block: its pieces (reduce_block()).
  void add_block(const BlockPieces& block);
  /// A block inside one window of the unit, from its stored summary.
  void add_whole(const codec::Summary& summary, std::int64_t first_time, std::int64_t last_time);
  /// A block outside the unit's range: only a predecessor.
  void add_bounds(std::int64_t first_time, std::int64_t last_time);
  /// A corrupt block: counted in the windows it touches; breaks the chain.
  void add_corrupt(const CorruptSpan& span);
  /// Breaks the chain without a corrupt block: the next block has no known predecessor.
  void forget_previous() noexcept { m_have_previous = false; }

  /// Row of window i (0 <= i < windows); thread-safe.
  [[nodiscard]] WindowRow row(const StreamFacts& stream, double scale, double offset, std::int64_t i) const;
  /// Samples inside the unit's windows and range.
  [[nodiscard]] std::int64_t samples() const noexcept { return m_samples; }

 private:
  void meet(std::int64_t first_time, std::int64_t last_time);

  UnitWindows m_windows;
  codec::SampleType m_type;
  std::int64_t m_threshold;
  std::vector<WindowAccumulator> m_acc;
  std::vector<CorruptSpan> m_corrupt;
  bool m_have_previous = false;
  std::int64_t m_previous = 0;
  std::int64_t m_samples = 0;
};

/// Nominal sample instants t_i = first + floor(i·10^18 / rate) inside [a, b).
std::int64_t expected_samples(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t a, std::int64_t b);

}  // namespace tsweep::analysis
