#include "tsweep/store/writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <unordered_map>

#include "detail/commit.hpp"
#include "detail/layout.hpp"
#include "detail/probe.hpp"
#include "detail/rows.hpp"
#include "detail/uuid.hpp"
#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store {

using detail::BlockRow;
using detail::StreamRow;

struct Writer::Impl {
  std::string path;
  WriterOptions options;
  detail::WriterLock lock;  // declared before objects: released after the file is closed
  detail::StoreObjects objects;
  std::string uuid;

  std::vector<StreamInfo> streams;    // committed streams, then pending new ones
  std::vector<StreamSpec> new_specs;  // specs of streams [committed_streams, streams.size())
  std::int64_t committed_streams = 0;
  std::unordered_map<std::string, std::int64_t> by_name;
  std::int64_t gen = 0;

  std::int64_t index_end = 0;  // rows of /blocks/index
  std::int64_t runs_end = 0;
  std::int64_t attrs_end = 0;
  std::int64_t data_end = 0;            // bytes written to /blocks/data (committed or not)
  std::int64_t committed_data_end = 0;  // bytes that committed rows may point into
  std::int64_t committed_blocks = 0;
  std::vector<std::byte> buffer;  // bytes at [data_end, data_end + buffer.size())
  std::vector<detail::PendingBlock> pending;
  codec::Decoder decoder;          // summaries of blocks appended without their samples
  std::vector<std::byte> scratch;  // their decoded samples
  bool broken = false;

  void load();
  void flush_bytes();
  void flush(hid_t dataset) const {
    if (options.swmr) h5::check(H5Dflush(dataset), path, "flushing a dataset");
  }
  void require_usable() const {
    if (broken) throw InternalError(path + ": an earlier commit failed; the writer must be closed");
  }
  void forget_pending();
};

void Writer::Impl::load() {
  const auto& t = detail::row_types();
  const std::int64_t n = detail::extent(objects.streams.get(), path);
  std::vector<StreamRow> rows(static_cast<std::size_t>(n));
  detail::read_rows(objects.streams.get(), t.stream_mem, 0, n, rows.data(), path);
  streams.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const StreamRow& row = rows[i];
    if (row.gen != row.gen_check) throw IoError(path, "stream row " + std::to_string(i) + " is torn");
    if (objects.row_checksums() && !detail::sealed(row)) {
      throw IoError(path, "refusing to append: /streams row " + std::to_string(i) +
                              " fails its row checksum (damaged stream table; 'tsweep verify " + path +
                              "' lists the damage)");
    }
    streams.push_back(detail::to_info(row));
    by_name.emplace(streams.back().name, std::int64_t{row.id});
    gen = std::max<std::int64_t>(gen, std::int64_t{row.gen});  // a copy: packed rows are misaligned
    committed_blocks += row.block_count;
  }
  committed_streams = n;
  index_end = detail::extent(objects.index.get(), path);
  runs_end = detail::extent(objects.runs.get(), path);
  attrs_end = detail::extent(objects.attrs.get(), path);
  data_end = committed_data_end = detail::extent(objects.data.get(), path);
}

void Writer::Impl::flush_bytes() {
  if (buffer.empty()) return;
  const auto n = static_cast<std::int64_t>(buffer.size());
  detail::set_extent(objects.data.get(), data_end + n, path);
  detail::write_rows(objects.data.get(), H5T_NATIVE_UINT8, data_end, n, buffer.data(), path);
  data_end += n;
  buffer.clear();
}

void Writer::Impl::forget_pending() {
  pending.clear();
  buffer.clear();
  for (std::int64_t id = committed_streams; id < static_cast<std::int64_t>(streams.size()); ++id) {
    by_name.erase(streams[static_cast<std::size_t>(id)].name);
  }
  streams.resize(static_cast<std::size_t>(committed_streams));
  new_specs.clear();
}

Writer::Writer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;

Writer::~Writer() {
  if (!m_impl || !m_impl->objects.file) return;
  try {
    rollback();
  } catch (const std::exception& e) {
    spdlog::warn("{}: discarding uncommitted blocks failed: {}", m_impl->path, e.what());
  }
}

Writer Writer::create(const std::string& path, const WriterOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  impl->uuid = options.uuid.empty() ? detail::random_uuid() : options.uuid;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) throw IoError(path, "already exists; a new store needs a new file");
  const h5::Handle fapl = detail::serial_fapl(path);
  impl->objects.file =
      h5::Handle(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), path, "cannot create the store");
  impl->lock = detail::WriterLock(path);
  detail::create_layout(impl->objects, path, impl->uuid, options.data_chunk_bytes);
  if (options.swmr) {
    h5::check(H5Fstart_swmr_write(impl->objects.file.get()), path, "starting SWMR write mode");
  }
  return Writer(std::move(impl));
}

Writer Writer::open(const std::string& path, const WriterOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path, "does not exist");
  detail::check_is_hdf5(path);
  if (detail::superblock_status(path).marked_open()) {
    if (detail::writer_alive(path)) throw IoError(path, "another process is writing this store; one writer at a time");
    throw IoError(path, "was left open by a writer that did not close it (killed?); run 'tsweep recover " + path +
                            "' to keep its committed data and clear the mark, then append again");
  }
  impl->lock = detail::WriterLock(path);
  const h5::Handle fapl = detail::serial_fapl(path);
  const unsigned flags = H5F_ACC_RDWR | (options.swmr ? H5F_ACC_SWMR_WRITE : 0u);
  const hid_t id = H5Fopen(path.c_str(), flags, fapl.get());
  if (id < 0) throw IoError(path, "cannot open the store for appending (" + h5::error_stack_text() + ")");
  impl->objects.file = h5::Handle::adopt(id);
  detail::open_layout(impl->objects, path, 0);
  impl->uuid = detail::read_uuid(impl->objects.file.get(), path);
  impl->load();
  return Writer(std::move(impl));
}

std::int64_t Writer::add_stream(const StreamSpec& spec) {
  auto& w = *m_impl;
  w.require_usable();
  validate(spec);
  if (w.by_name.count(spec.name)) throw ConfigError(w.path + ": stream '" + spec.name + "' already exists");
  StreamInfo info;
  info.id = static_cast<std::int64_t>(w.streams.size());
  info.name = spec.name;
  info.unit = spec.unit;
  info.type = spec.type;
  info.scale = spec.scale;
  info.offset = spec.offset;
  info.rate_nhz = spec.rate_nhz;
  info.valid_min = spec.valid_min;
  info.valid_max = spec.valid_max;
  info.attr_count = static_cast<std::int64_t>(spec.attributes.size());
  w.streams.push_back(info);
  w.new_specs.push_back(spec);
  w.by_name.emplace(spec.name, info.id);
  return info.id;
}

std::optional<std::int64_t> Writer::find_stream(std::string_view name) const {
  const auto it = m_impl->by_name.find(std::string(name));
  if (it == m_impl->by_name.end()) return std::nullopt;
  return it->second;
}

const StreamInfo& Writer::stream(std::int64_t id) const {
  if (id < 0 || id >= static_cast<std::int64_t>(m_impl->streams.size())) {
    throw InternalError(m_impl->path + ": no stream " + std::to_string(id));
  }
  return m_impl->streams[static_cast<std::size_t>(id)];
}

std::int64_t Writer::stream_count() const noexcept {
  return static_cast<std::int64_t>(m_impl->streams.size());
}

namespace {
codec::BlockInfo whole_block(Span<const std::byte> block) {
  const codec::BlockInfo info = codec::peek(block);
  if (info.encoded_size != block.size()) {
    throw CodecError("block of " + std::to_string(block.size()) + " bytes says it is " +
                     std::to_string(info.encoded_size) + " bytes long");
  }
  return info;
}
}  // namespace

void Writer::append(std::int64_t id, Span<const std::byte> block) {
  auto& w = *m_impl;
  const codec::BlockInfo info = whole_block(block);
  codec::Summary summary;
  summary.count = info.count;
  if (w.objects.summaries()) {
    // No raw samples at hand: the block's own, decoded (checked against its header's type below).
    const StreamInfo& s = stream(id);
    if (info.type == s.type) {
      w.scratch.resize(static_cast<std::size_t>(info.count) * codec::sample_size(info.type));
      w.decoder.decode(block, Span<std::byte>(w.scratch));
      summary = codec::summarize(info.type, w.scratch.data(), info.count, raw_range(s));
    }
  }
  append(id, block, info, summary);
}

void Writer::append(std::int64_t id, Span<const std::byte> block, const codec::Summary& summary) {
  append(id, block, whole_block(block), summary);
}

void Writer::append(std::int64_t id, Span<const std::byte> block, const codec::BlockInfo& info,
                    const codec::Summary& summary) {
  auto& w = *m_impl;
  w.require_usable();
  const StreamInfo& s = stream(id);
  if (summary.count != static_cast<std::int64_t>(info.count)) {
    throw InternalError("stream '" + s.name + "': a block of " + std::to_string(info.count) +
                        " samples comes with the summary of " + std::to_string(summary.count));
  }
  if (info.type != s.type) {
    throw ConfigError("stream '" + s.name + "' holds " + codec::sample_type_name(s.type) + " samples, not " +
                      codec::sample_type_name(info.type));
  }
  if (info.regular() && s.rate_nhz != 0 && info.rate_nhz != s.rate_nhz) {
    throw ConfigError("stream '" + s.name + "' has rate " + std::to_string(s.rate_nhz) + " nHz; a block has " +
                      std::to_string(info.rate_nhz) + " nHz");
  }
  if (info.count == 0) throw ConfigError("stream '" + s.name + "': an empty block cannot be stored");
  if (block.size() > UINT32_MAX) throw ConfigError("stream '" + s.name + "': a block is larger than 4 GiB");
  detail::PendingBlock p{};
  p.row.stream = static_cast<std::uint32_t>(id);
  p.row.count = info.count;
  p.row.first_ns = info.min_ns;
  p.row.last_ns = info.max_ns;
  p.row.offset = static_cast<std::uint64_t>(w.data_end) + w.buffer.size();
  p.row.length = static_cast<std::uint32_t>(block.size());
  p.row.time_encoding = static_cast<std::uint8_t>(info.time_encoding);
  p.row.value_encoding = static_cast<std::uint8_t>(info.value_encoding);
  p.row.checksum = info.checksum;
  detail::set_summary(p.row, summary);  // dropped on the way into a store older than version 3
  p.order = static_cast<std::int64_t>(w.pending.size());
  w.buffer.insert(w.buffer.end(), block.begin(), block.end());
  w.pending.push_back(p);
  if (w.buffer.size() >= w.options.write_buffer_bytes) w.flush_bytes();
}

void Writer::commit() {
  auto& w = *m_impl;
  w.require_usable();
  if (w.pending.empty() && w.new_specs.empty()) return;
  const auto& t = detail::row_types();
  try {
    // 1. Bytes, flushed before any row points at them.
    w.flush_bytes();
    w.flush(w.objects.data.get());

    // 2. Index rows, grouped by stream and ordered by time within each.
    std::vector<StreamInfo> updated = w.streams;
    detail::CommitRows rows = detail::build_commit(w.pending, w.index_end, w.runs_end, updated);
    detail::seal(rows.index.data(), rows.index.size(), w.objects.version);
    detail::seal(rows.runs.data(), rows.runs.size());
    const auto nrows = static_cast<std::int64_t>(rows.index.size());
    if (nrows > 0) {
      detail::set_extent(w.objects.index.get(), w.index_end + nrows, w.path);
      detail::write_rows(w.objects.index.get(), t.block_mem, w.index_end, nrows, rows.index.data(), w.path);
      w.flush(w.objects.index.get());
    }
    // 3. Runs.
    const auto nruns = static_cast<std::int64_t>(rows.runs.size());
    if (nruns > 0) {
      detail::set_extent(w.objects.runs.get(), w.runs_end + nruns, w.path);
      detail::write_rows(w.objects.runs.get(), t.run_mem, w.runs_end, nruns, rows.runs.data(), w.path);
      w.flush(w.objects.runs.get());
    }
    // 4. Attributes of new streams.
    std::vector<detail::AttrRow> attrs;
    std::int64_t attr_at = w.attrs_end;
    for (std::size_t k = 0; k < w.new_specs.size(); ++k) {
      auto& info = updated[static_cast<std::size_t>(w.committed_streams) + k];
      info.attr_begin = attr_at;
      for (const auto& [key, value] : w.new_specs[k].attributes) {
        detail::AttrRow a{};
        a.stream = info.id;
        detail::copy_field(a.key, sizeof a.key, key, "attribute key");
        detail::copy_field(a.value, sizeof a.value, value, "attribute value");
        detail::seal(a);
        attrs.push_back(a);
        ++attr_at;
      }
    }
    if (!attrs.empty()) {
      const auto n = static_cast<std::int64_t>(attrs.size());
      detail::set_extent(w.objects.attrs.get(), w.attrs_end + n, w.path);
      detail::write_rows(w.objects.attrs.get(), t.attr_mem, w.attrs_end, n, attrs.data(), w.path);
      w.flush(w.objects.attrs.get());
    }
    // 5. Stream rows last: they make the commit visible.
    std::vector<hsize_t> changed;
    for (std::size_t id = 0; id < updated.size(); ++id) {
      if (static_cast<std::int64_t>(id) >= w.committed_streams || rows.touched.count(static_cast<std::int64_t>(id))) {
        changed.push_back(id);
      }
    }
    const std::int64_t gen = w.gen + 1;
    std::vector<StreamRow> stream_rows;
    stream_rows.reserve(changed.size());
    for (hsize_t id : changed) stream_rows.push_back(detail::to_row(updated[id], gen));
    if (static_cast<std::int64_t>(updated.size()) > w.committed_streams) {
      detail::set_extent(w.objects.streams.get(), static_cast<std::int64_t>(updated.size()), w.path);
    }
    detail::write_rows_at(w.objects.streams.get(), t.stream_mem, changed, stream_rows.data(), w.path);
    w.flush(w.objects.streams.get());
    if (!w.options.swmr) h5::check(H5Fflush(w.objects.file.get(), H5F_SCOPE_LOCAL), w.path, "flushing the store");

    w.streams = std::move(updated);
    w.committed_streams = static_cast<std::int64_t>(w.streams.size());
    w.new_specs.clear();
    w.gen = gen;
    w.index_end += nrows;
    w.runs_end += nruns;
    w.attrs_end = attr_at;
    w.committed_data_end = w.data_end;
    w.committed_blocks += nrows;
    w.pending.clear();
  } catch (...) {
    w.broken = true;
    throw;
  }
}

void Writer::rollback() {
  auto& w = *m_impl;
  w.forget_pending();
  if (w.broken || w.options.swmr || w.data_end == w.committed_data_end) return;
  // Without SWMR, the file may shrink again: nothing else points past the committed end.
  detail::set_extent(w.objects.data.get(), w.committed_data_end, w.path);
  w.data_end = w.committed_data_end;
}

std::int64_t Writer::pending_blocks() const noexcept {
  return static_cast<std::int64_t>(m_impl->pending.size());
}
std::int64_t Writer::committed_blocks() const noexcept {
  return m_impl->committed_blocks;
}

void Writer::close() {
  auto& w = *m_impl;
  if (!w.pending.empty() || !w.new_specs.empty()) {
    throw InternalError(w.path + ": closing a writer with uncommitted blocks; commit() or rollback() first");
  }
  w.objects.data.reset();
  w.objects.index.reset();
  w.objects.runs.reset();
  w.objects.attrs.reset();
  w.objects.streams.reset();
  w.objects.file.close(w.path);
}

const std::string& Writer::path() const noexcept {
  return m_impl->path;
}
const std::string& Writer::uuid() const noexcept {
  return m_impl->uuid;
}
bool Writer::swmr() const noexcept {
  return m_impl->options.swmr;
}

}  // namespace tsweep::store
