#include "tsweep/store/verify.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include "tsweep/codec/block.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/comm.hpp"

namespace tsweep::store {
namespace {

using Clock = std::chrono::steady_clock;
// A damaged index row must not make us allocate or read without bound.
constexpr std::uint32_t kMaxBlockBytes = std::uint32_t{1} << 30;

std::string mismatch(const char* what, std::int64_t index, std::int64_t header) {
  return std::string("index and block header disagree on ") + what + " (index " + std::to_string(index) + ", header " +
         std::to_string(header) + ")";
}

// A rank's share: rows [first, first + count) of one stream.
struct Share {
  std::int64_t stream;
  std::int64_t first;
  std::int64_t count;
};

// The committed runs of every stream, in index order.
std::vector<RunInfo> committed_runs(const Reader& reader, const exec::Comm* comm) {
  std::vector<RunInfo> runs;
  const auto n = static_cast<std::int64_t>(reader.streams().size());
  const int P = comm ? comm->size() : 1, me = comm ? comm->rank() : 0;
  auto local = [&] {
    for (std::int64_t s = me; s < n; s += P) {
      for (const auto& r : reader.runs(s)) runs.push_back(r);
    }
  };
  if (!comm) {
    local();
  } else {
    exec::agreed(*comm, local);
    // Every rank needs every run to find its share.
    const int mine = static_cast<int>(runs.size() * sizeof(RunInfo));
    std::vector<int> sizes(static_cast<std::size_t>(P)), displs(sizes.size());
    exec::check_mpi(MPI_Allgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, comm->get()), "sharing run counts");
    int at = 0;
    for (int r = 0; r < P; ++r) {
      displs[static_cast<std::size_t>(r)] = at;
      at += sizes[static_cast<std::size_t>(r)];
    }
    std::vector<RunInfo> all(static_cast<std::size_t>(at) / sizeof(RunInfo));
    exec::check_mpi(
        MPI_Allgatherv(runs.data(), mine, MPI_BYTE, all.data(), sizes.data(), displs.data(), MPI_BYTE, comm->get()),
        "sharing runs");
    runs = std::move(all);
  }
  std::sort(runs.begin(), runs.end(), [](const RunInfo& a, const RunInfo& b) { return a.index_begin < b.index_begin; });
  return runs;
}

std::vector<Share> my_share(const std::vector<RunInfo>& runs, int P, int me) {
  std::int64_t total = 0;
  for (const auto& r : runs) total += r.block_count;
  const std::int64_t lo = total * me / P, hi = total * (me + 1) / P;
  std::vector<Share> out;
  std::int64_t at = 0;
  for (const auto& r : runs) {
    const std::int64_t a = std::max(lo, at), b = std::min(hi, at + r.block_count);
    if (a < b) out.push_back({r.stream, r.index_begin + (a - at), b - a});
    at += r.block_count;
  }
  return out;
}

struct Tally {
  std::int64_t blocks = 0, samples = 0, bytes = 0;
  std::vector<BadBlock> bad;
};

void check_batch(const Reader& reader, const std::vector<BlockRef>& refs, std::uint64_t data_size,
                 const VerifyOptions& options, Tally& tally) {
  // Rows that point outside the bytes are bad without reading anything.
  std::vector<BlockRef> readable;
  std::vector<std::string> reasons;
  auto bad = [&](const BlockRef& r, std::string reason) {
    const StreamInfo& s = reader.stream(r.stream);
    tally.bad.push_back({r.block, r.stream, s.name, r.first_ns, r.last_ns, std::move(reason)});
  };
  for (const auto& r : refs) {
    if (r.length > kMaxBlockBytes || r.offset + r.length > data_size) {
      bad(r, "index row points outside /blocks/data (offset " + std::to_string(r.offset) + ", length " +
                 std::to_string(r.length) + ", data size " + std::to_string(data_size) + ")");
    } else {
      readable.push_back(r);
    }
  }
  const BlockBytes bytes = reader.read_bytes(readable);
  reasons.assign(readable.size(), {});
  const int threads = std::max(1, options.threads);
#pragma omp parallel num_threads(threads)
  {
    codec::Decoder decoder;
    std::vector<std::byte> scratch;
#pragma omp for schedule(dynamic, 16)
    for (std::size_t i = 0; i < readable.size(); ++i) {
      reasons[i] =
          check_block(readable[i], reader.stream(readable[i].stream), bytes.block(i), decoder, scratch, options.decode);
    }
  }
  for (std::size_t i = 0; i < readable.size(); ++i) {
    if (!reasons[i].empty()) bad(readable[i], reasons[i]);
  }
  for (const auto& r : refs) {
    tally.blocks += 1;
    tally.samples += r.count;
    tally.bytes += r.length;
  }
}

Tally check_shares(const Reader& reader, const std::vector<Share>& shares, const VerifyOptions& options) {
  Tally tally;
  const std::uint64_t data_size = reader.data_size();
  std::vector<BlockRef> batch;
  std::size_t batch_bytes = 0;
  auto flush = [&] {
    if (!batch.empty()) check_batch(reader, batch, data_size, options, tally);
    batch.clear();
    batch_bytes = 0;
  };
  constexpr std::int64_t kRows = 8192;
  for (const Share& share : shares) {
    for (std::int64_t at = share.first; at < share.first + share.count; at += kRows) {
      const auto rows = reader.index_rows(at, std::min(kRows, share.first + share.count - at));
      for (const auto& r : rows) {
        if (r.stream != share.stream) {
          const StreamInfo& s = reader.stream(share.stream);
          tally.blocks += 1;
          tally.bad.push_back({r.block, share.stream, s.name, r.first_ns, r.last_ns,
                               "index row names stream " + std::to_string(r.stream) + " inside a run of stream " +
                                   std::to_string(share.stream)});
          continue;
        }
        batch.push_back(r);
        batch_bytes += std::min<std::uint64_t>(r.length, kMaxBlockBytes);
        if (batch_bytes >= options.batch_bytes) flush();
      }
    }
  }
  flush();
  return tally;
}

nlohmann::json to_json(const BadBlock& b) {
  return {{"block", b.block},       {"stream", b.stream},   {"name", b.name},
          {"first_ns", b.first_ns}, {"last_ns", b.last_ns}, {"reason", b.reason}};
}

void fill_report(VerifyReport& report, const Reader& reader) {
  report.path = reader.path();
  report.uuid = reader.identity().uuid;
  report.streams = static_cast<std::int64_t>(reader.streams().size());
  report.swmr = reader.swmr();
}

}  // namespace

std::string check_block(const BlockRef& ref, const StreamInfo& stream, Span<const std::byte> bytes,
                        codec::Decoder& decoder, std::vector<std::byte>& scratch, bool decode) {
  if (bytes.size() < codec::kHeaderSize)
    return "block of " + std::to_string(bytes.size()) + " bytes has no whole header";
  codec::BlockInfo info;
  try {
    info = codec::peek(bytes);
  } catch (const CodecError& e) {
    return std::string("bad block header: ") + e.what();
  }
  if (info.encoded_size != ref.length)
    return mismatch("length", ref.length, static_cast<std::int64_t>(info.encoded_size));
  if (info.count != ref.count) return mismatch("sample count", ref.count, info.count);
  if (info.min_ns != ref.first_ns) return mismatch("first time", ref.first_ns, info.min_ns);
  if (info.max_ns != ref.last_ns) return mismatch("last time", ref.last_ns, info.max_ns);
  if (info.type != stream.type) {
    return std::string("block holds ") + codec::sample_type_name(info.type) + " samples in a " +
           codec::sample_type_name(stream.type) + " stream";
  }
  if (info.checksum != ref.checksum) return "the block's stored checksum differs from the index's";
  try {
    if (decode) {
      scratch.resize(static_cast<std::size_t>(info.count) * codec::sample_size(info.type));
      decoder.decode(bytes, Span<std::byte>(scratch));
    } else {
      codec::verify(bytes);
    }
  } catch (const codec::ChecksumError& e) {
    return e.what();
  } catch (const CodecError& e) {
    return std::string("cannot decode: ") + e.what();
  }
  return {};
}

VerifyReport verify_store(const std::string& path, const VerifyOptions& options) {
  const auto t0 = Clock::now();
  ReaderOptions ro;
  ro.swmr = options.swmr;
  const Reader reader = Reader::open(path, ro);
  VerifyReport report;
  fill_report(report, reader);
  report.threads = std::max(1, options.threads);
  Tally tally = check_shares(reader, my_share(committed_runs(reader, nullptr), 1, 0), options);
  report.blocks = tally.blocks;
  report.samples = tally.samples;
  report.bytes = tally.bytes;
  report.bad = std::move(tally.bad);
  report.bad_blocks = static_cast<std::int64_t>(report.bad.size());
  report.torn_row_retries = reader.torn_row_retries();
  std::sort(report.bad.begin(), report.bad.end(), [](auto& a, auto& b) { return a.block < b.block; });
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return report;
}

VerifyReport verify_store(const exec::Comm& comm, const std::string& path, const VerifyOptions& options) {
  const auto t0 = Clock::now();
  ReaderOptions ro;
  ro.swmr = options.swmr;
  const Reader reader = Reader::open(comm, path, ro);
  VerifyReport report;
  fill_report(report, reader);
  report.ranks = comm.size();
  report.threads = std::max(1, options.threads);
  const auto runs = committed_runs(reader, &comm);
  Tally tally =
      exec::agreed(comm, [&] { return check_shares(reader, my_share(runs, comm.size(), comm.rank()), options); });
  std::int64_t local[4] = {tally.blocks, tally.samples, tally.bytes, static_cast<std::int64_t>(tally.bad.size())};
  std::int64_t total[4] = {0, 0, 0, 0};
  exec::check_mpi(MPI_Allreduce(local, total, 4, MPI_INT64_T, MPI_SUM, comm.get()), "summing verified blocks");
  report.blocks = total[0];
  report.samples = total[1];
  report.bytes = total[2];
  report.bad_blocks = total[3];
  nlohmann::json mine = nlohmann::json::array();
  for (const auto& b : tally.bad) mine.push_back(to_json(b));
  const auto gathered = exec::gather_strings(comm, mine.dump());
  for (const auto& text : gathered) {
    for (const auto& j : nlohmann::json::parse(text)) {
      report.bad.push_back({j["block"], j["stream"], j["name"], j["first_ns"], j["last_ns"], j["reason"]});
    }
  }
  std::sort(report.bad.begin(), report.bad.end(), [](auto& a, auto& b) { return a.block < b.block; });
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  double slowest = report.seconds;
  exec::check_mpi(MPI_Allreduce(&report.seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm.get()), "timing");
  report.seconds = slowest;
  return report;
}

std::string verify_report_json(const VerifyReport& r) {
  nlohmann::json j{{"store", r.path},
                   {"uuid", r.uuid},
                   {"streams", r.streams},
                   {"blocks", r.blocks},
                   {"samples", r.samples},
                   {"bytes", r.bytes},
                   {"seconds", r.seconds},
                   {"ranks", r.ranks},
                   {"threads", r.threads},
                   {"swmr", r.swmr},
                   {"torn_row_retries", r.torn_row_retries},
                   {"bad_blocks", r.bad_blocks}};
  j["bad"] = nlohmann::json::array();
  for (const auto& b : r.bad) j["bad"].push_back(to_json(b));
  return j.dump(2);
}

}  // namespace tsweep::store
