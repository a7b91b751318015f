// FORMAT.md is complete enough to write a reader from: an independent Python
// reader built from it alone (reference_decoder.py) decodes our blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "codec_test_util.hpp"
#include "tsweep/codec/codec.hpp"

namespace tsweep::codec {
namespace {

namespace fs = std::filesystem;
using testing::Shape;

template <class T>
void write_case(const fs::path& dir, const std::string& name, const std::vector<T>& v, bool regular, ValueEncoding want,
                RegularTimes grid = {123'456'789, 360 * kNanohertzPerHertz, 0},
                EntropyCoding coding = EntropyCoding::automatic) {
  EncodeOptions opt;
  opt.zstd = ZstdStage::off;  // the standard library has no zstd
  opt.entropy = coding;
  std::vector<std::byte> block;
  const auto times = regular ? std::vector<std::int64_t>{} : testing::irregular_times(v.size(), 5, true);
  if (regular) {
    encode<T>(v, grid, block, opt);
  } else {
    encode<T>(v, Span<const std::int64_t>(times), block, opt);
  }
  const BlockInfo info = peek(block);
  ASSERT_EQ(info.value_encoding, want) << name;
  if (coding == EntropyCoding::always && want == ValueEncoding::integer && !v.empty()) {
    // The integer stream's coding byte, after its delta order.
    ASSERT_EQ(block[info.header_size() + info.time_bytes + 1], std::byte{1}) << name << ": not Rice-coded";
  }
  std::vector<std::int64_t> t(v.size());
  std::vector<T> out(v.size());
  decode<T>(block, Span<T>(out), Span<std::int64_t>(t));
  std::ofstream(dir / (name + ".block"), std::ios::binary)
      .write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
  std::ofstream e(dir / (name + ".expect"), std::ios::binary);
  e.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  e.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.size() * 8));
}

TEST(Conformance, IndependentPythonReaderDecodesEveryStoredEncoding) {
  if (std::system("python3 -c pass > /dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not found";
  const fs::path dir = fs::temp_directory_path() / ("tsweep_conformance_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_case(dir, "int16_walk", testing::make_values<std::int16_t>(Shape::random_walk, 1000, 1), true,
             ValueEncoding::integer);
  write_case(dir, "int16_extremes", testing::make_values<std::int16_t>(Shape::alternating_extremes, 77, 1), false,
             ValueEncoding::integer);
  write_case(dir, "int32_spikes", testing::make_values<std::int32_t>(Shape::spikes, 999, 2), false,
             ValueEncoding::integer);
  write_case(dir, "int64_ramp", testing::make_values<std::int64_t>(Shape::ramp, 300, 3), true, ValueEncoding::integer);
  write_case(dir, "int64_sine", testing::make_values<std::int64_t>(Shape::sine_noise, 500, 3), true,
             ValueEncoding::integer);
  write_case(dir, "int32_random", testing::make_values<std::int32_t>(Shape::random_full, 100, 4), true,
             ValueEncoding::plain);
  write_case(dir, "double_special", testing::make_values<double>(Shape::special_floats, 400, 5), true,
             ValueEncoding::decimal);
  write_case(dir, "double_walk", testing::make_values<double>(Shape::random_walk, 700, 6), false,
             ValueEncoding::decimal);
  write_case(dir, "float_sine", testing::make_values<float>(Shape::sine_noise, 600, 7), true, ValueEncoding::decimal);
  write_case(dir, "empty", std::vector<std::int16_t>{}, false, ValueEncoding::plain);
  // Regular blocks cut from inside runs: nonzero phases.
  write_case(dir, "int16_360hz_phase", testing::make_values<std::int16_t>(Shape::random_walk, 800, 8), true,
             ValueEncoding::integer, advance(RegularTimes{123'456'789, 360 * kNanohertzPerHertz, 0}, 32'768));
  write_case(dir, "int32_7hz_phase", testing::make_values<std::int32_t>(Shape::random_full, 50, 9), true,
             ValueEncoding::plain, advance(RegularTimes{-1, 7 * kNanohertzPerHertz, 0}, 1'000'000'001));
  // Rice-coded integer streams, in values, times and decimal integers.
  const RegularTimes grid{123'456'789, 360 * kNanohertzPerHertz, 0};
  write_case(dir, "int16_walk_rice", testing::make_values<std::int16_t>(Shape::random_walk, 1000, 1), true,
             ValueEncoding::integer, grid, EntropyCoding::always);
  write_case(dir, "int16_extremes_rice", testing::make_values<std::int16_t>(Shape::alternating_extremes, 77, 1), true,
             ValueEncoding::integer, grid, EntropyCoding::always);
  write_case(dir, "int32_spikes_rice", testing::make_values<std::int32_t>(Shape::spikes, 999, 2), false,
             ValueEncoding::integer, grid, EntropyCoding::always);
  write_case(dir, "int64_sine_rice", testing::make_values<std::int64_t>(Shape::sine_noise, 500, 3), true,
             ValueEncoding::integer, grid, EntropyCoding::always);
  write_case(dir, "double_walk_rice", testing::make_values<double>(Shape::random_walk, 700, 6), false,
             ValueEncoding::decimal, grid, EntropyCoding::always);
  // Delta orders 3 and 4 (smooth signals), packed and Rice-coded.
  std::vector<std::int64_t> cubic(400), quartic(300);
  std::vector<std::int32_t> smooth(700);
  for (std::size_t i = 0; i < cubic.size(); ++i) {
    const auto t = static_cast<std::int64_t>(i);
    cubic[i] = t * t * t - 7 * t * t + 11 + (t % 3);
  }
  for (std::size_t i = 0; i < quartic.size(); ++i) {
    const auto t = static_cast<std::int64_t>(i);
    quartic[i] = t * t * t * t / 3 - 5 * t;
  }
  for (std::size_t i = 0; i < smooth.size(); ++i) {
    smooth[i] = static_cast<std::int32_t>(std::lround(3e4 * std::sin(static_cast<double>(i) / 60.0)));
  }
  write_case(dir, "int64_cubic", cubic, true, ValueEncoding::integer);
  write_case(dir, "int64_quartic_rice", quartic, false, ValueEncoding::integer, grid, EntropyCoding::always);
  write_case(dir, "int32_smooth", smooth, true, ValueEncoding::integer);
  write_case(dir, "int32_smooth_rice", smooth, true, ValueEncoding::integer, grid, EntropyCoding::always);
  const std::string cmd =
      "python3 " + std::string(TSWEEP_SOURCE_DIR) + "/tests/codec/reference_decoder.py " + dir.string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  // And the blocks a version-1 writer made, with the times version 1 gives them.
  const std::string v1 = "python3 " + std::string(TSWEEP_SOURCE_DIR) + "/tests/codec/reference_decoder.py " +
                         std::string(TSWEEP_SOURCE_DIR) + "/tests/codec/data/v1";
  EXPECT_EQ(std::system(v1.c_str()), 0) << v1;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tsweep::codec
