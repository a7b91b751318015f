#pragma once
// Value sections other than the integer stream: plain, byte-shuffled and
// decimal floats (FORMAT.md, "Value section").

#include <cstddef>
#include <cstdint>
#include <vector>

#include "detail/bytes.hpp"
#include "detail/chunk.hpp"
#include "detail/int_stream.hpp"

namespace tsweep::codec::detail {

/// Raw little-endian values in one chunk.
void encode_plain(const std::byte* values, std::size_t bytes, ByteWriter& out, ChunkWriter& chunks,
                  const EncodeOptions& options);
void decode_plain(ByteReader& in, std::size_t bytes, std::byte* out, ChunkReader& chunks);

/// Byte planes of `n` values of `size` bytes, optionally XORed with the
/// previous value first, in one chunk (worth it only with zstd).
void encode_shuffle(const std::byte* values, std::size_t n, std::size_t size, bool xor_previous, ByteWriter& out,
                    std::vector<std::byte>& scratch, ChunkWriter& chunks, const EncodeOptions& options);
void decode_shuffle(ByteReader& in, std::size_t n, std::size_t size, std::byte* out, ChunkReader& chunks);

/// Exponents of a decimal encoding: value = (n * 10^f) / 10^e.
struct DecimalParams {
  unsigned e = 0;
  unsigned f = 0;
  double exception_fraction = 1.0;  ///< in the sample that chose e and f
};

/// Picks e and f on a sample of `v` (F = float or double).
template <class F>
DecimalParams choose_decimal(const F* v, std::size_t n) noexcept;

/// Writes the decimal value section; returns the number of exceptions.
template <class F>
std::uint32_t encode_decimal(const F* v, std::size_t n, DecimalParams p, ByteWriter& out, IntScratch& scratch,
                             ChunkWriter& chunks, const EncodeOptions& options);
template <class F>
void decode_decimal(ByteReader& in, std::size_t n, std::byte* out, ChunkReader& chunks);

}  // namespace tsweep::codec::detail
