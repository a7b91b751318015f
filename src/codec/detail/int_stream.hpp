#pragma once
// The integer stream: delta of order 0-2 against explicit seeds, minus a
// block reference, zigzag, then groups of 16 bit-packed in 16 interleaved
// lanes with one width per group and a block-wide list of exceptions (the
// high bits of the few values wider than their group). Used for int16/32/64
// values, for irregular times, and for the integers of decimal floats.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "detail/bytes.hpp"
#include "detail/chunk.hpp"
#include "tsweep/codec/encoder.hpp"

namespace tsweep::codec::detail {

template <class W>
struct IntBuffers {
  std::vector<W> residual;  // residuals while choosing a transform
  std::vector<W> zigzag;    // zigzag residuals of the chosen transform
  std::vector<W> lanes;     // packed lane words
};

/// Encoder scratch, kept between blocks so a warm encoder does not allocate.
struct IntScratch {
  IntBuffers<std::uint16_t> b16;
  IntBuffers<std::uint32_t> b32;
  IntBuffers<std::uint64_t> b64;
  std::vector<std::uint8_t> widths;
  std::vector<std::uint8_t> rice_widths;
  std::vector<std::uint8_t> unary;
  std::vector<std::uint8_t> lens;     // bit length of every zigzag residual
  std::vector<std::uint8_t> maxlens;  // per group
  std::vector<std::uint8_t> width_codes;
  std::vector<std::uint8_t> width_escapes;
  std::vector<std::uint32_t> int_exc_pos;
  std::vector<std::uint64_t> int_exc_high;
  std::vector<std::byte> bits;
  // Decimal floats: their integers, and the values that are not decimals.
  std::vector<std::uint32_t> ints32;
  std::vector<std::uint64_t> ints64;
  std::vector<std::uint32_t> exc_pos;
  std::vector<std::byte> exc_raw;

  template <class W>
  IntBuffers<W>& buffers() noexcept {
    if constexpr (sizeof(W) == 2) {
      return b16;
    } else if constexpr (sizeof(W) == 4) {
      return b32;
    } else {
      return b64;
    }
  }
};

/// The most bytes of unary codes a Rice-coded stream of n values of `bits`
/// bits may hold (FORMAT.md): two bits per value bit. Encoders pack instead
/// of going above it, and readers never allocate beyond it.
constexpr std::uint64_t max_unary_bytes(std::uint64_t n, unsigned bits) noexcept {
  return n * bits / 4;
}

/// Appends the integer stream of `x` (W = uint16/32/64 bit patterns) to `out`.
template <class W>
void encode_int_stream(Span<const W> x, ByteWriter& out, IntScratch& scratch, ChunkWriter& chunks,
                       const EncodeOptions& options);

/// Reads an integer stream of `count` values from `in` and writes them, as W,
/// to `out` (count * sizeof(W) bytes).
template <class W>
void decode_int_stream(ByteReader& in, std::size_t count, std::byte* out, ChunkReader& chunks);

}  // namespace tsweep::codec::detail
