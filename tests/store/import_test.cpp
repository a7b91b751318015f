// Importers against files made here: EDF+ and BDF+ written with EDFlib
// (negative gain, non-integer and per-signal rates, sub-second start,
// annotations, 24-bit values), CSV variants, WFDB annotation files, and
// damaged files; and against the real files in the shared sample data
// (miniSEED record times, MIT-BIH 100's annotations), checked with small
// decoders written here from the format specifications.

#include <edflib.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>

#include "store_test_util.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/store/import/csv.hpp"
#include "tsweep/store/import/edf.hpp"
#include "tsweep/store/import/mseed.hpp"
#include "tsweep/store/import/wfdb.hpp"

namespace tsweep::store::import {
namespace {

using test::TempDir;
namespace fs = std::filesystem;
__extension__ typedef __int128 Int128;

const fs::path kShared = fs::path(TSWEEP_SHARED_DATA);

std::vector<unsigned char> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Every sample time an imported regular series implies: segment start + floor(i * 10^18 / rate).
std::vector<std::int64_t> sample_times(const Series& s) {
  std::vector<std::int64_t> out;
  for (const auto& seg : s.segments) {
    for (std::int64_t i = 0; i < seg.count; ++i) {
      out.push_back(seg.first_ns +
                    static_cast<std::int64_t>(static_cast<Int128>(i) * 1'000'000'000'000'000'000 / s.rate_nhz));
    }
  }
  return out;
}

// An EDF+ (or BDF+) file: signal 0 at 10 samples per 3 s record (3.33 Hz) with
// a negative gain, signal 1 at 750 per record (250 Hz); `records` records.
void write_edf(const std::string& path, bool bdf, int records) {
  const int h = edfopen_file_writeonly(path.c_str(), bdf ? EDFLIB_FILETYPE_BDFPLUS : EDFLIB_FILETYPE_EDFPLUS, 2);
  ASSERT_GE(h, 0);
  const int dmax = bdf ? 8388607 : 32767, dmin = bdf ? -8388608 : -32768;
  ASSERT_EQ(edf_set_datarecord_duration(h, 300000), 0);  // 3 s in 10 us units
  ASSERT_EQ(edf_set_samplefrequency(h, 0, 10), 0);
  ASSERT_EQ(edf_set_samplefrequency(h, 1, 750), 0);
  for (int s = 0; s < 2; ++s) {
    ASSERT_EQ(edf_set_digital_maximum(h, s, dmax), 0);
    ASSERT_EQ(edf_set_digital_minimum(h, s, dmin), 0);
  }
  ASSERT_EQ(edf_set_physical_maximum(h, 0, -100.0), 0);  // inverted: negative gain
  ASSERT_EQ(edf_set_physical_minimum(h, 0, 100.0), 0);
  ASSERT_EQ(edf_set_physical_maximum(h, 1, 5.0), 0);
  ASSERT_EQ(edf_set_physical_minimum(h, 1, -5.0), 0);
  ASSERT_EQ(edf_set_label(h, 0, "Resp belt"), 0);
  ASSERT_EQ(edf_set_label(h, 1, "EEG Fpz-Cz"), 0);
  ASSERT_EQ(edf_set_physical_dimension(h, 0, "mmHg"), 0);
  ASSERT_EQ(edf_set_physical_dimension(h, 1, "uV"), 0);
  ASSERT_EQ(edf_set_startdatetime(h, 2021, 5, 6, 7, 8, 9), 0);
  ASSERT_EQ(edf_set_subsecond_starttime(h, 1234000), 0);  // 0.1234 s
  std::vector<int> buf(760);
  for (int r = 0; r < records; ++r) {
    for (int i = 0; i < 10; ++i) buf[static_cast<std::size_t>(i)] = r * 10 + i - 7;
    for (int i = 0; i < 750; ++i)
      buf[static_cast<std::size_t>(10 + i)] = (bdf ? 5000 : 1) * ((r * 750 + i) % 2001 - 1000);
    ASSERT_EQ(edf_blockwrite_digital_samples(h, buf.data()), 0);
  }
  ASSERT_EQ(edfwrite_annotation_utf8(h, 15000, 5000, "cough"), 0);  // at 1.5 s for 0.5 s
  ASSERT_EQ(edfclose_file(h), 0);
}

constexpr std::int64_t kStart = 1620284889'123400000;  // 2021-05-06T07:08:09.1234Z

TEST(StoreImportEdf, NegativeGainFractionalRatesAndSubsecondStart) {
  TempDir dir;
  const auto path = dir.file("rec.edf");
  write_edf(path, false, 4);
  EdfOptions o;
  o.annotations = true;
  const ImportedFile f = read_edf(path, o);
  ASSERT_EQ(f.signals.size(), 3u);
  const auto& resp = f.signals[0];
  EXPECT_EQ(resp.spec.name, "rec/Resp belt");
  EXPECT_EQ(resp.spec.unit, "mmHg");
  EXPECT_EQ(resp.spec.type, codec::SampleType::int16);
  EXPECT_EQ(resp.spec.rate_nhz, 3'333'333'333);  // 10 samples per 3 s
  EXPECT_LT(resp.spec.scale, 0);
  EXPECT_NEAR(resp.spec.scale, -200.0 / 65535, 1e-15);
  EXPECT_NEAR(-32768 * resp.spec.scale + resp.spec.offset, 100.0, 1e-9);  // dig_min maps to phys_min
  ASSERT_EQ(resp.series.segments.size(), 1u);
  EXPECT_EQ(resp.series.segments[0].first_ns, kStart);
  EXPECT_EQ(resp.series.count(), 40);
  EXPECT_EQ(resp.series.at<std::int16_t>(0), -7);
  EXPECT_EQ(resp.series.at<std::int16_t>(39), 32);
  const auto& eeg = f.signals[1];
  EXPECT_EQ(eeg.spec.rate_nhz, 250'000'000'000);
  EXPECT_EQ(eeg.series.count(), 3000);
  EXPECT_EQ(eeg.series.at<std::int16_t>(1234), 1234 % 2001 - 1000);
  const auto& ann = f.signals[2];
  EXPECT_EQ(ann.spec.name, "rec/annotations");
  ASSERT_EQ(ann.series.count(), 1);
  EXPECT_EQ(ann.series.times[0], kStart + 1'500'000'000);
  EXPECT_DOUBLE_EQ(ann.series.at<double>(0), 0.5);
  EXPECT_EQ(ann.spec.attributes.back().second, "cough");

  // Without the option the annotations are skipped with a note.
  const ImportedFile g = read_edf(path);
  EXPECT_EQ(g.signals.size(), 2u);
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_NE(g.notes[0].find("1 annotations skipped"), std::string::npos);
}

TEST(StoreImportEdf, Bdf24BitValuesStayExact) {
  TempDir dir;
  const auto path = dir.file("rec.bdf");
  write_edf(path, true, 2);
  const ImportedFile f = read_edf(path);
  EXPECT_EQ(f.format, "bdf");
  const auto& eeg = f.signals[1];
  EXPECT_EQ(eeg.spec.type, codec::SampleType::int32);
  EXPECT_EQ(eeg.series.at<std::int32_t>(0), -5'000'000);
  ASSERT_EQ(eeg.series.count(), 1500);
  EXPECT_EQ(eeg.series.at<std::int32_t>(1499), 499 * 5000);
}

TEST(StoreImportEdf, TruncatedAndForeignFilesAreIoErrors) {
  TempDir dir;
  const auto path = dir.file("rec.edf");
  write_edf(path, false, 4);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 700);
  EXPECT_THROW(read_edf(path), IoError);
  std::ofstream(dir.file("x.edf")) << "0       not really";
  EXPECT_THROW(read_edf(dir.file("x.edf")), IoError);
  EXPECT_THROW(read_edf(dir.file("missing.edf")), IoError);
}

TEST(StoreImportCsv, EpochNanosecondsSemicolonsAndQuotedHeaders) {
  TempDir dir;
  const auto path = dir.file("lab.csv");
  std::ofstream(path) << "# exported\n\"t\";\"lactate [mmol/L]\";\"pH\"\n"
                         "1700000000000000001;1.5;7.41\n1700000000000000003;;7.40\r\n1699999999000000000;2.25;nan\n";
  CsvOptions o;
  o.prefix = "bed1";
  const ImportedFile f = read_csv(path, o);
  ASSERT_EQ(f.signals.size(), 2u);
  EXPECT_EQ(f.signals[0].spec.name, "bed1/lactate");
  EXPECT_EQ(f.signals[0].spec.unit, "mmol/L");
  EXPECT_EQ(f.signals[0].series.times, (std::vector<std::int64_t>{1700000000000000001, 1699999999000000000}));
  EXPECT_EQ(f.signals[0].missing, 1);
  EXPECT_TRUE(std::isnan(f.signals[1].series.at<double>(2)));
  EXPECT_EQ(f.signals[1].series.times[1], 1700000000000000003);
}

TEST(StoreImportCsv, MalformedRowsNameTheLine) {
  TempDir dir;
  const auto path = dir.file("bad.csv");
  std::ofstream(path) << "time,a,b\n1.5,1,2\n2.5,3\n";
  try {
    read_csv(path);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  std::ofstream(dir.file("t.csv")) << "time,a\nyesterday,1\n";
  EXPECT_THROW(read_csv(dir.file("t.csv")), IoError);
  std::ofstream(dir.file("empty.csv")) << "time,a\n";
  EXPECT_THROW(read_csv(dir.file("empty.csv")), IoError);
  CsvOptions o;
  o.time_column = "when";
  EXPECT_THROW(read_csv(path, o), ConfigError);
  EXPECT_EQ(parse_csv_time_format("ms"), CsvTimeFormat::milliseconds);
  EXPECT_THROW(parse_csv_time_format("weeks"), ConfigError);
}

TEST(StoreImportMseed, ForeignFileIsAnIoError) {
  TempDir dir;
  std::ofstream(dir.file("x.mseed")) << std::string(1024, 'x');
  EXPECT_THROW(read_mseed(dir.file("x.mseed")), IoError);
}

// A miniSEED v2 data record header, read from the SEED 2.4 manual's layout
// (fixed section and blockettes 1000/1001), without libmseed.
struct SeedHeader {
  std::string id;         // NET.STA.LOC.CHA
  std::int64_t start_ns;  // the header's start time, corrected
  std::int64_t samples;
  std::int64_t rate_nhz;
  std::size_t length;
};

SeedHeader parse_seed_header(const unsigned char* r, std::size_t left) {
  EXPECT_GE(left, 64u);
  // Byte order: the year reads 1900 ... 2100 in the record's own order.
  const bool big = ((r[20] << 8) | r[21]) >= 1900 && ((r[20] << 8) | r[21]) <= 2100;
  auto u16 = [&](std::size_t at) { return big ? (r[at] << 8) | r[at + 1] : r[at] | (r[at + 1] << 8); };
  auto i16 = [&](std::size_t at) { return static_cast<std::int16_t>(u16(at)); };
  auto i32 = [&](std::size_t at) {
    return static_cast<std::int32_t>(big ? (std::uint32_t(u16(at)) << 16) | std::uint32_t(u16(at + 2))
                                         : std::uint32_t(u16(at)) | (std::uint32_t(u16(at + 2)) << 16));
  };
  auto field = [&](std::size_t at, std::size_t n) {
    std::string t(reinterpret_cast<const char*>(r + at), n);
    t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
    return t;
  };
  SeedHeader h;
  h.id = field(18, 2) + "." + field(8, 5) + "." + field(13, 2) + "." + field(15, 3);
  const int year = u16(20), day_of_year = u16(22);
  h.start_ns = tsweep::civil_to_ns(year, 1, 1, r[24], r[25], r[26]) +
               (day_of_year - 1) * std::int64_t{86400'000'000'000} + std::int64_t{u16(28)} * 100'000;
  h.samples = u16(30);
  const int factor = i16(32), multiplier = i16(34);
  EXPECT_TRUE(factor > 0 && multiplier > 0) << "only integer rates are handled here";
  h.rate_nhz = std::int64_t{factor} * multiplier * 1'000'000'000;
  if ((r[36] & 0x02) == 0) h.start_ns += std::int64_t{i32(40)} * 100'000;  // time correction not yet applied
  h.length = 0;
  for (std::size_t b = static_cast<std::size_t>(u16(46)); b != 0 && b + 8 <= left;
       b = static_cast<std::size_t>(u16(b + 2))) {
    if (u16(b) == 1000) h.length = std::size_t{1} << r[b + 6];
    if (u16(b) == 1001) h.start_ns += std::int64_t{static_cast<std::int8_t>(r[b + 5])} * 1000;  // microseconds
  }
  EXPECT_GT(h.length, 0u) << "no blockette 1000";
  return h;
}

TEST(StoreImportMseed, EverySampleTimeOfTheRealFileFollowsItsRecordHeader) {
  const fs::path path = kShared / "mseed" / "testdata-3channel-signal.mseed2";
  if (!fs::exists(path)) GTEST_SKIP() << "the shared sample data is not at " << kShared << " (set TSWEEP_SHARED_DATA)";
  // Expected: sample j of a record is at its header time + floor(j / rate), records in time order.
  const auto bytes = file_bytes(path);
  std::map<std::string, std::vector<SeedHeader>> records;
  for (std::size_t at = 0; at < bytes.size();) {
    const SeedHeader h = parse_seed_header(bytes.data() + at, bytes.size() - at);
    ASSERT_GT(h.length, 0u);
    records[h.id].push_back(h);
    at += h.length;
  }
  ASSERT_EQ(records.size(), 3u);

  const ImportedFile f = read_mseed(path.string());
  ASSERT_EQ(f.signals.size(), 3u);
  for (const auto& sig : f.signals) {
    SCOPED_TRACE(sig.spec.name);
    auto& recs = records.at(sig.spec.name);
    std::stable_sort(recs.begin(), recs.end(), [](const auto& a, const auto& b) { return a.start_ns < b.start_ns; });
    std::vector<std::int64_t> want;
    std::int64_t joins = 0;  // records that start exactly where the one before ends
    for (std::size_t k = 0; k < recs.size(); ++k) {
      ASSERT_EQ(recs[k].rate_nhz, sig.spec.rate_nhz);
      for (std::int64_t j = 0; j < recs[k].samples; ++j) {
        want.push_back(recs[k].start_ns + static_cast<std::int64_t>(static_cast<Int128>(j) * 1'000'000'000'000'000'000 /
                                                                    recs[k].rate_nhz));
      }
      if (k > 0 && recs[k].start_ns == recs[k - 1].start_ns + recs[k - 1].samples * 1'000'000'000) ++joins;
    }
    const std::vector<std::int64_t> got = sample_times(sig.series);
    ASSERT_EQ(got.size(), 4200u);
    ASSERT_EQ(want.size(), got.size());
    std::int64_t off = 0, worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      off += got[i] != want[i];
      worst = std::max(worst, std::abs(got[i] - want[i]));
    }
    EXPECT_EQ(off, 0) << "samples off their record header time, by up to " << worst << " ns";
    EXPECT_EQ(got.back(), want.back());
    // Records with a few microseconds of jitter start segments of their own; exact continuations join.
    EXPECT_EQ(static_cast<std::int64_t>(sig.series.segments.size()), static_cast<std::int64_t>(recs.size()) - joins);
  }
  EXPECT_EQ(f.signals[2].spec.name, "IU.COLA.00.LHZ");
  EXPECT_EQ(f.signals[2].series.segments.front().first_ns, 1267253400'069539000);  // the README's first sample
}

// MIT annotation words (annot(5)): 6-bit code above a 10-bit field, little-endian.
struct AnnotationBytes {
  std::vector<unsigned char> bytes;
  AnnotationBytes& word(int code, int field) {
    const int w = (code << 10) | field;
    bytes.push_back(static_cast<unsigned char>(w & 0xff));
    bytes.push_back(static_cast<unsigned char>(w >> 8));
    return *this;
  }
  AnnotationBytes& skip(std::int32_t interval) {  // SKIP, then the interval's high and low words
    const auto u = static_cast<std::uint32_t>(interval);
    word(59, 0);
    for (std::uint32_t part : {u >> 16, u & 0xffff}) {
      bytes.push_back(static_cast<unsigned char>(part & 0xff));
      bytes.push_back(static_cast<unsigned char>(part >> 8));
    }
    return *this;
  }
  AnnotationBytes& aux(const std::string& text) {
    word(63, static_cast<int>(text.size()));
    bytes.insert(bytes.end(), text.begin(), text.end());
    if (text.size() % 2) bytes.push_back(0);
    return *this;
  }
};

TEST(StoreImportWfdb, MitBih100AnnotationsDecodeToTheirPublishedCountsAndTimes) {
  const fs::path path = kShared / "wfdb" / "100.atr";
  if (!fs::exists(path)) GTEST_SKIP() << "MIT-BIH record 100 is not at " << kShared << " (set TSWEEP_SHARED_DATA)";
  const WfdbAnnotations a = read_wfdb_annotations(path.string());
  EXPECT_EQ(a.annotator, "atr");
  EXPECT_EQ(a.resolution_nhz, 0);
  ASSERT_EQ(a.annotations.size(), 2274u);
  // rdann's first lines for record 100: "+" (rhythm "(N") at sample 18, then normal beats.
  const std::int64_t first_samples[] = {18, 77, 370, 662, 946, 1231};
  for (std::size_t k = 0; k < std::size(first_samples); ++k) {
    EXPECT_EQ(a.annotations[k].sample, first_samples[k]) << k;
    EXPECT_EQ(wfdb_annotation_mnemonic(a.annotations[k].code), k == 0 ? "+" : "N") << k;
  }
  EXPECT_EQ(a.annotations[0].aux, "(N");
  // The MIT-BIH directory for record 100: 2239 normal beats, 33 APCs (A), 1 PVC (V), one rhythm label.
  std::map<std::string, int> by_code;
  for (const auto& x : a.annotations) ++by_code[wfdb_annotation_mnemonic(x.code)];
  EXPECT_EQ(by_code, (std::map<std::string, int>{{"N", 2239}, {"A", 33}, {"V", 1}, {"+", 1}}));
  EXPECT_TRUE(std::is_sorted(a.annotations.begin(), a.annotations.end(),
                             [](const auto& x, const auto& y) { return x.sample < y.sample; }));
  EXPECT_LT(a.annotations.back().sample, 650000);

  // As an event stream: one float64 sample per annotation at start + sample / 360 Hz, value the code.
  WfdbRecord rec = read_wfdb_header((kShared / "wfdb" / "100.hea").string());
  const ImportedSignal sig = wfdb_annotation_stream(a, rec, 1'000'000'000, "100");
  EXPECT_EQ(sig.spec.name, "100/annotations");
  EXPECT_EQ(sig.spec.type, codec::SampleType::float64);
  EXPECT_EQ(sig.spec.rate_nhz, 0);
  ASSERT_EQ(sig.series.count(), 2274);
  EXPECT_EQ(sig.series.times[0], 1'000'000'000 + 50'000'000);   // 18 / 360 s
  EXPECT_EQ(sig.series.times[1], 1'000'000'000 + 213'888'888);  // 77 / 360 s, floored
  EXPECT_EQ(sig.series.at<double>(0), 28.0);
  EXPECT_EQ(sig.series.at<double>(1), 1.0);
  const std::map<std::string, std::string> attrs(sig.spec.attributes.begin(), sig.spec.attributes.end());
  EXPECT_EQ(attrs.at("aux.0"), "(N");
  EXPECT_EQ(attrs.at("code.8"), "A");
  EXPECT_EQ(attrs.at("annotation_file"), "100.atr");
}

TEST(StoreImportWfdb, PseudoAnnotationsSetFieldsAndTheTimeResolutionNote) {
  TempDir dir;
  AnnotationBytes b;
  b.word(22, 0).aux("## time resolution: 1000");           // NOTE at 0: times in ms
  b.word(1, 100).word(62, 2).word(60, 0x3ff).word(61, 5);  // N at 100, chan 2, num -1, subtype 5
  b.skip(100000).word(5, 3).aux("(AFIB");                  // V at 100103: chan and num carry over, subtype not
  b.word(0, 0);
  write_bytes(dir.file("rec.atr"), b.bytes);
  const WfdbAnnotations a = read_wfdb_annotations(dir.file("rec.atr"));
  EXPECT_EQ(a.resolution_nhz, std::int64_t{1'000'000'000'000});
  ASSERT_EQ(a.annotations.size(), 3u);
  EXPECT_EQ(a.annotations[0].aux, "## time resolution: 1000");
  const auto& n = a.annotations[1];
  EXPECT_EQ((std::vector<std::int64_t>{n.sample, n.code, n.chan, n.num, n.subtype}),
            (std::vector<std::int64_t>{100, 1, 2, -1, 5}));
  const auto& v = a.annotations[2];
  EXPECT_EQ((std::vector<std::int64_t>{v.sample, v.code, v.chan, v.num, v.subtype}),
            (std::vector<std::int64_t>{100103, 5, 2, -1, 0}));
  EXPECT_EQ(v.aux, "(AFIB");

  WfdbRecord rec;
  rec.name = "rec";
  rec.frame_rate_nhz = std::int64_t{360'000'000'000};  // the note's 1000 Hz wins
  const ImportedSignal sig = wfdb_annotation_stream(a, rec, 0, "bed1");
  EXPECT_EQ(sig.series.times, (std::vector<std::int64_t>{0, 100'000'000, 100'103'000'000}));
  const std::map<std::string, std::string> attrs(sig.spec.attributes.begin(), sig.spec.attributes.end());
  EXPECT_EQ(attrs.at("chan.2"), "2");
  EXPECT_EQ(attrs.at("num.1"), "-1");
  EXPECT_EQ(attrs.at("subtype.1"), "5");
  EXPECT_EQ(attrs.count("subtype.2"), 0u);
  EXPECT_EQ(attrs.at("aux.2"), "(AFIB");
  EXPECT_EQ(attrs.at("code.5"), "V");
  write_bytes(dir.file("rec.qrs"), b.bytes);
  EXPECT_EQ(wfdb_annotation_stream(read_wfdb_annotations(dir.file("rec.qrs")), rec, 0, "bed1").spec.name,
            "bed1/annotations.qrs");
}

TEST(StoreImportWfdb, TruncatedOrMalformedAnnotationFilesAreIoErrorsNeverCrashes) {
  TempDir dir;
  const auto bad = dir.file("bad.atr");
  auto rejects = [&](const std::vector<unsigned char>& bytes, const char* what) {
    write_bytes(bad, bytes);
    EXPECT_THROW(read_wfdb_annotations(bad), IoError) << what;
  };
  rejects({}, "empty");
  rejects(AnnotationBytes().word(1, 5).bytes, "no end word");
  rejects(AnnotationBytes().word(62, 1).word(1, 5).word(0, 0).bytes, "CHN before any annotation");
  rejects(AnnotationBytes().skip(-5).word(1, 2).word(0, 0).bytes, "time before the record");
  auto aux = AnnotationBytes().word(1, 5).word(63, 200).word(0, 0).bytes;  // 200 aux bytes announced, 2 there
  rejects(aux, "aux past the end");
  auto tail = AnnotationBytes().word(1, 5).word(0, 0).bytes;
  tail.push_back('x');
  rejects(tail, "data after the end word");
  EXPECT_THROW(read_wfdb_annotations(dir.file("missing.atr")), IoError);

  const fs::path real = kShared / "wfdb" / "100.atr";
  if (!fs::exists(real)) GTEST_SKIP() << "MIT-BIH record 100 is not at " << kShared << " (set TSWEEP_SHARED_DATA)";
  const auto bytes = file_bytes(real);
  // Every cut of the real file is noticed (it no longer ends with the end word).
  for (std::size_t n = 0; n < bytes.size(); n += 1) {
    write_bytes(bad, std::vector<unsigned char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
    EXPECT_THROW(read_wfdb_annotations(bad), IoError) << "cut at " << n;
  }
  // Damaged bytes: an error or annotations, never a read out of bounds.
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    auto damaged = bytes;
    for (int k = 0; k < 4; ++k) damaged[rng() % damaged.size()] = static_cast<unsigned char>(rng());
    write_bytes(bad, damaged);
    try {
      const auto a = read_wfdb_annotations(bad);
      EXPECT_LE(a.annotations.size(), bytes.size() / 2);
    } catch (const IoError&) {
    }
  }
  auto padded = bytes;
  padded.insert(padded.end(), {0, 0});
  write_bytes(bad, padded);
  EXPECT_EQ(read_wfdb_annotations(bad).annotations.size(), 2274u);  // zero padding after the end word is fine
}

TEST(StoreImportText, LatinOneBecomesUtf8AndFitKeepsCharactersWhole) {
  EXPECT_EQ(clean_text("  \xb5V  "), "\xc2\xb5V");
  EXPECT_EQ(clean_text("\xc2\xb0"), "\xc2\xb0");  // already UTF-8
  EXPECT_EQ(fit("ab\xc2\xb5", 3), "ab");
  EXPECT_EQ(tsweep::civil_to_ns(1970, 1, 1, 0, 0, 1), 1'000'000'000);
  EXPECT_EQ(tsweep::civil_to_ns(2024, 2, 29, 12, 0, 0), 1709208000'000000000);
}

}  // namespace
}  // namespace tsweep::store::import
