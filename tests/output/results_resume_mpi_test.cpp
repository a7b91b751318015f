// Stopping and resuming, and refusing what must be refused: an existing
// output, a partial file from another job, invalid epochs, an early finish.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "h5read.hpp"
#include "mpi_env.hpp"
#include "results_fixture.hpp"

namespace {

using tsweep::ExitCode;
using tsweep::test::expect_error_everywhere;
using tsweep::test::world;
namespace output = tsweep::output;
namespace fs = std::filesystem;

// A run stopped after `epochs_done` of `epochs` epochs: the file is closed, not finished.
void stopped_run(const tsweep::exec::Comm& comm, const std::string& path, const tsweep::plan::Plan& plan,
                 const output::JobIdentity& identity, int epochs, int epochs_done) {
  auto file = output::ResultsFile::create(comm, path, plan, identity, false);
  tsweep::test::run_epochs(file, comm, plan, epochs, 0, epochs_done - 1);
}

TEST(ResultsFile, ResumeSeesExactlyTheCommittedUnitsAndFinishesToTheSameContent) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  std::vector<bool> expected(plan.units.size(), false);
  {
    auto file = output::ResultsFile::create(comm, path, plan, identity, false);
    tsweep::test::run_epochs(file, comm, plan, 5, 0, 1);
    expected = file.committed();
  }
  const auto done = std::count(expected.begin(), expected.end(), true);
  ASSERT_GT(done, 0);
  ASSERT_LT(done, static_cast<long>(plan.units.size()));
  if (comm.is_root()) {
    EXPECT_TRUE(fs::exists(path + ".partial"));
    EXPECT_FALSE(fs::exists(path));
  }
  {
    auto file = output::ResultsFile::resume(comm, path, plan, identity);
    EXPECT_EQ(file.committed(), expected) << "rank " << comm.rank();
    // A resumed run may split the rest differently (here: other epochs).
    EXPECT_EQ(tsweep::test::run_epochs(file, comm, plan, 3), static_cast<std::int64_t>(plan.units.size()) - done);
    file.finish();
  }
  if (comm.is_root()) tsweep::test::expect_content(path, plan, identity);
}

TEST(ResultsFile, ResumeRefusesADifferentConfigStorePlanWindowOrAnalyses) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  stopped_run(comm, path, plan, identity, 4, 1);
  const std::string partial = path + ".partial";
  auto resume = [&](const tsweep::plan::Plan& p, const output::JobIdentity& id) {
    return [&comm, &path, p, id] { output::ResultsFile::resume(comm, path, p, id); };
  };

  auto other = identity;
  other.config =
      "analyses:\n  - stats\n  - quality\nselection:\n  streams:\n    - \"bed*\"\n  time_range: all\nwindow: 2us\n";
  expect_error_everywhere(comm, resume(plan, other), ExitCode::usage,
                          partial +
                              " was made from a different config (key window): rerun without --resume and with "
                              "--force");
  other.config =
      "analyses:\n  - stats\n  - quality\nselection:\n  streams:\n    - \"icu*\"\n  time_range: all\nwindow: 1us\n";
  expect_error_everywhere(comm, resume(plan, other), ExitCode::usage, "different config (key selection.streams)");

  other = identity;
  other.store_uuid = "00000000-0000-0000-0000-000000000000";
  expect_error_everywhere(comm, resume(plan, other), ExitCode::usage, "was made from a different store (uuid");
  other = identity;
  other.store_blocks += 10;
  expect_error_everywhere(comm, resume(plan, other), ExitCode::usage, "was made when the store held 123456 blocks");
  other = identity;
  other.analyses.quality = false;
  expect_error_everywhere(comm, resume(plan, other), ExitCode::usage,
                          "was made with analyses stats,quality, this job runs stats");

  tsweep::test::PlanShape other_units;  // same store and config, other units: say, another planner
  other_units.unit_sizes = {2, 2, 5};
  const auto replanned = tsweep::test::synthetic_plan(other_units);
  expect_error_everywhere(comm, resume(replanned, identity), ExitCode::usage, "was made for a different plan");
  {
    tsweep::test::PlanShape shape;
    shape.window_ns = 2000;
    expect_error_everywhere(comm, resume(tsweep::test::synthetic_plan(shape), identity), ExitCode::usage,
                            "was made with windows of 1000 ns, this job uses 2000 ns");
  }

  // None of this touched the file: it still resumes and finishes.
  auto file = output::ResultsFile::resume(comm, path, plan, identity);
  tsweep::test::run_epochs(file, comm, plan, 2);
  file.finish();
  if (comm.is_root()) tsweep::test::expect_content(path, plan, identity);
}

TEST(ResultsFile, ResumeWithNothingToResumeOrAFinishedFileSaysSo) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  expect_error_everywhere(
      comm, [&] { output::ResultsFile::resume(comm, path, plan, identity); }, ExitCode::usage,
      "no partial results at " + path + ".partial to resume; rerun without --resume");
  {
    auto file = output::ResultsFile::create(comm, path, plan, identity, false);
    tsweep::test::run_epochs(file, comm, plan, 1);
    file.finish();
  }
  expect_error_everywhere(
      comm, [&] { output::ResultsFile::resume(comm, path, plan, identity); }, ExitCode::usage,
      path + " is already complete");

  // A foreign file under the partial name.
  const std::string foreign = dir.file("foreign.h5");
  if (comm.is_root()) {
    const hid_t f = H5Fcreate((foreign + ".partial").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
  }
  comm.barrier();
  expect_error_everywhere(
      comm, [&] { output::ResultsFile::resume(comm, foreign, plan, identity); }, ExitCode::usage,
      "is not a tsweep results file");
}

TEST(ResultsFile, CreateRefusesAnExistingOutputUnlessForced) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  {
    auto file = output::ResultsFile::create(comm, path, plan, identity, false);
    tsweep::test::run_epochs(file, comm, plan, 1);
    file.finish();
  }
  expect_error_everywhere(
      comm, [&] { output::ResultsFile::create(comm, path, plan, identity, false); }, ExitCode::usage,
      path + " exists; pass --force to overwrite it");
  if (comm.is_root()) {
    EXPECT_TRUE(fs::exists(path)) << "a refused create must not remove the old result";
  }

  {  // --force: the old result goes, a new run starts from nothing
    auto file = output::ResultsFile::create(comm, path, plan, identity, true);
    EXPECT_EQ(std::count(file.committed().begin(), file.committed().end(), true), 0);
    if (comm.is_root()) {
      EXPECT_FALSE(fs::exists(path));
    }
    tsweep::test::run_epochs(file, comm, plan, 2, 0, 0);
  }
  expect_error_everywhere(
      comm, [&] { output::ResultsFile::create(comm, path, plan, identity, false); }, ExitCode::usage,
      path + ".partial exists (an unfinished run); pass --resume to continue it or --force to start over");
  {
    auto file = output::ResultsFile::create(comm, path, plan, identity, true);
    EXPECT_EQ(std::count(file.committed().begin(), file.committed().end(), true), 0);
    tsweep::test::run_epochs(file, comm, plan, 2);
    file.finish();
  }
  if (comm.is_root()) tsweep::test::expect_content(path, plan, identity);

  expect_error_everywhere(
      comm, [&] { output::ResultsFile::create(comm, dir.file("no/such/dir/results.h5"), plan, identity, false); },
      ExitCode::usage, "directory " + dir.file("no/such/dir") + " does not exist");
}

TEST(ResultsFile, InvalidEpochInputOnOneRankThrowsOnEveryRankAndWritesNothing) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  auto file = output::ResultsFile::create(comm, path, plan, identity, false);
  const bool culprit = comm.rank() == comm.size() - 1;
  const auto n = static_cast<std::int64_t>(plan.units.size());
  // Every rank offers a valid unit of its own; the culprit adds a bad one.
  const std::int64_t own = comm.rank();
  auto epoch_with = [&](output::FinishedUnit bad) {
    return [&file, &plan, own, culprit, bad] {
      auto mine = tsweep::test::finish_units(plan, {own});
      if (culprit) mine.push_back(bad);
      file.write_epoch(mine);
    };
  };
  auto unit = [&](std::int64_t u) { return tsweep::test::finish_unit(plan, u); };

  auto short_rows = unit(n - 1);
  short_rows.rows.pop_back();
  expect_error_everywhere(comm, epoch_with(short_rows), ExitCode::internal, "rows, the plan gives it");
  auto misplaced = unit(n - 1);
  misplaced.rows.front().start += 1;
  expect_error_everywhere(comm, epoch_with(misplaced), ExitCode::internal, "the plan puts stream");
  expect_error_everywhere(comm, epoch_with(output::FinishedUnit{n, {}, {}}), ExitCode::internal,
                          "write_epoch: unit " + std::to_string(n) + " is not in the plan");
  // Unit 0 twice: on two ranks (rank 0 offers it too), or twice on the only rank.
  expect_error_everywhere(comm, epoch_with(unit(0)), ExitCode::internal, "write_epoch: unit 0 ");
  for (std::size_t u = 0; u < plan.units.size(); ++u) {
    EXPECT_FALSE(file.committed()[u]) << "unit " << u << " committed by a refused epoch";
  }

  file.write_epoch(tsweep::test::finish_units(plan, {own}));
  expect_error_everywhere(
      comm,
      [&] {
        file.write_epoch(culprit ? tsweep::test::finish_units(plan, {own}) : std::vector<output::FinishedUnit>{});
      },
      ExitCode::internal, "write_epoch: unit " + std::to_string(comm.size() - 1) + " is already committed");

  // The file is still good: the run goes on and finishes.
  tsweep::test::run_epochs(file, comm, plan, 2);
  file.finish();
  if (comm.is_root()) tsweep::test::expect_content(path, plan, identity);
}

TEST(ResultsFile, FinishRefusesUncommittedUnitsOnEveryRank) {
  const auto& comm = world();
  tsweep::test::ScratchDir dir(comm);
  const auto plan = tsweep::test::synthetic_plan();
  const auto identity = tsweep::test::synthetic_identity();
  const std::string path = dir.file("results.h5");
  auto file = output::ResultsFile::create(comm, path, plan, identity, false);
  tsweep::test::run_epochs(file, comm, plan, 3, 0, 1);
  expect_error_everywhere(
      comm, [&] { file.finish(); }, ExitCode::internal, "are not committed");
  if (comm.is_root()) {
    EXPECT_FALSE(fs::exists(path));
  }
  tsweep::test::run_epochs(file, comm, plan, 3, 2, 2);
  file.finish();
  if (comm.is_root()) tsweep::test::expect_content(path, plan, identity);
  expect_error_everywhere(
      comm, [&] { file.finish(); }, ExitCode::internal, "is already finished");
}

}  // namespace
