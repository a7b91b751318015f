#include "tsweep/exec/threads.hpp"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <set>

#include <fmt/format.h>

namespace tsweep::exec {

const char* to_string(ThreadSource source) noexcept {
  switch (source) {
    case ThreadSource::flag: return "--threads";
    case ThreadSource::config: return "config";
    case ThreadSource::omp_num_threads: return "OMP_NUM_THREADS";
    case ThreadSource::slurm: return "slurm";
    case ThreadSource::pbs: return "pbs";
    case ThreadSource::affinity: return "affinity";
  }
  return "unknown";
}

const std::vector<std::string>& ThreadEnv::names() {
  static const std::vector<std::string> names{
      "OMP_NUM_THREADS",    "SLURM_JOB_ID",        "SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE",
      "SLURM_JOB_CPUS_PER_NODE", "SLURM_NTASKS_PER_NODE", "PBS_JOBID", "PBS_ENVIRONMENT", "NCPUS", "PBS_NUM_PPN"};
  return names;
}

ThreadEnv ThreadEnv::from_process() {
  ThreadEnv env;
  for (const auto& name : names()) {
    if (const char* value = std::getenv(name.c_str())) env.vars.emplace(name, value);
  }
  return env;
}

std::optional<std::string> ThreadEnv::get(const std::string& name) const {
  auto it = vars.find(name);
  if (it == vars.end()) return std::nullopt;
  return it->second;
}

std::optional<int> parse_thread_count(const std::string& text, bool allow_list) {
  std::string head = text;
  if (allow_list) head = text.substr(0, text.find(','));
  // Tolerate surrounding blanks, as shells and batch scripts produce them.
  const auto first = head.find_first_not_of(" \t");
  const auto last = head.find_last_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  head = head.substr(first, last - first + 1);
  if (head.empty() || head.size() > 6) return std::nullopt;
  if (!std::all_of(head.begin(), head.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  const int value = std::stoi(head);
  if (value <= 0) return std::nullopt;
  return value;
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::vector<int> sorted = cpus;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", sorted[i]) : fmt::format("{}-{}", sorted[i], sorted[j]);
    i = j + 1;
  }
  return out.empty() ? "none" : out;
}

namespace {

// "72(x2),36" (SLURM_JOB_CPUS_PER_NODE) → 72: the count for the first node
// group. SLURM_CPUS_ON_NODE, when present, is preferred by the caller.
std::optional<int> parse_slurm_count(const std::string& text) {
  const auto end = text.find_first_of("(,");
  return parse_thread_count(text.substr(0, end));
}

// A variable that is set but unusable is reported, never silently used.
std::optional<int> read_count(const ThreadEnv& env, const std::string& name, bool allow_list,
                              std::vector<std::string>& warnings) {
  auto text = env.get(name);
  if (!text) return std::nullopt;
  auto value = parse_thread_count(*text, allow_list);
  if (!value) {
    warnings.push_back(text->empty()
                           ? fmt::format("{} is set but empty; ignored", name)
                           : fmt::format("{}='{}' is not a positive thread count; ignored", name, *text));
  }
  return value;
}

struct Request {
  int asked;
  ThreadSource source;
  std::string detail;
};

std::optional<Request> from_slurm(const ThreadEnv& env, int node_ranks, std::vector<std::string>& warnings) {
  if (auto n = read_count(env, "SLURM_CPUS_PER_TASK", false, warnings)) {
    return Request{*n, ThreadSource::slurm, fmt::format("SLURM_CPUS_PER_TASK={}", *n)};
  }
  if (!env.get("SLURM_JOB_ID")) return std::nullopt;
  std::optional<int> cpus = read_count(env, "SLURM_CPUS_ON_NODE", false, warnings);
  if (!cpus) {
    if (auto text = env.get("SLURM_JOB_CPUS_PER_NODE")) cpus = parse_slurm_count(*text);
  }
  if (!cpus) return std::nullopt;
  int tasks = node_ranks;
  if (auto t = env.get("SLURM_NTASKS_PER_NODE")) {
    if (auto v = parse_slurm_count(*t)) tasks = *v;
  }
  const int share = std::max(1, *cpus / std::max(1, tasks));
  return Request{share, ThreadSource::slurm, fmt::format("{} Slurm CPUs on the node / {} tasks", *cpus, tasks)};
}

// PBS Pro sets NCPUS to the CPUs of the job's chunk on the node; Torque sets
// PBS_NUM_PPN. Either is honoured whenever it is set, inside a PBS job or not.
std::optional<Request> from_pbs(const ThreadEnv& env, int node_ranks, std::vector<std::string>& warnings) {
  for (const char* name : {"NCPUS", "PBS_NUM_PPN"}) {
    if (auto n = read_count(env, name, false, warnings)) {
      const int share = std::max(1, *n / std::max(1, node_ranks));
      return Request{share, ThreadSource::pbs, fmt::format("{}={} / {} ranks", name, *n, node_ranks)};
    }
  }
  return std::nullopt;
}

std::string range_text(const std::vector<int>& values) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return *lo == *hi ? fmt::format("{}", *lo) : fmt::format("{}-{}", *lo, *hi);
}

}  // namespace

ThreadRequest request_threads(std::optional<int> explicit_threads, ThreadSource explicit_source,
                              const ThreadEnv& env, const std::vector<RankPlacement>& node,
                              std::size_t self) {
  ThreadRequest out;
  const auto& mine = node.at(self);
  const int mask_cpus = std::max<int>(1, static_cast<int>(mine.mask.size()));
  const int node_ranks = static_cast<int>(node.size());

  std::optional<Request> req;
  if (explicit_threads && *explicit_threads > 0) {
    req = Request{*explicit_threads, explicit_source,
                  fmt::format("{}={}", explicit_source == ThreadSource::flag ? "--threads" : "threads",
                              *explicit_threads)};
  }
  if (!req) {
    if (auto n = read_count(env, "OMP_NUM_THREADS", true, out.warnings)) {
      req = Request{*n, ThreadSource::omp_num_threads,
                    env.get("PBS_JOBID") ? fmt::format("OMP_NUM_THREADS={} (set by PBS from ompthreads)", *n)
                                         : fmt::format("OMP_NUM_THREADS={}", *n)};
    }
  }
  if (!req) req = from_slurm(env, node_ranks, out.warnings);
  if (!req) req = from_pbs(env, node_ranks, out.warnings);
  if (!req) {
    // Share the mask fairly among the node's ranks bound to the very same CPUs;
    // the first ones in local-rank order take the remainder.
    int same = 0;
    int index = 0;
    for (std::size_t r = 0; r < node.size(); ++r) {
      if (node[r].mask != mine.mask) continue;
      if (r < self) ++index;
      ++same;
    }
    const int share = mask_cpus / same + (index < mask_cpus % same ? 1 : 0);
    req = Request{std::max(1, share), ThreadSource::affinity,
                  fmt::format("{} CPU(s) in the mask shared by {} rank(s)", mask_cpus, same)};
  }

  out.asked = req->asked;
  out.source = req->source;
  out.detail = req->detail;
  out.threads = std::min(req->asked, mask_cpus);
  if (req->asked > mask_cpus) {
    out.warnings.push_back(fmt::format(
        "{} asks for {} threads but the rank's affinity mask holds only {} CPU(s) ({}); running {}. "
        "To give each rank {} CPUs {}",
        req->detail, req->asked, mask_cpus, cpu_list(mine.mask), out.threads, req->asked,
        launch_fix(batch_system(env), req->asked)));
  }
  return out;
}

BatchSystem batch_system(const ThreadEnv& env) {
  if (env.get("SLURM_JOB_ID")) return BatchSystem::slurm;
  if (env.get("PBS_JOBID") || env.get("PBS_ENVIRONMENT")) return BatchSystem::pbs;
  return BatchSystem::none;
}

std::string launch_fix(BatchSystem batch, int cpus_per_rank) {
  const int n = std::max(1, cpus_per_rank);
  switch (batch) {
    case BatchSystem::slurm:
      return fmt::format("launch with `srun -c {}` (and `sbatch --cpus-per-task={}`)", n, n);
    case BatchSystem::pbs:
      return fmt::format(
          "request `-l select=NODES:ncpus=C:mpiprocs=R:ompthreads={}` (PBS Pro; Torque: `-l nodes=NODES:ppn=C`) with "
          "C = R x {}, and launch with `mpirun --map-by slot:PE={}` or `mpirun --bind-to none`",
          n, n, n);
    case BatchSystem::none: break;
  }
  return fmt::format("launch with `mpirun --map-by slot:PE={}`, `mpirun --bind-to none`, or `srun -c {}`", n, n);
}

NodeThreads fit_node(const std::vector<ThreadRequest>& requests, const std::vector<RankPlacement>& node,
                     int allocated_cpus, bool oversubscribe, const std::string& host, BatchSystem batch) {
  NodeThreads out;
  const int ranks = static_cast<int>(requests.size());
  const int cpus = std::max(1, allocated_cpus);
  out.threads.reserve(requests.size());
  for (const auto& r : requests) out.threads.push_back(std::max(1, r.threads));
  const int total = std::accumulate(out.threads.begin(), out.threads.end(), 0);

  if (ranks > cpus) {
    std::fill(out.threads.begin(), out.threads.end(), 1);
    out.warnings.push_back(fmt::format(
        "{} ranks on {} exceed its {} allocated CPUs: each rank runs 1 thread and ranks share CPUs; "
        "start at most {} ranks per node",
        ranks, host, cpus, cpus));
  } else if (total > cpus && oversubscribe) {
    out.warnings.push_back(fmt::format(
        "ranks x threads on {} is {}, more than its {} allocated CPUs (allowed by --oversubscribe)", host, total,
        cpus));
  } else if (total > cpus) {
    // Give every rank one thread, then hand out the rest round-robin in
    // local-rank order, never beyond what a rank asked for.
    std::vector<int> fitted(requests.size(), 1);
    int left = cpus - ranks;
    for (bool progress = true; left > 0 && progress;) {
      progress = false;
      for (std::size_t r = 0; r < fitted.size() && left > 0; ++r) {
        if (fitted[r] < out.threads[r]) {
          ++fitted[r];
          --left;
          progress = true;
        }
      }
    }
    out.warnings.push_back(fmt::format(
        "ranks x threads on {} would be {} but only {} CPUs are allocated there; reduced to {} thread(s) per rank "
        "(pass --oversubscribe to run them anyway)",
        host, total, cpus, range_text(fitted)));
    out.threads = std::move(fitted);
  }

  std::set<int> bound;
  for (const auto& p : node) bound.insert(p.mask.begin(), p.mask.end());
  const int used = static_cast<int>(bound.size());
  if (used < cpus) {
    const int per_rank = std::max(1, cpus / std::max(1, ranks));
    out.warnings.push_back(fmt::format(
        "{} of the {} CPUs allocated on {} are idle: the launcher bound its {} rank(s) to CPUs {}. To use them {}",
        cpus - used, cpus, host, ranks, cpu_list({bound.begin(), bound.end()}), launch_fix(batch, per_rank)));
  }
  return out;
}

int allocated_cpus(const ThreadEnv& env, int allowed_cpus) {
  int cpus = std::max(1, allowed_cpus);
  for (const char* name : {"SLURM_CPUS_ON_NODE", "NCPUS", "PBS_NUM_PPN"}) {
    if (auto text = env.get(name)) {
      if (auto n = parse_thread_count(*text)) cpus = std::min(cpus, *n);
    }
  }
  return cpus;
}

}  // namespace tsweep::exec
