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

/// Walks the exception list in position order.
class ExcCursor {
 public:
  explicit ExcCursor(const RowStream& s) : m_s(s), m_left(s.exceptions) { advance(); }

  [[nodiscard]] std::uint64_t next() const noexcept { return m_next; }

  /// ORs the pending exceptions of the group starting at `start` into `row`.
  template <class W>
  void patch(W* row, std::uint64_t start, unsigned w) {
    constexpr unsigned kBits = 8 * sizeof(W);
    while (m_next < start + kGroup) {
      const unsigned room = kBits - (w < kBits ? w : kBits);
      if (m_high == 0 || room == 0 || (room < 64 && (m_high >> room) != 0)) {
        fail_exception("exception does not fit its group's bit width", m_next);
      }
      W& v = row[m_next - start];
      v = static_cast<W>(v | static_cast<W>(m_high << w));
      advance();
    }
  }

 private:
  void advance() {
    if (m_left == 0) {
      m_next = ~std::uint64_t{0};
      return;
    }
    --m_left;
    const std::uint64_t gap = read_bits(m_s.exc_pos, m_s.exc_pos_bytes, m_pos_bit, m_s.pos_width);
    m_pos_bit += m_s.pos_width;
    m_high = read_bits(m_s.exc_high, m_s.exc_high_bytes, m_high_bit, m_s.high_width);
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

template <class W>
inline W load_word(const std::byte* p) noexcept {
  W v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Portable reference: one value at a time.
template <class W, unsigned Order>
void rows_scalar(const RowStream& s, std::byte* out) {
  using Wide = WideOf<W>;
  constexpr unsigned kBits = 8 * sizeof(W);
  ExcCursor exc(s);
  const W ref = static_cast<W>(s.ref);
  W x = static_cast<W>(s.seed1);
  W d = static_cast<W>(s.seed1 - s.seed2);
  std::uint64_t bit = 0;
  W row[kGroup];
  for (std::size_t g = 0; g < s.groups; ++g) {
    const unsigned w = s.widths[g];
    const std::uint64_t k = bit / kBits;
    const unsigned sh = static_cast<unsigned>(bit % kBits);
    bit += w;
    const W mask = mask_of<W>(w);
    for (std::size_t l = 0; l < kGroup; ++l) {
      const Wide c = k < s.lane_words ? load_word<W>(s.lanes + (k * kGroup + l) * sizeof(W)) : W{0};
      const Wide n =
          k + 1 < s.lane_words ? load_word<W>(s.lanes + ((k + 1) * kGroup + l) * sizeof(W)) : W{0};
      const W hi = static_cast<W>(static_cast<Wide>(static_cast<W>(n << 1)) << (kBits - 1 - sh));
      row[l] = static_cast<W>((static_cast<W>(c >> sh) | hi) & mask);
    }
    if (exc.next() < (g + 1) * kGroup) exc.patch(row, g * kGroup, w);
    const std::size_t n_out = s.count - g * kGroup < kGroup ? s.count - g * kGroup : kGroup;
    for (std::size_t l = 0; l < n_out; ++l) {
      const Wide u = row[l];
      const W r = static_cast<W>(((u >> 1) ^ (Wide{0} - (u & 1))) + ref);
      W v = r;
      if constexpr (Order == 1) {
        x = static_cast<W>(x + r);
        v = x;
      } else if constexpr (Order == 2) {
        d = static_cast<W>(d + r);
        x = static_cast<W>(x + d);
        v = x;
      }
      std::memcpy(out + (g * kGroup + l) * sizeof(W), &v, sizeof v);
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

template <class V, std::size_t K, std::size_t... I>
inline V shift_up(V v, std::index_sequence<I...>) noexcept {
  const V z = {};
  return __builtin_shufflevector(z, v, (I < K ? 0 : sizeof...(I) + I - K)...);
}

template <class V, std::size_t... I>
inline V broadcast_last(V v, std::index_sequence<I...>) noexcept {
  return __builtin_shufflevector(v, v, (I * 0 + sizeof...(I) - 1)...);
}

/// Inclusive prefix sum across the L lanes of v.
template <class V, std::size_t L>
inline V prefix_sum(V v) noexcept {
  using Seq = std::make_index_sequence<L>;
  if constexpr (L > 1) v += shift_up<V, 1>(v, Seq{});
  if constexpr (L > 2) v += shift_up<V, 2>(v, Seq{});
  if constexpr (L > 4) v += shift_up<V, 4>(v, Seq{});
  if constexpr (L > 8) v += shift_up<V, 8>(v, Seq{});
  return v;
}

template <class W, unsigned Order>
void rows_vector(const RowStream& s, std::byte* out) {
  constexpr std::size_t kVB = TSWEEP_KERNEL_VECTOR_BYTES;
  using V = typename VecOf<W, kVB>::type;
  constexpr std::size_t kLanes = kVB / sizeof(W);
  static_assert(kLanes >= 1 && kLanes <= kGroup && kGroup % kLanes == 0);
  constexpr std::size_t kVecs = kGroup / kLanes;
  constexpr unsigned kBits = 8 * sizeof(W);
  constexpr std::size_t kRowBytes = kGroup * sizeof(W);
  using Seq = std::make_index_sequence<kLanes>;
  alignas(64) static const std::byte zeros[kRowBytes] = {};

  ExcCursor exc(s);
  const V ref = splat<V>(static_cast<W>(s.ref));
  const V one = splat<V>(W{1});
  V cx = splat<V>(static_cast<W>(s.seed1));
  V cd = splat<V>(static_cast<W>(s.seed1 - s.seed2));
  std::uint64_t bit = 0;
  const std::size_t full = s.count / kGroup;
  for (std::size_t g = 0; g < s.groups; ++g) {
    const unsigned w = s.widths[g];
    const std::uint64_t k = bit / kBits;
    const unsigned sh = static_cast<unsigned>(bit % kBits);
    bit += w;
    const std::byte* cur = k < s.lane_words ? s.lanes + k * kRowBytes : zeros;
    const std::byte* nxt = k + 1 < s.lane_words ? cur + kRowBytes : zeros;
    const V mask = splat<V>(mask_of<W>(w));
    V u[kVecs];
    for (std::size_t j = 0; j < kVecs; ++j) {
      V c;
      V n;
      std::memcpy(&c, cur + j * kVB, kVB);
      std::memcpy(&n, nxt + j * kVB, kVB);
      u[j] = ((c >> sh) | ((n << 1) << (kBits - 1 - sh))) & mask;
    }
    if (exc.next() < (g + 1) * kGroup) {
      W tmp[kGroup];
      std::memcpy(tmp, u, kRowBytes);
      exc.patch(tmp, g * kGroup, w);
      std::memcpy(u, tmp, kRowBytes);
    }
    for (std::size_t j = 0; j < kVecs; ++j) {
      V r = ((u[j] >> 1) ^ (V{} - (u[j] & one))) + ref;
      if constexpr (Order == 1) {
        r = prefix_sum<V, kLanes>(r) + cx;
        cx = broadcast_last(r, Seq{});
      } else if constexpr (Order == 2) {
        const V d = prefix_sum<V, kLanes>(r) + cd;
        cd = broadcast_last(d, Seq{});
        r = prefix_sum<V, kLanes>(d) + cx;
        cx = broadcast_last(r, Seq{});
      }
      u[j] = r;
    }
    if (g < full) {
      std::memcpy(out + g * kRowBytes, u, kRowBytes);
    } else {
      std::memcpy(out + g * kRowBytes, u, (s.count - g * kGroup) * sizeof(W));
    }
  }
}

template <class W, unsigned Order>
void rows_impl(const RowStream& s, std::byte* out) {
  rows_vector<W, Order>(s, out);
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
    case 0: rows_impl<W, 0>(s, out); return;
    case 1: rows_impl<W, 1>(s, out); return;
    case 2: rows_impl<W, 2>(s, out); return;
    default: fail_exception("delta order above 2", s.order);
  }
}

inline void decimal64(std::byte* data, std::size_t n, double mul, double div) {
  // |v| < 2^51: adding the bits of 1.5 * 2^52 and subtracting it as a double
  // converts exactly and vectorises without AVX-512's int64 conversions.
  constexpr std::uint64_t kMagicBits = 0x4338000000000000ull;
  constexpr double kMagic = 6755399441055744.0;
  for (std::size_t i = 0; i < n; ++i) {
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
  for (std::size_t i = 0; i < n; ++i) {
    std::int32_t v;
    std::memcpy(&v, data + 4 * i, 4);
    const float f = (static_cast<float>(v) * mul) / div;
    std::memcpy(data + 4 * i, &f, 4);
  }
}

inline Kernels make_kernels(const char* name) noexcept {
  return Kernels{name, &rows<std::uint16_t>, &rows<std::uint32_t>, &rows<std::uint64_t>,
                 &decimal64, &decimal32};
}
