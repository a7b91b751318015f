#include "detail/int_stream.hpp"

#include <algorithm>
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

/// Residuals of delta order `order` with seeds x[-1] = x[-2] = x[0], so the
/// first residuals are 0 (order 1) or 0 and x[1]-x[0] (order 2).
template <class W>
void residuals(const W* x, std::size_t n, unsigned order, W* r) noexcept {
  if (n == 0) return;
  if (order == 0) {
    std::copy(x, x + n, r);
    return;
  }
  r[0] = 0;
  if (order == 1) {
    for (std::size_t i = 1; i < n; ++i) r[i] = static_cast<W>(Wide<W>{x[i]} - x[i - 1]);
    return;
  }
  if (n > 1) r[1] = static_cast<W>(Wide<W>{x[1]} - x[0]);
  for (std::size_t i = 2; i < n; ++i) {
    r[i] = static_cast<W>(Wide<W>{x[i]} - Wide<W>{x[i - 1]} - x[i - 1] + x[i - 2]);
  }
}

/// Bits the packed groups would take (ignoring exceptions): a cheap proxy
/// for comparing transforms.
template <class W>
std::uint64_t packed_cost(const W* r, std::size_t n, W ref) noexcept {
  std::uint64_t bits = 0;
  std::size_t g = 0;
  for (; g + kGroup <= n; g += kGroup) {
    W acc = 0;
    for (std::size_t l = 0; l < kGroup; ++l) acc = static_cast<W>(acc | zigzag<W>(static_cast<W>(r[g + l] - ref)));
    bits += bit_length(acc);
  }
  W acc = 0;
  for (; g < n; ++g) acc = static_cast<W>(acc | zigzag<W>(static_cast<W>(r[g] - ref)));
  bits += bit_length(acc);
  return bits * kGroup;
}

template <class W>
struct Transform {
  unsigned order = 0;
  W ref = 0;
};

/// Picks the delta order and reference: reference 0 suits residuals centred
/// on zero; the midpoint of their range (frame of reference) suits offset
/// data without deltas and constant steps.
template <class W>
Transform<W> choose_transform(const W* x, std::size_t n, std::vector<W>& r) {
  using S = std::make_signed_t<W>;
  Transform<W> best;
  std::uint64_t best_cost = ~std::uint64_t{0};
  r.resize(n);
  for (unsigned order = 0; order <= 2; ++order) {
    residuals(x, n, order, r.data());
    S lo = n ? static_cast<S>(r[0]) : S{0};
    S hi = lo;
    for (std::size_t i = 0; i < n; ++i) {
      const auto v = static_cast<S>(r[i]);
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    const auto mid = static_cast<W>(static_cast<W>(lo) +
                                    static_cast<W>((static_cast<W>(hi) - static_cast<W>(lo)) / 2));
    const std::uint64_t c0 = packed_cost<W>(r.data(), n, 0);
    if (c0 < best_cost) {
      best_cost = c0;
      best = {order, 0};
    }
    if (mid != 0) {
      const std::uint64_t cm = packed_cost<W>(r.data(), n, mid);
      if (cm < best_cost) {
        best_cost = cm;
        best = {order, mid};
      }
    }
  }
  return best;
}

/// Width for one group of 16 minimising 16 * w + exc_cost * (values wider than w).
template <class W>
unsigned choose_width(const W* z, unsigned exc_cost) noexcept {
  unsigned lens[kGroup];
  unsigned maxlen = 0;
  for (std::size_t l = 0; l < kGroup; ++l) {
    lens[l] = bit_length(z[l]);
    maxlen = lens[l] > maxlen ? lens[l] : maxlen;
  }
  if (maxlen <= 1) return maxlen;
  unsigned hist[kBits<W> + 1];
  std::fill(hist, hist + maxlen + 1, 0u);
  for (unsigned len : lens) ++hist[len];
  unsigned best = maxlen;
  unsigned best_cost = static_cast<unsigned>(kGroup) * maxlen;
  unsigned above = 0;
  for (unsigned w = maxlen; w-- > 0;) {
    above += hist[w + 1];
    const unsigned cost = static_cast<unsigned>(kGroup) * w + exc_cost * above;
    if (cost < best_cost) {
      best = w;
      best_cost = cost;
    }
  }
  return best;
}

struct ExceptionStats {
  std::uint32_t count = 0;
  std::uint64_t max_gap = 0;
  std::uint64_t max_high = 0;
};

template <class W>
ExceptionStats select_widths(const W* z, std::size_t groups, unsigned exc_cost,
                             std::vector<std::uint8_t>& widths) {
  ExceptionStats st;
  std::uint64_t last = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const unsigned w = choose_width(z + g * kGroup, exc_cost);
    widths[g] = static_cast<std::uint8_t>(w);
    for (std::size_t l = 0; l < kGroup; ++l) {
      const W v = z[g * kGroup + l];
      if (bit_length(v) > w) {
        const std::uint64_t p = g * kGroup + l;
        const std::uint64_t gap = st.count ? p - last - 1 : p;
        st.max_gap = std::max(st.max_gap, gap);
        st.max_high = std::max<std::uint64_t>(st.max_high, static_cast<std::uint64_t>(v) >> w);
        last = p;
        ++st.count;
      }
    }
  }
  return st;
}

Span<const std::byte> bytes_of(const void* p, std::size_t n) noexcept {
  return {static_cast<const std::byte*>(p), n};
}

}  // namespace

template <class W>
void encode_int_stream(Span<const W> x, ByteWriter& out, IntScratch& scratch, ChunkWriter& chunks,
                       const EncodeOptions& options) {
  IntBuffers<W>& b = scratch.buffers<W>();
  const std::size_t n = x.size();
  const std::size_t groups = (n + kGroup - 1) / kGroup;
  const Transform<W> t = choose_transform(x.data(), n, b.residual);
  residuals(x.data(), n, t.order, b.residual.data());
  b.zigzag.assign(groups * kGroup, W{0});
  for (std::size_t i = 0; i < n; ++i) b.zigzag[i] = zigzag<W>(static_cast<W>(b.residual[i] - t.ref));

  // Widths, twice if the first guess of an exception's cost was off.
  scratch.widths.resize(groups);
  unsigned exc_cost = bit_length(n) + 2;
  ExceptionStats st = select_widths(b.zigzag.data(), groups, exc_cost, scratch.widths);
  if (st.count > 0) {
    const unsigned actual = std::max(1u, bit_length(st.max_gap) + bit_length(st.max_high));
    if (actual != exc_cost) {
      exc_cost = actual;
      st = select_widths(b.zigzag.data(), groups, exc_cost, scratch.widths);
    }
  }

  // Pack the low bits into 16 lanes sharing one bit offset per group.
  std::uint64_t total_bits = 0;
  for (std::uint8_t w : scratch.widths) total_bits += w;
  const std::size_t lane_words = static_cast<std::size_t>((total_bits + kBits<W> - 1) / kBits<W>);
  b.lanes.assign((lane_words + 1) * kGroup, W{0});
  std::uint64_t bit = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const unsigned w = scratch.widths[g];
    if (w == 0) continue;
    const std::size_t k = static_cast<std::size_t>(bit / kBits<W>);
    const unsigned sh = static_cast<unsigned>(bit % kBits<W>);
    const W mask = mask_of<W>(w);
    W* cur = b.lanes.data() + k * kGroup;
    W* nxt = cur + kGroup;
    const W* z = b.zigzag.data() + g * kGroup;
    for (std::size_t l = 0; l < kGroup; ++l) {
      const Wide<W> v = static_cast<W>(z[l] & mask);
      cur[l] = static_cast<W>(cur[l] | static_cast<W>(v << sh));
      nxt[l] = static_cast<W>(nxt[l] | static_cast<W>((v >> 1) >> (kBits<W> - 1 - sh)));
    }
    bit += w;
  }

  const unsigned pos_width = bit_length(st.max_gap);
  const unsigned high_width = bit_length(st.max_high);
  out.u8(static_cast<std::uint8_t>(t.order));
  out.u8(0);
  const W seed = n ? x[0] : W{0};
  out.fixed<W>(t.ref);
  out.fixed<W>(seed);
  out.fixed<W>(seed);
  out.varint(st.count);
  out.u8(static_cast<std::uint8_t>(pos_width));
  out.u8(static_cast<std::uint8_t>(high_width));
  chunks.write(out, bytes_of(scratch.widths.data(), groups), options);
  chunks.write(out, bytes_of(b.lanes.data(), lane_words * kGroup * sizeof(W)), options);
  if (st.count == 0) return;

  scratch.bits.clear();
  {
    BitWriter bw(scratch.bits);
    std::uint64_t last = 0;
    std::uint32_t k = 0;
    for (std::size_t g = 0; g < groups; ++g) {
      const unsigned w = scratch.widths[g];
      for (std::size_t l = 0; l < kGroup; ++l) {
        const std::uint64_t p = g * kGroup + l;
        if (bit_length(b.zigzag[p]) > w) {
          bw.put(k ? p - last - 1 : p, pos_width);
          last = p;
          ++k;
        }
      }
    }
    bw.flush();
  }
  chunks.write(out, bytes_of(scratch.bits.data(), scratch.bits.size()), options);
  scratch.bits.clear();
  {
    BitWriter bw(scratch.bits);
    for (std::size_t g = 0; g < groups; ++g) {
      const unsigned w = scratch.widths[g];
      for (std::size_t l = 0; l < kGroup; ++l) {
        const W v = b.zigzag[g * kGroup + l];
        if (bit_length(v) > w) bw.put(static_cast<std::uint64_t>(v) >> w, high_width);
      }
    }
    bw.flush();
  }
  chunks.write(out, bytes_of(scratch.bits.data(), scratch.bits.size()), options);
}

template <class W>
void decode_int_stream(ByteReader& in, std::size_t count, std::byte* out, ChunkReader& chunks) {
  RowStream s;
  s.count = count;
  s.groups = (count + kGroup - 1) / kGroup;
  s.order = in.u8("delta order");
  if (s.order > 2) in.error("delta order " + std::to_string(s.order) + " (expected 0, 1 or 2)");
  if (in.u8("reserved byte") != 0) in.error("reserved byte after the delta order is not 0");
  s.ref = in.fixed<W>("reference");
  s.seed1 = in.fixed<W>("first seed");
  s.seed2 = in.fixed<W>("second seed");
  s.exceptions = in.varint("exception count");
  if (s.exceptions > count) {
    in.error(std::to_string(s.exceptions) + " exceptions for " + std::to_string(count) + " values");
  }
  s.pos_width = in.u8("exception position width");
  s.high_width = in.u8("exception high-bit width");
  if (s.pos_width > 32) in.error("exception position width " + std::to_string(s.pos_width) + " exceeds 32");
  if (s.high_width > kBits<W> || (s.exceptions > 0 && s.high_width == 0)) {
    in.error("exception high-bit width " + std::to_string(s.high_width) + " is not in 1.." +
             std::to_string(kBits<W>));
  }

  const ChunkRef wref = read_chunk(in, s.groups, "bit widths");
  const Span<const std::byte> widths = chunks.materialize(wref, in.section(), "bit widths");
  std::uint64_t total_bits = 0;
  for (std::size_t g = 0; g < s.groups; ++g) {
    const auto w = static_cast<std::uint8_t>(widths[g]);
    if (w > kBits<W>) {
      in.error("group " + std::to_string(g) + " has bit width " + std::to_string(w) + " above " +
               std::to_string(kBits<W>));
    }
    total_bits += w;
  }
  s.widths = reinterpret_cast<const std::uint8_t*>(widths.data());
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
  const Kernels& k = kernels();
  if constexpr (sizeof(W) == 2) {
    k.rows16(s, out);
  } else if constexpr (sizeof(W) == 4) {
    k.rows32(s, out);
  } else {
    k.rows64(s, out);
  }
}

#define TSWEEP_INSTANTIATE(W)                                                                   \
  template void encode_int_stream<W>(Span<const W>, ByteWriter&, IntScratch&, ChunkWriter&,     \
                                     const EncodeOptions&);                                     \
  template void decode_int_stream<W>(ByteReader&, std::size_t, std::byte*, ChunkReader&);
TSWEEP_INSTANTIATE(std::uint16_t)
TSWEEP_INSTANTIATE(std::uint32_t)
TSWEEP_INSTANTIATE(std::uint64_t)
#undef TSWEEP_INSTANTIATE

}  // namespace tsweep::codec::detail
