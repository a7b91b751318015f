// A regular series cut into blocks (encode_series, what ingest and the writers
// use) keeps every sample on its grid: sample i of a segment continuing a run
// from s is at s + floor(i * 10^18 / rate) whatever the block size, also after
// missing samples in a WFDB record.
#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "store_test_util.hpp"
#include "tsweep/codec/codec.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/ingest.hpp"
#include "tsweep/store/series.hpp"

namespace tsweep::store {
namespace {

constexpr std::int64_t kHz = codec::kNanohertzPerHertz;
__extension__ typedef __int128 Int128;

std::int64_t exact(std::int64_t start, std::int64_t rate, std::int64_t i) {
  return static_cast<std::int64_t>(Int128{start} + Int128{i} * 1'000'000'000'000'000'000 / rate);
}

/// Every sample time of the series' blocks, in order.
std::vector<std::int64_t> block_times(const Series& s, std::uint32_t block_samples, std::int64_t* blocks = nullptr) {
  codec::Encoder enc;
  codec::Decoder dec;
  std::vector<std::int64_t> all;
  std::vector<std::byte> raw;
  const std::int64_t n = encode_series(s, block_samples, enc, [&](Span<const std::byte> b) {
    const codec::BlockInfo info = codec::peek(b);
    std::vector<std::int64_t> t(info.count);
    raw.resize(std::size_t{info.count} * codec::sample_size(info.type));
    dec.decode(b, Span<std::byte>(raw), Span<std::int64_t>(t));
    all.insert(all.end(), t.begin(), t.end());
  });
  if (blocks) *blocks = n;
  return all;
}

TEST(SeriesBlocks, EveryBlockSizeKeepsEverySampleOnTheSegmentsGrid) {
  const std::int64_t start = 1'700'000'000'123'456'789;
  // 3 Hz, 7 Hz, 360 Hz (periods that are not whole nanoseconds), 12.8 Hz, 1 GHz, 3 nHz.
  for (const std::int64_t rate :
       {3 * kHz, 7 * kHz, 360 * kHz, std::int64_t{12'800'000'000}, codec::kMaxRateNhz, std::int64_t{3}}) {
    const std::int64_t n = rate < kHz ? 8 : 5'000;
    const std::int64_t t0 = rate < kHz ? 0 : start;
    // Samples [0, 2000) and [2100, n) of one run: the second segment continues
    // the run's grid after 100 missing samples.
    const std::int64_t cut = rate < kHz ? 3 : 2'000, skip = rate < kHz ? 1 : 100;
    Series s = test::regular_int16(n - skip, t0, rate);
    const codec::RegularTimes resumed = codec::advance({t0, rate, 0}, cut + skip);
    s.segments = {{t0, 0, cut, 0}, {resumed.first_ns, cut, n - skip - cut, resumed.phase}};
    for (const std::uint32_t block : {1u, 7u, 1000u, kDefaultBlockSamples}) {
      std::int64_t blocks = 0;
      const auto times = block_times(s, block, &blocks);
      ASSERT_EQ(static_cast<std::int64_t>(times.size()), n - skip);
      std::int64_t off = 0;
      for (std::int64_t k = 0; k < n - skip; ++k) {
        const std::int64_t i = k < cut ? k : k + skip;  // the sample's index in the run
        off += times[static_cast<std::size_t>(k)] != exact(t0, rate, i);
      }
      EXPECT_EQ(off, 0) << "rate " << rate << " nHz in " << blocks << " blocks of " << block
                        << ": samples off the grid";
    }
  }
}

TEST(SeriesBlocks, ASegmentPhaseOutsideTheRateIsAnInternalError) {
  Series s = test::regular_int16(10, 0, 360 * kHz);
  s.segments[0].phase = 360 * kHz;
  EXPECT_THROW(check_series(s, "test"), InternalError);
  s.segments[0].phase = -1;
  EXPECT_THROW(check_series(s, "test"), InternalError);
}

TEST(SeriesBlocks, WfdbRecordWithMissingSamplesStaysOnTheRecordsGrid) {
  // Format 16 at 360 Hz, 3000 samples, samples 1000 ... 1002 missing (-32768).
  test::TempDir dir;
  {
    std::ofstream dat(dir.file("rec.dat"), std::ios::binary);
    std::int64_t sum = 0;  // WFDB's checksum: the 16-bit sum of every sample as stored
    for (int i = 0; i < 3000; ++i) {
      const std::int16_t v = (i >= 1000 && i < 1003) ? std::int16_t{-32768} : static_cast<std::int16_t>(i % 700);
      dat.write(reinterpret_cast<const char*>(&v), sizeof v);
      sum += v;
    }
    std::ofstream hea(dir.file("rec.hea"));
    hea << "rec 1 360 3000\nrec.dat 16 200 16 0 0 " << static_cast<std::int16_t>(sum & 0xFFFF) << " 0 lead\n";
  }
  IngestOptions options;
  const import::ImportedFile file = read_input(dir.file("rec.hea"), options);
  ASSERT_EQ(file.signals.size(), 1u);
  const Series& s = file.signals[0].series;
  ASSERT_EQ(s.segments.size(), 2u);
  ASSERT_EQ(s.count(), 2997);
  for (const std::uint32_t block : {64u, kDefaultBlockSamples}) {
    const auto times = block_times(s, block);
    ASSERT_EQ(times.size(), 2997u);
    const std::int64_t t0 = s.segments[0].first_ns;
    std::int64_t off = 0;
    for (std::int64_t k = 0; k < 2997; ++k) {
      off += times[static_cast<std::size_t>(k)] != exact(t0, 360 * kHz, k < 1000 ? k : k + 3);
    }
    EXPECT_EQ(off, 0) << "blocks of " << block;
  }
}

}  // namespace
}  // namespace tsweep::store
