// The whole job over an in-memory source into a real results file: rows equal
// a serial computation, transfers are collective, a stop signal commits and
// exits 75, and --resume completes the same result.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <csignal>
#include <filesystem>

#include "fake_source.hpp"
#include "mpi_env.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/job/job.hpp"
#include "tsweep/exec/signals.hpp"
#include "tsweep/job/unit_runner.hpp"

namespace tsweep::job {
using namespace tsweep::exec;  // Comm, agree, test hooks: the runtime the pipeline runs on
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t s = 1'000'000'000;

void fill(test::FakeSource& src) {
  src.add_bed(300, 2048, 11);
  src.corrupt(0, 3);
}

std::string shared_dir(const std::string& tag) {
  std::string dir;
  if (test::world().is_root()) {
    dir = (fs::temp_directory_path() / ("tsweep-job-" + tag + "-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  return broadcast_string(test::world(), dir);
}

JobOptions options_for(const std::string& dir, plan::Assignment assignment) {
  JobOptions o;
  o.config.store = "fake-store";
  o.config.output = dir + "/results.h5";
  o.config.window_ns = 10 * s;
  o.config.unit_samples = 5000;
  o.config.assignment = assignment;
  o.config.checkpoint_ns = 1;  // an epoch after every unit: many epochs
  o.progress = ProgressMode::never;
  o.resume_command = "tsweep run job.yaml --resume";
  return o;
}

template <class T>
std::vector<T> read_column(const std::string& file, const std::string& name, hid_t type) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << file;
  const hid_t d = H5Dopen2(f, ("/windows/" + name).c_str(), H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  const hid_t space = H5Dget_space(d);
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  EXPECT_GE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0);
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

// Rows of the whole plan computed serially on this rank.
std::vector<analysis::WindowRow> serial_rows(test::FakeSource& src, const JobOptions& o) {
  std::vector<plan::StreamSummary> summaries;
  for (const auto& st : src.streams()) summaries.push_back(st.summary);
  const plan::Plan p = plan::make_plan(summaries, {}, o.config.window_ns, o.config.unit_samples, "fake");
  UnitRunner runner(src, p, false);
  std::vector<analysis::WindowRow> rows(static_cast<std::size_t>(p.rows));
  for (const auto& u : p.units) {
    const auto r = runner.run(u.id);
    std::copy(r.finished.rows.begin(), r.finished.rows.end(), rows.begin() + u.row);
  }
  return rows;
}

void expect_file_matches(const std::string& file, const std::vector<analysis::WindowRow>& want) {
  std::vector<unsigned char> expected;
  for (const auto& field : analysis::fields()) {
    analysis::gather_column(want, field, expected);
    std::vector<unsigned char> got;
    if (field.kind == analysis::FieldKind::int32) {
      auto v = read_column<std::int32_t>(file, field.name, H5T_NATIVE_INT32);
      got.assign(reinterpret_cast<unsigned char*>(v.data()), reinterpret_cast<unsigned char*>(v.data() + v.size()));
    } else if (field.kind == analysis::FieldKind::int64) {
      auto v = read_column<std::int64_t>(file, field.name, H5T_NATIVE_INT64);
      got.assign(reinterpret_cast<unsigned char*>(v.data()), reinterpret_cast<unsigned char*>(v.data() + v.size()));
    } else {
      auto v = read_column<double>(file, field.name, H5T_NATIVE_DOUBLE);
      got.assign(reinterpret_cast<unsigned char*>(v.data()), reinterpret_cast<unsigned char*>(v.data() + v.size()));
    }
    EXPECT_EQ(got, expected) << field.name;
  }
}

class Job : public ::testing::TestWithParam<plan::Assignment> {};

TEST_P(Job, ResultsEqualSerialComputationAndTransfersAreCollective) {
  test::FakeSource src;
  fill(src);
  const std::string dir = shared_dir("full");
  const JobOptions o = options_for(dir, GetParam());
  const JobSummary summary = run_job(test::world(), src, o, {});
  EXPECT_TRUE(summary.all_collective);
  EXPECT_GT(summary.epochs, 1);
  if (test::world().is_root()) {
    EXPECT_TRUE(fs::exists(o.config.output));
    EXPECT_FALSE(fs::exists(o.config.output + ".partial"));
    EXPECT_EQ(summary.units_run, summary.units);
    EXPECT_GT(summary.corrupt_blocks, 0);
    expect_file_matches(o.config.output, serial_rows(src, o));
    fs::remove_all(dir);
  }
  test::world().barrier();
}

TEST_P(Job, StopSignalOnOneRankCommitsExitsStoppedAndResumeCompletes) {
  test::FakeSource src;
  fill(src);
  const std::string dir = shared_dir("stop");
  JobOptions o = options_for(dir, GetParam());
  o.config.checkpoint_ns = 3600 * s;  // only the stop request ends the first epoch
  {
    // The last rank is asked to stop, as Slurm's --signal would ask every rank.
    StopSignals::reset();
    const StopSignals handlers;  // installed before raising, as run_job installs them
    bool stopped = false;
    try {
      if (test::world().rank() == test::world().size() - 1) std::raise(SIGUSR1);
      run_job(test::world(), src, o, {});
    } catch (const StoppedError& e) {
      stopped = true;
      EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos);
      EXPECT_NE(std::string(e.what()).find("SIGUSR1"), std::string::npos);
    } catch (const PeerError& e) {
      stopped = e.exit_code() == ExitCode::stopped;
    }
    StopSignals::reset();
    EXPECT_TRUE(stopped);
  }
  if (test::world().is_root()) {
    EXPECT_FALSE(fs::exists(o.config.output));
    EXPECT_TRUE(fs::exists(o.config.output + ".partial"));
  }
  o.resume = true;
  const JobSummary summary = run_job(test::world(), src, o, {});
  EXPECT_LE(summary.units_run, summary.units);
  if (test::world().is_root()) {
    expect_file_matches(o.config.output, serial_rows(src, o));
    fs::remove_all(dir);
  }
  test::world().barrier();
}

TEST_P(Job, FailureInjectedOnOneRankStopsEveryRank) {
  test::FakeSource src;
  fill(src);
  const std::string dir = shared_dir("fault");
  const JobOptions o = options_for(dir, GetParam());
  const int bad = test::world().size() - 1;
  ::setenv("TSWEEP_INJECT_FAULT", ("epoch:" + std::to_string(bad)).c_str(), 1);
  EXPECT_THROW(run_job(test::world(), src, o, {}), Error);
  ::unsetenv("TSWEEP_INJECT_FAULT");
  if (test::world().is_root()) {
    EXPECT_FALSE(fs::exists(o.config.output));
    fs::remove_all(dir);
  }
  test::world().barrier();
}

INSTANTIATE_TEST_SUITE_P(Assignment, Job, ::testing::Values(plan::Assignment::static_cost, plan::Assignment::dynamic),
                         [](const auto& p) { return p.param == plan::Assignment::dynamic ? std::string("Dynamic") : std::string("Static"); });

}  // namespace
}  // namespace tsweep::job
