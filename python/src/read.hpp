#pragma once
/// \file
/// Reading streams' samples in a time range into caller buffers, for the
/// Python module. The blocks are found (find_blocks()) and their bytes
/// fetched on the calling thread (HDF5), and checked and decoded on several
/// threads meanwhile (decode(): no HDF5, no Python). A block that fails a
/// check is left out and reported, never thrown: bad bytes are data.
/// store_handle.cpp allocates the buffers and holds the locks.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tsweep/store/reader.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::python {

/// Half-open [begin, end) in ns since the epoch.
struct TimeRange {
  std::int64_t begin = INT64_MIN;
  std::int64_t end = INT64_MAX;
  /// True when every sample of `block` lies in the range, so none needs filtering.
  [[nodiscard]] bool holds(const store::BlockRef& block) const noexcept {
    return block.first_ns >= begin && block.last_ns < end;
  }
  [[nodiscard]] bool contains(std::int64_t t) const noexcept { return t >= begin && t < end; }
};

/// One stream's part of a read: the blocks with a sample in the range, in sample order.
struct StreamSelection {
  store::StreamInfo stream;  ///< a copy: the reader's table changes on refresh()
  std::vector<store::BlockRef> blocks;
  /// Samples the blocks hold (damaged rows count none): what the buffers must hold.
  [[nodiscard]] std::size_t capacity() const noexcept;
};

/// Rank-local; HDF5 from the calling thread only (see store::Reader): the
/// blocks of stream `id` with a sample in `range` (index rows only, no bytes).
StreamSelection find_blocks(const store::Reader& reader, std::int64_t id, const TimeRange& range);

/// Reads the encoded bytes of `blocks` into `out` (store::Reader::read_bytes).
/// Called on the thread that called decode() only, so it may use HDF5.
using FetchBytes = std::function<void(Span<const store::BlockRef> blocks, store::BlockBytes& out)>;

/// Where one stream's samples go. Both hold capacity() samples of the selection.
struct Buffers {
  void* values = nullptr;         ///< raw samples of the stream's type, or doubles when physical
  std::int64_t* times = nullptr;  ///< sample times (ns); null when they are not wanted
};

struct ReadOptions {
  TimeRange range;
  bool physical = true;  ///< values as raw × scale + offset (double), else raw
  int threads = 1;       ///< at most this many threads decode (the caller's among them)
};

/// A block left out of a read, and why.
struct CorruptBlock {
  std::int64_t block = 0;  ///< row in /blocks/index
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  std::string reason;
};

struct StreamRead {
  std::size_t samples = 0;  ///< samples in the range, packed at the front of the buffers
  std::vector<CorruptBlock> corrupt;
};

/// Fetches the bytes of every block of `selections` with `fetch` on the
/// calling thread, a few MiB at a time, while up to options.threads - 1 more
/// threads check and decode the blocks already fetched (the calling thread
/// joins them once everything is fetched). Each block is checked as the run
/// pipeline checks it (its index row, its header against the stream and the
/// row, its checksum); the sound ones are decoded into `buffers` (one per
/// selection), keeping the samples in the range, in sample order. The result
/// does not depend on the thread count. Throws what `fetch` throws, or for
/// what bad bytes cannot cause (out of memory); a block that fails is in `corrupt`.
std::vector<StreamRead> decode(const std::vector<StreamSelection>& selections, const std::vector<Buffers>& buffers,
                               const ReadOptions& options, const FetchBytes& fetch);

}  // namespace tsweep::python
