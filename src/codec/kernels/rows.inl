// The per-sample decode loops of the integer stream (see FORMAT.md, "Integer
// stream"). Included by kernels_*.cpp inside a namespace of their own, with
// TSWEEP_KERNEL_VECTOR_BYTES set to the vector width to use (0 = scalar).
// No include guard: each instruction set gets its own copy.
//
// Layout recap: values are grouped by 16; group g has one bit width w_g. Lane
// l holds values l, 16+l, 32+l, ... as one continuous little-endian bit
// stream of words the size of the sample; word k of lane l is at index
// 16*k + l. All 16 lanes of a group share one bit offset, so unpacking a group
// is a handful of vector shifts with one scalar shift count. After patching
// exceptions, zigzag decoding and adding the reference, order 1 and 2 undo
// the deltas with an in-register prefix sum (log2(lanes) shift-and-add steps).

template <class W>
using WideOf = std::conditional_t<(sizeof(W) < sizeof(unsigned)), unsigned, W>;

template <class W>
constexpr W mask_of(unsigned w) noexcept {
  constexpr unsigned kBits = 8 * sizeof(W);
  return w >= kBits ? static_cast<W>(~W{0}) : static_cast<W>((WideOf<W>{1} << w) - 1);
}

/// Value of `width` bits at bit offset `bit` of LSB-first packed data (the
/// parser checked the bits lie inside `size` bytes).
inline std::uint64_t packed_at(const std::byte* data, std::size_t size, std::uint64_t bit, unsigned width) noexcept {
  if (width == 0) return 0;
  const std::size_t byte = static_cast<std::size_t>(bit >> 3);
  const unsigned shift = static_cast<unsigned>(bit & 7);
  std::uint64_t lo = 0;
  if (byte + 8 <= size) {
    std::memcpy(&lo, data + byte, 8);
  } else {
    for (std::size_t k = 0; byte + k < size && k < 8; ++k) {
      lo |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data[byte + k])) << (8 * k);
    }
  }
  std::uint64_t v = lo >> shift;
  if (shift + width > 64 && byte + 8 < size) {
    v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data[byte + 8])) << (64 - shift);
  }
  return width == 64 ? v : (v & ((std::uint64_t{1} << width) - 1));
}

/// Walks the exception list in position order.
class ExcCursor {
 public:
  explicit ExcCursor(const RowStream& s) : m_s(s), m_left(s.exceptions) { advance(); }

  [[nodiscard]] std::uint64_t next() const noexcept { return m_next; }

  /// ORs the pending exceptions of the group starting at `start` into `row`.
  template <class W>
  void patch(W* row, std::uint64_t start, unsigned w) {
    while (m_next < start + kGroup) {
      W& v = row[m_next - start];
      v = static_cast<W>(v | high_bits<W>(w));
      advance();
    }
  }

  /// The pending exception's high bits, shifted above a group width of w.
  template <class W>
  W high_bits(unsigned w) const {
    constexpr unsigned kBits = 8 * sizeof(W);
    const unsigned room = kBits - (w < kBits ? w : kBits);
    if (m_high == 0 || room == 0 || (room < 64 && (m_high >> room) != 0)) {
      fail_exception("exception does not fit its group's bit width", m_next);
    }
    return static_cast<W>(m_high << w);
  }

  void skip() { advance(); }

 private:
  void advance() {
    if (m_left == 0) {
      m_next = ~std::uint64_t{0};
      return;
    }
    --m_left;
    const std::uint64_t gap = packed_at(m_s.exc_pos, m_s.exc_pos_bytes, m_pos_bit, m_s.pos_width);
    m_pos_bit += m_s.pos_width;
    m_high = packed_at(m_s.exc_high, m_s.exc_high_bytes, m_high_bit, m_s.high_width);
    m_high_bit += m_s.high_width;
    m_next = m_started ? m_next + 1 + gap : gap;
    m_started = true;
    if (m_next >= m_s.count) fail_exception("exception position beyond the last sample", m_next);
  }

  const RowStream& m_s;
  std::uint32_t m_left;
  std::uint64_t m_pos_bit = 0;
  std::uint64_t m_high_bit = 0;
  std::uint64_t m_next = 0;
  std::uint64_t m_high = 0;
  bool m_started = false;
};

/// Width of group g; `esc` counts the escapes used so far. Branch-free: the
/// escape byte is read even when unused (the stream guarantees one byte).
inline unsigned group_width(const RowStream& s, std::size_t g, std::size_t& esc) noexcept {
  const unsigned code = (s.width_codes[g >> 2] >> ((g & 3) * 2)) & 3u;
  const unsigned escaped = s.width_escapes[esc];
  esc += code == 3;
  return code == 3 ? escaped : s.width_base + code;
}

template <class W>
inline W load_word(const std::byte* p) noexcept {
  W v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// The accumulators that undo the deltas, from the seeds s1 = x[-1], s2 =
/// x[-2], ...: c[0] = x[-1] and c[j] its j-th difference (c[1] = s1 - s2,
/// c[2] = s1 - 2 s2 + s3, c[3] = s1 - 3 s2 + 3 s3 - s4), modulo 2^B.
template <class W>
inline void initial_differences(const RowStream& s, W* c) noexcept {
  c[0] = static_cast<W>(s.seed1);
  c[1] = static_cast<W>(s.seed1 - s.seed2);
  c[2] = static_cast<W>(s.seed1 - 2 * s.seed2 + s.seed3);
  c[3] = static_cast<W>(s.seed1 - 3 * s.seed2 + 3 * s.seed3 - s.seed4);
}

/// Portable reference: one value at a time.
template <class W, unsigned Order>
void rows_scalar(const RowStream& s, std::byte* out) {
  using Wide = WideOf<W>;
  constexpr unsigned kBits = 8 * sizeof(W);
  ExcCursor exc(s);
  const W ref = static_cast<W>(s.ref);
  W acc[4];
  initial_differences(s, acc);
  std::uint64_t bit = 0;
  std::size_t esc = 0;
  W row[kGroup];
  std::uint64_t qbit = 0;  // Rice: next bit of the quotient codes
  for (std::size_t g = 0; g < s.groups; ++g) {
    const unsigned w = s.widths != nullptr ? s.widths[g] : group_width(s, g, esc);
    const std::uint64_t k = bit / kBits;
    const unsigned sh = static_cast<unsigned>(bit % kBits);
    bit += w;
    const W mask = mask_of<W>(w);
    for (std::size_t l = 0; l < kGroup; ++l) {
      const Wide c = k < s.lane_words ? load_word<W>(s.lanes + (k * kGroup + l) * sizeof(W)) : W{0};
      const Wide n = k + 1 < s.lane_words ? load_word<W>(s.lanes + ((k + 1) * kGroup + l) * sizeof(W)) : W{0};
      const W hi = static_cast<W>(static_cast<Wide>(static_cast<W>(n << 1)) << (kBits - 1 - sh));
      row[l] = static_cast<W>((static_cast<W>(c >> sh) | hi) & mask);
    }
    if (exc.next() < (g + 1) * kGroup) exc.patch(row, g * kGroup, w);
    if (s.widths != nullptr) {
      // One bit at a time: the reference the table and word decoders are tested against.
      const std::size_t real = s.count - g * kGroup < kGroup ? s.count - g * kGroup : kGroup;
      for (std::size_t l = 0; l < real; ++l) {
        W q = 0;
        const std::uint64_t end = 8 * std::uint64_t{s.quotients.bytes};
        while (qbit < end && ((s.quotients.bits[qbit >> 3] >> (qbit & 7)) & 1u) == 0) {
          q = static_cast<W>(q + 1);
          ++qbit;
        }
        if (qbit == end) fail_exception("fewer quotient codes than values", g * kGroup + l);
        ++qbit;
        row[l] = static_cast<W>(row[l] + static_cast<W>(Wide{q} << w));
      }
    }
    const std::size_t n_out = s.count - g * kGroup < kGroup ? s.count - g * kGroup : kGroup;
    for (std::size_t l = 0; l < n_out; ++l) {
      const Wide u = row[l];
      const W r = static_cast<W>(((u >> 1) ^ (Wide{0} - (u & 1))) + ref);
      W v = r;
      if constexpr (Order >= 1) {
        // The deepest difference takes the residual, each one above it the one below.
        acc[Order - 1] = static_cast<W>(acc[Order - 1] + r);
        for (unsigned j = Order - 1; j-- > 0;) acc[j] = static_cast<W>(acc[j] + acc[j + 1]);
        v = acc[0];
      }
      std::memcpy(out + (g * kGroup + l) * sizeof(W), &v, sizeof v);
    }
  }
  if (s.widths != nullptr) {
    for (; qbit < 8 * std::uint64_t{s.quotients.bytes}; ++qbit) {
      if ((s.quotients.bits[qbit >> 3] >> (qbit & 7)) & 1u) fail_exception("more quotient codes than values", s.count);
    }
  }
}

#if TSWEEP_KERNEL_VECTOR_BYTES > 0

template <class W, std::size_t VB>
struct VecOf {
  typedef W type __attribute__((vector_size(VB)));
};

template <class V, class W>
inline V splat(W x) noexcept {
  V v = {};
  return v + x;
}

// Lane shuffles written as index lists; the compiler turns them into byte
// shifts and permutes. Lanes are grouped in 128-bit halves (one half for
// 16-byte vectors) because shifting within a half is one instruction.
template <std::size_t L, std::size_t H, std::size_t K>
constexpr std::size_t shift_index(std::size_t i) noexcept {
  return (i % H) < K ? 0 : L + i - K;  // index 0 reads the zero vector
}

template <class V, std::size_t L, std::size_t H, std::size_t K, std::size_t... I>
inline V shift_within_halves(V v, std::index_sequence<I...>) noexcept {
  // Compilers turn the generic shuffle into two instructions; the byte shift is one.
#if defined(__AVX2__)
  if constexpr (sizeof(V) == 32) return (V)_mm256_slli_si256((__m256i)v, K * (16 / H));
#endif
#if defined(__SSE2__)
  if constexpr (sizeof(V) == 16) return (V)_mm_slli_si128((__m128i)v, K * (16 / H));
#endif
  const V z = {};
  return __builtin_shufflevector(z, v, shift_index<L, H, K>(I)...);
}

template <class V, std::size_t L, std::size_t H, std::size_t... I>
inline V low_half_total_to_high_half(V v, std::index_sequence<I...>) noexcept {
  const V z = {};
  return __builtin_shufflevector(z, v, (I < H ? 0 : L + H - 1)...);
}

template <class V, std::size_t... I>
inline V broadcast_last(V v, std::index_sequence<I...>) noexcept {
  return __builtin_shufflevector(v, v, (I * 0 + sizeof...(I) - 1)...);
}

/// Inclusive prefix sum across the L lanes of v.
template <class V, std::size_t L, std::size_t H>
inline V prefix_sum(V v) noexcept {
  using Seq = std::make_index_sequence<L>;
  if constexpr (H > 1) v += shift_within_halves<V, L, H, 1>(v, Seq{});
  if constexpr (H > 2) v += shift_within_halves<V, L, H, 2>(v, Seq{});
  if constexpr (H > 4) v += shift_within_halves<V, L, H, 4>(v, Seq{});
  if constexpr (H > 8) v += shift_within_halves<V, L, H, 8>(v, Seq{});
  if constexpr (L > H) {
    static_assert(L == 2 * H, "at most two 128-bit halves");
    v += low_half_total_to_high_half<V, L, H>(v, Seq{});
  }
  return v;
}

template <class W>
struct MaskTable {
  W m[8 * sizeof(W) + 1];
  constexpr MaskTable() : m() {
    for (unsigned w = 0; w <= 8 * sizeof(W); ++w) m[w] = mask_of<W>(w);
  }
};

template <class W>
struct VectorTraits {
  static constexpr std::size_t kVB = TSWEEP_KERNEL_VECTOR_BYTES;
  using V = typename VecOf<W, kVB>::type;
  static constexpr std::size_t kLanes = kVB / sizeof(W);
  static constexpr std::size_t kHalf = 16 / sizeof(W) < kLanes ? 16 / sizeof(W) : kLanes;
  static_assert(kLanes >= 1 && kLanes <= kGroup && kGroup % kLanes == 0);
  static constexpr std::size_t kVecs = kGroup / kLanes;
  static constexpr unsigned kBits = 8 * sizeof(W);
  static constexpr std::size_t kRowBytes = kGroup * sizeof(W);
};

/// n << (bits - sh) for sh in [0, bits), where a shift by the full width
/// gives 0: one x86 shift (counts >= the width clear the lane), two elsewhere.
template <class W, class V>
inline V high_part(V n, unsigned sh) noexcept {
  constexpr unsigned kBits = 8 * sizeof(W);
#if defined(__AVX2__)
  if constexpr (sizeof(V) == 32) {
    const __m128i c = _mm_cvtsi32_si128(static_cast<int>(kBits - sh));
    if constexpr (sizeof(W) == 2) return (V)_mm256_sll_epi16((__m256i)n, c);
    if constexpr (sizeof(W) == 4) return (V)_mm256_sll_epi32((__m256i)n, c);
    if constexpr (sizeof(W) == 8) return (V)_mm256_sll_epi64((__m256i)n, c);
  }
#endif
#if defined(__SSE2__)
  if constexpr (sizeof(V) == 16) {
    const __m128i c = _mm_cvtsi32_si128(static_cast<int>(kBits - sh));
    if constexpr (sizeof(W) == 2) return (V)_mm_sll_epi16((__m128i)n, c);
    if constexpr (sizeof(W) == 4) return (V)_mm_sll_epi32((__m128i)n, c);
    if constexpr (sizeof(W) == 8) return (V)_mm_sll_epi64((__m128i)n, c);
  }
#endif
  return (n << 1) << (kBits - 1 - sh);
}

/// Unpacks the group at bit offset `bit`, width w, from the word rows at cur/nxt.
template <class W>
inline void unpack_group(const std::byte* cur, const std::byte* nxt, std::uint64_t bit, unsigned w,
                         typename VectorTraits<W>::V* u) noexcept {
  using T = VectorTraits<W>;
  using V = typename T::V;
  static constexpr MaskTable<W> kMasks{};
  const unsigned sh = static_cast<unsigned>(bit % T::kBits);
  const V mask = splat<V>(kMasks.m[w]);
  for (std::size_t j = 0; j < T::kVecs; ++j) {
    V c;
    V n;
    std::memcpy(&c, cur + j * T::kVB, T::kVB);
    std::memcpy(&n, nxt + j * T::kVB, T::kVB);
    u[j] = ((c >> sh) | high_part<W>(n, sh)) & mask;
  }
}

/// Zigzag, reference and the order's prefix sums, the deepest first; c[j]
/// carries the j-th difference from group to group. Each carry depends on
/// one vector add, so consecutive groups overlap in the pipeline.
template <class W, unsigned Order, bool HasRef>
inline void finish_group(typename VectorTraits<W>::V* u, typename VectorTraits<W>::V ref,
                         typename VectorTraits<W>::V* c) noexcept {
  using T = VectorTraits<W>;
  using V = typename T::V;
  using Seq = std::make_index_sequence<T::kLanes>;
  const V one = splat<V>(W{1});
  for (std::size_t j = 0; j < T::kVecs; ++j) {
    V r = (u[j] >> 1) ^ (V{} - (u[j] & one));
    if constexpr (HasRef) r += ref;
    for (unsigned level = Order; level-- > 0;) {
      const V p = prefix_sum<V, T::kLanes, T::kHalf>(r);
      r = p + c[level];
      c[level] += broadcast_last(p, Seq{});
    }
    u[j] = r;
  }
}

/// Four 2-bit width codes per byte, spread to four bytes.
struct CodeSpread {
  std::uint32_t v[256];
  constexpr CodeSpread() : v() {
    for (unsigned b = 0; b < 256; ++b) {
      v[b] = (b & 3u) | ((b >> 2) & 3u) << 8 | ((b >> 4) & 3u) << 16 | ((b >> 6) & 3u) << 24;
    }
  }
};

/// Widths of groups [g0, g0 + m) into w (g0 a multiple of 4; w has room for
/// m rounded up to 4). `esc` counts the escapes used so far.
inline void decode_widths(const RowStream& s, std::size_t g0, std::size_t m, std::size_t& esc,
                          std::uint8_t* w) noexcept {
  static constexpr CodeSpread kSpread{};
  const std::uint32_t base4 = s.width_base * 0x01010101u;
  const std::uint8_t* codes = s.width_codes + g0 / 4;
  const std::size_t nbytes = (m + 3) / 4;
  for (std::size_t j = 0; j < nbytes; ++j) {
    const std::uint32_t v = kSpread.v[codes[j]] + base4;
    std::memcpy(w + 4 * j, &v, 4);
  }
  for (std::size_t j = 0; j < nbytes; j += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, codes + j, nbytes - j < 8 ? nbytes - j : 8);
    std::uint64_t mask = word & (word >> 1) & 0x5555555555555555ull;  // codes equal to 3
    while (mask != 0) {
      const unsigned b = static_cast<unsigned>(__builtin_ctzll(mask));
      w[4 * j + b / 2] = s.width_escapes[esc++];
      mask &= mask - 1;
    }
  }
}

/// What chunk_vector adds to the unpacked low bits of each value.
enum class Extra { none, patch, rice };

template <class W, Extra X>
inline void add_extra(typename VectorTraits<W>::V* u, const W* patch, unsigned w) noexcept {
  using T = VectorTraits<W>;
  using V = typename T::V;
  if constexpr (X != Extra::none) {
    for (std::size_t j = 0; j < T::kVecs; ++j) {
      V p;
      std::memcpy(&p, patch + j * T::kLanes, T::kVB);
      if constexpr (X == Extra::rice) p <<= w;  // w < the lane width in Rice streams
      u[j] |= p;
    }
  }
}

/// Decodes one chunk of groups [g0, end): the hot loop runs over whole groups
/// whose word rows lie in bounds. Exceptions were spread into `patch` rows
/// beforehand (Extra::patch), so the loop has no branch on them; Rice
/// quotients (Extra::rice) are in `patch` too, shifted above the group width
/// here.
template <class W, unsigned Order, bool HasRef, Extra X>
inline void chunk_vector(const RowStream& s, std::size_t g0, std::size_t end, const std::uint8_t* widths,
                         const W* patch, std::uint64_t& bit, typename VectorTraits<W>::V ref,
                         typename VectorTraits<W>::V* c, std::byte* out) {
  using T = VectorTraits<W>;
  using V = typename T::V;
  alignas(64) static const std::byte zeros[T::kRowBytes] = {};
  const std::byte* const lanes = s.lanes;
  const std::size_t lane_words = s.lane_words;
  // Below this bit offset both word rows a group may touch exist.
  const std::uint64_t safe_bits = lane_words > 1 ? (lane_words - 1) * std::uint64_t{T::kBits} : 0;
  const std::size_t full = s.count / kGroup;
  const std::size_t stop = full < end ? full : end;
  std::uint64_t b = bit;
  std::size_t g = g0;
  for (; g < stop && b < safe_bits; ++g) {
    const unsigned w = widths[g - g0];
    const std::byte* cur = lanes + (b / T::kBits) * T::kRowBytes;
    V u[T::kVecs];
    unpack_group<W>(cur, cur + T::kRowBytes, b, w, u);
    b += w;
    add_extra<W, X>(u, patch + (g - g0) * kGroup, w);
    finish_group<W, Order, HasRef>(u, ref, c);
    for (std::size_t j = 0; j < T::kVecs; ++j) std::memcpy(out + g * T::kRowBytes + j * T::kVB, &u[j], T::kVB);
  }
  // The groups that reach the last word row, and a partial last group.
  for (; g < end; ++g) {
    const unsigned w = widths[g - g0];
    const std::uint64_t k = b / T::kBits;
    const std::byte* cur = k < lane_words ? lanes + k * T::kRowBytes : zeros;
    const std::byte* nxt = k + 1 < lane_words ? cur + T::kRowBytes : zeros;
    V u[T::kVecs];
    unpack_group<W>(cur, nxt, b, w, u);
    b += w;
    add_extra<W, X>(u, patch + (g - g0) * kGroup, w);
    finish_group<W, Order, HasRef>(u, ref, c);
    const std::size_t n = s.count - g * kGroup < kGroup ? s.count - g * kGroup : kGroup;
    std::memcpy(out + g * T::kRowBytes, u, n * sizeof(W));
  }
  bit = b;
}

template <class W, unsigned Order, bool HasRef>
void rows_vector(const RowStream& s, std::byte* out) {
  using T = VectorTraits<W>;
  using V = typename T::V;
  constexpr std::size_t kChunk = 64;  // groups whose widths and patches are decoded at once
  ExcCursor exc(s);
  const V ref = splat<V>(static_cast<W>(s.ref));
  W c0[4];
  initial_differences(s, c0);
  V c[4] = {splat<V>(c0[0]), splat<V>(c0[1]), splat<V>(c0[2]), splat<V>(c0[3])};
  std::uint64_t bit = 0;
  std::size_t esc = 0;
  alignas(64) std::uint8_t widths[kChunk + 4];
  alignas(64) W patch[kChunk * kGroup];
  alignas(64) W qbuf[kChunk * kGroup + 128];  // Rice quotients of one chunk and the spill
  UnaryCursor q = s.quotients;
  std::size_t have = 0;
  for (std::size_t g0 = 0; g0 < s.groups; g0 += kChunk) {
    const std::size_t end = s.groups - g0 < kChunk ? s.groups : g0 + kChunk;
    if (s.widths != nullptr) {
      // Quotients for this chunk's values, decoded into L1 just before use;
      // the decoder stops at a word boundary, so up to 63 spill to the next chunk.
      const std::size_t want = (end - g0) * kGroup;
      const std::size_t real = s.count - g0 * kGroup < want ? s.count - g0 * kGroup : want;
      if (have < real) have += s.unary(q, real - have, qbuf + have);
      if (have < real) fail_exception("fewer quotient codes than values", g0 * kGroup + have);
      for (std::size_t i = real; i < want; ++i) qbuf[i] = 0;
      chunk_vector<W, Order, HasRef, Extra::rice>(s, g0, end, s.widths + g0, qbuf, bit, ref, c, out);
      have -= real;
      std::memmove(qbuf, qbuf + real, have * sizeof(W));
      if (end == s.groups && (have != 0 || q.pos < q.bytes)) {
        fail_exception("more quotient codes than values", s.count);
      }
      continue;
    }
    decode_widths(s, g0, end - g0, esc, widths);
    if (exc.next() >= end * kGroup) {
      chunk_vector<W, Order, HasRef, Extra::none>(s, g0, end, widths, patch, bit, ref, c, out);
      continue;
    }
    std::memset(patch, 0, (end - g0) * kGroup * sizeof(W));
    while (exc.next() < end * kGroup) {
      const std::uint64_t p = exc.next();
      patch[p - g0 * kGroup] = static_cast<W>(patch[p - g0 * kGroup] | exc.high_bits<W>(widths[p / kGroup - g0]));
      exc.skip();
    }
    chunk_vector<W, Order, HasRef, Extra::patch>(s, g0, end, widths, patch, bit, ref, c, out);
  }
}

template <class W, unsigned Order>
void rows_impl(const RowStream& s, std::byte* out) {
  if (s.ref == 0) {
    rows_vector<W, Order, false>(s, out);
  } else {
    rows_vector<W, Order, true>(s, out);
  }
}

#else

template <class W, unsigned Order>
void rows_impl(const RowStream& s, std::byte* out) {
  rows_scalar<W, Order>(s, out);
}

#endif

template <class W>
void rows(const RowStream& s, std::byte* out) {
  switch (s.order) {
    case 0:
      rows_impl<W, 0>(s, out);
      return;
    case 1:
      rows_impl<W, 1>(s, out);
      return;
    case 2:
      rows_impl<W, 2>(s, out);
      return;
    case 3:
      rows_impl<W, 3>(s, out);
      return;
    case 4:
      rows_impl<W, 4>(s, out);
      return;
    default:
      fail_exception("delta order above 4", s.order);
  }
}

/// Per byte of a unary stream: the zero runs before each of its ones (the
/// first continues the run carried in from earlier bytes), its number of
/// ones, and the zeros after its last one (8 for a zero byte).
struct UnaryTable {
  std::uint8_t runs[256][8];
  std::uint8_t ones[256];
  std::uint8_t tail[256];
  constexpr UnaryTable() : runs(), ones(), tail() {
    for (unsigned b = 0; b < 256; ++b) {
      unsigned m = 0;
      unsigned last = 0;  // bit after the previous one
      for (unsigned i = 0; i < 8; ++i) {
        if ((b >> i) & 1u) {
          runs[b][m++] = static_cast<std::uint8_t>(i - last);
          last = i + 1;
        }
      }
      ones[b] = static_cast<std::uint8_t>(m);
      tail[b] = static_cast<std::uint8_t>(8 - last);
    }
  }
};

/// Unary codes to quotients, a byte at a time without branches on the data:
/// each byte stores eight quotients (those past its ones are overwritten by
/// the next byte's) and adds the zeros carried in to the first.
template <class W>
std::size_t unary(UnaryCursor& c, std::size_t want, void* out) {
  static constexpr UnaryTable kT{};
  W* q = static_cast<W*>(out);
  std::size_t o = 0;
  std::uint64_t carry = c.carry;
  std::size_t i = c.pos;
#if TSWEEP_KERNEL_VECTOR_BYTES > 0
  typedef std::uint8_t V8 __attribute__((vector_size(8)));
  typedef W VW __attribute__((vector_size(8 * sizeof(W))));
#endif
  for (; i < c.bytes && o < want; ++i) {
    const unsigned b = c.bits[i];
#if TSWEEP_KERNEL_VECTOR_BYTES > 0
    V8 r;
    std::memcpy(&r, kT.runs[b], 8);
    VW v = __builtin_convertvector(r, VW);
    VW add = {};
    add[0] = static_cast<W>(carry);
    v += add;
    std::memcpy(q + o, &v, sizeof v);
#else
    for (unsigned j = 0; j < 8; ++j) q[o + j] = kT.runs[b][j];
    q[o] = static_cast<W>(q[o] + static_cast<W>(carry));
#endif
    o += kT.ones[b];
    carry = (kT.ones[b] != 0 ? 0 : carry) + kT.tail[b];
  }
  c.pos = i;
  c.carry = carry;
  return o;
}

inline void decimal64(std::byte* data, std::size_t n, double mul, double div) {
  // |v| < 2^51: adding the bits of 1.5 * 2^52 and subtracting it as a double
  // converts exactly and vectorises without AVX-512's int64 conversions.
  constexpr std::uint64_t kMagicBits = 0x4338000000000000ull;
  constexpr double kMagic = 6755399441055744.0;
  std::size_t i = 0;
#if TSWEEP_KERNEL_VECTOR_BYTES > 0
  using VU = typename VecOf<std::uint64_t, TSWEEP_KERNEL_VECTOR_BYTES>::type;
  using VD = typename VecOf<double, TSWEEP_KERNEL_VECTOR_BYTES>::type;
  constexpr std::size_t kL = TSWEEP_KERNEL_VECTOR_BYTES / 8;
  for (; i + kL <= n; i += kL) {
    VU u;
    std::memcpy(&u, data + 8 * i, sizeof u);
    u += kMagicBits;
    VD d;
    std::memcpy(&d, &u, sizeof d);
    d = ((d - kMagic) * mul) / div;
    std::memcpy(data + 8 * i, &d, sizeof d);
  }
#endif
  for (; i < n; ++i) {
    std::uint64_t u;
    std::memcpy(&u, data + 8 * i, 8);
    u += kMagicBits;
    double d;
    std::memcpy(&d, &u, 8);
    d = ((d - kMagic) * mul) / div;
    std::memcpy(data + 8 * i, &d, 8);
  }
}

inline void decimal32(std::byte* data, std::size_t n, float mul, float div) {
  std::size_t i = 0;
#if TSWEEP_KERNEL_VECTOR_BYTES > 0
  using VI = typename VecOf<std::int32_t, TSWEEP_KERNEL_VECTOR_BYTES>::type;
  using VF = typename VecOf<float, TSWEEP_KERNEL_VECTOR_BYTES>::type;
  constexpr std::size_t kL = TSWEEP_KERNEL_VECTOR_BYTES / 4;
  for (; i + kL <= n; i += kL) {
    VI v;
    std::memcpy(&v, data + 4 * i, sizeof v);
    VF f = __builtin_convertvector(v, VF);
    f = (f * mul) / div;
    std::memcpy(data + 4 * i, &f, sizeof f);
  }
#endif
  for (; i < n; ++i) {
    std::int32_t v;
    std::memcpy(&v, data + 4 * i, 4);
    const float f = (static_cast<float>(v) * mul) / div;
    std::memcpy(data + 4 * i, &f, 4);
  }
}

constexpr Kernels make_kernels(const char* name) noexcept {
  return Kernels{name,
                 &rows<std::uint16_t>,
                 &rows<std::uint32_t>,
                 &rows<std::uint64_t>,
                 &unary<std::uint16_t>,
                 &unary<std::uint32_t>,
                 &unary<std::uint64_t>,
                 &decimal64,
                 &decimal32};
}
