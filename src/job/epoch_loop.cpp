#include "epoch_loop.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <exception>

#include "tsweep/core/error.hpp"
#include "tsweep/core/fault.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/core/version.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/hold.hpp"
#include "tsweep/exec/signals.hpp"
#include "tsweep/plan/assign.hpp"

namespace tsweep::job::detail {

using namespace tsweep::exec;  // the MPI runtime the pipeline runs on

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

UnitQueue::UnitQueue(const plan::Plan& plan, const std::vector<bool>& committed, plan::Assignment assignment,
                     const Comm& world, Coordinator& coordinator)
    : m_coordinator(coordinator), m_dynamic(assignment == plan::Assignment::dynamic && coordinator.shared()) {
  if (assignment == plan::Assignment::dynamic && !coordinator.shared() && world.is_root()) {
    spdlog::warn("one-sided MPI is not available across these ranks (MPI_Win_allocate: {}): units are assigned "
                 "statically (the results are the same), and a stop signal reaches the other ranks at the epoch's end",
                 coordinator.unavailable());
  }
  if (m_dynamic) {
    for (auto id : plan::largest_first(plan)) {
      if (!committed[static_cast<std::size_t>(id)]) m_order.push_back(id);
    }
  } else {
    m_order = plan::assign_static(plan, world.size(), committed)[static_cast<std::size_t>(world.rank())];
  }
}

std::int64_t UnitQueue::next() {
  const std::int64_t pos = m_dynamic ? m_coordinator.next_position() : m_cursor++;
  return pos < static_cast<std::int64_t>(m_order.size()) ? m_order[static_cast<std::size_t>(pos)] : -1;
}

bool progress_wanted(ProgressMode mode) {
  if (mode == ProgressMode::always) return true;
  if (mode == ProgressMode::never) return false;
  return ::isatty(STDERR_FILENO) == 1;
}

EpochLoop::EpochLoop(const Comm& world, Coordinator& coordinator, Progress& progress)
    : m_world(world), m_coordinator(coordinator), m_progress(progress) {}

bool EpochLoop::stop_now() {
  if (StopSignals::received() && !m_stop_reported) {
    m_coordinator.request_stop(StopSignals::received());
    m_stop_reported = true;
  }
  return m_coordinator.stop_requested() != 0;
}

EpochsOutcome EpochLoop::run(std::int64_t checkpoint_ns, std::int64_t max_items, const std::function<Step()>& work,
                             const std::function<bool()>& commit) {
  const auto signalled = [] { return StopSignals::received() != 0; };
  EpochsOutcome outcome;
  bool out_of_work = false;
  for (;;) {
    // Work until the checkpoint interval has passed, a stop is asked for, or no work is left.
    const auto epoch_start = Clock::now();
    std::exception_ptr error;
    std::int64_t done_in_epoch = 0;
    std::int64_t items_in_epoch = 0;
    while (!out_of_work && !error) {
      if (stop_now()) break;
      // At least one unit per epoch, so that every epoch makes progress; an
      // epoch also ends early once what it holds would take much memory.
      if (done_in_epoch > 0 &&
          (since(epoch_start) * 1e9 >= static_cast<double>(checkpoint_ns) || items_in_epoch >= max_items)) {
        break;
      }
      bool stop = false;
      try {
        const Step step = work();
        out_of_work = out_of_work || step.out_of_work;
        stop = step.stop;
        if (step.ran) {
          items_in_epoch += step.items;
          ++done_in_epoch;
        }
      } catch (...) {
        error = std::current_exception();
        // The other ranks end their epoch at their next check instead of at its end.
        m_coordinator.request_stop(SIGTERM);
      }
      if (m_progress.due()) {
        std::int64_t units = 0, samples = 0;
        m_coordinator.progress(units, samples);
        m_progress.print(units, samples);
      }
      if (stop) break;  // a stop: the unit in progress stays uncommitted, a resume runs it
    }

    // Epoch: agree, write everyone's finished units in one collective pass, commit.
    auto t0 = Clock::now();
    try {
      maybe_inject_fault("epoch", m_world.rank());
    } catch (...) {
      if (!error) error = std::current_exception();
    }
    agree(m_world, error);
    std::int64_t flags[2] = {out_of_work ? 0 : 1, m_coordinator.stop_requested()};
    std::int64_t global[2] = {0, 0};
    check_mpi(MPI_Allreduce(flags, global, 2, MPI_INT64_T, MPI_MAX, m_world.get()), "MPI_Allreduce(epoch)");
    m_coordinator.synchronise();
    outcome.wait_seconds += since(t0);
    t0 = Clock::now();
    const bool collective = commit();
    outcome.write_seconds += since(t0);
    ++outcome.epochs;
    outcome.all_collective = outcome.all_collective && collective;
    if (m_world.is_root()) {
      std::int64_t units = 0, samples = 0;
      m_coordinator.progress(units, samples);
      m_progress.print(units, samples, true);
    }
    const bool all_done = global[0] == 0;
    outcome.stop_signal = static_cast<int>(global[1]);
    test_hooks::hold("epoch.committed", m_world.rank(), signalled);
    if (all_done || outcome.stop_signal != 0) break;
  }
  return outcome;
}

void agree_on_plan(const Comm& world, std::uint64_t digest, const std::string& source_name) {
  std::uint64_t lo = digest, hi = digest;
  check_mpi(MPI_Allreduce(&digest, &lo, 1, MPI_UINT64_T, MPI_MIN, world.get()), "MPI_Allreduce(plan)");
  check_mpi(MPI_Allreduce(&digest, &hi, 1, MPI_UINT64_T, MPI_MAX, world.get()), "MPI_Allreduce(plan)");
  if (lo != hi) throw InternalError(source_name + " changed while the ranks read its stream table; run again");
}

bool start_or_continue(const Comm& world, bool resume, bool complete, bool none, const std::string& path,
                       const char* what) {
  // --resume continues a partial output, starts one where a kill left none,
  // and leaves a finished one alone: a requeued batch job can always pass it.
  if (complete) {
    if (world.is_root()) spdlog::info("{} is already complete; nothing to resume (pass --force instead of --resume to redo it)", path);
    return false;
  }
  if (resume && none && world.is_root()) {
    spdlog::info("no partial {} at {}.partial: starting from the beginning", what, path);
  }
  return true;
}

std::int64_t distinct_blocks(const Comm& world, const std::set<std::int64_t>& mine) {
  std::set<std::int64_t> all;
  for (const auto& text : allgather_strings(world, nlohmann::json(mine).dump())) {
    for (const auto& b : nlohmann::json::parse(text)) all.insert(b.get<std::int64_t>());
  }
  return static_cast<std::int64_t>(all.size());
}

nlohmann::json summary_json(const SummaryCommon& s) {
  return {{"output", s.output},
          {"units", s.units},
          {"units_run", s.units_run},
          {"samples", s.samples},
          {"encoded_bytes", s.encoded_bytes},
          {"corrupt_blocks", s.corrupt_blocks},
          {"epochs", s.epochs},
          {"seconds", s.seconds},
          {"samples_per_second", s.seconds > 0 ? static_cast<double>(s.samples) / s.seconds : 0.0},
          {"all_collective", s.all_collective}};
}

nlohmann::json provenance_json(const Comm& world, const ProvenanceCommon& p) {
  std::vector<std::string> hosts;
  for (const auto& row : p.launch.rows) {
    if (std::find(hosts.begin(), hosts.end(), row.host) == hosts.end()) hosts.push_back(row.host);
  }
  const bool complete = p.stop_signal == 0;
  return {{"tsweep_version", version()},
          {"git_revision", git_revision()},
          {"command", p.command},
          {"started", format_iso8601(
                          std::chrono::duration_cast<std::chrono::nanoseconds>(p.started.time_since_epoch()).count())},
          {"seconds", p.seconds},
          {"ranks", world.size()},
          {"threads", p.launch.rows.empty() ? 0 : p.launch.rows[0].threads},
          {"hosts", hosts},
          {"resumed", p.options.resume},
          {"units_committed_before", p.committed_before},
          {"complete", complete},
          {"stopped_by", complete ? "" : StopSignals::name(p.stop_signal)},
          {"config", p.options.config.to_yaml()},
          {"epochs", p.epochs}};
}

void throw_stopped(int stop_signal, std::int64_t committed, std::int64_t units, const std::string& resume_command) {
  throw StoppedError(fmt::format("stopped by {} after committing {} of {} units; continue with: {}",
                                 StopSignals::name(stop_signal), committed, units, resume_command));
}

}  // namespace tsweep::job::detail
