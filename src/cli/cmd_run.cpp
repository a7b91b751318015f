// `tsweep run CONFIG`: the job.

#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/job/job.hpp"
#include "tsweep/job/store_source.hpp"

namespace tsweep::cli {

void add_run_command(CLI::App& app, CommandList& commands) {
  static constexpr JobText text{"run", "Job config (YAML); see configs/",
                                "--set window=5min --set time_range.end=2024-01-02", "results file"};
  auto args = std::make_shared<JobArgs>();
  auto* sub = app.add_subcommand("run", "Run a job: analyse the windows of the selected streams into a results file");
  add_job_options(*sub, *args, text);

  commands.push_back({sub, [args](Context& ctx) {
                        const job::JobOptions options = job_options(ctx, *args, text, plan::ConfigUse::run);
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
