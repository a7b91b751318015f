#pragma once
/// \file
/// Move-only RAII handles over MPI objects. Library code receives a Comm (or
/// its MPI_Comm) and never names MPI_COMM_WORLD.

#include <mpi.h>

#include <string>
#include <vector>

namespace tsweep::exec {

/// Throws tsweep::InternalError naming `what` and MPI's error string when rc != MPI_SUCCESS.
void check_mpi(int rc, const char* what);

/// An owned communicator, freed on destruction (never throws; a failed free is logged).
class Comm {
 public:
  Comm() noexcept = default;
  /// Collective on `parent`: MPI_Comm_dup, with MPI_ERRORS_RETURN so failures become exceptions.
  static Comm duplicate(MPI_Comm parent);
  Comm(Comm&& other) noexcept;
  Comm& operator=(Comm&& other) noexcept;
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;
  ~Comm();

  [[nodiscard]] MPI_Comm get() const noexcept { return m_comm; }
  [[nodiscard]] int rank() const noexcept { return m_rank; }
  [[nodiscard]] int size() const noexcept { return m_size; }
  [[nodiscard]] bool is_root() const noexcept { return m_rank == 0; }

  /// Collective: the ranks of this communicator that share a node (MPI_COMM_TYPE_SHARED).
  [[nodiscard]] Comm split_node() const;
  /// Collective.
  void barrier() const;

 private:
  explicit Comm(MPI_Comm owned);
  MPI_Comm m_comm = MPI_COMM_NULL;
  int m_rank = 0;
  int m_size = 1;
};

/// Collective on `comm`: every rank's string, in rank order, on every rank.
std::vector<std::string> allgather_strings(const Comm& comm, const std::string& mine);
/// Collective on `comm`: every rank's string, in rank order, on `root` only (empty elsewhere).
std::vector<std::string> gather_strings(const Comm& comm, const std::string& mine, int root = 0);
/// Collective on `comm`: `root`'s string on every rank.
std::string broadcast_string(const Comm& comm, std::string value, int root = 0);

/// This host's name (MPI_Get_processor_name).
std::string host_name();
/// MPI library version, first line of MPI_Get_library_version.
std::string mpi_library_version();

}  // namespace tsweep::exec
