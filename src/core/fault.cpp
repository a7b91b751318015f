#include "tsweep/core/fault.hpp"

#include <cstdlib>
#include <string>

#include "tsweep/core/error.hpp"

namespace tsweep {

void maybe_inject_fault(const char* point, int rank) {
  const char* spec = std::getenv("TSWEEP_INJECT_FAULT");
  if (!spec) return;
  const std::string s(spec);
  const auto colon = s.find(':');
  if (colon == std::string::npos) return;
  if (s.substr(0, colon) == point && s.substr(colon + 1) == std::to_string(rank)) {
    throw InternalError(std::string("fault injected at '") + point + "' on rank " + std::to_string(rank) +
                        " (TSWEEP_INJECT_FAULT)");
  }
}

}  // namespace tsweep
