// The synthetic generator: a pure function of (seed, stream, index), the
// same however blocks are cut, with the anomalies it promises.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "tsweep/codec/codec.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/generator.hpp"

namespace tsweep::store::synth {
namespace {

GeneratorConfig config(std::int64_t streams, std::int64_t seconds, std::uint64_t seed = 1) {
  GeneratorConfig c;
  c.seed = seed;
  c.streams = streams;
  c.duration_ns = seconds * 1'000'000'000;
  c.block_samples = 5000;
  return c;
}

std::vector<std::byte> values(const Generator& g, std::int64_t k, const BlockPlan& p) {
  std::vector<std::byte> out(p.count * codec::sample_size(g.spec(k).type));
  g.fill(k, p, out);
  return out;
}

TEST(StoreGenerator, SameSeedSameSamplesWhateverTheBlockCut) {
  const Generator a(config(16, 600)), b(config(16, 600));
  for (std::int64_t k = 0; k < 16; ++k) {
    const auto blocks = a.blocks(k);
    ASSERT_EQ(blocks.size(), b.blocks(k).size());
    ASSERT_EQ(static_cast<std::int64_t>(blocks.size()), a.block_count(k));
    const BlockPlan& p = blocks.front();
    EXPECT_EQ(values(a, k, p), values(b, k, p));
    if (p.count < 2 || a.kind(k) == Kind::beats) continue;
    // Two halves of a block are the block.
    const BlockPlan h1{p.begin, p.count / 2, p.first_ns, p.phase};
    const BlockPlan h2{p.begin + p.count / 2, p.count - p.count / 2, 0};
    auto joined = values(a, k, h1);
    const auto second = values(a, k, h2);
    joined.insert(joined.end(), second.begin(), second.end());
    EXPECT_EQ(joined, values(a, k, p)) << "stream " << k;
  }
  const Generator c(config(16, 600, 2));
  EXPECT_NE(values(a, 0, a.blocks(0)[0]), values(c, 0, c.blocks(0)[0]));
  EXPECT_EQ(a.store_uuid(), b.store_uuid());
  EXPECT_NE(a.store_uuid(), c.store_uuid());
}

TEST(StoreGenerator, AnomaliesAreThereAndGoAwayWhenAskedTo) {
  GeneratorConfig cfg = config(8, 6 * 3600);
  cfg.gap_probability = cfg.spike_probability = cfg.nan_probability = cfg.flat_probability = 0.2;
  cfg.duplicate_probability = 0.05;
  const Generator g(cfg);
  EXPECT_GT(g.segments(4).size(), 1u);  // HR has gaps
  std::int64_t nan = 0, out_of_range = 0, flat = 0, dup = 0;
  for (std::int64_t k : {4, 5}) {
    const StreamSpec s = g.spec(k);
    for (const auto& p : g.blocks(k)) {
      const auto v = values(g, k, p);
      double prev = std::nan("");
      for (std::uint32_t i = 0; i < p.count; ++i) {
        double x;
        if (s.type == codec::SampleType::int16) {
          std::int16_t r;
          std::memcpy(&r, v.data() + 2 * i, 2);
          x = r * s.scale;
        } else {
          float r;
          std::memcpy(&r, v.data() + 4 * i, 4);
          x = r;
        }
        nan += std::isnan(x);
        out_of_range += x < s.valid_min || x > s.valid_max;
        flat += x == prev;
        prev = x;
      }
    }
  }
  EXPECT_GT(nan, 0);
  EXPECT_GT(out_of_range, 0);
  EXPECT_GT(flat, 0);
  // Beats: times never go backwards, some repeat.
  for (const auto& p : g.blocks(7)) {
    std::vector<std::byte> v(p.count * 8);
    std::vector<std::int64_t> t(p.count);
    g.fill(7, p, v, t);
    for (std::size_t i = 1; i < t.size(); ++i) {
      ASSERT_GE(t[i], t[i - 1]);
      dup += t[i] == t[i - 1];
    }
  }
  EXPECT_GT(dup, 0);

  cfg.anomalies = false;
  const Generator clean(cfg);
  EXPECT_EQ(clean.segments(4).size(), 1u);
  EXPECT_EQ(clean.block_count(0), (clean.nominal_count(0) + 4999) / 5000);
}

TEST(StoreGenerator, EncodedBlocksDecodeToTheFilledSamples) {
  const Generator g(config(8, 120));
  codec::Encoder enc;
  codec::Decoder dec;
  for (std::int64_t k = 0; k < 8; ++k) {
    const auto p = g.blocks(k).front();
    std::vector<std::byte> out;
    const codec::BlockInfo info = g.encode(k, p, enc, out);
    EXPECT_EQ(info.count, p.count);
    EXPECT_EQ(info.first_ns, p.first_ns);
    std::vector<std::byte> raw(p.count * codec::sample_size(info.type)), want = raw;
    std::vector<std::int64_t> t(p.count), want_t(p.count);
    dec.decode(out, Span<std::byte>(raw), Span<std::int64_t>(t));
    g.fill(k, p, want, want_t);
    EXPECT_EQ(raw, want) << "stream " << k;
    EXPECT_EQ(t, want_t) << "stream " << k;
  }
}

TEST(StoreGenerator, CorruptionIsDeterministicAndCaughtByTheChecksum) {
  const Generator g(config(8, 600));
  const auto picked = g.corrupt_block_numbers(5, 40);
  EXPECT_EQ(picked, g.corrupt_block_numbers(5, 40));
  EXPECT_EQ(std::set<std::int64_t>(picked.begin(), picked.end()).size(), 5u);
  EXPECT_THROW(g.corrupt_block_numbers(41, 40), ConfigError);
  codec::Encoder enc;
  std::vector<std::byte> out;
  g.encode(0, g.blocks(0)[0], enc, out);
  g.corrupt(3, out);
  EXPECT_THROW(codec::verify(out), codec::ChecksumError);
}

TEST(StoreGenerator, BadKnobsAreConfigErrors) {
  GeneratorConfig c = config(0, 10);
  EXPECT_THROW(validate(c), ConfigError);
  c = config(1, 0);
  EXPECT_THROW(validate(c), ConfigError);
  c = config(1, 10);
  c.gap_probability = 2;
  EXPECT_THROW(validate(c), ConfigError);
}

}  // namespace
}  // namespace tsweep::store::synth
