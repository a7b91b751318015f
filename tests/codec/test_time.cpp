// The regular time base: exact at any rate and index, and its inverse is
// consistent with it.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "tsweep/codec/sample_type.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::codec {
namespace {

constexpr std::int64_t kHz = kNanohertzPerHertz;

TEST(SampleTime, NonIntegerRatesAreExactOverABillionSamples) {
  // 12.8 Hz: period 78125000 ns exactly.
  EXPECT_EQ(sample_time(0, 12'800'000'000, 1'000'000'000), 78'125'000LL * 1'000'000'000);
  // 0.2 Hz: period 5 s.
  EXPECT_EQ(sample_time(7, 200'000'000, 1'000'000'000), 7 + 5'000'000'000LL * 1'000'000'000);
  // 360 Hz: the period is not an integer, yet whole seconds land exactly.
  EXPECT_EQ(sample_time(0, 360 * kHz, 1), 2'777'777);
  EXPECT_EQ(sample_time(0, 360 * kHz, 2), 5'555'555);
  EXPECT_EQ(sample_time(0, 360 * kHz, 360), 1'000'000'000);
  EXPECT_EQ(sample_time(0, 360 * kHz, 360LL * 86400 * 365), 86400LL * 365 * 1'000'000'000);
  EXPECT_EQ(sample_time(-100, 360 * kHz, 1'000'000'001), -100 + 2'777'777'780'555'555LL);
}

TEST(SampleTime, SaturatesInsteadOfOverflowing) {
  const auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(sample_time(max - 10, kHz, 1'000), max);
  EXPECT_EQ(sample_time(0, 1, max), max);
  EXPECT_EQ(first_index_at_or_after(0, kMaxRateNhz, max), max);
}

TEST(SampleTime, InverseIsConsistentForRandomRatesAndIndices) {
  std::mt19937_64 rng(42);
  const std::int64_t rates[] = {1,         200'000'000,  12'800'000'000,  360 * kHz,
                                500 * kHz, 44'100 * kHz, 999'999'999'999, kMaxRateNhz};
  for (int iter = 0; iter < 20000; ++iter) {
    const std::int64_t rate =
        (iter % 3 == 0) ? static_cast<std::int64_t>(rng() % kMaxRateNhz) + 1 : rates[rng() % std::size(rates)];
    const std::int64_t first =
        static_cast<std::int64_t>(rng() % 4'000'000'000'000'000'000ULL) - 2'000'000'000'000'000'000LL;
    const std::int64_t i = static_cast<std::int64_t>(rng() % 2'000'000'000);
    const std::int64_t t = sample_time(first, rate, i);
    if (t == std::numeric_limits<std::int64_t>::max()) continue;
    ASSERT_EQ(first_index_at_or_after(first, rate, t), i) << "rate " << rate << " first " << first;
    // Any time strictly between samples i-1 and i maps to i.
    if (i > 0) {
      const std::int64_t prev = sample_time(first, rate, i - 1);
      ASSERT_LT(prev, t);
      if (t - prev > 1) {
        ASSERT_EQ(first_index_at_or_after(first, rate, prev + 1), i);
      }
    }
  }
  EXPECT_EQ(first_index_at_or_after(100, kHz, 100), 0);
  EXPECT_EQ(first_index_at_or_after(100, kHz, -5), 0);
  EXPECT_EQ(first_index_at_or_after(100, kHz, 101), 1);
}

TEST(SampleTime, FillMatchesThePerSampleDefinition) {
  std::mt19937_64 rng(7);
  for (std::int64_t rate : {std::int64_t{1}, std::int64_t{200'000'000}, std::int64_t{12'800'000'000}, 360 * kHz,
                            7 * kHz + 3, kMaxRateNhz}) {
    for (std::int64_t start : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999'999'937}}) {
      std::vector<std::int64_t> out(5000);
      const std::int64_t first = static_cast<std::int64_t>(rng() % 1'000'000'000'000);
      fill_sample_times(first, rate, start, Span<std::int64_t>(out));
      for (std::size_t k = 0; k < out.size(); ++k) {
        ASSERT_EQ(out[k], sample_time(first, rate, start + static_cast<std::int64_t>(k))) << rate << " " << k;
      }
    }
  }
  // Near the end of the int64 range it saturates like sample_time.
  std::vector<std::int64_t> out(10);
  fill_sample_times(std::numeric_limits<std::int64_t>::max() - 3, kHz, 0, Span<std::int64_t>(out));
  EXPECT_EQ(out[0], std::numeric_limits<std::int64_t>::max() - 3);
  EXPECT_EQ(out[9], std::numeric_limits<std::int64_t>::max());
}

// A grid with a phase: what a block cut from a run at any sample carries.
RegularTimes random_grid(std::mt19937_64& rng) {
  const std::int64_t rates[] = {1, 3, 3 * kHz, 7 * kHz, 12'800'000'000, 360 * kHz, 999'999'999'937, kMaxRateNhz};
  const std::int64_t rate =
      rng() % 2 ? static_cast<std::int64_t>(rng() % kMaxRateNhz) + 1 : rates[rng() % std::size(rates)];
  const std::int64_t first =
      static_cast<std::int64_t>(rng() % 2'000'000'000'000'000'000ULL) - 1'000'000'000'000'000'000LL;
  return {first, rate, static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(rate))};
}

TEST(SampleTime, AdvanceCutsAGridAnywhereWithoutMovingASample) {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 20000; ++iter) {
    const RegularTimes g = random_grid(rng);
    const std::int64_t a = static_cast<std::int64_t>(rng() % 1'000'000'000),
                       b = static_cast<std::int64_t>(rng() % 100'000);
    if (sample_time(g, a + b) == std::numeric_limits<std::int64_t>::max()) continue;
    const RegularTimes h = advance(g, a);
    ASSERT_TRUE(is_regular_time_base(h));
    ASSERT_EQ(h.rate_nhz, g.rate_nhz);
    ASSERT_EQ(h.first_ns, sample_time(g, a));
    ASSERT_EQ(sample_time(h, b), sample_time(g, a + b)) << "rate " << g.rate_nhz << " phase " << g.phase;
    const RegularTimes hb = advance(h, b), ab = advance(g, a + b);
    ASSERT_EQ(hb.first_ns, ab.first_ns);
    ASSERT_EQ(hb.phase, ab.phase);
  }
  // 360 Hz from 0: sample 9 is the first after sample 0 on a whole nanosecond.
  EXPECT_EQ(advance(RegularTimes{0, 360 * kHz, 0}, 1).phase, 280'000'000'000);  // 10^18 mod 360e9
  EXPECT_EQ(advance(RegularTimes{0, 360 * kHz, 0}, 9).phase, 0);
  EXPECT_EQ(advance(RegularTimes{0, 360 * kHz, 0}, 32'768).first_ns, 91'022'222'222);
  // The old cut, first time alone, restarts the grid and drifts early: the bug the phase fixes.
  EXPECT_EQ(sample_time(sample_time(0, 360 * kHz, 32'768), 360 * kHz, 1), 91'024'999'999);
  EXPECT_EQ(sample_time(advance(RegularTimes{0, 360 * kHz, 0}, 32'768), 1), 91'025'000'000);
  EXPECT_EQ(sample_time(0, 360 * kHz, 32'769), 91'025'000'000);
}

TEST(SampleTime, InverseWithAPhaseIsConsistent) {
  std::mt19937_64 rng(12);
  for (int iter = 0; iter < 20000; ++iter) {
    const RegularTimes g = random_grid(rng);
    const std::int64_t i = static_cast<std::int64_t>(rng() % 2'000'000'000);
    const std::int64_t t = sample_time(g, i);
    if (t == std::numeric_limits<std::int64_t>::max()) continue;
    ASSERT_EQ(first_index_at_or_after(g, t), i) << "rate " << g.rate_nhz << " phase " << g.phase;
    if (i > 0) {
      const std::int64_t prev = sample_time(g, i - 1);
      ASSERT_LT(prev, t);
      ASSERT_EQ(first_index_at_or_after(g, prev + 1), i);
    }
    // Times strictly increase (periods of at least 1 ns), so the next one is after t.
    ASSERT_EQ(first_index_at_or_after(g, t + 1), i + 1) << "rate " << g.rate_nhz;
  }
  EXPECT_EQ(first_index_at_or_after(RegularTimes{100, kHz, 999'999'999}, 100), 0);
  EXPECT_EQ(first_index_at_or_after(RegularTimes{100, kHz, 999'999'999}, 101), 1);
}

TEST(SampleTime, FillWithAPhaseMatchesThePerSampleDefinition) {
  std::mt19937_64 rng(13);
  for (int iter = 0; iter < 200; ++iter) {
    const RegularTimes g = random_grid(rng);
    const std::int64_t start = static_cast<std::int64_t>(rng() % 1'000'000);
    std::vector<std::int64_t> out(1 + rng() % 3000);
    fill_sample_times(g, start, Span<std::int64_t>(out));
    for (std::size_t k = 0; k < out.size(); ++k) {
      ASSERT_EQ(out[k], sample_time(g, start + static_cast<std::int64_t>(k))) << g.rate_nhz << " " << k;
    }
  }
}

TEST(RateParsing, DecimalHertzBecomeExactNanohertz) {
  EXPECT_EQ(parse_rate_nhz("360"), 360 * kHz);
  EXPECT_EQ(parse_rate_nhz("360.0"), 360 * kHz);
  EXPECT_EQ(parse_rate_nhz("12.8"), 12'800'000'000);
  EXPECT_EQ(parse_rate_nhz("0.2"), 200'000'000);
  EXPECT_EQ(parse_rate_nhz(".5"), 500'000'000);
  EXPECT_EQ(parse_rate_nhz("0.000000001"), 1);
  EXPECT_EQ(parse_rate_nhz("1.0000000010000"), kHz + 1);
  EXPECT_EQ(parse_rate_nhz("1000000000"), kMaxRateNhz);
  EXPECT_FALSE(parse_rate_nhz("1000000000.5"));
  EXPECT_FALSE(parse_rate_nhz("0.0000000001"));
  EXPECT_FALSE(parse_rate_nhz("0"));
  EXPECT_FALSE(parse_rate_nhz(""));
  EXPECT_FALSE(parse_rate_nhz("."));
  EXPECT_FALSE(parse_rate_nhz("-1"));
  EXPECT_FALSE(parse_rate_nhz("1e3"));
  EXPECT_FALSE(parse_rate_nhz("12.8Hz"));
  EXPECT_FALSE(parse_rate_nhz("99999999999999999999999"));
  EXPECT_EQ(rate_nhz_from_hz(12.8), 12'800'000'000);
  EXPECT_EQ(rate_nhz_from_hz(0.2), 200'000'000);
  EXPECT_EQ(rate_nhz_from_hz(-1.0), 0);
  EXPECT_EQ(rate_nhz_from_hz(1e10), 0);
}

TEST(SampleTypes, NamesSizesAndParsingAgree) {
  for (auto t : {SampleType::int16, SampleType::int32, SampleType::int64, SampleType::float32, SampleType::float64}) {
    EXPECT_EQ(parse_sample_type(sample_type_name(t)), t);
    EXPECT_EQ(sample_type_from_name(sample_type_name(t)), t);
    EXPECT_TRUE(is_sample_type_code(static_cast<std::uint8_t>(t)));
  }
  EXPECT_EQ(sample_size(SampleType::int16), 2u);
  EXPECT_EQ(sample_size(SampleType::float32), 4u);
  EXPECT_EQ(sample_size(SampleType::int64), 8u);
  EXPECT_TRUE(is_floating(SampleType::float64));
  EXPECT_FALSE(is_floating(SampleType::int32));
  EXPECT_FALSE(parse_sample_type("double"));
  EXPECT_FALSE(is_sample_type_code(0));
  EXPECT_FALSE(is_sample_type_code(6));
  EXPECT_THROW(sample_type_from_name("int8"), ConfigError);
}

}  // namespace
}  // namespace tsweep::codec
