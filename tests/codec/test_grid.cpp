// Regular blocks cut from one run stay on the run's grid: sample i of the run
// is at start + floor(i * 10^18 / rate) whatever the block boundaries (the
// phase of format version 2), and version-1 blocks keep the times they had.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "codec_test_util.hpp"
#include "tsweep/codec/codec.hpp"

namespace tsweep::codec {
namespace {

namespace fs = std::filesystem;
using testing::Shape;

constexpr std::int64_t kHz = kNanohertzPerHertz;
__extension__ typedef __int128 Int128;

/// start + floor(i * 10^18 / rate), straight from the definition.
std::int64_t exact(std::int64_t start, std::int64_t rate, std::int64_t i) {
  return static_cast<std::int64_t>(Int128{start} + Int128{i} * 1'000'000'000'000'000'000 / rate);
}

/// Encodes `values` as a run from `start` at `rate`, cut every `block` samples
/// the way a store writer cuts it, and decodes every block's times.
std::vector<std::int64_t> times_through_blocks(const std::vector<std::int16_t>& values, std::int64_t start,
                                               std::int64_t rate, std::size_t block, std::size_t* blocks = nullptr) {
  Encoder enc;
  Decoder dec;
  const RegularTimes run{start, rate, 0};
  std::vector<std::int64_t> times(values.size());
  std::vector<std::int16_t> out(values.size());
  std::size_t n_blocks = 0;
  for (std::size_t at = 0; at < values.size(); at += block, ++n_blocks) {
    const std::size_t n = std::min(block, values.size() - at);
    std::vector<std::byte> bytes;
    enc.encode<std::int16_t>(Span<const std::int16_t>(values.data() + at, n),
                             advance(run, static_cast<std::int64_t>(at)), bytes);
    const BlockInfo info = dec.decode<std::int16_t>(bytes, Span<std::int16_t>(out.data() + at, n),
                                                    Span<std::int64_t>(times.data() + at, n));
    EXPECT_EQ(info.version, kFormatVersion);
    EXPECT_EQ(info.first_ns, times[at]);
    EXPECT_EQ(info.last_ns, times[at + n - 1]);
  }
  EXPECT_EQ(out, values);
  if (blocks) *blocks = n_blocks;
  return times;
}

TEST(RegularGrid, MultiBlockSplitOf360HzRunPutsEveryTimeOnTheExactGrid) {
  // MIT-BIH's shape: 650000 samples at 360 Hz, the default block of 32768
  // samples, from a start that is not a whole second.
  const auto values = testing::make_values<std::int16_t>(Shape::random_walk, 650'000, 100);
  const std::int64_t start = 1'700'000'000'123'456'789;
  for (std::size_t block : {std::size_t{32'768}, std::size_t{1'000}, std::size_t{7}}) {
    std::size_t blocks = 0;
    const auto times = times_through_blocks(values, start, 360 * kHz, block, &blocks);
    ASSERT_GT(blocks, 1u);
    std::int64_t off = 0;
    for (std::size_t i = 0; i < times.size(); ++i)
      off += times[i] != exact(start, 360 * kHz, static_cast<std::int64_t>(i));
    EXPECT_EQ(off, 0) << "blocks of " << block << ": samples off the exact grid";
    // Whole seconds of the run hold exactly 360 samples each.
    for (std::int64_t s = 1; s < 1800; s += 97) {
      const auto lo = std::lower_bound(times.begin(), times.end(), start + (s - 1) * 1'000'000'000);
      const auto hi = std::lower_bound(times.begin(), times.end(), start + s * 1'000'000'000);
      ASSERT_EQ(hi - lo, 360) << "second " << s << " in blocks of " << block;
    }
  }
}

TEST(RegularGrid, AnyCutAtAnyRateContinuesTheGrid) {
  std::mt19937_64 rng(3);
  // 3 Hz and 7 Hz (periods of 333333333.3 and 142857142.857 ns), 1 GHz, 3 nHz
  // and 1 nHz (periods of 10^17.5 and 10^18 ns), 12.8 Hz, a prime rate, 360 Hz.
  std::vector<std::int64_t> rates = {3 * kHz, 7 * kHz, kMaxRateNhz, 3, 1, 12'800'000'000, 999'999'999'937, 360 * kHz};
  for (int k = 0; k < 8; ++k) rates.push_back(static_cast<std::int64_t>(rng() % kMaxRateNhz) + 1);
  const auto values = testing::make_values<std::int16_t>(Shape::random_walk, 2'000, 7);
  for (std::int64_t rate : rates) {
    for (std::int64_t start : {std::int64_t{0}, std::int64_t{-123'456'789'012}, std::int64_t{999'999'999}}) {
      // At 1 and 3 nHz a few samples already span years of the int64 range.
      const std::size_t n = rate < 10 ? 9 : values.size();
      const std::vector<std::int16_t> v(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
      for (std::size_t block : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{333}}) {
        const auto times = times_through_blocks(v, start, rate, block);
        for (std::size_t i = 0; i < n; ++i) {
          ASSERT_EQ(times[i], exact(start, rate, static_cast<std::int64_t>(i)))
              << "rate " << rate << " nHz, start " << start << ", blocks of " << block << ", sample " << i;
        }
      }
    }
  }
}

TEST(RegularGrid, BlocksDeepIntoLongRunsNeitherOverflowNorDrift) {
  Encoder enc;
  Decoder dec;
  const auto values = testing::make_values<std::int16_t>(Shape::random_walk, 4'096, 11);
  struct Case {
    std::int64_t rate, start, at;
  };
  // 10^9 samples into a 1 kHz run, 10^12 into a 360 Hz one (87 years), 10^15 into a 1 GHz one.
  for (const Case c : {Case{1'000 * kHz, 1'600'000'000'000'000'000, 1'000'000'000},
                       Case{360 * kHz, -1'500'000'000'000'000'000, 1'000'000'000'000}, Case{7 * kHz, 0, 3'000'000'000},
                       Case{kMaxRateNhz, 5, 1'000'000'000'000'000}}) {
    std::vector<std::byte> bytes;
    enc.encode<std::int16_t>(values, advance(RegularTimes{c.start, c.rate, 0}, c.at), bytes);
    std::vector<std::int16_t> out(values.size());
    std::vector<std::int64_t> times(values.size());
    dec.decode<std::int16_t>(bytes, Span<std::int16_t>(out), Span<std::int64_t>(times));
    for (std::size_t j = 0; j < times.size(); ++j) {
      ASSERT_EQ(times[j], exact(c.start, c.rate, c.at + static_cast<std::int64_t>(j)))
          << "rate " << c.rate << " j " << j;
    }
  }
}

TEST(RegularGrid, PhaseOutsideTheRateIsRejected) {
  const auto values = testing::make_values<std::int16_t>(Shape::random_walk, 10, 1);
  std::vector<std::byte> bytes;
  EXPECT_THROW(encode<std::int16_t>(values, RegularTimes{0, 360 * kHz, 360 * kHz}, bytes), CodecError);
  EXPECT_THROW(encode<std::int16_t>(values, RegularTimes{0, 360 * kHz, -1}, bytes), CodecError);
  EXPECT_TRUE(bytes.empty());
  encode<std::int16_t>(values, RegularTimes{0, 360 * kHz, 360 * kHz - 1}, bytes);
  EXPECT_EQ(peek(bytes).phase, 360 * kHz - 1);
  EXPECT_EQ(peek(bytes).last_ns, sample_time(RegularTimes{0, 360 * kHz, 360 * kHz - 1}, 9));
}

std::vector<char> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(RegularGrid, Version1BlocksDecodeToTheTimesTheyAlwaysHad) {
  // Written by the version-1 encoder (tests/codec/data/v1/README.md).
  const fs::path dir = fs::path(TSWEEP_SOURCE_DIR) / "tests" / "codec" / "data" / "v1";
  int seen = 0;
  Decoder dec;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".block") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const std::vector<char> raw = slurp(entry.path());
    const std::vector<char> expect = slurp(fs::path(entry.path()).replace_extension(".expect"));
    const Span<const std::byte> block(reinterpret_cast<const std::byte*>(raw.data()), raw.size());
    const BlockInfo info = verify(block);
    EXPECT_EQ(info.version, 1);
    EXPECT_EQ(info.header_size(), 72u);
    EXPECT_EQ(info.phase, 0);
    EXPECT_EQ(info.encoded_size, raw.size());
    const std::size_t value_bytes = std::size_t{info.count} * sample_size(info.type);
    ASSERT_EQ(expect.size(), value_bytes + 8 * std::size_t{info.count});
    std::vector<std::byte> values(value_bytes);
    std::vector<std::int64_t> times(info.count);
    dec.decode(block, Span<std::byte>(values), Span<std::int64_t>(times));
    EXPECT_EQ(std::memcmp(values.data(), expect.data(), value_bytes), 0);
    std::vector<std::int64_t> want(info.count);
    std::memcpy(want.data(), expect.data() + value_bytes, 8 * want.size());
    EXPECT_EQ(times, want);
    if (info.regular()) {
      // Version 1's own grid from its first time: sample j at first + floor(j * 10^18 / rate).
      for (std::uint32_t j = 0; j < info.count; ++j) {
        ASSERT_EQ(times[j], exact(info.first_ns, info.rate_nhz, static_cast<std::int64_t>(j)));
      }
    }
    ++seen;
  }
  EXPECT_EQ(seen, 3);
}

TEST(RegularGrid, Version1AndVersion2OfOneBlockDecodeAlike) {
  for (bool regular : {true, false}) {
    const auto values = testing::make_values<double>(Shape::sine_noise, 300, 4);
    const auto t = testing::irregular_times(values.size(), 5, true);
    std::vector<std::byte> v3;
    EncodeOptions packed;
    packed.entropy = EntropyCoding::off;  // versions 1 and 2 have no Rice codes
    if (regular) {
      encode<double>(values, RegularTimes{-77, 12'800'000'000, 0}, v3, packed);
    } else {
      encode<double>(values, Span<const std::int64_t>(t), v3, packed);
    }
    const std::vector<std::byte> v1 = testing::to_version1(v3);
    const std::vector<std::byte> v2 = testing::to_version(v3, 2);
    EXPECT_EQ(v1.size() + 8, v2.size());
    EXPECT_EQ(v2.size(), v3.size());
    std::vector<double> c(values.size());
    std::vector<std::int64_t> tc(values.size());
    EXPECT_EQ(decode<double>(v3, Span<double>(c), Span<std::int64_t>(tc)).version, kFormatVersion);
    std::vector<double> a(values.size()), b(values.size());
    std::vector<std::int64_t> ta(values.size()), tb(values.size());
    const BlockInfo i1 = decode<double>(v1, Span<double>(a), Span<std::int64_t>(ta));
    const BlockInfo i2 = decode<double>(v2, Span<double>(b), Span<std::int64_t>(tb));
    EXPECT_EQ(i1.version, 1);
    EXPECT_EQ(i2.version, 2);
    EXPECT_EQ(a, b);
    EXPECT_EQ(ta, tb);
    EXPECT_EQ(b, c);
    EXPECT_EQ(tb, tc);
    EXPECT_EQ(i1.last_ns, i2.last_ns);
  }
}

}  // namespace
}  // namespace tsweep::codec
