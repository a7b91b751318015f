// The unit runner over an in-memory source (no HDF5): its rows equal a serial
// reference decode + reduction bit for bit, at every thread count it is
// registered with, corrupt blocks are flagged, not fatal (unless asked), and a
// stop check abandons a unit part-way.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fake_source.hpp"
#include "reference_rows.hpp"
#include "mpi_env.hpp"
#include "tsweep/analysis/catalog.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/job/unit_runner.hpp"

namespace tsweep::job {
using namespace tsweep::exec;  // Comm, agree, test hooks: the runtime the pipeline runs on
namespace {

constexpr std::int64_t s = 1'000'000'000;

void fill(test::FakeSource& src) {
  src.add_bed(600, 4096, 1);
  src.corrupt(0, 5);
  src.corrupt(1, 2);
}

// Straightforward reference: decode every block of the unit's stream with the
// codec directly, then scan each window sample by sample.
template <class T>
std::vector<analysis::WindowRow> reference_of(test::FakeSource& src, const plan::Plan& p, const plan::Unit& u) {
  const auto& ps = p.streams[static_cast<std::size_t>(u.stream)];
  const auto& st = src.streams()[static_cast<std::size_t>(ps.id)];
  test::ReferenceSamples<T> d;
  bool after_corrupt = true;
  for (const auto& r : src.blocks(ps.id, p.unit_begin(u), p.unit_end(u))) {
    std::vector<std::byte> bytes;
    src.read({r}, bytes);
    std::vector<T> raw(r.count);
    std::vector<std::int64_t> t(r.count);
    try {
      if (r.damage != store::RowDamage::none) throw CodecError("damaged row");
      const codec::BlockInfo info = codec::Decoder().decode<T>(bytes, Span<T>(raw), Span<std::int64_t>(t));
      if (info.checksum != r.checksum) throw CodecError("misstated checksum");
    } catch (const CodecError&) {
      d.corrupt.push_back({r.first_ns, r.last_ns});
      after_corrupt = true;
      continue;
    }
    for (std::uint32_t k = 0; k < r.count; ++k) {
      d.times.push_back(t[k]);
      d.raw.push_back(raw[k]);
      d.has_previous.push_back(!(k == 0 && after_corrupt));
    }
    after_corrupt = false;
  }
  analysis::UnitWindows w{u.stream, p.window_ns, u.first_window, u.windows, p.unit_begin(u), p.unit_end(u)};
  std::vector<analysis::WindowRow> rows;
  for (std::int64_t i = 0; i < u.windows; ++i) rows.push_back(test::reference_row(d, st.facts, st.scale, st.offset, w, i));
  return rows;
}

std::vector<analysis::WindowRow> reference(test::FakeSource& src, const plan::Plan& p, const plan::Unit& u) {
  const auto& st = src.streams()[static_cast<std::size_t>(p.streams[static_cast<std::size_t>(u.stream)].id)];
  return st.type == codec::SampleType::int16 ? reference_of<std::int16_t>(src, p, u) : reference_of<double>(src, p, u);
}

void expect_rows_match(const std::vector<analysis::WindowRow>& got, const std::vector<analysis::WindowRow>& want,
                       std::int64_t unit) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& a = got[i];
    const auto& b = want[i];
    SCOPED_TRACE("unit " + std::to_string(unit) + " window " + std::to_string(i));
    EXPECT_EQ(a.start, b.start);
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.first_time, b.first_time);
    EXPECT_EQ(a.last_time, b.last_time);
    EXPECT_EQ(a.expected, b.expected);
    EXPECT_EQ(a.missing, b.missing);
    EXPECT_EQ(a.gaps, b.gaps);
    EXPECT_EQ(a.longest_gap, b.longest_gap);
    EXPECT_EQ(a.nan_count, b.nan_count);
    EXPECT_EQ(a.out_of_range, b.out_of_range);
    EXPECT_EQ(a.longest_flat_run, b.longest_flat_run);
    EXPECT_EQ(a.duplicate_times, b.duplicate_times);
    EXPECT_EQ(a.backwards_times, b.backwards_times);
    EXPECT_EQ(a.corrupt_blocks, b.corrupt_blocks);
    if (b.count > 0) {
      EXPECT_EQ(a.min, b.min);
      EXPECT_EQ(a.max, b.max);
      EXPECT_NEAR(a.mean, b.mean, 1e-12 * std::max(1.0, std::fabs(b.mean)));
      EXPECT_NEAR(a.std, b.std, 1e-9 * std::max(1.0, b.std));
    }
  }
}

std::vector<unsigned char> column_bytes(const std::vector<analysis::WindowRow>& rows) {
  std::vector<unsigned char> all, one;
  for (const auto& f : analysis::fields()) {
    analysis::gather_column(rows, f, one);
    all.insert(all.end(), one.begin(), one.end());
  }
  return all;
}

TEST(UnitRunner, RowsEqualStraightforwardReferenceWithCorruptBlocksFlagged) {
  test::FakeSource src;
  fill(src);
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  const plan::Plan p = plan::make_plan(summaries, {}, 10 * s, 20000, "fake");
  // Decoding every block: only decoding sees damaged block bytes.
  UnitRunner runner(src, p, false);
  runner.set_use_summaries(false);
  std::int64_t corrupt = 0, samples = 0;
  for (const auto& u : p.units) {
    const UnitResult r = runner.run(u.id);
    expect_rows_match(r.finished.rows, reference(src, p, u), u.id);
    corrupt += static_cast<std::int64_t>(r.corrupt.size());
    samples += r.samples;
  }
  EXPECT_GE(corrupt, 2);  // each corrupt block is seen by every unit it touches
  std::int64_t total = 0;
  for (const auto& st : src.streams()) total += st.summary.samples;
  EXPECT_LT(samples, total);  // samples of corrupt blocks are not counted
  EXPECT_GT(samples, total * 9 / 10);
}

// Windows that cover blocks whole take their stored summaries and read
// nothing of them; the rows are bitwise those of decoding every block.
TEST(UnitRunner, RowsFromStoredSummariesEqualDecodingBitwise) {
  test::FakeSource src;
  src.add_bed(900, 4096, 2);
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  for (const std::int64_t window : {10 * s, 120 * s, 600 * s}) {
    const plan::Plan p = plan::make_plan(summaries, {}, window, 20000, "fake");
    UnitRunner runner(src, p, false);
    UnitRunner decoding(src, p, false);
    decoding.set_use_summaries(false);
    std::int64_t summarised = 0;
    for (const auto& u : p.units) {
      const UnitResult r = runner.run(u.id);
      expect_rows_match(r.finished.rows, reference(src, p, u), u.id);
      const UnitResult all = decoding.run(u.id);
      EXPECT_EQ(all.summarised_blocks, 0);
      EXPECT_EQ(column_bytes(r.finished.rows), column_bytes(all.finished.rows)) << "unit " << u.id;
      EXPECT_EQ(r.samples, all.samples);
      EXPECT_LE(r.blocks + r.summarised_blocks, all.blocks + 1);
      summarised += r.summarised_blocks;
    }
    if (window > 10 * s) {
      EXPECT_GT(summarised, 0) << "windows of " << window / s << " s cover some 4096-sample blocks whole";
    }
  }
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

// stats and quality on the analysis interface: each window the runner hands an
// analysis, reduced by the catalog's stats and quality (their reduce(), the
// reference of the block-summary kernel), gives the kernel's row: the same
// counts, times and flags, the same extremes, mean and std to rounding.
class Mirror final : public analysis::Analysis {
 public:
  explicit Mirror(std::vector<analysis::Configured> of) : m_of(std::move(of)) {
    for (const auto& c : m_of) {
      for (const auto& f : c.fields) m_fields.push_back(f);
    }
  }
  [[nodiscard]] std::vector<analysis::Field> fields() const override { return m_fields; }
  void reduce(const analysis::Window& w, analysis::Output& out) const override {
    std::vector<std::uint64_t> cells;
    for (const auto& c : m_of) {
      std::vector<std::uint64_t> own(c.cells, 0);
      analysis::Output o(own.data(), &c.fields, &c.offsets);
      c.analysis->reduce(w, o);
      cells.insert(cells.end(), own.begin(), own.end());
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (m_fields[i].kind == analysis::FieldKind::float64) {
        double v = 0;
        std::memcpy(&v, &cells[i], 8);
        out.set(i, v);
      } else {
        std::int64_t v = 0;
        std::memcpy(&v, &cells[i], 8);
        out.set(i, v);
      }
    }
  }

 private:
  std::vector<analysis::Configured> m_of;
  std::vector<analysis::Field> m_fields;
};

TEST(UnitRunner, KernelRowsEqualStatsAndQualityReducedOnTheInterface) {
  test::FakeSource src;
  fill(src);
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  const analysis::Catalog catalog;
  std::vector<analysis::Configured> list = catalog.configure({{"stats", {}}, {"quality", {}}}, "test");
  analysis::Configured mirror;
  mirror.name = "mirror";
  mirror.analysis = std::make_shared<Mirror>(list);
  mirror.fields = mirror.analysis->fields();
  for (std::size_t i = 0; i < mirror.fields.size(); ++i) {
    ASSERT_EQ(mirror.fields[i].width(), 1U);
    mirror.offsets.push_back(i);
  }
  mirror.cells = mirror.fields.size();
  list.push_back(mirror);
  for (const std::int64_t window : {10 * s, 120 * s}) {
    const plan::Plan p = plan::make_plan(summaries, {}, window, 20000, "fake");
    UnitRunner runner(src, p, false);
    runner.set_analyses(list);
    std::int64_t windows = 0, corrupt = 0;
    for (const auto& u : p.units) {
      const UnitResult r = runner.run(u.id);
      const auto& rows = r.finished.rows;
      // stats and quality are the kernel's rows; cells are the other analyses'.
      ASSERT_EQ(r.finished.cells.size(), 1U);
      const auto& cells = r.finished.cells[0];
      ASSERT_EQ(cells.size(), rows.size() * mirror.cells);
      for (std::size_t w = 0; w < rows.size(); ++w) {
        analysis::WindowRow got = rows[w];
        for (std::size_t i = 0; i < mirror.fields.size(); ++i) {
          const auto it = std::find_if(analysis::fields().begin(), analysis::fields().end(),
                                       [&](const analysis::FieldInfo& f) { return mirror.fields[i].name == f.name; });
          ASSERT_NE(it, analysis::fields().end()) << mirror.fields[i].name;
          std::memcpy(reinterpret_cast<unsigned char*>(&got) + it->offset, &cells[w * mirror.cells + i], 8);
        }
        expect_rows_match({got}, {rows[w]}, u.id);
        ++windows;
        corrupt += rows[w].corrupt_blocks;
      }
    }
    EXPECT_GT(windows, 50);
    EXPECT_GT(corrupt, 0) << "windows beside corrupt blocks are compared too";
  }
}

}  // namespace
}  // namespace tsweep::job
