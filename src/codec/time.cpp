#include "tsweep/codec/time.hpp"

#include <cmath>
#include <limits>

namespace tsweep::codec {
namespace {

__extension__ typedef __int128 Int128;

constexpr Int128 kAttoPerUnit = 1'000'000'000'000'000'000;  // 10^18: ns per second * nHz per Hz
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

std::int64_t saturate(Int128 v) noexcept {
  if (v > kInt64Max) return kInt64Max;
  if (v < kInt64Min) return kInt64Min;
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::int64_t sample_time(const RegularTimes& times, std::int64_t index) noexcept {
  if (times.rate_nhz <= 0 || index < 0) return times.first_ns;  // precondition violated: stay defined
  // phase < rate <= 10^18 and index < 2^63: the numerator stays below 2^124.
  return saturate(Int128{times.first_ns} + (Int128{times.phase} + Int128{index} * kAttoPerUnit) / times.rate_nhz);
}

std::int64_t sample_time(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t index) noexcept {
  return sample_time(RegularTimes{first_ns, rate_nhz, 0}, index);
}

RegularTimes advance(const RegularTimes& times, std::int64_t index) noexcept {
  if (times.rate_nhz <= 0 || index <= 0) return times;  // nothing to advance (or a precondition violated)
  const Int128 num = Int128{times.phase} + Int128{index} * kAttoPerUnit;
  return {saturate(Int128{times.first_ns} + num / times.rate_nhz), times.rate_nhz,
          static_cast<std::int64_t>(num % times.rate_nhz)};
}

std::int64_t first_index_at_or_after(const RegularTimes& times, std::int64_t t_ns) noexcept {
  if (times.rate_nhz <= 0 || t_ns <= times.first_ns) return 0;
  // time(i) >= t  <=>  floor((phase + i*10^18)/rate) >= d  <=>  phase + i*10^18 >= d*rate  (d integer),
  // and d*rate > phase because d >= 1 and phase < rate.
  const Int128 d = Int128{t_ns} - times.first_ns;
  const Int128 num = d * times.rate_nhz - times.phase;
  return saturate((num + kAttoPerUnit - 1) / kAttoPerUnit);
}

std::int64_t first_index_at_or_after(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t t_ns) noexcept {
  return first_index_at_or_after(RegularTimes{first_ns, rate_nhz, 0}, t_ns);
}

void fill_sample_times(const RegularTimes& times, std::int64_t first_index, Span<std::int64_t> out) noexcept {
  if (out.empty()) return;
  const auto n = static_cast<std::int64_t>(out.size());
  const std::int64_t rate = times.rate_nhz;
  if (rate <= 0 || first_index < 0 || times.phase < 0 || times.phase >= rate ||
      sample_time(times, first_index + n - 1) == kInt64Max) {
    for (std::int64_t k = 0; k < n; ++k) out[k] = sample_time(times, first_index + k);
    return;
  }
  // With 10^18 = q*rate + r, time(i) = first + i*q + floor((phase + i*r) / rate):
  // each step adds q, plus 1 when the remainder acc = (phase + i*r) mod rate wraps.
  const auto q = static_cast<std::int64_t>(kAttoPerUnit / rate);
  const auto r = static_cast<std::int64_t>(kAttoPerUnit % rate);
  auto acc = static_cast<std::int64_t>((Int128{times.phase} + Int128{first_index} * r) % rate);
  std::int64_t t = sample_time(times, first_index);
  out[0] = t;
  for (std::int64_t k = 1; k < n; ++k) {
    acc += r;  // both below rate <= 10^18: no overflow
    t += q;
    if (acc >= rate) {
      acc -= rate;
      t += 1;
    }
    out[k] = t;
  }
}

void fill_sample_times(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t first_index,
                       Span<std::int64_t> out) noexcept {
  fill_sample_times(RegularTimes{first_ns, rate_nhz, 0}, first_index, out);
}

std::optional<std::int64_t> parse_rate_nhz(std::string_view hertz) noexcept {
  std::size_t i = 0;
  std::int64_t whole = 0;
  std::size_t whole_digits = 0;
  for (; i < hertz.size() && hertz[i] >= '0' && hertz[i] <= '9'; ++i, ++whole_digits) {
    whole = whole * 10 + (hertz[i] - '0');
    if (whole > kMaxRateNhz / kNanohertzPerHertz) return std::nullopt;
  }
  std::int64_t frac = 0;
  std::size_t frac_digits = 0;
  if (i < hertz.size() && hertz[i] == '.') {
    for (++i; i < hertz.size() && hertz[i] >= '0' && hertz[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits < 9) {
        frac = frac * 10 + (hertz[i] - '0');
      } else if (hertz[i] != '0') {
        return std::nullopt;  // finer than a nanohertz
      }
    }
  }
  if (i != hertz.size() || whole_digits + frac_digits == 0) return std::nullopt;
  for (std::size_t k = frac_digits; k < 9; ++k) frac *= 10;
  const std::int64_t rate = whole * kNanohertzPerHertz + frac;
  if (!is_regular_rate(rate)) return std::nullopt;
  return rate;
}

std::int64_t rate_nhz_from_hz(double hertz) noexcept {
  if (!std::isfinite(hertz) || hertz <= 0) return 0;
  const double nhz = hertz * static_cast<double>(kNanohertzPerHertz);
  if (nhz > static_cast<double>(kMaxRateNhz)) return 0;
  const auto rate = static_cast<std::int64_t>(std::llround(nhz));
  return is_regular_rate(rate) ? rate : 0;
}

}  // namespace tsweep::codec
