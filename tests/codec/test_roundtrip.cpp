// Round-trip properties: whatever the type, shape, count, time base and zstd
// setting, decode(encode(x)) == x bit for bit, with every kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "codec_test_util.hpp"
#include "kernels/kernels.hpp"
#include "tsweep/codec/codec.hpp"

namespace tsweep::codec {
namespace {

using testing::Shape;

constexpr std::size_t kCounts[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 1000, 65536 + 7};
constexpr ZstdStage kStages[] = {ZstdStage::off, ZstdStage::automatic, ZstdStage::always};

/// Restores the fastest kernels when a test that switched them ends.
struct KernelGuard {
  ~KernelGuard() { detail::use_kernels(detail::kernel_at(detail::kernel_count() - 1)); }
};

template <class T>
class RoundTrip : public ::testing::Test {};
using SampleTypes = ::testing::Types<std::int16_t, std::int32_t, std::int64_t, float, double>;
TYPED_TEST_SUITE(RoundTrip, SampleTypes);

TYPED_TEST(RoundTrip, EveryShapeCountTimeBaseAndZstdStageWithEveryKernel) {
  using T = TypeParam;
  KernelGuard guard;
  std::vector<std::byte> block;
  Decoder dec;
  std::uint64_t seed = 1;
  for (Shape shape : testing::kAllShapes) {
    for (std::size_t n : kCounts) {
      const std::vector<T> values = testing::make_values<T>(shape, n, seed++);
      const std::vector<std::int64_t> times = testing::irregular_times(n, seed++, shape == Shape::spikes);
      for (ZstdStage stage : kStages) {
        for (int c = 0; c < 3; ++c) {
          for (bool regular : {true, false}) {
            const auto coding = static_cast<EntropyCoding>(c);
            SCOPED_TRACE(std::string(testing::shape_name(shape)) + " n=" + std::to_string(n) +
                         " stage=" + std::to_string(static_cast<int>(stage)) +
                         " entropy=" + entropy_coding_name(coding) + (regular ? " regular" : " irregular"));
            EncodeOptions opt;
            opt.zstd = stage;
            opt.entropy = coding;
            Encoder enc(opt);
            block.clear();
            const RegularTimes rt{-5'000'000'000, 360 * kNanohertzPerHertz};
            const std::size_t size = regular ? enc.encode<T>(values, rt, block)
                                             : enc.encode<T>(values, Span<const std::int64_t>(times), block);
            ASSERT_EQ(size, block.size());
            const BlockInfo info = peek(block);
            EXPECT_EQ(info.encoded_size, block.size());
            EXPECT_EQ(info.count, n);
            EXPECT_EQ(info.type, sample_type_of<T>());
            EXPECT_EQ(info.regular(), regular);
            for (std::size_t k = 0; k < detail::kernel_count(); ++k) {
              detail::use_kernels(detail::kernel_at(k));
              SCOPED_TRACE(detail::kernel_at(k).name);
              std::vector<T> out(n);
              std::vector<std::int64_t> out_times(n);
              dec.decode<T>(block, Span<T>(out), Span<std::int64_t>(out_times));
              ASSERT_EQ(testing::first_difference(values, out), -1)
                  << "value encoding " << value_encoding_name(info.value_encoding);
              if (regular) {
                for (std::size_t i = 0; i < n; i += 97) {
                  ASSERT_EQ(out_times[i], sample_time(rt.first_ns, rt.rate_nhz, static_cast<std::int64_t>(i)));
                }
              } else {
                ASSERT_EQ(out_times, times);
              }
            }
          }
        }
      }
    }
  }
}

TYPED_TEST(RoundTrip, TypeErasedPathsMatchTypedOnes) {
  using T = TypeParam;
  const std::vector<T> values = testing::make_values<T>(Shape::sine_noise, 5000, 7);
  std::vector<std::byte> a;
  std::vector<std::byte> b;
  Encoder enc;
  enc.encode<T>(values, RegularTimes{0, 500 * kNanohertzPerHertz}, a);
  enc.encode(sample_type_of<T>(), as_bytes(Span<const T>(values)), RegularTimes{0, 500 * kNanohertzPerHertz}, b);
  EXPECT_EQ(a, b);
  std::vector<T> out(values.size());
  Decoder dec;
  dec.decode(b, Span<std::byte>(reinterpret_cast<std::byte*>(out.data()), out.size() * sizeof(T)));
  EXPECT_TRUE(testing::same_bits(values, out));
}

TYPED_TEST(RoundTrip, DecodingAsAnotherTypeIsACodecError) {
  using T = TypeParam;
  const std::vector<T> values = testing::make_values<T>(Shape::random_walk, 100, 3);
  std::vector<std::byte> block;
  encode<T>(values, RegularTimes{0, kNanohertzPerHertz}, block);
  if constexpr (std::is_same_v<T, double>) {
    std::vector<float> out(100);
    EXPECT_THROW(decode<float>(block, Span<float>(out)), CodecError);
  } else {
    std::vector<double> out(100);
    EXPECT_THROW(decode<double>(block, Span<double>(out)), CodecError);
  }
}

TEST(RoundTripBlocks, BackToBackBlocksAreSteppedThroughWithPeek) {
  std::vector<std::byte> all;
  Encoder enc;
  std::vector<std::vector<std::int32_t>> parts;
  for (int k = 0; k < 5; ++k) {
    parts.push_back(
        testing::make_values<std::int32_t>(Shape::random_walk, 100 + 50 * static_cast<std::size_t>(k), 11 + k));
    enc.encode<std::int32_t>(parts.back(), RegularTimes{k * 1'000'000'000LL, kNanohertzPerHertz}, all);
  }
  std::size_t at = 0;
  Decoder dec;
  for (int k = 0; k < 5; ++k) {
    const Span<const std::byte> rest(all.data() + at, all.size() - at);
    const BlockInfo info = peek(rest.first(kMaxHeaderSize));  // the header alone tells the length
    std::vector<std::int32_t> out(info.count);
    dec.decode<std::int32_t>(rest.first(info.encoded_size), Span<std::int32_t>(out));
    EXPECT_EQ(out, parts[static_cast<std::size_t>(k)]);
    EXPECT_EQ(info.first_ns, k * 1'000'000'000LL);
    at += info.encoded_size;
  }
  EXPECT_EQ(at, all.size());
}

TEST(RoundTripBlocks, OutputBufferTooSmallIsACallerBug) {
  const std::vector<std::int16_t> values(100, 5);
  std::vector<std::byte> block;
  encode<std::int16_t>(values, RegularTimes{0, kNanohertzPerHertz}, block);
  std::vector<std::int16_t> out(99);
  EXPECT_THROW(decode<std::int16_t>(block, Span<std::int16_t>(out)), InternalError);
}

TEST(RoundTripBlocks, HeaderReportsTimesAndEncodings) {
  const std::vector<double> values = testing::make_values<double>(Shape::random_walk, 1000, 5);
  std::vector<std::int64_t> times = testing::irregular_times(1000, 9, true);
  std::vector<std::byte> block;
  encode<double>(values, Span<const std::int64_t>(times), block);
  const BlockInfo info = peek(block);
  EXPECT_EQ(info.time_encoding, TimeEncoding::delta_of_delta);
  EXPECT_EQ(info.value_encoding, ValueEncoding::decimal);
  EXPECT_EQ(info.rate_nhz, 0);
  EXPECT_EQ(info.first_ns, times.front());
  EXPECT_EQ(info.last_ns, times.back());
  EXPECT_EQ(info.min_ns, *std::min_element(times.begin(), times.end()));
  EXPECT_EQ(info.max_ns, *std::max_element(times.begin(), times.end()));
  EXPECT_GT(info.time_bytes, 0u);
  EXPECT_EQ(info.version, kFormatVersion);
  EXPECT_EQ(info.header_size(), 80u);
  EXPECT_EQ(info.phase, 0);
  EXPECT_EQ(info.encoded_size, info.header_size() + info.time_bytes + info.value_bytes);
  EXPECT_EQ(verify(block).checksum, info.checksum);
  std::vector<std::int64_t> only_times(1000);
  Decoder().decode_times(block, Span<std::int64_t>(only_times));
  EXPECT_EQ(only_times, times);
}

TEST(RoundTripBlocks, EncoderRejectsWhatABlockCannotHold) {
  std::vector<std::byte> block;
  const std::vector<std::int16_t> v(10, 1);
  Encoder enc;
  EXPECT_THROW(enc.encode<std::int16_t>(v, RegularTimes{0, 0}, block), CodecError);
  EXPECT_THROW(enc.encode<std::int16_t>(v, RegularTimes{0, kMaxRateNhz + 1}, block), CodecError);
  EXPECT_THROW(enc.encode<std::int16_t>(
                   v, RegularTimes{std::numeric_limits<std::int64_t>::max() - 5, kNanohertzPerHertz}, block),
               CodecError);
  const std::vector<std::int64_t> t(9, 0);
  EXPECT_THROW(enc.encode<std::int16_t>(v, Span<const std::int64_t>(t), block), CodecError);
  const std::vector<std::int16_t> big(kMaxBlockSamples + 1, 0);
  EXPECT_THROW(enc.encode<std::int16_t>(big, RegularTimes{0, kNanohertzPerHertz}, block), CodecError);
  EXPECT_TRUE(block.empty());
  EncodeOptions bad;
  bad.zstd_level = 0;
  EXPECT_THROW(Encoder{bad}, CodecError);
}

TEST(RoundTripBlocks, LargestBlockRoundTrips) {
  std::vector<std::int16_t> v = testing::make_values<std::int16_t>(Shape::random_walk, kMaxBlockSamples, 17);
  std::vector<std::byte> block;
  encode<std::int16_t>(v, RegularTimes{0, 500 * kNanohertzPerHertz}, block);
  std::vector<std::int16_t> out(v.size());
  decode<std::int16_t>(block, Span<std::int16_t>(out));
  EXPECT_TRUE(out == v);
}

/// Delta order of a regular integer block's value stream (its first byte).
unsigned value_order(const std::vector<std::byte>& block) {
  const BlockInfo info = peek(block);
  return static_cast<unsigned>(block[info.header_size() + info.time_bytes]);
}

// Smooth signals take the third or fourth difference (FLAC's fixed
// predictors), and every kernel undoes them, with packed and Rice residuals.
TEST(RoundTripBlocks, SmoothSignalsGetDeltaOrders3And4) {
  KernelGuard guard;
  const std::size_t n = 5000;
  std::vector<std::int64_t> cubic(n), quartic(n);
  std::vector<std::int32_t> noisy(n);
  std::mt19937_64 rng(5);
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<std::int64_t>(i);
    cubic[i] = t * t * t - 7 * t * t + 11;
    quartic[i] = t * t * t * t / 3 - 5 * t;
    const double u = static_cast<double>(i) / 40.0;  // second differences ~125, third ~3, noise 0-2
    noisy[i] =
        static_cast<std::int32_t>(std::lround(2e5 * std::sin(u) * std::cos(0.3 * u)) + static_cast<int>(rng() % 3));
  }
  Decoder dec;
  for (EntropyCoding coding : {EntropyCoding::off, EntropyCoding::always}) {
    EncodeOptions opt;
    opt.entropy = coding;
    std::vector<std::byte> b;
    encode<std::int64_t>(cubic, RegularTimes{0, kNanohertzPerHertz}, b, opt);
    EXPECT_GE(value_order(b), 3u);
    EXPECT_LT(b.size(), 300u);  // the third difference is constant, the fourth 0
    std::vector<std::byte> b4;
    encode<std::int64_t>(quartic, RegularTimes{0, kNanohertzPerHertz}, b4, opt);
    EXPECT_EQ(value_order(b4), 4u);
    std::vector<std::byte> bn;
    encode<std::int32_t>(noisy, RegularTimes{0, kNanohertzPerHertz}, bn, opt);
    EXPECT_GE(value_order(bn), 3u);
    for (std::size_t k = 0; k < detail::kernel_count(); ++k) {
      detail::use_kernels(detail::kernel_at(k));
      SCOPED_TRACE(std::string(detail::kernel_at(k).name) + " " + entropy_coding_name(coding));
      std::vector<std::int64_t> out(n);
      dec.decode<std::int64_t>(b, Span<std::int64_t>(out));
      EXPECT_EQ(out, cubic);
      dec.decode<std::int64_t>(b4, Span<std::int64_t>(out));
      EXPECT_EQ(out, quartic);
      std::vector<std::int32_t> out32(n);
      dec.decode<std::int32_t>(bn, Span<std::int32_t>(out32));
      EXPECT_EQ(out32, noisy);
    }
  }
}

// The encodings each kind of data should get; a regression here costs bytes.
TEST(Compression, EachKindOfDataGetsItsEncodingAndSize) {
  Encoder enc;
  std::vector<std::byte> block;
  auto size_of = [&](auto values) {
    block.clear();
    using T = typename decltype(values)::value_type;
    enc.encode<T>(values, RegularTimes{0, kNanohertzPerHertz}, block);
    return peek(block);
  };
  const std::size_t n = 50000;
  BlockInfo b = size_of(std::vector<std::int64_t>(n, 123456789));
  EXPECT_EQ(b.value_encoding, ValueEncoding::integer);
  EXPECT_LT(b.encoded_size, 200u);  // constant: width 0 everywhere
  b = size_of(testing::make_values<std::int64_t>(Shape::ramp, n, 1));
  EXPECT_LT(b.encoded_size, 200u);  // constant step: order 1 and a reference
  b = size_of(testing::make_values<std::int16_t>(Shape::random_walk, n, 1));
  EXPECT_LT(b.encoded_size * 8.0 / n, 7.0);  // steps of +-20 need ~6 bits
  b = size_of(testing::make_values<std::int32_t>(Shape::spikes, n, 1));
  EXPECT_LT(b.encoded_size * 8.0 / n, 4.5);  // spikes are exceptions, not wide groups
  b = size_of(testing::make_values<double>(Shape::random_walk, n, 1));
  EXPECT_EQ(b.value_encoding, ValueEncoding::decimal);
  EXPECT_LT(b.encoded_size * 8.0 / n, 7.0);
  b = size_of(testing::make_values<float>(Shape::sine_noise, n, 1));
  EXPECT_EQ(b.value_encoding, ValueEncoding::decimal);
  b = size_of(testing::make_values<double>(Shape::random_full, n, 1));
  EXPECT_NE(b.value_encoding, ValueEncoding::decimal);
  EXPECT_LE(b.encoded_size, n * 8 + 100);  // incompressible: never much worse than raw
  b = size_of(testing::make_values<std::int64_t>(Shape::random_full, n, 1));
  EXPECT_LE(b.encoded_size, n * 8 + 100);
}

}  // namespace
}  // namespace tsweep::codec
