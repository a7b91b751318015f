#pragma once
/// \file
/// The MPI session: initialises MPI once per process and finalises it at scope
/// exit. Only the exec layer sets MPI up.

#include "tsweep/exec/comm.hpp"

namespace tsweep::exec {

/// Registers `fn` to run when the Session ends, just before MPI_Finalize, in
/// reverse order of registration (once each, however often registered). The
/// I/O layers use it to close every library handle while MPI still works: an
/// HDF5 file left open on an error path must not be closed by HDF5's own
/// MPI_Finalize hook, which crashes in Open MPI.
void before_finalize(void (*fn)());

/// This process's rank as its launcher put it in the environment (Open MPI,
/// PMIx, MPICH's Hydra, Slurm), read without MPI; 0 when started alone or by
/// a launcher that sets none of these. Rank-local: for what is printed before
/// MPI starts, by the one process that prints it.
int launcher_rank() noexcept;

class Session {
 public:
  /// Initialises MPI with MPI_THREAD_FUNNELED (only the main thread calls MPI;
  /// worker threads decode and compute). Throws if the library offers less.
  Session(int* argc, char*** argv);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  /// A duplicate of the world communicator, owned by the session.
  [[nodiscard]] const Comm& world() const noexcept { return m_world; }
  /// Ranks of world on this node.
  [[nodiscard]] const Comm& node() const noexcept { return m_node; }
  [[nodiscard]] int thread_level() const noexcept { return m_provided; }

 private:
  int m_provided = 0;
  Comm m_world;
  Comm m_node;
};

}  // namespace tsweep::exec
