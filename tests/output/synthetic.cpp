#include "synthetic.hpp"

#include <algorithm>
#include <limits>

namespace tsweep::test {

plan::Plan synthetic_plan(const PlanShape& shape) {
  plan::Plan plan;
  plan.window_ns = shape.window_ns;
  const char* names[] = {"bed01/ECG_II", "bed02/SpO\u2082", "grid/feeder-7/voltage_phase_A", "lab/x", "bed03/ABP"};
  std::size_t cut = 0;
  for (int i = 0; i < shape.streams; ++i) {
    plan::PlannedStream s;
    s.id = 100 + 3 * i;
    s.name = std::string(names[i % 5]) + (i >= 5 ? "#" + std::to_string(i) : "");
    s.windows = shape.base_windows + shape.step_windows * i;
    s.first_window = -40 + 37 * i;  // windows before and after 1970
    s.begin_ns = s.first_window * shape.window_ns + 13;
    s.end_ns = (s.first_window + s.windows) * shape.window_ns - 7;
    s.row = plan.rows;
    for (std::int64_t w = 0; w < s.windows;) {
      plan::Unit u;
      u.id = static_cast<std::int64_t>(plan.units.size());
      u.stream = i;
      u.first_window = s.first_window + w;
      u.windows = std::min(shape.unit_sizes[cut++ % shape.unit_sizes.size()], s.windows - w);
      u.row = s.row + w;
      u.cost = 1000 * u.windows + u.id;
      plan.units.push_back(u);
      w += u.windows;
    }
    plan.rows += s.windows;
    plan.streams.push_back(s);
  }
  return plan;
}

plan::Plan large_plan(std::int64_t rows) {
  PlanShape shape;
  shape.streams = 32;
  shape.base_windows = std::max<std::int64_t>(1, rows / 32 - 31);
  shape.step_windows = 2;
  shape.window_ns = 500'000'000;
  shape.unit_sizes = {120, 20, 200, 75, 160, 45};
  return synthetic_plan(shape);
}

output::JobIdentity synthetic_identity(const analysis::Analyses& analyses) {
  output::JobIdentity id;
  id.store_path = "/data/synthetic-store.h5";
  id.store_uuid = "5d1c9a7e-0b6f-4c53-9a59-2f8f3e6a1b42";
  id.store_blocks = 123456;
  id.store_streams = 5;
  id.store_format_version = "1";
  id.config =
      "analyses:\n  - stats\n  - quality\nselection:\n  streams:\n    - \"bed*\"\n  time_range: all\nwindow: 1us\n";
  id.analyses = analyses;
  return id;
}

analysis::WindowRow synthetic_row(std::int32_t stream, std::int64_t row, std::int64_t start) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  analysis::WindowRow w;
  w.stream = stream;
  w.start = start;
  const bool empty = row % 9 == 0;
  w.count = empty ? 0 : (row * 37) % 101 + 1;
  w.min = empty ? nan : -0.5 * static_cast<double>(row) - 1e-3;
  w.max = empty ? nan : 1.25 * static_cast<double>(row) + 0.1;
  w.mean = empty ? nan : static_cast<double>(row) / 3.0;
  w.std = empty ? nan : 0.01 * static_cast<double>(row);
  w.first_time = empty ? analysis::no_time : start + row % 17;
  w.last_time = empty ? analysis::no_time : start + 900 - row % 13;
  w.expected = 100 + row % 3;
  w.missing = row % 7;
  w.gaps = row % 3;
  w.longest_gap = (row % 3) * 2500;
  w.nan_count = row % 5;
  w.out_of_range = row % 4;
  w.longest_flat_run = row % 11;
  w.duplicate_times = row % 2;
  w.backwards_times = row % 3 == 1 ? 1 : 0;
  w.corrupt_blocks = row % 19 == 0 ? 1 : 0;
  return w;
}

output::FinishedUnit finish_unit(const plan::Plan& plan, std::int64_t unit) {
  const plan::Unit& u = plan.units.at(static_cast<std::size_t>(unit));
  output::FinishedUnit f;
  f.unit = unit;
  for (std::int64_t i = 0; i < u.windows; ++i) {
    f.rows.push_back(synthetic_row(u.stream, u.row + i, (u.first_window + i) * plan.window_ns));
  }
  return f;
}

std::vector<analysis::WindowRow> expected_rows(const plan::Plan& plan) {
  std::vector<analysis::WindowRow> rows;
  for (const auto& u : plan.units) {
    auto f = finish_unit(plan, u.id);
    rows.insert(rows.end(), f.rows.begin(), f.rows.end());
  }
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    return a.stream != b.stream ? a.stream < b.stream : a.start < b.start;
  });
  return rows;
}

std::vector<std::vector<std::int64_t>> schedule(const plan::Plan& plan, int rank, int ranks, int epochs,
                                                const std::vector<bool>& skip) {
  std::vector<std::int64_t> mine;
  const auto n = static_cast<std::int64_t>(plan.units.size());
  for (std::int64_t u = 0; u < n; ++u) {
    if (static_cast<int>((u * 5 + 1) % ranks) != rank) continue;
    if (!skip.empty() && skip[static_cast<std::size_t>(u)]) continue;
    mine.push_back(u);
  }
  if (rank % 2 == 1) {
    std::reverse(mine.begin(), mine.end());
  } else {
    std::vector<std::int64_t> interleaved;  // back, front, back, front, ...
    for (std::size_t lo = 0, hi = mine.size(); lo < hi;) {
      interleaved.push_back(mine[--hi]);
      if (lo < hi) interleaved.push_back(mine[lo++]);
    }
    mine = std::move(interleaved);
  }
  std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(epochs));
  // Uneven epochs: the last rank sits out epoch 1, the others fill the earlier epochs faster.
  std::vector<std::size_t> slots;
  for (int e = 0; e < epochs; ++e) {
    if (e == 1 && rank == ranks - 1 && epochs > 2) continue;
    for (int k = 0; k <= (e + rank) % 3; ++k) slots.push_back(static_cast<std::size_t>(e));
  }
  for (std::size_t i = 0; i < mine.size(); ++i) out[slots[i * slots.size() / mine.size()]].push_back(mine[i]);
  return out;
}

std::vector<output::FinishedUnit> finish_units(const plan::Plan& plan, const std::vector<std::int64_t>& units) {
  std::vector<output::FinishedUnit> out;
  for (const auto u : units) out.push_back(finish_unit(plan, u));
  return out;
}

}  // namespace tsweep::test
