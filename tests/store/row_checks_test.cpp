// Every table row a reader relies on is checked: a byte flipped in a stream,
// run, index or attribute row is refused (IoError naming the file, table and
// row) or turns its block into a corrupt one, never silently changes what is
// read; verify names every damaged row. Version-1 stores (no row checksums)
// are still read, verified by cross-checks, and appended to in version 1;
// version-2 stores (row checksums, no block summaries) likewise in version 2.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "store_test_util.hpp"
#include "table_edit.hpp"
#include "tsweep/codec/codec.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/verify.hpp"
#include "tsweep/store/writer.hpp"

namespace tsweep::store {
namespace {

using test::TempDir;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
constexpr std::int64_t k250Hz = 250'000'000'000;

StreamSpec spec(const std::string& name) {
  StreamSpec s;
  s.name = name;
  s.unit = "mV";
  s.type = codec::SampleType::int16;
  s.scale = 0.005;
  s.rate_nhz = k250Hz;
  s.attributes = {{"source", "test"}, {"lead", name}};
  return s;
}

void append_series(Writer& w, std::int64_t id, const Series& s, std::uint32_t block_samples) {
  codec::Encoder enc;
  encode_series(s, block_samples, enc, [&](Span<const std::byte> b) { w.append(id, b); });
}

// Two streams: "a" in one commit of 300 blocks (a sorted run that is binary-searched),
// "b" in three commits of 10 blocks (three runs).
void make_store(const std::string& path, bool swmr = false) {
  WriterOptions o;
  o.swmr = swmr;
  Writer w = Writer::create(path, o);
  const auto a = w.add_stream(spec("bed01/ECG"));
  const auto b = w.add_stream(spec("bed01/PLETH"));
  append_series(w, a, test::regular_int16(300 * 500, kT0, k250Hz, 1), 500);
  w.commit();
  std::int64_t t = kT0;
  for (int c = 0; c < 3; ++c) {
    append_series(w, b, test::regular_int16(10 * 400, t, k250Hz, c), 400);
    w.commit();
    t = codec::sample_time(t, k250Hz, 10 * 400) + 1'000'000'000;
  }
  w.close();
}

VerifyReport verify(const std::string& path) {
  VerifyOptions o;
  return verify_store(path, o);
}

bool names_row(const VerifyReport& r, const std::string& table, std::int64_t row, const std::string& needle = "") {
  return std::any_of(r.row_problems.begin(), r.row_problems.end(), [&](const BadRow& b) {
    return b.table == table && b.row == row && b.reason.find(needle) != std::string::npos;
  });
}

std::string all_problems(const VerifyReport& r) {
  std::string text;
  for (const auto& b : r.row_problems) text += b.table + " " + std::to_string(b.row) + ": " + b.reason + "\n";
  for (const auto& b : r.bad) text += "block " + std::to_string(b.block) + ": " + b.reason + "\n";
  return text;
}

template <class F>
std::string io_error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

TEST(StoreRowChecks, EveryWriterSealsEveryRowAndVerifyFindsNothing) {
  for (const bool swmr : {false, true}) {
    TempDir dir;
    const auto path = dir.file("s.h5");
    make_store(path, swmr);
    {
      // An append to the existing store, too.
      WriterOptions o;
      o.swmr = swmr;
      Writer w = Writer::open(path, o);
      append_series(w, 0, test::regular_int16(1000, kT0 + 3'600'000'000'000, k250Hz), 500);
      w.commit();
      w.close();
    }
    const Reader r = Reader::open(path);
    EXPECT_EQ(r.format_version(), 3);
    EXPECT_TRUE(r.row_checksums());
    EXPECT_TRUE(r.summaries());
    EXPECT_EQ(r.identity().format_version, 3);
    for (const auto& b : r.index_rows(0, r.table_sizes().index)) {
      EXPECT_EQ(b.damage, RowDamage::none);
      EXPECT_TRUE(b.has_summary);
    }
    for (std::int64_t row = 0; row < r.table_sizes().runs; ++row) EXPECT_TRUE(r.run_at(row).row_ok);
    const VerifyReport v = verify(path);
    EXPECT_TRUE(v.ok()) << all_problems(v);
    EXPECT_TRUE(v.row_checksums);
    EXPECT_TRUE(v.block_summaries);
    EXPECT_EQ(v.format_version, 3);
    EXPECT_EQ(v.runs, 5);
    EXPECT_EQ(v.blocks, 332);
    EXPECT_EQ(v.summaries, 332);
  }
}

TEST(StoreRowChecks, DamagedStreamRowIsRefusedNamingTableAndRow) {
  for (const char* field : {"sample_count", "first_ns", "last_run", "name"}) {
    TempDir dir;
    const auto path = dir.file("s.h5");
    make_store(path);
    test::flip_field_byte(path, "/streams", 1, field, 1);
    const std::string why = io_error_of([&] { (void)Reader::open(path); });
    EXPECT_NE(why.find(path), std::string::npos) << why;
    EXPECT_NE(why.find("/streams row 1 fails its row checksum"), std::string::npos) << why;
    EXPECT_NE(why.find("tsweep verify"), std::string::npos) << why;
    EXPECT_NE(io_error_of([&] { (void)Writer::open(path); }).find("/streams row 1"), std::string::npos);
    const VerifyReport v = verify(path);
    EXPECT_FALSE(v.ok());
    EXPECT_TRUE(names_row(v, "/streams", 1, "fails its row checksum")) << field << "\n" << all_problems(v);
    EXPECT_FALSE(names_row(v, "/streams", 0)) << all_problems(v);
  }
}

TEST(StoreRowChecks, DamagedRunRowIsRefusedWhenItsStreamIsRead) {
  for (const char* field : {"first_ns", "last_ns", "block_count", "prev_run", "row_checksum"}) {
    TempDir dir;
    const auto path = dir.file("s.h5");
    make_store(path);
    test::flip_field_byte(path, "/blocks/runs", 2, field, 0, 0x04);  // the second run of stream 1
    const Reader r = Reader::open(path);
    EXPECT_EQ(r.blocks(0).size(), 300u);  // the other stream is unharmed
    const std::string why = io_error_of([&] { (void)r.blocks(1, kT0, kT0 + 1); });
    EXPECT_NE(why.find("/blocks/runs row 2"), std::string::npos) << field << ": " << why;
    EXPECT_NE(why.find("fails its row checksum"), std::string::npos) << why;
    EXPECT_NE(io_error_of([&] { (void)r.block_before(1, INT64_MAX); }).find("/blocks/runs row 2"), std::string::npos);
    const VerifyReport v = verify(path);
    EXPECT_TRUE(names_row(v, "/blocks/runs", 2, "fails its row checksum")) << all_problems(v);
  }
}

TEST(StoreRowChecks, DamagedIndexRowGivesACorruptBlockWhereverItIsLookedUp) {
  TempDir dir;
  const auto clean_path = dir.file("clean.h5");
  make_store(clean_path);
  const Reader clean = Reader::open(clean_path);
  const auto want = clean.blocks(0);
  ASSERT_EQ(want.size(), 300u);
  constexpr std::int64_t kHit = 137;  // inside the sorted run of stream 0, away from its ends
  const struct {
    const char* field;
    std::size_t byte;
  } flips[] = {{"checksum", 0}, {"length", 0}, {"offset", 1}, {"first_ns", 7},
               {"last_ns", 2},  {"count", 3},  {"stream", 0}, {"row_checksum", 5}};
  for (const auto& flip : flips) {
    SCOPED_TRACE(flip.field);
    const auto path = dir.file(std::string(flip.field) + ".h5");
    make_store(path);
    test::flip_field_byte(path, "/blocks/index", kHit, flip.field, flip.byte, 0x10);
    const Reader r = Reader::open(path);
    // Every query that would have returned the block returns it, damaged; the others are unchanged.
    const std::int64_t first = want[kHit].first_ns, last = want[kHit].last_ns;
    for (const auto& [t0, t1] : std::vector<std::pair<std::int64_t, std::int64_t>>{{INT64_MIN, INT64_MAX},
                                                                                   {first, first + 1},
                                                                                   {last, last + 1},
                                                                                   {first - 7'000'000'000, last},
                                                                                   {kT0, first}}) {
      const auto got = r.blocks(0, t0, t1);
      std::vector<std::int64_t> sound, expected;
      bool hit_listed = false;
      for (const auto& b : got) {
        if (b.block == kHit) {
          hit_listed = true;
          EXPECT_NE(b.damage, RowDamage::none);
          EXPECT_EQ(b.count, 0u);
          EXPECT_EQ(b.length, 0u);
          EXPECT_LE(b.first_ns, first);  // the span it is given holds the block's real one
          EXPECT_GE(b.last_ns, last);
        } else {
          EXPECT_EQ(b.damage, RowDamage::none);
          sound.push_back(b.block);
        }
      }
      for (const auto& b : want) {
        if (b.overlaps(t0, t1) && b.block != kHit) expected.push_back(b.block);
      }
      EXPECT_EQ(sound, expected) << t0 << " .. " << t1;
      if (want[kHit].overlaps(t0, t1)) {
        EXPECT_TRUE(hit_listed) << t0 << " .. " << t1;
      }
      const BlockBytes bytes = r.read_bytes(got);  // nothing is read for the damaged one
      EXPECT_EQ(bytes.size(), got.size());
    }
    // Binary search over a run with a damaged row still finds the blocks around it.
    for (const std::int64_t k : {std::int64_t{10}, kHit - 1, kHit + 1, std::int64_t{290}}) {
      const auto before = r.block_before(0, want[k].last_ns + 1);
      ASSERT_TRUE(before.has_value());
      EXPECT_EQ(before->block, want[k].block);
    }
    const VerifyReport v = verify(path);
    ASSERT_EQ(v.bad_blocks, 1) << all_problems(v);
    EXPECT_EQ(v.bad[0].block, kHit);
    EXPECT_NE(v.bad[0].reason.find("/blocks/index row 137"), std::string::npos) << v.bad[0].reason;
  }
}

TEST(StoreRowChecks, DamagedAttributeRowIsRefusedAndNamed) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  make_store(path);
  test::flip_field_byte(path, "/stream_attrs", 3, "value", 0, 0x20);  // stream 1's second attribute
  const Reader r = Reader::open(path);
  EXPECT_EQ(r.attributes(0).size(), 2u);
  EXPECT_NE(io_error_of([&] { (void)r.attributes(1); }).find("/stream_attrs row 3 fails its row checksum"),
            std::string::npos);
  const VerifyReport v = verify(path);
  EXPECT_TRUE(names_row(v, "/stream_attrs", 3, "fails its row checksum")) << all_problems(v);
  EXPECT_EQ(v.bad_rows, 1);
}

TEST(StoreRowChecks, RowsThatDisagreeAcrossTablesAreNamedByVerify) {
  // Version 1 has no row checksums: what is left are the cross-checks.
  TempDir dir;
  const auto path = dir.file("s.h5");
  make_store(path);
  test::downgrade_to_v1(path);
  test::flip_field_byte(path, "/blocks/runs", 0, "sample_count", 0, 0x01);  // 150000 -> 150001
  test::flip_field_byte(path, "/blocks/index", 300, "count", 0, 0x02);      // first block of stream 1
  const VerifyReport v = verify(path);
  EXPECT_FALSE(v.row_checksums);
  EXPECT_TRUE(names_row(v, "/streams", 0, "sample_count 150000; its runs add up to 150001")) << all_problems(v);
  EXPECT_TRUE(names_row(v, "/blocks/runs", 0, "sample_count 150001; its index rows")) << all_problems(v);
  ASSERT_EQ(v.bad_blocks, 1) << all_problems(v);
  EXPECT_EQ(v.bad[0].block, 300);
  EXPECT_NE(v.bad[0].reason.find("sample count"), std::string::npos) << v.bad[0].reason;
  // The reader refuses the run that disagrees with its stream row.
  const Reader r = Reader::open(path);
  EXPECT_NE(io_error_of([&] { (void)r.blocks(0); }).find("sample_count"), std::string::npos);
}

TEST(StoreRowChecks, VersionOneStoreIsReadVerifiedAndAppendedInVersionOne) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  make_store(path);
  std::vector<BlockRef> before;
  {
    const Reader r = Reader::open(path);
    before = r.blocks(1);
  }
  test::downgrade_to_v1(path);
  {
    const Reader r = Reader::open(path);
    EXPECT_EQ(r.format_version(), 1);
    EXPECT_FALSE(r.row_checksums());
    EXPECT_EQ(r.identity().format_version, 1);
    EXPECT_EQ(r.attributes(1).size(), 2u);
    const auto got = r.blocks(1);
    ASSERT_EQ(got.size(), before.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].block, before[i].block);
      EXPECT_EQ(got[i].offset, before[i].offset);
      EXPECT_EQ(got[i].checksum, before[i].checksum);
      EXPECT_EQ(got[i].damage, RowDamage::none);
    }
    const VerifyReport v = verify(path);
    EXPECT_TRUE(v.ok()) << all_problems(v);
    EXPECT_FALSE(v.row_checksums);
    EXPECT_EQ(v.format_version, 1);
  }
  // Appending keeps the store in version 1: rows are written without checksums.
  {
    WriterOptions o;
    o.swmr = true;
    Writer w = Writer::open(path, o);
    const auto c = w.add_stream(spec("bed02/ECG"));
    append_series(w, c, test::regular_int16(5000, kT0, k250Hz), 1000);
    append_series(w, 1, test::regular_int16(800, kT0 + 600'000'000'000, k250Hz), 400);
    w.commit();
    w.close();
  }
  const Reader r = Reader::open(path);
  EXPECT_EQ(r.format_version(), 1);
  EXPECT_EQ(r.blocks(2).size(), 5u);
  EXPECT_EQ(r.blocks(1).size(), before.size() + 2);
  EXPECT_EQ(r.attributes(2).size(), 2u);
  const VerifyReport v = verify(path);
  EXPECT_TRUE(v.ok()) << all_problems(v);
  EXPECT_EQ(v.format_version, 1);
}

// True when /blocks/index of the store at `path` has field `field`.
bool index_has_field(const std::string& path, const char* field) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dset = H5Dopen2(file, "/blocks/index", H5P_DEFAULT);
  const hid_t type = H5Dget_type(dset);
  const bool has = H5Tget_member_index(type, field) >= 0;
  const std::size_t size = H5Tget_size(type);
  H5Tclose(type);
  H5Dclose(dset);
  H5Fclose(file);
  EXPECT_EQ(size, has ? 166u : 54u);
  return has;
}

TEST(StoreRowChecks, VersionTwoStoreIsReadVerifiedAndAppendedInVersionTwo) {
  TempDir dir;
  const auto path = dir.file("s.h5");
  make_store(path);
  std::vector<BlockRef> before0, before1;
  {
    const Reader r = Reader::open(path);
    before0 = r.blocks(0);
    before1 = r.blocks(1);
  }
  test::downgrade(path, 2);
  ASSERT_FALSE(index_has_field(path, "longest_flat"));
  const auto same_rows = [](const std::vector<BlockRef>& got, const std::vector<BlockRef>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].block, want[i].block);
      EXPECT_EQ(got[i].first_ns, want[i].first_ns);
      EXPECT_EQ(got[i].last_ns, want[i].last_ns);
      EXPECT_EQ(got[i].count, want[i].count);
      EXPECT_EQ(got[i].offset, want[i].offset);
      EXPECT_EQ(got[i].length, want[i].length);
      EXPECT_EQ(got[i].checksum, want[i].checksum);
      EXPECT_EQ(got[i].damage, RowDamage::none);
      EXPECT_FALSE(got[i].has_summary);
    }
  };
  {
    const Reader r = Reader::open(path);
    EXPECT_EQ(r.format_version(), 2);
    EXPECT_TRUE(r.row_checksums());
    EXPECT_FALSE(r.summaries());
    EXPECT_EQ(r.identity().format_version, 2);
    same_rows(r.blocks(0), before0);
    same_rows(r.blocks(1), before1);
    for (const auto& b : r.index_rows(0, r.table_sizes().index)) EXPECT_EQ(b.damage, RowDamage::none);
    const VerifyReport v = verify(path);
    EXPECT_TRUE(v.ok()) << all_problems(v);
    EXPECT_TRUE(v.row_checksums);
    EXPECT_FALSE(v.block_summaries);
    EXPECT_EQ(v.format_version, 2);
    EXPECT_EQ(v.summaries, 0);
    EXPECT_EQ(v.blocks, 330);
  }
  // Version-2 row checksums still cover the index rows: a flipped byte is a damaged row.
  {
    const auto damaged = dir.file("damaged.h5");
    std::filesystem::copy_file(path, damaged);
    test::flip_field_byte(damaged, "/blocks/index", 137, "count", 1, 0x10);
    const Reader r = Reader::open(damaged);
    EXPECT_EQ(r.index_rows(137, 1).front().damage, RowDamage::checksum);
    const VerifyReport v = verify(damaged);
    ASSERT_EQ(v.bad_blocks, 1) << all_problems(v);
    EXPECT_NE(v.bad[0].reason.find("/blocks/index row 137 fails its row checksum"), std::string::npos)
        << v.bad[0].reason;
  }
  // Appending keeps the store in version 2: index rows without summaries, sealed over the version-2 bytes.
  for (const bool swmr : {false, true}) {
    WriterOptions o;
    o.swmr = swmr;
    Writer w = Writer::open(path, o);
    const auto c = w.add_stream(spec(swmr ? "bed03/ECG" : "bed02/ECG"));
    append_series(w, c, test::regular_int16(5000, kT0, k250Hz), 1000);
    append_series(w, 1, test::regular_int16(800, kT0 + (swmr ? 700 : 600) * 1'000'000'000'000, k250Hz), 400);
    w.commit();
    w.close();
  }
  EXPECT_FALSE(index_has_field(path, "longest_flat"));
  const Reader r = Reader::open(path);
  EXPECT_EQ(r.format_version(), 2);
  EXPECT_EQ(r.blocks(2).size(), 5u);
  EXPECT_EQ(r.blocks(3).size(), 5u);
  EXPECT_EQ(r.blocks(1).size(), before1.size() + 4);
  for (const auto& b : r.index_rows(0, r.table_sizes().index)) {
    EXPECT_EQ(b.damage, RowDamage::none) << b.block;
    EXPECT_FALSE(b.has_summary);
  }
  const VerifyReport v = verify(path);
  EXPECT_TRUE(v.ok()) << all_problems(v);
  EXPECT_EQ(v.format_version, 2);
  EXPECT_EQ(v.blocks, 330 + 14);
}

}  // namespace
}  // namespace tsweep::store
