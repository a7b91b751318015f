// The window reduction against a straightforward reference computation, and
// its independence from the order and threads windows are computed on.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "tsweep/analysis/kernels.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::analysis {
namespace {

constexpr std::int64_t ms = 1000000;

struct Data {
  std::vector<std::int64_t> times;
  std::vector<double> values;
  std::vector<std::int64_t> breaks;
  std::vector<CorruptSpan> corrupt;
};

// 100 Hz samples with gaps, flat runs, NaNs, spikes, duplicate and backwards times.
Data make_data(std::uint32_t seed, bool disorder) {
  std::mt19937_64 rng(seed);
  Data d;
  std::int64_t t = 5 * ms;
  double v = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto r = rng() % 1000;
    if (r < 3) t += 2000 * ms;              // gap
    else if (r < 6 && disorder) t -= 30 * ms;  // backwards
    else if (r < 9 && disorder) t += 0;        // duplicate
    else t += 10 * ms;
    if (r % 97 == 0) v = std::nan("");
    else if (r % 11 != 0) v = static_cast<double>(static_cast<int>(rng() % 200)) * 0.5;  // runs happen when equal
    if (r == 500) v = 1e6;  // spike
    d.times.push_back(t);
    d.values.push_back(v);
    if (r == 42) d.breaks.push_back(i);
  }
  d.corrupt = {{30000 * ms, 30500 * ms}, {99000 * ms, 101000 * ms}};
  return d;
}

// Straightforward reference: every window scans every sample.
WindowRow reference(const Data& d, const StreamFacts& f, const UnitWindows& u, std::int64_t i) {
  WindowRow row;
  row.stream = u.stream;
  row.start = (u.first_window + i) * u.window_ns;
  const std::int64_t end = row.start + u.window_ns;
  long double sum = 0;
  std::vector<double> kept;
  std::int64_t run = 0, present = 0;
  double last = 0;
  const double period = f.rate_nhz ? 1e18 / static_cast<double>(f.rate_nhz) : 0;
  for (std::size_t j = 0; j < d.times.size(); ++j) {
    const std::int64_t t = d.times[j];
    if (t < row.start || t >= end || t < u.begin_ns || t >= u.end_ns) continue;
    const double v = d.values[j];
    ++present;
    if (row.first_time == no_time) row.first_time = t;
    row.last_time = t;
    const bool has_prev = j > 0 && std::find(d.breaks.begin(), d.breaks.end(), static_cast<std::int64_t>(j)) == d.breaks.end();
    if (has_prev) {
      const auto dt = t - d.times[j - 1];
      if (dt == 0) ++row.duplicate_times;
      else if (dt < 0) ++row.backwards_times;
      else if (period > 0 && static_cast<double>(dt) > 1.5 * period) {
        ++row.gaps;
        row.longest_gap = std::max(row.longest_gap, dt);
      }
    }
    // A NaN is in no run and ends the one before it.
    run = std::isnan(v) ? 0 : (run > 0 && std::memcmp(&v, &last, sizeof v) == 0) ? run + 1 : 1;
    last = v;
    row.longest_flat_run = std::max(row.longest_flat_run, run);
    if (std::isnan(v)) {
      ++row.nan_count;
      continue;
    }
    if (f.has_valid_range && (v < f.valid_min || v > f.valid_max)) ++row.out_of_range;
    kept.push_back(v);
    sum += v;
  }
  row.count = static_cast<std::int64_t>(kept.size());
  if (!kept.empty()) {
    row.min = *std::min_element(kept.begin(), kept.end());
    row.max = *std::max_element(kept.begin(), kept.end());
    const long double mean = sum / static_cast<long double>(kept.size());
    long double sq = 0;
    for (double v : kept) sq += (v - mean) * (v - mean);
    row.mean = static_cast<double>(mean);
    row.std = static_cast<double>(std::sqrt(sq / static_cast<long double>(kept.size())));
  }
  // Expected instants first + k·10 ms inside window ∩ span ∩ unit, counted one by one.
  const std::int64_t a = std::max({row.start, u.begin_ns, f.first_ns});
  const std::int64_t b = std::min({end, u.end_ns, f.last_ns + 1});
  for (std::int64_t k = 0; f.rate_nhz && f.first_ns + k * 10 * ms < b; ++k) {
    if (f.first_ns + k * 10 * ms >= a) ++row.expected;
  }
  row.missing = std::max<std::int64_t>(0, row.expected - present);
  for (const auto& c : d.corrupt) row.corrupt_blocks += (c.first_ns < end && c.last_ns >= row.start) ? 1 : 0;
  return row;
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

class Reduction : public ::testing::TestWithParam<bool> {};

TEST_P(Reduction, MatchesStraightforwardComputationIncludingEmptyWindows) {
  const bool disorder = GetParam();
  const Data d = make_data(7, disorder);
  StreamFacts f{100'000'000'000, d.times.front(), d.times.back(), true, -10.0, 90.0};
  // 1 s windows; the unit starts mid-stream so that the first samples are only predecessors.
  UnitWindows u{3, 1000 * ms, 2, 0, 1000 * ms * 2 + 500 * ms, 0};
  u.windows = (d.times.back() / (1000 * ms)) - u.first_window - 3;
  u.end_ns = (u.first_window + u.windows) * 1000 * ms - 250 * ms;
  UnitSamples s{d.times, d.values, d.breaks, d.corrupt};
  const UnitReduction red(f, u, s);
  std::int64_t empty = 0;
  for (std::int64_t i = 0; i < u.windows; ++i) {
    const WindowRow got = red.compute(i);
    expect_same(got, reference(d, f, u, i), i);
    empty += got.count == 0 && got.nan_count == 0;
  }
  EXPECT_GT(empty, 0) << "the data should have empty windows inside the span";
}

INSTANTIATE_TEST_SUITE_P(TimeOrder, Reduction, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? std::string("Disordered") : std::string("Ordered"); });

TEST(Reduction, WindowsComputedOnManyThreadsInAnyOrderAreBitwiseIdentical) {
  const Data d = make_data(11, true);
  StreamFacts f{100'000'000'000, d.times.front(), d.times.back(), false, 0, 0};
  UnitWindows u{0, 500 * ms, 0, 0, d.times.front(), d.times.back() + 1};
  u.windows = d.times.back() / (500 * ms) + 1;
  const UnitReduction red(f, u, {d.times, d.values, d.breaks, d.corrupt});
  std::vector<WindowRow> serial, threaded(static_cast<std::size_t>(u.windows));
  for (std::int64_t i = 0; i < u.windows; ++i) serial.push_back(red.compute(i));
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&, t] {
      for (std::int64_t i = u.windows - 1 - t; i >= 0; i -= 4) threaded[static_cast<std::size_t>(i)] = red.compute(i);
    });
  }
  for (auto& th : pool) th.join();
  // Field by field (the struct has padding): every column's bytes are equal.
  std::vector<unsigned char> a, b;
  for (const auto& field : fields()) {
    gather_column(serial, field, a);
    gather_column(threaded, field, b);
    EXPECT_EQ(a, b) << field.name;
  }
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
  const UnitReduction red(f, u, {times, values, {}, {}});
  const WindowRow only_nan = red.compute(0);
  EXPECT_EQ(only_nan.nan_count, 5);
  EXPECT_EQ(only_nan.longest_flat_run, 0);
  const WindowRow mixed = red.compute(1);
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
