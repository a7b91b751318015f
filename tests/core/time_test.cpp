#include <gtest/gtest.h>

#include "tsweep/core/time.hpp"

namespace tsweep {
namespace {

TEST(Iso8601, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601("1970-01-01"), 0);
  EXPECT_EQ(parse_iso8601("2010-02-27T06:50:00.069539Z"), 1267253400069539000LL);
  EXPECT_EQ(parse_iso8601("2010-02-27T07:50:00.069539+01:00"), 1267253400069539000LL);
  EXPECT_EQ(parse_iso8601("2010-02-27 06:50:00,5"), 1267253400500000000LL);
  EXPECT_EQ(parse_iso8601("1969-12-31T23:59:59Z"), -1000000000LL);
  EXPECT_EQ(parse_iso8601("2024-02-29T00:00:00Z"), 1709164800000000000LL);
}

TEST(Iso8601, RejectsMalformedAndImpossibleDates) {
  for (const char* bad : {"", "yesterday", "2023-02-29", "2024-13-01", "2024-01-01T25:00:00Z", "2024-01-01T00:00:00+25:00",
                          "3000-01-01T00:00:00Z", "2024-01-01T00:00:00.1234567891Z"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

TEST(Iso8601, FormatRoundTrips) {
  for (std::int64_t ns : {0LL, 1267253400069539000LL, -1500000000LL, 1709164800000000001LL}) {
    EXPECT_EQ(parse_iso8601(format_iso8601(ns)), ns) << format_iso8601(ns);
  }
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
}

TEST(Duration, ParsesEveryUnitExactly) {
  EXPECT_EQ(parse_duration("500ms"), 500000000);
  EXPECT_EQ(parse_duration("1s"), 1000000000);
  EXPECT_EQ(parse_duration("1.5s"), 1500000000);
  EXPECT_EQ(parse_duration("1min"), 60000000000LL);
  EXPECT_EQ(parse_duration("12h"), 43200000000000LL);
  EXPECT_EQ(parse_duration("1d"), 86400000000000LL);
  EXPECT_EQ(parse_duration("250us"), 250000);
  EXPECT_EQ(parse_duration("7ns"), 7);
  EXPECT_EQ(parse_duration(" 2 min "), 120000000000LL);
}

TEST(Duration, RejectsMissingUnitsZeroAndSubNanosecond) {
  for (const char* bad : {"", "10", "1m", "-1s", "0s", "1.5ns", "1 fortnight", "s", "99999999999999999999d"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(Duration, FormatIsShortestExact) {
  EXPECT_EQ(format_duration(60000000000LL), "1min");
  EXPECT_EQ(format_duration(500000000), "500ms");
  EXPECT_EQ(format_duration(1500000000), "1500ms");
  EXPECT_EQ(format_duration(7), "7ns");
  EXPECT_EQ(parse_duration(format_duration(86400000000000LL)), 86400000000000LL);
}

}  // namespace
}  // namespace tsweep
