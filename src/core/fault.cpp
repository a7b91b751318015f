#include "tsweep/core/fault.hpp"

#include <cstdlib>
#include <string>

#include "tsweep/core/error.hpp"

namespace tsweep {

bool fault_injected(const char* point, int rank) {
  const char* spec = std::getenv("TSWEEP_INJECT_FAULT");
  if (!spec) return false;
  const std::string s(spec);
  const auto colon = s.find(':');
  return colon != std::string::npos && s.substr(0, colon) == point && s.substr(colon + 1) == std::to_string(rank);
}

void maybe_inject_fault(const char* point, int rank) {
  if (fault_injected(point, rank)) {
    throw InternalError(std::string("fault injected at '") + point + "' on rank " + std::to_string(rank) +
                        " (TSWEEP_INJECT_FAULT)");
  }
}

}  // namespace tsweep
