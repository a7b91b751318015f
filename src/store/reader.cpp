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

struct Span2 {
  std::int64_t lo;
  std::int64_t hi;
};
// Damaged index rows of one run: block -> the span the block must lie in.
using DamageMap = std::unordered_map<std::int64_t, Span2>;

std::string quoted(const StreamInfo& s) {
  return "'" + s.name + "'";
}
}  // namespace

struct Reader::Impl {
  std::string path;
  ReaderOptions options;
  detail::StoreObjects objects;
  bool swmr = false;
  bool parallel = false;
  std::string uuid;
  std::vector<StreamInfo> streams;
  std::vector<std::string> damage;  // per stream: why its row cannot be trusted (keep_damaged_rows)
  std::unordered_map<std::string, std::int64_t> by_name;
  std::int64_t retries = 0;
  TableSizes sizes;
  mutable std::unordered_map<std::int64_t, DamageMap> damaged_rows;  // by run row, filled on first damage met

  [[nodiscard]] bool checked() const noexcept { return objects.row_checksums(); }
  std::vector<StreamRow> read_stream_rows();
  void set_streams(const std::vector<StreamRow>& rows);
  std::string stream_row_damage(const StreamRow& row, std::size_t i) const;
  void read_sizes() {
    sizes.streams = detail::extent(objects.streams.get(), path);
    sizes.attrs = detail::extent(objects.attrs.get(), path);
    sizes.index = detail::extent(objects.index.get(), path);
    sizes.runs = detail::extent(objects.runs.get(), path);
    sizes.data = static_cast<std::uint64_t>(detail::extent(objects.data.get(), path));
  }
  [[noreturn]] void damaged(const std::string& where, const std::string& what) const {
    throw IoError(path, where + " " + what + ": the store's tables are damaged ('tsweep verify " + path +
                            "' lists every problem)");
  }
  RunInfo run_at(std::int64_t row) const;
  RunInfo checked_run(std::int64_t row, const StreamInfo& s) const;
  RowDamage classify(const BlockRow& r, const RunInfo& run) const;
  const DamageMap& damage_in(const RunInfo& run) const;
  BlockRef checked_ref(const BlockRow& r, std::int64_t block, const RunInfo& run) const;
  std::vector<BlockRef> run_rows(const RunInfo& run, std::int64_t first, std::int64_t count) const;
  Span2 times_at(const RunInfo& run, std::int64_t row) const;
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
    // A row read while the writer rewrote it has gen != gen_check or a failing checksum: read again.
    const bool torn = std::any_of(rows.begin(), rows.end(), [&](const StreamRow& r) {
      return r.gen != r.gen_check || (checked() && !detail::sealed(r));
    });
    if (!torn || !swmr || attempt >= kTornRetries) return rows;  // what is still wrong then is damage
    ++retries;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string Reader::Impl::stream_row_damage(const StreamRow& row, std::size_t i) const {
  if (checked() && !detail::sealed(row)) return "fails its row checksum";
  const std::int64_t gen = row.gen, gen_check = row.gen_check;
  if (gen != gen_check) {
    return "is half-written (gen " + std::to_string(gen) + ", gen_check " + std::to_string(gen_check) +
           "; a writer was interrupted?)";
  }
  const std::int64_t id = row.id, blocks = row.block_count, samples = row.sample_count, runs = row.run_count;
  const std::int64_t last_run = row.last_run, first = row.first_ns, last = row.last_ns;
  if (id != static_cast<std::int64_t>(i)) return "has id " + std::to_string(id);
  if (!codec::is_sample_type_code(row.sample_type)) return "has sample type code " + std::to_string(row.sample_type);
  const bool empty = blocks == 0;
  const bool counts_ok = blocks >= 0 && samples >= blocks && runs >= 0 && runs <= blocks && (runs == 0) == empty &&
                         (empty ? last_run == -1 : last_run >= 0) && row.encoded_bytes >= 0 && row.attr_begin >= 0 &&
                         row.attr_count >= 0;
  if (!counts_ok) return "has inconsistent counts (block_count, sample_count, run_count, last_run)";
  if (empty ? (first != 0 || last != 0 || samples != 0) : first > last) return "has an inconsistent span";
  return {};
}

void Reader::Impl::set_streams(const std::vector<StreamRow>& rows) {
  streams.clear();
  damage.clear();
  by_name.clear();
  streams.reserve(rows.size());
  damage.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string why = stream_row_damage(rows[i], i);
    if (!why.empty() && !options.keep_damaged_rows) damaged("/streams row " + std::to_string(i), why);
    StreamInfo info = detail::to_info(rows[i]);
    if (!why.empty()) info.id = static_cast<std::int64_t>(i);
    by_name.emplace(info.name, info.id);
    streams.push_back(std::move(info));
    damage[i] = std::move(why);
  }
}

RunInfo Reader::Impl::run_at(std::int64_t row) const {
  if (row < 0 || row >= sizes.runs) {
    throw InternalError(path + ": run row " + std::to_string(row) + " is outside /blocks/runs (" +
                        std::to_string(sizes.runs) + " rows)");
  }
  RunRow r{};
  detail::read_rows(objects.runs.get(), detail::row_types().run_mem, row, 1, &r, path);
  RunInfo info;
  info.row = row;
  info.stream = r.stream;
  info.index_begin = r.index_begin;
  info.block_count = r.block_count;
  info.first_ns = r.first_ns;
  info.last_ns = r.last_ns;
  info.sample_count = r.sample_count;
  info.sorted = (r.flags & detail::kRunSorted) != 0;
  info.prev_run = r.prev_run;
  info.encoded_bytes = r.encoded_bytes;
  info.row_ok = !checked() || detail::sealed(r);
  return info;
}

// A run row that the reader may follow and rely on, or IoError.
RunInfo Reader::Impl::checked_run(std::int64_t row, const StreamInfo& s) const {
  const std::string where = "/blocks/runs row " + std::to_string(row) + " (a run of stream " + quoted(s) + ")";
  if (row >= sizes.runs) {
    damaged("/streams row " + std::to_string(s.id) + " (stream " + quoted(s) + ")",
            "points at run row " + std::to_string(row) + ", past the end of /blocks/runs (" +
                std::to_string(sizes.runs) + " rows)");
  }
  const RunInfo r = run_at(row);
  if (!r.row_ok) damaged(where, "fails its row checksum");
  if (r.stream != s.id) damaged(where, "belongs to stream " + std::to_string(r.stream));
  if (r.prev_run >= row || r.prev_run < -1) damaged(where, "links to run " + std::to_string(r.prev_run));
  if (r.index_begin < 0 || r.block_count < 1 || r.index_begin > sizes.index - r.block_count) {
    damaged(where, "points at index rows " + std::to_string(r.index_begin) + "+" + std::to_string(r.block_count) +
                       ", outside /blocks/index (" + std::to_string(sizes.index) + " rows)");
  }
  if (r.first_ns > r.last_ns || r.sample_count < r.block_count || r.encoded_bytes < r.block_count) {
    damaged(where, "has inconsistent counts or span");
  }
  return r;
}

RowDamage Reader::Impl::classify(const BlockRow& r, const RunInfo& run) const {
  if (checked() && !detail::sealed(r, objects.version)) return RowDamage::checksum;
  const std::int64_t stream = r.stream, first = r.first_ns, last = r.last_ns, count = r.count;
  const std::uint64_t offset = r.offset, length = r.length;
  if (stream != run.stream) return RowDamage::stream;
  if (count == 0 || count > run.sample_count) return RowDamage::count;
  if (first > last || first < run.first_ns || last > run.last_ns) return RowDamage::span;
  if (length < codec::kHeaderSize || static_cast<std::int64_t>(length) > run.encoded_bytes || offset > sizes.data ||
      length > sizes.data - offset) {
    return RowDamage::bytes;
  }
  return RowDamage::none;
}

// On the first damaged row met in a run, the whole run is scanned once: every
// damaged row gets the span its block must lie in. In a sorted run both times
// are non-decreasing, so a block lies between the first time of the sound row
// before it and the last time of the sound row after it; these bounds keep the
// times non-decreasing, so binary search over the run still works.
const DamageMap& Reader::Impl::damage_in(const RunInfo& run) const {
  const auto found = damaged_rows.find(run.row);
  if (found != damaged_rows.end()) return found->second;
  DamageMap map;
  std::vector<std::int64_t> waiting;  // damaged rows since the last sound one
  std::int64_t prev_first = run.first_ns;
  std::vector<BlockRow> rows;
  const std::int64_t end = run.index_begin + run.block_count;
  for (std::int64_t at = run.index_begin; at < end; at += kScanRows) {
    const std::int64_t n = std::min(kScanRows, end - at);
    rows.assign(static_cast<std::size_t>(n), BlockRow{});
    detail::read_rows(objects.index.get(), detail::row_types().block_mem, at, n, rows.data(), path);
    for (std::int64_t i = 0; i < n; ++i) {
      const BlockRow& r = rows[static_cast<std::size_t>(i)];
      if (classify(r, run) != RowDamage::none) {
        map[at + i] = {run.sorted ? prev_first : run.first_ns, run.last_ns};
        waiting.push_back(at + i);
      } else if (run.sorted) {
        for (const std::int64_t w : waiting) map[w].hi = r.last_ns;
        waiting.clear();
        prev_first = r.first_ns;
      }
    }
  }
  return damaged_rows.emplace(run.row, std::move(map)).first->second;
}

BlockRef Reader::Impl::checked_ref(const BlockRow& r, std::int64_t block, const RunInfo& run) const {
  const RowDamage d = classify(r, run);
  if (d == RowDamage::none) return detail::to_ref(r, block, objects.summaries());
  // Nothing of the row is relied on: only its place in the run.
  const Span2 span = damage_in(run).at(block);
  BlockRef ref;
  ref.stream = run.stream;
  ref.block = block;
  ref.first_ns = span.lo;
  ref.last_ns = span.hi;
  ref.damage = d;
  return ref;
}

std::vector<BlockRef> Reader::Impl::run_rows(const RunInfo& run, std::int64_t first, std::int64_t count) const {
  std::vector<BlockRow> rows(static_cast<std::size_t>(count));
  detail::read_rows(objects.index.get(), detail::row_types().block_mem, first, count, rows.data(), path);
  std::vector<BlockRef> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.push_back(checked_ref(rows[i], first + static_cast<std::int64_t>(i), run));
  }
  return out;
}

Span2 Reader::Impl::times_at(const RunInfo& run, std::int64_t row) const {
  BlockRow r{};
  detail::read_rows(objects.index.get(), detail::row_types().block_mem, row, 1, &r, path);
  if (classify(r, run) != RowDamage::none) return damage_in(run).at(row);
  return {r.first_ns, r.last_ns};
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
  const std::vector<StreamRow> rows = impl->read_stream_rows();
  // Rows the stream table points at were flushed before it: see them.
  if (impl->swmr) impl->refresh_objects();
  impl->read_sizes();
  impl->set_streams(rows);
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
    // Every rank sees what rank 0's stream rows point at (flushed before them).
    if (impl->swmr) impl->refresh_objects();
    impl->read_sizes();
    impl->set_streams(rows);
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
  const auto& r = *m_impl;
  const std::string where = "/streams row " + std::to_string(id) + " (stream " + quoted(s) + ")";
  if (s.attr_begin > r.sizes.attrs - s.attr_count) {
    r.damaged(where, "points at attribute rows " + std::to_string(s.attr_begin) + "+" + std::to_string(s.attr_count) +
                         ", outside /stream_attrs (" + std::to_string(r.sizes.attrs) + " rows)");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const AttributeRow& a : attribute_rows(s.attr_begin, s.attr_count)) {
    const std::string row = "/stream_attrs row " + std::to_string(a.row);
    if (!a.row_ok) r.damaged(row, "fails its row checksum");
    if (a.stream != id) r.damaged(row, "belongs to stream " + std::to_string(a.stream) + ", not to " + quoted(s));
    out.emplace_back(a.key, a.value);
  }
  return out;
}

std::vector<AttributeRow> Reader::attribute_rows(std::int64_t first, std::int64_t count) const {
  std::vector<detail::AttrRow> rows(static_cast<std::size_t>(count));
  detail::read_rows(m_impl->objects.attrs.get(), detail::row_types().attr_mem, first, count, rows.data(), m_impl->path);
  std::vector<AttributeRow> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out.push_back({first + static_cast<std::int64_t>(i), r.stream, detail::field_text(r.key, sizeof r.key),
                   detail::field_text(r.value, sizeof r.value), !m_impl->checked() || detail::sealed(r)});
  }
  return out;
}

StoreIdentity Reader::identity() const {
  StoreIdentity id;
  id.uuid = m_impl->uuid;
  id.format_version = m_impl->objects.version;
  id.streams = static_cast<std::int64_t>(m_impl->streams.size());
  for (const auto& s : m_impl->streams) {
    id.blocks += s.block_count;
    id.samples += s.sample_count;
  }
  return id;
}

std::vector<RunInfo> Reader::runs(std::int64_t id) const {
  const StreamInfo& s = stream(id);
  const auto& impl = *m_impl;
  const std::string where = "/streams row " + std::to_string(id) + " (stream " + quoted(s) + ")";
  const std::string& why = impl.damage[static_cast<std::size_t>(id)];
  if (!why.empty()) impl.damaged(where, why);
  std::vector<RunInfo> out;
  out.reserve(static_cast<std::size_t>(s.run_count));
  std::int64_t blocks = 0, samples = 0, bytes = 0, first = INT64_MAX, last = INT64_MIN;
  for (std::int64_t row = s.last_run; row >= 0;) {
    if (static_cast<std::int64_t>(out.size()) >= s.run_count) {
      impl.damaged(where, "lists " + std::to_string(s.run_count) + " runs; its chain of runs is longer");
    }
    const RunInfo r = impl.checked_run(row, s);
    blocks += r.block_count;
    samples += r.sample_count;
    bytes += r.encoded_bytes;
    first = std::min(first, r.first_ns);
    last = std::max(last, r.last_ns);
    out.push_back(r);
    row = r.prev_run;
  }
  if (static_cast<std::int64_t>(out.size()) != s.run_count) {
    impl.damaged(where,
                 "lists " + std::to_string(s.run_count) + " runs; its chain holds " + std::to_string(out.size()));
  }
  // The runs must add up to the stream row: a sound-looking row that disagrees is damage too.
  const auto differs = [&](const char* field, std::int64_t row_value, std::int64_t runs_value) {
    if (row_value != runs_value) {
      impl.damaged(where, std::string("has ") + field + " " + std::to_string(row_value) + "; its runs add up to " +
                              std::to_string(runs_value));
    }
  };
  differs("block_count", s.block_count, blocks);
  differs("sample_count", s.sample_count, samples);
  differs("encoded_bytes", s.encoded_bytes, bytes);
  if (!out.empty()) {
    differs("first_ns", s.first_ns, first);
    differs("last_ns", s.last_ns, last);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

RunInfo Reader::run_at(std::int64_t row) const {
  return m_impl->run_at(row);
}

std::vector<BlockRef> Reader::index_rows(std::int64_t first, std::int64_t count) const {
  std::vector<BlockRow> rows(static_cast<std::size_t>(count));
  detail::read_rows(m_impl->objects.index.get(), detail::row_types().block_mem, first, count, rows.data(),
                    m_impl->path);
  std::vector<BlockRef> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool sound = !m_impl->checked() || detail::sealed(rows[i], m_impl->objects.version);
    out.push_back(detail::to_ref(rows[i], first + static_cast<std::int64_t>(i), sound && m_impl->objects.summaries()));
    if (!sound) out.back().damage = RowDamage::checksum;
  }
  return out;
}

TableSizes Reader::table_sizes() const noexcept {
  return m_impl->sizes;
}

const std::string& Reader::stream_damage(std::int64_t id) const {
  (void)stream(id);
  return m_impl->damage[static_cast<std::size_t>(id)];
}

int Reader::format_version() const noexcept {
  return m_impl->objects.version;
}

bool Reader::row_checksums() const noexcept {
  return m_impl->checked();
}

bool Reader::summaries() const noexcept {
  return m_impl->objects.summaries();
}

std::vector<BlockRef> Reader::blocks(std::int64_t id, std::int64_t t0, std::int64_t t1) const {
  const StreamInfo& s = stream(id);
  const auto& impl = *m_impl;
  std::vector<BlockRef> out;
  if (s.block_count == 0 || t0 >= t1 || s.last_ns < t0 || s.first_ns >= t1) return out;
  auto keep = [&](const std::vector<BlockRef>& rows) {
    for (const auto& r : rows) {
      if (r.overlaps(t0, t1)) out.push_back(r);
    }
  };
  for (const RunInfo& run : runs(id)) {
    if (run.last_ns < t0 || run.first_ns >= t1) continue;
    const std::int64_t begin = run.index_begin, end = run.index_begin + run.block_count;
    std::int64_t from = begin, to = end;
    if (run.sorted && run.block_count > kSmallRun) {
      // First row whose last_ns >= t0, and first row whose first_ns >= t1.
      std::int64_t lo = begin, hi = end;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (impl.times_at(run, mid).hi < t0)
          lo = mid + 1;
        else
          hi = mid;
      }
      from = lo;
      hi = end;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (impl.times_at(run, mid).lo < t1)
          lo = mid + 1;
        else
          hi = mid;
      }
      to = lo;
    }
    for (std::int64_t at = from; at < to; at += kScanRows) keep(impl.run_rows(run, at, std::min(kScanRows, to - at)));
  }
  std::sort(out.begin(), out.end(), [](const BlockRef& a, const BlockRef& b) {
    return a.first_ns != b.first_ns ? a.first_ns < b.first_ns : a.block < b.block;
  });
  return out;
}

std::optional<BlockRef> Reader::block_before(std::int64_t id, std::int64_t t) const {
  const StreamInfo& s = stream(id);
  const auto& impl = *m_impl;
  std::optional<BlockRef> best;
  if (s.block_count == 0 || s.first_ns >= t) return best;
  auto consider = [&](const BlockRef& r) {
    if (r.last_ns >= t) return;
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
        if (impl.times_at(run, mid).hi < t)
          lo = mid + 1;
        else
          hi = mid;
      }
      // Rows with equal last times come in block order: the last of them is the one.
      if (lo > begin) consider(impl.run_rows(run, lo - 1, 1).front());
    } else {
      for (std::int64_t at = begin; at < end; at += kScanRows) {
        for (const auto& r : impl.run_rows(run, at, std::min(kScanRows, end - at))) consider(r);
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
  read_bytes(blocks, out, max_gap);
  return out;
}

void Reader::read_bytes(Span<const BlockRef> blocks, BlockBytes& out, std::size_t max_gap) const {
  out.offsets.assign(blocks.size() + 1, 0);
  for (std::size_t i = 0; i < blocks.size(); ++i) out.offsets[i + 1] = out.offsets[i] + blocks[i].length;
  out.bytes.resize(out.offsets.back());
  std::vector<std::size_t> order;
  order.reserve(blocks.size());
  // Blocks with nothing to read (damaged index rows) take no part in the groups.
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].length > 0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return blocks[a].offset < blocks[b].offset; });
  constexpr std::uint64_t kMaxSpan = std::uint64_t{64} << 20;
  thread_local std::vector<std::byte> span;  // reused: its pages stay mapped
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
}

std::uint64_t Reader::data_size() const {
  return static_cast<std::uint64_t>(detail::extent(m_impl->objects.data.get(), m_impl->path));
}

bool Reader::refresh() {
  auto& r = *m_impl;
  if (r.parallel) throw InternalError(r.path + ": refresh() is for serial SWMR readers");
  if (!r.swmr) return false;
  const auto before = identity();
  const std::vector<StreamRow> rows = r.read_stream_rows();
  r.refresh_objects();
  r.read_sizes();
  r.set_streams(rows);
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
