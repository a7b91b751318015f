#include "tsweep/store/generate.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <queue>
#include <thread>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/store/parallel_writer.hpp"
#include "tsweep/store/writer.hpp"

namespace tsweep::store {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A piece of work: blocks [first, first + count) of one stream.
struct Piece {
  std::int64_t stream;
  std::int64_t first;
  std::int64_t count;
  std::int64_t samples;  // estimate, for balancing only
};

std::vector<StreamSpec> all_specs(const synth::Generator& g) {
  std::vector<StreamSpec> specs;
  specs.reserve(static_cast<std::size_t>(g.stream_count()));
  for (std::int64_t k = 0; k < g.stream_count(); ++k) specs.push_back(g.spec(k));
  return specs;
}

// The time of a block's last sample (the beat stream's blocks may not end on their latest time).
std::int64_t block_last(const synth::Generator& g, std::int64_t stream, const synth::BlockPlan& plan) {
  const StreamSpec spec = g.spec(stream);
  if (spec.rate_nhz) return codec::sample_time({plan.first_ns, spec.rate_nhz, plan.phase}, plan.count - 1);
  std::vector<std::byte> values(plan.count * codec::sample_size(spec.type));
  std::vector<std::int64_t> times(plan.count);
  g.fill(stream, plan, values, times);
  return *std::max_element(times.begin(), times.end());
}

std::vector<CorruptBlock> describe_corrupt(const synth::Generator& g, const std::vector<std::int64_t>& numbers,
                                           const std::vector<std::int64_t>& prefix) {
  std::vector<CorruptBlock> out;
  for (std::int64_t n : numbers) {
    const auto it = std::upper_bound(prefix.begin(), prefix.end(), n);
    const auto k = static_cast<std::int64_t>(it - prefix.begin()) - 1;
    const auto plans = g.blocks(k);
    const auto& plan = plans[static_cast<std::size_t>(n - prefix[static_cast<std::size_t>(k)])];
    std::int64_t first = plan.first_ns;
    if (!g.spec(k).rate_nhz) {
      std::vector<std::byte> values(plan.count * sizeof(double));
      std::vector<std::int64_t> times(plan.count);
      g.fill(k, plan, values, times);
      first = *std::min_element(times.begin(), times.end());
    }
    out.push_back({n, k, g.spec(k).name, first, block_last(g, k, plan)});
  }
  return out;
}

}  // namespace

GenerateReport generate_bulk(const exec::Comm& comm, const std::string& path, const GenerateOptions& options) {
  const auto t0 = Clock::now();
  const synth::Generator g =
      exec::agreed(comm, [&] { return std::make_optional<synth::Generator>(options.config); }).value();
  const std::int64_t n = g.stream_count();
  const int P = comm.size(), me = comm.rank();

  // Block counts: each rank works out every P-th stream, then all share them.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(n), 0);
  exec::agreed(comm, [&] {
    for (std::int64_t k = me; k < n; k += P) counts[static_cast<std::size_t>(k)] = g.block_count(k);
  });
  exec::check_mpi(MPI_Allreduce(MPI_IN_PLACE, counts.data(), static_cast<int>(n), MPI_INT64_T, MPI_SUM, comm.get()),
                  "sharing block counts");
  std::vector<std::int64_t> prefix(static_cast<std::size_t>(n) + 1, 0);
  for (std::int64_t k = 0; k < n; ++k)
    prefix[static_cast<std::size_t>(k) + 1] = prefix[static_cast<std::size_t>(k)] + counts[static_cast<std::size_t>(k)];
  const std::int64_t total_blocks = prefix.back();

  GenerateReport report;
  report.path = path;
  report.streams = n;
  const std::vector<std::int64_t> corrupt =
      exec::agreed(comm, [&] { return g.corrupt_block_numbers(options.corrupt_blocks, total_blocks); });

  ParallelWriterOptions wopt;
  wopt.uuid = g.store_uuid();
  wopt.overwrite = options.overwrite;
  wopt.data_chunk_bytes = options.data_chunk_bytes;
  ParallelWriter writer = ParallelWriter::create(comm, path, all_specs(g), wopt);
  report.uuid = writer.uuid();

  // Pieces in the global order, about a million samples each.
  const std::int64_t bs = g.config().block_samples;
  const std::int64_t piece_blocks = std::max<std::int64_t>(1, (std::int64_t{1} << 20) / bs);
  std::vector<Piece> pieces;
  for (std::int64_t k = 0; k < n; ++k) {
    for (std::int64_t b = 0; b < counts[static_cast<std::size_t>(k)]; b += piece_blocks) {
      const std::int64_t c = std::min(piece_blocks, counts[static_cast<std::size_t>(k)] - b);
      pieces.push_back({k, b, c, c * bs});
    }
  }
  // Below 2^28 samples a rank's share of a write stays under MPI-IO's 2 GiB per call.
  const std::int64_t round_budget = std::clamp<std::int64_t>(options.round_samples, 1, std::int64_t{1} << 28) * P;
  BlockBatch batch;
  for (std::size_t r0 = 0; r0 < pieces.size() || (r0 == 0 && pieces.empty());) {
    // A round: consecutive pieces up to the budget; this rank takes a contiguous share.
    std::size_t r1 = r0;
    std::int64_t round_total = 0;
    while (r1 < pieces.size() && (round_total < round_budget || r1 == r0)) round_total += pieces[r1++].samples;
    std::vector<std::size_t> share;
    std::int64_t at = 0;
    for (std::size_t i = r0; i < r1; ++i) {
      const std::int64_t mid = at + pieces[i].samples / 2;
      if (mid * P / std::max<std::int64_t>(1, round_total) == me) share.push_back(i);
      at += pieces[i].samples;
    }
    batch.clear();
    exec::agreed(comm, [&] {
      std::vector<BlockBatch> parts(share.size());
      std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, options.threads))
      for (std::size_t j = 0; j < share.size(); ++j) {
        try {
          const Piece& p = pieces[share[j]];
          thread_local codec::Encoder encoder;
          std::vector<std::byte> out;
          const auto plans = g.blocks(p.stream);
          codec::Summary summary;
          for (std::int64_t b = p.first; b < p.first + p.count; ++b) {
            out.clear();
            const codec::BlockInfo info =
                g.encode(p.stream, plans[static_cast<std::size_t>(b)], encoder, out, &summary);
            const std::int64_t number = prefix[static_cast<std::size_t>(p.stream)] + b;
            if (std::binary_search(corrupt.begin(), corrupt.end(), number)) g.corrupt(number, out);
            parts[j].add(p.stream, out, info, summary);
          }
        } catch (...) {
#pragma omp critical
          if (!error) error = std::current_exception();
        }
      }
      if (error) std::rethrow_exception(error);
      for (const auto& part : parts) batch.append(part);
    });
    writer.write(batch);
    if (pieces.empty()) break;
    r0 = r1;
  }
  writer.finish();
  report.blocks = writer.stats().blocks;
  report.bytes = writer.stats().bytes;
  report.commits = writer.stats().writes;
  report.independent_transfers = writer.stats().independent_transfers;
  std::int64_t samples = 0;
  for (std::int64_t k = me; k < n; k += P) {
    for (const auto& plan : g.blocks(k)) samples += plan.count;
  }
  exec::check_mpi(MPI_Allreduce(&samples, &report.samples, 1, MPI_INT64_T, MPI_SUM, comm.get()), "counting samples");
  report.corrupted = describe_corrupt(g, corrupt, prefix);
  report.seconds = since(t0);
  return report;
}

GenerateReport generate_live(const std::string& path, const GenerateOptions& options, const LiveOptions& live) {
  const auto t0 = Clock::now();
  const synth::Generator g(options.config);
  const std::int64_t n = g.stream_count();
  std::vector<std::vector<synth::BlockPlan>> plans(static_cast<std::size_t>(n));
  std::vector<std::int64_t> prefix(static_cast<std::size_t>(n) + 1, 0);
  for (std::int64_t k = 0; k < n; ++k) {
    plans[static_cast<std::size_t>(k)] = g.blocks(k);
    prefix[static_cast<std::size_t>(k) + 1] =
        prefix[static_cast<std::size_t>(k)] + static_cast<std::int64_t>(plans[static_cast<std::size_t>(k)].size());
  }
  const auto corrupt = g.corrupt_block_numbers(options.corrupt_blocks, prefix.back());

  if (options.overwrite) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  WriterOptions wopt;
  wopt.swmr = true;
  wopt.uuid = g.store_uuid();
  wopt.data_chunk_bytes = options.data_chunk_bytes;
  Writer w = Writer::create(path, wopt);
  for (std::int64_t k = 0; k < n; ++k) w.add_stream(g.spec(k));
  w.commit();

  GenerateReport report;
  report.path = path;
  report.uuid = w.uuid();
  report.streams = n;
  report.commits = 1;
  const std::int64_t per_commit = live.commit_blocks > 0 ? live.commit_blocks : n;
  // Blocks in time order across streams, as a live recorder would see them.
  using Next = std::pair<std::int64_t, std::int64_t>;  // (first_ns, stream)
  std::priority_queue<Next, std::vector<Next>, std::greater<>> queue;
  std::vector<std::size_t> next(static_cast<std::size_t>(n), 0);
  for (std::int64_t k = 0; k < n; ++k) {
    if (!plans[static_cast<std::size_t>(k)].empty()) queue.emplace(plans[static_cast<std::size_t>(k)][0].first_ns, k);
  }
  codec::Encoder encoder;
  std::vector<std::byte> out;
  std::int64_t since_commit = 0;
  while (!queue.empty()) {
    const auto [first, k] = queue.top();
    queue.pop();
    auto& i = next[static_cast<std::size_t>(k)];
    const auto& plan = plans[static_cast<std::size_t>(k)][i];
    out.clear();
    codec::Summary summary;
    const codec::BlockInfo info = g.encode(k, plan, encoder, out, &summary);
    const std::int64_t number = prefix[static_cast<std::size_t>(k)] + static_cast<std::int64_t>(i);
    if (std::binary_search(corrupt.begin(), corrupt.end(), number)) g.corrupt(number, out);
    w.append(k, out, info, summary);
    report.blocks += 1;
    report.samples += plan.count;
    report.bytes += static_cast<std::int64_t>(out.size());
    if (++i < plans[static_cast<std::size_t>(k)].size())
      queue.emplace(plans[static_cast<std::size_t>(k)][i].first_ns, k);
    if (++since_commit >= per_commit || queue.empty()) {
      w.commit();
      ++report.commits;
      since_commit = 0;
      if (live.pace_seconds > 0 && !queue.empty()) {
        std::this_thread::sleep_for(std::chrono::duration<double>(live.pace_seconds));
      }
    }
  }
  w.close();
  report.corrupted = describe_corrupt(g, corrupt, prefix);
  report.seconds = since(t0);
  return report;
}

std::string corrupt_list_json(const GenerateReport& report) {
  nlohmann::json j;
  j["store"] = report.path;
  j["uuid"] = report.uuid;
  j["corrupted"] = nlohmann::json::array();
  for (const auto& c : report.corrupted) {
    j["corrupted"].push_back(
        {{"block", c.block}, {"stream", c.stream}, {"name", c.name}, {"first_ns", c.first_ns}, {"last_ns", c.last_ns}});
  }
  return j.dump(2);
}

}  // namespace tsweep::store
