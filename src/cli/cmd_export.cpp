// `tsweep export CONFIG`: the selected streams onto uniform time grids, in one dense HDF5 file.

#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/job/export.hpp"
#include "tsweep/job/store_source.hpp"

namespace tsweep::cli {

void add_export_command(CLI::App& app, CommandList& commands) {
  static constexpr JobText text{"export", "Job config (YAML) with an export: section; see src/output/EXPORT.md",
                                "--set export.rate=100Hz --set time_range.end=2024-01-02", "export file"};
  auto args = std::make_shared<JobArgs>();
  auto* sub = app.add_subcommand(
      "export", "Export the selected streams x time range onto uniform time grids in one dense HDF5 file (h5py, xarray)");
  add_job_options(*sub, *args, text);

  commands.push_back({sub, [args](Context& ctx) {
                        const job::JobOptions options = job_options(ctx, *args, text, plan::ConfigUse::export_file);
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
