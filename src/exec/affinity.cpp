#include "tsweep/exec/affinity.hpp"

#include <hwloc.h>

#include <memory>

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

namespace {
struct TopologyDeleter {
  void operator()(hwloc_topology* t) const noexcept { hwloc_topology_destroy(t); }
};
struct BitmapDeleter {
  void operator()(hwloc_bitmap_s* b) const noexcept { hwloc_bitmap_free(b); }
};
using Topology = std::unique_ptr<hwloc_topology, TopologyDeleter>;
using Bitmap = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;
}  // namespace

CpuBinding query_cpu_binding() {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw InternalError("hwloc_topology_init failed");
  Topology topology(raw);
  if (hwloc_topology_load(topology.get()) != 0) throw InternalError("hwloc_topology_load failed");

  Bitmap bound(hwloc_bitmap_alloc());
  if (!bound) throw InternalError("hwloc_bitmap_alloc failed");
  if (hwloc_get_cpubind(topology.get(), bound.get(), HWLOC_CPUBIND_PROCESS) != 0) {
    // Some kernels refuse the process-wide query; the calling thread's binding is the same at start-up.
    if (hwloc_get_cpubind(topology.get(), bound.get(), HWLOC_CPUBIND_THREAD) != 0) {
      throw InternalError("hwloc_get_cpubind failed: cannot read the affinity mask");
    }
  }
  const hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topology.get());
  hwloc_bitmap_and(bound.get(), bound.get(), allowed);

  CpuBinding out;
  for (int cpu = hwloc_bitmap_first(bound.get()); cpu != -1; cpu = hwloc_bitmap_next(bound.get(), cpu)) {
    out.mask.push_back(cpu);
  }
  out.allowed_cpus = hwloc_bitmap_weight(allowed);
  if (out.allowed_cpus < 1) out.allowed_cpus = 1;
  return out;
}

}  // namespace tsweep::exec
