// The thread decision over a table of environments and placements
// (DESIGN.md, "Threads per rank"). Pure: no MPI, no hwloc.

#include <gtest/gtest.h>

#include <numeric>

#include "tsweep/exec/threads.hpp"

namespace tsweep::exec {
namespace {

struct Case {
  const char* name;
  std::map<std::string, std::string> env;
  std::vector<std::vector<int>> masks;  // one per local rank
  int allocated;
  std::optional<int> explicit_threads = std::nullopt;
  bool oversubscribe = false;
  // expectations
  std::vector<int> threads;
  ThreadSource source;
  int rank_warnings = 0;  // warnings of local rank 0
  std::vector<std::string> node_warning_words{};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

struct Outcome {
  std::vector<ThreadRequest> requests;
  NodeThreads node;
};

Outcome decide(const Case& c) {
  ThreadEnv env{c.env};
  std::vector<RankPlacement> placements;
  for (std::size_t r = 0; r < c.masks.size(); ++r) placements.push_back({c.masks[r], static_cast<int>(r)});
  Outcome out;
  for (std::size_t r = 0; r < placements.size(); ++r) {
    out.requests.push_back(request_threads(c.explicit_threads, ThreadSource::flag, env, placements, r));
  }
  out.node = fit_node(out.requests, placements, allocated_cpus(env, c.allocated), c.oversubscribe, "node1",
                      batch_system(env));
  return out;
}

std::vector<int> cpus(int first, int count) {
  std::vector<int> v(static_cast<std::size_t>(count));
  std::iota(v.begin(), v.end(), first);
  return v;
}

const std::vector<Case>& table() {
  static const std::vector<Case> cases = {
      {"laptop_single_process_uses_every_cpu", {}, {cpus(0, 8)}, 8, {}, false, {8}, ThreadSource::affinity},
      {"mpirun_np2_bound_to_cores_runs_one_thread_each", {}, {{0}, {1}}, 2, {}, false, {1, 1}, ThreadSource::affinity},
      {"mpirun_np2_unbound_shares_the_mask", {}, {cpus(0, 8), cpus(0, 8)}, 8, {}, false, {4, 4},
       ThreadSource::affinity},
      {"mpirun_np2_unbound_odd_cpus_gives_remainder_to_first", {}, {cpus(0, 3), cpus(0, 3)}, 3, {}, false, {2, 1},
       ThreadSource::affinity},
      {"mpirun_np1_bound_leaves_cpu_idle", {}, {{0}}, 2, {}, false, {1}, ThreadSource::affinity, 0, {"idle", "--bind-to none", "slot:PE=2"}},
      {"slurm_2x1_one_thread_per_task", {{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_PER_TASK", "1"}, {"SLURM_CPUS_ON_NODE", "2"}},
       {{0}, {1}}, 2, {}, false, {1, 1}, ThreadSource::slurm},
      {"slurm_1x2_srun_c2_runs_two_threads", {{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_PER_TASK", "2"}, {"SLURM_CPUS_ON_NODE", "2"}},
       {{0, 1}}, 2, {}, false, {2}, ThreadSource::slurm},
      {"slurm_1x2_under_plain_mpirun_is_capped_and_names_the_fix",
       {{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_PER_TASK", "2"}, {"SLURM_CPUS_ON_NODE", "2"}}, {{0}}, 16, {}, false, {1},
       ThreadSource::slurm, 1, {"idle", "srun -c 2"}},
      {"slurm_without_cpus_per_task_shares_cpus_on_node",
       {{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_ON_NODE", "8"}, {"SLURM_NTASKS_PER_NODE", "2"}}, {cpus(0, 8), cpus(0, 8)},
       8, {}, false, {4, 4}, ThreadSource::slurm},
      {"slurm_job_cpus_per_node_list_is_read", {{"SLURM_JOB_ID", "7"}, {"SLURM_JOB_CPUS_PER_NODE", "4(x2),2"}},
       {cpus(0, 4), cpus(0, 4)}, 4, {}, false, {2, 2}, ThreadSource::slurm},
      {"pbs_select_with_ompthreads_reads_omp_num_threads",
       {{"PBS_JOBID", "1.pbs"}, {"NCPUS", "4"}, {"OMP_NUM_THREADS", "4"}}, {cpus(0, 4)}, 4, {}, false, {4},
       ThreadSource::omp_num_threads},
      {"pbs_ncpus_without_omp_num_threads", {{"PBS_JOBID", "1.pbs"}, {"NCPUS", "4"}}, {cpus(0, 4), cpus(0, 4)}, 4, {},
       false, {2, 2}, ThreadSource::pbs},
      {"torque_ppn_shared_among_ranks", {{"PBS_JOBID", "1.pbs"}, {"PBS_NUM_PPN", "6"}}, {cpus(0, 6), cpus(0, 6), cpus(0, 6)},
       6, {}, false, {2, 2, 2}, ThreadSource::pbs},
      {"pbs_ncpus_is_read_without_pbs_jobid", {{"NCPUS", "4"}}, {cpus(0, 4), cpus(0, 4)}, 4, {}, false, {2, 2},
       ThreadSource::pbs},
      {"pbs_ncpus_caps_the_node_two_ranks_on_one_cpu", {{"PBS_JOBID", "1.pbs"}, {"NCPUS", "1"}}, {cpus(0, 2), cpus(0, 2)},
       2, {}, false, {1, 1}, ThreadSource::pbs, 0, {"2 ranks", "exceed", "1 allocated"}},
      {"pbs_ncpus_caps_omp_num_threads", {{"PBS_JOBID", "1.pbs"}, {"NCPUS", "2"}, {"OMP_NUM_THREADS", "4"}},
       {cpus(0, 4)}, 4, {}, false, {2}, ThreadSource::omp_num_threads, 0, {"reduced"}},
      {"torque_ppn_caps_the_node", {{"PBS_JOBID", "1.torque"}, {"PBS_NUM_PPN", "2"}, {"OMP_NUM_THREADS", "2"}},
       {cpus(0, 4), cpus(0, 4)}, 4, {}, false, {1, 1}, ThreadSource::omp_num_threads, 0, {"reduced"}},
      {"pbs_bound_rank_leaving_cpus_idle_names_pbs_fixes", {{"PBS_JOBID", "1.pbs"}, {"NCPUS", "2"}}, {{0}}, 2, {},
       false, {1}, ThreadSource::pbs, 1, {"idle", "select=", "ompthreads=2", "ppn=", "slot:PE=2"}},
      {"user_omp_num_threads_larger_than_mask_is_capped", {{"OMP_NUM_THREADS", "4"}}, {{0, 1}}, 2, {}, false, {2},
       ThreadSource::omp_num_threads, 1},
      {"omp_num_threads_nested_list_uses_first_level", {{"OMP_NUM_THREADS", "2,4"}}, {cpus(0, 4)}, 4, {}, false, {2},
       ThreadSource::omp_num_threads},
      {"empty_omp_num_threads_is_ignored_with_a_warning", {{"OMP_NUM_THREADS", ""}}, {cpus(0, 2)}, 2, {}, false, {2},
       ThreadSource::affinity, 1},
      {"garbage_omp_num_threads_is_ignored_with_a_warning", {{"OMP_NUM_THREADS", "four"}}, {cpus(0, 2)}, 2, {}, false,
       {2}, ThreadSource::affinity, 1},
      {"zero_omp_num_threads_is_ignored", {{"OMP_NUM_THREADS", "0"}}, {cpus(0, 2)}, 2, {}, false, {2},
       ThreadSource::affinity, 1},
      {"odd_slurm_cpus_per_task_falls_through", {{"SLURM_CPUS_PER_TASK", "2(x3)"}}, {cpus(0, 2)}, 2, {}, false, {2},
       ThreadSource::affinity, 1},
      {"explicit_flag_beats_environment", {{"OMP_NUM_THREADS", "8"}, {"SLURM_CPUS_PER_TASK", "4"}}, {cpus(0, 8)}, 8, 3,
       false, {3}, ThreadSource::flag},
      {"overbooked_node_is_reduced_without_oversubscribe", {{"OMP_NUM_THREADS", "2"}}, {{0, 1}, {0, 1}}, 2, {}, false,
       {1, 1}, ThreadSource::omp_num_threads, 0, {"reduced", "--oversubscribe"}},
      {"overbooked_node_is_kept_with_oversubscribe", {{"OMP_NUM_THREADS", "2"}}, {{0, 1}, {0, 1}}, 2, {}, true, {2, 2},
       ThreadSource::omp_num_threads, 0, {"--oversubscribe"}},
      {"more_ranks_than_cpus_run_one_thread_and_warn", {}, {{0, 1}, {0, 1}, {0, 1}, {0, 1}}, 2, {}, false,
       {1, 1, 1, 1}, ThreadSource::affinity, 0, {"4 ranks", "exceed"}},
      {"slurm_cpus_on_node_limits_the_allocation", {{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_ON_NODE", "2"}, {"OMP_NUM_THREADS", "4"}},
       {cpus(0, 8)}, 8, {}, false, {2}, ThreadSource::omp_num_threads, 0, {"reduced"}},
  };
  return cases;
}

class ThreadTable : public ::testing::TestWithParam<Case> {};

TEST_P(ThreadTable, DecidesThreadsSourceAndWarnings) {
  const Case& c = GetParam();
  const Outcome out = decide(c);
  EXPECT_EQ(out.node.threads, c.threads);
  EXPECT_EQ(out.requests.front().source, c.source);
  EXPECT_EQ(static_cast<int>(out.requests.front().warnings.size()), c.rank_warnings)
      << (out.requests.front().warnings.empty() ? "" : out.requests.front().warnings.front());
  std::string node_text;
  for (const auto& w : out.node.warnings) node_text += w + "\n";
  if (c.node_warning_words.empty()) {
    EXPECT_TRUE(out.node.warnings.empty()) << node_text;
  }
  for (const auto& word : c.node_warning_words) EXPECT_NE(node_text.find(word), std::string::npos) << node_text;
  // Never more ranks x threads than allocated CPUs unless asked for, or unless ranks alone exceed them.
  const int total = std::accumulate(out.node.threads.begin(), out.node.threads.end(), 0);
  const int ranks = static_cast<int>(c.masks.size());
  if (!c.oversubscribe && ranks <= allocated_cpus(ThreadEnv{c.env}, c.allocated)) {
    EXPECT_LE(total, allocated_cpus(ThreadEnv{c.env}, c.allocated));
  }
  // No rank runs more threads than CPUs in its mask.
  for (std::size_t r = 0; r < c.masks.size(); ++r) {
    EXPECT_LE(out.node.threads[r], std::max<int>(1, static_cast<int>(c.masks[r].size())));
  }
}

INSTANTIATE_TEST_SUITE_P(Environments, ThreadTable, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

TEST(ThreadCount, ParsesOnlyPlainPositiveDecimals) {
  EXPECT_EQ(parse_thread_count("4"), 4);
  EXPECT_EQ(parse_thread_count(" 4 "), 4);
  EXPECT_EQ(parse_thread_count("4,2", true), 4);
  EXPECT_FALSE(parse_thread_count("4,2"));
  EXPECT_FALSE(parse_thread_count(""));
  EXPECT_FALSE(parse_thread_count("-1"));
  EXPECT_FALSE(parse_thread_count("+3"));
  EXPECT_FALSE(parse_thread_count("3x"));
  EXPECT_FALSE(parse_thread_count("99999999999"));
}

TEST(ThreadCount, CapWarningNamesCauseAndEveryFix) {
  const Outcome out = decide({"", {{"OMP_NUM_THREADS", "4"}}, {{0, 1}}, 2, {}, false, {2}, ThreadSource::omp_num_threads});
  ASSERT_EQ(out.requests[0].warnings.size(), 1u);
  const std::string& w = out.requests[0].warnings[0];
  for (const char* word : {"OMP_NUM_THREADS=4", "2 CPU(s)", "srun -c 4", "--map-by slot:PE=4", "--bind-to none"}) {
    EXPECT_NE(w.find(word), std::string::npos) << w;
  }
}

TEST(CpuList, CompressesRuns) {
  EXPECT_EQ(cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(cpu_list({5}), "5");
  EXPECT_EQ(cpu_list({}), "none");
}

}  // namespace
}  // namespace tsweep::exec
