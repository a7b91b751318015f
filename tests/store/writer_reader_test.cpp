// The serial writer and the reader: round trips, time-range lookup against a
// brute-force filter, runs from several commits, rollback, foreign files.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <fstream>

#include "store_test_util.hpp"
#include "tsweep/codec/codec.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/writer.hpp"

namespace tsweep::store {
namespace {

using test::TempDir;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
constexpr std::int64_t k360Hz = 360'000'000'000;

StreamSpec spec(const std::string& name, codec::SampleType type, std::int64_t rate_nhz) {
  StreamSpec s;
  s.name = name;
  s.unit = "mV";
  s.type = type;
  s.scale = 0.005;
  s.offset = -5.12;
  s.rate_nhz = rate_nhz;
  s.attributes = {{"source", "test"}, {"lead", name}};
  return s;
}

void append_series(Writer& w, std::int64_t id, const Series& s, std::uint32_t block_samples) {
  codec::Encoder enc;
  encode_series(s, block_samples, enc, [&](Span<const std::byte> b) { w.append(id, b); });
}

// Every committed sample of a stream, decoded, with its time.
std::pair<std::vector<double>, std::vector<std::int64_t>> read_all(const Reader& r, std::int64_t id) {
  std::vector<double> values;
  std::vector<std::int64_t> times;
  codec::Decoder dec;
  const auto refs = r.blocks(id);
  const BlockBytes bytes = r.read_bytes(refs);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const auto info = codec::peek(bytes.block(i));
    EXPECT_EQ(info.checksum, refs[i].checksum);
    EXPECT_EQ(info.count, refs[i].count);
    std::vector<std::byte> raw(info.count * codec::sample_size(info.type));
    std::vector<std::int64_t> t(info.count);
    dec.decode(bytes.block(i), Span<std::byte>(raw), Span<std::int64_t>(t));
    for (std::uint32_t k = 0; k < info.count; ++k) {
      if (info.type == codec::SampleType::int16) {
        std::int16_t v;
        std::memcpy(&v, raw.data() + 2 * k, 2);
        values.push_back(v);
      } else {
        double v;
        std::memcpy(&v, raw.data() + 8 * k, 8);
        values.push_back(v);
      }
    }
    times.insert(times.end(), t.begin(), t.end());
  }
  return {values, times};
}

TEST(StoreWriterReader, RoundTripKeepsSamplesTimesAndSummaries) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  Series ecg = test::regular_int16(100'000, kT0, k360Hz);
  // A gap: the second half starts 10 s after where it would have been.
  ecg.segments = {{kT0, 0, 60'000}, {codec::sample_time(kT0, k360Hz, 60'000) + 10'000'000'000, 60'000, 40'000}};
  const Series ev = test::irregular_f64(10'000, kT0 + 5, 1'000'000);
  std::string uuid;
  {
    Writer w = Writer::create(path);
    uuid = w.uuid();
    const auto a = w.add_stream(spec("bed01/ECG", codec::SampleType::int16, k360Hz));
    const auto b = w.add_stream(spec("bed01/events", codec::SampleType::float64, 0));
    append_series(w, a, ecg, 4096);
    append_series(w, b, ev, 1000);
    w.commit();
    w.close();
  }
  Reader r = Reader::open(path);
  ASSERT_EQ(r.streams().size(), 2u);
  const StreamInfo& s = r.stream(0);
  EXPECT_EQ(s.name, "bed01/ECG");
  EXPECT_EQ(s.unit, "mV");
  EXPECT_EQ(s.scale, 0.005);
  EXPECT_EQ(s.offset, -5.12);
  EXPECT_EQ(s.rate_nhz, k360Hz);
  EXPECT_EQ(s.sample_count, 100'000);
  EXPECT_EQ(s.block_count, 15 + 10);  // ceil(60000/4096) + ceil(40000/4096)
  EXPECT_EQ(s.first_ns, kT0);
  EXPECT_EQ(s.run_count, 1);
  EXPECT_EQ(r.attributes(1),
            (std::vector<std::pair<std::string, std::string>>{{"source", "test"}, {"lead", "bed01/events"}}));
  const auto id = r.identity();
  EXPECT_EQ(id.uuid, uuid);
  EXPECT_EQ(id.blocks, 25 + 10);
  EXPECT_EQ(id.samples, 110'000);

  const auto [values, times] = read_all(r, 0);
  ASSERT_EQ(values.size(), 100'000u);
  for (std::int64_t i = 0; i < 100'000; i += 997)
    EXPECT_EQ(values[static_cast<std::size_t>(i)], ecg.at<std::int16_t>(i));
  EXPECT_EQ(times.front(), kT0);
  EXPECT_EQ(times[60'000], ecg.segments[1].first_ns);
  EXPECT_EQ(s.last_ns, times.back());
  const auto [ev_values, ev_times] = read_all(r, 1);
  ASSERT_EQ(ev_values.size(), 10'000u);
  EXPECT_EQ(ev_values[1234], ev.at<double>(1234));
  EXPECT_EQ(ev_times, ev.times);
}

// Brute force: every block of the stream, filtered.
std::vector<std::int64_t> expected_blocks(const Reader& r, std::int64_t id, std::int64_t t0, std::int64_t t1) {
  std::vector<std::int64_t> out;
  for (const auto& b : r.blocks(id)) {
    if (b.overlaps(t0, t1)) out.push_back(b.block);
  }
  return out;
}

TEST(StoreWriterReader, TimeRangeLookupMatchesBruteForceOverManyRuns) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  std::int64_t next = kT0;
  {
    Writer w = Writer::create(path);
    const auto a = w.add_stream(spec("a", codec::SampleType::int16, k360Hz));
    const auto b = w.add_stream(spec("b", codec::SampleType::int16, k360Hz));
    w.commit();
    // Five commits interleaving both streams: five runs each, the big ones binary-searched.
    for (int c = 0; c < 5; ++c) {
      const Series s = test::regular_int16(360 * 1000, next, k360Hz, c);
      append_series(w, a, s, 1000);
      append_series(w, b, test::regular_int16(3600, next, k360Hz, c), 100);
      w.commit();
      next = codec::sample_time(next, k360Hz, 360 * 1000) + 60'000'000'000;
    }
  }
  Reader r = Reader::open(path);
  EXPECT_EQ(r.stream(0).run_count, 5);
  EXPECT_EQ(r.runs(0).size(), 5u);
  EXPECT_EQ(r.stream(0).block_count, 5 * 360);
  const auto all = r.blocks(0);
  ASSERT_EQ(all.size(), 5u * 360);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](auto& x, auto& y) { return x.first_ns < y.first_ns; }));
  const std::int64_t span = next - kT0;
  for (int q = 0; q < 200; ++q) {
    const std::int64_t t0 = kT0 - 1'000'000'000 + (span / 97) * (q % 101) + q * 12345;
    const std::int64_t t1 = t0 + (q % 7) * 3'000'000'000 + 1;
    for (std::int64_t id : {0, 1}) {
      std::vector<std::int64_t> got;
      for (const auto& b : r.blocks(id, t0, t1)) got.push_back(b.block);
      EXPECT_EQ(got, expected_blocks(r, id, t0, t1)) << "query " << q << " stream " << id;
    }
  }
  EXPECT_TRUE(r.blocks(0, next + 1, next + 2).empty());
  // The block before a time: brute force over every block.
  for (int q = 0; q < 100; ++q) {
    const std::int64_t t = kT0 - 5'000'000'000 + (span / 61) * (q % 67) + q * 777;
    for (std::int64_t id : {0, 1}) {
      std::optional<BlockRef> want;
      for (const auto& b : r.blocks(id)) {
        if (b.last_ns < t &&
            (!want || b.last_ns > want->last_ns || (b.last_ns == want->last_ns && b.block > want->block)))
          want = b;
      }
      const auto got = r.block_before(id, t);
      ASSERT_EQ(got.has_value(), want.has_value()) << "t " << t;
      if (got) {
        EXPECT_EQ(got->block, want->block) << "t " << t;
      }
    }
  }
  EXPECT_EQ(r.blocks(0, INT64_MIN, kT0 + 1).size(), 1u);
}

TEST(StoreWriterReader, RollbackAndUncommittedWorkLeaveTheStoreAsItWas) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  {
    Writer w = Writer::create(path);
    const auto a = w.add_stream(spec("a", codec::SampleType::int16, k360Hz));
    append_series(w, a, test::regular_int16(5000, kT0, k360Hz), 1000);
    w.commit();
    w.close();
  }
  const auto size_before = Reader::open(path).identity();
  {
    Writer w = Writer::open(path);
    append_series(w, 0, test::regular_int16(50'000, kT0 + 100'000'000'000, k360Hz), 1000);
    w.add_stream(spec("b", codec::SampleType::int16, k360Hz));
    w.rollback();
    EXPECT_EQ(w.pending_blocks(), 0);
    EXPECT_EQ(w.stream_count(), 1);
    // Destroyed with uncommitted blocks: they vanish too.
    append_series(w, 0, test::regular_int16(50'000, kT0 + 100'000'000'000, k360Hz), 1000);
  }
  Reader r = Reader::open(path);
  const auto after = r.identity();
  EXPECT_EQ(after.blocks, size_before.blocks);
  EXPECT_EQ(after.streams, 1);
  EXPECT_EQ(r.stream(0).sample_count, 5000);
  // The bytes dataset was cut back too.
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, "/blocks/data", H5P_DEFAULT);
  const hid_t sp = H5Dget_space(d);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(sp, &n, nullptr);
  const auto last = r.blocks(0).back();
  EXPECT_EQ(n, last.offset + last.length);
  H5Sclose(sp);
  H5Dclose(d);
  H5Fclose(f);
}

TEST(StoreWriterReader, AppendingToAnExistingStoreAddsRunsAndStreams) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  {
    Writer w = Writer::create(path);
    append_series(w, w.add_stream(spec("a", codec::SampleType::int16, k360Hz)), test::regular_int16(5000, kT0, k360Hz),
                  1000);
    w.commit();
  }
  {
    Writer w = Writer::open(path);
    EXPECT_EQ(w.find_stream("a"), std::optional<std::int64_t>(0));
    append_series(w, 0, test::regular_int16(5000, kT0 + 3'600'000'000'000, k360Hz), 1000);
    append_series(w, w.add_stream(spec("b", codec::SampleType::float64, 0)), test::irregular_f64(10, kT0, 1000), 4);
    w.commit();
  }
  Reader r = Reader::open(path);
  EXPECT_EQ(r.stream(0).run_count, 2);
  EXPECT_EQ(r.stream(0).sample_count, 10'000);
  EXPECT_EQ(r.stream(1).block_count, 3);
  EXPECT_EQ(read_all(r, 0).first.size(), 10'000u);
  EXPECT_EQ(r.find_stream("b"), std::optional<std::int64_t>(1));
}

TEST(StoreWriterReader, SwmrAppendsToAnExistingStoreAndRollsBackByLeavingBytesUnreferenced) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  {
    Writer w = Writer::create(path);
    append_series(w, w.add_stream(spec("a", codec::SampleType::int16, k360Hz)), test::regular_int16(5000, kT0, k360Hz),
                  1000);
    w.commit();
  }
  {
    WriterOptions o;
    o.swmr = true;
    o.write_buffer_bytes = 1;  // bytes go to the file at once, so the rollback leaves some behind
    Writer w = Writer::open(path, o);
    EXPECT_TRUE(w.swmr());
    append_series(w, 0, test::regular_int16(3000, kT0 + 100'000'000'000, k360Hz, 1), 1000);
    w.rollback();
    append_series(w, 0, test::regular_int16(2000, kT0 + 200'000'000'000, k360Hz, 2), 1000);
    w.add_stream(spec("b", codec::SampleType::int16, k360Hz));
    w.commit();
    w.close();
  }
  Reader r = Reader::open(path);
  EXPECT_EQ(r.stream(0).sample_count, 7000);
  EXPECT_EQ(r.stream(0).run_count, 2);
  EXPECT_EQ(r.streams().size(), 2u);
  const auto [values, times] = read_all(r, 0);
  ASSERT_EQ(values.size(), 7000u);
  EXPECT_EQ(times[5000], kT0 + 200'000'000'000);
  EXPECT_EQ(values[5000], test::regular_int16(1, 0, k360Hz, 2).at<std::int16_t>(0));
  EXPECT_GT(r.data_size(), r.blocks(0).back().offset + r.blocks(0).back().length - 1);
}

TEST(StoreWriterReader, WrongBlocksAndNamesAreRejected) {
  TempDir dir;
  Writer w = Writer::create(dir.file("s.h5"));
  const auto a = w.add_stream(spec("a", codec::SampleType::int16, k360Hz));
  EXPECT_THROW(w.add_stream(spec("a", codec::SampleType::int16, k360Hz)), ConfigError);
  EXPECT_THROW(w.add_stream(spec(std::string(200, 'x'), codec::SampleType::int16, k360Hz)), ConfigError);
  std::vector<std::byte> block;
  const std::vector<double> v{1.0, 2.0};
  codec::encode<double>(Span<const double>(v), codec::RegularTimes{kT0, k360Hz}, block);
  EXPECT_THROW(w.append(a, block), ConfigError);  // float64 block into an int16 stream
  std::vector<std::byte> other;
  const std::vector<std::int16_t> iv{1, 2};
  codec::encode<std::int16_t>(Span<const std::int16_t>(iv), codec::RegularTimes{kT0, 250'000'000'000}, other);
  EXPECT_THROW(w.append(a, other), ConfigError);            // wrong rate
  EXPECT_THROW(Writer::create(dir.file("s.h5")), IoError);  // exists
}

TEST(StoreWriterReader, ForeignFilesGiveOneLineIoErrors) {
  TempDir dir;
  EXPECT_THROW(Reader::open(dir.file("missing.h5")), IoError);
  std::ofstream(dir.file("text.h5")) << "time,value\n1,2\n";
  try {
    Reader::open(dir.file("text.h5"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
  }
  const hid_t f = H5Fcreate(dir.file("other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  try {
    Reader::open(dir.file("other.h5"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("not a tsweep store"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Writer::open(dir.file("other.h5")), IoError);
}

}  // namespace
}  // namespace tsweep::store
