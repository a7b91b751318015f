#include "tsweep/core/assert.hpp"

#include <string>

namespace tsweep::detail {
void contract_failed(const char* kind, const char* cond, const char* file, int line) {
  throw InternalError(std::string(kind) + " violated: " + cond + " at " + file + ":" + std::to_string(line));
}
}  // namespace tsweep::detail
