// `tsweep info`: the launch report, one row per rank, gathered to rank 0.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

#include "context.hpp"

namespace tsweep::cli {

void add_info_command(CLI::App& app, CommandList& commands) {
  auto* sub = app.add_subcommand("info", "Show how tsweep placed its ranks and threads (the launch report)");
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "Print the report as JSON on stdout");
  commands.push_back({sub, [json](Context& ctx) {
                        // With --json, warnings go into the document rather than the log.
                        const auto& launch = ctx.start_threads(std::nullopt, *json);
                        if (!ctx.world().is_root()) return 0;
                        if (*json) {
                          std::cout << exec::format_launch_json(launch) << '\n';
                        } else {
                          for (const auto& line : exec::format_launch_table(launch)) std::cout << line << '\n';
                        }
                        std::cout.flush();
                        return 0;
                      }});
}

}  // namespace tsweep::cli
