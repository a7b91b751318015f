#include "tsweep/job/job.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>

#include "epoch_loop.hpp"
#include "progress.hpp"
#include "tsweep/analysis/catalog.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/core/version.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/job/coordinator.hpp"
#include "tsweep/exec/hold.hpp"
#include "tsweep/exec/signals.hpp"
#include "tsweep/job/unit_runner.hpp"
#include "tsweep/output/claim.hpp"
#include "tsweep/output/results.hpp"
#include "tsweep/plan/assign.hpp"

namespace tsweep::job {

using namespace tsweep::exec;  // the MPI runtime the pipeline runs on

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Rows a rank holds before it asks for an epoch: about 10 MiB of rows, so
// that memory stays bounded however many windows a checkpoint interval covers,
// and so that the commit after a stop signal is short: Open MPI's mpirun kills
// the ranks one second after it passes SIGTERM on (2^18 rows per rank took
// about 1 s to commit on a 2-core machine, 2^16 rows 0.3 to 0.8 s).
constexpr std::int64_t max_epoch_rows = std::int64_t{1} << 16;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// What one rank did, gathered to rank 0 for the provenance and the summary.
struct RankStats {
  std::int64_t units = 0;
  std::int64_t samples = 0;
  std::int64_t bytes = 0;
  std::set<std::int64_t> corrupt;  ///< distinct corrupt blocks met (a block can touch several units)
  std::int64_t blocks_read = 0;
  std::int64_t blocks_summarised = 0;
  double read_seconds = 0;
  double compute_seconds = 0;
  double decode_seconds = 0;
  double reduce_seconds = 0;
  double write_seconds = 0;
  double wait_seconds = 0;

  [[nodiscard]] double busy() const { return read_seconds + compute_seconds; }
  [[nodiscard]] json to_json() const {
    return {{"units", units},
            {"samples", samples},
            {"bytes", bytes},
            {"blocks_read", blocks_read},
            {"blocks_summarised", blocks_summarised},
            {"corrupt_blocks", corrupt.size()},
            {"read_seconds", read_seconds},
            {"compute_seconds", compute_seconds},
            {"decode_seconds", decode_seconds},
            {"reduce_seconds", reduce_seconds},
            {"write_seconds", write_seconds},
            {"wait_seconds", wait_seconds}};
  }
};

output::JobIdentity identity_of(const BlockSource& source, const plan::JobConfig& config,
                                const std::vector<analysis::Configured>& analyses) {
  const store::StoreIdentity id = source.identity();
  output::JobIdentity out;
  out.store_path = config.store;
  out.store_uuid = id.uuid;
  out.store_blocks = id.blocks;
  out.store_streams = id.streams;
  out.store_format_version = std::to_string(id.format_version);
  out.config = config.results_key();
  out.analyses.stats = config.stats;
  out.analyses.quality = config.quality;
  out.columns = output::columns_of(analyses);
  return out;
}

}  // namespace

namespace {
json phases_json(const JobSummary::Phases& phases) {
  return {{"read_seconds", phases.read},     {"decode_seconds", phases.decode}, {"reduce_seconds", phases.reduce},
          {"write_seconds", phases.write},   {"wait_seconds", phases.wait},     {"plan_seconds", phases.plan},
          {"open_seconds", phases.open}};
}
}  // namespace

std::string JobSummary::json() const {
  nlohmann::json j = detail::summary_json(
      {output, units, units_run, samples, bytes, corrupt_blocks, epochs, seconds, all_collective});
  j["rows"] = rows;
  j["imbalance"] = imbalance;
  j["blocks_read"] = blocks_read;
  j["blocks_summarised"] = blocks_summarised;
  j["phases"] = phases_json(phases);
  return j.dump(2);
}

JobSummary run_job(const Comm& world, BlockSource& source, const JobOptions& options, const Launch& launch) {
  const auto started = Clock::now();
  const auto started_wall = std::chrono::system_clock::now();
  const plan::JobConfig& config = options.config;
  StopSignals signals;

  // Analyses: the plugins load on every rank, and every rank checks the list;
  // a plugin missing or broken on one rank stops them all.
  analysis::Catalog catalog;
  const std::vector<analysis::Configured> analyses = agreed(world, [&] {
    for (const auto& plugin : config.plugins) {
      // Test hook: TSWEEP_INJECT_FAULT=plugin:R makes the plugins missing on rank R alone.
      catalog.load_plugin(fault_injected("plugin", world.rank()) ? plugin + ".missing-on-this-rank" : plugin);
    }
    return catalog.configure(config.analyses, config.config_path.empty() ? "config" : config.config_path);
  });

  // Plan: every rank plans from the same stream table; the digests must agree.
  auto t0 = Clock::now();
  plan::Plan plan = agreed(world, [&] {
    maybe_inject_fault("open", world.rank());
    std::vector<plan::StreamSummary> summaries;
    for (const auto& s : source.streams()) summaries.push_back(s.summary);
    return plan::make_plan(summaries, config.selection, config.window_ns, config.unit_samples, source.name(),
                           config.max_rows);
  });
  detail::agree_on_plan(world, plan::plan_digest(plan), source.name());
  const double plan_seconds = since(t0);

  // Results file: new, or the partial one to resume. One run writes an
  // output at a time: the claim is held until this function returns or throws.
  t0 = Clock::now();
  const output::OutputClaim claim(world, config.output, output::claim_timing_from_env());
  const output::JobIdentity identity = identity_of(source, config, analyses);
  const output::ResultsState state = options.resume ? output::results_state(world, config.output, config.store) : output::ResultsState::none;
  JobSummary summary;
  summary.units = static_cast<std::int64_t>(plan.units.size());
  summary.rows = plan.rows;
  summary.output = config.output;
  if (!detail::start_or_continue(world, options.resume, state == output::ResultsState::complete,
                                 state == output::ResultsState::none, config.output, "results")) {
    return summary;
  }
  output::ResultsFile results = state == output::ResultsState::partial
                                    ? output::ResultsFile::resume(world, config.output, plan, identity)
                                    : output::ResultsFile::create(world, config.output, plan, identity, options.force);
  const std::vector<bool> committed = results.committed();
  const auto committed_before = std::count(committed.begin(), committed.end(), true);
  const double open_seconds = since(t0);
  if (world.is_root()) {
    spdlog::info("plan: {} streams, {} windows of {}, {} units{}", plan.streams.size(), plan.rows,
                 format_duration(plan.window_ns), plan.units.size(),
                 committed_before ? fmt::format(" ({} already committed)", committed_before) : std::string());
  }

  Coordinator coordinator(world);
  detail::UnitQueue queue(plan, committed, config.assignment, world, coordinator);
  std::int64_t remaining_cost = 0;
  for (const auto& u : plan.units) remaining_cost += committed[static_cast<std::size_t>(u.id)] ? 0 : u.cost;
  Progress progress(detail::progress_wanted(options.progress) && world.is_root(),
                    static_cast<std::int64_t>(plan.units.size()), committed_before, remaining_cost, config.progress_ns);
  detail::EpochLoop loop(world, coordinator, progress);
  const auto signalled = [] { return StopSignals::received() != 0; };
  UnitRunner runner(source, plan, config.on_corrupt == plan::OnCorrupt::fail, [&](const std::string_view step) {
    if (step == "read") test_hooks::hold("job.unit", world.rank(), signalled);
    return loop.stop_now();
  });
  runner.set_use_summaries(config.summaries);
  runner.set_analyses(analyses);

  RankStats mine;
  std::vector<output::FinishedUnit> finished;
  std::optional<FetchedUnit> ahead;  // fetched while the previous unit was computed; carried across epochs

  // One unit: the one fetched while the last one was computed, or a new one.
  auto work = [&]() -> detail::Step {
    detail::Step step;
    std::optional<FetchedUnit> current = std::move(ahead);
    ahead.reset();
    if (!current) {
      const std::int64_t unit = queue.next();
      if (unit < 0) {
        step.out_of_work = true;
        return step;
      }
      current = runner.fetch(unit);
    }
    maybe_inject_fault("unit", world.rank());
    if (runner.stop_check("read")) {  // a stop: the unit stays uncommitted, a resume runs it
      step.stop = true;
      return step;
    }
    // While the threads compute this unit, the main thread fetches the next.
    const std::int64_t next = queue.next();
    UnitResult r = runner.compute(*current, [&] {
      if (next >= 0) ahead = runner.fetch(next);
    });
    if (next < 0) step.out_of_work = !ahead;
    if (r.abandoned) {  // a stop: the unit stays uncommitted, a resume runs it
      step.stop = true;
      return step;
    }
    for (const auto& c : r.corrupt) {
      if (!mine.corrupt.insert(c.block).second) continue;  // reported once per rank
      spdlog::warn("corrupt block {} of {} ({} .. {}): {}", c.block, c.stream, format_iso8601(c.first_ns),
                   format_iso8601(c.last_ns), c.reason);
    }
    ++mine.units;
    mine.samples += r.samples;
    mine.bytes += r.bytes;
    mine.blocks_read += r.blocks;
    mine.blocks_summarised += r.summarised_blocks;
    mine.read_seconds += r.read_seconds;
    mine.compute_seconds += r.compute_seconds;
    mine.decode_seconds += r.decode_seconds;
    mine.reduce_seconds += r.reduce_seconds;
    coordinator.add_progress(1, r.samples);
    step.ran = true;
    step.items = static_cast<std::int64_t>(r.finished.rows.size());
    finished.push_back(std::move(r.finished));
    return step;
  };
  auto commit = [&] {
    const output::EpochReport report = results.write_epoch(finished);
    finished.clear();
    return report.all_collective;
  };
  const detail::EpochsOutcome outcome = loop.run(config.checkpoint_ns, max_epoch_rows, work, commit);
  summary.epochs = outcome.epochs;
  summary.all_collective = outcome.all_collective;
  mine.wait_seconds = outcome.wait_seconds;
  mine.write_seconds = outcome.write_seconds;
  const int stop_signal = outcome.stop_signal;

  // Gather what every rank did, for the summary and the provenance.
  const auto rows = gather_strings(world, mine.to_json().dump());
  std::int64_t totals[5] = {mine.units, mine.samples, mine.bytes, mine.blocks_read, mine.blocks_summarised};
  std::int64_t sums[5] = {0, 0, 0, 0, 0};
  check_mpi(MPI_Allreduce(totals, sums, 5, MPI_INT64_T, MPI_SUM, world.get()), "MPI_Allreduce(summary)");
  summary.units_run = sums[0];
  summary.samples = sums[1];
  summary.bytes = sums[2];
  summary.blocks_read = sums[3];
  summary.blocks_summarised = sums[4];
  // Where the time went, summed over ranks (rank-seconds).
  double phase[5] = {mine.read_seconds, mine.decode_seconds, mine.reduce_seconds, mine.write_seconds, mine.wait_seconds};
  double phase_sum[5] = {0, 0, 0, 0, 0};
  check_mpi(MPI_Allreduce(phase, phase_sum, 5, MPI_DOUBLE, MPI_SUM, world.get()), "MPI_Allreduce(phases)");
  summary.phases = {phase_sum[0], phase_sum[1], phase_sum[2], phase_sum[3], phase_sum[4], plan_seconds, open_seconds};
  summary.corrupt_blocks = detail::distinct_blocks(world, mine.corrupt);
  const bool complete = stop_signal == 0;

  json provenance;
  if (world.is_root()) {
    std::vector<double> busy;
    json per_rank = json::array();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      json j = json::parse(rows[r]);
      busy.push_back(j.at("read_seconds").get<double>() + j.at("compute_seconds").get<double>());
      j["rank"] = r;
      if (r < launch.rows.size()) {
        j["host"] = launch.rows[r].host;
        j["threads"] = launch.rows[r].threads;
        j["cpus"] = launch.rows[r].cpus;
      }
      per_rank.push_back(std::move(j));
    }
    summary.imbalance = plan::imbalance(busy);
    summary.seconds = since(started);
    provenance = detail::provenance_json(world, {"run", started_wall, summary.seconds, launch, options,
                                                 committed_before, stop_signal, summary.epochs});
    provenance["timings"] = phases_json(summary.phases);
    provenance["imbalance"] = summary.imbalance;
    provenance["per_rank"] = per_rank;
  }
  results.write_provenance(world.is_root() ? provenance.dump() : std::string());

  if (!complete) detail::throw_stopped(stop_signal, committed_before + summary.units_run, summary.units, options.resume_command);
  results.finish();
  if (world.is_root()) {
    spdlog::info("done: {} units, {} samples in {:.2f} s ({:.3g} samples/s), {} corrupt block(s), imbalance {:.2f} (max/mean busy time)",
                 summary.units_run, summary.samples, summary.seconds,
                 summary.seconds > 0 ? static_cast<double>(summary.samples) / summary.seconds : 0.0,
                 summary.corrupt_blocks, summary.imbalance);
  }
  return summary;
}

}  // namespace tsweep::job
