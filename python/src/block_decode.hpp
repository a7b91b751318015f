#pragma once
/// \file
/// Checking and decoding one block of a read into its place in the caller's
/// buffers (read.cpp hands the blocks out to threads). No HDF5, no Python.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "read.hpp"
#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/span.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::python {

/// Per thread, reused across blocks: a warm decoder allocates nothing.
struct Scratch {
  codec::Decoder decoder;
  std::vector<std::byte> raw;
  std::vector<std::int64_t> times;
};

/// Checks block `ref` of `stream`, whose encoded bytes are `bytes`, as the run
/// pipeline does (its index row, its header against the stream and the row,
/// its checksum), and decodes it into `out` from sample `slot` on, keeping the
/// samples in options.range, in order, at the front of the slot. Returns how
/// many it kept. Throws CodecError when the block is corrupt; writes nothing
/// outside the slot's ref.count samples, whatever the bytes.
std::size_t decode_block(const store::StreamInfo& stream, const store::BlockRef& ref, Span<const std::byte> bytes,
                         const Buffers& out, std::size_t slot, const ReadOptions& options, Scratch& scratch);

}  // namespace tsweep::python
