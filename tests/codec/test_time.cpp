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
