#include "detail/int_stream.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "kernels/kernels.hpp"

namespace tsweep::codec::detail {
namespace {

// uint16 arithmetic would promote to int; do it in unsigned instead.
template <class W>
using Wide = std::conditional_t<(sizeof(W) < sizeof(unsigned)), unsigned, W>;
template <class W>
constexpr unsigned kBits = 8 * sizeof(W);

template <class W>
inline W zigzag(W t) noexcept {
  const Wide<W> v = t;
  return static_cast<W>((v << 1) ^ (Wide<W>{0} - ((v >> (kBits<W> - 1)) & 1)));
}

template <class W>
constexpr W mask_of(unsigned w) noexcept {
  return w >= kBits<W> ? static_cast<W>(~W{0}) : static_cast<W>((Wide<W>{1} << w) - 1);
}

/// Highest delta order a stream may have (FORMAT.md: orders 3 and 4 from
/// block format 4 on, as FLAC's fixed predictors).
inline constexpr unsigned kMaxOrder = 4;

/// Residual of delta order `order` (the order-th difference) at index
/// i >= order.
template <class W>
inline W residual(const W* x, std::size_t i, unsigned order) noexcept {
  using U = Wide<W>;
  switch (order) {
    case 0:
      return x[i];
    case 1:
      return static_cast<W>(U{x[i]} - x[i - 1]);
    case 2:
      return static_cast<W>(U{x[i]} - U{x[i - 1]} - x[i - 1] + x[i - 2]);
    case 3:
      return static_cast<W>(U{x[i]} - U{3} * x[i - 1] + U{3} * x[i - 2] - x[i - 3]);
    default:
      return static_cast<W>(U{x[i]} - U{4} * x[i - 1] + U{6} * x[i - 2] - U{4} * x[i - 3] + x[i - 4]);
  }
}

/// As residual(), for any i: values before the first are x[0] (the seeds
/// encoders write), so the first `order` residuals are differences of x[0]
/// with itself and the first values.
template <class W>
inline W residual_head(const W* x, std::size_t i, unsigned order) noexcept {
  W e[kMaxOrder + 1];
  for (unsigned j = 0; j <= order; ++j) e[order - j] = i >= j ? x[i - j] : x[0];
  return residual(e, order, order);
}

/// Residuals of group g (16 values from index 16 g, fewer at the end) with
/// seeds x[-1] = x[-2] = ... = x[0]. Missing tail values repeat the first
/// residual, so they change no minimum, maximum or OR.
template <class W>
void group_residuals(const W* x, std::size_t n, std::size_t g, unsigned order, W* r) noexcept {
  const std::size_t start = g * kGroup;
  if (start >= kMaxOrder && start + kGroup <= n) {
    for (std::size_t l = 0; l < kGroup; ++l) r[l] = residual(x, start + l, order);
    return;
  }
  for (std::size_t l = 0; l < kGroup; ++l) {
    const std::size_t i = start + l;
    r[l] = i >= n ? r[0] : residual_head(x, i, order);
  }
}

template <class W>
struct Transform {
  unsigned order = 0;
  W ref = 0;
};

/// Picks the delta order and reference from (a sample of) the groups, by the
/// bits their packing would take ignoring exceptions. Reference 0 suits
/// residuals centred on zero; the midpoint of their range (frame of
/// reference) suits offset data and constant steps.
template <class W>
Transform<W> choose_transform(const W* x, std::size_t n) noexcept {
  using S = std::make_signed_t<W>;
  const std::size_t groups = (n + kGroup - 1) / kGroup;
  const std::size_t stride = groups > 512 ? 4 : 1;  // a quarter of the groups is plenty
  Transform<W> best;
  std::uint64_t best_cost = ~std::uint64_t{0};
  W r[kGroup];
  for (unsigned order = 0; order <= kMaxOrder; ++order) {
    // Orders 3 and 4 only while each order has beaten the one before.
    if (order >= 3 && best.order != order - 1) break;
    S lo = 0;
    S hi = 0;
    std::uint64_t cost0 = 0;
    for (std::size_t g = 0; g < groups; g += stride) {
      group_residuals(x, n, g, order, r);
      W acc = 0;
      S glo = static_cast<S>(r[0]);
      S ghi = glo;
      for (std::size_t l = 0; l < kGroup; ++l) {
        acc = static_cast<W>(acc | zigzag<W>(r[l]));
        const auto v = static_cast<S>(r[l]);
        glo = v < glo ? v : glo;
        ghi = v > ghi ? v : ghi;
      }
      if (g == 0) {
        lo = glo;
        hi = ghi;
      }
      lo = glo < lo ? glo : lo;
      hi = ghi > hi ? ghi : hi;
      cost0 += bit_length(acc);
    }
    if (cost0 < best_cost) {
      best_cost = cost0;
      best = {order, 0};
    }
    const auto range = static_cast<W>(static_cast<W>(hi) - static_cast<W>(lo));
    const auto mid = static_cast<W>(static_cast<W>(lo) + static_cast<W>(range / 2));
    const auto mag = static_cast<S>(mid) < 0 ? static_cast<W>(W{0} - mid) : mid;
    if (mag == 0 || mag < range / 8) continue;  // centring would change little
    std::uint64_t costm = 0;
    for (std::size_t g = 0; g < groups && costm < best_cost; g += stride) {
      group_residuals(x, n, g, order, r);
      W acc = 0;
      for (std::size_t l = 0; l < kGroup; ++l) acc = static_cast<W>(acc | zigzag<W>(static_cast<W>(r[l] - mid)));
      costm += bit_length(acc);
    }
    if (costm < best_cost) {
      best_cost = costm;
      best = {order, mid};
    }
  }
  return best;
}

/// Zigzag residuals of the chosen transform for all n values, padded with
/// zeros to whole groups.
template <class W>
void zigzag_residuals(const W* x, std::size_t n, Transform<W> t, W* z) noexcept {
  const std::size_t head = n < t.order ? n : t.order;
  const W ref = t.ref;
  for (std::size_t i = 0; i < head; ++i) z[i] = zigzag<W>(static_cast<W>(residual_head(x, i, t.order) - ref));
  switch (t.order) {  // one loop per order, so that each vectorises
    case 0:
      for (std::size_t i = head; i < n; ++i) z[i] = zigzag<W>(static_cast<W>(residual(x, i, 0) - ref));
      break;
    case 1:
      for (std::size_t i = head; i < n; ++i) z[i] = zigzag<W>(static_cast<W>(residual(x, i, 1) - ref));
      break;
    case 2:
      for (std::size_t i = head; i < n; ++i) z[i] = zigzag<W>(static_cast<W>(residual(x, i, 2) - ref));
      break;
    case 3:
      for (std::size_t i = head; i < n; ++i) z[i] = zigzag<W>(static_cast<W>(residual(x, i, 3) - ref));
      break;
    default:
      for (std::size_t i = head; i < n; ++i) z[i] = zigzag<W>(static_cast<W>(residual(x, i, 4) - ref));
      break;
  }
  const std::size_t padded = (n + kGroup - 1) / kGroup * kGroup;
  std::fill(z + n, z + padded, W{0});
}

struct Exceptions {
  std::vector<std::uint32_t>& pos;
  std::vector<std::uint64_t>& high;
  std::uint64_t max_gap = 0;
  std::uint64_t max_high = 0;
};

/// Bit lengths of all values and the largest per group, computed once for
/// both width passes.
template <class W>
void bit_lengths(const W* z, std::size_t groups, std::uint8_t* lens, std::uint8_t* maxlens) noexcept {
  for (std::size_t g = 0; g < groups; ++g) {
    const W* v = z + g * kGroup;
    W acc = 0;
    for (std::size_t l = 0; l < kGroup; ++l) acc = static_cast<W>(acc | v[l]);
    maxlens[g] = static_cast<std::uint8_t>(bit_length(acc));
    if (maxlens[g] > 2) {
      for (std::size_t l = 0; l < kGroup; ++l) lens[g * kGroup + l] = static_cast<std::uint8_t>(bit_length(v[l]));
    }
  }
}

/// Number of the 16 lengths (each <= 64) above w, eight bytes at a time:
/// adding 127 - w sets a byte's top bit exactly when the byte exceeds w.
inline unsigned count_above(const std::uint8_t* lens, unsigned w) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  std::uint64_t a;
  std::uint64_t b;
  std::memcpy(&a, lens, 8);
  std::memcpy(&b, lens + 8, 8);
  const std::uint64_t k = (127u - w) * kOnes;
  const std::uint64_t top = (((a + k) & (kOnes << 7)) >> 7) + (((b + k) & (kOnes << 7)) >> 7);
  return static_cast<unsigned>((top * kOnes) >> 56);
}

/// Chooses each group's width, minimising 16 * w + exc_cost * (values wider
/// than w), and records the exceptions that choice makes.
template <class W>
void select_widths(const W* z, std::size_t groups, const std::uint8_t* lens, const std::uint8_t* maxlens,
                   unsigned exc_cost, std::uint8_t* widths, Exceptions& exc) {
  exc.pos.clear();
  exc.high.clear();
  exc.max_gap = exc.max_high = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const unsigned maxlen = maxlens[g];
    unsigned best = maxlen;
    if (maxlen > 2) {
      const std::uint8_t* gl = lens + g * kGroup;
      unsigned best_cost = static_cast<unsigned>(kGroup) * maxlen;
      // The best width is nearly always within a few bits of the widest
      // value: try those without branches (the outcome is data-dependent and
      // mispredicts), and search further down only when the last one won.
      constexpr unsigned kWindow = 6;
      const unsigned low = maxlen > kWindow ? maxlen - kWindow : 0;
      for (unsigned w = maxlen; w-- > low;) {
        const unsigned cost = static_cast<unsigned>(kGroup) * w + exc_cost * count_above(gl, w);
        best = cost < best_cost ? w : best;
        best_cost = cost < best_cost ? cost : best_cost;
      }
      if (best == low) {
        for (unsigned w = low; w-- > 0;) {
          const unsigned above = count_above(gl, w);
          if (exc_cost * above >= best_cost) break;  // only grows as w shrinks
          const unsigned cost = static_cast<unsigned>(kGroup) * w + exc_cost * above;
          if (cost < best_cost) {
            best_cost = cost;
            best = w;
          }
        }
      }
      if (best < maxlen) {
        for (std::size_t l = 0; l < kGroup; ++l) {
          if (gl[l] <= best) continue;
          const auto p = static_cast<std::uint32_t>(g * kGroup + l);
          const std::uint64_t gap = exc.pos.empty() ? p : p - exc.pos.back() - 1;
          const std::uint64_t high = static_cast<std::uint64_t>(z[p]) >> best;
          exc.max_gap = std::max(exc.max_gap, gap);
          exc.max_high = std::max(exc.max_high, high);
          exc.pos.push_back(p);
          exc.high.push_back(high);
        }
      }
    }
    widths[g] = static_cast<std::uint8_t>(best);
  }
}

/// Rice parameters: for each group the k in [0, B - 1] that minimises
/// 16 k + the sum of its quotients z >> k (the unary bits beyond the ones).
/// Lowering k by one costs the rise in that sum and saves 16 bits, and the
/// rise only grows as k falls, so the search stops at the first step that
/// does not pay (a tie keeps the larger k: fewer unary bits decode faster).
/// Returns the bits of all unary codes.
template <class W>
std::uint64_t select_rice(const W* z, std::size_t n, std::size_t groups, const std::uint8_t* maxlens,
                          std::uint8_t* widths) noexcept {
  std::uint64_t unary_bits = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const W* v = z + g * kGroup;
    unsigned k = std::min<unsigned>(maxlens[g], kBits<W> - 1);
    std::uint64_t sum = 0;
    for (std::size_t l = 0; l < kGroup; ++l) sum += static_cast<std::uint64_t>(v[l] >> k);
    while (k > 0) {
      std::uint64_t lower = 0;
      for (std::size_t l = 0; l < kGroup; ++l) lower += static_cast<std::uint64_t>(v[l] >> (k - 1));
      if (lower - sum >= kGroup) break;
      --k;
      sum = lower;
    }
    widths[g] = static_cast<std::uint8_t>(k);
    unary_bits += sum + std::min(kGroup, n - g * kGroup);  // padding values are 0 and have no code
  }
  return unary_bits;
}

/// Bytes of 16 lanes holding `bits` bits each, in words of W.
template <class W>
std::size_t lane_bytes(std::uint64_t bits) noexcept {
  return static_cast<std::size_t>((bits + kBits<W> - 1) / kBits<W>) * kGroup * sizeof(W);
}

Span<const std::byte> bytes_of(const void* p, std::size_t n) noexcept {
  return {static_cast<const std::byte*>(p), n};
}

/// The reference and the seeds: every value before the first is x[0], so
/// the first residuals need no special case. Orders 3 and 4 add two seeds.
template <class W>
void write_seeds(ByteWriter& out, Transform<W> t, W seed) {
  out.fixed<W>(t.ref);
  out.fixed<W>(seed);
  out.fixed<W>(seed);
  if (t.order >= 3) {
    out.fixed<W>(seed);
    out.fixed<W>(seed);
  }
}

/// Packs the low w_g bits of each group's values into 16 lanes sharing one
/// bit offset per group; returns the words per lane.
template <class W>
std::size_t pack_lanes(const W* zigzag, std::size_t groups, const std::uint8_t* widths, std::uint64_t total_bits,
                       std::vector<W>& lanes) {
  const std::size_t lane_words = static_cast<std::size_t>((total_bits + kBits<W> - 1) / kBits<W>);
  lanes.assign((lane_words + 1) * kGroup, W{0});
  std::uint64_t bit = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const unsigned w = widths[g];
    if (w == 0) continue;  // at the very end, k + 1 would be past the spare row
    const std::size_t k = static_cast<std::size_t>(bit / kBits<W>);
    const unsigned sh = static_cast<unsigned>(bit % kBits<W>);
    const W mask = mask_of<W>(w);
    W* cur = lanes.data() + k * kGroup;
    W* nxt = cur + kGroup;
    const W* z = zigzag + g * kGroup;
    for (std::size_t l = 0; l < kGroup; ++l) {
      const Wide<W> v = static_cast<W>(z[l] & mask);
      cur[l] = static_cast<W>(cur[l] | static_cast<W>(v << sh));
      nxt[l] = static_cast<W>(nxt[l] | static_cast<W>((v >> 1) >> (kBits<W> - 1 - sh)));
    }
    bit += w;
  }
  return lane_words;
}

/// Bytes the packed stream's lanes, width codes and exceptions take.
template <class W>
std::size_t packed_size(const std::uint8_t* widths, std::size_t groups, const Exceptions& exc) noexcept {
  std::uint64_t bits = 0;
  for (std::size_t g = 0; g < groups; ++g) bits += widths[g];
  return lane_bytes<W>(bits) + (groups + 3) / 4 + packed_bytes(exc.pos.size(), bit_length(exc.max_gap)) +
         packed_bytes(exc.pos.size(), bit_length(exc.max_high));
}

/// Unary codes of `count` values, code(i) zero bits then a one (LSB-first).
template <class Fn>
void write_unary(std::size_t count, std::uint64_t bits, Fn&& code, std::vector<std::uint8_t>& out) {
  out.assign(static_cast<std::size_t>((bits + 7) / 8), std::uint8_t{0});
  std::uint64_t pos = 0;
  for (std::size_t i = 0; i < count; ++i) {
    pos += code(i);
    out[pos >> 3] = static_cast<std::uint8_t>(out[pos >> 3] | (1u << (pos & 7)));
    ++pos;
  }
}

/// Writes the Rice-coded stream (FORMAT.md) of the transformed values in
/// scratch, unless it would not be smaller than `packed` bytes (in automatic
/// mode) or would exceed the unary limit; returns whether it did.
template <class W>
bool write_rice(Span<const W> x, Transform<W> t, ByteWriter& out, IntScratch& scratch, ChunkWriter& chunks,
                const EncodeOptions& options, std::size_t packed) {
  IntBuffers<W>& b = scratch.buffers<W>();
  const std::size_t n = x.size();
  const std::size_t groups = (n + kGroup - 1) / kGroup;
  scratch.rice_widths.resize(groups);
  std::uint8_t* k = scratch.rice_widths.data();
  const std::uint64_t unary_bits = select_rice(b.zigzag.data(), n, groups, scratch.maxlens.data(), k);
  const std::uint64_t unary_bytes = (unary_bits + 7) / 8;
  if (unary_bytes > max_unary_bytes(n, kBits<W>)) return false;

  // Parameters by rank: the most frequent first, so it takes a 1-bit code.
  std::uint32_t hist[kBits<W>] = {};
  std::uint64_t lane_bits = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    ++hist[k[g]];
    lane_bits += k[g];
  }
  std::uint8_t params[kBits<W>];
  unsigned n_params = 0;
  for (unsigned v = 0; v < kBits<W>; ++v) {
    if (hist[v] != 0) params[n_params++] = static_cast<std::uint8_t>(v);
  }
  std::stable_sort(params, params + n_params, [&](std::uint8_t a, std::uint8_t c) { return hist[a] > hist[c]; });
  std::uint8_t rank[kBits<W>] = {};
  std::uint64_t param_bits = 0;
  for (unsigned r = 0; r < n_params; ++r) {
    rank[params[r]] = static_cast<std::uint8_t>(r);
    param_bits += std::uint64_t{hist[params[r]]} * (r + 1);
  }
  const std::uint64_t param_bytes = (param_bits + 7) / 8;
  const std::uint64_t coded = lane_bytes<W>(lane_bits) + unary_bytes + param_bytes + n_params;
  if (options.entropy != EntropyCoding::always && coded >= packed) return false;

  const std::size_t lane_words = pack_lanes(b.zigzag.data(), groups, k, lane_bits, b.lanes);
  out.u8(static_cast<std::uint8_t>(t.order));
  out.u8(1);  // Rice
  write_seeds(out, t, x[0]);
  out.u8(static_cast<std::uint8_t>(n_params));
  for (unsigned r = 0; r < n_params; ++r) out.u8(params[r]);
  out.varint(static_cast<std::uint32_t>(param_bytes));
  out.varint(static_cast<std::uint32_t>(unary_bytes));
  const std::size_t section = static_cast<std::size_t>(coded);
  write_unary(
      groups, param_bits, [&](std::size_t g) { return rank[k[g]]; }, scratch.unary);
  chunks.write(out, bytes_of(scratch.unary.data(), scratch.unary.size()), options, section);
  chunks.write(out, bytes_of(b.lanes.data(), lane_words * kGroup * sizeof(W)), options, section);
  write_unary(
      n, unary_bits, [&](std::size_t i) { return static_cast<std::uint64_t>(b.zigzag[i] >> k[i / kGroup]); },
      scratch.unary);
  chunks.write(out, bytes_of(scratch.unary.data(), scratch.unary.size()), options, section);
  return true;
}

}  // namespace

template <class W>
void encode_int_stream(Span<const W> x, ByteWriter& out, IntScratch& scratch, ChunkWriter& chunks,
                       const EncodeOptions& options) {
  IntBuffers<W>& b = scratch.buffers<W>();
  const std::size_t n = x.size();
  const std::size_t groups = (n + kGroup - 1) / kGroup;
  const Transform<W> t = choose_transform(x.data(), n);
  b.zigzag.resize(groups * kGroup);
  zigzag_residuals(x.data(), n, t, b.zigzag.data());

  // Widths, twice if the first guess of an exception's cost was off.
  scratch.widths.resize(groups);
  scratch.lens.resize(groups * kGroup);
  scratch.maxlens.resize(groups);
  bit_lengths(b.zigzag.data(), groups, scratch.lens.data(), scratch.maxlens.data());
  Exceptions exc{scratch.int_exc_pos, scratch.int_exc_high};
  unsigned exc_cost = bit_length(n) + 2;
  select_widths(b.zigzag.data(), groups, scratch.lens.data(), scratch.maxlens.data(), exc_cost, scratch.widths.data(),
                exc);
  if (!exc.pos.empty()) {
    const unsigned actual = std::max(1u, bit_length(exc.max_gap) + bit_length(exc.max_high));
    if (actual != exc_cost) {
      exc_cost = actual;
      select_widths(b.zigzag.data(), groups, scratch.lens.data(), scratch.maxlens.data(), exc_cost,
                    scratch.widths.data(), exc);
    }
  }

  if (options.entropy != EntropyCoding::off && n > 0 &&
      write_rice(x, t, out, scratch, chunks, options, packed_size<W>(scratch.widths.data(), groups, exc))) {
    return;
  }

  // Width codes: the three most common consecutive widths get 2-bit codes.
  unsigned hist[kBits<W> + 1] = {};
  for (std::uint8_t w : scratch.widths) ++hist[w];
  unsigned base = 0;
  unsigned covered = 0;
  for (unsigned c = 0; c + 2 <= kBits<W>; ++c) {
    const unsigned k = hist[c] + hist[c + 1] + hist[c + 2];
    if (k > covered) {
      covered = k;
      base = c;
    }
  }
  scratch.width_codes.assign((groups + 3) / 4, 0);
  scratch.width_escapes.clear();
  std::uint64_t total_bits = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const unsigned w = scratch.widths[g];
    total_bits += w;
    unsigned code = w - base;
    if (w < base || code > 2) {
      code = 3;
      scratch.width_escapes.push_back(static_cast<std::uint8_t>(w));
    }
    scratch.width_codes[g / 4] = static_cast<std::uint8_t>(scratch.width_codes[g / 4] | (code << (2 * (g % 4))));
  }

  const std::size_t lane_words = pack_lanes(b.zigzag.data(), groups, scratch.widths.data(), total_bits, b.lanes);

  const unsigned pos_width = bit_length(exc.max_gap);
  const unsigned high_width = bit_length(exc.max_high);
  const auto n_exc = static_cast<std::uint32_t>(exc.pos.size());
  out.u8(static_cast<std::uint8_t>(t.order));
  out.u8(0);  // packed
  write_seeds(out, t, n ? x[0] : W{0});
  out.varint(n_exc);
  out.u8(static_cast<std::uint8_t>(pos_width));
  out.u8(static_cast<std::uint8_t>(high_width));
  out.u8(static_cast<std::uint8_t>(base));
  out.varint(static_cast<std::uint32_t>(scratch.width_escapes.size()));
  const std::size_t section = scratch.width_codes.size() + scratch.width_escapes.size() +
                              lane_words * kGroup * sizeof(W) + packed_bytes(n_exc, pos_width) +
                              packed_bytes(n_exc, high_width);
  chunks.write(out, bytes_of(scratch.width_codes.data(), scratch.width_codes.size()), options, section);
  chunks.write(out, bytes_of(scratch.width_escapes.data(), scratch.width_escapes.size()), options, section);
  chunks.write(out, bytes_of(b.lanes.data(), lane_words * kGroup * sizeof(W)), options, section);
  if (n_exc == 0) return;
  scratch.bits.clear();
  {
    BitWriter bw(scratch.bits);
    for (std::uint32_t j = 0; j < n_exc; ++j) bw.put(j ? exc.pos[j] - exc.pos[j - 1] - 1 : exc.pos[0], pos_width);
    bw.flush();
  }
  chunks.write(out, bytes_of(scratch.bits.data(), scratch.bits.size()), options, section);
  scratch.bits.clear();
  {
    BitWriter bw(scratch.bits);
    for (std::uint64_t h : exc.high) bw.put(h, high_width);
    bw.flush();
  }
  chunks.write(out, bytes_of(scratch.bits.data(), scratch.bits.size()), options, section);
}

namespace {

/// Bits set in v, without the library call baseline x86-64 compiles
/// __builtin_popcountll to.
inline unsigned popcount64(std::uint64_t v) noexcept {
  v = v - ((v >> 1) & 0x5555555555555555ull);
  v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
  v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<unsigned>((v * 0x0101010101010101ull) >> 56);
}

/// Sums the widths the codes and escapes describe, validating them. Eight
/// code bytes (32 groups) at a time: code 3 is where both bits are set.
std::uint64_t total_width_bits(ByteReader& in, const RowStream& s, std::size_t n_escapes, unsigned max_width) {
  constexpr std::uint64_t kLow = 0x5555555555555555ull;
  const std::size_t bytes = (s.groups + 3) / 4;
  if (s.groups % 4 != 0 && (s.width_codes[bytes - 1] >> (2 * (s.groups % 4))) != 0) {
    in.error("unused width codes are not 0");
  }
  std::uint64_t escapes = 0;
  std::uint64_t code_sum = 0;  // of all codes, escapes counted as 3
  for (std::size_t i = 0; i < bytes; i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.width_codes + i, bytes - i < 8 ? bytes - i : 8);
    escapes += popcount64(w & (w >> 1) & kLow);
    code_sum += popcount64(w & kLow) + 2 * std::uint64_t{popcount64(w & (kLow << 1))};
  }
  if (escapes != n_escapes) {
    in.error(std::to_string(escapes) + " escaped widths coded, " + std::to_string(n_escapes) + " stored");
  }
  std::uint64_t total = code_sum - 3 * escapes + std::uint64_t{s.width_base} * (s.groups - escapes);
  for (std::size_t e = 0; e < n_escapes; ++e) {
    if (s.width_escapes[e] > max_width) {
      in.error("escaped width " + std::to_string(s.width_escapes[e]) + " above " + std::to_string(max_width));
    }
    total += s.width_escapes[e];
  }
  return total;
}

/// Reads a chunk of `bytes` bytes of unary codes and checks that it ends in
/// the byte of its last code (FORMAT.md, "Unary codes"). The decoders find
/// too few or too many codes themselves.
UnaryCursor read_unary(ByteReader& in, ChunkReader& chunks, std::uint64_t bytes, std::size_t count, const char* what) {
  const ChunkRef ref = read_chunk(in, bytes, what);
  UnaryCursor c;
  c.bits = reinterpret_cast<const std::uint8_t*>(chunks.materialize(ref, in.section(), what).data());
  c.bytes = static_cast<std::size_t>(bytes);
  if (count > 0 && c.bits[c.bytes - 1] == 0) in.error(std::string(what) + ": bytes after the last code");
  return c;
}

/// The fields of a Rice-coded stream after its seeds (FORMAT.md, "Rice-coded
/// integer stream"): parameters by rank, their codes, lanes, quotients.
template <class W>
void read_rice(ByteReader& in, ChunkReader& chunks, RowStream& s) {
  const std::size_t count = s.count;
  const unsigned n_params = in.u8("Rice parameter count");
  if ((n_params == 0) != (count == 0) || n_params > kBits<W>) {
    in.error(std::to_string(n_params) + " Rice parameters for " + std::to_string(count) + " values");
  }
  std::uint8_t params[kBits<W>];
  for (unsigned r = 0; r < n_params; ++r) {
    params[r] = in.u8("Rice parameter");
    // Below the lane width, so q << k never shifts out every bit.
    if (params[r] >= kBits<W>)
      in.error("Rice parameter " + std::to_string(params[r]) + " is not below " + std::to_string(kBits<W>));
  }
  const std::uint32_t param_bytes = in.varint("Rice parameter code bytes");
  if (param_bytes > (std::uint64_t{s.groups} * n_params + 7) / 8 || (param_bytes == 0) != (count == 0)) {
    in.error(std::to_string(param_bytes) + " bytes of Rice parameter codes for " + std::to_string(s.groups) +
             " groups");
  }
  const std::uint32_t unary_bytes = in.varint("quotient code bytes");
  if (unary_bytes > max_unary_bytes(count, kBits<W>) || (unary_bytes == 0) != (count == 0)) {
    in.error(std::to_string(unary_bytes) + " bytes of quotient codes for " + std::to_string(count) + " values");
  }
  // The ranks, then the widths they stand for.
  auto* ranks = reinterpret_cast<std::uint32_t*>(chunks.scratch(0, (std::size_t{s.groups} + 128) * 4));
  auto* widths = reinterpret_cast<std::uint8_t*>(chunks.scratch(1, s.groups + 8));
  UnaryCursor rc = read_unary(in, chunks, param_bytes, s.groups, "Rice parameter codes");
  const Kernels& k = kernels();
  const std::size_t codes = s.groups > 0 ? k.unary32(rc, s.groups, ranks) : 0;
  if (codes != s.groups || rc.pos < rc.bytes) {
    in.error("Rice parameter codes: " + std::string(codes < s.groups ? "fewer" : "more") + " than the " +
             std::to_string(s.groups) + " groups");
  }
  std::uint32_t max_rank = 0;
  for (std::size_t g = 0; g < s.groups; ++g) max_rank = std::max(max_rank, ranks[g]);
  if (s.groups > 0 && max_rank >= n_params) {
    in.error("Rice parameter rank " + std::to_string(max_rank) + " of " + std::to_string(n_params));
  }
  std::uint64_t total_bits = 0;
  for (std::size_t g = 0; g < s.groups; ++g) {
    widths[g] = params[ranks[g]];
    total_bits += widths[g];
  }
  s.widths = widths;
  s.lane_words = static_cast<std::size_t>((total_bits + kBits<W> - 1) / kBits<W>);
  const ChunkRef lref = read_chunk(in, s.lane_words * kGroup * sizeof(W), "packed lanes");
  s.lanes = chunks.materialize(lref, in.section(), "packed lanes").data();
  s.quotients = read_unary(in, chunks, unary_bytes, count, "quotient codes");
  if constexpr (sizeof(W) == 2) {
    s.unary = k.unary16;
  } else if constexpr (sizeof(W) == 4) {
    s.unary = k.unary32;
  } else {
    s.unary = k.unary64;
  }
}

/// The fields of a packed stream after its seeds.
template <class W>
void read_packed(ByteReader& in, ChunkReader& chunks, RowStream& s) {
  const std::size_t count = s.count;
  s.exceptions = in.varint("exception count");
  if (s.exceptions > count) {
    in.error(std::to_string(s.exceptions) + " exceptions for " + std::to_string(count) + " values");
  }
  s.pos_width = in.u8("exception position width");
  s.high_width = in.u8("exception high-bit width");
  if (s.pos_width > 32) in.error("exception position width " + std::to_string(s.pos_width) + " exceeds 32");
  if (s.high_width > kBits<W> || (s.exceptions > 0 && s.high_width == 0)) {
    in.error("exception high-bit width " + std::to_string(s.high_width) + " is not in 1.." + std::to_string(kBits<W>));
  }
  s.width_base = in.u8("width base");
  if (s.width_base + 2 > kBits<W>) in.error("width base " + std::to_string(s.width_base) + " too large");
  const std::uint32_t n_escapes = in.varint("escaped width count");
  if (n_escapes > s.groups)
    in.error(std::to_string(n_escapes) + " escaped widths for " + std::to_string(s.groups) + " groups");

  const ChunkRef cref = read_chunk(in, (s.groups + 3) / 4, "width codes");
  const ChunkRef eref = read_chunk(in, n_escapes, "escaped widths");
  // The kernels read one byte past the last escape; a stored escape chunk is
  // followed by the lanes chunk's method byte, a decompressed one by slack.
  s.width_codes = reinterpret_cast<const std::uint8_t*>(chunks.materialize(cref, in.section(), "width codes").data());
  s.width_escapes =
      reinterpret_cast<const std::uint8_t*>(chunks.materialize(eref, in.section(), "escaped widths").data());
  const std::uint64_t total_bits = total_width_bits(in, s, n_escapes, kBits<W>);
  s.lane_words = static_cast<std::size_t>((total_bits + kBits<W> - 1) / kBits<W>);
  const ChunkRef lref = read_chunk(in, s.lane_words * kGroup * sizeof(W), "packed lanes");
  s.lanes = chunks.materialize(lref, in.section(), "packed lanes").data();
  if (s.exceptions > 0) {
    const ChunkRef pref = read_chunk(in, packed_bytes(s.exceptions, s.pos_width), "exception positions");
    const ChunkRef href = read_chunk(in, packed_bytes(s.exceptions, s.high_width), "exception high bits");
    const Span<const std::byte> pos = chunks.materialize(pref, in.section(), "exception positions");
    const Span<const std::byte> high = chunks.materialize(href, in.section(), "exception high bits");
    s.exc_pos = pos.data();
    s.exc_pos_bytes = pos.size();
    s.exc_high = high.data();
    s.exc_high_bytes = high.size();
  }
}

}  // namespace

template <class W>
void decode_int_stream(ByteReader& in, std::size_t count, std::byte* out, ChunkReader& chunks) {
  RowStream s;
  s.count = count;
  s.groups = (count + kGroup - 1) / kGroup;
  s.order = in.u8("delta order");
  const unsigned max_order = chunks.version() >= 4 ? kMaxOrder : 2;
  if (s.order > max_order) {
    in.error("delta order " + std::to_string(s.order) + " (expected 0 ... " + std::to_string(max_order) +
             " in a version-" + std::to_string(chunks.version()) + " block)");
  }
  const unsigned coding = in.u8("residual coding");
  if (coding > 1 || (coding == 1 && chunks.version() < 3)) {
    in.error("residual coding " + std::to_string(coding) + " (expected 0" +
             (chunks.version() < 3 ? std::string(" in a version-") + std::to_string(chunks.version()) + " block)"
                                   : std::string(" or 1)")));
  }
  s.ref = in.fixed<W>("reference");
  s.seed1 = in.fixed<W>("first seed");
  s.seed2 = in.fixed<W>("second seed");
  if (s.order >= 3) {
    s.seed3 = in.fixed<W>("third seed");
    s.seed4 = in.fixed<W>("fourth seed");
  }
  if (coding == 1) {
    read_rice<W>(in, chunks, s);
  } else {
    read_packed<W>(in, chunks, s);
  }
  const Kernels& k = kernels();
  if constexpr (sizeof(W) == 2) {
    k.rows16(s, out);
  } else if constexpr (sizeof(W) == 4) {
    k.rows32(s, out);
  } else {
    k.rows64(s, out);
  }
}

#define TSWEEP_INSTANTIATE(W)                                                                                      \
  template void encode_int_stream<W>(Span<const W>, ByteWriter&, IntScratch&, ChunkWriter&, const EncodeOptions&); \
  template void decode_int_stream<W>(ByteReader&, std::size_t, std::byte*, ChunkReader&);
TSWEEP_INSTANTIATE(std::uint16_t)
TSWEEP_INSTANTIATE(std::uint32_t)
TSWEEP_INSTANTIATE(std::uint64_t)
#undef TSWEEP_INSTANTIATE

}  // namespace tsweep::codec::detail
