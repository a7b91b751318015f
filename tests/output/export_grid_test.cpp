// The export grid's point times: times() walks the grid with one division and
// must give exactly what time_of() gives point by point.
#include <gtest/gtest.h>

#include <vector>

#include "tsweep/output/export_file.hpp"

namespace {

using tsweep::output::ExportGroupLayout;

ExportGroupLayout grid(std::int64_t rate_nhz, std::int64_t anchor_ns, std::int64_t first_index) {
  ExportGroupLayout g;
  g.rate_nhz = rate_nhz;
  g.anchor_ns = anchor_ns;
  g.first_index = first_index;
  g.points = 1 << 20;
  return g;
}

TEST(ExportGrid, TimesEqualTimeOfPointByPointForAwkwardRatesAndNegativeIndices) {
  // 360 Hz (MIT-BIH), 1/3 Hz, 7 Hz, 2 kHz, 1 GHz, 0.001 Hz, and a rate that is
  // not a whole number of nHz per second.
  const std::int64_t rates[] = {360'000'000'000, 333'333'333, 7'000'000'000, 2'000'000'000'000,
                                1'000'000'000'000'000'000, 1'000'000, 123'456'789'011};
  const std::int64_t firsts[] = {0, 1, -1, -1'000'003, 987'654'321};
  for (const std::int64_t rate : rates) {
    for (const std::int64_t first_index : firsts) {
      // Only grids whose times fit in int64 nanoseconds (as every planned grid's do).
      const long double span = (static_cast<long double>(first_index < 0 ? -first_index : first_index) + 10'000) * 1e18L /
                               static_cast<long double>(rate);
      if (span > 4e18L) continue;
      const ExportGroupLayout g = grid(rate, 1'700'000'000'000'000'000, first_index);
      for (const std::int64_t start : {std::int64_t{0}, std::int64_t{17}, std::int64_t{4095}}) {
        std::vector<std::int64_t> t(5000);
        g.times(start, t.size(), t.data());
        for (std::size_t k = 0; k < t.size(); ++k) {
          ASSERT_EQ(t[k], g.time_of(start + static_cast<std::int64_t>(k)))
              << "rate " << rate << " nHz, first_index " << first_index << ", point " << start + k;
        }
      }
    }
  }
}

TEST(ExportGrid, NoPointsWritesNothing) {
  const ExportGroupLayout g = grid(360'000'000'000, 0, 0);
  std::int64_t sentinel = -7;
  g.times(0, 0, &sentinel);
  EXPECT_EQ(sentinel, -7);
}

}  // namespace
