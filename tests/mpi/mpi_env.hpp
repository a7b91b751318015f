#pragma once
// Shared by every MPI test binary: the session's communicators and the thread
// count this run was registered with (tsweep_add_mpi_test).

#include "tsweep/exec/comm.hpp"

namespace tsweep::test {
const exec::Comm& world();
const exec::Comm& node();
int threads();
}  // namespace tsweep::test
