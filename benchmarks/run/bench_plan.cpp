// Time and memory of planning a synthetic catalog: 10^5 streams whose blocks
// add up to 10^8 (the target scale of DESIGN.md). The planner reads only the
// stream table, so the block count shows in the catalog, not in the plan's cost.
//
//   build-release/bin/bench_plan --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <random>

#include "tsweep/plan/assign.hpp"
#include "tsweep/plan/plan.hpp"

namespace {

constexpr std::int64_t s = 1'000'000'000;

// 10^5 streams over one day at 500, 250, 125, 62.5 and 1 Hz; in blocks of
// 16384 samples they hold about 10^8 blocks (the counter says exactly how many).
std::vector<tsweep::plan::StreamSummary> catalog(std::int64_t streams, std::int64_t& blocks) {
  std::vector<tsweep::plan::StreamSummary> out;
  out.reserve(static_cast<std::size_t>(streams));
  std::mt19937_64 rng(1);
  const std::int64_t rates[] = {500'000'000'000, 250'000'000'000, 125'000'000'000, 62'500'000'000, 1'000'000'000};
  blocks = 0;
  for (std::int64_t i = 0; i < streams; ++i) {
    tsweep::plan::StreamSummary st;
    st.id = i;
    st.name = "ward" + std::to_string(i / 1000) + "/bed" + std::to_string(i % 1000) + "/sig" + std::to_string(i % 8);
    st.rate_nhz = rates[rng() % 5];
    st.first_ns = 1'704'067'200 * s + static_cast<std::int64_t>(rng() % 60) * s;
    const std::int64_t span = 86400 * s - static_cast<std::int64_t>(rng() % 3600) * s;
    st.last_ns = st.first_ns + span;
    st.samples = static_cast<std::int64_t>(static_cast<double>(st.rate_nhz) * 1e-18 * static_cast<double>(span)) + 1;
    blocks += (st.samples + 16383) / 16384;
    out.push_back(std::move(st));
  }
  return out;
}

long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void BM_Plan(benchmark::State& state) {
  std::int64_t blocks = 0;
  const auto streams = catalog(state.range(0), blocks);
  const long rss_before = max_rss_kib();
  tsweep::plan::Plan plan;
  for (auto _ : state) {
    plan = tsweep::plan::make_plan(streams, {}, 60 * s, 4'000'000, "catalog");
    benchmark::DoNotOptimize(plan.rows);
  }
  state.counters["streams"] = static_cast<double>(streams.size());
  state.counters["catalog_blocks"] = static_cast<double>(blocks);
  state.counters["units"] = static_cast<double>(plan.units.size());
  state.counters["rows"] = static_cast<double>(plan.rows);
  state.counters["rss_growth_MiB"] = static_cast<double>(max_rss_kib() - rss_before) / 1024.0;
  state.counters["plan_MiB"] = static_cast<double>(plan.units.size() * sizeof(tsweep::plan::Unit) +
                                                   plan.streams.size() * sizeof(tsweep::plan::PlannedStream)) /
                               (1024.0 * 1024.0);
}
BENCHMARK(BM_Plan)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_AssignStatic(benchmark::State& state) {
  std::int64_t blocks = 0;
  const auto plan = tsweep::plan::make_plan(catalog(100000, blocks), {}, 60 * s, 4'000'000, "catalog");
  for (auto _ : state) {
    auto parts = tsweep::plan::assign_static(plan, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(parts.data());
  }
  state.counters["units"] = static_cast<double>(plan.units.size());
  state.counters["ranks"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_AssignStatic)->Arg(64)->Arg(4096)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
