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
};

/// Reads `path` and applies `overrides` ("key=value", value in YAML syntax,
/// dotted keys for nested maps such as time_range.start). Paths in the file
/// are relative to the file's folder; paths given as overrides, to the
/// working directory. Throws ConfigError naming the file, the key and what
/// was expected.
JobConfig load_config(const std::string& path, const std::vector<std::string>& overrides);

/// The keys a config may have, with a one-line description each (for --help and docs).
const std::vector<std::pair<std::string, std::string>>& config_keys();

}  // namespace tsweep::plan
