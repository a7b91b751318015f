// `tsweep export CONFIG`: the selected streams onto uniform time grids, in one dense HDF5 file.

#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/job/export.hpp"
#include "tsweep/job/store_source.hpp"

namespace tsweep::cli {

namespace {
struct ExportArgs {
  std::string config;
  std::vector<std::string> overrides;
  bool resume = false;
  bool force = false;
  bool json = false;
  bool progress = false;
  bool no_progress = false;
};

std::string resume_command(const ExportArgs& a) {
  std::string cmd = "tsweep export " + a.config;
  for (const auto& o : a.overrides) cmd += " --set '" + o + "'";
  return cmd + " --resume";
}
}  // namespace

void add_export_command(CLI::App& app, CommandList& commands) {
  auto args = std::make_shared<ExportArgs>();
  auto* sub = app.add_subcommand(
      "export", "Export the selected streams x time range onto uniform time grids in one dense HDF5 file (h5py, xarray)");
  sub->add_option("config", args->config, "Job config (YAML) with an export: section; see src/output/EXPORT.md")->required();
  sub->add_option("--set", args->overrides, "Override a config key: --set export.rate=100Hz --set time_range.end=2024-01-02");
  sub->add_flag("--resume", args->resume, "Continue a stopped or killed export, skipping its committed units");
  sub->add_flag("--force", args->force, "Overwrite an existing export file");
  sub->add_flag("--json", args->json, "Print a JSON summary on stdout at the end");
  auto* p = sub->add_flag("--progress", args->progress, "Print progress lines even when stderr is not a terminal");
  sub->add_flag("--no-progress", args->no_progress, "Never print progress lines")->excludes(p);
  sub->get_option("--resume")->excludes(sub->get_option("--force"));

  commands.push_back({sub, [args](Context& ctx) {
                        job::JobOptions options;
                        options.config = exec::agreed(ctx.world(), [&] {
                          return plan::load_config(args->config, args->overrides, plan::ConfigUse::export_file);
                        });
                        options.resume = args->resume;
                        options.force = args->force;
                        options.progress = args->progress      ? job::ProgressMode::always
                                           : args->no_progress ? job::ProgressMode::never
                                                               : job::ProgressMode::automatic;
                        options.resume_command = resume_command(*args);
                        const auto& launch = ctx.start_threads(options.config.threads);
                        auto source = job::open_store_source(ctx.world(), options.config.store);
                        const job::ExportSummary summary = job::run_export(ctx.world(), *source, options, launch);
                        if (ctx.world().is_root()) {
                          if (args->json) {
                            std::cout << summary.json() << std::endl;
                          } else {
                            std::cout << "export: " << summary.output << "\n";
                          }
                        }
                        return 0;
                      },
                      true});
}

}  // namespace tsweep::cli
