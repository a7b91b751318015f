#include "tsweep/analysis/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tsweep/core/assert.hpp"

namespace tsweep::analysis {

namespace {

__extension__ typedef __int128 i128;  // exact for i·10^18 with i up to 10^19
constexpr i128 ns_per_s_nhz = static_cast<i128>(1000000000) * 1000000000;  // 10^18

// Smallest i ≥ 0 with first + floor(i·10^18/rate) ≥ t. Since floor(x) ≥ d ⟺ x ≥ d
// for integer d, this is ceil((t - first)·rate / 10^18).
i128 first_index_at_or_after(std::int64_t first, std::int64_t rate, std::int64_t t) {
  const i128 d = static_cast<i128>(t) - first;
  if (d <= 0) return 0;
  const i128 num = d * rate;
  return (num + ns_per_s_nhz - 1) / ns_per_s_nhz;
}

bool same_value(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

std::int64_t expected_samples(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t a, std::int64_t b) {
  if (rate_nhz <= 0 || b <= a) return 0;
  const i128 n = first_index_at_or_after(first_ns, rate_nhz, b) - first_index_at_or_after(first_ns, rate_nhz, a);
  return static_cast<std::int64_t>(std::max<i128>(0, n));
}

UnitReduction::UnitReduction(const StreamFacts& stream, const UnitWindows& windows, const UnitSamples& samples)
    : m_stream(stream), m_windows(windows), m_samples(samples) {
  TSWEEP_EXPECTS(windows.window_ns > 0 && windows.windows >= 0);
  TSWEEP_EXPECTS(samples.times.size() == samples.values.size());
  const auto n = static_cast<std::int64_t>(samples.times.size());
  const auto w = windows.windows;

  m_no_previous.assign(static_cast<std::size_t>(n), 0);
  if (n > 0) m_no_previous[0] = 1;
  for (auto b : samples.breaks) {
    if (b >= 0 && b < n) m_no_previous[static_cast<std::size_t>(b)] = 1;
  }

  // Window of sample j, or -1 when it is outside the unit.
  auto window_of = [&](std::int64_t j) -> std::int64_t {
    const std::int64_t t = samples.times[static_cast<std::size_t>(j)];
    if (t < windows.begin_ns || t >= windows.end_ns) return -1;
    const std::int64_t k = floor_div(t, windows.window_ns) - windows.first_window;
    return (k >= 0 && k < w) ? k : -1;
  };

  for (std::int64_t j = 1; j < n && m_ordered; ++j) {
    if (samples.times[static_cast<std::size_t>(j)] < samples.times[static_cast<std::size_t>(j - 1)]) m_ordered = false;
  }
  m_offsets.assign(static_cast<std::size_t>(w + 1), 0);
  if (m_ordered) {
    // Times never decrease: window i is the index range [m_offsets[i], m_offsets[i+1]).
    std::int64_t j = 0;
    for (std::int64_t i = 0; i < w; ++i) {
      const std::int64_t lo = std::max(windows.begin_ns, (windows.first_window + i) * windows.window_ns);
      while (j < n && samples.times[static_cast<std::size_t>(j)] < lo) ++j;
      m_offsets[static_cast<std::size_t>(i)] = j;
    }
    while (j < n && samples.times[static_cast<std::size_t>(j)] < windows.end_ns &&
           samples.times[static_cast<std::size_t>(j)] < (windows.first_window + w) * windows.window_ns) {
      ++j;
    }
    m_offsets[static_cast<std::size_t>(w)] = j;
  } else {
    // Stable counting sort of sample indices by window keeps sample order inside each window.
    std::vector<std::int64_t> counts(static_cast<std::size_t>(w), 0);
    for (std::int64_t j = 0; j < n; ++j) {
      if (auto k = window_of(j); k >= 0) ++counts[static_cast<std::size_t>(k)];
    }
    for (std::int64_t i = 0; i < w; ++i) {
      m_offsets[static_cast<std::size_t>(i + 1)] = m_offsets[static_cast<std::size_t>(i)] + counts[static_cast<std::size_t>(i)];
    }
    m_index.resize(static_cast<std::size_t>(m_offsets.back()));
    std::vector<std::int64_t> fill(m_offsets.begin(), m_offsets.end() - 1);
    for (std::int64_t j = 0; j < n; ++j) {
      if (auto k = window_of(j); k >= 0) m_index[static_cast<std::size_t>(fill[static_cast<std::size_t>(k)]++)] = j;
    }
  }
}

template <class Visit>
void UnitReduction::for_each_sample(std::int64_t i, Visit&& visit) const {
  const auto lo = m_offsets[static_cast<std::size_t>(i)];
  const auto hi = m_offsets[static_cast<std::size_t>(i + 1)];
  for (auto p = lo; p < hi; ++p) visit(m_ordered ? p : m_index[static_cast<std::size_t>(p)]);
}

WindowRow UnitReduction::compute(std::int64_t i) const {
  TSWEEP_EXPECTS(i >= 0 && i < m_windows.windows);
  const auto& times = m_samples.times;
  const auto& values = m_samples.values;
  WindowRow row;
  row.stream = m_windows.stream;
  const std::int64_t start = (m_windows.first_window + i) * m_windows.window_ns;
  row.start = start;

  // Pass 1: counts, extremes, the sum (Neumaier-compensated), and the
  // time-order and value-run measures, all in sample order.
  const double period = m_stream.rate_nhz > 0 ? 1e18 / static_cast<double>(m_stream.rate_nhz) : 0.0;
  double sum = 0.0;
  double compensation = 0.0;
  std::int64_t present = 0;
  std::int64_t run = 0;
  double run_value = 0.0;
  for_each_sample(i, [&](std::int64_t j) {
    const auto s = static_cast<std::size_t>(j);
    const std::int64_t t = times[s];
    const double v = values[s];
    ++present;
    if (row.first_time == no_time) row.first_time = t;
    row.last_time = t;
    if (!m_no_previous[s]) {
      const std::int64_t prev = times[s - 1];
      if (t == prev) {
        ++row.duplicate_times;
      } else if (t < prev) {
        ++row.backwards_times;
      } else if (period > 0 && static_cast<double>(t - prev) > 1.5 * period) {
        ++row.gaps;
        row.longest_gap = std::max(row.longest_gap, t - prev);
      }
    }
    run = (run > 0 && same_value(v, run_value)) ? run + 1 : 1;
    run_value = v;
    row.longest_flat_run = std::max(row.longest_flat_run, run);
    if (std::isnan(v)) {
      ++row.nan_count;
      return;
    }
    if (m_stream.has_valid_range && (v < m_stream.valid_min || v > m_stream.valid_max)) ++row.out_of_range;
    if (row.count == 0) {
      row.min = row.max = v;
    } else {
      row.min = std::min(row.min, v);
      row.max = std::max(row.max, v);
    }
    ++row.count;
    const double next = sum + v;
    compensation += std::fabs(sum) >= std::fabs(v) ? (sum - next) + v : (v - next) + sum;
    sum = next;
  });

  if (row.count > 0) {
    const double n = static_cast<double>(row.count);
    row.mean = (sum + compensation) / n;
    if (!std::isfinite(row.mean)) {
      row.std = std::numeric_limits<double>::quiet_NaN();
    } else {
      // Pass 2: squared deviations from the mean, in sample order.
      double squares = 0.0;
      for_each_sample(i, [&](std::int64_t j) {
        const double v = values[static_cast<std::size_t>(j)];
        if (!std::isnan(v)) squares += (v - row.mean) * (v - row.mean);
      });
      row.std = std::sqrt(squares / n);
    }
  }

  // Quality against the nominal grid, over the window ∩ the stream's span ∩ the unit.
  const std::int64_t a = std::max({start, m_windows.begin_ns, m_stream.first_ns});
  const std::int64_t b = std::min({start + m_windows.window_ns, m_windows.end_ns,
                                   m_stream.last_ns == INT64_MAX ? INT64_MAX : m_stream.last_ns + 1});
  row.expected = expected_samples(m_stream.first_ns, m_stream.rate_nhz, a, b);
  row.missing = std::max<std::int64_t>(0, row.expected - present);
  for (const auto& c : m_samples.corrupt) {
    if (c.first_ns < start + m_windows.window_ns && c.last_ns >= start) ++row.corrupt_blocks;
  }
  return row;
}

}  // namespace tsweep::analysis
