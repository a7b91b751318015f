#pragma once
// Chunks: the unit the optional zstd stage applies to. Every stream inside a
// section (bit widths, packed lanes, exception lists, plain values) is one
// chunk: a method byte, its decoded size, and its bytes, stored or zstd.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "detail/bytes.hpp"
#include "tsweep/codec/encoder.hpp"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace tsweep::codec::detail {

enum class ChunkMethod : std::uint8_t { stored = 0, zstd = 1 };

struct ChunkRef {
  ChunkMethod method = ChunkMethod::stored;
  std::uint32_t raw_size = 0;
  Span<const std::byte> stored;
};

/// Reads a chunk header and locates its bytes in `in`. Throws unless the
/// decoded size is `expected_size` (every chunk's size follows from the
/// block's count, so a damaged size never makes a reader allocate more).
ChunkRef read_chunk(ByteReader& in, std::uint64_t expected_size, const char* what);

/// Encode side: writes chunks, applying zstd where the options say it pays.
class ChunkWriter {
 public:
  ChunkWriter();
  ~ChunkWriter();
  ChunkWriter(ChunkWriter&&) noexcept;
  ChunkWriter& operator=(ChunkWriter&&) noexcept;

  /// Writes `raw` as one chunk. In automatic mode zstd is kept only when it
  /// saves zstd_min_saving of `section_bytes` (the bytes of the whole section
  /// the chunk belongs to, when larger than the chunk): a small stream that
  /// shrinks well is not worth a decompression call if the block barely does.
  void write(ByteWriter& out, Span<const std::byte> raw, const EncodeOptions& options, std::size_t section_bytes = 0);

 private:
  void write_stored(ByteWriter& out, Span<const std::byte> raw);
  struct FreeCCtx {
    void operator()(ZSTD_CCtx_s* c) const noexcept;
  };
  std::unique_ptr<ZSTD_CCtx_s, FreeCCtx> m_cctx;
  std::vector<std::byte> m_buf;
};

/// Decode side: turns chunks into bytes, decompressing into buffers it keeps
/// for the next block. Stored chunks are used in place.
class ChunkReader {
 public:
  ChunkReader();
  ~ChunkReader();
  ChunkReader(ChunkReader&&) noexcept;
  ChunkReader& operator=(ChunkReader&&) noexcept;

  /// Call before each block: buffers handed out for the previous block are
  /// reused. `version` is the block's format version (streams whose fields
  /// depend on it ask version()).
  void begin_block(std::uint8_t version) noexcept {
    m_next = 0;
    m_version = version;
  }
  [[nodiscard]] std::uint8_t version() const noexcept { return m_version; }
  Span<const std::byte> materialize(const ChunkRef& chunk, const char* section, const char* what);
  /// Buffer `slot` (0 or 1) of at least `bytes` bytes, 64-byte aligned,
  /// valid until that slot is asked for again.
  std::byte* scratch(unsigned slot, std::size_t bytes);

 private:
  struct FreeDCtx {
    void operator()(ZSTD_DCtx_s* c) const noexcept;
  };
  std::unique_ptr<ZSTD_DCtx_s, FreeDCtx> m_dctx;
  std::vector<std::vector<std::byte>> m_pool;
  std::size_t m_next = 0;
  std::uint8_t m_version = 0;
  std::vector<std::uint64_t> m_scratch[2];
};

}  // namespace tsweep::codec::detail
