// `tsweep recover STORE`: make a store whose writer died usable again,
// keeping every committed row (see tsweep/store/recover.hpp).

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/store/recover.hpp"

namespace tsweep::cli {
namespace {
struct RecoverArgs {
  std::string store;
};
}  // namespace

void add_recover_command(CLI::App& app, CommandList& commands) {
  auto a = std::make_shared<RecoverArgs>();
  auto* sub = app.add_subcommand(
      "recover", "Clear the open-for-writing mark a killed writer left on a store, keeping every committed block");
  sub->add_option("store", a->store, "Store file")->required();

  commands.push_back({sub, [a](Context& ctx) {
                        // One process changes the file; the others only learn whether it worked.
                        exec::agreed(ctx.world(), [&] {
                          if (!ctx.world().is_root()) return;
                          const store::RecoverReport r = store::recover(a->store);
                          if (!r.was_marked) {
                            std::cout << fmt::format(
                                "{}: not marked open by a writer; nothing to recover ({} streams, "
                                "{} blocks, {} samples committed)\n",
                                r.path, r.streams, r.blocks, r.samples);
                          } else {
                            std::cout << fmt::format(
                                "{}: recovered: open mark cleared, all {} bytes kept; {} streams, "
                                "{} blocks, {} samples committed (check with 'tsweep verify {}')\n",
                                r.path, r.file_bytes, r.streams, r.blocks, r.samples, r.path);
                          }
                          std::cout.flush();
                        });
                        return 0;
                      }});
}

}  // namespace tsweep::cli
