#include "tsweep/store/parallel_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "detail/commit.hpp"
#include "detail/layout.hpp"
#include "detail/rows.hpp"
#include "detail/uuid.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/comm.hpp"

namespace tsweep::store {

using detail::BlockRow;
using detail::RunRow;

void BlockBatch::add(std::int64_t stream, Span<const std::byte> block, const codec::BlockInfo& info,
                     const codec::Summary& summary) {
  if (block.size() > UINT32_MAX) throw ConfigError("a block is larger than 4 GiB");
  if (summary.count != static_cast<std::int64_t>(info.count)) {
    throw InternalError("a block of " + std::to_string(info.count) + " samples comes with the summary of " +
                        std::to_string(summary.count));
  }
  m_entries.push_back({stream, m_bytes.size(), static_cast<std::uint32_t>(block.size()), info, summary});
  m_bytes.insert(m_bytes.end(), block.begin(), block.end());
  m_samples += info.count;
}

void BlockBatch::append(const BlockBatch& other) {
  const std::size_t base = m_bytes.size();
  m_bytes.insert(m_bytes.end(), other.m_bytes.begin(), other.m_bytes.end());
  for (Entry e : other.m_entries) {
    e.offset += base;
    m_entries.push_back(e);
  }
  m_samples += other.m_samples;
}

void BlockBatch::clear() noexcept {
  m_bytes.clear();
  m_entries.clear();
  m_samples = 0;
}

namespace {
// A rank's run with the times of its first and last block, so that rank 0 can
// tell whether two runs that meet stay binary-searchable when merged, exactly
// as if one rank had written both.
struct LocalRun {
  RunRow row;
  std::int64_t head_first, head_last, tail_first, tail_last;
};
}  // namespace

struct ParallelWriter::Impl {
  const exec::Comm* comm = nullptr;
  std::string path;
  std::string temp_path;
  std::string uuid;
  ParallelWriterOptions options;
  std::vector<StreamSpec> specs;
  detail::StoreObjects objects;
  h5::Handle dxpl;
  std::int64_t index_end = 0;
  std::int64_t data_end = 0;
  std::vector<LocalRun> runs;  // this rank's runs, index_begin global
  ParallelWriteStats stats;
  bool finished = false;

  void note_io_mode() {
    H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
    if (H5Pget_mpio_actual_io_mode(dxpl.get(), &mode) >= 0 && mode == H5D_MPIO_NO_COLLECTIVE) {
      ++stats.independent_transfers;
    }
  }
  void close_file() {
    objects.data.reset();
    objects.index.reset();
    objects.runs.reset();
    objects.attrs.reset();
    objects.streams.reset();
    objects.file.close(temp_path);
  }
};

ParallelWriter::ParallelWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ParallelWriter::ParallelWriter(ParallelWriter&&) noexcept = default;
ParallelWriter& ParallelWriter::operator=(ParallelWriter&&) noexcept = default;

ParallelWriter::~ParallelWriter() {
  if (!m_impl || m_impl->finished) return;
  // Every rank gets here together (failures are agreed), so the collective close is safe.
  try {
    if (m_impl->objects.file) m_impl->close_file();
  } catch (const std::exception& e) {
    spdlog::warn("{}", e.what());
  }
  if (m_impl->comm->is_root()) {
    std::error_code ec;
    std::filesystem::remove(m_impl->temp_path, ec);
  }
}

ParallelWriter ParallelWriter::create(const exec::Comm& comm, const std::string& path,
                                      const std::vector<StreamSpec>& streams, const ParallelWriterOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->comm = &comm;
  impl->path = path;
  impl->options = options;
  impl->specs = streams;
  std::string uuid = exec::agreed(comm, [&] {
    for (const auto& s : streams) validate(s);
    std::string u;
    if (comm.is_root()) {
      std::error_code ec;
      if (std::filesystem::exists(path, ec) && !options.overwrite) {
        throw IoError(path, "already exists (pass --force to replace it)");
      }
      u = options.uuid.empty() ? detail::random_uuid() : options.uuid;
    }
    return u;
  });
  impl->uuid = exec::broadcast_string(comm, uuid);
  impl->temp_path = path + ".partial-" + impl->uuid.substr(0, 8);

  exec::agreed(comm, [&] {
    h5::init_library();
    h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), path, "creating a file access property list");
    h5::check(H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL), path, "choosing the MPI-IO driver");
    h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), path, "choosing the format");
    h5::check(H5Pset_all_coll_metadata_ops(fapl.get(), true), path, "collective metadata reads");
    h5::check(H5Pset_coll_metadata_write(fapl.get(), true), path, "collective metadata writes");
    // Chunks of /blocks/data start on their own boundary: whole stripes on parallel file systems.
    h5::check(H5Pset_alignment(fapl.get(), options.data_chunk_bytes / 2, options.data_chunk_bytes), path, "alignment");
    impl->objects.file = h5::Handle(H5Fcreate(impl->temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), path,
                                    "cannot create the store (is the folder writable?)");
  });
  exec::agreed(comm, [&] {
    detail::create_layout(impl->objects, path, impl->uuid, options.data_chunk_bytes);
    impl->dxpl = h5::Handle(H5Pcreate(H5P_DATASET_XFER), path, "creating a transfer property list");
    h5::check(H5Pset_dxpl_mpio(impl->dxpl.get(), H5FD_MPIO_COLLECTIVE), path, "collective transfers");
  });
  return ParallelWriter(std::move(impl));
}

void ParallelWriter::write(const BlockBatch& mine) {
  auto& w = *m_impl;
  const exec::Comm& comm = *w.comm;
  const auto& t = detail::row_types();
  // Offsets of this rank's bytes and rows: everything the lower ranks write comes first.
  std::int64_t local[2] = {static_cast<std::int64_t>(mine.bytes().size()),
                           static_cast<std::int64_t>(mine.entries().size())};
  std::int64_t before[2] = {0, 0}, total[2] = {0, 0};
  exec::check_mpi(MPI_Exscan(local, before, 2, MPI_INT64_T, MPI_SUM, comm.get()), "prefix sum of block sizes");
  if (comm.is_root()) before[0] = before[1] = 0;
  exec::check_mpi(MPI_Allreduce(local, total, 2, MPI_INT64_T, MPI_SUM, comm.get()), "total block sizes");

  std::vector<BlockRow> rows;
  exec::agreed(comm, [&] {
    rows.reserve(mine.entries().size());
    for (const auto& e : mine.entries()) {
      if (e.stream < 0 || e.stream >= static_cast<std::int64_t>(w.specs.size())) {
        throw InternalError(w.path + ": block for unknown stream " + std::to_string(e.stream));
      }
      if (e.info.type != w.specs[static_cast<std::size_t>(e.stream)].type) {
        throw InternalError(w.path + ": block of the wrong sample type for stream " + std::to_string(e.stream));
      }
      BlockRow r{};
      r.stream = static_cast<std::uint32_t>(e.stream);
      r.count = e.info.count;
      r.first_ns = e.info.min_ns;
      r.last_ns = e.info.max_ns;
      r.offset = static_cast<std::uint64_t>(w.data_end + before[0]) + e.offset;
      r.length = e.length;
      r.time_encoding = static_cast<std::uint8_t>(e.info.time_encoding);
      r.value_encoding = static_cast<std::uint8_t>(e.info.value_encoding);
      r.checksum = e.info.checksum;
      detail::set_summary(r, e.summary);
      detail::seal(r, w.objects.version);
      rows.push_back(r);
    }
  });
  exec::agreed(comm, [&] {
    detail::set_extent(w.objects.data.get(), w.data_end + total[0], w.path);
    detail::write_rows(w.objects.data.get(), H5T_NATIVE_UINT8, w.data_end + before[0], local[0], mine.bytes().data(),
                       w.path, w.dxpl.get());
    w.note_io_mode();
  });
  // Bytes before rows, as in every store (the rows are the commit record).
  exec::agreed(comm, [&] {
    detail::set_extent(w.objects.index.get(), w.index_end + total[1], w.path);
    detail::write_rows(w.objects.index.get(), t.block_mem, w.index_end + before[1], local[1], rows.data(), w.path,
                       w.dxpl.get());
    w.note_io_mode();
  });
  // This rank's runs: consecutive rows of one stream.
  for (std::size_t i = 0; i < rows.size();) {
    RunRow run{};
    run.stream = rows[i].stream;
    run.prev_run = -1;
    run.index_begin = w.index_end + before[1] + static_cast<std::int64_t>(i);
    run.flags = detail::kRunSorted;
    std::int64_t first = rows[i].first_ns, last = rows[i].last_ns, prev_first = INT64_MIN, prev_last = INT64_MIN;
    const std::uint32_t sid = rows[i].stream;
    for (; i < rows.size() && rows[i].stream == sid; ++i) {
      const std::int64_t f = rows[i].first_ns, l = rows[i].last_ns;
      if (f < prev_first || l < prev_last) run.flags &= ~detail::kRunSorted;
      prev_first = f;
      prev_last = l;
      first = std::min(first, f);
      last = std::max(last, l);
      run.block_count += 1;
      run.sample_count += rows[i].count;
      run.encoded_bytes += rows[i].length;
    }
    run.first_ns = first;
    run.last_ns = last;
    const BlockRow& head = rows[static_cast<std::size_t>(run.index_begin - w.index_end - before[1])];
    const BlockRow& tail = rows[i - 1];
    w.runs.push_back({run, head.first_ns, head.last_ns, tail.first_ns, tail.last_ns});
  }
  w.data_end += total[0];
  w.index_end += total[1];
  w.stats.writes += 1;
  w.stats.blocks += total[1];
  w.stats.bytes += total[0];
}

namespace {

// Rank 0: runs of every rank, merged where one stream's rows continue across
// ranks or writes, chained per stream, with the stream summaries they add up to.
std::vector<RunRow> merge_runs(std::vector<LocalRun> runs, std::vector<StreamInfo>& streams) {
  std::sort(runs.begin(), runs.end(), [](const LocalRun& a, const LocalRun& b) {
    const std::int64_t x = a.row.index_begin, y = b.row.index_begin;
    return x < y;
  });
  std::vector<LocalRun> joined;
  for (const LocalRun& r : runs) {
    if (!joined.empty()) {
      LocalRun& m = joined.back();
      const std::int64_t m_end = m.row.index_begin + m.row.block_count;
      const std::int64_t m_stream = m.row.stream, r_stream = r.row.stream;
      if (m_stream == r_stream && m_end == r.row.index_begin) {
        // Sorted as a whole when both halves are and the boundary is ordered too.
        if (!(r.row.flags & detail::kRunSorted) || r.head_first < m.tail_first || r.head_last < m.tail_last) {
          m.row.flags &= ~detail::kRunSorted;
        }
        const std::int64_t m_first = m.row.first_ns, m_last = m.row.last_ns;
        const std::int64_t r_first = r.row.first_ns, r_last = r.row.last_ns;
        m.row.block_count += r.row.block_count;
        m.row.sample_count += r.row.sample_count;
        m.row.encoded_bytes += r.row.encoded_bytes;
        m.row.first_ns = std::min(m_first, r_first);
        m.row.last_ns = std::max(m_last, r_last);
        m.tail_first = r.tail_first;
        m.tail_last = r.tail_last;
        continue;
      }
    }
    joined.push_back(r);
  }
  std::vector<RunRow> merged;
  merged.reserve(joined.size());
  for (const LocalRun& r : joined) merged.push_back(r.row);
  for (std::size_t i = 0; i < merged.size(); ++i) {
    StreamInfo& s = streams[static_cast<std::size_t>(merged[i].stream)];
    merged[i].prev_run = s.last_run;
    detail::add_run(s, merged[i], static_cast<std::int64_t>(i));
  }
  return merged;
}

}  // namespace

void ParallelWriter::finish() {
  auto& w = *m_impl;
  const exec::Comm& comm = *w.comm;
  const auto& t = detail::row_types();
  // Every rank's runs to rank 0.
  const int mine = static_cast<int>(w.runs.size() * sizeof(LocalRun));
  std::vector<int> sizes(static_cast<std::size_t>(comm.size())), displs(sizes.size());
  exec::check_mpi(MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, comm.get()), "gathering run counts");
  std::vector<LocalRun> all;
  if (comm.is_root()) {
    int at = 0;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      displs[r] = at;
      at += sizes[r];
    }
    all.resize(static_cast<std::size_t>(at) / sizeof(LocalRun));
  }
  exec::check_mpi(
      MPI_Gatherv(w.runs.data(), mine, MPI_BYTE, all.data(), sizes.data(), displs.data(), MPI_BYTE, 0, comm.get()),
      "gathering runs");

  std::vector<StreamInfo> streams(w.specs.size());
  std::vector<RunRow> runs;
  std::vector<detail::StreamRow> stream_rows;
  std::vector<detail::AttrRow> attrs;
  std::int64_t counts[3] = {0, 0, 0};  // runs, streams, attribute rows
  exec::agreed(comm, [&] {
    std::int64_t attr_at = 0;
    for (std::size_t i = 0; i < w.specs.size(); ++i) {
      const StreamSpec& s = w.specs[i];
      StreamInfo& info = streams[i];
      info.id = static_cast<std::int64_t>(i);
      info.name = s.name;
      info.unit = s.unit;
      info.type = s.type;
      info.scale = s.scale;
      info.offset = s.offset;
      info.rate_nhz = s.rate_nhz;
      info.valid_min = s.valid_min;
      info.valid_max = s.valid_max;
      info.attr_begin = attr_at;
      info.attr_count = static_cast<std::int64_t>(s.attributes.size());
      attr_at += info.attr_count;
      if (comm.is_root()) {
        for (const auto& [key, value] : s.attributes) {
          detail::AttrRow a{};
          a.stream = info.id;
          detail::copy_field(a.key, sizeof a.key, key, "attribute key");
          detail::copy_field(a.value, sizeof a.value, value, "attribute value");
          detail::seal(a);
          attrs.push_back(a);
        }
      }
    }
    counts[2] = attr_at;
    counts[1] = static_cast<std::int64_t>(streams.size());
    if (comm.is_root()) {
      runs = merge_runs(std::move(all), streams);
      detail::seal(runs.data(), runs.size());
      counts[0] = static_cast<std::int64_t>(runs.size());
      for (const auto& s : streams) stream_rows.push_back(detail::to_row(s, 1));
    }
  });
  exec::check_mpi(MPI_Bcast(counts, 3, MPI_INT64_T, 0, comm.get()), "broadcasting table sizes");
  const bool root = comm.is_root();
  exec::agreed(comm, [&] {
    detail::set_extent(w.objects.runs.get(), counts[0], w.path);
    detail::write_rows(w.objects.runs.get(), t.run_mem, 0, root ? counts[0] : 0, runs.data(), w.path, w.dxpl.get());
    w.note_io_mode();
    detail::set_extent(w.objects.attrs.get(), counts[2], w.path);
    detail::write_rows(w.objects.attrs.get(), t.attr_mem, 0, root ? counts[2] : 0, attrs.data(), w.path, w.dxpl.get());
    w.note_io_mode();
    // Stream rows last: they make the blocks visible.
    detail::set_extent(w.objects.streams.get(), counts[1], w.path);
    detail::write_rows(w.objects.streams.get(), t.stream_mem, 0, root ? counts[1] : 0, stream_rows.data(), w.path,
                       w.dxpl.get());
    w.note_io_mode();
  });
  exec::agreed(comm, [&] { w.close_file(); });
  exec::agreed(comm, [&] {
    if (root) {
      std::error_code ec;
      std::filesystem::rename(w.temp_path, w.path, ec);
      if (ec) throw IoError(w.path, "cannot move the finished store into place: " + ec.message());
    }
  });
  w.finished = true;
}

const ParallelWriteStats& ParallelWriter::stats() const noexcept {
  return m_impl->stats;
}
const std::string& ParallelWriter::uuid() const noexcept {
  return m_impl->uuid;
}

}  // namespace tsweep::store
