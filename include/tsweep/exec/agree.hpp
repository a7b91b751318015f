#pragma once
/// \file
/// Ranks agree whether to go on before every collective call, so that a failure
/// on one rank never leaves another waiting in a collective.

#include <exception>
#include <type_traits>
#include <utility>

#include "tsweep/exec/comm.hpp"

namespace tsweep::exec {

/// Collective on `comm`. Each rank passes the error its rank-local step threw
/// (or nullptr). When any rank failed, every rank throws: the first failing
/// rank rethrows its own error, the others a tsweep::PeerError carrying that
/// error's message and exit code. Returns normally only if all ranks succeeded.
void agree(const Comm& comm, std::exception_ptr local_error);

/// True once agree() has thrown on this process: every rank of that
/// communicator knows of the failure, so no rank is left in a collective.
bool failure_was_agreed() noexcept;

/// Collective on `comm`: runs the rank-local `step`, then agree()s on its outcome.
template <class F>
auto agreed(const Comm& comm, F&& step) -> decltype(step()) {
  std::exception_ptr error;
  if constexpr (std::is_void_v<decltype(step())>) {
    try {
      std::forward<F>(step)();
    } catch (...) {
      error = std::current_exception();
    }
    agree(comm, error);
  } else {
    decltype(step()) result{};
    try {
      result = std::forward<F>(step)();
    } catch (...) {
      error = std::current_exception();
    }
    agree(comm, error);
    return result;
  }
}

}  // namespace tsweep::exec
