#pragma once
/// \file
/// The parallel bulk writer: every rank of a communicator contributes encoded
/// blocks; each write places rank r's bytes and index rows right after those
/// of ranks < r (offsets from an exclusive prefix sum of sizes) and writes
/// them in one collective MPI-IO transfer per dataset. The file therefore
/// depends only on the global order of the blocks (ranks in order, writes in
/// order), never on how many ranks made them.
///
/// The store is written under a temporary name and renamed into place by
/// finish(), so an interrupted or failed write never leaves a file that looks
/// like a store.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/summary.hpp"
#include "tsweep/core/span.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::exec {
class Comm;
}

namespace tsweep::store {

/// A rank's share of one collective write: encoded blocks back to back.
class BlockBatch {
 public:
  /// Adds a block of stream `stream`; `info` is its header as the codec wrote
  /// it (the bytes may since have been damaged on purpose) and `summary` the
  /// summary of its raw samples (codec::summarize with raw_range() of the
  /// stream), which its index row keeps.
  void add(std::int64_t stream, Span<const std::byte> block, const codec::BlockInfo& info,
           const codec::Summary& summary);
  /// Adds every block of another batch after this one's.
  void append(const BlockBatch& other);
  void clear() noexcept;

  struct Entry {
    std::int64_t stream;
    std::size_t offset;  ///< in bytes()
    std::uint32_t length;
    codec::BlockInfo info;
    codec::Summary summary;
  };
  [[nodiscard]] const std::vector<std::byte>& bytes() const noexcept { return m_bytes; }
  [[nodiscard]] const std::vector<Entry>& entries() const noexcept { return m_entries; }
  [[nodiscard]] std::int64_t samples() const noexcept { return m_samples; }

 private:
  std::vector<std::byte> m_bytes;
  std::vector<Entry> m_entries;
  std::int64_t m_samples = 0;
};

struct ParallelWriterOptions {
  std::string uuid;  ///< empty: random, chosen on rank 0
  std::uint64_t data_chunk_bytes = std::uint64_t{1} << 20;
  /// Replace an existing file at the path (else IoError on every rank).
  bool overwrite = false;
};

/// Statistics a caller may report or test.
struct ParallelWriteStats {
  std::int64_t writes = 0;
  std::int64_t blocks = 0;
  std::int64_t bytes = 0;
  /// Writes whose transfers HDF5 reported as not collective (must stay 0).
  std::int64_t independent_transfers = 0;
};

class ParallelWriter {
 public:
  /// Collective on `comm`: creates the store (under a temporary name next to
  /// `path`) with `streams` as stream ids 0, 1, ...; every rank passes the same specs.
  static ParallelWriter create(const exec::Comm& comm, const std::string& path, const std::vector<StreamSpec>& streams,
                               const ParallelWriterOptions& options = {});

  ParallelWriter(ParallelWriter&&) noexcept;
  ParallelWriter& operator=(ParallelWriter&&) noexcept;
  ParallelWriter(const ParallelWriter&) = delete;
  ParallelWriter& operator=(const ParallelWriter&) = delete;
  /// Collective: without finish(), closes and removes the temporary file.
  ~ParallelWriter();

  /// Collective: appends every rank's batch in rank order (a rank with an
  /// empty batch still calls). Within a batch, blocks keep their order; give
  /// each stream's blocks in time order and streams in id order across ranks
  /// and writes, and each stream's rows form a single run.
  void write(const BlockBatch& mine);

  /// Collective: writes runs and stream rows (made on rank 0 from every
  /// rank's rows), closes the file and renames it to `path`.
  void finish();

  [[nodiscard]] const ParallelWriteStats& stats() const noexcept;
  [[nodiscard]] const std::string& uuid() const noexcept;

 private:
  struct Impl;
  explicit ParallelWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace tsweep::store
