#include "epoch_loop.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <exception>

#include "tsweep/core/fault.hpp"
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

}  // namespace tsweep::job::detail
