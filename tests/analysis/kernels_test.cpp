// The window reduction (blocks reduced piece by piece, pieces merged per
// window) against a straightforward reference, on irregular float streams
// with disorder and on regular int16 blocks; stored summaries against
// decoding; independence from the threads blocks are reduced on.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "reference_rows.hpp"
#include "tsweep/analysis/kernels.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::analysis {
namespace {

constexpr std::int64_t ms = 1000000;

// A unit's blocks in sample order: raw values, times, and the block bounds.
template <class T>
struct Blocks {
  test::ReferenceSamples<T> all;  // every sample of the sound blocks, for the reference
  std::vector<std::vector<T>> raw;
  std::vector<std::vector<std::int64_t>> times;
  std::vector<codec::RegularTimes> bases;  // regular blocks
  std::vector<bool> corrupt;
};

// 100 Hz irregular float64 samples with gaps, flat runs, NaNs, spikes,
// duplicate and backwards times, cut into blocks of random sizes, some corrupt.
Blocks<double> irregular_blocks(std::uint32_t seed, bool disorder) {
  std::mt19937_64 rng(seed);
  Blocks<double> d;
  std::int64_t t = 5 * ms;
  double v = 0;
  bool after_corrupt = true;
  for (int i = 0; i < 20000;) {
    const int n = 1 + static_cast<int>(rng() % 3000);
    const bool bad = rng() % 9 == 0;
    std::vector<double> raw;
    std::vector<std::int64_t> times;
    for (int k = 0; k < n && i < 20000; ++k, ++i) {
      const auto r = rng() % 1000;
      if (r < 3) t += 2000 * ms;                 // gap
      else if (r < 6 && disorder) t -= 30 * ms;  // backwards
      else if (r < 9 && disorder) t += 0;        // duplicate
      else t += 10 * ms;
      if (r % 97 == 0) v = std::nan("");
      else if (r % 11 != 0) v = static_cast<double>(static_cast<int>(rng() % 200)) * 0.5;  // runs happen when equal
      if (r == 500) v = 1e6;  // spike
      raw.push_back(v);
      times.push_back(t);
    }
    if (!bad) {
      for (std::size_t k = 0; k < raw.size(); ++k) {
        d.all.times.push_back(times[k]);
        d.all.raw.push_back(raw[k]);
        d.all.has_previous.push_back(!(k == 0 && after_corrupt));
      }
    } else {
      d.all.corrupt.push_back({*std::min_element(times.begin(), times.end()), *std::max_element(times.begin(), times.end())});
    }
    after_corrupt = bad;
    d.raw.push_back(std::move(raw));
    d.times.push_back(std::move(times));
    d.bases.emplace_back();
    d.corrupt.push_back(bad);
  }
  return d;
}

// Regular int16 blocks at 250 Hz continuing their grid, with a gap now and then.
Blocks<std::int16_t> regular_blocks(std::uint32_t seed, std::int64_t first) {
  std::mt19937_64 rng(seed);
  Blocks<std::int16_t> d;
  const std::int64_t rate = 250'000'000'000;
  codec::RegularTimes grid{first, rate, 0};
  std::int16_t v = 0;
  for (int b = 0; b < 40; ++b) {
    const auto n = static_cast<std::int64_t>(1 + rng() % 9000);
    std::vector<std::int16_t> raw(static_cast<std::size_t>(n));
    std::vector<std::int64_t> times(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
      if (rng() % 3 == 0) v = static_cast<std::int16_t>(v + static_cast<int>(rng() % 41) - 20);
      if (rng() % 5000 == 0) v = rng() % 2 ? INT16_MAX : INT16_MIN;  // extremes
      raw[static_cast<std::size_t>(k)] = v;
      times[static_cast<std::size_t>(k)] = codec::sample_time(grid, k);
      d.all.times.push_back(times[static_cast<std::size_t>(k)]);
      d.all.raw.push_back(v);
      d.all.has_previous.push_back(!d.all.has_previous.empty() || k > 0);
    }
    d.raw.push_back(std::move(raw));
    d.times.push_back(std::move(times));
    d.bases.push_back(grid);
    d.corrupt.push_back(false);
    grid = codec::advance(grid, n);
    if (rng() % 4 == 0) grid = {grid.first_ns + static_cast<std::int64_t>(rng() % 5000) * ms, rate, 0};
  }
  return d;
}

// Reduces every block (decoding, or from its summary where `summaries` and the
// block lies inside one window) and merges them in order.
template <class T>
UnitAccumulator accumulate(const Blocks<T>& d, const StreamFacts& f, double scale, double offset, const UnitWindows& u,
                           bool regular, bool summaries, std::int64_t* summarised = nullptr) {
  constexpr codec::SampleType type = codec::sample_type_of<T>();
  const codec::RawRange range = raw_range_of(f, type, scale, offset);
  const std::int64_t thr = gap_threshold(f.rate_nhz);
  UnitAccumulator acc(u, type, thr);
  BlockScratch scratch;
  BlockPieces pieces;
  for (std::size_t b = 0; b < d.raw.size(); ++b) {
    const auto& t = d.times[b];
    if (d.corrupt[b]) {
      acc.add_corrupt({*std::min_element(t.begin(), t.end()), *std::max_element(t.begin(), t.end())});
      continue;
    }
    if (summaries && regular && t.front() >= u.begin_ns && t.back() < u.end_ns &&
        u.window_of(t.front()) == u.window_of(t.back())) {
      acc.add_whole(codec::summarize(d.raw[b].data(), d.raw[b].size(), range), t.front(), t.back());
      if (summarised) ++*summarised;
      continue;
    }
    reduce_block(type, range, thr, u, d.raw[b].data(), d.raw[b].size(),
                 regular ? Span<const std::int64_t>() : Span<const std::int64_t>(t), d.bases[b], scratch, pieces);
    acc.add_block(pieces);
  }
  return acc;
}

void expect_same(const WindowRow& got, const WindowRow& want, std::int64_t i) {
  SCOPED_TRACE("window " + std::to_string(i));
  EXPECT_EQ(got.start, want.start);
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.first_time, want.first_time);
  EXPECT_EQ(got.last_time, want.last_time);
  EXPECT_EQ(got.expected, want.expected);
  EXPECT_EQ(got.missing, want.missing);
  EXPECT_EQ(got.gaps, want.gaps);
  EXPECT_EQ(got.longest_gap, want.longest_gap);
  EXPECT_EQ(got.nan_count, want.nan_count);
  EXPECT_EQ(got.out_of_range, want.out_of_range);
  EXPECT_EQ(got.longest_flat_run, want.longest_flat_run);
  EXPECT_EQ(got.duplicate_times, want.duplicate_times);
  EXPECT_EQ(got.backwards_times, want.backwards_times);
  EXPECT_EQ(got.corrupt_blocks, want.corrupt_blocks);
  if (want.count == 0) {
    EXPECT_TRUE(std::isnan(got.min) && std::isnan(got.mean) && std::isnan(got.std));
  } else {
    EXPECT_EQ(got.min, want.min);
    EXPECT_EQ(got.max, want.max);
    EXPECT_NEAR(got.mean, want.mean, 1e-12 * std::max(1.0, std::fabs(want.mean)));
    EXPECT_NEAR(got.std, want.std, 1e-9 * std::max(1.0, want.std));
  }
}

std::vector<unsigned char> column_bytes(const std::vector<WindowRow>& rows) {
  std::vector<unsigned char> all, one;
  for (const auto& field : fields()) {
    gather_column(rows, field, one);
    all.insert(all.end(), one.begin(), one.end());
  }
  return all;
}

class Reduction : public ::testing::TestWithParam<bool> {};

TEST_P(Reduction, IrregularFloatsMatchStraightforwardComputationIncludingEmptyWindows) {
  const bool disorder = GetParam();
  const Blocks<double> d = irregular_blocks(7, disorder);
  const StreamFacts f{100'000'000'000, d.all.times.front(), d.all.times.back(), true, -10.0, 90.0};
  // 1 s windows; the unit starts mid-stream so that the first samples are only predecessors.
  UnitWindows u{3, 1000 * ms, 2, 0, 1000 * ms * 2 + 500 * ms, 0};
  u.windows = (d.all.times.back() / (1000 * ms)) - u.first_window - 3;
  u.end_ns = (u.first_window + u.windows) * 1000 * ms - 250 * ms;
  const UnitAccumulator acc = accumulate(d, f, 1.0, 0.0, u, false, false);
  std::int64_t empty = 0;
  for (std::int64_t i = 0; i < u.windows; ++i) {
    const WindowRow got = acc.row(f, 1.0, 0.0, i);
    expect_same(got, test::reference_row(d.all, f, 1.0, 0.0, u, i), i);
    empty += got.count == 0 && got.nan_count == 0;
  }
  EXPECT_GT(empty, 0) << "the data should have empty windows inside the span";
}

INSTANTIATE_TEST_SUITE_P(TimeOrder, Reduction, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? std::string("Disordered") : std::string("Ordered"); });

TEST(Reduction, RegularInt16BlocksWithNegativeScaleMatchTheReference) {
  const Blocks<std::int16_t> d = regular_blocks(5, 1003 * ms);
  const StreamFacts f{250'000'000'000, d.all.times.front(), d.all.times.back(), true, -20.0, 20.0};
  for (const double scale : {-0.005, 0.005}) {
    UnitWindows u{1, 2000 * ms, 0, 0, 1500 * ms, 0};
    u.windows = d.all.times.back() / u.window_ns + 1;
    u.end_ns = (u.first_window + u.windows) * u.window_ns;
    const UnitAccumulator acc = accumulate(d, f, scale, 1.0, u, true, false);
    std::int64_t out = 0;
    for (std::int64_t i = 0; i < u.windows; ++i) {
      const WindowRow got = acc.row(f, scale, 1.0, i);
      expect_same(got, test::reference_row(d.all, f, scale, 1.0, u, i), i);
      out += got.out_of_range;
    }
    EXPECT_GT(out, 0) << "the extremes should be out of range";
  }
}

TEST(Reduction, WholeBlocksFromTheirSummariesGiveTheSameRowsBitwise) {
  const Blocks<std::int16_t> d = regular_blocks(9, 0);
  const StreamFacts f{250'000'000'000, d.all.times.front(), d.all.times.back(), true, -20.0, 20.0};
  for (const std::int64_t window : {1000 * ms, 60'000 * ms, 3'600'000 * ms}) {
    UnitWindows u{0, window, 0, 0, 0, 0};
    u.windows = d.all.times.back() / window + 1;
    u.end_ns = u.windows * window;
    std::int64_t summarised = 0;
    const UnitAccumulator decoded = accumulate(d, f, 0.005, -3.0, u, true, false);
    const UnitAccumulator summary = accumulate(d, f, 0.005, -3.0, u, true, true, &summarised);
    std::vector<WindowRow> a, b;
    for (std::int64_t i = 0; i < u.windows; ++i) {
      a.push_back(decoded.row(f, 0.005, -3.0, i));
      b.push_back(summary.row(f, 0.005, -3.0, i));
    }
    EXPECT_EQ(column_bytes(a), column_bytes(b)) << "window " << window;
    if (window > 1000 * ms) {
      EXPECT_GT(summarised, 0);
    }
  }
}

TEST(Reduction, BlocksReducedOnManyThreadsInAnyOrderGiveBitwiseIdenticalRows) {
  const Blocks<double> d = irregular_blocks(11, true);
  const StreamFacts f{100'000'000'000, d.all.times.front(), d.all.times.back(), false, 0, 0};
  UnitWindows u{0, 500 * ms, 0, 0, d.all.times.front(), d.all.times.back() + 1};
  u.windows = d.all.times.back() / (500 * ms) + 1;
  const UnitAccumulator serial = accumulate(d, f, 1.0, 0.0, u, false, false);
  // Blocks reduced on four threads, in reverse order; merged in sample order.
  std::vector<BlockPieces> pieces(d.raw.size());
  const std::int64_t thr = gap_threshold(f.rate_nhz);
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&, t] {
      BlockScratch scratch;
      for (auto b = static_cast<std::int64_t>(d.raw.size()) - 1 - t; b >= 0; b -= 4) {
        const auto k = static_cast<std::size_t>(b);
        if (d.corrupt[k]) continue;
        reduce_block(codec::SampleType::float64, {}, thr, u, d.raw[k].data(), d.raw[k].size(), d.times[k], {}, scratch,
                     pieces[k]);
      }
    });
  }
  for (auto& th : pool) th.join();
  UnitAccumulator threaded(u, codec::SampleType::float64, thr);
  for (std::size_t b = 0; b < d.raw.size(); ++b) {
    if (d.corrupt[b]) {
      threaded.add_corrupt({*std::min_element(d.times[b].begin(), d.times[b].end()),
                            *std::max_element(d.times[b].begin(), d.times[b].end())});
    } else {
      threaded.add_block(pieces[b]);
    }
  }
  std::vector<WindowRow> a, b;
  for (std::int64_t i = 0; i < u.windows; ++i) {
    a.push_back(serial.row(f, 1.0, 0.0, i));
    b.push_back(threaded.row(f, 1.0, 0.0, i));
  }
  EXPECT_EQ(column_bytes(a), column_bytes(b));
}

TEST(Reduction, NanValuesNeverFormAFlatRunAndEndTheRunBeforeThem) {
  // An event stream without values (EDF+ annotations without a duration) is all NaN.
  const double nan = std::nan("");
  const std::vector<double> values{nan, nan, nan, nan, nan, 2.0, 2.0, nan, 2.0, 2.0, 2.0, -nan, -nan, 0.0, -0.0};
  std::vector<std::int64_t> times;  // window 0 (1 s): the first five samples, NaN only; window 1: the rest
  for (std::int64_t j = 0; j < static_cast<std::int64_t>(values.size()); ++j)
    times.push_back(j < 5 ? j * 100 * ms : 1000 * ms + j * 10 * ms);
  const StreamFacts f{0, times.front(), times.back(), false, 0, 0};
  const UnitWindows u{0, 1000 * ms, 0, 2, 0, 2000 * ms};
  UnitAccumulator acc(u, codec::SampleType::float64, gap_threshold(0));
  BlockScratch scratch;
  BlockPieces pieces;
  reduce_block(codec::SampleType::float64, {}, gap_threshold(0), u, values.data(), values.size(), times, {}, scratch,
               pieces);
  acc.add_block(pieces);
  const WindowRow only_nan = acc.row(f, 1, 0, 0);
  EXPECT_EQ(only_nan.nan_count, 5);
  EXPECT_EQ(only_nan.longest_flat_run, 0);
  const WindowRow mixed = acc.row(f, 1, 0, 1);
  EXPECT_EQ(mixed.nan_count, 3);
  EXPECT_EQ(mixed.longest_flat_run, 3);  // 2, 2, 2 after the NaN; the NaN pair and 0.0, -0.0 are no runs
}

TEST(Expected, CountsNominalInstantsExactlyForFractionalRates) {
  // 12.8 Hz: period 78.125 ms; in 10 s from the first sample: 128 instants.
  EXPECT_EQ(expected_samples(0, 12'800'000'000, 0, 10'000 * ms), 128);
  // 0.2 Hz: one every 5 s.
  EXPECT_EQ(expected_samples(1000, 200'000'000, 0, 60'000 * ms), 12);
  // Half-open at both ends and offset first time.
  EXPECT_EQ(expected_samples(5 * ms, 1'000'000'000'000, 5 * ms, 6 * ms), 1);
  EXPECT_EQ(expected_samples(5 * ms, 1'000'000'000'000, 5 * ms + 1, 6 * ms + 1), 1);
  EXPECT_EQ(expected_samples(0, 0, 0, 1000), 0);
  // 10^9 samples at 1 kHz stay exact.
  EXPECT_EQ(expected_samples(0, 1'000'000'000'000, 0, 1'000'000'000LL * ms), 1'000'000'000LL);
}

TEST(FloorDiv, RoundsTowardMinusInfinity) {
  EXPECT_EQ(tsweep::floor_div(-1, 60), -1);
  EXPECT_EQ(tsweep::floor_div(-60, 60), -1);
  EXPECT_EQ(tsweep::floor_div(-61, 60), -2);
  EXPECT_EQ(tsweep::floor_div(59, 60), 0);
}

}  // namespace
}  // namespace tsweep::analysis
