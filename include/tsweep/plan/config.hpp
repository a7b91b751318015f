#pragma once
/// \file
/// The job config (`tsweep run CONFIG`): a YAML file whose every key is
/// validated, with any key overridable on the command line (`--set key=value`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tsweep/analysis/catalog.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::plan {

enum class Assignment { static_cost, dynamic };
enum class OnCorrupt { flag, fail };

/// How `tsweep export` puts samples on its time grid (src/output/EXPORT.md).
enum class Resample { nearest, linear, mean };
/// The values' type in an export file.
enum class ExportType { float32, float64, int16, int32, int64 };

/// The `export:` section of a job config: what `tsweep export` writes.
struct ExportSettings {
  std::string output;             ///< the export file (required by `tsweep export`)
  std::int64_t rate_nhz = 0;      ///< output rate; 0: each stream's native rate (streams grouped by it)
  Resample method = Resample::nearest;
  ExportType dtype = ExportType::float32;
  bool physical = true;           ///< raw × scale + offset; false: the stored raw values
  std::int64_t chunk_streams = 1;       ///< chunk shape: streams ...
  std::int64_t chunk_time = 65536;      ///< ... × time points; units of work are whole time chunks
  std::int64_t max_gap_ns = 0;    ///< linear: longest interval bridged; 0: 1.5 periods (see EXPORT.md)
};

/// Which command reads the config: `export` needs no `window` or `output`,
/// and needs `export.output`.
enum class ConfigUse { run, export_file };

struct JobConfig {
  std::string config_path;              ///< the file it was read from ("" for none)
  std::string store;                    ///< input store
  std::string output;                   ///< results file
  Selection selection;                  ///< streams (globs), streams_regex, time_range
  std::int64_t window_ns = 0;
  /// The `analyses` list as written (checked once plugins are loaded: analysis::Catalog::configure).
  std::vector<analysis::AnalysisSpec> analyses{{"stats", {}}, {"quality", {}}};
  bool stats = true;    ///< `stats` is listed
  bool quality = true;  ///< `quality` is listed
  std::vector<std::string> plugins;  ///< shared libraries adding analyses, resolved like `store`
  Assignment assignment = Assignment::dynamic;
  std::int64_t unit_samples = 4'000'000;
  std::int64_t max_rows = kDefaultMaxRows;  ///< guard on the plan's size (not part of results_key)
  std::int64_t checkpoint_ns = 30'000'000'000;
  std::optional<int> threads;
  OnCorrupt on_corrupt = OnCorrupt::flag;
  std::int64_t progress_ns = 10'000'000'000;  ///< interval between progress lines
  bool summaries = true;  ///< windows that cover a block whole use its stored summary
  ExportSettings exporting;  ///< the `export:` section (ignored by `run`)
  bool has_export = false;   ///< the config has an `export:` section

  /// Canonical YAML of the keys that shape the results (not the output path,
  /// threads, assignment or checkpointing): equal for runs that must give
  /// identical results, and recorded in the results file.
  /// The analyses' parameters are not in it: the results file records them
  /// with their defaults filled in (the `analysis_parameters` attribute).
  [[nodiscard]] std::string results_key() const;
  /// The analyses' names: stats and quality first, the rest as listed.
  [[nodiscard]] std::vector<std::string> analysis_names() const;
  /// Canonical YAML of every key, for provenance.
  [[nodiscard]] std::string to_yaml() const;
  /// Canonical YAML of the keys that shape an export file (selection, unit
  /// size, on_corrupt and the `export:` section but its output): recorded in
  /// the export file and compared by `tsweep export --resume`.
  [[nodiscard]] std::string export_key() const;
};

/// Reads `path` and applies `overrides` ("key=value", value in YAML syntax,
/// dotted keys for nested maps such as time_range.start). Paths in the file
/// are relative to the file's folder; paths given as overrides, to the
/// working directory. Throws ConfigError naming the file, the key and what
/// was expected.
JobConfig load_config(const std::string& path, const std::vector<std::string>& overrides,
                      ConfigUse use = ConfigUse::run);

/// The keys of the `export:` section, with a one-line description each.
const std::vector<std::pair<std::string, std::string>>& export_keys();

/// "float32", "linear", ...: the names the config uses.
const char* export_type_name(ExportType type) noexcept;
const char* resample_name(Resample method) noexcept;

/// The keys a config may have, with a one-line description each (for --help and docs).
const std::vector<std::pair<std::string, std::string>>& config_keys();

}  // namespace tsweep::plan
