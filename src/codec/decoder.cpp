#include "tsweep/codec/decoder.hpp"

#include <string>
#include <type_traits>

#include "detail/bytes.hpp"
#include "detail/chunk.hpp"
#include "detail/header.hpp"
#include "detail/int_stream.hpp"
#include "detail/value_streams.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/assert.hpp"

namespace tsweep::codec {

using detail::ByteReader;
using detail::fail;

struct Decoder::Impl {
  detail::ChunkReader chunks;
  bool verify_checksum = true;

  /// Header, length and checksum checks shared by every entry point.
  BlockInfo open(Span<const std::byte> block) {
    const BlockInfo info = peek(block);
    if (block.size() < info.encoded_size) {
      fail("truncated block: " + std::to_string(block.size()) + " bytes of " + std::to_string(info.encoded_size));
    }
    if (verify_checksum) {
      const std::uint64_t computed = detail::block_checksum(block.data(), info.encoded_size - kHeaderSize);
      if (computed != info.checksum) throw ChecksumError(info.checksum, computed);
    }
    chunks.begin_block(info.version);
    return info;
  }

  void times(Span<const std::byte> block, const BlockInfo& info, Span<std::int64_t> out) {
    TSWEEP_ASSERT(out.size() >= info.count);
    if (info.regular()) {
      fill_sample_times(info.regular_times(), 0, out.first(info.count));
      return;
    }
    if (info.count == 0) return;
    ByteReader in(block.subspan(info.header_size(), info.time_bytes), "time section");
    detail::decode_int_stream<std::uint64_t>(in, info.count, reinterpret_cast<std::byte*>(out.data()), chunks);
    in.expect_end();
    if (out[0] != info.first_ns || out[info.count - 1] != info.last_ns) {
      fail("time section: decoded first/last times " + std::to_string(out[0]) + "/" +
           std::to_string(out[info.count - 1]) + " disagree with the header's " + std::to_string(info.first_ns) + "/" +
           std::to_string(info.last_ns));
    }
  }

  void values(Span<const std::byte> block, const BlockInfo& info, std::byte* out) {
    ByteReader in(block.subspan(info.header_size() + info.time_bytes, info.value_bytes), "value section");
    const std::size_t n = info.count;
    const std::size_t size = sample_size(info.type);
    switch (info.value_encoding) {
      case ValueEncoding::plain:
        detail::decode_plain(in, n * size, out, chunks);
        break;
      case ValueEncoding::integer:
        if (size == 2) {
          detail::decode_int_stream<std::uint16_t>(in, n, out, chunks);
        } else if (size == 4) {
          detail::decode_int_stream<std::uint32_t>(in, n, out, chunks);
        } else {
          detail::decode_int_stream<std::uint64_t>(in, n, out, chunks);
        }
        break;
      case ValueEncoding::decimal:
        if (info.type == SampleType::float32) {
          detail::decode_decimal<float>(in, n, out, chunks);
        } else {
          detail::decode_decimal<double>(in, n, out, chunks);
        }
        break;
      case ValueEncoding::shuffle:
        detail::decode_shuffle(in, n, size, out, chunks);
        break;
    }
    in.expect_end();
  }
};

Decoder::Decoder() : m_impl(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

void Decoder::set_verify_checksum(bool on) noexcept {
  m_impl->verify_checksum = on;
}
bool Decoder::verify_checksum() const noexcept {
  return m_impl->verify_checksum;
}

template <class T>
BlockInfo Decoder::decode(Span<const std::byte> block, Span<T> values, Span<std::int64_t> times) {
  static_assert(is_sample_value_v<T>, "samples are int16_t, int32_t, int64_t, float or double");
  const BlockInfo info = m_impl->open(block);
  if (info.type != sample_type_of<T>()) {
    fail(std::string("block holds ") + sample_type_name(info.type) + " samples, not " +
         sample_type_name(sample_type_of<T>()));
  }
  TSWEEP_ASSERT(values.size() >= info.count);
  if (!times.empty()) m_impl->times(block, info, times);
  m_impl->values(block, info, reinterpret_cast<std::byte*>(values.data()));
  return info;
}

BlockInfo Decoder::decode(Span<const std::byte> block, Span<std::byte> values, Span<std::int64_t> times) {
  const BlockInfo info = m_impl->open(block);
  TSWEEP_ASSERT(values.size() >= std::size_t{info.count} * sample_size(info.type));
  if (!times.empty()) m_impl->times(block, info, times);
  m_impl->values(block, info, values.data());
  return info;
}

BlockInfo Decoder::decode_times(Span<const std::byte> block, Span<std::int64_t> times) {
  const BlockInfo info = m_impl->open(block);
  m_impl->times(block, info, times);
  return info;
}

template BlockInfo Decoder::decode<std::int16_t>(Span<const std::byte>, Span<std::int16_t>, Span<std::int64_t>);
template BlockInfo Decoder::decode<std::int32_t>(Span<const std::byte>, Span<std::int32_t>, Span<std::int64_t>);
template BlockInfo Decoder::decode<std::int64_t>(Span<const std::byte>, Span<std::int64_t>, Span<std::int64_t>);
template BlockInfo Decoder::decode<float>(Span<const std::byte>, Span<float>, Span<std::int64_t>);
template BlockInfo Decoder::decode<double>(Span<const std::byte>, Span<double>, Span<std::int64_t>);

}  // namespace tsweep::codec
