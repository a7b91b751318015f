#pragma once
/// \file
/// The plan: which streams and windows a job covers, cut into units of work,
/// each with its rows in the results file fixed before any data is read.
/// A pure function of the stream table and the config — never of the number
/// of ranks or threads — so every rank computes the same plan on its own.

#include <cstdint>
#include <string>
#include <vector>

namespace tsweep::plan {

/// What the plan needs to know of one stream (from the store's stream table).
struct StreamSummary {
  std::int64_t id = 0;
  std::string name;
  std::int64_t first_ns = 0;  ///< time of the first sample
  std::int64_t last_ns = 0;   ///< time of the last sample
  std::int64_t samples = 0;
  std::int64_t rate_nhz = 0;  ///< nominal rate in nanohertz, 0 = irregular
};

/// Which streams and times a job covers.
struct Selection {
  std::vector<std::string> globs;    ///< shell-style patterns on names (`*`, `?`, `[...]`); any match selects
  std::vector<std::string> regexes;  ///< ECMAScript regular expressions, matched against the whole name
  std::int64_t start_ns = INT64_MIN; ///< time range [start_ns, end_ns)
  std::int64_t end_ns = INT64_MAX;
};

/// One selected stream and its rows in the results file.
struct PlannedStream {
  std::int64_t id = 0;           ///< store stream id
  std::string name;
  std::int64_t begin_ns = 0;     ///< covered time range [begin_ns, end_ns): span ∩ selection
  std::int64_t end_ns = 0;
  std::int64_t first_window = 0; ///< k of the first window [k·W, (k+1)·W)
  std::int64_t windows = 0;      ///< rows, one per window, empty ones included
  std::int64_t row = 0;          ///< first row in the results file
};

/// A unit of work: a run of whole windows of one stream.
struct Unit {
  std::int64_t id = 0;
  std::int32_t stream = 0;       ///< index into Plan::streams
  std::int64_t first_window = 0; ///< k of the unit's first window
  std::int64_t windows = 0;
  std::int64_t row = 0;          ///< first row in the results file
  std::int64_t cost = 0;         ///< estimated samples
};

struct Plan {
  std::int64_t window_ns = 0;
  std::vector<PlannedStream> streams;
  std::vector<Unit> units;
  std::int64_t rows = 0;
  /// Covered time of a unit: its windows ∩ its stream's covered range.
  [[nodiscard]] std::int64_t unit_begin(const Unit& u) const;
  [[nodiscard]] std::int64_t unit_end(const Unit& u) const;
};

/// Most window rows a plan may have unless the config says otherwise: a
/// window far too small for its time range (1 us over a day of 8 streams
/// makes 7·10^11 rows, terabytes of results) is refused before anything is
/// allocated or created.
inline constexpr std::int64_t kDefaultMaxRows = 1'000'000'000;

/// Most windows in one unit: a unit's rows are held in memory until its
/// epoch is written, so units of many cheap windows are cut at this length.
inline constexpr std::int64_t kMaxUnitWindows = std::int64_t{1} << 16;

/// Most units of work in a plan: every rank holds the unit table (about 50
/// bytes a unit), so a plan that would need more is refused.
inline constexpr std::int64_t kMaxUnits = std::int64_t{1} << 24;

/// Builds the plan. `target_unit_samples` sizes units by estimated samples
/// (a unit never splits a window, and holds at most kMaxUnitWindows). Throws
/// ConfigError naming `store_path` when a pattern matches no stream, or the
/// selection is empty, and naming the window when the plan would have more
/// than `max_rows` rows (checked before any unit is made).
Plan make_plan(const std::vector<StreamSummary>& streams, const Selection& selection, std::int64_t window_ns,
               std::int64_t target_unit_samples, const std::string& store_path,
               std::int64_t max_rows = kDefaultMaxRows);

/// A digest of everything in the plan (64-bit, stable across platforms), recorded in the results file.
std::uint64_t plan_digest(const Plan& plan);

/// Shell-style match of the whole `name` against `pattern`.
bool glob_match(const std::string& pattern, const std::string& name);

}  // namespace tsweep::plan
