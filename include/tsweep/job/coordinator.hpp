#pragma once
/// \file
/// Shared state of a run in an MPI-3 RMA window on rank 0: the dynamic unit
/// counter, the stop request, and live progress counters. Every access is a
/// passive-target atomic (MPI_Fetch_and_op), so no rank waits for another.
///
/// Where the MPI has no one-sided support across the job's processes
/// (MPI_Win_allocate fails on some rank), the coordinator is rank-local:
/// `shared()` is false, the caller assigns units statically, a stop request
/// reaches the other ranks at the epoch's end (through the caller's
/// reduction), and progress is summed at each synchronise().

#include <cstdint>
#include <string>

#include "tsweep/exec/comm.hpp"

namespace tsweep::job {

using exec::Comm;

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
  /// Rank-local: the progress counters summed over ranks (without the
  /// window: as of the last synchronise(), plus this rank's since then).
  void progress(std::int64_t& units, std::int64_t& samples);
  /// Collective, at each epoch's end: sums the progress counters over the
  /// ranks when there is no window; nothing otherwise.
  void synchronise();
  /// Whether the state is shared through the window.
  [[nodiscard]] bool shared() const noexcept { return m_win != MPI_WIN_NULL; }
  /// Rank 0: why the window could not be made (empty when it was).
  [[nodiscard]] const std::string& unavailable() const noexcept { return m_unavailable; }

 private:
  std::int64_t fetch_add(int slot, std::int64_t value);
  MPI_Win m_win = MPI_WIN_NULL;
  const Comm& m_comm;
  std::int64_t m_local[4] = {0, 0, 0, 0};   ///< the cells, rank-local, without the window
  std::int64_t m_synced[2] = {0, 0};        ///< progress summed over ranks at the last synchronise()
  std::string m_unavailable;
};

}  // namespace tsweep::job
