#pragma once
// Turning appended blocks into the rows of one commit: index rows grouped by
// stream and ordered by time, one run per stream, updated stream summaries.

#include <cstdint>
#include <set>
#include <vector>

#include "detail/rows.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::store::detail {

struct PendingBlock {
  BlockRow row;
  std::int64_t order;  ///< append order, to keep equal times stable
};

struct CommitRows {
  std::vector<BlockRow> index;
  std::vector<RunRow> runs;
  std::set<std::int64_t> touched;  ///< ids of streams that got blocks
};

/// Rows of a commit whose first index row is `index_begin` and first run row
/// `runs_begin`. Updates the summaries in `streams` (indexed by id).
CommitRows build_commit(std::vector<PendingBlock> pending, std::int64_t index_begin, std::int64_t runs_begin,
                        std::vector<StreamInfo>& streams);

/// Adds a run's totals to its stream's summary.
void add_run(StreamInfo& stream, const RunRow& run, std::int64_t run_row);

}  // namespace tsweep::store::detail
