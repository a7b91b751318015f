// `tsweep inspect STORE`: what a store holds, per stream.

#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/store/describe.hpp"

namespace tsweep::cli {
namespace {
struct InspectArgs {
  std::string store;
  bool json = false;
  bool attributes = false;
  bool stats = false;
  bool swmr = false;
  std::vector<std::string> globs;
};
}  // namespace

void add_inspect_command(CLI::App& app, CommandList& commands) {
  auto a = std::make_shared<InspectArgs>();
  auto* sub = app.add_subcommand("inspect", "Show a store's streams: rate, type, unit, span, samples, blocks, bytes");
  sub->add_option("store", a->store, "Store file")->required();
  sub->add_flag("--json", a->json, "Print JSON on stdout");
  sub->add_flag("--attributes", a->attributes, "With --json: each stream's attributes");
  sub->add_flag("--stats", a->stats, "Decode every block: raw count, min, max, sum and NaNs per stream");
  sub->add_flag("--swmr", a->swmr, "Open for SWMR reading (automatic when a writer is appending)");
  sub->add_option("--streams", a->globs, "Only streams whose names match these patterns (*, ?, [...])");

  commands.push_back({sub, [a](Context& ctx) {
                        const int threads = a->stats ? ctx.start_threads(std::nullopt, true).mine.threads : 1;
                        // Rank 0 reads; the others only learn whether it worked.
                        exec::agreed(ctx.world(), [&] {
                          if (!ctx.world().is_root()) return;
                          store::ReaderOptions ro;
                          ro.swmr = a->swmr ? store::SwmrMode::on : store::SwmrMode::automatic;
                          const store::Reader reader = store::Reader::open(a->store, ro);
                          store::DescribeOptions o;
                          o.attributes = a->attributes;
                          o.stats = a->stats;
                          o.threads = threads;
                          o.globs = a->globs;
                          if (a->json) {
                            std::cout << store::describe_json(reader, o) << std::endl;
                          } else {
                            for (const auto& line : store::describe_table(reader, o)) std::cout << line << '\n';
                            std::cout.flush();
                          }
                        });
                        return 0;
                      }});
}

}  // namespace tsweep::cli
