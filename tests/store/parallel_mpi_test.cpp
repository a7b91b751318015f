// The parallel side of the store under mpiexec: the bulk writer's transfers
// are collective and its index rows keep each block's summary, every rank
// reads the store through MPI-IO, parallel verify finds exactly the damaged
// blocks (and checks every other block's summary), and failures reach every rank.

#include <gtest/gtest.h>

#include <filesystem>

#include "mpi_env.hpp"
#include "tsweep/codec/codec.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/store/generate.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/verify.hpp"

namespace tsweep::store {
namespace {

// A folder every rank agrees on, removed by rank 0.
class SharedDir {
 public:
  SharedDir() {
    std::string p;
    if (test::world().is_root()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "tsweep-mpi-XXXXXX").string();
      p = mkdtemp(pattern.data());
    }
    m_path = exec::broadcast_string(test::world(), p);
  }
  ~SharedDir() {
    test::world().barrier();
    if (test::world().is_root()) std::filesystem::remove_all(m_path);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return m_path + "/" + name; }

 private:
  std::string m_path;
};

GenerateOptions options() {
  GenerateOptions o;
  o.config.streams = 13;
  o.config.duration_ns = 900'000'000'000;
  o.config.block_samples = 3000;
  o.corrupt_blocks = 4;
  o.round_samples = 150'000;  // several collective writes
  o.threads = test::threads();
  return o;
}

TEST(StoreParallel, BulkWriteIsCollectiveAndEveryRankReadsItBack) {
  SharedDir dir;
  const auto path = dir.file("bulk.h5");
  const GenerateReport report = generate_bulk(test::world(), path, options());
  EXPECT_EQ(report.independent_transfers, 0);
  EXPECT_GT(report.commits, 2);
  EXPECT_EQ(report.corrupted.size(), 4u);

  const Reader reader = Reader::open(test::world(), path);
  const StoreIdentity id = reader.identity();
  EXPECT_EQ(id.blocks, report.blocks);
  EXPECT_EQ(id.samples, report.samples);
  EXPECT_EQ(id.uuid, report.uuid);
  // Each rank decodes other streams and compares them with the generator.
  const synth::Generator g(options().config);
  codec::Decoder decoder;
  for (std::int64_t k = test::world().rank(); k < 13; k += test::world().size()) {
    const auto refs = reader.blocks(k);
    const auto plans = g.blocks(k);
    ASSERT_EQ(refs.size(), plans.size());
    const BlockBytes bytes = reader.read_bytes(refs);
    for (std::size_t b = 0; b < refs.size(); ++b) {
      const bool damaged = std::any_of(report.corrupted.begin(), report.corrupted.end(),
                                       [&](const CorruptBlock& c) { return c.block == refs[b].block; });
      std::vector<std::byte> raw(refs[b].count * codec::sample_size(reader.stream(k).type)), want(raw.size());
      g.fill(k, plans[b], want);
      // The index row keeps the summary of the samples as generated, damaged block or not.
      EXPECT_TRUE(refs[b].has_summary);
      EXPECT_EQ(refs[b].summary,
                codec::summarize(reader.stream(k).type, want.data(), refs[b].count, raw_range(reader.stream(k))))
          << "stream " << k << " block " << b;
      if (damaged) {
        EXPECT_THROW(decoder.decode(bytes.block(b), Span<std::byte>(raw)), codec::ChecksumError);
      } else {
        decoder.decode(bytes.block(b), Span<std::byte>(raw));
        EXPECT_EQ(raw, want) << "stream " << k << " block " << b;
      }
    }
  }
}

TEST(StoreParallel, VerifyFindsExactlyTheDamagedBlocksAtAnyRankCount) {
  SharedDir dir;
  const auto path = dir.file("bulk.h5");
  const GenerateReport made = generate_bulk(test::world(), path, options());
  VerifyOptions vo;
  vo.threads = test::threads();
  const VerifyReport v = verify_store(test::world(), path, vo);
  EXPECT_EQ(v.blocks, made.blocks);
  EXPECT_EQ(v.samples, made.samples);
  EXPECT_EQ(v.bad_blocks, 4);
  // Every row the parallel writer wrote carries a sound checksum and agrees with the other tables.
  EXPECT_TRUE(v.row_checksums);
  // Every block that decodes has its summary checked against its samples (and it agrees).
  EXPECT_TRUE(v.block_summaries);
  EXPECT_EQ(v.summaries, made.blocks - 4);
  EXPECT_EQ(v.bad_rows, 0);
  if (test::world().is_root()) {
    EXPECT_TRUE(v.row_problems.empty()) << v.row_problems.front().table << " " << v.row_problems.front().reason;
    ASSERT_EQ(v.bad.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(v.bad[i].block, made.corrupted[i].block);
      EXPECT_EQ(v.bad[i].name, made.corrupted[i].name);
      EXPECT_EQ(v.bad[i].first_ns, made.corrupted[i].first_ns);
    }
  }
}

TEST(StoreParallel, AMissingStoreFailsOnEveryRank) {
  SharedDir dir;
  EXPECT_THROW(Reader::open(test::world(), dir.file("missing.h5")), Error);
  EXPECT_THROW(verify_store(test::world(), dir.file("missing.h5"), {}), Error);
  // An existing output is refused on every rank, and left alone.
  const auto path = dir.file("bulk.h5");
  generate_bulk(test::world(), path, options());
  const auto size = std::filesystem::file_size(path);
  EXPECT_THROW(generate_bulk(test::world(), path, options()), Error);
  EXPECT_EQ(std::filesystem::file_size(path), size);
}

}  // namespace
}  // namespace tsweep::store
