#pragma once
/// \file
/// tsweep's own version and git revision (fixed at build time).

#include <string>

namespace tsweep {
/// "MAJOR.MINOR.PATCH".
const char* version() noexcept;
/// `git describe` of the tree that was built, or "unknown".
const char* git_revision() noexcept;
}  // namespace tsweep
