// The unary decoder of Rice streams, 64 bits at a time: AVX-512 VBMI2's
// vpcompressb turns a word of codes into the positions of its ones (and of
// the bits after them) in one instruction. kernels.cpp pairs it with the AVX2 row kernels. This file
// alone is compiled with AVX-512 and only called after the CPU was seen to
// support it.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <immintrin.h>

#include "kernels/kernels.hpp"

namespace tsweep::codec::detail::avx512 {
namespace {

struct ByteIndex {
  alignas(64) std::uint8_t at[64];  // i
  constexpr ByteIndex() : at() {
    for (unsigned i = 0; i < 64; ++i) {
      at[i] = static_cast<std::uint8_t>(i);
    }
  }
};

/// Stores the 64 byte-sized quotients d (as W) at q, the carried-in zeros
/// added to the first; only the vectors that hold one of the `codes` codes.
template <class W>
inline void store_quotients(__m512i d, std::uint64_t carry, unsigned codes, W* q) noexcept {
  if constexpr (sizeof(W) == 2) {
    __m512i lo = _mm512_cvtepu8_epi16(_mm512_castsi512_si256(d));
    lo = _mm512_mask_add_epi16(lo, 1, lo, _mm512_set1_epi16(static_cast<short>(carry)));
    _mm512_storeu_si512(q, lo);
    if (codes > 32) _mm512_storeu_si512(q + 32, _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(d, 1)));
  } else if constexpr (sizeof(W) == 4) {
    __m512i v = _mm512_cvtepu8_epi32(_mm512_castsi512_si128(d));
    v = _mm512_mask_add_epi32(v, 1, v, _mm512_set1_epi32(static_cast<int>(carry)));
    _mm512_storeu_si512(q, v);
    if (codes > 16) _mm512_storeu_si512(q + 16, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(d, 1)));
    if (codes > 32) _mm512_storeu_si512(q + 32, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(d, 2)));
    if (codes > 48) _mm512_storeu_si512(q + 48, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(d, 3)));
  } else {
    alignas(64) std::uint8_t b[64];
    _mm512_store_si512(b, d);
    for (unsigned j = 0; j < 8 && 8 * j < codes; ++j) {
      __m512i v = _mm512_cvtepu8_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b + 8 * j)));
      if (j == 0) v = _mm512_mask_add_epi64(v, 1, v, _mm512_set1_epi64(static_cast<long long>(carry)));
      _mm512_storeu_si512(q + 8 * j, v);
    }
  }
}

/// As unary() in rows.inl, a 64-bit word at a time.
template <class W>
std::size_t unary_words(UnaryCursor& c, std::size_t want, void* out) {
  static constexpr ByteIndex kIdx{};
  W* q = static_cast<W*>(out);
  const __m512i at = _mm512_load_si512(kIdx.at);
  std::size_t o = 0;
  std::uint64_t carry = c.carry;
  std::size_t i = c.pos;
  const std::uint8_t* const bits = c.bits;  // locals: the stores to q could alias c
  const std::size_t bytes = c.bytes;
  for (; i < bytes && o < want; i += 8) {
    std::uint64_t m = 0;
    if (bytes - i >= 8) {
      std::memcpy(&m, bits + i, 8);
    } else {
      std::memcpy(&m, bits + i, bytes - i);
    }
    // Positions p_j of the ones and s_j where code j starts (0, then p_(j-1) + 1):
    // q_j = p_j - s_j, and the first code continues the carried zeros.
    const __m512i p = _mm512_maskz_compress_epi8(m, at);
    const __m512i start = _mm512_maskz_compress_epi8((m << 1) | 1u, at);
    const auto codes = static_cast<unsigned>(_mm_popcnt_u64(m));
    store_quotients<W>(_mm512_sub_epi8(p, start), carry, codes, q + o);
    o += codes;
    carry = m == 0 ? carry + 64 : _lzcnt_u64(m);
  }
  c.pos = i < bytes ? i : bytes;
  c.carry = carry;
  return o;
}

}  // namespace

std::size_t unary16(UnaryCursor& c, std::size_t want, void* q) {
  return unary_words<std::uint16_t>(c, want, q);
}
std::size_t unary32(UnaryCursor& c, std::size_t want, void* q) {
  return unary_words<std::uint32_t>(c, want, q);
}
std::size_t unary64(UnaryCursor& c, std::size_t want, void* q) {
  return unary_words<std::uint64_t>(c, want, q);
}

}  // namespace tsweep::codec::detail::avx512
