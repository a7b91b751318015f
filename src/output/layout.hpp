#pragma once
/// \file
/// The results file's layout (src/output/FORMAT.md): building it in a new file,
/// opening it in an existing one, and checking that an existing one belongs to
/// this job. Internal to the output layer.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/analysis/window.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/output/results.hpp"
#include "tsweep/plan/plan.hpp"
#include "tsweep/h5/h5.hpp"

namespace tsweep::output::detail {

inline constexpr const char* format_name = "results";
inline constexpr std::int64_t format_version = 1;

/// Bytes of /provenance/json for a file created by `ranks` ranks:
/// 64 KiB + 2 KiB per rank, rounded up to a multiple of 64 KiB.
hsize_t provenance_capacity(int ranks);

/// The `analyses` attribute: the analyses' names, comma-separated, stats and
/// quality first ("stats,quality", "stats,percentiles").
std::string analyses_text(const JobIdentity& identity);
/// The `analysis_parameters` attribute: {"name": {parameters}, ...} in JSON.
std::string parameters_text(const JobIdentity& identity);

/// The file and memory types of a window field's column.
hid_t file_type(analysis::FieldKind kind);
hid_t memory_type(analysis::FieldKind kind);

/// Rank-local: throws InternalError unless the plan's units cover its rows
/// exactly once, each inside its stream's rows (the output places the plan fixes).
void validate_plan(const plan::Plan& plan);

/// Collective on `comm`, the file's communicator: writes the root attributes,
/// the stream and unit tables (from rank 0), and allocates every column, the
/// committed-unit record and the provenance record (sized by the rank count).
/// Ranks agree after every step that can fail on some of them, so a failure
/// (a full disk) throws on every rank and leaves none in a collective.
void build_layout(const exec::Comm& comm, hid_t file, const plan::Plan& plan, const JobIdentity& identity, hid_t dxpl,
                  const std::string& path);

/// Rank-local metadata writes of the root attributes (called collectively by build_layout).
void write_root_attributes(hid_t file, const plan::Plan& plan, const JobIdentity& identity, const std::string& path);

/// About how many bytes a results file for `plan` takes once written
/// (every column allocated in full, as build_layout does).
std::uint64_t estimated_bytes(const plan::Plan& plan, const JobIdentity& identity, int ranks);

/// The datasets that epochs and provenance write, open.
struct OpenLayout {
  std::vector<analysis::FieldInfo> fields;
  std::vector<h5::Handle> columns;  ///< /windows/<field>, in `fields` order
  h5::Handle committed;             ///< /units/committed
  h5::Handle provenance;            ///< /provenance/json
  hsize_t provenance_capacity = 0;
  /// /analyses/<name>/<field> of each analysis that is not stats or quality,
  /// in JobIdentity::columns order (FinishedUnit::cells order).
  std::vector<const AnalysisColumns*> analyses;
  std::vector<std::vector<h5::Handle>> analysis_columns;
};

/// Collective: opens the datasets of a file laid out for `plan` and `analyses`,
/// checking each one's size (IoError naming the dataset otherwise).
OpenLayout open_layout(hid_t file, const plan::Plan& plan, const JobIdentity& identity, const std::string& path);

/// Collective: throws ConfigError (one line naming what differs and how to go
/// on) unless the file at `path` was made by tsweep's results format version
/// for the same store, config, analyses, window and plan.
void check_identity(hid_t file, const plan::Plan& plan, const JobIdentity& identity, const std::string& path);

/// The dotted key of the first line where two canonical YAML texts differ
/// ("window", "selection.streams"), or "" when they are equal.
std::string first_differing_key(const std::string& a, const std::string& b);

}  // namespace tsweep::output::detail
