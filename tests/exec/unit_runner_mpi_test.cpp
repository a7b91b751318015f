// The unit runner over an in-memory source (no HDF5): its rows equal a serial
// reference decode + reduction bit for bit, at every thread count it is
// registered with, corrupt blocks are flagged, not fatal (unless asked), and a
// stop check abandons a unit part-way.

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "fake_source.hpp"
#include "mpi_env.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/unit_runner.hpp"

namespace tsweep::exec {
namespace {

constexpr std::int64_t s = 1'000'000'000;

void fill(test::FakeSource& src) {
  src.add_bed(600, 4096, 1);
  src.corrupt(0, 5);
  src.corrupt(1, 2);
}

// Serial reference: decode all blocks of the unit's stream with the codec
// directly, then reduce with one thread.
std::vector<analysis::WindowRow> reference(test::FakeSource& src, const plan::Plan& p, const plan::Unit& u) {
  const auto& ps = p.streams[static_cast<std::size_t>(u.stream)];
  const auto& st = src.streams()[static_cast<std::size_t>(ps.id)];
  const auto refs = src.blocks(ps.id, p.unit_begin(u), p.unit_end(u));
  std::vector<std::int64_t> times, breaks;
  std::vector<double> values;
  std::vector<analysis::CorruptSpan> corrupt;
  for (const auto& r : refs) {
    std::vector<std::byte> bytes;
    src.read({r}, bytes);
    std::vector<std::byte> raw(r.count * codec::sample_size(st.type));
    std::vector<std::int64_t> t(r.count);
    try {
      codec::Decoder().decode(bytes, Span<std::byte>(raw), Span<std::int64_t>(t));
    } catch (const CodecError&) {
      corrupt.push_back({r.first_ns, r.last_ns});
      breaks.push_back(static_cast<std::int64_t>(times.size()));
      continue;
    }
    for (std::uint32_t k = 0; k < r.count; ++k) {
      double v = 0;
      if (st.type == codec::SampleType::int16) {
        std::int16_t x;
        std::memcpy(&x, raw.data() + 2 * k, 2);
        v = x;
      } else {
        std::memcpy(&v, raw.data() + 8 * k, 8);
      }
      values.push_back(v * st.scale + st.offset);
      times.push_back(t[k]);
    }
  }
  analysis::UnitWindows w{u.stream, p.window_ns, u.first_window, u.windows, p.unit_begin(u), p.unit_end(u)};
  analysis::UnitReduction red(st.facts, w, {times, values, breaks, corrupt});
  std::vector<analysis::WindowRow> rows;
  for (std::int64_t i = 0; i < u.windows; ++i) rows.push_back(red.compute(i));
  return rows;
}

TEST(UnitRunner, RowsEqualSerialReferenceBitForBitAtAnyThreadCount) {
  test::FakeSource src;
  fill(src);
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  const plan::Plan p = plan::make_plan(summaries, {}, 10 * s, 20000, "fake");
  UnitRunner runner(src, p, false);
  std::int64_t corrupt = 0, samples = 0;
  for (const auto& u : p.units) {
    const UnitResult r = runner.run(u.id);
    const auto want = reference(src, p, u);
    ASSERT_EQ(r.finished.rows.size(), want.size());
    std::vector<unsigned char> a, b;
    for (const auto& f : analysis::fields()) {
      analysis::gather_column(r.finished.rows, f, a);
      analysis::gather_column(want, f, b);
      ASSERT_EQ(a, b) << "unit " << u.id << " field " << f.name;
    }
    corrupt += static_cast<std::int64_t>(r.corrupt.size());
    samples += r.samples;
  }
  EXPECT_GE(corrupt, 2);  // each corrupt block is seen by every unit it touches
  std::int64_t total = 0;
  for (const auto& st : src.streams()) total += st.summary.samples;
  EXPECT_LT(samples, total);  // samples of corrupt blocks are not counted
  EXPECT_GT(samples, total * 9 / 10);
}

TEST(UnitRunner, OnCorruptFailThrowsNamingStreamAndBlock) {
  test::FakeSource src;
  fill(src);
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  const plan::Plan p = plan::make_plan(summaries, {}, 10 * s, 1 << 30, "fake");
  UnitRunner runner(src, p, true);
  bool threw = false;
  for (const auto& u : p.units) {
    try {
      runner.run(u.id);
    } catch (const CodecError& e) {
      threw = true;
      EXPECT_NE(std::string(e.what()).find("on_corrupt: fail"), std::string::npos);
      EXPECT_NE(std::string(e.what()).find("block"), std::string::npos);
    }
  }
  EXPECT_TRUE(threw);
}

// An index row the store could not trust, and one that is sound by itself but
// disagrees with the block's header, both give a corrupt block: flagged with
// its span, its samples left out, fatal with on_corrupt: fail.
TEST(UnitRunner, DamagedOrMisstatedIndexRowsAreFlaggedCorrupt) {
  for (const bool fail : {false, true}) {
    test::FakeSource src;
    src.add_bed(600, 4096, 1);
    src.damage_row(0, 3, store::RowDamage::checksum);
    src.misstate_checksum(0, 7);
    std::vector<plan::StreamSummary> summaries;
    for (const auto& st : src.streams()) summaries.push_back(st.summary);
    const plan::Plan p = plan::make_plan(summaries, {}, 10 * s, 20000, "fake");
    UnitRunner runner(src, p, fail);
    std::set<std::int64_t> flagged;
    std::int64_t samples = 0;
    int threw = 0;
    for (const auto& u : p.units) {
      if (p.streams[static_cast<std::size_t>(u.stream)].id != 0) continue;
      try {
        const UnitResult r = runner.run(u.id);
        samples += r.samples;
        for (const auto& c : r.corrupt) {
          flagged.insert(c.block);
          if (c.block == 3) {
            EXPECT_NE(c.reason.find("fails its row checksum"), std::string::npos) << c.reason;
          }
          if (c.block == 7) {
            EXPECT_NE(c.reason.find("disagree on checksum"), std::string::npos) << c.reason;
          }
        }
      } catch (const CodecError& e) {
        ++threw;
        EXPECT_NE(std::string(e.what()).find("on_corrupt: fail"), std::string::npos);
      }
    }
    if (fail) {
      EXPECT_GE(threw, 2);
    } else {
      EXPECT_EQ(threw, 0);
      EXPECT_EQ(flagged, (std::set<std::int64_t>{3, 7}));
      EXPECT_LT(samples, src.streams()[0].summary.samples);
    }
  }
}

TEST(UnitRunner, StopCheckBetweenStepsAbandonsTheUnitWithoutRows) {
  test::FakeSource src;
  fill(src);
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  const plan::Plan p = plan::make_plan(summaries, {}, 10 * s, 20000, "fake");
  for (const std::string stop_at : {"read", "decode"}) {
    std::vector<std::string> asked;
    UnitRunner runner(src, p, false, [&](const char* step) {
      asked.emplace_back(step);
      return stop_at == step;
    });
    const UnitResult r = runner.run(0);
    EXPECT_TRUE(r.abandoned) << stop_at;
    EXPECT_TRUE(r.finished.rows.empty()) << stop_at;
    EXPECT_EQ(asked.back(), stop_at);
  }
  std::vector<std::string> asked;
  UnitRunner runner(src, p, false, [&](const char* step) {
    asked.emplace_back(step);
    return false;
  });
  const UnitResult r = runner.run(0);
  EXPECT_FALSE(r.abandoned);
  EXPECT_EQ(static_cast<std::int64_t>(r.finished.rows.size()), p.units[0].windows);
  EXPECT_EQ(asked, (std::vector<std::string>{"read", "decode"}));
}

}  // namespace
}  // namespace tsweep::exec
