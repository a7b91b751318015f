#include "tsweep/exec/session.hpp"

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

Session::Session(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) throw InternalError("MPI was initialised before tsweep's session");
  check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &m_provided), "MPI_Init_thread");
  if (m_provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw InternalError("the MPI library offers thread level " + std::to_string(m_provided) +
                        ", tsweep needs MPI_THREAD_FUNNELED");
  }
  m_world = Comm::duplicate(MPI_COMM_WORLD);
  m_node = m_world.split_node();
}

Session::~Session() {
  m_node = Comm();
  m_world = Comm();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace tsweep::exec
