#include "tsweep/analysis/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/assert.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::analysis {

namespace {

__extension__ typedef __int128 i128;  // 3·10^18 does not fit in int64
constexpr i128 ns_per_s_nhz = static_cast<i128>(1000000000) * 1000000000;  // 10^18
// IEEE-754 binary64: a NaN is any pattern above infinity's, whatever its sign.
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
constexpr std::uint64_t kInfinityBits = 0x7ff0000000000000;

}  // namespace

std::int64_t expected_samples(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t a, std::int64_t b) {
  if (rate_nhz <= 0 || b <= a) return 0;
  // The nominal grid is the codec's regular time base, so both count the same instants.
  return codec::first_index_at_or_after(first_ns, rate_nhz, b) - codec::first_index_at_or_after(first_ns, rate_nhz, a);
}

UnitReduction::UnitReduction(const StreamFacts& stream, const UnitWindows& windows, const UnitSamples& samples)
    : m_stream(stream), m_windows(windows), m_samples(samples) {
  TSWEEP_EXPECTS(windows.window_ns > 0 && windows.windows >= 0);
  TSWEEP_EXPECTS(samples.times.size() == samples.values.size());
  const auto n = static_cast<std::int64_t>(samples.times.size());
  const auto w = windows.windows;
  const std::int64_t* t = samples.times.data();

  // Samples without a known predecessor: the first, and those after a corrupt block.
  m_breaks.push_back(0);
  for (auto b : samples.breaks) {
    if (b > 0 && b < n) m_breaks.push_back(b);
  }
  std::sort(m_breaks.begin(), m_breaks.end());
  m_breaks.erase(std::unique(m_breaks.begin(), m_breaks.end()), m_breaks.end());

  // An interval longer than 1.5 periods is a gap: dt > 1.5·10^18/rate ⟺ dt > floor(3·10^18 / (2·rate)).
  m_gap_threshold = stream.rate_nhz > 0 ? static_cast<std::int64_t>(3 * ns_per_s_nhz / (2 * static_cast<i128>(stream.rate_nhz)))
                                        : INT64_MAX;

  if (samples.ordered >= 0) {
    m_ordered = samples.ordered == 1;
  } else {
    bool backwards = false;
    for (std::int64_t j = 1; j < n; ++j) backwards |= t[j] < t[j - 1];  // no early exit: vectorises
    m_ordered = !backwards;
  }

  m_offsets.assign(static_cast<std::size_t>(w + 1), 0);
  if (m_ordered) {
    // Times never decrease: window i is the index range [m_offsets[i], m_offsets[i+1]), found by binary search.
    for (std::int64_t i = 0; i <= w; ++i) {
      const std::int64_t bound = i < w ? std::max(windows.begin_ns, (windows.first_window + i) * windows.window_ns)
                                       : std::min(windows.end_ns, (windows.first_window + w) * windows.window_ns);
      m_offsets[static_cast<std::size_t>(i)] = std::lower_bound(t, t + n, bound) - t;
    }
    return;
  }
  // Stable counting sort of sample indices by window keeps sample order inside each window.
  auto window_of = [&](std::int64_t j) -> std::int64_t {
    if (t[j] < windows.begin_ns || t[j] >= windows.end_ns) return -1;
    const std::int64_t k = floor_div(t[j], windows.window_ns) - windows.first_window;
    return (k >= 0 && k < w) ? k : -1;
  };
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

bool UnitReduction::has_previous(std::int64_t j) const {
  return !std::binary_search(m_breaks.begin(), m_breaks.end(), j);
}

template <class At>
void UnitReduction::reduce(WindowRow& row, std::int64_t lo, std::int64_t hi, At at) const {
  const std::int64_t* t = m_samples.times.data();
  const double* v = m_samples.values.data();

  // Time order: each sample against its predecessor in sample order.
  std::int64_t dups = 0, back = 0, gaps = 0, longest = 0;
  auto interval = [&](std::int64_t j) {
    const std::int64_t dt = t[j] - t[j - 1];
    dups += dt == 0;
    back += dt < 0;
    const bool gap = dt > m_gap_threshold;
    gaps += gap;
    longest = gap && dt > longest ? dt : longest;
  };
  if (m_ordered) {
    // Contiguous: walk the stretches between samples without a predecessor.
    auto b = std::lower_bound(m_breaks.begin(), m_breaks.end(), lo);
    for (std::int64_t j = lo; j < hi;) {
      if (b != m_breaks.end() && *b == j) {
        ++b;
        ++j;
        continue;
      }
      const std::int64_t stop = b != m_breaks.end() && *b < hi ? *b : hi;
      for (; j < stop; ++j) interval(j);
    }
  } else {
    for (std::int64_t p = lo; p < hi; ++p) {
      if (has_previous(at(p))) interval(at(p));
    }
  }
  row.duplicate_times = dups;
  row.backwards_times = back;
  row.gaps = gaps;
  row.longest_gap = longest;

  // Values: extremes, range, NaNs, and a compensated (Neumaier) sum in four
  // lanes by position, so the order is fixed and never depends on threads.
  // NaN compares false everywhere and adds nothing to the sum.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  double mn = HUGE_VAL, mx = -HUGE_VAL;
  std::int64_t nans = 0, oor = 0;
  const bool ranged = m_stream.has_valid_range;
  const double vmin = m_stream.valid_min, vmax = m_stream.valid_max;
  auto step = [&](double& sum, double& comp, double x) {
    const bool nan = std::isnan(x);
    nans += nan;
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
    oor += ranged && (x < vmin || x > vmax);
    x = nan ? 0.0 : x;
    const double next = sum + x;
    comp += std::fabs(sum) >= std::fabs(x) ? (sum - next) + x : (x - next) + sum;
    sum = next;
  };
  std::int64_t p = lo;
  for (; p + 4 <= hi; p += 4) {
    step(s0, c0, v[at(p)]);
    step(s1, c1, v[at(p + 1)]);
    step(s2, c2, v[at(p + 2)]);
    step(s3, c3, v[at(p + 3)]);
  }
  if (p < hi) step(s0, c0, v[at(p++)]);
  if (p < hi) step(s1, c1, v[at(p++)]);
  if (p < hi) step(s2, c2, v[at(p++)]);
  const std::int64_t count = (hi - lo) - nans;
  row.count = count;
  row.nan_count = nans;
  row.out_of_range = oor;

  // Longest run of identical consecutive values, compared bitwise (so 0.0 and
  // -0.0 differ). A NaN is no value: it never belongs to a run and ends the
  // run before it (event streams hold NaN where an event has no value), so a
  // window of NaNs alone has a longest run of 0.
  auto bits_at = [&](std::int64_t q) {
    std::uint64_t bits;
    std::memcpy(&bits, v + at(q), sizeof bits);
    return bits;
  };
  std::int64_t run = 0, best = 0;
  std::uint64_t last = 0;
  for (std::int64_t q = lo; q < hi; ++q) {
    const std::uint64_t bits = bits_at(q);
    // Branch-free: runs of equal values are data, not a predictable pattern.
    const std::int64_t same = -static_cast<std::int64_t>(bits == last);
    const std::int64_t value = -static_cast<std::int64_t>((bits & ~kSignBit) <= kInfinityBits);  // not NaN
    run = ((run & same) + 1) & value;
    last = bits;
    best = std::max(best, run);
  }
  row.longest_flat_run = best;

  if (count == 0) return;
  row.min = mn;
  row.max = mx;
  const double total = ((s0 + c0) + (s1 + c1)) + ((s2 + c2) + (s3 + c3));
  row.mean = total / static_cast<double>(count);
  if (!std::isfinite(row.mean)) return;  // std stays NaN
  // Squared deviations in four lanes by position, like the sum.
  double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
  const double mean = row.mean;
  auto square = [mean](double x) { return std::isnan(x) ? 0.0 : (x - mean) * (x - mean); };
  std::int64_t q = lo;
  for (; q + 4 <= hi; q += 4) {
    q0 += square(v[at(q)]);
    q1 += square(v[at(q + 1)]);
    q2 += square(v[at(q + 2)]);
    q3 += square(v[at(q + 3)]);
  }
  if (q < hi) q0 += square(v[at(q++)]);
  if (q < hi) q1 += square(v[at(q++)]);
  if (q < hi) q2 += square(v[at(q++)]);
  const double squares = (q0 + q1) + (q2 + q3);
  row.std = std::sqrt(squares / static_cast<double>(count));
}

WindowRow UnitReduction::compute(std::int64_t i) const {
  TSWEEP_EXPECTS(i >= 0 && i < m_windows.windows);
  WindowRow row;
  row.stream = m_windows.stream;
  const std::int64_t start = (m_windows.first_window + i) * m_windows.window_ns;
  row.start = start;

  const std::int64_t lo = m_offsets[static_cast<std::size_t>(i)];
  const std::int64_t hi = m_offsets[static_cast<std::size_t>(i + 1)];
  const std::int64_t present = hi - lo;
  if (present > 0) {
    if (m_ordered) {
      reduce(row, lo, hi, [](std::int64_t p) { return p; });
    } else {
      const std::int64_t* index = m_index.data();
      reduce(row, lo, hi, [index](std::int64_t p) { return index[p]; });
    }
    row.first_time = m_samples.times[static_cast<std::size_t>(m_ordered ? lo : m_index[static_cast<std::size_t>(lo)])];
    row.last_time = m_samples.times[static_cast<std::size_t>(m_ordered ? hi - 1 : m_index[static_cast<std::size_t>(hi - 1)])];
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
