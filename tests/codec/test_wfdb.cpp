// The WFDB reader on the real MIT-BIH records and on small files written here
// for the cases those records do not exercise (formats 16 and 80, samples per
// frame > 1, CRLF, invalid samples, skew, offsets, damaged input).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <unistd.h>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/import/wfdb.hpp"

namespace tsweep::store::import {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(TSWEEP_SHARED_DATA) / "wfdb";

#define REQUIRE_SHARED_DATA()                                                            \
  if (!fs::exists(kData / "100.hea")) {                                                  \
    GTEST_SKIP() << "real WFDB records not found at " << kData                           \
                 << " (they live in ../shared/data beside the project, not in a clone)"; \
  }

struct Stats {
  std::int64_t min = 0, max = 0, sum = 0;
};
Stats stats(const std::vector<std::int32_t>& v) {
  Stats s{v.empty() ? 0 : v[0], v.empty() ? 0 : v[0], 0};
  for (auto x : v) {
    s.min = std::min<std::int64_t>(s.min, x);
    s.max = std::max<std::int64_t>(s.max, x);
    s.sum += x;
  }
  return s;
}

TEST(WfdbReal, MitBih100MatchesIndependentlyComputedFacts) {
  REQUIRE_SHARED_DATA();
  const WfdbRecord rec = read_wfdb((kData / "100.hea").string());
  EXPECT_EQ(rec.name, "100");
  EXPECT_EQ(rec.frames, 650000);
  EXPECT_EQ(rec.frame_rate_nhz, 360 * codec::kNanohertzPerHertz);
  ASSERT_EQ(rec.signals.size(), 2u);
  const WfdbSignal& mlii = rec.signals[0];
  const WfdbSignal& v5 = rec.signals[1];
  EXPECT_EQ(mlii.description, "MLII");
  EXPECT_EQ(v5.description, "V5");
  EXPECT_EQ(mlii.format, 212);
  EXPECT_DOUBLE_EQ(mlii.gain, 200.0);
  EXPECT_EQ(mlii.baseline, 1024);
  EXPECT_EQ(mlii.units, "mV");
  EXPECT_EQ(mlii.adc_resolution, 11);
  EXPECT_EQ(mlii.initial_value, 995);
  EXPECT_EQ(mlii.samples.size(), 650000u);
  EXPECT_EQ(mlii.missing_count, 0u);
  const Stats a = stats(mlii.samples);
  EXPECT_EQ(a.min, 481);
  EXPECT_EQ(a.max, 1311);
  EXPECT_EQ(a.sum, 625781133);
  const Stats b = stats(v5.samples);
  EXPECT_EQ(b.min, 531);
  EXPECT_EQ(b.max, 1269);
  EXPECT_EQ(b.sum, 640765524);
  EXPECT_EQ(mlii.samples[0], 995);  // the header's initial value
  EXPECT_EQ(v5.samples[0], 1011);
  ASSERT_GE(rec.comments.size(), 3u);
  EXPECT_EQ(rec.comments[0], "unnecessary comment");
  EXPECT_EQ(rec.comments[1], "69 M 1085 1629 x1");
  EXPECT_DOUBLE_EQ(mlii.offset(), -1024.0 / 200.0);
}

TEST(WfdbReal, ThreeSignalsWithAnOddSampleCount) {
  REQUIRE_SHARED_DATA();
  const WfdbRecord rec = read_wfdb((kData / "100_3chan.hea").string());
  EXPECT_EQ(rec.frames, 999);
  EXPECT_EQ(rec.frame_rate_nhz, 360 * codec::kNanohertzPerHertz);  // "360.0"
  ASSERT_EQ(rec.signals.size(), 3u);
  for (const WfdbSignal& s : rec.signals) {
    EXPECT_EQ(s.samples.size(), 999u);
    EXPECT_EQ(s.baseline, 1024);
    EXPECT_EQ(s.units, "mV");
    EXPECT_TRUE(s.checksum.has_value());  // given unsigned (43172); verified mod 2^16
  }
  EXPECT_EQ(rec.signals[0].samples, rec.signals[2].samples);
  EXPECT_EQ(rec.signals[0].samples[0], 995);
  EXPECT_EQ(rec.signals[1].samples[0], 1011);
  const Stats s1 = stats(rec.signals[1].samples);
  EXPECT_EQ(s1.sum, 981458);
  // The last frame's third sample sits alone in the final two bytes.
  EXPECT_EQ(rec.signals[2].samples[998], rec.signals[0].samples[998]);
}

TEST(WfdbReal, HeaderAloneOpensNoSignalFile) {
  REQUIRE_SHARED_DATA();
  const WfdbRecord rec = read_wfdb_header((kData / "100.hea").string());
  EXPECT_EQ(rec.signals.size(), 2u);
  EXPECT_TRUE(rec.signals[0].samples.empty());
  EXPECT_EQ(rec.signals[0].checksum, -22131);
}

// ---- Files written here ----

class WfdbFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("tsweep_wfdb_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = m_dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  void write_bytes(const std::string& name, const std::vector<unsigned char>& b) {
    std::ofstream(m_dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  static std::vector<unsigned char> fmt16(const std::vector<int>& s) {
    std::vector<unsigned char> b;
    for (int v : s) {
      b.push_back(static_cast<unsigned char>(v & 0xFF));
      b.push_back(static_cast<unsigned char>((v >> 8) & 0xFF));
    }
    return b;
  }
  static std::vector<unsigned char> fmt212(const std::vector<int>& s) {
    std::vector<unsigned char> b;
    for (std::size_t i = 0; i < s.size(); i += 2) {
      const int a = s[i] & 0xFFF;
      const int c = i + 1 < s.size() ? (s[i + 1] & 0xFFF) : 0;
      b.push_back(static_cast<unsigned char>(a & 0xFF));
      b.push_back(static_cast<unsigned char>(((a >> 8) & 0x0F) | ((c >> 4) & 0xF0)));
      if (i + 1 < s.size()) b.push_back(static_cast<unsigned char>(c & 0xFF));
    }
    return b;
  }
  static int checksum(const std::vector<int>& s) {
    return static_cast<std::int16_t>(std::accumulate(s.begin(), s.end(), 0) & 0xFFFF);
  }
  std::string error_of(const std::string& header) {
    try {
      read_wfdb(header);
    } catch (const IoError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path m_dir;
};

TEST_F(WfdbFiles, Format16TwoSignalsOneWithTwoSamplesPerFrameAndCrlf) {
  // Frame = a0 a1 | b0 for 4 frames; signal a at 2 x 125 Hz, b at 125 Hz.
  const std::vector<int> a = {10, -20, 30, -32768, 50, 60, 32767, -32767};
  const std::vector<int> b = {1000, 2000, -3000, 4000};
  std::vector<int> file;
  for (std::size_t f = 0; f < 4; ++f) {
    file.push_back(a[2 * f]);
    file.push_back(a[2 * f + 1]);
    file.push_back(b[f]);
  }
  write_bytes("rec.dat", fmt16(file));
  int ca = checksum(a);
  const std::string h = write("rec.hea",
                              "# made here\r\n"
                              "rec 2 125/1000(7) 4 13:45:30.25 02/03/2021\r\n"
                              "rec.dat 16x2 100.5(-3)/uV 16 0 10 " +
                                  std::to_string(ca) +
                                  " 0 lead a, with spaces\r\n"
                                  "rec.dat 16 0 16 5 1000 " +
                                  std::to_string(checksum(b)) +
                                  " 0 B\r\n"
                                  "#info line\r\n");
  const WfdbRecord rec = read_wfdb(h);
  EXPECT_EQ(rec.frames, 4);
  EXPECT_EQ(rec.frame_rate_nhz, 125 * codec::kNanohertzPerHertz);
  EXPECT_DOUBLE_EQ(rec.counter_frequency_hz, 1000.0);
  EXPECT_DOUBLE_EQ(rec.base_counter, 7.0);
  EXPECT_EQ(rec.comments, (std::vector<std::string>{"made here", "info line"}));
  // 2021-03-02 is day 18688 since the epoch.
  EXPECT_EQ(rec.start_ns(),
            18688LL * 86400 * 1'000'000'000 + (13 * 3600 + 45 * 60) * 1'000'000'000LL + 30'250'000'000LL);
  const WfdbSignal& sa = rec.signals[0];
  EXPECT_EQ(sa.samples_per_frame, 2);
  EXPECT_EQ(sa.rate_nhz, 250 * codec::kNanohertzPerHertz);
  EXPECT_DOUBLE_EQ(sa.gain, 100.5);
  EXPECT_EQ(sa.baseline, -3);
  EXPECT_EQ(sa.units, "uV");
  EXPECT_EQ(sa.description, "lead a, with spaces");
  EXPECT_EQ(sa.samples, (std::vector<std::int32_t>{10, -20, 30, 0, 50, 60, 32767, -32767}));
  EXPECT_EQ(sa.missing, (std::vector<std::uint8_t>{0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(sa.missing_count, 1u);
  const WfdbSignal& sb = rec.signals[1];
  EXPECT_FALSE(sb.gain_given);  // gain 0: uncalibrated, default 200
  EXPECT_DOUBLE_EQ(sb.gain, 200.0);
  EXPECT_EQ(sb.baseline, 5);  // the ADC zero when no baseline is given
  EXPECT_EQ(sb.samples, (std::vector<std::int32_t>{1000, 2000, -3000, 4000}));
}

TEST_F(WfdbFiles, Format80OffsetBinaryWithInvalidSamples) {
  write_bytes("r80.dat", {128, 0, 255, 1, 200});  // 0, invalid, 127, -127, 72
  const std::string h = write("r80.hea", "r80 1 0.2\nr80.dat 80 50 8 0 0\n");
  const WfdbRecord rec = read_wfdb(h);
  EXPECT_EQ(rec.frames, 5);  // from the file size: no sample count given
  EXPECT_EQ(rec.frame_rate_nhz, 200'000'000);
  EXPECT_EQ(rec.signals[0].samples, (std::vector<std::int32_t>{0, 0, 127, -127, 72}));
  EXPECT_EQ(rec.signals[0].missing, (std::vector<std::uint8_t>{0, 1, 0, 0, 0}));
}

TEST_F(WfdbFiles, Format212OddCountInvalidValueSkewAndOffset) {
  const std::vector<int> s = {-1, 2047, -2048, 5, 7};
  std::vector<unsigned char> bytes = {0xAA, 0xBB, 0xCC};  // 3 bytes to skip
  const auto packed = fmt212(s);
  bytes.insert(bytes.end(), packed.begin(), packed.end());
  EXPECT_EQ(packed.size(), 8u);  // 2 full groups + 2 bytes for the odd sample
  write_bytes("odd.dat", bytes);
  const std::string h =
      write("odd.hea", "odd 1 12.8 5\nodd.dat 212+3 200 12 0 -1 " + std::to_string(checksum(s)) + "\n");
  const WfdbRecord rec = read_wfdb(h);
  EXPECT_EQ(rec.frame_rate_nhz, 12'800'000'000);
  EXPECT_EQ(rec.signals[0].samples, (std::vector<std::int32_t>{-1, 2047, 0, 5, 7}));
  EXPECT_EQ(rec.signals[0].missing_count, 1u);

  const std::string hs = write("skew.hea", "skew 1 10 5\nodd.dat 212:2+3\n");
  const WfdbRecord sk = read_wfdb(hs);
  EXPECT_EQ(sk.signals[0].samples, (std::vector<std::int32_t>{0, 5, 7, 0, 0}));
  EXPECT_EQ(sk.signals[0].missing, (std::vector<std::uint8_t>{1, 0, 0, 1, 1}));
}

TEST_F(WfdbFiles, DamagedOrForeignInputIsOneClearError) {
  write_bytes("d.dat", fmt16({1, 2, 3, 4}));
  EXPECT_NE(error_of((m_dir / "none.hea").string()).find("cannot open"), std::string::npos);
  EXPECT_NE(error_of(write("a.hea", "a 1 100 10\nd.dat 16\n")).find("truncated: the header gives 10 frames"),
            std::string::npos);
  EXPECT_NE(error_of(write("b.hea", "b 1 100 4\nd.dat 311\n")).find("line 2: signal format 311 is not supported"),
            std::string::npos);
  EXPECT_NE(error_of(write("c.hea", "c 1 100 4\nd.dat 16 200 16 0 1 999\n")).find("checksum mismatch"),
            std::string::npos);
  EXPECT_NE(error_of(write("e.hea", "e/2 1 100\n")).find("multi-segment"), std::string::npos);
  EXPECT_NE(error_of(write("f.hea", "f 2 100 4\nd.dat 16\n")).find("2 signals announced, 1 described"),
            std::string::npos);
  EXPECT_NE(error_of(write("g.hea", "g 1 100 4\nd.dat 16 abc\n")).find("ADC gain 'abc' is not a number"),
            std::string::npos);
  EXPECT_NE(error_of(write("h.hea", "# only a comment\n")).find("not a WFDB header"), std::string::npos);
  EXPECT_NE(error_of(write("i.hea", "i 1 100 4\nmissing.dat 16\n")).find("missing.dat: cannot open"),
            std::string::npos);
  WfdbOptions lax;
  lax.verify_checksums = false;
  EXPECT_NO_THROW(read_wfdb((m_dir / "c.hea").string(), lax));
}

}  // namespace
}  // namespace tsweep::store::import
