#pragma once
/// \file
/// The plan of `tsweep export`: the selected streams (plan::make_plan over
/// the store's stream table, as `run` selects them), grouped onto uniform time
/// grids, and cut into units of work. A unit is one stream's run of whole time
/// chunks of its group's grid; its place in the file (group, row, points) is
/// fixed here, before any data is read, and depends only on the store and the
/// config. Units are made by plan::make_plan too, over each stream's grid
/// points in place of time (window = chunk length), so they are sized by
/// estimated samples, assigned and digested like `run`'s.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/job/block_source.hpp"
#include "tsweep/output/export_file.hpp"
#include "tsweep/plan/config.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::job {

struct ExportPlan {
  plan::Plan selection;  ///< the selected streams and their covered time ranges (one window each)
  std::vector<output::ExportGroupLayout> groups;
  std::vector<std::int32_t> group_of;  ///< per selection stream: its group
  std::vector<std::int64_t> row_of;    ///< per selection stream: its row in the group
  std::vector<std::int64_t> period_ns; ///< per selection stream: its nominal period (0: irregular)
  plan::Plan units;                    ///< in grid points: stream i of `selection` spans its group's points
  std::vector<output::ExportPlace> places;  ///< per unit
};

/// Rank-local, pure. Throws ConfigError naming the key: a pattern matching
/// nothing, no samples in the time range, an irregular stream without
/// export.rate, a raw integer dtype too narrow for a stream's samples.
ExportPlan make_export_plan(const std::vector<SourceStream>& streams, const plan::JobConfig& config,
                            const std::string& store_name);

/// A digest of the plan (groups, grids and units), recorded in the file.
std::uint64_t export_plan_digest(const ExportPlan& plan);

/// "500", "0.5", "1.000000001": a rate in nHz as exact decimal hertz.
std::string rate_text(std::int64_t rate_nhz);

}  // namespace tsweep::job
