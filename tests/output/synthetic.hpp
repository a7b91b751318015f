#pragma once
// Synthetic plans, job identities and window rows for the results-file tests:
// uneven units, negative and positive times, values that are a pure function
// of the row number, so any rank can say what any row must hold.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/analysis/window.hpp"
#include "tsweep/output/results.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::test {

struct PlanShape {
  int streams = 5;
  std::int64_t base_windows = 7;  ///< stream i has base_windows + step_windows * i windows
  std::int64_t step_windows = 5;
  std::int64_t window_ns = 1000;
  std::vector<std::int64_t> unit_sizes = {1, 4, 2, 7, 3};  ///< cycled through to cut each stream into units
};

/// A plan laid out like plan::make_plan lays one out, by hand.
plan::Plan synthetic_plan(const PlanShape& shape = {});

/// A plan with about `rows` rows in 32 streams and units of 20 to 200 windows.
plan::Plan large_plan(std::int64_t rows);

/// The identity of a job over the synthetic store.
output::JobIdentity synthetic_identity(const analysis::Analyses& analyses = {});

/// The row the results file must hold at `row` of stream `stream` whose window starts at `start`.
analysis::WindowRow synthetic_row(std::int32_t stream, std::int64_t row, std::int64_t start);

/// A finished unit with its synthetic rows.
output::FinishedUnit finish_unit(const plan::Plan& plan, std::int64_t unit);

/// Every row of the plan, in file order.
std::vector<analysis::WindowRow> expected_rows(const plan::Plan& plan);

/// This rank's units, epoch by epoch: units go round-robin to ranks from a
/// scrambled start, each rank runs its own in its own order (reversed on odd
/// ranks, interleaved on even ones), and the last rank has nothing in epoch 1.
/// `skip[u]` true leaves unit u out.
std::vector<std::vector<std::int64_t>> schedule(const plan::Plan& plan, int rank, int ranks, int epochs,
                                                const std::vector<bool>& skip = {});

/// Finished units for a list of unit ids.
std::vector<output::FinishedUnit> finish_units(const plan::Plan& plan, const std::vector<std::int64_t>& units);

}  // namespace tsweep::test
