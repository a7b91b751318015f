#pragma once
/// \file
/// What the OS and the launcher let this process run on (hwloc).

#include <vector>

namespace tsweep::exec {

struct CpuBinding {
  std::vector<int> mask;  ///< OS indices of the CPUs in the process's affinity mask
  int allowed_cpus = 1;   ///< CPUs the process may use at all (cgroup/cpuset), bound or not
};

/// Rank-local. Throws InternalError if hwloc cannot read the topology.
CpuBinding query_cpu_binding();

}  // namespace tsweep::exec
