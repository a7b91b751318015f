#pragma once
/// \file
/// The serial appender: one process adds streams and encoded blocks to a
/// store, in transactions. Optionally in SWMR mode, so that other processes
/// (tsweep, h5py) read the store while it grows.
///
/// Commit protocol (src/store/FORMAT.md, "Commits"): block bytes go to
/// /blocks/data first and are flushed; then the index rows, the runs and
/// finally the stream rows. A reader follows streams → runs → index → bytes,
/// so it never meets a row whose bytes are missing, and uncommitted or
/// rolled-back work is invisible to it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/summary.hpp"
#include "tsweep/core/span.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::store {

struct WriterOptions {
  /// Single-writer/multiple-reader mode: readers may open the store while
  /// this writer appends. Every commit flushes in the protocol's order.
  bool swmr = false;
  /// Chunk size of /blocks/data for a new store (bytes).
  std::uint64_t data_chunk_bytes = std::uint64_t{1} << 20;
  /// UUID of a new store; empty: a random one.
  std::string uuid;
  /// Block bytes are gathered up to this size before they are written.
  std::size_t write_buffer_bytes = std::size_t{8} << 20;
};

class Writer {
 public:
  /// Creates a new, empty store at `path` (the current format version); IoError if the file exists.
  static Writer create(const std::string& path, const WriterOptions& options = {});
  /// Opens an existing store to append to it, in its own format version; IoError if it is not a store.
  static Writer open(const std::string& path, const WriterOptions& options = {});

  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  /// Discards uncommitted work (as rollback()) and closes the file.
  ~Writer();

  /// Adds a stream and returns its id. The stream becomes visible to readers
  /// at the next commit. ConfigError for an invalid spec or a name in use.
  std::int64_t add_stream(const StreamSpec& spec);
  [[nodiscard]] std::optional<std::int64_t> find_stream(std::string_view name) const;
  /// The stream as committed (plus the blocks appended since, once committed).
  [[nodiscard]] const StreamInfo& stream(std::int64_t id) const;
  [[nodiscard]] std::int64_t stream_count() const noexcept;

  /// Appends one encoded block (codec format) to stream `id`. Its header is
  /// read to fill the index row; ConfigError if its sample type or rate does
  /// not match the stream. In a store of format version 3 the block is also
  /// decoded to make the summary its index row carries (CodecError if it does
  /// not decode): a caller that has the raw samples passes their summary instead.
  void append(std::int64_t id, Span<const std::byte> block);
  /// As above with the summary of the block's samples already made
  /// (codec::summarize over the raw samples with raw_range() of the stream).
  void append(std::int64_t id, Span<const std::byte> block, const codec::Summary& summary);
  /// As above with the header already read as well (`info` and `summary` must
  /// describe `block`'s original bytes; the bytes written are `block` as
  /// given, even if they no longer match: tests and `tsweep generate
  /// --corrupt` damage blocks this way). InternalError if summary.count is
  /// not info.count. Stores older than version 3 keep no summary.
  void append(std::int64_t id, Span<const std::byte> block, const codec::BlockInfo& info,
              const codec::Summary& summary);

  /// Makes every block and stream added since the last commit visible to readers.
  void commit();
  /// Forgets every block and stream added since the last commit. Without SWMR,
  /// /blocks/data is also cut back to its committed size.
  void rollback();
  /// Blocks appended and not yet committed.
  [[nodiscard]] std::int64_t pending_blocks() const noexcept;
  [[nodiscard]] std::int64_t committed_blocks() const noexcept;

  /// Closes the file, throwing on failure. InternalError if work is uncommitted.
  void close();

  [[nodiscard]] const std::string& path() const noexcept;
  [[nodiscard]] const std::string& uuid() const noexcept;
  [[nodiscard]] bool swmr() const noexcept;

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace tsweep::store
