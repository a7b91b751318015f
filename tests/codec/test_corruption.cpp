// Damaged blocks: every truncation and every single-bit flip is rejected with
// a CodecError; with the checksum bypassed, damaged and random bytes still
// never crash or read out of bounds (run under ASan/UBSan in CI).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "codec_test_util.hpp"
#include "kernels/kernels.hpp"
#include "tsweep/codec/codec.hpp"

namespace tsweep::codec {
namespace {

using testing::Shape;

struct Sample {
  std::string name;
  std::vector<std::byte> block;
};

/// Small blocks covering every encoding and chunk method.
std::vector<Sample> sample_blocks() {
  std::vector<Sample> out;
  auto add = [&](const std::string& name, auto values, bool regular, ZstdStage stage,
                 EntropyCoding coding = EntropyCoding::off) {
    using T = typename decltype(values)::value_type;
    EncodeOptions opt;
    opt.zstd = stage;
    opt.entropy = coding;
    Encoder enc(opt);
    Sample s{name, {}};
    const auto times = testing::irregular_times(values.size(), 99, true);
    if (regular) {
      enc.encode<T>(values, RegularTimes{1'000, 250 * kNanohertzPerHertz}, s.block);
    } else {
      enc.encode<T>(values, Span<const std::int64_t>(times), s.block);
    }
    out.push_back(std::move(s));
  };
  add("int16 walk", testing::make_values<std::int16_t>(Shape::random_walk, 120, 1), true, ZstdStage::off);
  add("int32 spikes irregular", testing::make_values<std::int32_t>(Shape::spikes, 150, 2), false, ZstdStage::off);
  add("int64 ramp zstd", testing::make_values<std::int64_t>(Shape::ramp, 100, 3), true, ZstdStage::always);
  add("int16 sine zstd irregular", testing::make_values<std::int16_t>(Shape::sine_noise, 300, 4), false,
      ZstdStage::always);
  add("double decimals with exceptions", testing::make_values<double>(Shape::special_floats, 90, 5), true,
      ZstdStage::off);
  add("float decimals", testing::make_values<float>(Shape::sine_noise, 100, 6), false, ZstdStage::automatic);
  std::vector<double> smooth(200);
  for (std::size_t i = 0; i < smooth.size(); ++i) smooth[i] = std::sin(static_cast<double>(i) * 1e-3);
  add("double shuffle", smooth, true, ZstdStage::always);
  add("int32 random plain", testing::make_values<std::int32_t>(Shape::random_full, 50, 8), true, ZstdStage::off);
  add("empty", std::vector<std::int16_t>{}, true, ZstdStage::off);
  add("empty irregular", std::vector<double>{}, false, ZstdStage::off);
  {
    // A regular block in the middle of a 360 Hz run: nonzero phase.
    Sample s{"int16 360 Hz with a phase", {}};
    Encoder().encode<std::int16_t>(testing::make_values<std::int16_t>(Shape::random_walk, 100, 9),
                                   advance(RegularTimes{5, 360 * kNanohertzPerHertz, 0}, 32'768), s.block);
    out.push_back(std::move(s));
  }
  // Rice-coded integer streams: values, irregular times, decimal integers.
  add("int16 walk Rice", testing::make_values<std::int16_t>(Shape::random_walk, 120, 1), true, ZstdStage::off,
      EntropyCoding::always);
  add("int32 spikes irregular Rice", testing::make_values<std::int32_t>(Shape::spikes, 150, 2), false, ZstdStage::off,
      EntropyCoding::always);
  add("int64 ramp Rice zstd", testing::make_values<std::int64_t>(Shape::ramp, 100, 3), true, ZstdStage::always,
      EntropyCoding::always);
  add("float decimals Rice", testing::make_values<float>(Shape::sine_noise, 100, 6), true, ZstdStage::off,
      EntropyCoding::always);
  {
    // Delta order 4: a quartic.
    std::vector<std::int64_t> q(300);
    for (std::size_t i = 0; i < q.size(); ++i) {
      const auto t = static_cast<std::int64_t>(i);
      q[i] = t * t * t * t / 7 + (t % 5);
    }
    add("int64 quartic order 4", q, true, ZstdStage::off);
    add("int64 quartic order 4 Rice", q, false, ZstdStage::off, EntropyCoding::always);
  }
  // Blocks of versions 1 to 3 (as their writers made them) are read too.
  out.push_back({"version 3 regular Rice", testing::to_version(out[11].block, 3)});
  out.push_back({"version 2 regular", testing::to_version(out[0].block, 2)});
  out.push_back({"version 1 regular", testing::to_version1(out[0].block)});
  out.push_back({"version 1 irregular", testing::to_version1(out[1].block)});
  return out;
}

/// Decodes as the block's own type; returns normally or throws CodecError.
void decode_any(Decoder& dec, Span<const std::byte> bytes) {
  const BlockInfo info = peek(bytes);
  std::vector<std::byte> values(std::size_t{info.count} * sample_size(info.type) + 1);
  std::vector<std::int64_t> times(info.count + 1);
  dec.decode(bytes, Span<std::byte>(values), Span<std::int64_t>(times));
}

TEST(Corruption, SampleBlocksCoverEveryEncoding) {
  bool seen[4] = {};
  for (const Sample& s : sample_blocks()) {
    const BlockInfo info = peek(s.block);
    seen[static_cast<int>(info.value_encoding)] = true;
    std::printf("%-32s %5zu bytes  %s\n", s.name.c_str(), s.block.size(), value_encoding_name(info.value_encoding));
  }
  EXPECT_TRUE(seen[0] && seen[1] && seen[2] && seen[3]);
}

TEST(Corruption, EveryTruncationIsRejected) {
  Decoder dec;
  for (const Sample& s : sample_blocks()) {
    SCOPED_TRACE(s.name);
    decode_any(dec, s.block);  // whole block decodes
    for (std::size_t len = 0; len < s.block.size(); ++len) {
      EXPECT_THROW(decode_any(dec, Span<const std::byte>(s.block.data(), len)), CodecError) << "length " << len;
    }
  }
}

TEST(Corruption, EverySingleBitFlipIsRejected) {
  Decoder dec;
  for (const Sample& s : sample_blocks()) {
    SCOPED_TRACE(s.name);
    std::vector<std::byte> b = s.block;
    for (std::size_t bit = 0; bit < b.size() * 8; ++bit) {
      b[bit / 8] ^= std::byte(1u << (bit % 8));
      EXPECT_THROW(decode_any(dec, b), CodecError) << "bit " << bit;
      b[bit / 8] ^= std::byte(1u << (bit % 8));
    }
  }
}

TEST(Corruption, PayloadFlipsAreReportedAsChecksumMismatches) {
  Decoder dec;
  for (const Sample& s : sample_blocks()) {
    std::vector<std::byte> b = s.block;
    // The sections; the header (phase included) is checked field by field first.
    for (std::size_t at = peek(b).header_size(); at < b.size(); ++at) {
      b[at] ^= std::byte{0x10};
      EXPECT_THROW(decode_any(dec, b), ChecksumError) << s.name << " byte " << at;
      EXPECT_THROW(verify(b), ChecksumError);
      b[at] ^= std::byte{0x10};
    }
  }
}

// A flip in the quotient codes of a Rice stream adds or removes a code, so
// every kernel must reject it (not decode a shifted stream) even unchecked.
TEST(Corruption, RiceQuotientCodeFlipsAreRejectedByEveryKernel) {
  EncodeOptions rice;
  rice.entropy = EntropyCoding::always;
  rice.zstd = ZstdStage::off;
  for (std::size_t n : {std::size_t{500}, std::size_t{3000}}) {
    std::vector<std::byte> b;
    encode<std::int16_t>(testing::make_values<std::int16_t>(Shape::random_walk, n, 11),
                         RegularTimes{0, 250 * kNanohertzPerHertz}, b, rice);
    Decoder dec;
    dec.set_verify_checksum(false);
    for (std::size_t k = 0; k < detail::kernel_count(); ++k) {
      detail::use_kernels(detail::kernel_at(k));
      SCOPED_TRACE(detail::kernel_at(k).name);
      std::vector<std::int16_t> out(n);
      // The block ends with the quotient codes: flip each bit of its last 12 bytes.
      for (std::size_t bit = (b.size() - 12) * 8; bit < b.size() * 8; ++bit) {
        b[bit / 8] ^= std::byte(1u << (bit % 8));
        EXPECT_THROW(dec.decode<std::int16_t>(b, Span<std::int16_t>(out)), CodecError) << "bit " << bit;
        b[bit / 8] ^= std::byte(1u << (bit % 8));
      }
      EXPECT_NO_THROW(dec.decode<std::int16_t>(b, Span<std::int16_t>(out)));
    }
    detail::use_kernels(detail::kernel_at(detail::kernel_count() - 1));
  }
}

TEST(Corruption, WithoutTheChecksumFlipsStillNeverCrash) {
  Decoder dec;
  dec.set_verify_checksum(false);
  std::size_t rejected = 0;
  std::size_t total = 0;
  for (const Sample& s : sample_blocks()) {
    std::vector<std::byte> b = s.block;
    for (std::size_t bit = 0; bit < b.size() * 8; ++bit) {
      b[bit / 8] ^= std::byte(1u << (bit % 8));
      try {
        decode_any(dec, b);
      } catch (const CodecError&) {
        ++rejected;
      }
      ++total;
      b[bit / 8] ^= std::byte(1u << (bit % 8));
    }
  }
  // Structure checks alone catch many flips; the rest decode to wrong values
  // in bounds, which is what the checksum is for.
  EXPECT_GT(rejected, total / 10);
}

TEST(Corruption, WithoutTheChecksumRandomBytesNeverCrash) {
  Decoder dec;
  dec.set_verify_checksum(false);
  std::mt19937_64 rng(2024);
  const std::vector<Sample> samples = sample_blocks();
  for (int iter = 0; iter < 30000; ++iter) {
    std::vector<std::byte> b = samples[rng() % samples.size()].block;
    switch (iter % 3) {
      case 0:  // overwrite a few random bytes, often in the payload's structure
        for (int k = 0, n = 1 + static_cast<int>(rng() % 8); k < n; ++k) b[rng() % b.size()] = std::byte(rng());
        break;
      case 1:  // keep the header, replace the payload with noise
        for (std::size_t i = kHeaderSize; i < b.size(); ++i) b[i] = std::byte(rng());
        break;
      default:  // random length, random bytes after a valid header
        b.resize(kHeaderSize + rng() % 600);
        for (std::size_t i = kHeaderSize; i < b.size(); ++i) b[i] = std::byte(rng());
        break;
    }
    try {
      decode_any(dec, b);
    } catch (const CodecError&) {
    }
  }
}

TEST(Corruption, HeaderErrorsNameTheField) {
  std::vector<std::byte> b = sample_blocks()[0].block;
  auto message = [&](std::vector<std::byte> bytes) {
    try {
      decode_any(*std::make_unique<Decoder>(), bytes);
    } catch (const CodecError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto with = [&](std::size_t at, std::byte v) {
    auto c = b;
    c[at] ^= v;
    return c;
  };
  EXPECT_NE(message(with(0, std::byte{0x01})).find("bad magic"), std::string::npos);
  EXPECT_NE(message(with(4, std::byte{8})).find("version 12"), std::string::npos);
  EXPECT_NE(message(with(4, std::byte{4})).find("version 0"), std::string::npos);
  EXPECT_NE(message(with(79, std::byte{0x40})).find("phase"), std::string::npos);
  EXPECT_NE(message(std::vector<std::byte>(b.begin(), b.begin() + 72)).find("version-4 header alone is 80"),
            std::string::npos);
  EXPECT_NE(message(with(5, std::byte{6})).find("sample type"), std::string::npos);
  EXPECT_NE(message(with(70, std::byte{0xFF})).find("checksum mismatch"), std::string::npos);
  EXPECT_NE(message(std::vector<std::byte>(b.begin(), b.begin() + 10)).find("too short"), std::string::npos);
  EXPECT_NE(message(std::vector<std::byte>(b.begin(), b.end() - 1)).find("truncated"), std::string::npos);
  // Rice codes came with version 3: a version-2 block cannot hold them.
  EncodeOptions rice;
  rice.entropy = EntropyCoding::always;
  std::vector<std::byte> r;
  encode<std::int16_t>(testing::make_values<std::int16_t>(Shape::random_walk, 500, 3),
                       RegularTimes{0, 250 * kNanohertzPerHertz}, r, rice);
  EXPECT_NE(message(testing::to_version(r, 2)).find("residual coding 1 (expected 0 in a version-2 block)"),
            std::string::npos)
      << message(testing::to_version(r, 2));
}

}  // namespace
}  // namespace tsweep::codec
