#include "tsweep/store/verify.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/summary.hpp"
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

const char* const kStreams = "/streams";
const char* const kAttrs = "/stream_attrs";
const char* const kRuns = "/blocks/runs";

// A rank's share: rows [first, first + count) of the run at `run` in the sorted list of runs.
struct Share {
  std::size_t run;
  std::int64_t first;
  std::int64_t count;
};

// What a share's index rows add up to, to hold against their run.
struct Part {
  std::int64_t run_row = 0;
  std::int64_t rows = 0;
  std::int64_t samples = 0;
  std::int64_t bytes = 0;
  std::int64_t first = INT64_MAX, last = INT64_MIN;
  std::int64_t head_first = 0, head_last = 0, tail_first = 0, tail_last = 0;
  bool sound = true;    // every row passed its own checks, so the sums mean something
  bool ordered = true;  // first and last times non-decreasing
};

struct Tally {
  std::int64_t blocks = 0, samples = 0, bytes = 0, summaries = 0;
  std::vector<BadBlock> bad;
  std::vector<Part> parts;
};

std::string range_text(std::int64_t first, std::int64_t count) {
  return std::to_string(first) + "+" + std::to_string(count);
}

// Attribute rows of stream `id`: inside the table, sound, of that stream.
void check_attributes(const Reader& reader, std::int64_t id, std::vector<BadRow>& out) {
  const StreamInfo& s = reader.stream(id);
  const std::int64_t n = reader.table_sizes().attrs;
  if (s.attr_begin < 0 || s.attr_count < 0 || s.attr_begin > n - s.attr_count) {
    out.push_back({kStreams, id, id,
                   "points at attribute rows " + range_text(s.attr_begin, s.attr_count) + ", outside /stream_attrs (" +
                       std::to_string(n) + " rows)"});
    return;
  }
  for (const AttributeRow& a : reader.attribute_rows(s.attr_begin, s.attr_count)) {
    if (!a.row_ok) {
      out.push_back({kAttrs, a.row, id, "fails its row checksum"});
    } else if (a.stream != id) {
      out.push_back(
          {kAttrs, a.row, id,
           "belongs to stream " + std::to_string(a.stream) + " but is listed by stream " + std::to_string(id)});
    }
  }
}

// Stream `id`'s row and its chain of runs. Returns the runs whose index rows
// can be checked (sound rows pointing inside /blocks/index).
std::vector<RunInfo> check_stream(const Reader& reader, std::int64_t id, std::vector<BadRow>& out) {
  const StreamInfo& s = reader.stream(id);
  const TableSizes sizes = reader.table_sizes();
  auto bad_stream = [&](std::string reason) { out.push_back({kStreams, id, id, std::move(reason)}); };
  if (!reader.stream_damage(id).empty()) bad_stream(reader.stream_damage(id));
  check_attributes(reader, id, out);

  std::vector<RunInfo> usable;
  std::int64_t chain = 0, blocks = 0, samples = 0, bytes = 0, first = INT64_MAX, last = INT64_MIN;
  bool whole = true;  // the chain was followed to its end
  for (std::int64_t row = s.last_run, from = -1; row >= 0;) {
    if (row >= sizes.runs) {
      bad_stream((from < 0 ? std::string("last_run") : "run " + std::to_string(from) + "'s prev_run") +
                 " points at run row " + std::to_string(row) + ", outside /blocks/runs (" + std::to_string(sizes.runs) +
                 " rows)");
      whole = false;
      break;
    }
    if (chain >= s.run_count) {
      bad_stream("lists " + std::to_string(s.run_count) + " runs; its chain of runs is longer");
      whole = false;
      break;
    }
    const RunInfo r = reader.run_at(row);
    auto bad_run = [&](std::string reason) { out.push_back({kRuns, row, id, std::move(reason)}); };
    if (!r.row_ok) {
      bad_run("fails its row checksum");
      whole = false;
      break;
    }
    if (r.stream != id) {
      bad_run("belongs to stream " + std::to_string(r.stream) + " but is in the chain of runs of stream " +
              std::to_string(id));
      whole = false;
      break;
    }
    ++chain;
    blocks += r.block_count;
    samples += r.sample_count;
    bytes += r.encoded_bytes;
    first = std::min(first, r.first_ns);
    last = std::max(last, r.last_ns);
    bool inside = true;
    if (r.index_begin < 0 || r.block_count < 1 || r.index_begin > sizes.index - r.block_count) {
      bad_run("points at index rows " + range_text(r.index_begin, r.block_count) + ", outside /blocks/index (" +
              std::to_string(sizes.index) + " rows)");
      inside = false;
    }
    if (r.first_ns > r.last_ns) bad_run("has first_ns after last_ns");
    if (inside) usable.push_back(r);
    if (r.prev_run >= row || r.prev_run < -1) {
      bad_run("links to run " + std::to_string(r.prev_run) + ", which is not an earlier row");
      whole = false;
      break;
    }
    from = row;
    row = r.prev_run;
  }
  if (!whole) return usable;
  auto differs = [&](const char* field, std::int64_t row_value, std::int64_t runs_value) {
    if (row_value != runs_value) {
      bad_stream(std::string("has ") + field + " " + std::to_string(row_value) + "; its runs add up to " +
                 std::to_string(runs_value));
    }
  };
  differs("run_count", s.run_count, chain);
  differs("block_count", s.block_count, blocks);
  differs("sample_count", s.sample_count, samples);
  differs("encoded_bytes", s.encoded_bytes, bytes);
  if (chain > 0) {
    differs("first_ns", s.first_ns, first);
    differs("last_ns", s.last_ns, last);
  } else if (s.first_ns != 0 || s.last_ns != 0) {
    bad_stream("has no runs but a span of " + std::to_string(s.first_ns) + " .. " + std::to_string(s.last_ns));
  }
  return usable;
}

// Every stream's row and runs (this rank's streams); then every rank gets
// every usable run, sorted by first index row, runs that share index rows
// with an earlier one dropped (and reported by rank 0). Collective on `comm`
// when one is given, rank-local otherwise.
std::vector<RunInfo> check_streams(const Reader& reader, const exec::Comm* comm, std::vector<BadRow>& out) {
  std::vector<RunInfo> runs;
  const auto n = static_cast<std::int64_t>(reader.streams().size());
  const int P = comm ? comm->size() : 1, me = comm ? comm->rank() : 0;
  auto local = [&] {
    for (std::int64_t s = me; s < n; s += P) {
      for (const auto& r : check_stream(reader, s, out)) runs.push_back(r);
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
  std::sort(runs.begin(), runs.end(), [](const RunInfo& a, const RunInfo& b) {
    return a.index_begin != b.index_begin ? a.index_begin < b.index_begin : a.row < b.row;
  });
  std::vector<RunInfo> kept;
  kept.reserve(runs.size());
  for (const RunInfo& r : runs) {
    if (!kept.empty() && r.index_begin < kept.back().index_begin + kept.back().block_count) {
      const RunInfo& k = kept.back();
      if (me == 0) {
        out.push_back({kRuns, r.row, r.stream,
                       "its index rows " + range_text(r.index_begin, r.block_count) + " overlap those of run " +
                           std::to_string(k.row) + " (" + range_text(k.index_begin, k.block_count) + ")"});
      }
      continue;
    }
    kept.push_back(r);
  }
  return kept;
}

std::vector<Share> my_share(const std::vector<RunInfo>& runs, int P, int me) {
  std::int64_t total = 0;
  for (const auto& r : runs) total += r.block_count;
  const std::int64_t lo = total * me / P, hi = total * (me + 1) / P;
  std::vector<Share> out;
  std::int64_t at = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunInfo& r = runs[i];
    const std::int64_t a = std::max(lo, at), b = std::min(hi, at + r.block_count);
    if (a < b) out.push_back({i, r.index_begin + (a - at), b - a});
    at += r.block_count;
  }
  return out;
}

// The first field in which two summaries differ, as "field: index X, samples Y"; empty when equal.
std::string summary_difference(const codec::Summary& row, const codec::Summary& samples) {
  const auto field = [](const char* name, auto a, auto b) {
    return a == b ? std::string()
                  : std::string(name) + ": index " + std::to_string(a) + ", samples " + std::to_string(b);
  };
  std::string d;
  const std::pair<const char*, std::pair<std::int64_t, std::int64_t>> words[] = {
      {"count", {row.count, samples.count}},
      {"nan_count", {row.nan_count, samples.nan_count}},
      {"out_of_range", {row.out_of_range, samples.out_of_range}},
      {"longest_flat", {row.longest_flat, samples.longest_flat}},
      {"head_flat", {row.head_flat, samples.head_flat}},
      {"tail_flat", {row.tail_flat, samples.tail_flat}},
      {"first", {row.first, samples.first}},
      {"last", {row.last, samples.last}},
      {"min", {row.min, samples.min}},
      {"max", {row.max, samples.max}}};
  for (const auto& [name, v] : words) {
    if (d.empty()) d = field(name, v.first, v.second);
  }
  const std::pair<const char*, std::pair<std::uint64_t, std::uint64_t>> sums[] = {
      {"sum_lo", {row.sum_lo, samples.sum_lo}},
      {"sum_hi", {row.sum_hi, samples.sum_hi}},
      {"squares0", {row.squares.w[0], samples.squares.w[0]}},
      {"squares1", {row.squares.w[1], samples.squares.w[1]}},
      {"squares2", {row.squares.w[2], samples.squares.w[2]}}};
  for (const auto& [name, v] : sums) {
    if (d.empty()) d = field(name, v.first, v.second);
  }
  return d;
}

// check_block, and with `range` (a row that carries a summary, decode on) the
// row's summary against the decoded samples'; `summary_checked` says whether it was.
std::string check_block_against(const BlockRef& ref, const StreamInfo& stream, const codec::RawRange* range,
                                Span<const std::byte> bytes, codec::Decoder& decoder, std::vector<std::byte>& scratch,
                                bool decode, bool& summary_checked) {
  summary_checked = false;
  std::string reason = check_block(ref, stream, bytes, decoder, scratch, decode);
  if (!reason.empty() || !decode || !ref.has_summary || !range) return reason;
  // check_block decoded ref.count samples of the stream's type into scratch.
  const codec::Summary samples = codec::summarize(stream.type, scratch.data(), ref.count, *range);
  summary_checked = true;
  const std::string d = summary_difference(ref.summary, samples);
  if (d.empty()) return {};
  return "/blocks/index row " + std::to_string(ref.block) +
         " has a summary that disagrees with its block's decoded samples (" + d + ")";
}

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
    if (r.length > kMaxBlockBytes || r.offset > data_size || r.length > data_size - r.offset) {
      bad(r, "index row points outside /blocks/data (offset " + std::to_string(r.offset) + ", length " +
                 std::to_string(r.length) + ", data size " + std::to_string(data_size) + ")");
    } else {
      readable.push_back(r);
    }
  }
  const BlockBytes bytes = reader.read_bytes(readable);
  reasons.assign(readable.size(), {});
  // A damaged stream row's sample type is no reference: its blocks are held to their own.
  std::vector<const StreamInfo*> stream_of(readable.size());
  std::vector<StreamInfo> patched;
  patched.reserve(readable.size());  // no reallocation: stream_of points into it
  for (std::size_t i = 0; i < readable.size(); ++i) {
    stream_of[i] = &reader.stream(readable[i].stream);
    if (!reader.stream_damage(readable[i].stream).empty() && bytes.block(i).size() >= codec::kHeaderSize) {
      try {
        const codec::SampleType type = codec::peek(bytes.block(i)).type;
        patched.push_back(*stream_of[i]);
        patched.back().type = type;
        stream_of[i] = &patched.back();
      } catch (const CodecError&) {
        // check_block reports the header
      }
    }
  }
  // Summaries count out_of_range against the stream's valid range: made once per stream. A damaged
  // stream row gives no range to hold them to (its damage is reported already).
  std::unordered_map<std::int64_t, codec::RawRange> ranges;
  std::vector<const codec::RawRange*> range_of(readable.size(), nullptr);
  for (std::size_t i = 0; i < readable.size(); ++i) {
    const std::int64_t id = readable[i].stream;
    if (!readable[i].has_summary || !reader.stream_damage(id).empty()) continue;
    auto it = ranges.find(id);
    if (it == ranges.end()) it = ranges.emplace(id, raw_range(reader.stream(id))).first;
    range_of[i] = &it->second;
  }
  std::vector<char> summarised(readable.size(), 0);
  const int threads = std::max(1, options.threads);
#pragma omp parallel num_threads(threads)
  {
    codec::Decoder decoder;
    std::vector<std::byte> scratch;
#pragma omp for schedule(dynamic, 16)
    for (std::size_t i = 0; i < readable.size(); ++i) {
      bool checked = false;
      reasons[i] = check_block_against(readable[i], *stream_of[i], range_of[i], bytes.block(i), decoder, scratch,
                                       options.decode, checked);
      summarised[i] = checked ? 1 : 0;
    }
  }
  for (std::size_t i = 0; i < readable.size(); ++i) {
    if (!reasons[i].empty()) bad(readable[i], reasons[i]);
    tally.summaries += summarised[i];
  }
}

Tally check_shares(const Reader& reader, const std::vector<RunInfo>& runs, const std::vector<Share>& shares,
                   const VerifyOptions& options) {
  Tally tally;
  const std::uint64_t data_size = reader.table_sizes().data;
  std::vector<BlockRef> batch;
  std::size_t batch_bytes = 0;
  auto flush = [&] {
    if (!batch.empty()) check_batch(reader, batch, data_size, options, tally);
    batch.clear();
    batch_bytes = 0;
  };
  constexpr std::int64_t kRows = 8192;
  for (const Share& share : shares) {
    const RunInfo& run = runs[share.run];
    const StreamInfo& s = reader.stream(run.stream);
    Part part;
    part.run_row = run.row;
    auto bad = [&](const BlockRef& r, std::string reason) {
      tally.bad.push_back({r.block, run.stream, s.name, r.first_ns, r.last_ns, std::move(reason)});
    };
    for (std::int64_t at = share.first; at < share.first + share.count; at += kRows) {
      const auto rows = reader.index_rows(at, std::min(kRows, share.first + share.count - at));
      for (const auto& r : rows) {
        tally.blocks += 1;
        if (r.damage != RowDamage::none) {
          bad(r, "/blocks/index row " + std::to_string(r.block) + " " + row_damage_text(r.damage) +
                     " (its offset, length and checksum cannot be trusted)");
          part.sound = false;
          continue;
        }
        if (r.stream != run.stream) {
          bad(r, "index row names stream " + std::to_string(r.stream) + " inside a run of stream " +
                     std::to_string(run.stream));
          part.sound = false;
          continue;
        }
        if (r.first_ns > r.last_ns) {
          bad(r, "index row's first time is after its last");
          part.sound = false;
          continue;
        }
        tally.samples += r.count;
        tally.bytes += r.length;
        if (part.rows == 0) {
          part.head_first = r.first_ns;
          part.head_last = r.last_ns;
        } else if (r.first_ns < part.tail_first || r.last_ns < part.tail_last) {
          part.ordered = false;
        }
        part.tail_first = r.first_ns;
        part.tail_last = r.last_ns;
        part.rows += 1;
        part.samples += r.count;
        part.bytes += r.length;
        part.first = std::min(part.first, r.first_ns);
        part.last = std::max(part.last, r.last_ns);
        batch.push_back(r);
        batch_bytes += std::min<std::uint64_t>(r.length, kMaxBlockBytes);
        if (batch_bytes >= options.batch_bytes) flush();
      }
    }
    tally.parts.push_back(part);
  }
  flush();
  return tally;
}

// Rank 0 (or the serial verify): every run against what its index rows add up to.
void check_runs(const std::vector<RunInfo>& runs, std::vector<Part> parts, std::vector<BadRow>& out) {
  // Parts arrive in rank order, and each rank's shares in index order: a run's parts are in row order.
  std::unordered_map<std::int64_t, Part> merged;
  for (const Part& p : parts) {
    auto [it, fresh] = merged.try_emplace(p.run_row, p);
    if (fresh) continue;
    Part& m = it->second;
    if (p.rows > 0 && m.rows > 0 && (p.head_first < m.tail_first || p.head_last < m.tail_last)) m.ordered = false;
    m.ordered = m.ordered && p.ordered;
    m.sound = m.sound && p.sound;
    if (m.rows == 0) {
      m.head_first = p.head_first;
      m.head_last = p.head_last;
    }
    if (p.rows > 0) {
      m.tail_first = p.tail_first;
      m.tail_last = p.tail_last;
    }
    m.rows += p.rows;
    m.samples += p.samples;
    m.bytes += p.bytes;
    m.first = std::min(m.first, p.first);
    m.last = std::max(m.last, p.last);
  }
  for (const RunInfo& r : runs) {
    const auto it = merged.find(r.row);
    if (it == merged.end() || !it->second.sound) continue;  // its bad rows are reported already
    const Part& p = it->second;
    auto differs = [&](const char* field, std::int64_t row_value, std::int64_t rows_value) {
      if (row_value != rows_value) {
        out.push_back({kRuns, r.row, r.stream,
                       std::string("has ") + field + " " + std::to_string(row_value) + "; its index rows " +
                           range_text(r.index_begin, r.block_count) + " add up to " + std::to_string(rows_value)});
      }
    };
    differs("sample_count", r.sample_count, p.samples);
    differs("encoded_bytes", r.encoded_bytes, p.bytes);
    differs("first_ns", r.first_ns, p.first);
    differs("last_ns", r.last_ns, p.last);
    if (r.sorted && !p.ordered) {
      out.push_back({kRuns, r.row, r.stream, "is flagged sorted, but its index rows' times go backwards"});
    }
  }
}

nlohmann::json to_json(const BadBlock& b) {
  return {{"block", b.block},       {"stream", b.stream},   {"name", b.name},
          {"first_ns", b.first_ns}, {"last_ns", b.last_ns}, {"reason", b.reason}};
}

nlohmann::json to_json(const BadRow& b) {
  return {{"table", b.table}, {"row", b.row}, {"stream", b.stream}, {"reason", b.reason}};
}

int table_rank(const std::string& table) {
  if (table == kStreams) return 0;
  if (table == kAttrs) return 1;
  if (table == kRuns) return 2;
  return 3;
}

void sort_report(VerifyReport& report) {
  std::sort(report.bad.begin(), report.bad.end(), [](auto& a, auto& b) { return a.block < b.block; });
  std::stable_sort(report.row_problems.begin(), report.row_problems.end(), [](const BadRow& a, const BadRow& b) {
    const int x = table_rank(a.table), y = table_rank(b.table);
    return x != y ? x < y : a.row < b.row;
  });
}

void fill_report(VerifyReport& report, const Reader& reader) {
  report.path = reader.path();
  report.uuid = reader.identity().uuid;
  report.streams = static_cast<std::int64_t>(reader.streams().size());
  report.swmr = reader.swmr();
  report.format_version = reader.format_version();
  report.row_checksums = reader.row_checksums();
  report.block_summaries = reader.summaries();
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
  ro.keep_damaged_rows = true;
  const Reader reader = Reader::open(path, ro);
  VerifyReport report;
  fill_report(report, reader);
  report.threads = std::max(1, options.threads);
  std::vector<BadRow> rows;
  const std::vector<RunInfo> runs = check_streams(reader, nullptr, rows);
  Tally tally = check_shares(reader, runs, my_share(runs, 1, 0), options);
  check_runs(runs, std::move(tally.parts), rows);
  report.runs = static_cast<std::int64_t>(runs.size());
  report.blocks = tally.blocks;
  report.samples = tally.samples;
  report.bytes = tally.bytes;
  report.summaries = tally.summaries;
  report.bad = std::move(tally.bad);
  report.bad_blocks = static_cast<std::int64_t>(report.bad.size());
  report.row_problems = std::move(rows);
  report.bad_rows = static_cast<std::int64_t>(report.row_problems.size());
  report.torn_row_retries = reader.torn_row_retries();
  sort_report(report);
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return report;
}

VerifyReport verify_store(const exec::Comm& comm, const std::string& path, const VerifyOptions& options) {
  const auto t0 = Clock::now();
  ReaderOptions ro;
  ro.swmr = options.swmr;
  ro.keep_damaged_rows = true;
  const Reader reader = Reader::open(comm, path, ro);
  VerifyReport report;
  fill_report(report, reader);
  report.ranks = comm.size();
  report.threads = std::max(1, options.threads);
  std::vector<BadRow> rows;
  const auto runs = check_streams(reader, &comm, rows);
  Tally tally =
      exec::agreed(comm, [&] { return check_shares(reader, runs, my_share(runs, comm.size(), comm.rank()), options); });
  // Every rank's parts to rank 0, which holds them against the runs.
  const int mine = static_cast<int>(tally.parts.size() * sizeof(Part));
  std::vector<int> sizes(static_cast<std::size_t>(comm.size())), displs(sizes.size());
  exec::check_mpi(MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, comm.get()), "gathering run sums");
  std::vector<Part> parts;
  if (comm.is_root()) {
    int at = 0;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      displs[r] = at;
      at += sizes[r];
    }
    parts.resize(static_cast<std::size_t>(at) / sizeof(Part));
  }
  exec::check_mpi(MPI_Gatherv(tally.parts.data(), mine, MPI_BYTE, parts.data(), sizes.data(), displs.data(), MPI_BYTE,
                              0, comm.get()),
                  "gathering run sums");
  if (comm.is_root()) check_runs(runs, std::move(parts), rows);
  report.runs = static_cast<std::int64_t>(runs.size());

  std::int64_t local[6] = {tally.blocks,
                           tally.samples,
                           tally.bytes,
                           static_cast<std::int64_t>(tally.bad.size()),
                           static_cast<std::int64_t>(rows.size()),
                           tally.summaries};
  std::int64_t total[6] = {0, 0, 0, 0, 0, 0};
  exec::check_mpi(MPI_Allreduce(local, total, 6, MPI_INT64_T, MPI_SUM, comm.get()), "summing verified blocks");
  report.blocks = total[0];
  report.samples = total[1];
  report.bytes = total[2];
  report.bad_blocks = total[3];
  report.bad_rows = total[4];
  report.summaries = total[5];
  nlohmann::json mine_bad = nlohmann::json::array(), mine_rows = nlohmann::json::array();
  for (const auto& b : tally.bad) mine_bad.push_back(to_json(b));
  for (const auto& b : rows) mine_rows.push_back(to_json(b));
  const nlohmann::json both{{"bad", mine_bad}, {"rows", mine_rows}};
  for (const auto& text : exec::gather_strings(comm, both.dump())) {
    const auto j = nlohmann::json::parse(text);
    for (const auto& b : j["bad"]) {
      report.bad.push_back({b["block"], b["stream"], b["name"], b["first_ns"], b["last_ns"], b["reason"]});
    }
    for (const auto& b : j["rows"]) report.row_problems.push_back({b["table"], b["row"], b["stream"], b["reason"]});
  }
  sort_report(report);
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
                   {"bad_blocks", r.bad_blocks},
                   {"format_version", r.format_version},
                   {"row_checksums", r.row_checksums},
                   {"block_summaries", r.block_summaries},
                   {"summaries_checked", r.summaries},
                   {"runs", r.runs},
                   {"bad_rows", r.bad_rows}};
  j["bad"] = nlohmann::json::array();
  for (const auto& b : r.bad) j["bad"].push_back(to_json(b));
  j["row_problems"] = nlohmann::json::array();
  for (const auto& b : r.row_problems) j["row_problems"].push_back(to_json(b));
  return j.dump(2);
}

}  // namespace tsweep::store
