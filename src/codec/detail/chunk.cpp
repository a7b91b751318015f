#include "detail/chunk.hpp"

#include <zstd.h>

#include <algorithm>
#include <string>

namespace tsweep::codec::detail {

namespace {
unsigned varint_size(std::uint64_t v) noexcept {
  unsigned n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
}  // namespace

ChunkRef read_chunk(ByteReader& in, std::uint64_t expected_size, const char* what) {
  ChunkRef c;
  const std::uint8_t method = in.u8(what);
  if (method > 1) {
    in.error(std::string(what) + ": unknown chunk method " + std::to_string(method));
  }
  c.method = static_cast<ChunkMethod>(method);
  c.raw_size = in.varint(what);
  if (c.raw_size != expected_size) {
    in.error(std::string(what) + " holds " + std::to_string(c.raw_size) + " bytes, expected " +
             std::to_string(expected_size));
  }
  const std::uint32_t stored = c.method == ChunkMethod::zstd ? in.varint(what) : c.raw_size;
  c.stored = in.bytes(stored, what);
  return c;
}

void ChunkWriter::FreeCCtx::operator()(ZSTD_CCtx_s* c) const noexcept {
  ZSTD_freeCCtx(c);
}
ChunkWriter::ChunkWriter() = default;
ChunkWriter::~ChunkWriter() = default;
ChunkWriter::ChunkWriter(ChunkWriter&&) noexcept = default;
ChunkWriter& ChunkWriter::operator=(ChunkWriter&&) noexcept = default;

void ChunkWriter::write(ByteWriter& out, Span<const std::byte> raw, const EncodeOptions& options,
                        std::size_t section_bytes) {
  const auto raw_size = static_cast<std::uint32_t>(raw.size());
  const bool try_zstd =
      options.zstd == ZstdStage::always ? raw.size() > 16 : options.zstd == ZstdStage::automatic && raw.size() >= 64;
  if (try_zstd) {
    if (!m_cctx) {
      m_cctx.reset(ZSTD_createCCtx());
      if (!m_cctx) fail("cannot create a zstd compression context");
    }
    const double judged = static_cast<double>(std::max(raw.size(), section_bytes));
    // A large chunk is first probed on its head: bit-packed data that zstd
    // cannot shrink enough is the common case, and compressing it whole just
    // to throw the result away would halve the encoder's speed.
    constexpr std::size_t kProbe = 16384;
    if (options.zstd == ZstdStage::automatic && raw.size() > 2 * kProbe) {
      m_buf.resize(ZSTD_compressBound(kProbe));
      const std::size_t p =
          ZSTD_compressCCtx(m_cctx.get(), m_buf.data(), m_buf.size(), raw.data(), kProbe, options.zstd_level);
      const double needed = 0.75 * options.zstd_min_saving * judged / static_cast<double>(raw.size());
      if (!ZSTD_isError(p) && static_cast<double>(p) > static_cast<double>(kProbe) * (1.0 - needed)) {
        write_stored(out, raw);
        return;
      }
    }
    m_buf.resize(ZSTD_compressBound(raw.size()));
    const std::size_t n =
        ZSTD_compressCCtx(m_cctx.get(), m_buf.data(), m_buf.size(), raw.data(), raw.size(), options.zstd_level);
    if (ZSTD_isError(n)) fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    const double cost = static_cast<double>(n + varint_size(n));
    const double limit = options.zstd == ZstdStage::always
                             ? static_cast<double>(raw.size())
                             : static_cast<double>(raw.size()) - judged * options.zstd_min_saving;
    if (cost < limit) {
      out.u8(static_cast<std::uint8_t>(ChunkMethod::zstd));
      out.varint(raw_size);
      out.varint(static_cast<std::uint32_t>(n));
      out.bytes(m_buf.data(), n);
      return;
    }
  }
  write_stored(out, raw);
}

void ChunkWriter::write_stored(ByteWriter& out, Span<const std::byte> raw) {
  out.u8(static_cast<std::uint8_t>(ChunkMethod::stored));
  out.varint(static_cast<std::uint32_t>(raw.size()));
  out.bytes(raw.data(), raw.size());
}

void ChunkReader::FreeDCtx::operator()(ZSTD_DCtx_s* c) const noexcept {
  ZSTD_freeDCtx(c);
}
ChunkReader::ChunkReader() = default;
ChunkReader::~ChunkReader() = default;
ChunkReader::ChunkReader(ChunkReader&&) noexcept = default;
ChunkReader& ChunkReader::operator=(ChunkReader&&) noexcept = default;

Span<const std::byte> ChunkReader::materialize(const ChunkRef& chunk, const char* section, const char* what) {
  if (chunk.method == ChunkMethod::stored) return chunk.stored;
  const std::string where = std::string(section) + ": " + what;
  const unsigned long long declared = ZSTD_getFrameContentSize(chunk.stored.data(), chunk.stored.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) fail(where + ": not a zstd frame");
  if (declared != chunk.raw_size) {
    fail(where + ": zstd frame declares " +
         (declared == ZSTD_CONTENTSIZE_UNKNOWN ? std::string("no size") : std::to_string(declared) + " bytes") +
         ", expected " + std::to_string(chunk.raw_size));
  }
  if (!m_dctx) {
    m_dctx.reset(ZSTD_createDCtx());
    if (!m_dctx) fail("cannot create a zstd decompression context");
  }
  if (m_next == m_pool.size()) m_pool.emplace_back();
  std::vector<std::byte>& buf = m_pool[m_next++];
  // Slack after the data: kernels may read a byte past the end (RowStream).
  constexpr std::size_t kSlack = 16;
  if (buf.size() < chunk.raw_size + kSlack) buf.resize(chunk.raw_size + kSlack);
  const std::size_t n =
      ZSTD_decompressDCtx(m_dctx.get(), buf.data(), chunk.raw_size, chunk.stored.data(), chunk.stored.size());
  if (ZSTD_isError(n)) fail(where + ": zstd: " + ZSTD_getErrorName(n));
  if (n != chunk.raw_size) {
    fail(where + ": zstd stream decodes to " + std::to_string(n) + " bytes, expected " +
         std::to_string(chunk.raw_size));
  }
  return {buf.data(), n};
}

std::byte* ChunkReader::scratch(unsigned slot, std::size_t bytes) {
  std::vector<std::uint64_t>& buf = m_scratch[slot];
  const std::size_t words = (bytes + 63) / 8 + 8;
  if (buf.size() < words) buf.resize(words);
  auto addr = reinterpret_cast<std::uintptr_t>(buf.data());
  return reinterpret_cast<std::byte*>(buf.data()) + ((64 - addr % 64) % 64);
}

}  // namespace tsweep::codec::detail
