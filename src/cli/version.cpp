#include <fmt/format.h>
#include <spdlog/version.h>

#include "context.hpp"
#include "tsweep/core/version.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/exec/runtime.hpp"
#include "tsweep/store/version.hpp"

namespace tsweep::cli {

std::string version_text() {
  return fmt::format(
      "tsweep {} (git {})\n"
      "  MPI:    {}\n"
      "  HDF5:   {} (parallel)\n"
      "  Kokkos: {}\n"
      "  spdlog: {}.{}.{}\n",
      version(), git_revision(), exec::mpi_library_version(), store::hdf5_version(), exec::kokkos_description(),
      SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH);
}

}  // namespace tsweep::cli
