#pragma once
/// \file
/// How many threads each rank runs: a pure decision over the environment, the
/// ranks' affinity masks and the node's allocation (DESIGN.md, "Threads per rank").
///
/// Two phases, so that the MPI code and the unit tests share every rule:
///  1. request_threads: one rank picks its count from the first source that
///     is set (explicit, OMP_NUM_THREADS, Slurm, PBS, affinity share) and caps
///     it to the CPUs in its own affinity mask;
///  2. fit_node: the node's requests are fitted to the CPUs allocated on the
///     node, and CPUs left idle by the launcher's binding are reported.
/// Nothing here reads the process environment or talks to MPI.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tsweep::exec {

/// The batch system a process runs under, for the fixes warnings name.
enum class BatchSystem { none, slurm, pbs };

/// Where a rank's thread count came from, in the order they are consulted.
enum class ThreadSource {
  flag,             ///< --threads N
  config,           ///< `threads:` in the job config
  omp_num_threads,  ///< OMP_NUM_THREADS (set by the user, or by PBS Pro from ompthreads)
  slurm,            ///< SLURM_CPUS_PER_TASK, or SLURM_CPUS_ON_NODE / SLURM_NTASKS_PER_NODE
  pbs,              ///< PBS NCPUS or PBS_NUM_PPN shared among the node's ranks
  affinity,         ///< the rank's affinity mask shared among ranks with the same mask
};

/// Short, stable name of a source ("flag", "OMP_NUM_THREADS", ...), for reports.
const char* to_string(ThreadSource source) noexcept;

/// The environment variables that matter to the decision (a snapshot, so that
/// tests can give any table of environments).
struct ThreadEnv {
  std::map<std::string, std::string> vars;

  /// Reads the variables listed in `names()` from this process.
  static ThreadEnv from_process();
  /// Every variable the decision looks at.
  static const std::vector<std::string>& names();
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const;
};

/// One rank's view of the node, as gathered over the node-local communicator.
struct RankPlacement {
  std::vector<int> mask;  ///< OS indices of the CPUs in the rank's affinity mask
  int local_rank = 0;     ///< index among the node's ranks
};

/// Phase 1's answer for one rank.
struct ThreadRequest {
  int threads = 1;       ///< after the cap to the rank's mask
  int asked = 1;         ///< what the source asked for, before the cap
  ThreadSource source = ThreadSource::affinity;
  std::string detail;    ///< e.g. "SLURM_CPUS_PER_TASK=2"
  std::vector<std::string> warnings;
};

/// Phase 1, rank-local. `explicit_threads` (> 0) with its source (flag or
/// config) wins; then the environment; then the affinity share. `node` holds
/// every rank on this node (including this one, at `self`).
ThreadRequest request_threads(std::optional<int> explicit_threads, ThreadSource explicit_source,
                              const ThreadEnv& env, const std::vector<RankPlacement>& node,
                              std::size_t self);

/// Phase 2's answer for a whole node.
struct NodeThreads {
  std::vector<int> threads;            ///< final count per local rank
  std::vector<std::string> warnings;   ///< node-wide: overbooking, idle CPUs
};

/// Phase 2, a pure function of the node's phase-1 results. `allocated_cpus` is
/// the number of CPUs this job may use on the node (the cgroup/cpuset, or
/// Slurm's SLURM_CPUS_ON_NODE). Without `oversubscribe`, ranks x threads never
/// exceeds it.
/// `batch` chooses which fixes the warnings name (srun's, PBS's, mpirun's).
NodeThreads fit_node(const std::vector<ThreadRequest>& requests,
                     const std::vector<RankPlacement>& node, int allocated_cpus, bool oversubscribe,
                     const std::string& host, BatchSystem batch = BatchSystem::none);

/// The batch system the environment says this runs under: Slurm when
/// SLURM_JOB_ID is set, PBS (Pro or Torque) when PBS_JOBID or PBS_ENVIRONMENT is.
BatchSystem batch_system(const ThreadEnv& env);

/// How to give each rank `cpus_per_rank` CPUs under `batch`: the text of a warning's fix.
std::string launch_fix(BatchSystem batch, int cpus_per_rank);

/// Parses a positive thread count the way tsweep reads every source: decimal,
/// no sign, no trailing text; for OMP_NUM_THREADS the first entry of a nested
/// list ("4,2"). Empty or invalid → nullopt.
std::optional<int> parse_thread_count(const std::string& text, bool allow_list = false);

/// "0-3,8" style list of CPU indices.
std::string cpu_list(const std::vector<int>& cpus);

}  // namespace tsweep::exec

namespace tsweep::exec {
/// CPUs this job may use on the node: the CPUs the OS lets the process use
/// (its cgroup/cpuset), or fewer where the batch system says so
/// (SLURM_CPUS_ON_NODE; PBS Pro's NCPUS; Torque's PBS_NUM_PPN).
int allocated_cpus(const ThreadEnv& env, int allowed_cpus);
}  // namespace tsweep::exec
