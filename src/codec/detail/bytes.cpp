#include "detail/bytes.hpp"

#include "tsweep/core/error.hpp"

namespace tsweep::codec::detail {

void fail(const std::string& what) {
  throw CodecError(what);
}

std::uint32_t ByteReader::varint(const char* what) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < 5; ++i) {
    const std::uint8_t b = u8(what);
    v |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      if (v > 0xFFFFFFFFu) error(std::string(what) + " does not fit in 32 bits");
      return static_cast<std::uint32_t>(v);
    }
  }
  error(std::string(what) + " is a varint longer than 5 bytes");
}

void ByteReader::expect_end() const {
  if (m_pos != m_size) {
    error(std::to_string(m_size - m_pos) + " unexpected bytes after the last stream");
  }
}

void ByteReader::error(const std::string& what) const {
  fail(std::string(m_section) + ": " + what);
}

void ByteReader::truncated(const char* what) const {
  error(std::string("truncated reading ") + what + " at byte " + std::to_string(m_pos) + " of " +
        std::to_string(m_size));
}

}  // namespace tsweep::codec::detail
