#include "tsweep/exec/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "tsweep/core/error.hpp"

namespace tsweep::exec {

namespace {
spdlog::level::level_enum parse_level(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str maps anything unknown to "off"; only "off" itself may mean off.
  if (parsed == spdlog::level::off && level != "off") {
    throw ConfigError("--log-level: expected one of trace, debug, info, warn, error, off; got '" + level + "'");
  }
  return parsed;
}
}  // namespace

void init_logging(int rank, const std::string& level) {
  const auto chosen = level.empty() ? (rank == 0 ? spdlog::level::info : spdlog::level::warn) : parse_level(level);
  auto logger = spdlog::stderr_color_mt("tsweep");
  logger->set_pattern("[%H:%M:%S] [rank " + std::to_string(rank) + "] %^%l%$: %v");
  logger->set_level(chosen);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

void check_log_level(const std::string& level) {
  if (!level.empty()) parse_level(level);
}

bool log_enabled(const std::string& level) { return spdlog::default_logger()->should_log(parse_level(level)); }

}  // namespace tsweep::exec
