#include "tsweep/exec/comm.hpp"

#include <spdlog/spdlog.h>

#include <numeric>
#include <string>

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw InternalError(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}

Comm::Comm(MPI_Comm owned) : m_comm(owned) {
  check_mpi(MPI_Comm_set_errhandler(m_comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check_mpi(MPI_Comm_rank(m_comm, &m_rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(m_comm, &m_size), "MPI_Comm_size");
}

Comm Comm::duplicate(MPI_Comm parent) {
  MPI_Comm dup = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(parent, &dup), "MPI_Comm_dup");
  return Comm(dup);
}

Comm::Comm(Comm&& other) noexcept
    : m_comm(std::exchange(other.m_comm, MPI_COMM_NULL)), m_rank(other.m_rank), m_size(other.m_size) {}

Comm& Comm::operator=(Comm&& other) noexcept {
  if (this != &other) {
    Comm old(std::move(*this));
    m_comm = std::exchange(other.m_comm, MPI_COMM_NULL);
    m_rank = other.m_rank;
    m_size = other.m_size;
  }
  return *this;
}

Comm::~Comm() {
  if (m_comm == MPI_COMM_NULL) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (MPI_Comm_free(&m_comm) != MPI_SUCCESS) spdlog::warn("MPI_Comm_free failed");
}

Comm Comm::split_node() const {
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(m_comm, MPI_COMM_TYPE_SHARED, m_rank, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  return Comm(node);
}

void Comm::barrier() const { check_mpi(MPI_Barrier(m_comm), "MPI_Barrier"); }

namespace {
std::vector<std::string> split_by_counts(const std::vector<char>& buffer, const std::vector<int>& counts,
                                         const std::vector<int>& displs) {
  std::vector<std::string> out;
  out.reserve(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out.emplace_back(buffer.data() + displs[i], static_cast<std::size_t>(counts[i]));
  }
  return out;
}
}  // namespace

std::vector<std::string> allgather_strings(const Comm& comm, const std::string& mine) {
  int len = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(comm.size()));
  check_mpi(MPI_Allgather(&len, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.get()), "MPI_Allgather");
  std::vector<int> displs(counts.size(), 0);
  std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  std::vector<char> buffer(static_cast<std::size_t>(displs.back() + counts.back()) + 1);
  check_mpi(MPI_Allgatherv(mine.data(), len, MPI_CHAR, buffer.data(), counts.data(), displs.data(), MPI_CHAR,
                           comm.get()),
            "MPI_Allgatherv");
  return split_by_counts(buffer, counts, displs);
}

std::vector<std::string> gather_strings(const Comm& comm, const std::string& mine, int root) {
  int len = static_cast<int>(mine.size());
  const bool is_root = comm.rank() == root;
  std::vector<int> counts(is_root ? static_cast<std::size_t>(comm.size()) : 0);
  check_mpi(MPI_Gather(&len, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm.get()), "MPI_Gather");
  std::vector<int> displs(counts.size(), 0);
  std::vector<char> buffer(1);
  if (is_root) {
    std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
    buffer.resize(static_cast<std::size_t>(displs.back() + counts.back()) + 1);
  }
  check_mpi(MPI_Gatherv(mine.data(), len, MPI_CHAR, buffer.data(), counts.data(), displs.data(), MPI_CHAR, root,
                        comm.get()),
            "MPI_Gatherv");
  if (!is_root) return {};
  return split_by_counts(buffer, counts, displs);
}

std::string broadcast_string(const Comm& comm, std::string value, int root) {
  unsigned long long len = value.size();
  check_mpi(MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, root, comm.get()), "MPI_Bcast");
  value.resize(len);
  if (len > 0) {
    check_mpi(MPI_Bcast(value.data(), static_cast<int>(len), MPI_CHAR, root, comm.get()), "MPI_Bcast");
  }
  return value;
}

std::string host_name() {
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  check_mpi(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
  return {name, static_cast<std::size_t>(len)};
}

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  std::string s(text, static_cast<std::size_t>(len));
  const auto end = s.find_first_of("\n,");
  return s.substr(0, end);
}

}  // namespace tsweep::exec
