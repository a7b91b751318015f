#include "tsweep/job/coordinator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tsweep::job {

using namespace tsweep::exec;  // the MPI runtime the pipeline runs on

namespace {
enum Slot : int { next_unit = 0, stop = 1, units_done = 2, samples_done = 3, slots = 4 };
}

Coordinator::Coordinator(const Comm& comm) : m_comm(comm) {
  void* base = nullptr;
  const MPI_Aint size = comm.rank() == 0 ? slots * static_cast<MPI_Aint>(sizeof(std::int64_t)) : 0;
  // An MPI may have no one-sided component that spans the job's nodes (Debian's
  // Open MPI 4.1 over TCP: osc/pt2pt and osc/ucx are switched off, osc/rdma
  // needs RDMA atomics). Then every rank keeps its own counters.
  const int rc = MPI_Win_allocate(size, sizeof(std::int64_t), MPI_INFO_NULL, comm.get(), &base, &m_win);
  int ok = rc == MPI_SUCCESS ? 1 : 0, all_ok = 0;
  check_mpi(MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm.get()), "MPI_Allreduce(window)");
  if (!all_ok) {
    // A window made on some ranks only cannot be freed (MPI_Win_free is
    // collective over all of them): it is left to MPI_Finalize.
    m_win = MPI_WIN_NULL;
    if (comm.rank() == 0) {
      char text[MPI_MAX_ERROR_STRING] = {};
      int length = 0;
      if (rc != MPI_SUCCESS) MPI_Error_string(rc, text, &length);
      m_unavailable = rc != MPI_SUCCESS ? std::string(text, static_cast<std::size_t>(length)) : "failed on another rank";
    }
    return;
  }
  if (comm.rank() == 0) {
    auto* cells = static_cast<std::int64_t*>(base);
    for (int i = 0; i < slots; ++i) cells[i] = 0;
  }
  // Every rank must see the zeroed cells before anyone fetches from them.
  check_mpi(MPI_Win_set_errhandler(m_win, MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
  comm.barrier();
  check_mpi(MPI_Win_lock_all(MPI_MODE_NOCHECK, m_win), "MPI_Win_lock_all");
}

Coordinator::~Coordinator() {
  if (m_win == MPI_WIN_NULL) return;
  if (MPI_Win_unlock_all(m_win) != MPI_SUCCESS || MPI_Win_free(&m_win) != MPI_SUCCESS) {
    spdlog::warn("freeing the coordination window failed");
  }
}

std::int64_t Coordinator::fetch_add(int slot, std::int64_t value) {
  if (m_win == MPI_WIN_NULL) {
    const std::int64_t previous = m_local[slot];
    m_local[slot] += value;
    return previous;
  }
  std::int64_t previous = 0;
  const MPI_Op op = value == 0 ? MPI_NO_OP : MPI_SUM;
  check_mpi(MPI_Fetch_and_op(&value, &previous, MPI_INT64_T, 0, slot, op, m_win), "MPI_Fetch_and_op");
  check_mpi(MPI_Win_flush(0, m_win), "MPI_Win_flush");
  return previous;
}

std::int64_t Coordinator::next_position() { return fetch_add(next_unit, 1); }

void Coordinator::request_stop(int signal) {
  if (m_win == MPI_WIN_NULL) {
    m_local[stop] = std::max<std::int64_t>(m_local[stop], signal);
    return;
  }
  // MPI_MAX keeps one signal whoever asks first. Not MPI_Compare_and_swap:
  // Open MPI 4.1's osc/rdma over the vader BTL crashes on it.
  std::int64_t value = signal, previous = 0;
  check_mpi(MPI_Fetch_and_op(&value, &previous, MPI_INT64_T, 0, stop, MPI_MAX, m_win), "MPI_Fetch_and_op");
  check_mpi(MPI_Win_flush(0, m_win), "MPI_Win_flush");
}

int Coordinator::stop_requested() { return static_cast<int>(fetch_add(stop, 0)); }

void Coordinator::add_progress(std::int64_t units, std::int64_t samples) {
  fetch_add(units_done, units);
  fetch_add(samples_done, samples);
}

void Coordinator::progress(std::int64_t& units, std::int64_t& samples) {
  units = fetch_add(units_done, 0) + m_synced[0];
  samples = fetch_add(samples_done, 0) + m_synced[1];
}

void Coordinator::synchronise() {
  if (m_win != MPI_WIN_NULL) return;
  // Without the window, progress is summed over the ranks at each epoch's end.
  std::int64_t mine[2] = {m_local[units_done], m_local[samples_done]};
  std::int64_t sums[2] = {0, 0};
  check_mpi(MPI_Allreduce(mine, sums, 2, MPI_INT64_T, MPI_SUM, m_comm.get()), "MPI_Allreduce(progress)");
  m_synced[0] += sums[0];
  m_synced[1] += sums[1];
  m_local[units_done] = 0;
  m_local[samples_done] = 0;
}

}  // namespace tsweep::job
