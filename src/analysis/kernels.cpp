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

// Inside a regular block each interval is the floor or the ceiling of one
// period, never 0 (rates are at most 1 GHz); it exceeds the gap threshold only
// when the ceiling does, which happens for rates above 2/3 GHz.
bool regular_intervals_can_be_gaps(std::int64_t rate_nhz, std::int64_t threshold) {
  const i128 ceil_period = (ns_per_s_nhz + rate_nhz - 1) / rate_nhz;
  return ceil_period > threshold;
}

std::size_t clamp_index(std::int64_t i, std::size_t n) {
  return i <= 0 ? 0 : std::min(static_cast<std::size_t>(i), n);
}

Piece make_piece(codec::SampleType type, const codec::RawRange& range, std::int64_t window, const std::byte* values,
                 std::size_t lo, std::size_t hi) {
  Piece p;
  p.window = window;
  p.values = codec::summarize(type, values + lo * codec::sample_size(type), hi - lo, range);
  return p;
}

void reduce_regular(codec::SampleType type, const codec::RawRange& range, const UnitWindows& w,
                    const std::byte* values, std::size_t n, const codec::RegularTimes& base, BlockPieces& out) {
  out.first_time = base.first_ns;
  out.last_time = codec::sample_time(base, static_cast<std::int64_t>(n) - 1);
  const std::size_t ia = clamp_index(codec::first_index_at_or_after(base, w.begin_ns), n);
  const std::size_t ib = clamp_index(codec::first_index_at_or_after(base, w.end_ns), n);
  for (std::size_t idx = ia; idx < ib;) {
    const std::int64_t t = codec::sample_time(base, static_cast<std::int64_t>(idx));
    const std::int64_t k = w.window_of(t);
    const std::size_t j = std::min(ib, clamp_index(codec::first_index_at_or_after(base, w.window_end(k)), n));
    Piece p = make_piece(type, range, k, values, idx, j);
    p.first_time = t;
    p.last_time = codec::sample_time(base, static_cast<std::int64_t>(j) - 1);
    out.samples += static_cast<std::int64_t>(j - idx);
    out.pieces.push_back(p);
    idx = j;
  }
}

void reduce_ordered(codec::SampleType type, const codec::RawRange& range, std::int64_t threshold,
                    const UnitWindows& w, const std::byte* values, std::size_t n, const std::int64_t* t,
                    BlockPieces& out) {
  const std::size_t ia = static_cast<std::size_t>(std::lower_bound(t, t + n, w.begin_ns) - t);
  const std::size_t ib = static_cast<std::size_t>(std::lower_bound(t + ia, t + n, w.end_ns) - t);
  for (std::size_t idx = ia; idx < ib;) {
    const std::int64_t k = w.window_of(t[idx]);
    const std::size_t j = static_cast<std::size_t>(std::lower_bound(t + idx, t + ib, w.window_end(k)) - t);
    Piece p = make_piece(type, range, k, values, idx, j);
    p.first_time = t[idx];
    p.last_time = t[j - 1];
    for (std::size_t q = std::max<std::size_t>(idx, 1); q < j; ++q) p.times.add(t[q] - t[q - 1], threshold);
    out.samples += static_cast<std::int64_t>(j - idx);
    out.pieces.push_back(p);
    idx = j;
  }
}

// Times go backwards inside the block: a window's samples are not contiguous.
// Group sample indices by window (stable, so in sample order), gather each
// window's values and summarise them as one piece.
void reduce_unordered(codec::SampleType type, const codec::RawRange& range, std::int64_t threshold,
                      const UnitWindows& w, const std::byte* values, std::size_t n, const std::int64_t* t,
                      BlockScratch& scratch, BlockPieces& out) {
  const auto windows = static_cast<std::size_t>(w.windows);
  auto window_of = [&](std::size_t j) -> std::int64_t {
    return t[j] < w.begin_ns || t[j] >= w.end_ns ? -1 : w.window_of(t[j]);
  };
  scratch.counts.assign(windows + 1, 0);
  for (std::size_t j = 0; j < n; ++j) {
    if (const auto k = window_of(j); k >= 0) ++scratch.counts[static_cast<std::size_t>(k) + 1];
  }
  for (std::size_t k = 0; k < windows; ++k) scratch.counts[k + 1] += scratch.counts[k];
  scratch.order.resize(static_cast<std::size_t>(scratch.counts[windows]));
  {
    std::vector<std::int64_t> fill(scratch.counts.begin(), scratch.counts.end() - 1);
    for (std::size_t j = 0; j < n; ++j) {
      if (const auto k = window_of(j); k >= 0) {
        scratch.order[static_cast<std::size_t>(fill[static_cast<std::size_t>(k)]++)] = static_cast<std::int64_t>(j);
      }
    }
  }
  const std::size_t size = codec::sample_size(type);
  for (std::size_t k = 0; k < windows; ++k) {
    const auto lo = static_cast<std::size_t>(scratch.counts[k]), hi = static_cast<std::size_t>(scratch.counts[k + 1]);
    if (lo == hi) continue;
    scratch.gathered.resize((hi - lo) * size);
    Piece p;
    p.window = static_cast<std::int64_t>(k);
    for (std::size_t q = lo; q < hi; ++q) {
      const auto j = static_cast<std::size_t>(scratch.order[q]);
      std::memcpy(scratch.gathered.data() + (q - lo) * size, values + j * size, size);
      if (j > 0) p.times.add(t[j] - t[j - 1], threshold);
    }
    p.values = codec::summarize(type, scratch.gathered.data(), hi - lo, range);
    p.first_time = t[scratch.order[lo]];
    p.last_time = t[scratch.order[hi - 1]];
    out.samples += static_cast<std::int64_t>(hi - lo);
    out.pieces.push_back(p);
  }
}

}  // namespace

codec::RawRange raw_range_of(const StreamFacts& facts, codec::SampleType type, double scale, double offset) noexcept {
  if (!facts.has_valid_range) return {};
  return codec::raw_range(type, scale, offset, facts.valid_min, facts.valid_max);
}

std::int64_t UnitWindows::window_of(std::int64_t t) const noexcept {
  return floor_div(t, window_ns) - first_window;
}

std::int64_t UnitWindows::window_end(std::int64_t i) const noexcept {
  return std::min(end_ns, (first_window + i + 1) * window_ns);
}

std::int64_t gap_threshold(std::int64_t rate_nhz) noexcept {
  // dt > 1.5·10^18/rate ⟺ dt > floor(3·10^18 / (2·rate)).
  return rate_nhz > 0 ? static_cast<std::int64_t>(3 * ns_per_s_nhz / (2 * static_cast<i128>(rate_nhz))) : INT64_MAX;
}

std::int64_t expected_samples(std::int64_t first_ns, std::int64_t rate_nhz, std::int64_t a, std::int64_t b) {
  if (rate_nhz <= 0 || b <= a) return 0;
  // The nominal grid is the codec's regular time base, so both count the same instants.
  return codec::first_index_at_or_after(first_ns, rate_nhz, b) - codec::first_index_at_or_after(first_ns, rate_nhz, a);
}

void reduce_block(codec::SampleType type, const codec::RawRange& range, std::int64_t threshold,
                  const UnitWindows& windows, const void* values, std::size_t n, Span<const std::int64_t> times,
                  const codec::RegularTimes& base, BlockScratch& scratch, BlockPieces& out) {
  TSWEEP_EXPECTS(windows.window_ns > 0 && windows.windows >= 0);
  TSWEEP_EXPECTS(times.empty() || times.size() == n);
  out.clear();
  if (n == 0) return;
  const auto* bytes = static_cast<const std::byte*>(values);
  if (times.empty()) {
    if (!regular_intervals_can_be_gaps(base.rate_nhz, threshold)) {
      reduce_regular(type, range, windows, bytes, n, base, out);
      return;
    }
    scratch.times.resize(n);
    codec::fill_sample_times(base, 0, Span<std::int64_t>(scratch.times));
    times = Span<const std::int64_t>(scratch.times.data(), n);
  }
  const std::int64_t* t = times.data();
  out.first_time = t[0];
  out.last_time = t[n - 1];
  bool backwards = false;
  for (std::size_t j = 1; j < n; ++j) backwards |= t[j] < t[j - 1];  // no early exit: vectorises
  if (!backwards) {
    reduce_ordered(type, range, threshold, windows, bytes, n, t, out);
  } else {
    reduce_unordered(type, range, threshold, windows, bytes, n, t, scratch, out);
  }
}

namespace {

// The row of window i from its accumulator: physical statistics, and the
// quality against the nominal grid over window ∩ stream span ∩ unit.
WindowRow finish_window(const StreamFacts& stream, codec::SampleType type, double scale, double offset,
                        const UnitWindows& windows, std::int64_t i, const WindowAccumulator& acc,
                        Span<const CorruptSpan> corrupt) {
  TSWEEP_EXPECTS(i >= 0 && i < windows.windows);
  WindowRow row;
  row.stream = windows.stream;
  const std::int64_t start = (windows.first_window + i) * windows.window_ns;
  row.start = start;
  const std::int64_t present = acc.values.count;
  if (present > 0) {
    const codec::PhysicalStats p = codec::physical_stats(type, acc.values, scale, offset);
    row.count = p.count;
    row.min = p.min;
    row.max = p.max;
    row.mean = p.mean;
    row.std = p.std;
    row.first_time = acc.first_time;
    row.last_time = acc.last_time;
    row.nan_count = acc.values.nan_count;
    row.out_of_range = acc.values.out_of_range;
    row.longest_flat_run = acc.values.longest_flat;
  }
  row.duplicate_times = acc.times.duplicates;
  row.backwards_times = acc.times.backwards;
  row.gaps = acc.times.gaps;
  row.longest_gap = acc.times.longest_gap;

  // Quality against the nominal grid, over the window ∩ the stream's span ∩ the unit.
  const std::int64_t a = std::max({start, windows.begin_ns, stream.first_ns});
  const std::int64_t b = std::min({start + windows.window_ns, windows.end_ns,
                                   stream.last_ns == INT64_MAX ? INT64_MAX : stream.last_ns + 1});
  row.expected = expected_samples(stream.first_ns, stream.rate_nhz, a, b);
  row.missing = std::max<std::int64_t>(0, row.expected - present);
  for (const auto& c : corrupt) {
    if (c.first_ns < start + windows.window_ns && c.last_ns >= start) ++row.corrupt_blocks;
  }
  return row;
}

}  // namespace

UnitAccumulator::UnitAccumulator(const UnitWindows& windows, codec::SampleType type, std::int64_t gap_threshold)
    : m_windows(windows), m_type(type), m_threshold(gap_threshold), m_acc(static_cast<std::size_t>(windows.windows)) {
  TSWEEP_EXPECTS(windows.window_ns > 0 && windows.windows >= 0);
}

void UnitAccumulator::meet(std::int64_t first_time, std::int64_t last_time) {
  if (m_have_previous && first_time >= m_windows.begin_ns && first_time < m_windows.end_ns) {
    m_acc[static_cast<std::size_t>(m_windows.window_of(first_time))].times.add(first_time - m_previous, m_threshold);
  }
  m_previous = last_time;
  m_have_previous = true;
}

void UnitAccumulator::add_block(const BlockPieces& block) {
  meet(block.first_time, block.last_time);
  for (const auto& p : block.pieces) m_acc[static_cast<std::size_t>(p.window)].add(m_type, p);
  m_samples += block.samples;
}

void UnitAccumulator::add_whole(const codec::Summary& summary, std::int64_t first_time, std::int64_t last_time) {
  TSWEEP_EXPECTS(first_time >= m_windows.begin_ns && last_time < m_windows.end_ns);
  meet(first_time, last_time);
  Piece p;
  p.window = m_windows.window_of(first_time);
  TSWEEP_EXPECTS(p.window == m_windows.window_of(last_time));
  p.values = summary;
  p.first_time = first_time;
  p.last_time = last_time;
  m_acc[static_cast<std::size_t>(p.window)].add(m_type, p);
  m_samples += summary.count;
}

void UnitAccumulator::add_bounds(std::int64_t first_time, std::int64_t last_time) {
  meet(first_time, last_time);
}

void UnitAccumulator::add_corrupt(const CorruptSpan& span) {
  m_corrupt.push_back(span);
  m_have_previous = false;
}

WindowRow UnitAccumulator::row(const StreamFacts& stream, double scale, double offset, std::int64_t i) const {
  return finish_window(stream, m_type, scale, offset, m_windows, i, m_acc[static_cast<std::size_t>(i)], m_corrupt);
}

}  // namespace tsweep::analysis
