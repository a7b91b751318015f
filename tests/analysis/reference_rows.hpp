#pragma once
// A straightforward reference for the window reduction: every window scans
// every sample of the unit in sample order, in physical values, one at a time.
// Shared by the analysis and unit-runner tests.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "tsweep/analysis/kernels.hpp"

namespace tsweep::test {

/// The unit's samples in sample order; has_previous[j] is false for the first
/// sample and for the first one after a corrupt block.
template <class T>
struct ReferenceSamples {
  std::vector<std::int64_t> times;
  std::vector<T> raw;
  std::vector<bool> has_previous;
  std::vector<analysis::CorruptSpan> corrupt;
};

template <class T>
analysis::WindowRow reference_row(const ReferenceSamples<T>& d, const analysis::StreamFacts& f, double scale,
                                  double offset, const analysis::UnitWindows& u, std::int64_t i) {
  analysis::WindowRow row;
  row.stream = u.stream;
  row.start = (u.first_window + i) * u.window_ns;
  const std::int64_t end = row.start + u.window_ns;
  long double sum = 0;
  std::vector<double> kept;
  std::int64_t run = 0, present = 0;
  T last{};
  const long double period = f.rate_nhz ? 1e18L / static_cast<long double>(f.rate_nhz) : 0;
  for (std::size_t j = 0; j < d.times.size(); ++j) {
    const std::int64_t t = d.times[j];
    if (t < row.start || t >= end || t < u.begin_ns || t >= u.end_ns) continue;
    const T x = d.raw[j];
    ++present;
    if (row.first_time == analysis::no_time) row.first_time = t;
    row.last_time = t;
    if (d.has_previous[j]) {
      const auto dt = t - d.times[j - 1];
      if (dt == 0) ++row.duplicate_times;
      if (dt < 0) ++row.backwards_times;
      if (period > 0 && static_cast<long double>(dt) > 1.5L * period) {
        ++row.gaps;
        row.longest_gap = std::max(row.longest_gap, dt);
      }
    }
    bool nan = false;
    if constexpr (std::is_floating_point_v<T>) nan = std::isnan(x);
    // Identical raw values (bitwise); a NaN is in no run and ends the one before it.
    run = nan ? 0 : (run > 0 && std::memcmp(&x, &last, sizeof x) == 0) ? run + 1 : 1;
    last = x;
    row.longest_flat_run = std::max(row.longest_flat_run, run);
    if (nan) {
      ++row.nan_count;
      continue;
    }
    const double v = static_cast<double>(x) * scale + offset;
    if (f.has_valid_range && (v < f.valid_min || v > f.valid_max)) ++row.out_of_range;
    kept.push_back(v);
    sum += static_cast<long double>(x);
  }
  row.count = static_cast<std::int64_t>(kept.size());
  if (!kept.empty()) {
    row.min = *std::min_element(kept.begin(), kept.end());
    row.max = *std::max_element(kept.begin(), kept.end());
    const long double mean = sum / static_cast<long double>(kept.size());
    long double sq = 0;
    for (std::size_t j = 0; j < d.times.size(); ++j) {
      const std::int64_t t = d.times[j];
      if (t < row.start || t >= end || t < u.begin_ns || t >= u.end_ns) continue;
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(d.raw[j])) continue;
      }
      const long double dx = static_cast<long double>(d.raw[j]) - mean;
      sq += dx * dx;
    }
    row.mean = static_cast<double>(mean * scale + offset);
    row.std = static_cast<double>(std::sqrt(sq / static_cast<long double>(kept.size())) * std::fabs(scale));
  }
  const std::int64_t a = std::max({row.start, u.begin_ns, f.first_ns});
  const std::int64_t b = std::min({end, u.end_ns, f.last_ns + 1});
  row.expected = analysis::expected_samples(f.first_ns, f.rate_nhz, a, b);
  row.missing = std::max<std::int64_t>(0, row.expected - present);
  for (const auto& c : d.corrupt) row.corrupt_blocks += (c.first_ns < end && c.last_ns >= row.start) ? 1 : 0;
  return row;
}

}  // namespace tsweep::test
