#pragma once
/// \file
/// Contract checks. On in Debug and CI builds (TSWEEP_ENABLE_CONTRACTS); a
/// failed check throws tsweep::InternalError naming the condition and file:line.

#include "tsweep/core/error.hpp"

namespace tsweep::detail {
[[noreturn]] void contract_failed(const char* kind, const char* cond, const char* file, int line);
}  // namespace tsweep::detail

#if defined(TSWEEP_ENABLE_CONTRACTS)
#define TSWEEP_EXPECTS(cond) \
  ((cond) ? static_cast<void>(0) : ::tsweep::detail::contract_failed("precondition", #cond, __FILE__, __LINE__))
#define TSWEEP_ENSURES(cond) \
  ((cond) ? static_cast<void>(0) : ::tsweep::detail::contract_failed("postcondition", #cond, __FILE__, __LINE__))
#else
#define TSWEEP_EXPECTS(cond) static_cast<void>(0)
#define TSWEEP_ENSURES(cond) static_cast<void>(0)
#endif

/// Always checked, in every build: for invariants whose failure would corrupt output.
#define TSWEEP_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::tsweep::detail::contract_failed("invariant", #cond, __FILE__, __LINE__))
