// `tsweep generate OUT`: a synthetic store, in parallel under mpiexec, or
// live (SWMR appends) for watching a store grow.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "context.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/store/generate.hpp"

namespace tsweep::cli {
namespace {

struct GenerateArgs {
  std::string out;
  std::int64_t streams = 8;
  std::string duration = "10min";
  std::string start = "2024-01-01T00:00:00Z";
  std::uint32_t block_samples = 0;
  std::uint64_t seed = 1;
  std::int64_t corrupt = 0;
  std::string corrupt_list;
  bool no_anomalies = false;
  bool force = false;
  bool swmr = false;
  std::int64_t commit_blocks = 0;
  std::string pace;
  std::int64_t round_samples = std::int64_t{16} << 20;
  bool json = false;
};

store::GenerateOptions to_options(const GenerateArgs& a) {
  store::GenerateOptions o;
  auto& c = o.config;
  c.seed = a.seed;
  c.streams = a.streams;
  const auto d = parse_duration(a.duration);
  if (!d) throw ConfigError("--duration '" + a.duration + "' is not a duration (e.g. 90s, 10min, 24h)");
  c.duration_ns = *d;
  const auto s = parse_iso8601(a.start);
  if (!s) throw ConfigError("--start '" + a.start + "' is not an ISO-8601 time (e.g. 2024-01-01T00:00:00Z)");
  c.start_ns = *s;
  if (a.block_samples) c.block_samples = a.block_samples;
  c.anomalies = !a.no_anomalies;
  store::synth::validate(c);
  o.corrupt_blocks = a.corrupt;
  if (a.corrupt < 0) throw ConfigError("--corrupt must not be negative");
  o.overwrite = a.force;
  o.round_samples = a.round_samples;
  return o;
}

void print_report(const store::GenerateReport& r, const GenerateArgs& a) {
  for (const auto& c : r.corrupted) {
    spdlog::info("corrupted block {}: stream {} '{}' {} .. {}", c.block, c.stream, c.name, format_iso8601(c.first_ns),
                 format_iso8601(c.last_ns));
  }
  if (!a.corrupt_list.empty()) {
    std::ofstream out(a.corrupt_list);
    out << store::corrupt_list_json(r) << '\n';
    if (!out) throw IoError(a.corrupt_list, "cannot write the list of corrupted blocks");
  }
  const double rate = r.seconds > 0 ? static_cast<double>(r.samples) / r.seconds : 0.0;
  if (a.json) {
    std::cout
        << fmt::format(
               R"({{"store": "{}", "uuid": "{}", "streams": {}, "blocks": {}, "samples": {}, "bytes": {}, "commits": {}, "seconds": {:.3f}, "samples_per_second": {:.0f}, "corrupted": {}, "independent_transfers": {}}})",
               r.path, r.uuid, r.streams, r.blocks, r.samples, r.bytes, r.commits, r.seconds, rate, r.corrupted.size(),
               r.independent_transfers)
        << std::endl;
  } else {
    std::cout << fmt::format(
                     "generated {}: {} streams, {} blocks, {} samples, {:.1f} MiB in {:.2f} s ({:.3g} samples/s)",
                     r.path, r.streams, r.blocks, r.samples, static_cast<double>(r.bytes) / (1 << 20), r.seconds, rate)
              << std::endl;
    if (!r.corrupted.empty()) {
      std::cout << fmt::format("corrupted {} blocks on purpose{}", r.corrupted.size(),
                               a.corrupt_list.empty() ? "" : " (listed in " + a.corrupt_list + ")")
                << std::endl;
    }
  }
}

}  // namespace

void add_generate_command(CLI::App& app, CommandList& commands) {
  auto a = std::make_shared<GenerateArgs>();
  auto* sub =
      app.add_subcommand("generate", "Write a synthetic store (deterministic from --seed; in parallel under mpiexec)");
  sub->add_option("out", a->out, "Store to write")->required();
  sub->add_option("--streams", a->streams, "Number of streams (beds of 8: ECG, ABP, RESP, vitals, beats)")
      ->capture_default_str();
  sub->add_option("--duration", a->duration, "Span of every stream (90s, 10min, 24h)")->capture_default_str();
  sub->add_option("--start", a->start, "Time of the first samples (ISO-8601)")->capture_default_str();
  sub->add_option("--block-samples", a->block_samples, "Samples per block (default 32768)");
  sub->add_option("--seed", a->seed, "Seed: same seed and knobs, same store")->capture_default_str();
  sub->add_option("--corrupt", a->corrupt, "Damage this many blocks on purpose (verify must find them)");
  sub->add_option("--corrupt-list", a->corrupt_list, "Write the damaged blocks to this JSON file");
  sub->add_flag("--no-anomalies", a->no_anomalies, "No gaps, flat runs, spikes, NaNs or duplicate times");
  sub->add_flag("--force", a->force, "Replace an existing file");
  sub->add_flag("--swmr", a->swmr, "Append live in SWMR mode (one rank), so readers can watch the store grow");
  sub->add_option("--commit-blocks", a->commit_blocks, "With --swmr: blocks per commit (default: one per stream)");
  sub->add_option("--pace", a->pace, "With --swmr: pause after every commit (e.g. 50ms)");
  sub->add_option("--round-samples", a->round_samples, "Samples each rank encodes per collective write")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 28));
  sub->add_flag("--json", a->json, "Print a JSON summary on stdout");

  commands.push_back({sub, [a](Context& ctx) {
                        const auto& world = ctx.world();
                        store::GenerateOptions options =
                            exec::agreed(world, [&] {
                              if (a->swmr && world.size() > 1) {
                                throw ConfigError("--swmr appends from one process; run it without mpiexec -np > 1");
                              }
                              if (!a->swmr && (a->commit_blocks || !a->pace.empty())) {
                                throw ConfigError("--commit-blocks and --pace go with --swmr");
                              }
                              return std::make_optional(to_options(*a));
                            }).value();
                        options.threads = ctx.start_threads(std::nullopt, true).mine.threads;
                        store::GenerateReport report;
                        if (a->swmr) {
                          store::LiveOptions live;
                          live.commit_blocks = a->commit_blocks;
                          if (!a->pace.empty()) {
                            const auto p = parse_duration(a->pace);
                            if (!p) throw ConfigError("--pace '" + a->pace + "' is not a duration (e.g. 50ms)");
                            live.pace_seconds = static_cast<double>(*p) * 1e-9;
                          }
                          report = store::generate_live(a->out, options, live);
                        } else {
                          report = store::generate_bulk(world, a->out, options);
                        }
                        exec::agreed(world, [&] {
                          if (world.is_root()) print_report(report, *a);
                        });
                        return 0;
                      }});
}

}  // namespace tsweep::cli
