#pragma once
/// \file
/// The launch decision and report: every rank's host, placement, threads and
/// the source that decided them, gathered to rank 0.

#include <optional>
#include <string>
#include <vector>

#include "tsweep/exec/comm.hpp"
#include "tsweep/exec/threads.hpp"

namespace tsweep::exec {

struct LaunchOptions {
  std::optional<int> threads;                    ///< explicit count, if any
  ThreadSource threads_source = ThreadSource::flag;  ///< flag or config
  bool oversubscribe = false;
};

/// One rank's row of the launch report.
struct LaunchRow {
  int rank = 0;
  std::string host;
  int local_rank = 0;
  int local_size = 1;
  std::string cpus;      ///< affinity mask as a list, e.g. "0-3"
  int mask_cpus = 1;
  int allocated_cpus = 1;
  int threads = 1;
  int asked = 1;
  std::string source;    ///< to_string(ThreadSource)
  std::string detail;    ///< what the source said
  std::string backend;   ///< filled in once Kokkos runs
};

struct Launch {
  LaunchRow mine;
  std::vector<LaunchRow> rows;       ///< every rank, on rank 0 only
  std::vector<std::string> warnings; ///< deduplicated, naming the ranks; on rank 0 only
};

/// Collective on `world` and `node`: decides this rank's threads and gathers the report.
Launch decide_launch(const Comm& world, const Comm& node, const LaunchOptions& options);

/// Rank 0 only: the report as aligned text lines, and as JSON text.
std::vector<std::string> format_launch_table(const Launch& launch);
std::string format_launch_json(const Launch& launch);

}  // namespace tsweep::exec
