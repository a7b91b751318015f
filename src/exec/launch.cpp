#include "tsweep/exec/launch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tsweep/exec/affinity.hpp"
#include "tsweep/exec/runtime.hpp"

namespace tsweep::exec {

namespace {

using nlohmann::json;

json request_to_json(const ThreadRequest& r, const std::vector<int>& mask, int allocated) {
  return json{{"threads", r.threads}, {"asked", r.asked},   {"source", static_cast<int>(r.source)},
              {"detail", r.detail},   {"warnings", r.warnings}, {"mask", mask}, {"allocated", allocated}};
}

// "0-2,5" from rank numbers, for warnings shared by several ranks.
std::string rank_list(const std::vector<int>& ranks) {
  return (ranks.size() == 1 ? "rank " : "ranks ") + cpu_list(ranks);
}

}  // namespace

// One field list serves both directions (json(row) and j.get<LaunchRow>()).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LaunchRow, rank, host, local_rank, local_size, cpus, mask_cpus, allocated_cpus,
                                   threads, asked, source, detail, backend)

Launch decide_launch(const Comm& world, const Comm& node, const LaunchOptions& options) {
  const CpuBinding binding = query_cpu_binding();
  const ThreadEnv env = ThreadEnv::from_process();
  const int allocated = allocated_cpus(env, binding.allowed_cpus);
  const std::string host = host_name();

  // Phase 1 needs every node rank's mask.
  std::vector<RankPlacement> placements;
  for (const auto& text : allgather_strings(node, json(binding.mask).dump())) {
    RankPlacement p;
    p.mask = json::parse(text).get<std::vector<int>>();
    p.local_rank = static_cast<int>(placements.size());
    placements.push_back(std::move(p));
  }
  const ThreadRequest mine = request_threads(options.threads, options.threads_source, env, placements,
                                             static_cast<std::size_t>(node.rank()));

  // Phase 2: every node rank fits the same gathered requests, so all agree.
  std::vector<ThreadRequest> requests;
  int node_allocated = allocated;
  for (const auto& text : allgather_strings(node, request_to_json(mine, binding.mask, allocated).dump())) {
    const json j = json::parse(text);
    ThreadRequest r;
    r.threads = j.at("threads");
    r.asked = j.at("asked");
    r.source = static_cast<ThreadSource>(j.at("source").get<int>());
    requests.push_back(std::move(r));
    node_allocated = std::min(node_allocated, j.at("allocated").get<int>());
  }
  const NodeThreads fitted =
      fit_node(requests, placements, node_allocated, options.oversubscribe, host, batch_system(env));

  Launch launch;
  LaunchRow& row = launch.mine;
  row.rank = world.rank();
  row.host = host;
  row.local_rank = node.rank();
  row.local_size = node.size();
  row.cpus = cpu_list(binding.mask);
  row.mask_cpus = static_cast<int>(binding.mask.size());
  row.allocated_cpus = node_allocated;
  row.threads = fitted.threads.at(static_cast<std::size_t>(node.rank()));
  row.asked = mine.asked;
  row.source = to_string(mine.source);
  row.detail = mine.detail;
  row.backend = kokkos_backend();

  // Rank 0 gathers rows and warnings; node warnings come once per node.
  json report{{"row", json(row)}, {"warnings", mine.warnings},
              {"node_warnings", node.rank() == 0 ? fitted.warnings : std::vector<std::string>{}}};
  const auto gathered = gather_strings(world, report.dump());
  if (world.rank() != 0) return launch;

  std::vector<std::pair<std::string, std::vector<int>>> per_rank;  // first-seen order
  std::vector<std::string> node_warnings;
  for (const auto& text : gathered) {
    const json j = json::parse(text);
    launch.rows.push_back(j.at("row").get<LaunchRow>());
    const int rank = launch.rows.back().rank;
    for (const auto& w : j.at("warnings")) {
      const std::string message = w.get<std::string>();
      auto it = std::find_if(per_rank.begin(), per_rank.end(), [&](const auto& p) { return p.first == message; });
      if (it == per_rank.end()) {
        per_rank.emplace_back(message, std::vector<int>{rank});
      } else {
        it->second.push_back(rank);
      }
    }
    for (const auto& w : j.at("node_warnings")) node_warnings.push_back(w.get<std::string>());
  }
  for (const auto& [message, ranks] : per_rank) launch.warnings.push_back(rank_list(ranks) + ": " + message);
  launch.warnings.insert(launch.warnings.end(), node_warnings.begin(), node_warnings.end());
  return launch;
}

std::vector<std::string> format_launch_table(const Launch& launch) {
  std::vector<std::string> lines;
  std::size_t host_width = 4;
  std::size_t cpus_width = 4;
  for (const auto& r : launch.rows) {
    host_width = std::max(host_width, r.host.size());
    cpus_width = std::max(cpus_width, r.cpus.size());
  }
  lines.push_back(fmt::format("{:>4}  {:<{}}  {:>5}  {:<{}}  {:>7}  {:<15}  {:<7}  {}", "rank", "host", host_width,
                              "local", "cpus", cpus_width, "threads", "source", "backend", "why"));
  for (const auto& r : launch.rows) {
    lines.push_back(fmt::format("{:>4}  {:<{}}  {:>5}  {:<{}}  {:>7}  {:<15}  {:<7}  {}", r.rank, r.host, host_width,
                                r.local_rank, r.cpus, cpus_width, r.threads, r.source, r.backend, r.detail));
  }
  return lines;
}

std::string format_launch_json(const Launch& launch) {
  json rows = json::array();
  for (const auto& r : launch.rows) rows.push_back(json(r));
  return json{{"ranks", rows}, {"warnings", launch.warnings}}.dump(2);
}

}  // namespace tsweep::exec
