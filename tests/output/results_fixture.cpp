#include "results_fixture.hpp"

#include <cstdlib>
#include <filesystem>

#include "h5read.hpp"
#include "tsweep/analysis/window.hpp"

namespace tsweep::test {

ScratchDir::ScratchDir(const exec::Comm& comm) : m_comm(comm) {
  std::string dir;
  if (comm.is_root()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "tsweep-output.XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
  }
  m_dir = exec::broadcast_string(comm, dir);
}

ScratchDir::~ScratchDir() {
  m_comm.barrier();
  if (m_comm.is_root() && !std::getenv("TSWEEP_KEEP_TEST_FILES")) {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
}

std::int64_t run_epochs(output::ResultsFile& file, const exec::Comm& comm, const plan::Plan& plan, int epochs,
                        int first_epoch, int last_epoch) {
  const auto mine = schedule(plan, comm.rank(), comm.size(), epochs);
  if (last_epoch < 0) last_epoch = epochs - 1;
  std::int64_t committed = 0;
  for (int e = first_epoch; e <= last_epoch; ++e) {
    std::vector<std::int64_t> ids;  // units committed before (by an earlier run) are not written again
    for (const auto u : mine[static_cast<std::size_t>(e)]) {
      if (!file.committed()[static_cast<std::size_t>(u)]) ids.push_back(u);
    }
    std::int64_t local_units = static_cast<std::int64_t>(ids.size());
    std::int64_t local_rows = 0;
    for (const auto u : ids) local_rows += plan.units[static_cast<std::size_t>(u)].windows;
    std::int64_t sums[2] = {local_units, local_rows};
    MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_INT64_T, MPI_SUM, comm.get());

    const output::EpochReport report = file.write_epoch(finish_units(plan, ids));
    EXPECT_TRUE(report.all_collective) << "epoch " << e;
    EXPECT_EQ(report.no_collective_cause, 0u) << "epoch " << e;
    EXPECT_EQ(report.units, sums[0]) << "epoch " << e;
    EXPECT_EQ(report.rows, sums[1]) << "epoch " << e;
    for (const auto u : ids) EXPECT_TRUE(file.committed()[static_cast<std::size_t>(u)]);
    committed += report.units;
  }
  return committed;
}

void expect_content(const std::string& path, const plan::Plan& plan, const output::JobIdentity& identity) {
  namespace r = h5read;
  EXPECT_EQ(r::string_attribute(path, "/", "tsweep_format"), "results");
  EXPECT_EQ(r::int64_attribute(path, "/", "tsweep_format_version"), 1);
  EXPECT_EQ(r::int64_attribute(path, "/", "window_ns"), plan.window_ns);
  EXPECT_EQ(r::string_attribute(path, "/", "config"), identity.config);
  EXPECT_EQ(r::string_attribute(path, "/", "store_path"), identity.store_path);
  EXPECT_EQ(r::string_attribute(path, "/", "store_uuid"), identity.store_uuid);
  EXPECT_EQ(r::int64_attribute(path, "/", "store_blocks"), identity.store_blocks);
  EXPECT_EQ(r::int64_attribute(path, "/", "store_streams"), identity.store_streams);
  EXPECT_EQ(r::string_attribute(path, "/", "store_format_version"), identity.store_format_version);
  EXPECT_EQ(r::uint64_attribute(path, "/", "plan_digest"), plan::plan_digest(plan));

  // The stream table.
  const auto ids = r::int64s(path, "/streams/id");
  const auto names = r::strings(path, "/streams/name");
  const auto row_start = r::int64s(path, "/streams/row_start");
  const auto row_count = r::int64s(path, "/streams/row_count");
  const auto first_window = r::int64s(path, "/streams/first_window");
  const auto begin = r::int64s(path, "/streams/begin_ns");
  const auto end = r::int64s(path, "/streams/end_ns");
  ASSERT_EQ(ids.size(), plan.streams.size());
  for (std::size_t i = 0; i < plan.streams.size(); ++i) {
    const auto& s = plan.streams[i];
    EXPECT_EQ(ids[i], s.id);
    EXPECT_EQ(names[i], s.name);
    EXPECT_EQ(row_start[i], s.row);
    EXPECT_EQ(row_count[i], s.windows);
    EXPECT_EQ(first_window[i], s.first_window);
    EXPECT_EQ(begin[i], s.begin_ns);
    EXPECT_EQ(end[i], s.end_ns);
  }

  // The unit table and its commit record.
  const auto stream = r::int32s(path, "/units/stream");
  const auto unit_first = r::int64s(path, "/units/first_window");
  const auto windows = r::int64s(path, "/units/windows");
  const auto row = r::int64s(path, "/units/row");
  const auto cost = r::int64s(path, "/units/cost");
  const auto committed = r::uint8s(path, "/units/committed");
  ASSERT_EQ(stream.size(), plan.units.size());
  for (std::size_t i = 0; i < plan.units.size(); ++i) {
    const auto& u = plan.units[i];
    EXPECT_EQ(stream[i], u.stream);
    EXPECT_EQ(unit_first[i], u.first_window);
    EXPECT_EQ(windows[i], u.windows);
    EXPECT_EQ(row[i], u.row);
    EXPECT_EQ(cost[i], u.cost);
    EXPECT_EQ(committed[i], 1);
  }

  // Every column, byte for byte (NaN included), against the rows the plan fixes.
  const auto rows = expected_rows(plan);
  std::vector<std::string> expected_datasets = {
      "/provenance/json",      "/streams/id",       "/streams/name",   "/streams/row_start", "/streams/row_count",
      "/streams/first_window", "/streams/begin_ns", "/streams/end_ns", "/units/stream",      "/units/first_window",
      "/units/windows",        "/units/row",        "/units/cost",     "/units/committed"};
  std::vector<unsigned char> want;
  for (const auto& field : analysis::fields_for(identity.analyses)) {
    const std::string name = std::string("/windows/") + field.name;
    expected_datasets.push_back(name);
    analysis::gather_column(rows, field, want);
    EXPECT_EQ(r::raw(path, name), want) << name;
    EXPECT_FALSE(r::string_attribute(path, name, "description").empty()) << name;
  }
  std::sort(expected_datasets.begin(), expected_datasets.end());
  EXPECT_EQ(r::datasets(path), expected_datasets);
}

void expect_error_everywhere(const exec::Comm& comm, const std::function<void()>& step, ExitCode code,
                             const std::string& text) {
  bool threw = false;
  try {
    step();
  } catch (const Error& e) {
    threw = true;
    EXPECT_EQ(static_cast<int>(e.exit_code()), static_cast<int>(code)) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos)
        << "rank " << comm.rank() << ": '" << e.what() << "' does not say '" << text << "'";
  }
  EXPECT_TRUE(threw) << "rank " << comm.rank() << " did not throw (expected: " << text << ")";
  comm.barrier();
}

}  // namespace tsweep::test
