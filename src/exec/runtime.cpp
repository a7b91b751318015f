#include "tsweep/exec/runtime.hpp"

#include <Kokkos_Core.hpp>
#include <spdlog/spdlog.h>

#include <vector>

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

ThreadRuntime::ThreadRuntime(int threads) {
  if (Kokkos::is_initialized()) throw InternalError("Kokkos is already initialised");
  Kokkos::InitArguments args;
  args.num_threads = threads;
  // tsweep reports binding itself (the launch report); Kokkos's own
  // OMP_PROC_BIND advice would only repeat it on every rank.
  args.disable_warnings = true;
  Kokkos::initialize(args);
  m_threads = Kokkos::DefaultHostExecutionSpace::concurrency();
  if (m_threads != threads) {
    spdlog::warn("asked Kokkos ({}) for {} threads, it runs {}", kokkos_backend(), threads, m_threads);
  }
}

ThreadRuntime::~ThreadRuntime() {
  if (Kokkos::is_initialized()) Kokkos::finalize();
}

std::string kokkos_backend() { return Kokkos::DefaultHostExecutionSpace::name(); }

std::string kokkos_description() {
  std::vector<std::string> backends;
#if defined(KOKKOS_ENABLE_OPENMP)
  backends.emplace_back("OpenMP");
#endif
#if defined(KOKKOS_ENABLE_THREADS)
  backends.emplace_back("Threads");
#endif
#if defined(KOKKOS_ENABLE_SERIAL)
  backends.emplace_back("Serial");
#endif
  std::string out = std::to_string(KOKKOS_VERSION / 10000) + "." + std::to_string(KOKKOS_VERSION / 100 % 100) +
                    "." + std::to_string(KOKKOS_VERSION % 100) + " (";
  for (std::size_t i = 0; i < backends.size(); ++i) out += (i ? ", " : "") + backends[i];
  return out + ")";
}

}  // namespace tsweep::exec
