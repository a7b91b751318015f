#include "context.hpp"

#include <CLI/CLI.hpp>
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

void add_job_options(CLI::App& sub, JobArgs& args, const JobText& text) {
  sub.add_option("config", args.config, text.config_help)->required();
  sub.add_option("--set", args.overrides, std::string("Override a config key: ") + text.set_example);
  sub.add_flag("--resume", args.resume, "Continue a stopped or killed job, skipping its committed units");
  sub.add_flag("--force", args.force, std::string("Overwrite an existing ") + text.output);
  sub.add_flag("--json", args.json, "Print a JSON summary on stdout at the end");
  auto* p = sub.add_flag("--progress", args.progress, "Print progress lines even when stderr is not a terminal");
  sub.add_flag("--no-progress", args.no_progress, "Never print progress lines")->excludes(p);
  sub.get_option("--resume")->excludes(sub.get_option("--force"));
}

job::JobOptions job_options(const Context& ctx, const JobArgs& args, const JobText& text, plan::ConfigUse use) {
  job::JobOptions options;
  options.config = exec::agreed(ctx.world(), [&] { return plan::load_config(args.config, args.overrides, use); });
  options.resume = args.resume;
  options.force = args.force;
  options.progress = args.progress      ? job::ProgressMode::always
                     : args.no_progress ? job::ProgressMode::never
                                        : job::ProgressMode::automatic;
  // The command line that continues this job, printed when it is stopped.
  std::string cmd = std::string("tsweep ") + text.command + " " + args.config;
  for (const auto& o : args.overrides) cmd += " --set '" + o + "'";
  options.resume_command = cmd + " --resume";
  return options;
}

}  // namespace tsweep::cli
