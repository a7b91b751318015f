#pragma once
/// \file
/// The analyses a job can name (the built-ins and those of loaded plugins) and
/// the job's configured list: each analysis's parameters checked against what
/// it declares, its fields, and where each field sits in a window's cells.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tsweep/analysis/analysis.hpp"

namespace tsweep::analysis {

/// One entry of the config's `analyses` list, as written: a name, and a map
/// of parameters (Kind::null when none were given).
struct AnalysisSpec {
  std::string name;
  Value params;
};

/// One analysis of a job, ready to run.
struct Configured {
  std::string name;
  std::string parameters;  ///< canonical JSON of the checked parameters, defaults included
  Params params;
  std::vector<Field> fields;
  std::vector<std::size_t> offsets;  ///< first cell of each field in a window's cells
  std::size_t cells = 0;             ///< cells (8 bytes each) per window
  /// The analysis; for stats and quality it is a reference implementation:
  /// the job computes them with the block-summary kernel (kernels.hpp).
  std::shared_ptr<const Analysis> analysis;
  [[nodiscard]] bool kernel() const noexcept { return name == "stats" || name == "quality"; }
};

/// Canonical JSON text of a value: map keys in the order given, numbers in
/// shortest round-trip form, so equal parameters give equal text.
std::string canonical_json(const Value& value);

class Catalog {
 public:
  /// The built-in analyses: stats, quality, percentiles, spectrum, events.
  Catalog();

  /// Rank-local: loads the plugin at `path` (a shared library exporting
  /// tsweep_analysis_abi and tsweep_analysis_register) and adds its analyses.
  /// Throws ConfigError naming the path when the file cannot be loaded, lacks
  /// either symbol, was built for another analysis ABI, registers no analysis,
  /// or registers a name that is taken or malformed. A loaded library stays
  /// loaded for the life of the process (its code backs the analyses).
  void load_plugin(const std::string& path);

  [[nodiscard]] const AnalysisType* find(const std::string& name) const;
  /// "stats, quality, percentiles, ..." for messages.
  [[nodiscard]] std::string names() const;

  /// Checks the job's list (`where`: the config file, for messages) and makes
  /// its analyses, in the order listed. ConfigError naming the key
  /// (`analyses.spectrum.bands`) for an unknown analysis, one listed twice, an
  /// unknown or mistyped parameter, a missing required one, or a value the
  /// analysis refuses.
  [[nodiscard]] std::vector<Configured> configure(const std::vector<AnalysisSpec>& specs, const std::string& where) const;

 private:
  void add(AnalysisType type, const std::string& origin);
  std::vector<AnalysisType> m_types;
};

}  // namespace tsweep::analysis
