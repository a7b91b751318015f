#pragma once
/// \file
/// Which rank runs which unit. Either way, the output is the same: the plan
/// fixes every unit's rows.

#include <cstdint>
#include <vector>

#include "tsweep/plan/plan.hpp"

namespace tsweep::plan {

/// Units largest first (ties by id): the order of dynamic assignment, and the
/// order LPT considers them in.
std::vector<std::int64_t> largest_first(const Plan& plan);

/// Static, cost-balanced (LPT: each unit, largest first, to the least loaded
/// rank, ties to the lowest rank). Returns the unit ids of every rank, in the
/// order the rank runs them. `skip[id]` true leaves a unit out (already committed).
std::vector<std::vector<std::int64_t>> assign_static(const Plan& plan, int ranks, const std::vector<bool>& skip = {});

/// max/mean of per-rank loads (1.0 = perfectly balanced).
double imbalance(const std::vector<double>& loads);

}  // namespace tsweep::plan
