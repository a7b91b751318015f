// The unary decoder of Rice streams, 64 bits at a time: AVX-512 VBMI2's
// vpcompressb turns a word of codes into the positions of its ones in one
// instruction. kernels.cpp pairs it with the AVX2 row kernels. This file
// alone is compiled with AVX-512 and only called after the CPU was seen to
// support it.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <immintrin.h>

namespace tsweep::codec::detail::avx512 {
namespace {

struct ByteIndex {
  alignas(64) std::uint8_t at[64];      // i
  alignas(64) std::uint8_t before[64];  // i - 1 (lane 0 is masked off)
  constexpr ByteIndex() : at(), before() {
    for (unsigned i = 0; i < 64; ++i) {
      at[i] = static_cast<std::uint8_t>(i);
      before[i] = static_cast<std::uint8_t>(i == 0 ? 0 : i - 1);
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

/// As unary() in rows.inl, a 64-bit word at a time (Kernels::unary16).
template <class W>
std::size_t unary_words(const std::uint8_t* bits, std::size_t bytes, std::size_t n, void* out) {
  static constexpr ByteIndex kIdx{};
  W* q = static_cast<W*>(out);
  const __m512i at = _mm512_load_si512(kIdx.at);
  const __m512i one = _mm512_set1_epi8(1);
  const __m512i before = _mm512_load_si512(kIdx.before);
  std::size_t o = 0;
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < bytes && o <= n; i += 8) {
    std::uint64_t m = 0;
    if (bytes - i >= 8) {
      std::memcpy(&m, bits + i, 8);
    } else {
      std::memcpy(&m, bits + i, bytes - i);
    }
    // Positions p_j of the ones and the bits after them; q_j = p_j - (p_(j-1) + 1).
    const __m512i p = _mm512_maskz_compress_epi8(m, at);
    const __m512i prev = _mm512_maskz_permutexvar_epi8(~std::uint64_t{1}, before, _mm512_add_epi8(p, one));
    const auto codes = static_cast<unsigned>(_mm_popcnt_u64(m));
    store_quotients<W>(_mm512_sub_epi8(p, prev), carry, codes, q + o);
    o += codes;
    carry = m == 0 ? carry + 64 : _lzcnt_u64(m);
  }
  return o;
}

}  // namespace

std::size_t unary16(const std::uint8_t* bits, std::size_t bytes, std::size_t n, void* q) {
  return unary_words<std::uint16_t>(bits, bytes, n, q);
}
std::size_t unary32(const std::uint8_t* bits, std::size_t bytes, std::size_t n, void* q) {
  return unary_words<std::uint32_t>(bits, bytes, n, q);
}
std::size_t unary64(const std::uint8_t* bits, std::size_t bytes, std::size_t n, void* q) {
  return unary_words<std::uint64_t>(bits, bytes, n, q);
}

}  // namespace tsweep::codec::detail::avx512
