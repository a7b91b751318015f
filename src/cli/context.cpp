#include "context.hpp"

#include <spdlog/spdlog.h>

#include "tsweep/exec/agree.hpp"

namespace tsweep::cli {

const exec::Launch& Context::start_threads(std::optional<int> config_threads, bool quiet) {
  exec::LaunchOptions options;
  options.oversubscribe = m_options.oversubscribe;
  if (m_options.threads) {
    options.threads = m_options.threads;
    options.threads_source = exec::ThreadSource::flag;
  } else if (config_threads) {
    options.threads = config_threads;
    options.threads_source = exec::ThreadSource::config;
  }
  // hwloc or a bad gather on one rank must not leave the others waiting.
  m_launch = exec::agreed(world(), [&] { return exec::decide_launch(world(), node(), options); });
  if (world().is_root() && !quiet) {
    for (const auto& w : m_launch.warnings) spdlog::warn("{}", w);
  }
  m_runtime = std::make_unique<exec::ThreadRuntime>(m_launch.mine.threads);
  return m_launch;
}

}  // namespace tsweep::cli
