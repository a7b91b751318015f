#pragma once
// Bounds-checked little-endian reading and appending of block bytes. Every
// read names what it reads, so a damaged block is reported as "value section:
// truncated reading exception count" rather than as a crash.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "tsweep/core/span.hpp"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tsweep's codec reads and writes little-endian blocks in place; port the loads for big-endian hosts"
#endif

namespace tsweep::codec::detail {

/// Throws CodecError(what). Out of line so hot loops stay small.
[[noreturn]] void fail(const std::string& what);

template <class T>
inline T load_le(const std::byte* p) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
inline void store_le(std::byte* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

/// Number of significant bits of v (0 for 0).
inline unsigned bit_length(std::uint64_t v) noexcept {
  return v == 0 ? 0u : 64u - static_cast<unsigned>(__builtin_clzll(v));
}

/// Sequential reader over one section of a block.
class ByteReader {
 public:
  ByteReader(Span<const std::byte> bytes, const char* section) noexcept
      : m_data(bytes.data()), m_size(bytes.size()), m_section(section) {}

  [[nodiscard]] std::size_t remaining() const noexcept { return m_size - m_pos; }
  [[nodiscard]] const char* section() const noexcept { return m_section; }

  std::uint8_t u8(const char* what) {
    need(1, what);
    return static_cast<std::uint8_t>(m_data[m_pos++]);
  }

  template <class T>
  T fixed(const char* what) {
    need(sizeof(T), what);
    T v = load_le<T>(m_data + m_pos);
    m_pos += sizeof(T);
    return v;
  }

  /// LEB128, at most 5 bytes, value below 2^32.
  std::uint32_t varint(const char* what);

  Span<const std::byte> bytes(std::size_t n, const char* what) {
    need(n, what);
    Span<const std::byte> s(m_data + m_pos, n);
    m_pos += n;
    return s;
  }

  /// Throws unless every byte of the section was consumed.
  void expect_end() const;

  /// Throws "<section>: <what>".
  [[noreturn]] void error(const std::string& what) const;

 private:
  void need(std::size_t n, const char* what) const {
    if (n > m_size - m_pos) truncated(what);
  }
  [[noreturn]] void truncated(const char* what) const;

  const std::byte* m_data;
  std::size_t m_size;
  std::size_t m_pos = 0;
  const char* m_section;
};

/// Appends to a caller's byte vector.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::byte>& out) noexcept : m_out(out) {}

  [[nodiscard]] std::size_t size() const noexcept { return m_out.size(); }
  std::vector<std::byte>& buffer() noexcept { return m_out; }

  void u8(std::uint8_t v) { m_out.push_back(static_cast<std::byte>(v)); }

  template <class T>
  void fixed(T v) {
    const std::size_t at = m_out.size();
    m_out.resize(at + sizeof(T));
    store_le(m_out.data() + at, v);
  }

  void varint(std::uint32_t v) {
    while (v >= 0x80) {
      u8(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    u8(static_cast<std::uint8_t>(v));
  }

  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    m_out.insert(m_out.end(), b, b + n);
  }

 private:
  std::vector<std::byte>& m_out;
};

/// LSB-first bit packing of a sequence of values of one width (exceptions).
class BitWriter {
 public:
  explicit BitWriter(std::vector<std::byte>& out) noexcept : m_out(out) {}
  void put(std::uint64_t v, unsigned width) {
    if (width > 32) {
      put32(static_cast<std::uint32_t>(v), 32);
      put32(static_cast<std::uint32_t>(v >> 32), width - 32);
    } else {
      put32(static_cast<std::uint32_t>(v), width);
    }
  }
  void flush() {
    while (m_bits > 0) {
      m_out.push_back(static_cast<std::byte>(m_acc & 0xFF));
      m_acc >>= 8;
      m_bits = m_bits > 8 ? m_bits - 8 : 0;
    }
  }

 private:
  void put32(std::uint32_t v, unsigned width) {
    if (width == 0) return;
    const std::uint64_t masked = width == 32 ? v : (v & ((1u << width) - 1));
    m_acc |= masked << m_bits;
    m_bits += width;
    while (m_bits >= 8) {
      m_out.push_back(static_cast<std::byte>(m_acc & 0xFF));
      m_acc >>= 8;
      m_bits -= 8;
    }
  }
  std::vector<std::byte>& m_out;
  std::uint64_t m_acc = 0;
  unsigned m_bits = 0;
};

/// Reads value `index` of width `width` (<= 64) from LSB-first packed bits.
/// The caller has checked that the bits lie inside `size` bytes.
inline std::uint64_t read_packed(const std::byte* data, std::size_t size, std::uint64_t bit, unsigned width) noexcept {
  if (width == 0) return 0;
  std::size_t byte = static_cast<std::size_t>(bit >> 3);
  const unsigned shift = static_cast<unsigned>(bit & 7);
  const unsigned nbytes = (shift + width + 7) / 8;  // at most 9
  std::uint64_t lo = 0;
  unsigned k = 0;
  for (; k < nbytes && k < 8 && byte + k < size; ++k) {
    lo |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data[byte + k])) << (8 * k);
  }
  std::uint64_t v = lo >> shift;
  if (nbytes == 9 && byte + 8 < size) {
    v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data[byte + 8])) << (64 - shift);
  }
  return width == 64 ? v : (v & ((std::uint64_t{1} << width) - 1));
}

/// Bytes that `n` values of `width` bits occupy when packed.
inline std::uint64_t packed_bytes(std::uint64_t n, unsigned width) noexcept {
  return (n * width + 7) / 8;
}

}  // namespace tsweep::codec::detail
