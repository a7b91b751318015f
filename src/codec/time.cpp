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

std::int64_t sample_time(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t index) noexcept {
  if (rate_nhz <= 0 || index < 0) return first_ns;  // precondition violated: stay defined
  return saturate(Int128{first_ns} + Int128{index} * kAttoPerUnit / rate_nhz);
}

std::int64_t first_index_at_or_after(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t t_ns) noexcept {
  if (rate_nhz <= 0 || t_ns <= first_ns) return 0;
  // time(i) >= t  <=>  floor(i*10^18/rate) >= d  <=>  i*10^18 >= d*rate  (d integer)
  const Int128 d = Int128{t_ns} - first_ns;
  const Int128 num = d * rate_nhz;
  return saturate((num + kAttoPerUnit - 1) / kAttoPerUnit);
}

void fill_sample_times(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t first_index,
                       Span<std::int64_t> out) noexcept {
  if (out.empty()) return;
  const auto n = static_cast<std::int64_t>(out.size());
  if (rate_nhz <= 0 || first_index < 0 || sample_time(first_ns, rate_nhz, first_index + n - 1) == kInt64Max) {
    for (std::int64_t k = 0; k < n; ++k) out[k] = sample_time(first_ns, rate_nhz, first_index + k);
    return;
  }
  // time(i+1) - time(i) = q + [carry], with q, r the quotient and remainder of
  // 10^18 / rate and the carry tracked exactly in `acc` = (i * r) mod rate.
  const auto q = static_cast<std::int64_t>(kAttoPerUnit / rate_nhz);
  const auto r = static_cast<std::int64_t>(kAttoPerUnit % rate_nhz);
  auto acc = static_cast<std::int64_t>(Int128{first_index} * r % rate_nhz);
  std::int64_t t = sample_time(first_ns, rate_nhz, first_index);
  out[0] = t;
  for (std::int64_t k = 1; k < n; ++k) {
    acc += r;
    t += q;
    if (acc >= rate_nhz) {
      acc -= rate_nhz;
      t += 1;
    }
    out[k] = t;
  }
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
