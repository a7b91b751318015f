#include "tsweep/plan/assign.hpp"

#include <algorithm>
#include <numeric>
#include <queue>

namespace tsweep::plan {

std::vector<std::int64_t> largest_first(const Plan& plan) {
  std::vector<std::int64_t> order(plan.units.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return plan.units[static_cast<std::size_t>(a)].cost > plan.units[static_cast<std::size_t>(b)].cost;
  });
  return order;
}

std::vector<std::vector<std::int64_t>> assign_static(const Plan& plan, int ranks, const std::vector<bool>& skip) {
  std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(std::max(1, ranks)));
  // Min-heap of (load, rank): the least loaded rank, lowest rank on ties.
  using Entry = std::pair<std::int64_t, int>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (int r = 0; r < static_cast<int>(out.size()); ++r) heap.emplace(0, r);
  for (const std::int64_t id : largest_first(plan)) {
    if (!skip.empty() && skip[static_cast<std::size_t>(id)]) continue;
    auto [load, rank] = heap.top();
    heap.pop();
    out[static_cast<std::size_t>(rank)].push_back(id);
    heap.emplace(load + plan.units[static_cast<std::size_t>(id)].cost, rank);
  }
  return out;
}

double imbalance(const std::vector<double>& loads) {
  if (loads.empty()) return 1.0;
  const double total = std::accumulate(loads.begin(), loads.end(), 0.0);
  const double mean = total / static_cast<double>(loads.size());
  const double max = *std::max_element(loads.begin(), loads.end());
  return mean > 0 ? max / mean : 1.0;
}

}  // namespace tsweep::plan
