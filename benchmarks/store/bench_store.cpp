// Reader costs that must not grow with the store: opening (the stream table
// only), finding a stream's blocks in a time window (runs + binary search),
// and fetching their bytes. Stores are built once per process in /tmp.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <random>

#include "tsweep/codec/codec.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/writer.hpp"

namespace {

using namespace tsweep;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
constexpr std::int64_t kRate = 250'000'000'000;  // 250 Hz
constexpr std::uint32_t kSamples = 16;           // tiny blocks: the index is what is measured
constexpr std::int64_t kBlockNs = kSamples * 4'000'000;

// A store of `streams` streams x `blocks` blocks each, written in `commits`
// commits (so each stream has `commits` runs).
std::string make_store(std::int64_t streams, std::int64_t blocks, std::int64_t commits) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tsweep-bench-" + std::to_string(streams) + "x" +
                                                 std::to_string(blocks) + "x" + std::to_string(commits) + ".h5"))
          .string();
  if (std::filesystem::exists(path)) return path;
  const std::string tmp = path + ".tmp";
  std::filesystem::remove(tmp);
  store::Writer w = store::Writer::create(tmp);
  for (std::int64_t s = 0; s < streams; ++s) {
    store::StreamSpec spec;
    spec.name = "s" + std::to_string(s);
    spec.rate_nhz = kRate;
    w.add_stream(spec);
  }
  codec::Encoder enc;
  std::vector<std::byte> out;
  std::vector<std::int16_t> v(kSamples, 7);
  const std::int64_t per_commit = blocks / commits;
  for (std::int64_t c = 0; c < commits; ++c) {
    for (std::int64_t s = 0; s < streams; ++s) {
      for (std::int64_t b = c * per_commit; b < (c + 1) * per_commit; ++b) {
        out.clear();
        enc.encode<std::int16_t>(Span<const std::int16_t>(v), codec::RegularTimes{kT0 + b * kBlockNs, kRate}, out);
        w.append(s, out);
      }
    }
    w.commit();
  }
  w.close();
  std::filesystem::rename(tmp, path);
  return path;
}

void BM_Open(benchmark::State& state) {
  const auto path = make_store(state.range(0), 1, 1);
  for (auto _ : state) {
    const auto r = store::Reader::open(path);
    benchmark::DoNotOptimize(r.streams().size());
  }
  state.counters["streams"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Open)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// A window of 1% of a stream's span, anywhere in it.
void BM_BlocksInWindow(benchmark::State& state) {
  const std::int64_t streams = state.range(0), blocks = state.range(1), commits = state.range(2);
  const auto r = store::Reader::open(make_store(streams, blocks, commits));
  std::mt19937_64 rng(1);
  const std::int64_t span = blocks * kBlockNs, window = span / 100;
  std::int64_t found = 0, queries = 0;
  for (auto _ : state) {
    const std::int64_t s = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(streams));
    const std::int64_t t0 = kT0 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span - window));
    const auto refs = r.blocks(s, t0, t0 + window);
    found += static_cast<std::int64_t>(refs.size());
    ++queries;
  }
  state.counters["index_rows"] = static_cast<double>(streams * blocks);
  state.counters["runs_per_stream"] = static_cast<double>(commits);
  state.counters["blocks_per_query"] =
      static_cast<double>(found) / static_cast<double>(std::max<std::int64_t>(1, queries));
}
BENCHMARK(BM_BlocksInWindow)
    ->Args({1, 100'000, 1})
    ->Args({1, 1'000'000, 1})
    ->Args({1000, 1000, 1})
    ->Args({100, 10'000, 100})
    ->Unit(benchmark::kMicrosecond);

void BM_ReadBytes(benchmark::State& state) {
  const auto r = store::Reader::open(make_store(1, 1'000'000, 1));
  const auto refs = r.blocks(0, kT0, kT0 + state.range(0) * kBlockNs);
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const auto got = r.read_bytes(refs);
    bytes += static_cast<std::int64_t>(got.bytes.size());
  }
  state.SetBytesProcessed(bytes);
  state.counters["blocks"] = static_cast<double>(refs.size());
}
BENCHMARK(BM_ReadBytes)->Arg(100)->Arg(10'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
