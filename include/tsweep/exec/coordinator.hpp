#pragma once
/// \file
/// Shared state of a run in an MPI-3 RMA window on rank 0: the dynamic unit
/// counter, the stop request, and live progress counters. Every access is a
/// passive-target atomic (MPI_Fetch_and_op), so no rank waits for another.

#include <cstdint>

#include "tsweep/exec/comm.hpp"

namespace tsweep::exec {

class Coordinator {
 public:
  /// Collective on `comm`: allocates the window (on rank 0) and opens a
  /// passive-target access epoch to it on every rank.
  explicit Coordinator(const Comm& comm);
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;
  /// Collective: closes the access epoch and frees the window.
  ~Coordinator();

  /// Rank-local: the next position in the shared order (0, 1, 2, ... across all ranks).
  std::int64_t next_position();
  /// Rank-local: asks every rank to stop at its next check.
  void request_stop(int signal);
  /// Rank-local: the signal some rank asked to stop with, 0 when none.
  int stop_requested();
  /// Rank-local: adds to the run's live progress counters.
  void add_progress(std::int64_t units, std::int64_t samples);
  /// Rank-local: the progress counters summed over ranks.
  void progress(std::int64_t& units, std::int64_t& samples);

 private:
  std::int64_t fetch_add(int slot, std::int64_t value);
  MPI_Win m_win = MPI_WIN_NULL;
  const Comm& m_comm;
};

}  // namespace tsweep::exec
