#pragma once
/// \file
/// The regular time base shared by every layer. A regular block stores only
/// the time of its first sample, the sample rate in nanohertz and a phase;
/// the time of sample i is defined once, here, so that the codec, the planner
/// and the analyses can never disagree about which window a sample falls in:
///
///     time(i) = first_ns + floor((phase + i * 10^18) / rate_nhz)
///
/// computed exactly in 128-bit arithmetic, for any i >= 0 and any rate from
/// 1 nHz to 1 GHz (so 12.8 Hz and 0.2 Hz are exact, and 360 Hz accumulates no
/// rounding drift however long the stream). The phase (0 <= phase < rate_nhz)
/// is what lets a block continue its run's grid: sample k of a run that starts
/// at s is at s + floor(k * 10^18 / rate_nhz), and a block that starts at
/// sample k carries first_ns = that time and phase = (k * 10^18) mod rate_nhz
/// (see advance()). Without it, a block cut at a sample whose time is not a
/// whole nanosecond would start a grid of its own. See src/codec/FORMAT.md.

#include <cstdint>
#include <optional>
#include <string_view>

#include "tsweep/core/span.hpp"

namespace tsweep::codec {

/// Nanohertz per hertz: rate_nhz = hertz * kNanohertzPerHertz.
inline constexpr std::int64_t kNanohertzPerHertz = 1'000'000'000;
/// Highest regular rate (1 GHz): one sample per nanosecond, so sample times
/// stay strictly increasing.
inline constexpr std::int64_t kMaxRateNhz = 1'000'000'000'000'000'000;

/// True when `rate_nhz` is a valid regular rate (1 ... kMaxRateNhz). Zero
/// means "irregular" and is not a regular rate.
constexpr bool is_regular_rate(std::int64_t rate_nhz) noexcept {
  return rate_nhz > 0 && rate_nhz <= kMaxRateNhz;
}

/// A regular time base: the time of sample i is
/// first_ns + floor((phase + i * 10^18) / rate_nhz).
struct RegularTimes {
  std::int64_t first_ns = 0;  ///< time of sample 0
  std::int64_t rate_nhz = 0;  ///< 1 ... kMaxRateNhz
  /// 0 ... rate_nhz - 1: sample 0 is exactly at first_ns + phase / rate_nhz
  /// ns, a fraction of a nanosecond that the integer times drop.
  std::int64_t phase = 0;
};

/// True when `times` has a regular rate and a phase in [0, rate_nhz).
constexpr bool is_regular_time_base(const RegularTimes& times) noexcept {
  return is_regular_rate(times.rate_nhz) && times.phase >= 0 && times.phase < times.rate_nhz;
}

/// Time of sample `index` (>= 0) of a regular series: first_ns + floor(index
/// * 10^18 / rate_nhz). Saturates at INT64_MAX instead of overflowing.
/// Precondition: is_regular_rate(rate_nhz), index >= 0.
std::int64_t sample_time(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t index) noexcept;
/// Time of sample `index` (>= 0) of `times`, with its phase. Saturates at
/// INT64_MAX. Precondition: is_regular_time_base(times), index >= 0.
std::int64_t sample_time(const RegularTimes& times, std::int64_t index) noexcept;

/// The time base whose sample 0 is sample `index` (>= 0) of `times`: the
/// base of a block cut from a run at that sample, so that sample_time(
/// advance(times, index), j) == sample_time(times, index + j) for every j.
/// Precondition: is_regular_time_base(times), index >= 0.
RegularTimes advance(const RegularTimes& times, std::int64_t index) noexcept;

/// Index of the first sample whose time is at or after `t_ns` (0 when t_ns <=
/// first_ns). Consistent with sample_time(): for every i,
/// first_index_at_or_after(sample_time(i)) == i, and the sample before the
/// returned index is strictly before t_ns. So the samples of a half-open window
/// [a, b) are the indices [first_index_at_or_after(a), first_index_at_or_after(b)).
/// Saturates at INT64_MAX. Precondition: is_regular_rate(rate_nhz).
std::int64_t first_index_at_or_after(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t t_ns) noexcept;
/// As above for a time base with a phase.
std::int64_t first_index_at_or_after(const RegularTimes& times, std::int64_t t_ns) noexcept;

/// Writes sample_time(first_ns, rate_nhz, first_index + k) into out[k] for every
/// k, exactly, without a 128-bit division per sample.
void fill_sample_times(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t first_index,
                       Span<std::int64_t> out) noexcept;
/// As above for a time base with a phase: out[k] = sample_time(times, first_index + k).
void fill_sample_times(const RegularTimes& times, std::int64_t first_index, Span<std::int64_t> out) noexcept;

/// Parses a rate written in hertz as a plain decimal ("360", "360.0", "12.8",
/// "0.2", "1e3" is not accepted) into nanohertz exactly, without going through
/// binary floating point. Returns nullopt for anything else, for more than 9
/// decimals that are not zeros, and for rates outside 1 nHz ... 1 GHz.
std::optional<std::int64_t> parse_rate_nhz(std::string_view hertz) noexcept;

/// Nearest nanohertz rate to `hertz` (for rates that only exist as doubles).
/// Returns 0 when hertz is not finite or outside the regular range.
std::int64_t rate_nhz_from_hz(double hertz) noexcept;

}  // namespace tsweep::codec
