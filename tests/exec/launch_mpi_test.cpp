// The launch decision under a real mpiexec: every rank gets a row, counts are
// consistent across the node, and Kokkos really runs the registered threads.

#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <map>

#include "mpi_env.hpp"
#include "tsweep/exec/launch.hpp"

namespace tsweep::exec {
namespace {

TEST(Launch, ReportHasOneRowPerRankOnRootOnly) {
  const auto& world = test::world();
  const Launch launch = decide_launch(world, test::node(), {});
  EXPECT_GE(launch.mine.threads, 1);
  EXPECT_LE(launch.mine.threads, std::max(1, launch.mine.mask_cpus));
  if (!world.is_root()) {
    EXPECT_TRUE(launch.rows.empty());
    return;
  }
  ASSERT_EQ(static_cast<int>(launch.rows.size()), world.size());
  std::map<std::string, int> per_host_threads, per_host_ranks;
  for (int r = 0; r < world.size(); ++r) {
    const auto& row = launch.rows[static_cast<std::size_t>(r)];
    EXPECT_EQ(row.rank, r);
    per_host_threads[row.host] += row.threads;
    per_host_ranks[row.host] += 1;
  }
  // Without --oversubscribe a node never runs more threads than its CPUs,
  // unless there are more ranks than CPUs (then 1 each, with a warning).
  for (const auto& [host, threads] : per_host_threads) {
    const int cpus = launch.rows.front().allocated_cpus;
    if (per_host_ranks[host] <= cpus) {
      EXPECT_LE(threads, cpus) << host;
    } else {
      EXPECT_EQ(threads, per_host_ranks[host]);
      EXPECT_FALSE(launch.warnings.empty());
    }
  }
  EXPECT_FALSE(format_launch_table(launch).empty());
  EXPECT_NE(format_launch_json(launch).find("\"threads\""), std::string::npos);
}

TEST(Launch, ExplicitThreadsAreReportedAsTheSource) {
  LaunchOptions options;
  options.threads = 1;
  const Launch launch = decide_launch(test::world(), test::node(), options);
  EXPECT_EQ(launch.mine.threads, 1);
  EXPECT_EQ(launch.mine.source, "--threads");
}

TEST(Launch, KokkosRunsTheRegisteredThreadCount) {
  EXPECT_EQ(Kokkos::DefaultHostExecutionSpace::concurrency(), test::threads());
  // A parallel reduction really runs on the backend and gives the exact sum.
  long sum = 0;
  Kokkos::parallel_reduce(
      Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, 100000),
      [](int i, long& acc) { acc += i; }, sum);
  EXPECT_EQ(sum, 100000L * 99999L / 2);
}

}  // namespace
}  // namespace tsweep::exec
