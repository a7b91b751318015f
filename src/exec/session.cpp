#include "tsweep/exec/session.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

namespace {
std::mutex g_hooks_mutex;
std::vector<void (*)()>& hooks() {
  static std::vector<void (*)()> h;
  return h;
}
}  // namespace

int launcher_rank() noexcept {
  // Open MPI's own name first: under mpirun inside a Slurm allocation the
  // batch step's SLURM_PROCID (0 on every rank) is inherited too.
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    const char* text = std::getenv(name);
    if (!text || !*text) continue;
    char* end = nullptr;
    errno = 0;
    const long rank = std::strtol(text, &end, 10);
    if (errno == 0 && *end == '\0' && rank >= 0 && rank < (1L << 30)) return static_cast<int>(rank);
  }
  return 0;
}

void before_finalize(void (*fn)()) {
  const std::lock_guard<std::mutex> lock(g_hooks_mutex);
  auto& h = hooks();
  if (std::find(h.begin(), h.end(), fn) == h.end()) h.push_back(fn);
}

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
  std::vector<void (*)()> run;
  {
    const std::lock_guard<std::mutex> lock(g_hooks_mutex);
    run.swap(hooks());
  }
  for (auto it = run.rbegin(); it != run.rend(); ++it) (*it)();
  m_node = Comm();
  m_world = Comm();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace tsweep::exec
