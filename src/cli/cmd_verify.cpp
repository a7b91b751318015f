// `tsweep verify STORE`: every table row's checksum, the tables against each
// other, every committed block's checksum, index row and decodability; in
// parallel under mpiexec. Exit 1 when any block or table row is bad.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/store/verify.hpp"

namespace tsweep::cli {
namespace {
struct VerifyArgs {
  std::string store;
  bool json = false;
  bool no_decode = false;
  bool swmr = false;
};

void print(const store::VerifyReport& r, bool json) {
  if (json) {
    std::cout << store::verify_report_json(r) << std::endl;
    return;
  }
  for (const auto& b : r.bad) {
    std::cout << fmt::format("bad block {}: stream {} '{}' {} .. {}: {}", b.block, b.stream, b.name,
                             format_iso8601(b.first_ns), format_iso8601(b.last_ns), b.reason)
              << '\n';
  }
  for (const auto& b : r.row_problems) {
    std::cout << fmt::format("bad row {} {}{}: {}", b.table, b.row,
                             b.stream >= 0 ? fmt::format(" (stream {})", b.stream) : std::string(), b.reason)
              << '\n';
  }
  if (!r.row_checksums) {
    std::cout << fmt::format(
                     "note: {} is a format version {} store: its table rows carry no checksums, so they "
                     "were only checked against each other",
                     r.path, r.format_version)
              << '\n';
  }
  const double rate = r.seconds > 0 ? static_cast<double>(r.samples) / r.seconds : 0.0;
  std::cout << fmt::format(
                   "verified {} blocks ({} samples, {:.1f} MiB), {} streams and {} runs of {} in {:.2f} s on {} "
                   "rank(s) x {} thread(s) ({:.3g} samples/s): {} bad blocks, {} bad table rows",
                   r.blocks, r.samples, static_cast<double>(r.bytes) / (1 << 20), r.streams, r.runs, r.path, r.seconds,
                   r.ranks, r.threads, rate, r.bad_blocks, r.bad_rows)
            << std::endl;
}
}  // namespace

void add_verify_command(CLI::App& app, CommandList& commands) {
  auto a = std::make_shared<VerifyArgs>();
  auto* sub = app.add_subcommand(
      "verify",
      "Check every table row, the tables against each other, every block's checksum and that it decodes; exit 1 if "
      "anything is bad");
  sub->add_option("store", a->store, "Store file")->required();
  sub->add_flag("--json", a->json, "Print the report (with every bad block) as JSON on stdout");
  sub->add_flag("--no-decode", a->no_decode, "Only check checksums, table rows and block headers (faster)");
  sub->add_flag("--swmr", a->swmr, "Open for SWMR reading (automatic when a writer is appending)");

  commands.push_back({sub, [a](Context& ctx) {
                        const auto& world = ctx.world();
                        store::VerifyOptions o;
                        o.threads = ctx.start_threads(std::nullopt, true).mine.threads;
                        o.decode = !a->no_decode;
                        o.swmr = a->swmr ? store::SwmrMode::on : store::SwmrMode::automatic;
                        const store::VerifyReport report = world.size() == 1 ? store::verify_store(a->store, o)
                                                                             : store::verify_store(world, a->store, o);
                        if (world.is_root()) print(report, a->json);
                        return report.ok() ? 0 : static_cast<int>(ExitCode::internal);
                      }});
}

}  // namespace tsweep::cli
