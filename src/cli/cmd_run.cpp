// `tsweep run CONFIG`: the job.

#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/job/job.hpp"
#include "tsweep/job/store_source.hpp"

namespace tsweep::cli {

namespace {
struct RunArgs {
  std::string config;
  std::vector<std::string> overrides;
  bool resume = false;
  bool force = false;
  bool json = false;
  bool progress = false;
  bool no_progress = false;
};

std::string resume_command(const RunArgs& a) {
  std::string cmd = "tsweep run " + a.config;
  for (const auto& o : a.overrides) cmd += " --set '" + o + "'";
  return cmd + " --resume";
}
}  // namespace

void add_run_command(CLI::App& app, CommandList& commands) {
  auto args = std::make_shared<RunArgs>();
  auto* sub = app.add_subcommand("run", "Run a job: analyse the windows of the selected streams into a results file");
  sub->add_option("config", args->config, "Job config (YAML); see configs/")->required();
  sub->add_option("--set", args->overrides, "Override a config key: --set window=5min --set time_range.end=2024-01-02");
  sub->add_flag("--resume", args->resume, "Continue a stopped or killed run, skipping its committed units");
  sub->add_flag("--force", args->force, "Overwrite an existing results file");
  sub->add_flag("--json", args->json, "Print a JSON summary on stdout at the end");
  auto* p = sub->add_flag("--progress", args->progress, "Print progress lines even when stderr is not a terminal");
  sub->add_flag("--no-progress", args->no_progress, "Never print progress lines")->excludes(p);
  sub->get_option("--resume")->excludes(sub->get_option("--force"));

  commands.push_back({sub, [args](Context& ctx) {
                        job::JobOptions options;
                        options.config = exec::agreed(ctx.world(), [&] { return plan::load_config(args->config, args->overrides); });
                        options.resume = args->resume;
                        options.force = args->force;
                        options.progress = args->progress      ? job::ProgressMode::always
                                           : args->no_progress ? job::ProgressMode::never
                                                               : job::ProgressMode::automatic;
                        options.resume_command = resume_command(*args);
                        const auto& launch = ctx.start_threads(options.config.threads);
                        auto source = job::open_store_source(ctx.world(), options.config.store);
                        const job::JobSummary summary = job::run_job(ctx.world(), *source, options, launch);
                        if (ctx.world().is_root()) {
                          if (args->json) {
                            std::cout << summary.json() << std::endl;
                          } else {
                            std::cout << "results: " << summary.output << "\n";
                          }
                        }
                        return 0;
                      },
                      true});
}

}  // namespace tsweep::cli
