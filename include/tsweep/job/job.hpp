#pragma once
/// \file
/// `tsweep run`: plan, assign, decode and analyse, write in committed epochs,
/// stop on a signal, resume (DESIGN.md, "A job").

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/core/fault.hpp"
#include "tsweep/job/block_source.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/exec/launch.hpp"
#include "tsweep/plan/config.hpp"

namespace tsweep::job {

using exec::Comm;
using exec::Launch;

enum class ProgressMode { automatic, always, never };

struct JobOptions {
  plan::JobConfig config;
  bool resume = false;
  bool force = false;
  ProgressMode progress = ProgressMode::automatic;  ///< automatic: only when stderr is a terminal
  std::string resume_command;  ///< the command line to print when stopped ("tsweep run job.yaml --resume")
};

struct JobSummary {
  std::int64_t units = 0;            ///< in the plan
  std::int64_t units_run = 0;        ///< run by this invocation (the rest were committed before)
  std::int64_t rows = 0;             ///< windows in the results file
  std::int64_t samples = 0;          ///< samples analysed by this invocation
  std::int64_t bytes = 0;            ///< encoded bytes read
  std::int64_t corrupt_blocks = 0;
  std::int64_t epochs = 0;
  double seconds = 0;                ///< wall time of this invocation
  double imbalance = 1.0;            ///< max / mean of the ranks' busy time
  bool all_collective = true;        ///< every results transfer was collective
  std::int64_t blocks_read = 0;       ///< blocks read and decoded
  std::int64_t blocks_summarised = 0; ///< blocks a window covered whole: taken from their stored summaries
  /// Where the time went, in seconds summed over the ranks (plan and open:
  /// rank 0's wall time). read: the main thread fetching index rows and block
  /// bytes (mostly while the threads compute the unit before); decode and
  /// reduce: the threads' time in the decoder and in the reduction, divided by
  /// the threads; write: epochs; wait: agreeing at epoch ends.
  struct Phases {
    double read = 0, decode = 0, reduce = 0, write = 0, wait = 0, plan = 0, open = 0;
  } phases;
  std::string output;

  [[nodiscard]] std::string json() const;
};

/// Collective on `world`. Runs the job over `source` and returns the summary
/// (complete on rank 0). A stop signal on any rank is noticed between units and
/// between the steps of a unit (which is then left uncommitted); the ranks agree
/// on it at the end of the epoch, commit it, record the provenance and throw
/// StoppedError (exit 75, with the command that resumes) together: an orderly
/// stop, not a failure. Throws ConfigError/IoError (exit 2) for bad input;
/// every rank throws together.
JobSummary run_job(const Comm& world, BlockSource& source, const JobOptions& options, const Launch& launch);

/// Test hook (tsweep/core/fault.hpp): TSWEEP_INJECT_FAULT="POINT:RANK" makes
/// rank RANK fail at POINT, to prove that a failure on one rank stops every rank.
using tsweep::maybe_inject_fault;

}  // namespace tsweep::job
