// Writing the results file: content, collective transfers, independence from
// the rank count, raw-data-only epochs, provenance.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "h5read.hpp"
#include "mpi_env.hpp"
#include "results_fixture.hpp"

namespace {

using tsweep::test::world;
namespace output = tsweep::output;
namespace r = tsweep::test::h5read;
namespace fs = std::filesystem;

bool h5diff_available() {
  return std::system("command -v h5diff > /dev/null 2>&1") == 0;
}

TEST(ResultsFile, EpochsInAnyRankOrderReadBackExactlyAsPlanned) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  {
    auto file = output::ResultsFile::create(comm, path, plan, identity, false);
    EXPECT_EQ(file.path(), path);
    EXPECT_EQ(file.committed().size(), plan.units.size());
    EXPECT_EQ(std::count(file.committed().begin(), file.committed().end(), true), 0);
    if (comm.is_root()) {
      EXPECT_TRUE(fs::exists(path + ".partial"));
      EXPECT_FALSE(fs::exists(path)) << "nothing that looks finished before finish()";
    }
    EXPECT_EQ(tsweep::test::run_epochs(file, comm, plan, 4), static_cast<std::int64_t>(plan.units.size()));
    file.write_provenance(R"({"ranks": [0]})");
    file.finish();
  }
  if (comm.is_root()) {
    EXPECT_TRUE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
    EXPECT_FALSE(fs::exists(path + ".creating"));
    tsweep::test::expect_content(path, plan, identity);
  }
}

TEST(ResultsFile, EveryTransferIsCollectiveAlsoForRanksWithNothingAndEmptyEpochs) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  auto file = output::ResultsFile::create(comm, dir.file("r.h5"), plan, tsweep::test::synthetic_identity(), false);

  // Nobody has anything.
  output::EpochReport report = file.write_epoch({});
  EXPECT_TRUE(report.all_collective);
  EXPECT_EQ(report.no_collective_cause, 0u);
  EXPECT_EQ(report.units, 0);
  EXPECT_EQ(report.rows, 0);

  // Only rank 0 has something: units 0, 2 and 3 (two row ranges).
  std::vector<std::int64_t> mine;
  if (comm.is_root()) mine = {3, 0, 2};
  report = file.write_epoch(tsweep::test::finish_units(plan, mine));
  EXPECT_TRUE(report.all_collective);
  EXPECT_EQ(report.no_collective_cause, 0u);
  EXPECT_EQ(report.units, 3);
  EXPECT_EQ(report.rows, plan.units[0].windows + plan.units[2].windows + plan.units[3].windows);
  for (const auto u : {0, 2, 3}) EXPECT_TRUE(file.committed()[u]) << "unit " << u << " on rank " << comm.rank();
  EXPECT_FALSE(file.committed()[1]);

  tsweep::test::run_epochs(file, comm, plan, 3);
  file.finish();
}

TEST(ResultsFile, ContentIsBitwiseIdenticalForOneTwoAndFourRanks) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::large_plan(20000);
  const auto identity = tsweep::test::synthetic_identity();
  std::vector<std::string> files;
  for (const int ranks : {1, 2, 4}) {
    if (ranks > comm.size()) continue;
    const std::string path = dir.file("np" + std::to_string(ranks) + ".h5");
    files.push_back(path);
    MPI_Comm sub = MPI_COMM_NULL;
    MPI_Comm_split(comm.get(), comm.rank() < ranks ? 0 : MPI_UNDEFINED, comm.rank(), &sub);
    if (sub != MPI_COMM_NULL) {
      const auto group = tsweep::exec::Comm::duplicate(sub);
      MPI_Comm_free(&sub);
      auto file = output::ResultsFile::create(group, path, plan, identity, false);
      tsweep::test::run_epochs(file, group, plan, 3 + ranks);
      file.write_provenance(R"({"ranks": )" + std::to_string(ranks) + "}");
      file.finish();
    }
    comm.barrier();
  }
  if (!comm.is_root()) return;
  tsweep::test::expect_content(files.front(), plan, identity);
  const auto names = r::datasets(files.front());
  for (std::size_t i = 1; i < files.size(); ++i) {
    EXPECT_EQ(r::datasets(files[i]), names);
    for (const auto& name : names) {
      if (name.rfind("/provenance/", 0) == 0) continue;
      EXPECT_EQ(r::raw(files[i], name), r::raw(files.front(), name)) << name << " differs in " << files[i];
    }
    EXPECT_EQ(r::attribute_names(files[i], "/"), r::attribute_names(files.front(), "/"));
    if (h5diff_available()) {
      const std::string cmd = "h5diff --exclude-path /provenance " + files.front() + " " + files[i];
      EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
  }
}

TEST(ResultsFile, OnlyTheColumnsOfTheAnalysesThatRunAreWritten) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  for (const auto& analyses : {tsweep::analysis::Analyses{true, false}, tsweep::analysis::Analyses{false, true}}) {
    const auto identity = tsweep::test::synthetic_identity(analyses);
    const std::string path = dir.file(analyses.stats ? "stats.h5" : "quality.h5");
    auto file = output::ResultsFile::create(comm, path, plan, identity, false);
    tsweep::test::run_epochs(file, comm, plan, 2);
    file.finish();
    if (comm.is_root()) {
      tsweep::test::expect_content(path, plan, identity);
      EXPECT_EQ(r::string_attribute(path, "/", "analyses"), analyses.stats ? "stats" : "quality");
    }
  }
}

// A SIGKILL at any moment must leave a file that reopens: after create, an
// epoch may write raw data only, never the metadata that locates it.
TEST(ResultsFile, EpochsChangeOnlyRawDataNeverMetadata) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::large_plan(140000);  // columns over 1 MiB: aligned
  const std::string path = dir.file("r.h5");
  std::vector<unsigned char> created;
  std::vector<unsigned char> written;
  {
    auto file = output::ResultsFile::create(comm, path, plan, tsweep::test::synthetic_identity(), false);
    if (comm.is_root()) created = r::file_bytes(path + ".partial");
    comm.barrier();
    tsweep::test::run_epochs(file, comm, plan, 4, 0, 1);
    file.write_provenance(R"({"phase": "mid-run"})");
    comm.barrier();
    if (comm.is_root()) written = r::file_bytes(path + ".partial");
    comm.barrier();
    tsweep::test::run_epochs(file, comm, plan, 4, 2, 3);
    file.finish();
  }
  if (!comm.is_root()) return;
  EXPECT_EQ(written.size(), created.size()) << "the file grew during epochs";

  std::vector<r::Extent> raw;
  for (const auto& name : r::datasets(path)) {
    if (name.rfind("/windows/", 0) == 0 || name == "/units/committed" || name == "/provenance/json") {
      raw.push_back(r::storage(path, name));
      if (raw.back().size >= (1u << 20)) {
        EXPECT_EQ(raw.back().offset % (1u << 20), 0u) << name << " is not aligned";
      }
    }
  }
  std::size_t changed = 0;
  std::size_t outside = 0;
  for (std::size_t i = 0; i < std::min(created.size(), written.size()); ++i) {
    if (created[i] == written[i]) continue;
    ++changed;
    const bool in_raw =
        std::any_of(raw.begin(), raw.end(), [&](const r::Extent& e) { return i >= e.offset && i < e.offset + e.size; });
    if (!in_raw && outside++ < 5) ADD_FAILURE() << "byte " << i << " outside raw data changed during an epoch";
  }
  EXPECT_GT(changed, 0u);
  EXPECT_EQ(outside, 0u);
}

TEST(ResultsFile, ProvenanceIsNulPaddedAndTruncatedToValidJsonWhenTooLong) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  nlohmann::json big;
  big["tsweep_version"] = "0.1.0";
  big["phases"] = {{"plan", 0.5}, {"run", 12.0}};
  for (int i = 0; i < 6000; ++i) big["ranks"].push_back({{"rank", i}, {"host", "node-0042"}, {"threads", 2}});
  const std::string long_text = big.dump();
  const std::string short_text = R"({"tsweep_version": "0.1.0", "ranks": [{"rank": 0}]})";

  const std::string padded = dir.file("padded.h5");
  const std::string truncated = dir.file("truncated.h5");
  for (const auto& path : {padded, truncated}) {
    auto file = output::ResultsFile::create(comm, path, plan, tsweep::test::synthetic_identity(), false);
    tsweep::test::run_epochs(file, comm, plan, 1);
    file.write_provenance(comm.is_root() ? long_text : "ignored on other ranks");
    if (path == padded) file.write_provenance(comm.is_root() ? short_text : "");
    file.finish();
  }
  if (!comm.is_root()) return;

  const std::int64_t capacity = 64 * 1024 + 2 * 1024 * comm.size();
  const std::int64_t rounded = (capacity + 65535) / 65536 * 65536;
  EXPECT_EQ(r::int64_attribute(padded, "/provenance/json", "capacity"), rounded);
  const auto bytes = r::raw(padded, "/provenance/json");
  ASSERT_EQ(static_cast<std::int64_t>(bytes.size()), rounded);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(short_text.size())), short_text);
  EXPECT_TRUE(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(short_text.size()), bytes.end(),
                          [](unsigned char c) { return c == 0; }))
      << "the longer text must leave nothing behind";

  const auto cut = r::raw(truncated, "/provenance/json");
  const std::string text(reinterpret_cast<const char*>(cut.data()));
  ASSERT_GT(long_text.size(), cut.size());
  const auto doc = nlohmann::json::parse(text);  // throws if not valid JSON
  EXPECT_TRUE(doc.contains("truncated"));
  EXPECT_FALSE(doc.contains("ranks"));
  EXPECT_EQ(doc["tsweep_version"], "0.1.0");
  EXPECT_EQ(doc["phases"], big["phases"]);
}

}  // namespace
