// main() of every MPI test binary: MPI session, Kokkos with the registered
// thread count, GoogleTest output from rank 0 only, and a failure on any rank
// fails the run on every rank.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "mpi_env.hpp"
#include "tsweep/exec/log.hpp"
#include "tsweep/exec/runtime.hpp"
#include "tsweep/exec/session.hpp"

namespace {
tsweep::exec::Session* g_session = nullptr;
int g_threads = 1;
}  // namespace

namespace tsweep::test {
const exec::Comm& world() { return g_session->world(); }
const exec::Comm& node() { return g_session->node(); }
int threads() { return g_threads; }
}  // namespace tsweep::test

int main(int argc, char** argv) {
  tsweep::exec::Session session(&argc, &argv);
  g_session = &session;
  if (const char* t = std::getenv("TSWEEP_TEST_THREADS")) g_threads = std::max(1, std::atoi(t));
  tsweep::exec::init_logging(session.world().rank(), "warn");
  int failed = 0;
  {
    tsweep::exec::ThreadRuntime runtime(g_threads);
    ::testing::InitGoogleTest(&argc, argv);
    if (session.world().rank() != 0) {
      auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
      delete listeners.Release(listeners.default_result_printer());
    }
    failed = RUN_ALL_TESTS();
  }
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, session.world().get());
  if (failed) std::fprintf(stderr, "rank %d: tests failed\n", session.world().rank());
  return any ? 1 : 0;
}
