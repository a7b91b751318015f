#pragma once
/// \file
/// The results file: one HDF5 file written by all ranks together with MPI-IO
/// collectives, in committed epochs. Layout: src/output/FORMAT.md.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tsweep/analysis/catalog.hpp"
#include "tsweep/analysis/window.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::output {

/// One analysis's fields in the results file, `/analyses/<name>/<field>`
/// (for stats and quality, links to their `/windows/<field>` columns).
struct AnalysisColumns {
  std::string name;
  std::string parameters;  ///< canonical JSON of its parameters, defaults included
  std::vector<std::pair<std::string, analysis::Value>> parameter_values;  ///< the same, as attributes
  std::vector<analysis::Field> fields;
  std::vector<std::size_t> offsets;  ///< first cell of each field in a window's cells
  std::size_t cells = 0;             ///< cells (8 bytes) per window
  bool kernel = false;               ///< stats or quality: the fields are WindowRow's
};

/// The columns of a job's configured analyses, kernel ones first (file order).
std::vector<AnalysisColumns> columns_of(const std::vector<analysis::Configured>& configured);

/// What identifies the input of a job: results are only resumed, or compared,
/// against the same store, config and plan.
struct JobIdentity {
  std::string store_path;
  std::string store_uuid;
  std::int64_t store_blocks = 0;     ///< committed blocks when the job planned
  std::int64_t store_streams = 0;
  std::string store_format_version;
  std::string config;                ///< canonical YAML of the keys that shape the results
  analysis::Analyses analyses;       ///< whether stats and quality run
  std::vector<AnalysisColumns> columns;  ///< every analysis (stats and quality too, when they run)
};

/// A finished unit's rows, ready to be written.
struct FinishedUnit {
  std::int64_t unit = 0;                       ///< Plan::units index
  std::vector<analysis::WindowRow> rows;       ///< exactly the unit's windows, in order
  /// Per analysis that is not stats or quality (JobIdentity::columns order):
  /// windows × cells values, window after window.
  std::vector<std::vector<std::uint64_t>> cells;
};

/// How the epoch's transfers really went (H5Pget_mpio_actual_io_mode and
/// H5Pget_mpio_no_collective_cause), so tests can assert they were collective.
struct EpochReport {
  std::int64_t units = 0;              ///< units committed in this epoch, all ranks
  std::int64_t rows = 0;               ///< rows written in this epoch, all ranks
  bool all_collective = true;          ///< every transfer of the epoch was collective
  std::uint32_t no_collective_cause = 0;  ///< OR of the global causes, 0 when collective
};

/// What a results path holds: nothing, an unfinished run (`<path>.partial`), or a finished file.
enum class ResultsState { none, partial, complete };

/// Collective on `comm`: rank 0 looks at `path` and every rank learns what it
/// found. Throws ConfigError on every rank when `path` (or its `.partial`) is
/// the store `store` itself.
ResultsState results_state(const exec::Comm& comm, const std::string& path, const std::string& store = {});

/// Rank-local: throws ConfigError when the results file `path`, its
/// `.partial` or its `.creating` name is the file `store` (same inode, through
/// any link): no flag lets a run write, replace or remove its own input.
void check_output_path(const std::string& path, const std::string& store);

class ResultsFile {
 public:
  /// Collective on `comm`. Creates `<path>.partial` for a new run with every
  /// dataset allocated for `plan` (so epoch writes never change metadata and a
  /// kill at any moment leaves a file that resumes). Throws ConfigError (exit 2)
  /// if `<path>` or `<path>.partial` exists and `force` is false (with `force`
  /// both are removed first, and only if they are tsweep results files), if
  /// any of them is the job's store, IoError (exit 2) if the directory is missing or
  /// not writable or the file cannot be created, InternalError if the plan's
  /// units do not cover its rows exactly once. Every rank throws, or none
  /// (see exec::agree).
  static ResultsFile create(const exec::Comm& comm, const std::string& path, const plan::Plan& plan,
                            const JobIdentity& identity, bool force);

  /// Collective on `comm`. Reopens `<path>.partial` for --resume after checking
  /// it was made from the same store, config and plan (ConfigError naming the
  /// difference otherwise; ConfigError if there is nothing to resume, or if
  /// `<path>` is already complete). Every rank throws, or none.
  static ResultsFile resume(const exec::Comm& comm, const std::string& path, const plan::Plan& plan,
                            const JobIdentity& identity);

  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;
  ~ResultsFile();

  /// Rank-local: committed[u] is true for units written and committed, read at
  /// open and updated by every epoch; the same on every rank.
  [[nodiscard]] const std::vector<bool>& committed() const;

  /// Collective on the file's communicator: writes every rank's finished
  /// units' rows (a rank with none still takes part), flushes, then marks them
  /// committed and flushes again. Each rank's input is checked first (unit in
  /// the plan, not committed, not given twice on any rank, exactly the unit's
  /// rows with the plan's stream and window starts): if any rank's input is
  /// wrong, nothing is written and every rank throws (InternalError, PeerError
  /// on the ranks that did nothing wrong; see exec::agree).
  EpochReport write_epoch(const std::vector<FinishedUnit>& mine);

  /// Collective: records provenance (JSON text from rank 0; other ranks' text
  /// is ignored). Text longer than the record is shortened to valid JSON (see
  /// src/output/FORMAT.md).
  void write_provenance(const std::string& json);

  /// Collective: every unit must be committed (InternalError otherwise, on
  /// every rank, and the file stays open); closes the file and renames
  /// `<path>.partial` to `<path>`. Every rank returns after the rename.
  void finish();

  /// Rank-local: the finished file's name, `<path>`.
  [[nodiscard]] const std::string& path() const;

 private:
  struct Impl;
  explicit ResultsFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace tsweep::output
