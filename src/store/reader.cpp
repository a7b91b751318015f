#include "tsweep/store/reader.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <unordered_map>

#include "detail/layout.hpp"
#include "detail/probe.hpp"
#include "detail/rows.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/store/format.hpp"

namespace tsweep::store {

using detail::BlockRow;
using detail::RunRow;
using detail::StreamRow;

namespace {
// Runs no longer than this are read whole instead of binary-searched.
constexpr std::int64_t kSmallRun = 64;
// Rows per read when a run has to be scanned.
constexpr std::int64_t kScanRows = 65536;
// Reads of a torn stream row before giving up (the writer rewrites rows in microseconds).
constexpr int kTornRetries = 200;

struct BlockTimes {
  std::int64_t first_ns;
  std::int64_t last_ns;
};
}  // namespace

struct Reader::Impl {
  std::string path;
  ReaderOptions options;
  detail::StoreObjects objects;
  bool swmr = false;
  bool parallel = false;
  std::string uuid;
  std::vector<StreamInfo> streams;
  std::unordered_map<std::string, std::int64_t> by_name;
  std::int64_t retries = 0;

  std::vector<StreamRow> read_stream_rows();
  void set_streams(const std::vector<StreamRow>& rows);
  RunRow run_row(std::int64_t row) const {
    RunRow r{};
    detail::read_rows(objects.runs.get(), detail::row_types().run_mem, row, 1, &r, path);
    return r;
  }
  BlockTimes times_at(std::int64_t row) const {
    BlockTimes t{};
    detail::read_rows(objects.index.get(), detail::row_types().block_times_mem, row, 1, &t, path);
    return t;
  }
  void refresh_objects() const {
    for (hid_t d : {objects.runs.get(), objects.index.get(), objects.data.get(), objects.attrs.get()}) {
      h5::check(H5Drefresh(d), path, "refreshing a dataset");
    }
  }
};

std::vector<StreamRow> Reader::Impl::read_stream_rows() {
  const auto& t = detail::row_types();
  for (int attempt = 0;; ++attempt) {
    if (swmr) h5::check(H5Drefresh(objects.streams.get()), path, "refreshing /streams");
    const std::int64_t n = detail::extent(objects.streams.get(), path);
    std::vector<StreamRow> rows(static_cast<std::size_t>(n));
    detail::read_rows(objects.streams.get(), t.stream_mem, 0, n, rows.data(), path);
    const bool torn = std::any_of(rows.begin(), rows.end(), [](const StreamRow& r) { return r.gen != r.gen_check; });
    if (!torn) return rows;
    if (!swmr || attempt >= kTornRetries) {
      throw IoError(path, "the stream table holds a half-written row (a writer was interrupted?)");
    }
    ++retries;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Reader::Impl::set_streams(const std::vector<StreamRow>& rows) {
  streams.clear();
  by_name.clear();
  streams.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    StreamInfo info = detail::to_info(rows[i]);
    if (info.id != static_cast<std::int64_t>(i) || !codec::is_sample_type_code(static_cast<std::uint8_t>(info.type))) {
      throw IoError(path, "stream row " + std::to_string(i) + " is damaged (id or sample type out of range)");
    }
    by_name.emplace(info.name, info.id);
    streams.push_back(std::move(info));
  }
}

Reader::Reader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

namespace {

// Metadata read attempts under SWMR. HDF5 retries a checksum mismatch with a
// sleep that doubles each time (1 ns, 2 ns, ...); its default of 100 turns one
// damaged byte into a hang. 28 attempts sleep at most about 0.27 s in all,
// far longer than a live writer takes to rewrite a piece of metadata.
constexpr unsigned kSwmrReadAttempts = 28;

// How a store is to be opened, decided from its superblock before HDF5 sees it.
enum class OpenAs : int { plain = 0, swmr = 1 };

// The one-line reason a store marked open by a non-SWMR writer cannot be read.
[[noreturn]] void refuse_held_store(const std::string& path) {
  if (detail::writer_alive(path)) {
    throw IoError(path, "is open in a writer that is not in SWMR mode; read it once that writer has finished");
  }
  throw IoError(path, "was left open by a writer that did not close it (killed?); run 'tsweep recover " + path +
                          "' to keep its committed data and clear the mark");
}

OpenAs choose_open(const std::string& path, SwmrMode mode) {
  if (mode == SwmrMode::on) return OpenAs::swmr;
  const detail::SuperblockStatus status = detail::superblock_status(path);
  if (mode == SwmrMode::off || !status.marked_open()) return OpenAs::plain;
  if (!status.swmr_writer()) refuse_held_store(path);
  return OpenAs::swmr;
}

h5::Handle open_file(const std::string& path, OpenAs how) {
  const h5::Handle fapl = detail::serial_fapl(path);
  unsigned flags = H5F_ACC_RDONLY;
  if (how == OpenAs::swmr) {
    flags |= H5F_ACC_SWMR_READ;
    h5::check(H5Pset_metadata_read_attempts(fapl.get(), kSwmrReadAttempts), path, "setting SWMR read attempts");
  }
  const hid_t id = H5Fopen(path.c_str(), flags, fapl.get());
  if (id < 0) throw IoError(path, "cannot open the store (" + h5::error_stack_text() + ")");
  return h5::Handle::adopt(id);
}

}  // namespace

Reader Reader::open(const std::string& path, const ReaderOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  detail::check_is_hdf5(path);
  const OpenAs how = choose_open(path, options.swmr);
  impl->swmr = how == OpenAs::swmr;
  impl->objects.file = open_file(path, how);
  detail::open_layout(impl->objects, path, options.data_cache_bytes);
  impl->uuid = detail::read_uuid(impl->objects.file.get(), path);
  impl->set_streams(impl->read_stream_rows());
  // Rows the stream table points at were flushed before it: see them.
  if (impl->swmr) impl->refresh_objects();
  return Reader(std::move(impl));
}

Reader Reader::open(const exec::Comm& comm, const std::string& path, const ReaderOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  impl->parallel = true;
  // Rank 0 looks at the file first, so a missing, foreign or held file fails on every rank alike.
  int how = exec::agreed(comm, [&] {
    if (!comm.is_root()) return 0;
    detail::check_is_hdf5(path);
    return static_cast<int>(choose_open(path, options.swmr));
  });
  exec::check_mpi(MPI_Bcast(&how, 1, MPI_INT, 0, comm.get()), "broadcasting how to open the store");
  // A store a SWMR writer is appending to (or was, when it died) can only be
  // read through the sec2 driver with SWMR reading: every rank opens it so.
  // Reads are independent anyway; only the open differs.
  impl->swmr = how == static_cast<int>(OpenAs::swmr);
  h5::Handle file = exec::agreed(comm, [&] {
    if (impl->swmr) return open_file(path, OpenAs::swmr);
    h5::init_library();
    h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), path, "creating a file access property list");
    h5::check(H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL), path, "choosing the MPI-IO driver");
    return h5::Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), path, "cannot open the store");
  });
  impl->objects.file = std::move(file);
  exec::agreed(comm, [&] {
    detail::open_layout(impl->objects, path, options.data_cache_bytes);
    impl->uuid = detail::read_uuid(impl->objects.file.get(), path);
  });
  std::vector<StreamRow> rows;
  std::int64_t n = exec::agreed(comm, [&]() -> std::int64_t {
    if (!comm.is_root()) return 0;
    rows = impl->read_stream_rows();
    return static_cast<std::int64_t>(rows.size());
  });
  exec::check_mpi(MPI_Bcast(&n, 1, MPI_INT64_T, 0, comm.get()), "broadcasting the stream count");
  rows.resize(static_cast<std::size_t>(n));
  // Rows can exceed INT_MAX bytes at 10^7 streams: send them in pieces.
  const std::size_t total = rows.size() * sizeof(StreamRow);
  auto* bytes = reinterpret_cast<char*>(rows.data());
  for (std::size_t at = 0; at < total;) {
    const int piece = static_cast<int>(std::min<std::size_t>(total - at, std::size_t{1} << 30));
    exec::check_mpi(MPI_Bcast(bytes + at, piece, MPI_BYTE, 0, comm.get()), "broadcasting the stream table");
    at += static_cast<std::size_t>(piece);
  }
  exec::agreed(comm, [&] {
    impl->set_streams(rows);
    // Every rank sees what rank 0's stream rows point at (flushed before them).
    if (impl->swmr) impl->refresh_objects();
  });
  return Reader(std::move(impl));
}

const std::vector<StreamInfo>& Reader::streams() const noexcept {
  return m_impl->streams;
}

const StreamInfo& Reader::stream(std::int64_t id) const {
  if (id < 0 || id >= static_cast<std::int64_t>(m_impl->streams.size())) {
    throw InternalError(m_impl->path + ": no stream with id " + std::to_string(id));
  }
  return m_impl->streams[static_cast<std::size_t>(id)];
}

std::optional<std::int64_t> Reader::find_stream(std::string_view name) const {
  const auto it = m_impl->by_name.find(std::string(name));
  if (it == m_impl->by_name.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> Reader::attributes(std::int64_t id) const {
  const StreamInfo& s = stream(id);
  std::vector<detail::AttrRow> rows(static_cast<std::size_t>(s.attr_count));
  detail::read_rows(m_impl->objects.attrs.get(), detail::row_types().attr_mem, s.attr_begin, s.attr_count, rows.data(),
                    m_impl->path);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : rows) {
    if (r.stream != id) throw IoError(m_impl->path, "attribute rows of stream " + std::to_string(id) + " are damaged");
    out.emplace_back(detail::field_text(r.key, sizeof r.key), detail::field_text(r.value, sizeof r.value));
  }
  return out;
}

StoreIdentity Reader::identity() const {
  StoreIdentity id;
  id.uuid = m_impl->uuid;
  id.format_version = kFormatVersion;
  id.streams = static_cast<std::int64_t>(m_impl->streams.size());
  for (const auto& s : m_impl->streams) {
    id.blocks += s.block_count;
    id.samples += s.sample_count;
  }
  return id;
}

std::vector<RunInfo> Reader::runs(std::int64_t id) const {
  const StreamInfo& s = stream(id);
  std::vector<RunInfo> out;
  out.reserve(static_cast<std::size_t>(s.run_count));
  for (std::int64_t row = s.last_run; row >= 0;) {
    if (static_cast<std::int64_t>(out.size()) >= s.run_count) {
      throw IoError(m_impl->path, "stream '" + s.name + "' has more runs than its row says (damaged runs table)");
    }
    const RunRow r = m_impl->run_row(row);
    if (r.stream != id || r.prev_run >= row) {
      throw IoError(m_impl->path, "run " + std::to_string(row) + " of stream '" + s.name + "' is damaged");
    }
    out.push_back({row, r.stream, r.index_begin, r.block_count, r.first_ns, r.last_ns, r.sample_count,
                   (r.flags & detail::kRunSorted) != 0});
    row = r.prev_run;
  }
  if (static_cast<std::int64_t>(out.size()) != s.run_count) {
    throw IoError(m_impl->path, "stream '" + s.name + "' lists " + std::to_string(s.run_count) + " runs, found " +
                                    std::to_string(out.size()));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<BlockRef> Reader::index_rows(std::int64_t first, std::int64_t count) const {
  std::vector<BlockRow> rows(static_cast<std::size_t>(count));
  detail::read_rows(m_impl->objects.index.get(), detail::row_types().block_mem, first, count, rows.data(),
                    m_impl->path);
  std::vector<BlockRef> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.push_back(detail::to_ref(rows[i], first + static_cast<std::int64_t>(i)));
  return out;
}

std::vector<BlockRef> Reader::blocks(std::int64_t id, std::int64_t t0, std::int64_t t1) const {
  const StreamInfo& s = stream(id);
  std::vector<BlockRef> out;
  if (s.block_count == 0 || t0 >= t1 || s.last_ns < t0 || s.first_ns >= t1) return out;
  auto keep = [&](const std::vector<BlockRef>& rows) {
    for (const auto& r : rows) {
      if (r.stream != id) {
        throw IoError(m_impl->path, "index row " + std::to_string(r.block) + " is not of stream '" + s.name +
                                        "' as its run says (damaged index)");
      }
      if (r.overlaps(t0, t1)) out.push_back(r);
    }
  };
  for (const RunInfo& run : runs(id)) {
    if (run.last_ns < t0 || run.first_ns >= t1) continue;
    const std::int64_t begin = run.index_begin, end = run.index_begin + run.block_count;
    if (run.block_count <= kSmallRun) {
      keep(index_rows(begin, run.block_count));
    } else if (run.sorted) {
      // First row whose last_ns >= t0, and first row whose first_ns >= t1.
      std::int64_t lo = begin, hi = end;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (m_impl->times_at(mid).last_ns < t0)
          lo = mid + 1;
        else
          hi = mid;
      }
      const std::int64_t from = lo;
      hi = end;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (m_impl->times_at(mid).first_ns < t1)
          lo = mid + 1;
        else
          hi = mid;
      }
      for (std::int64_t at = from; at < lo; at += kScanRows) keep(index_rows(at, std::min(kScanRows, lo - at)));
    } else {
      for (std::int64_t at = begin; at < end; at += kScanRows) keep(index_rows(at, std::min(kScanRows, end - at)));
    }
  }
  std::sort(out.begin(), out.end(), [](const BlockRef& a, const BlockRef& b) {
    return a.first_ns != b.first_ns ? a.first_ns < b.first_ns : a.block < b.block;
  });
  return out;
}

std::optional<BlockRef> Reader::block_before(std::int64_t id, std::int64_t t) const {
  const StreamInfo& s = stream(id);
  std::optional<BlockRef> best;
  if (s.block_count == 0 || s.first_ns >= t) return best;
  auto consider = [&](const BlockRef& r) {
    if (r.stream != id || r.last_ns >= t) return;
    if (!best || r.last_ns > best->last_ns || (r.last_ns == best->last_ns && r.block > best->block)) best = r;
  };
  for (const RunInfo& run : runs(id)) {
    if (run.first_ns >= t) continue;
    const std::int64_t begin = run.index_begin, end = run.index_begin + run.block_count;
    if (run.sorted && run.block_count > kSmallRun) {
      // last_ns is non-decreasing: the row before the first with last_ns >= t.
      std::int64_t lo = begin, hi = end;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (m_impl->times_at(mid).last_ns < t)
          lo = mid + 1;
        else
          hi = mid;
      }
      // Rows with equal last times come in block order: the last of them is the one.
      if (lo > begin) consider(index_rows(lo - 1, 1).front());
    } else {
      for (std::int64_t at = begin; at < end; at += kScanRows) {
        for (const auto& r : index_rows(at, std::min(kScanRows, end - at))) consider(r);
      }
    }
  }
  return best;
}

void Reader::read_bytes(const BlockRef& block, std::vector<std::byte>& out) const {
  out.resize(block.length);
  detail::read_rows(m_impl->objects.data.get(), H5T_NATIVE_UINT8, static_cast<std::int64_t>(block.offset), block.length,
                    out.data(), m_impl->path);
}

BlockBytes Reader::read_bytes(Span<const BlockRef> blocks, std::size_t max_gap) const {
  BlockBytes out;
  out.offsets.resize(blocks.size() + 1, 0);
  for (std::size_t i = 0; i < blocks.size(); ++i) out.offsets[i + 1] = out.offsets[i] + blocks[i].length;
  out.bytes.resize(out.offsets.back());
  std::vector<std::size_t> order(blocks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return blocks[a].offset < blocks[b].offset; });
  constexpr std::uint64_t kMaxSpan = std::uint64_t{64} << 20;
  std::vector<std::byte> span;
  for (std::size_t g = 0; g < order.size();) {
    // A group: blocks in offset order whose gaps are small, read as one range.
    const std::uint64_t start = blocks[order[g]].offset;
    std::uint64_t stop = start + blocks[order[g]].length;
    std::size_t e = g + 1;
    while (e < order.size()) {
      const BlockRef& b = blocks[order[e]];
      if (b.offset > stop + max_gap || b.offset + b.length - start > kMaxSpan) break;
      stop = std::max<std::uint64_t>(stop, b.offset + b.length);
      ++e;
    }
    if (e == g + 1) {
      detail::read_rows(m_impl->objects.data.get(), H5T_NATIVE_UINT8, static_cast<std::int64_t>(start),
                        static_cast<std::int64_t>(stop - start), out.bytes.data() + out.offsets[order[g]],
                        m_impl->path);
    } else {
      span.resize(stop - start);
      detail::read_rows(m_impl->objects.data.get(), H5T_NATIVE_UINT8, static_cast<std::int64_t>(start),
                        static_cast<std::int64_t>(stop - start), span.data(), m_impl->path);
      for (std::size_t k = g; k < e; ++k) {
        const BlockRef& b = blocks[order[k]];
        std::memcpy(out.bytes.data() + out.offsets[order[k]], span.data() + (b.offset - start), b.length);
      }
    }
    g = e;
  }
  return out;
}

std::uint64_t Reader::data_size() const {
  return static_cast<std::uint64_t>(detail::extent(m_impl->objects.data.get(), m_impl->path));
}

bool Reader::refresh() {
  auto& r = *m_impl;
  if (r.parallel) throw InternalError(r.path + ": refresh() is for serial SWMR readers");
  if (!r.swmr) return false;
  const auto before = identity();
  r.set_streams(r.read_stream_rows());
  r.refresh_objects();
  const auto after = identity();
  return after.blocks != before.blocks || after.streams != before.streams;
}

const std::string& Reader::path() const noexcept {
  return m_impl->path;
}
bool Reader::swmr() const noexcept {
  return m_impl->swmr;
}
std::int64_t Reader::torn_row_retries() const noexcept {
  return m_impl->retries;
}

}  // namespace tsweep::store
