// Block summaries in the index (store format version 3): every writer path
// stores in each index row the summary of the block's raw samples, equal to a
// summary made again from the decoded block, with out_of_range counted
// against the stream's valid range (open at a missing bound); the row
// checksum covers the summary; a summary that was changed and re-sealed is
// caught by verify, which names the block and its index row.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "store_test_util.hpp"
#include "table_edit.hpp"
#include "tsweep/codec/codec.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/generate.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/verify.hpp"
#include "tsweep/store/writer.hpp"

namespace tsweep::store {
namespace {

using test::TempDir;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
constexpr std::int64_t k100Hz = 100'000'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Values with flat runs, extremes and (for floats) NaN, ±0 and infinities.
template <class T>
T value_at(std::int64_t i) {
  const std::int64_t k = i % 97;
  if constexpr (std::is_floating_point_v<T>) {
    if (k == 5 || k == 6) return std::numeric_limits<T>::quiet_NaN();
    if (k == 7) return static_cast<T>(-0.0);
    if (k == 8) return static_cast<T>(0.0);
    if (k == 9 && i % 3 == 0) return std::numeric_limits<T>::infinity();
    if (k >= 20 && k < 40) return static_cast<T>(2.5);  // a flat run
    return static_cast<T>(0.37 * static_cast<double>((i * 7919) % 2001 - 1000));
  } else {
    if (k == 3) return std::numeric_limits<T>::max();
    if (k == 4) return std::numeric_limits<T>::min();
    if (k >= 20 && k < 40) return T{42};  // a flat run
    return static_cast<T>((i * 7919) % 2001 - 1000);
  }
}

template <class T>
Series series_of(std::int64_t n, bool regular, std::int64_t first_ns) {
  Series s;
  s.type = codec::sample_type_of<T>();
  for (std::int64_t i = 0; i < n; ++i) s.push<T>(value_at<T>(i));
  if (regular) {
    s.rate_nhz = k100Hz;
    s.segments.push_back({first_ns, 0, n});
  } else {
    for (std::int64_t i = 0; i < n; ++i) s.times.push_back(first_ns + i * 10'000'000 + (i % 4) * 1000);
  }
  return s;
}

struct Case {
  const char* name;
  codec::SampleType type;
  double valid_min, valid_max;
  bool regular;
};

// Every sample type, with a closed, a half-open and no valid range.
const Case kCases[] = {
    {"int16/closed", codec::SampleType::int16, -2.0, 2.0, true},
    {"int32/min_only", codec::SampleType::int32, -1.0, kNaN, true},
    {"int64/none", codec::SampleType::int64, kNaN, kNaN, true},
    {"float32/max_only", codec::SampleType::float32, kNaN, 100.0, true},
    {"float64/closed", codec::SampleType::float64, -50.0, 50.0, false},
};

StreamSpec spec_of(const Case& c) {
  StreamSpec s;
  s.name = c.name;
  s.unit = "u";
  s.type = c.type;
  s.scale = c.type == codec::SampleType::int64 ? 1e-9 : 0.005;
  s.offset = -0.25;
  s.rate_nhz = c.regular ? k100Hz : 0;
  s.valid_min = c.valid_min;
  s.valid_max = c.valid_max;
  return s;
}

Series series_for(const Case& c, std::int64_t n, std::int64_t first_ns) {
  switch (c.type) {
    case codec::SampleType::int16:
      return series_of<std::int16_t>(n, c.regular, first_ns);
    case codec::SampleType::int32:
      return series_of<std::int32_t>(n, c.regular, first_ns);
    case codec::SampleType::int64:
      return series_of<std::int64_t>(n, c.regular, first_ns);
    case codec::SampleType::float32:
      return series_of<float>(n, c.regular, first_ns);
    case codec::SampleType::float64:
      return series_of<double>(n, c.regular, first_ns);
  }
  return {};
}

// Appends a series as ingest does (summaries of the samples at hand) or, with
// `decode`, through the plain append that summarises the decoded block.
void append_series(Writer& w, std::int64_t id, const Series& s, std::uint32_t block_samples, bool decode) {
  codec::Encoder enc;
  const codec::RawRange range = raw_range(w.stream(id));
  const std::size_t size = codec::sample_size(s.type);
  encode_series(s, block_samples, enc, [&](Span<const std::byte> block, Span<const std::byte> values) {
    if (decode) {
      w.append(id, block);
    } else {
      w.append(id, block, codec::summarize(s.type, values.data(), values.size() / size, range));
    }
  });
}

// Physical out-of-range and NaN counts, the way the quality analysis counts them.
template <class T>
void count_physical(const std::byte* raw, std::uint32_t n, const StreamInfo& s, std::int64_t& oor, std::int64_t& nans) {
  const double lo = std::isnan(s.valid_min) ? -HUGE_VAL : s.valid_min;
  const double hi = std::isnan(s.valid_max) ? HUGE_VAL : s.valid_max;
  const bool ranged = !std::isnan(s.valid_min) || !std::isnan(s.valid_max);
  for (std::uint32_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw + i * sizeof(T), sizeof(T));
    const double x = static_cast<double>(v) * s.scale + s.offset;
    nans += std::isnan(x);
    oor += ranged && (x < lo || x > hi);
  }
}

// Every block of every stream: the index row's summary equals the summary of
// the decoded block; its counts agree with a physical count (and, with
// `ranges_hit`, some samples of every stream with a valid range are outside it).
// Returns the blocks.
std::int64_t expect_summaries_match(const Reader& r, bool ranges_hit = false) {
  std::int64_t blocks = 0;
  codec::Decoder dec;
  for (const StreamInfo& s : r.streams()) {
    SCOPED_TRACE(s.name);
    const auto refs = r.blocks(s.id);
    const BlockBytes bytes = r.read_bytes(refs);
    std::int64_t oor_rows = 0, oor_samples = 0, nan_rows = 0, nan_samples = 0;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      const BlockRef& b = refs[i];
      EXPECT_TRUE(b.has_summary) << b.block;
      EXPECT_EQ(b.summary.count, static_cast<std::int64_t>(b.count));
      std::vector<std::byte> raw(b.count * codec::sample_size(s.type));
      dec.decode(bytes.block(i), Span<std::byte>(raw));
      EXPECT_EQ(b.summary, codec::summarize(s.type, raw.data(), b.count, raw_range(s))) << "block " << b.block;
      oor_rows += b.summary.out_of_range;
      nan_rows += b.summary.nan_count;
      switch (s.type) {
        case codec::SampleType::int16:
          count_physical<std::int16_t>(raw.data(), b.count, s, oor_samples, nan_samples);
          break;
        case codec::SampleType::int32:
          count_physical<std::int32_t>(raw.data(), b.count, s, oor_samples, nan_samples);
          break;
        case codec::SampleType::int64:
          count_physical<std::int64_t>(raw.data(), b.count, s, oor_samples, nan_samples);
          break;
        case codec::SampleType::float32:
          count_physical<float>(raw.data(), b.count, s, oor_samples, nan_samples);
          break;
        case codec::SampleType::float64:
          count_physical<double>(raw.data(), b.count, s, oor_samples, nan_samples);
          break;
      }
      ++blocks;
    }
    EXPECT_EQ(oor_rows, oor_samples);
    EXPECT_EQ(nan_rows, nan_samples);
    if (ranges_hit && (!std::isnan(s.valid_min) || !std::isnan(s.valid_max))) {
      EXPECT_GT(oor_rows, 0);
    }
  }
  return blocks;
}

TEST(StoreBlockSummaries, EverySerialWriterPathStoresTheSummaryOfTheDecodedBlock) {
  for (const bool swmr : {false, true}) {
    SCOPED_TRACE(swmr ? "swmr" : "plain");
    TempDir dir;
    const auto path = dir.file("s.h5");
    WriterOptions o;
    o.swmr = swmr;
    {
      Writer w = Writer::create(path, o);
      for (const Case& c : kCases) {
        const auto id = w.add_stream(spec_of(c));
        append_series(w, id, series_for(c, 5000, kT0), 700, false);
      }
      w.commit();
      w.close();
    }
    {
      // An append to the existing store, through the summarising plain append.
      Writer w = Writer::open(path, o);
      for (std::int64_t id = 0; id < static_cast<std::int64_t>(std::size(kCases)); ++id) {
        append_series(w, id, series_for(kCases[static_cast<std::size_t>(id)], 3000, kT0 + 3'600'000'000'000), 512,
                      true);
      }
      w.commit();
      w.close();
    }
    const Reader r = Reader::open(path);
    EXPECT_TRUE(r.summaries());
    const std::int64_t blocks = expect_summaries_match(r, true);
    EXPECT_EQ(blocks, 5 * (8 + 6));
    VerifyOptions vo;
    const VerifyReport v = verify_store(path, vo);
    EXPECT_TRUE(v.ok());
    EXPECT_TRUE(v.block_summaries);
    EXPECT_EQ(v.summaries, blocks);
  }
}

TEST(StoreBlockSummaries, LiveGenerateStoresTheSummaryOfEveryBlock) {
  TempDir dir;
  const auto path = dir.file("live.h5");
  GenerateOptions o;
  o.config.streams = 8;
  o.config.duration_ns = 600'000'000'000;
  o.config.block_samples = 5000;
  LiveOptions live;
  live.commit_blocks = 7;
  const GenerateReport made = generate_live(path, o, live);
  const Reader r = Reader::open(path);
  EXPECT_EQ(expect_summaries_match(r), made.blocks);
  // The summaries are those of the generator's samples.
  const synth::Generator g(o.config);
  for (std::int64_t k = 0; k < 8; ++k) {
    const auto refs = r.blocks(k);
    const auto plans = g.blocks(k);
    ASSERT_EQ(refs.size(), plans.size());
    for (std::size_t b = 0; b < refs.size(); ++b) {
      std::vector<std::byte> raw(plans[b].count * codec::sample_size(r.stream(k).type));
      g.fill(k, plans[b], raw);
      EXPECT_EQ(refs[b].summary,
                codec::summarize(r.stream(k).type, raw.data(), plans[b].count, raw_range(r.stream(k))));
    }
  }
  VerifyOptions vo;
  const VerifyReport v = verify_store(path, vo);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.summaries, made.blocks);
}

TEST(StoreBlockSummaries, TheRowChecksumCoversTheSummary) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  {
    Writer w = Writer::create(path);
    const auto id = w.add_stream(spec_of(kCases[0]));
    append_series(w, id, series_for(kCases[0], 20'000, kT0), 1000, false);
    w.commit();
    w.close();
  }
  test::flip_field_byte(path, "/blocks/index", 7, "sum_hi", 2, 0x01);  // not re-sealed
  const Reader r = Reader::open(path);
  const auto rows = r.index_rows(7, 1);
  EXPECT_EQ(rows.front().damage, RowDamage::checksum);
  EXPECT_FALSE(rows.front().has_summary);
  const auto refs = r.blocks(0);
  ASSERT_EQ(refs.size(), 20u);
  for (const auto& b : refs) {
    EXPECT_EQ(b.damage != RowDamage::none, b.block == 7);
    EXPECT_EQ(b.has_summary, b.block != 7);  // a damaged row's summary is not handed out
  }
  VerifyOptions vo;
  const VerifyReport v = verify_store(path, vo);
  ASSERT_EQ(v.bad_blocks, 1);
  EXPECT_EQ(v.bad[0].block, 7);
  EXPECT_NE(v.bad[0].reason.find("/blocks/index row 7 fails its row checksum"), std::string::npos) << v.bad[0].reason;
}

TEST(StoreBlockSummaries, AResealedWrongSummaryIsCaughtByVerifyNamingTheRow) {
  TempDir dir;
  const auto clean = dir.file("clean.h5");
  {
    Writer w = Writer::create(clean);
    for (const Case& c : kCases) {
      const auto id = w.add_stream(spec_of(c));
      append_series(w, id, series_for(c, 4000, kT0), 1000, false);
    }
    w.commit();
    w.close();
  }
  // One field at a time, each in a block of another stream (rows 4k + 1 .. of stream k % 5).
  const char* fields[] = {"nan_count", "out_of_range", "longest_flat", "head_flat", "tail_flat",
                          "first",     "last",         "min",          "max",       "sum_lo",
                          "sum_hi",    "squares0",     "squares1",     "squares2"};
  for (std::size_t f = 0; f < std::size(fields); ++f) {
    SCOPED_TRACE(fields[f]);
    const auto path = dir.file(std::string(fields[f]) + ".h5");
    std::filesystem::copy_file(clean, path);
    const std::int64_t row = static_cast<std::int64_t>(f % 5) * 4 + 1 + static_cast<std::int64_t>(f % 3);
    test::flip_field_byte(path, "/blocks/index", static_cast<hsize_t>(row), fields[f], f % 8, 0x04, true);
    {
      // The row is sound by its checksum: readers hand out its (wrong) summary.
      const Reader r = Reader::open(path);
      const BlockRef ref = r.index_rows(row, 1).front();
      EXPECT_EQ(ref.damage, RowDamage::none);
      EXPECT_TRUE(ref.has_summary);
    }
    VerifyOptions vo;
    const VerifyReport v = verify_store(path, vo);
    ASSERT_EQ(v.bad_blocks, 1);
    EXPECT_EQ(v.bad[0].block, row);
    EXPECT_NE(v.bad[0].reason.find("/blocks/index row " + std::to_string(row) + " has a summary that disagrees"),
              std::string::npos)
        << v.bad[0].reason;
    EXPECT_NE(v.bad[0].reason.find(std::string("(") + fields[f] + ": index "), std::string::npos) << v.bad[0].reason;
    EXPECT_EQ(v.summaries, 20);
  }
}

TEST(StoreBlockSummaries, ASummaryForAnotherCountIsRefused) {
  TempDir dir;
  Writer w = Writer::create(dir.file("s.h5"));
  const auto id = w.add_stream(spec_of(kCases[0]));
  codec::Encoder enc;
  std::vector<std::byte> block;
  const std::vector<std::int16_t> v(100, 3);
  enc.encode<std::int16_t>(Span<const std::int16_t>(v), codec::RegularTimes{kT0, k100Hz}, block);
  const codec::Summary half = codec::summarize<std::int16_t>(v.data(), 50, {});
  EXPECT_THROW(w.append(id, block, half), InternalError);
  w.rollback();
}

}  // namespace
}  // namespace tsweep::store
