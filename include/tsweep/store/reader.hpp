#pragma once
/// \file
/// Reading a store: the stream table at open, then only what is asked for —
/// the index rows of one stream and time range (found by following the
/// stream's runs and binary search on time), and the bytes of given blocks.
/// Nothing here ever loads the whole index.
///
/// HDF5 is not thread-safe in this build: call a Reader from one thread (the
/// thread that called MPI_Init, under MPI_THREAD_FUNNELED); decode the bytes
/// it returns on as many threads as you like.

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tsweep/core/span.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::exec {
class Comm;
}

namespace tsweep::store {

/// Whether to open for SWMR reading (a store another process is appending to).
enum class SwmrMode {
  automatic,  ///< plain read; SWMR read (sec2 driver, every rank) when the superblock says a SWMR
              ///< writer has the file open or died holding it; refused when a non-SWMR writer holds it
  on,         ///< always SWMR read (sec2 driver, on every rank)
  off,        ///< never
};

struct ReaderOptions {
  SwmrMode swmr = SwmrMode::automatic;
  /// Chunk cache of /blocks/data (bytes); 0, the default, turns it off.
  /// Readers fetch each block once, so a cache saves nothing, and with the
  /// MPI-IO driver HDF5 1.10.8 was seen to keep far more chunks than its size
  /// allows (hundreds of MiB over a 2 GiB store).
  std::size_t data_cache_bytes = 0;
  /// Open a store whose stream rows fail their checks, marking them
  /// (stream_damage()) instead of refusing it: for `tsweep verify`.
  bool keep_damaged_rows = false;
};

/// A run as the store records it: consecutive index rows of one stream.
struct RunInfo {
  std::int64_t row = 0;  ///< row in /blocks/runs
  std::int64_t stream = 0;
  std::int64_t index_begin = 0;
  std::int64_t block_count = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  std::int64_t sample_count = 0;
  bool sorted = true;  ///< first and last times non-decreasing over its rows: binary search applies
  std::int64_t prev_run = -1;  ///< the stream's previous run, -1 for its first
  std::int64_t encoded_bytes = 0;
  bool row_ok = true;  ///< its row checksum matches (always true in a version-1 store, which has none)
};

/// One row of /stream_attrs as read.
struct AttributeRow {
  std::int64_t row = 0;
  std::int64_t stream = 0;
  std::string key;
  std::string value;
  bool row_ok = true;  ///< its row checksum matches (always true in a version-1 store)
};

/// Rows of each table (bytes of /blocks/data) as the reader sees them.
struct TableSizes {
  std::int64_t streams = 0;
  std::int64_t attrs = 0;
  std::int64_t index = 0;
  std::int64_t runs = 0;
  std::uint64_t data = 0;
};

/// Several blocks' bytes in one buffer, in the order they were asked for.
struct BlockBytes {
  std::vector<std::byte> bytes;
  std::vector<std::size_t> offsets;  ///< start of block i in `bytes`; size() + 1 entries
  [[nodiscard]] Span<const std::byte> block(std::size_t i) const noexcept {
    return {bytes.data() + offsets[i], offsets[i + 1] - offsets[i]};
  }
  [[nodiscard]] std::size_t size() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
};

class Reader {
 public:
  /// Rank-local: opens `path` with the sec2 driver. IoError (exit 2) if the
  /// file is missing, not HDF5, not a store, of a format version this library
  /// does not read, or if a stream row fails its checks (unless
  /// `keep_damaged_rows`).
  static Reader open(const std::string& path, const ReaderOptions& options = {});
  /// Collective on `comm`: every rank opens `path` with the MPI-IO driver;
  /// rank 0 reads the stream table and broadcasts it. A failure on any rank
  /// is agreed, so every rank throws. The Reader's destructor is collective too.
  static Reader open(const exec::Comm& comm, const std::string& path, const ReaderOptions& options = {});

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

  /// The stream table as of open() or the last refresh(), indexed by id.
  [[nodiscard]] const std::vector<StreamInfo>& streams() const noexcept;
  [[nodiscard]] const StreamInfo& stream(std::int64_t id) const;
  [[nodiscard]] std::optional<std::int64_t> find_stream(std::string_view name) const;
  /// Rank-local: the free attributes of stream `id` (read on demand).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> attributes(std::int64_t id) const;
  [[nodiscard]] StoreIdentity identity() const;

  /// Rank-local: the committed blocks of `stream` holding a sample in
  /// [t0, t1), ordered by (first_ns, block). Reads the stream's runs and only
  /// the index rows that overlap (binary search within each run). Every row
  /// read is checked: a damaged run row throws IoError naming the file, the
  /// table and the row; a damaged index row gives a block with `damage` set
  /// (see BlockRef), to be treated as corrupt.
  [[nodiscard]] std::vector<BlockRef> blocks(std::int64_t stream, std::int64_t t0 = INT64_MIN,
                                             std::int64_t t1 = INT64_MAX) const;
  /// Rank-local: the block of `stream` whose latest sample is the latest
  /// before `t` (ties: the higher block number), if any: the block that
  /// holds the predecessor of the first sample at or after `t`. Binary search,
  /// like blocks().
  [[nodiscard]] std::optional<BlockRef> block_before(std::int64_t stream, std::int64_t t) const;
  /// Rank-local: the stream's runs, oldest first. IoError if a run row fails
  /// its checksum, does not belong to the stream, or the runs do not add up
  /// to the stream row (counts, bytes, span).
  [[nodiscard]] std::vector<RunInfo> runs(std::int64_t stream) const;
  /// Rank-local: row `row` of /blocks/runs as read, unchecked but for
  /// `row_ok` (for tools that check the tables, such as verify).
  [[nodiscard]] RunInfo run_at(std::int64_t row) const;
  /// Rank-local: index rows [first, first + count) as BlockRefs, as read
  /// (`damage` is `checksum` for a row that fails its checksum, else none;
  /// such a row has no summary): for tools that walk the index in order,
  /// such as verify.
  [[nodiscard]] std::vector<BlockRef> index_rows(std::int64_t first, std::int64_t count) const;
  /// Rank-local: rows [first, first + count) of /stream_attrs as read.
  [[nodiscard]] std::vector<AttributeRow> attribute_rows(std::int64_t first, std::int64_t count) const;
  /// Rows of every table as of open() or the last refresh().
  [[nodiscard]] TableSizes table_sizes() const noexcept;

  /// Why stream row `id` cannot be trusted (empty when it can). Only a
  /// reader opened with `keep_damaged_rows` has damaged rows; others refuse them.
  [[nodiscard]] const std::string& stream_damage(std::int64_t id) const;
  /// tsweep_format_version of the store (1, 2 or 3).
  [[nodiscard]] int format_version() const noexcept;
  /// True when the store's rows carry checksums (format version 2 on).
  [[nodiscard]] bool row_checksums() const noexcept;
  /// True when the store's index rows carry block summaries (format version 3
  /// on): every sound BlockRef it returns has `has_summary`.
  [[nodiscard]] bool summaries() const noexcept;

  /// Rank-local: the encoded bytes of one block.
  void read_bytes(const BlockRef& block, std::vector<std::byte>& out) const;
  /// Rank-local: the bytes of several blocks, with nearby blocks fetched in
  /// one read (gaps up to `max_gap` bytes are read through and dropped).
  [[nodiscard]] BlockBytes read_bytes(Span<const BlockRef> blocks, std::size_t max_gap = kReadThroughGap) const;
  /// As above into `out`, reusing its buffers.
  void read_bytes(Span<const BlockRef> blocks, BlockBytes& out, std::size_t max_gap = kReadThroughGap) const;
  /// Gaps between blocks read through rather than read apart (one read call costs about as much as copying this).
  static constexpr std::size_t kReadThroughGap = std::size_t{1} << 15;

  /// Bytes in /blocks/data as this reader sees them: no committed block ends past it.
  [[nodiscard]] std::uint64_t data_size() const;

  /// SWMR readers: re-reads the stream table and sees the blocks committed
  /// since. Returns true if anything grew. Rank-local; not for MPI-opened stores.
  bool refresh();

  [[nodiscard]] const std::string& path() const noexcept;
  [[nodiscard]] bool swmr() const noexcept;
  /// Times a torn stream row (read while the writer rewrote it) was read again.
  [[nodiscard]] std::int64_t torn_row_retries() const noexcept;

 private:
  struct Impl;
  explicit Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace tsweep::store
