#include "tsweep/exec/agree.hpp"

#include <atomic>

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

namespace {
std::atomic<bool> g_agreed_failure{false};

struct Failure {
  ExitCode code = ExitCode::internal;
  std::string message;
};

Failure describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return {e.exit_code(), e.what()};
  } catch (const std::exception& e) {
    return {ExitCode::internal, e.what()};
  } catch (...) {
    return {ExitCode::internal, "unknown exception"};
  }
}
}  // namespace

bool failure_was_agreed() noexcept { return g_agreed_failure; }

void agree(const Comm& comm, std::exception_ptr local_error) {
  // The lowest failing rank speaks for everyone: its message and code go to all.
  const int mine = local_error ? comm.rank() : comm.size();
  int first = comm.size();
  check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm.get()), "MPI_Allreduce(agree)");
  if (first == comm.size()) return;
  g_agreed_failure = true;

  Failure failure;
  if (comm.rank() == first) failure = describe(local_error);
  int code = static_cast<int>(failure.code);
  check_mpi(MPI_Bcast(&code, 1, MPI_INT, first, comm.get()), "MPI_Bcast(agree)");
  const std::string message = broadcast_string(comm, failure.message, first);
  if (local_error) {
    if (comm.rank() == first) std::rethrow_exception(local_error);
    // A second failure that says something new is worth its own line; the
    // same cause met elsewhere (another window, another block) is not.
    const Failure own = describe(local_error);
    const auto cause = [](const std::string& m) { return m.substr(m.rfind(": ") == std::string::npos ? 0 : m.rfind(": ")); };
    if (own.message != message && cause(own.message) != cause(message)) {
      throw Error(own.message, own.code);
    }
  }
  throw PeerError("rank " + std::to_string(first) + " failed: " + message, static_cast<ExitCode>(code));
}

}  // namespace tsweep::exec
