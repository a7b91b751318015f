#pragma once
/// \file
/// Logging: spdlog to stderr, with the rank in every line. Rank 0 logs at
/// info, the others at warn, unless a level is given.

#include <optional>
#include <string>

namespace tsweep::exec {

/// Rank-local. `level` is one of trace, debug, info, warn, error, off; empty
/// keeps the default for the rank. Throws ConfigError on an unknown level.
void init_logging(int rank, const std::string& level = {});

/// Rank-local and free of MPI: throws the ConfigError that init_logging would
/// for an unknown level, so that a bad level is refused before MPI starts.
void check_log_level(const std::string& level);

/// Rank-local: does the logger print messages of this level ("info", ...)?
bool log_enabled(const std::string& level);

}  // namespace tsweep::exec
