#pragma once
/// \file
/// The summary of a run of consecutive samples of one stream, in raw units
/// (the stream's own sample type): count, extremes, exact sums, NaNs, flat
/// runs at its ends and inside, and samples outside the stream's valid range.
/// Summaries of consecutive runs merge (merge()) into the summary of the
/// whole, so a window's statistics can be built from the summaries of the
/// blocks it covers without decoding them, and from the pieces of the blocks
/// its edges cut. The store keeps one summary per block in its index row.
///
/// Exactness: for integer streams every field is exact, so a merged summary
/// equals the summary of the concatenation whatever the split. For float
/// streams min, max, counts and flat runs are exact; the sum and the sum of
/// squared deviations are floating point in a fixed order (four lanes by
/// position inside each run, runs merged in sample order), so they depend on
/// the split but never on threads or ranks.

#include <cstddef>
#include <cstdint>

#include "tsweep/codec/sample_type.hpp"

namespace tsweep::codec {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

/// A 192-bit unsigned integer: the exact sum of squares of up to 2^64 int64
/// samples. Words are little-endian (w[0] least significant).
struct UInt192 {
  std::uint64_t w[3] = {0, 0, 0};
  void add(UInt128 x) noexcept {
    const UInt128 lo = (static_cast<UInt128>(w[1]) << 64 | w[0]) + x;
    w[2] += lo < x ? 1 : 0;
    w[0] = static_cast<std::uint64_t>(lo);
    w[1] = static_cast<std::uint64_t>(lo >> 64);
  }
  void add(const UInt192& x) noexcept {
    const UInt128 lo = (static_cast<UInt128>(w[1]) << 64 | w[0]);
    const UInt128 xl = (static_cast<UInt128>(x.w[1]) << 64 | x.w[0]);
    const UInt128 sum = lo + xl;
    w[2] += x.w[2] + (sum < xl ? 1 : 0);
    w[0] = static_cast<std::uint64_t>(sum);
    w[1] = static_cast<std::uint64_t>(sum >> 64);
  }
  friend bool operator==(const UInt192& a, const UInt192& b) noexcept {
    return a.w[0] == b.w[0] && a.w[1] == b.w[1] && a.w[2] == b.w[2];
  }
};

/// The valid physical range of a stream as a range of raw values: a raw
/// sample r is in range exactly when its physical value
/// double(r) * scale + offset lies in [valid_min, valid_max] (the mapping is
/// monotone, so that set is an interval of raw values). NaN is never out of
/// range. Inactive ranges count nothing.
struct RawRange {
  bool active = false;
  bool empty = false;       ///< no raw value is in range: every non-NaN sample is out
  std::int64_t int_lo = 0;  ///< integer types: in range iff int_lo <= r <= int_hi
  std::int64_t int_hi = 0;
  double float_lo = 0;      ///< float types: in range iff float_lo <= double(r) <= float_hi
  double float_hi = 0;
};

/// The raw range of physical [valid_min, valid_max] for a stream of `type`
/// with this scale (finite, non-zero) and offset. Exact: found by bisection
/// over the raw values with the same double arithmetic the physical test uses.
/// Bounds are numbers: an open end is -HUGE_VAL or HUGE_VAL (a NaN bound
/// compares false and makes the range empty; callers map a missing bound to
/// an infinity first, as store::raw_range and analysis::raw_range_of do).
RawRange raw_range(SampleType type, double scale, double offset, double valid_min, double valid_max) noexcept;

/// Summary of consecutive samples, raw units. An empty run has count 0 and
/// every other field 0.
struct Summary {
  std::int64_t count = 0;         ///< samples, NaN included
  std::int64_t nan_count = 0;     ///< float streams only
  std::int64_t out_of_range = 0;  ///< non-NaN samples outside the RawRange
  /// Longest run of identical consecutive values (bitwise, in the raw type:
  /// 0.0 and -0.0 differ); a NaN belongs to no run and ends the one before it.
  std::int64_t longest_flat = 0;
  std::int64_t head_flat = 0;  ///< length of the run that starts at the first sample (0 if it is NaN)
  std::int64_t tail_flat = 0;  ///< length of the run that ends at the last sample (0 if it is NaN)
  /// Raw values, as 64-bit words: integer types hold the value (sign-extended),
  /// float types the bits of the value as a double (float32 widened exactly).
  /// min and max are over non-NaN samples (0 when there are none).
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;
  /// Integer types: exact sum of the samples (two's complement, 128 bits) and
  /// exact sum of their squares (192 bits). Float types: sum_lo/sum_hi hold the
  /// bits of the double sum and its compensation (Neumaier), squares.w[0]
  /// the bits of the sum of squared deviations from the run's mean (M2).
  std::uint64_t sum_lo = 0;
  std::uint64_t sum_hi = 0;
  UInt192 squares;

  [[nodiscard]] Int128 int_sum() const noexcept {
    return static_cast<Int128>(static_cast<UInt128>(sum_hi) << 64 | sum_lo);
  }
  void set_int_sum(Int128 s) noexcept {
    sum_lo = static_cast<std::uint64_t>(static_cast<UInt128>(s));
    sum_hi = static_cast<std::uint64_t>(static_cast<UInt128>(s) >> 64);
  }
  /// Non-NaN samples.
  [[nodiscard]] std::int64_t values() const noexcept { return count - nan_count; }

  friend bool operator==(const Summary& a, const Summary& b) noexcept;
  friend bool operator!=(const Summary& a, const Summary& b) noexcept { return !(a == b); }
};

/// Summary of `n` samples of `type` at `values` (raw, the type's own layout).
Summary summarize(SampleType type, const void* values, std::size_t n, const RawRange& range) noexcept;

/// Typed form of summarize().
template <class T>
Summary summarize(const T* values, std::size_t n, const RawRange& range) noexcept {
  return summarize(sample_type_of<T>(), values, n, range);
}

/// `into` becomes the summary of its samples followed by `next`'s.
void merge(SampleType type, Summary& into, const Summary& next) noexcept;

/// Physical statistics of a summary: value = raw * scale + offset.
struct PhysicalStats {
  std::int64_t count = 0;  ///< non-NaN samples
  double min = 0, max = 0, mean = 0, std = 0;  ///< NaN when count == 0 (std also when not finite)
};
/// Integer types: the mean and the population standard deviation of the raw
/// values are each correctly rounded to double from their exact values, then
/// mean = raw_mean * scale + offset and std = raw_std * |scale|. Float types:
/// from the compensated sum and M2. A negative scale swaps min and max.
PhysicalStats physical_stats(SampleType type, const Summary& s, double scale, double offset) noexcept;

/// The double nearest to n / d (ties to even), for any n and d > 0.
double rounded_quotient(Int128 n, std::int64_t d) noexcept;
/// The double nearest to sqrt(n·Q − S²) / n: the population standard deviation
/// of n integers whose sum is S and sum of squares Q, correctly rounded.
double rounded_std(Int128 sum, const UInt192& squares, std::int64_t n) noexcept;

}  // namespace tsweep::codec
