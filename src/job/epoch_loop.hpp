#pragma once
// The part of a job that `run` and `export` share: which unit a rank runs
// next, the stop request, and the epochs (work until the checkpoint interval,
// agree, write everyone's finished units in one collective pass, commit), and
// the checks, records and messages around them. Internal to the job layer.

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "progress.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/job/coordinator.hpp"
#include "tsweep/job/job.hpp"
#include "tsweep/plan/config.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::job::detail {

/// Which unit to run next: a static list, or the shared counter over an order.
class UnitQueue {
 public:
  /// Rank-local (rank 0 may log a warning). `committed` units are skipped.
  UnitQueue(const plan::Plan& plan, const std::vector<bool>& committed, plan::Assignment assignment, const Comm& world,
            Coordinator& coordinator);
  /// Rank-local: the next unit id, or -1 when there is none left for this rank.
  std::int64_t next();

 private:
  Coordinator& m_coordinator;
  bool m_dynamic;
  std::vector<std::int64_t> m_order;
  std::int64_t m_cursor = 0;
};

/// Whether rank 0 prints progress lines.
bool progress_wanted(ProgressMode mode);

/// What one call of the work function did.
struct Step {
  bool ran = false;          ///< a unit was finished (and is held for the epoch)
  bool out_of_work = false;  ///< no unit is left for this rank
  bool stop = false;         ///< a stop was asked for: the epoch ends now
  std::int64_t items = 0;    ///< what the finished unit holds (rows, points): bounds an epoch's memory
};

/// How the epochs went.
struct EpochsOutcome {
  std::int64_t epochs = 0;
  bool all_collective = true;
  int stop_signal = 0;         ///< 0: every unit done; else the signal the ranks stopped on
  double wait_seconds = 0;     ///< this rank: agreeing at epoch ends
  double write_seconds = 0;    ///< this rank: in `commit`
};

class EpochLoop {
 public:
  /// Rank-local construction; run() is collective on `world`.
  EpochLoop(const Comm& world, Coordinator& coordinator, Progress& progress);

  /// Rank-local: whether to stop now. A stop signal on this rank is passed on
  /// to the others through the coordinator; the ranks agree on it at the epoch's end.
  bool stop_now();

  /// Collective on `world`. Calls `work` on the main thread until
  /// `checkpoint_ns` has passed (at least one unit per epoch), the epoch holds
  /// `max_items`, a stop is asked for, or no work is left; an exception from
  /// `work` ends the epoch on every rank (the others at their next check).
  /// Then the ranks agree (an error anywhere throws everywhere, exec::agree),
  /// `commit` writes and commits every rank's finished units collectively and
  /// returns whether its transfers were all collective. Ends when every rank
  /// is out of work or a stop was asked for (the stop's epoch is committed).
  /// Test hooks: the fault point "epoch" and the hold point "epoch.committed".
  EpochsOutcome run(std::int64_t checkpoint_ns, std::int64_t max_items, const std::function<Step()>& work,
                    const std::function<bool()>& commit);

 private:
  const Comm& m_world;
  Coordinator& m_coordinator;
  Progress& m_progress;
  bool m_stop_reported = false;
};

/// Collective on `world`: every rank planned from the same stream table, so
/// the plans' digests must agree; InternalError everywhere when they do not.
void agree_on_plan(const Comm& world, std::uint64_t digest, const std::string& source_name);

/// Rank-local (rank 0 logs): what `--resume` found. Returns false when the
/// output is already complete and there is nothing to do.
bool start_or_continue(const Comm& world, bool resume, bool complete, bool none, const std::string& path,
                       const char* what);

/// Collective on `world`: how many distinct blocks all ranks' sets hold
/// (neighbouring units on two ranks can meet the same corrupt block).
std::int64_t distinct_blocks(const Comm& world, const std::set<std::int64_t>& mine);

/// What every job's JSON summary holds.
struct SummaryCommon {
  const std::string& output;
  std::int64_t units, units_run, samples, encoded_bytes, corrupt_blocks, epochs;
  double seconds;
  bool all_collective;
};
nlohmann::json summary_json(const SummaryCommon& s);

/// What every job's provenance records (rank 0 builds it).
struct ProvenanceCommon {
  const char* command;  ///< "run", "export"
  std::chrono::system_clock::time_point started;
  double seconds;
  const Launch& launch;
  const JobOptions& options;
  std::int64_t committed_before;
  int stop_signal;  ///< 0: complete
  std::int64_t epochs;
};
nlohmann::json provenance_json(const Comm& world, const ProvenanceCommon& p);

/// After a stop: StoppedError (exit 75) with how far the job got and the command that continues it.
[[noreturn]] void throw_stopped(int stop_signal, std::int64_t committed, std::int64_t units,
                                const std::string& resume_command);

}  // namespace tsweep::job::detail
