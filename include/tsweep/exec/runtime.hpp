#pragma once
/// \file
/// The thread runtime of one rank: Kokkos initialised with the count decided
/// once at start-up. The environment is never rewritten.

#include <string>

namespace tsweep::exec {

class ThreadRuntime {
 public:
  /// Rank-local. Initialises Kokkos's host backend with `threads` threads.
  explicit ThreadRuntime(int threads);
  ThreadRuntime(const ThreadRuntime&) = delete;
  ThreadRuntime& operator=(const ThreadRuntime&) = delete;
  ~ThreadRuntime();

  /// Threads the host backend really runs (checked against the request).
  [[nodiscard]] int threads() const noexcept { return m_threads; }

 private:
  int m_threads = 1;
};

/// "OpenMP", "Threads" or "Serial": Kokkos's default host execution space.
std::string kokkos_backend();
/// "3.4.1 (OpenMP, Serial)": the Kokkos version and every enabled host backend.
std::string kokkos_description();

}  // namespace tsweep::exec
