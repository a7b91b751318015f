#include "tsweep/exec/coordinator.hpp"

#include <spdlog/spdlog.h>

namespace tsweep::exec {

namespace {
enum Slot : int { next_unit = 0, stop = 1, units_done = 2, samples_done = 3, slots = 4 };
}

Coordinator::Coordinator(const Comm& comm) : m_comm(comm) {
  void* base = nullptr;
  const MPI_Aint size = comm.rank() == 0 ? slots * static_cast<MPI_Aint>(sizeof(std::int64_t)) : 0;
  check_mpi(MPI_Win_allocate(size, sizeof(std::int64_t), MPI_INFO_NULL, comm.get(), &base, &m_win), "MPI_Win_allocate");
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
  std::int64_t previous = 0;
  const MPI_Op op = value == 0 ? MPI_NO_OP : MPI_SUM;
  check_mpi(MPI_Fetch_and_op(&value, &previous, MPI_INT64_T, 0, slot, op, m_win), "MPI_Fetch_and_op");
  check_mpi(MPI_Win_flush(0, m_win), "MPI_Win_flush");
  return previous;
}

std::int64_t Coordinator::next_position() { return fetch_add(next_unit, 1); }

void Coordinator::request_stop(int signal) {
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
  units = fetch_add(units_done, 0);
  samples = fetch_add(samples_done, 0);
}

}  // namespace tsweep::exec
