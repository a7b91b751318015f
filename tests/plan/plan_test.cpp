// The plan depends only on the stream table and the config; units are whole
// windows sized by estimated samples; assignment never changes the rows.

#include <gtest/gtest.h>

#include <set>

#include "tsweep/core/error.hpp"
#include "tsweep/plan/assign.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::plan {
namespace {

constexpr std::int64_t s = 1000000000;

std::vector<StreamSummary> table() {
  return {
      // 500 Hz for 1 hour from t = 10 s
      {3, "bed01/ECG_II", 10 * s, 10 * s + 3600 * s - 2000000, 1800000, 500'000'000'000},
      // 1 Hz vitals for 2 hours, starting mid-minute
      {1, "bed01/HR", 30 * s, 30 * s + 7199 * s, 7200, 1'000'000'000},
      // irregular events
      {2, "bed02/events", 0, 5000 * s, 100, 0},
      // an empty stream
      {4, "bed02/empty", 0, 0, 0, 1'000'000'000},
  };
}

TEST(Plan, RowsCoverEveryWindowOfEachStreamInIdOrder) {
  const Plan p = make_plan(table(), {}, 60 * s, 100000, "store.h5");
  ASSERT_EQ(p.streams.size(), 3u);  // the empty stream has no windows
  EXPECT_EQ(p.streams[0].name, "bed01/HR");
  EXPECT_EQ(p.streams[1].name, "bed02/events");
  EXPECT_EQ(p.streams[2].name, "bed01/ECG_II");
  // HR: samples at 30 s .. 7229 s → windows 0..120
  EXPECT_EQ(p.streams[0].first_window, 0);
  EXPECT_EQ(p.streams[0].windows, 121);
  EXPECT_EQ(p.streams[1].row, 121);
  std::int64_t rows = 0;
  for (const auto& st : p.streams) {
    EXPECT_EQ(st.row, rows);
    rows += st.windows;
  }
  EXPECT_EQ(p.rows, rows);
}

TEST(Plan, UnitsAreWholeWindowsTilingEachStreamAndSizedByCost) {
  const Plan p = make_plan(table(), {}, 60 * s, 100000, "store.h5");
  std::vector<std::int64_t> covered(static_cast<std::size_t>(p.rows), 0);
  for (const auto& u : p.units) {
    for (std::int64_t r = u.row; r < u.row + u.windows; ++r) ++covered[static_cast<std::size_t>(r)];
    const auto& st = p.streams[static_cast<std::size_t>(u.stream)];
    EXPECT_EQ(u.row - st.row, u.first_window - st.first_window);
    EXPECT_GT(u.cost, 0);
  }
  for (auto c : covered) EXPECT_EQ(c, 1);
  // ECG: 30000 samples per window → 3 windows per unit of ≤ 100000 samples.
  for (const auto& u : p.units) {
    if (p.streams[static_cast<std::size_t>(u.stream)].name == "bed01/ECG_II") {
      EXPECT_LE(u.windows, 3);
      EXPECT_LE(u.cost, 100000);
    }
  }
}

TEST(Plan, SelectionByGlobRegexAndTimeRange) {
  Selection sel;
  sel.globs = {"bed01/*"};
  sel.start_ns = 600 * s;
  sel.end_ns = 1200 * s;
  const Plan p = make_plan(table(), sel, 60 * s, 1 << 30, "store.h5");
  ASSERT_EQ(p.streams.size(), 2u);
  for (const auto& st : p.streams) {
    EXPECT_EQ(st.begin_ns, 600 * s);
    EXPECT_EQ(st.end_ns, 1200 * s);
    EXPECT_EQ(st.windows, 10);
  }
  Selection re;
  re.regexes = {"bed0[12]/(HR|events)"};
  EXPECT_EQ(make_plan(table(), re, 60 * s, 1000, "x").streams.size(), 2u);
}

TEST(Plan, PatternMatchingNothingIsAConfigErrorNamingIt) {
  Selection sel;
  sel.globs = {"bed01/*", "icu99/*"};
  try {
    make_plan(table(), sel, 60 * s, 1000, "store.h5");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'icu99/*' matches no stream in store.h5"), std::string::npos) << e.what();
  }
  Selection bad_re;
  bad_re.regexes = {"("};
  EXPECT_THROW(make_plan(table(), bad_re, 60 * s, 1000, "x"), ConfigError);
  Selection outside;
  outside.start_ns = 100000 * s;
  EXPECT_THROW(make_plan(table(), outside, 60 * s, 1000, "x"), ConfigError);
}

TEST(Plan, NegativeTimesUseFlooredWindows) {
  const std::vector<StreamSummary> t = {{1, "old", -90 * s, -1, 90, 1'000'000'000}};
  const Plan p = make_plan(t, {}, 60 * s, 1000, "x");
  EXPECT_EQ(p.streams[0].first_window, -2);
  EXPECT_EQ(p.streams[0].windows, 2);
}

TEST(Plan, DigestChangesWithThePlanOnly) {
  const Plan a = make_plan(table(), {}, 60 * s, 100000, "x");
  const Plan b = make_plan(table(), {}, 60 * s, 100000, "y");
  const Plan c = make_plan(table(), {}, 30 * s, 100000, "x");
  EXPECT_EQ(plan_digest(a), plan_digest(b));
  EXPECT_NE(plan_digest(a), plan_digest(c));
}

TEST(Assign, StaticLptCoversEveryUnitOnceAndBalances) {
  const Plan p = make_plan(table(), {}, 60 * s, 20000, "x");
  for (int ranks : {1, 2, 3, 7}) {
    const auto parts = assign_static(p, ranks);
    ASSERT_EQ(static_cast<int>(parts.size()), ranks);
    std::set<std::int64_t> seen;
    std::vector<double> loads;
    for (const auto& part : parts) {
      double load = 0;
      for (auto id : part) {
        EXPECT_TRUE(seen.insert(id).second);
        load += static_cast<double>(p.units[static_cast<std::size_t>(id)].cost);
      }
      loads.push_back(load);
    }
    EXPECT_EQ(seen.size(), p.units.size());
    // LPT bound: max load ≤ mean + largest unit.
    double largest = 0, total = 0;
    for (const auto& u : p.units) {
      largest = std::max(largest, static_cast<double>(u.cost));
      total += static_cast<double>(u.cost);
    }
    for (double l : loads) EXPECT_LE(l, total / ranks + largest);
  }
}

TEST(Assign, SkipLeavesCommittedUnitsOut) {
  const Plan p = make_plan(table(), {}, 60 * s, 20000, "x");
  std::vector<bool> skip(p.units.size(), false);
  skip[0] = skip[3] = true;
  std::size_t n = 0;
  for (const auto& part : assign_static(p, 2, skip)) {
    for (auto id : part) EXPECT_TRUE(id != 0 && id != 3);
    n += part.size();
  }
  EXPECT_EQ(n, p.units.size() - 2);
  EXPECT_DOUBLE_EQ(imbalance({2.0, 2.0}), 1.0);
  EXPECT_DOUBLE_EQ(imbalance({3.0, 1.0}), 1.5);
}

TEST(Glob, MatchesShellPatterns) {
  EXPECT_TRUE(glob_match("bed*/ECG_*", "bed07/ECG_II"));
  EXPECT_TRUE(glob_match("bed0?/HR", "bed07/HR"));
  EXPECT_FALSE(glob_match("bed0?/HR", "bed17/HR"));
  EXPECT_TRUE(glob_match("*", "a/b/c"));
}

}  // namespace
}  // namespace tsweep::plan
