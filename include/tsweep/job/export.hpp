#pragma once
/// \file
/// `tsweep export`: the selected streams × time range onto uniform time grids
/// in one dense HDF5 file (src/output/EXPORT.md), written by every rank in
/// committed epochs, stopped by a signal and resumed like `tsweep run`.

#include <cstdint>
#include <string>

#include "tsweep/job/block_source.hpp"
#include "tsweep/job/job.hpp"

namespace tsweep::job {

struct ExportSummary {
  std::int64_t units = 0;          ///< in the plan
  std::int64_t units_run = 0;      ///< run by this invocation
  std::int64_t groups = 0;
  std::int64_t streams = 0;
  std::int64_t points = 0;         ///< time points × streams in the file
  std::int64_t samples = 0;        ///< samples decoded by this invocation
  std::int64_t bytes_read = 0;     ///< encoded bytes read
  std::int64_t bytes_written = 0;  ///< values and mask bytes written by this invocation
  std::int64_t corrupt_blocks = 0;
  std::int64_t epochs = 0;
  double seconds = 0;
  double write_seconds = 0;        ///< rank 0's time in the epochs' collective writes
  bool all_collective = true;
  std::string output;

  [[nodiscard]] std::string json() const;
};

/// Collective on `world`: runs the export of `options.config` (its `export:`
/// section) over `source`. Stop signals, --resume and --force, the output's
/// claim and the exit codes are `run_job`'s: StoppedError (75) after
/// committing the epoch, ConfigError/IoError (2) for bad input, BusyError (73)
/// when another run holds the output; every rank throws together.
ExportSummary run_export(const Comm& world, BlockSource& source, const JobOptions& options, const Launch& launch);

}  // namespace tsweep::job
