#include "detail/value_streams.hpp"

#include <cfloat>
#include <cstring>
#include <string>
#include <type_traits>

#include "kernels/kernels.hpp"

// The decimal encoding's rounding trick and its exact-round-trip check both
// assume IEEE arithmetic without excess precision.
static_assert(FLT_EVAL_METHOD == 0, "decimal floats need FLT_EVAL_METHOD == 0 (SSE2, NEON)");

namespace tsweep::codec::detail {

void encode_plain(const std::byte* values, std::size_t bytes, ByteWriter& out, ChunkWriter& chunks,
                  const EncodeOptions& options) {
  chunks.write(out, {values, bytes}, options);
}

void decode_plain(ByteReader& in, std::size_t bytes, std::byte* out, ChunkReader& chunks) {
  const ChunkRef c = read_chunk(in, bytes, "plain values");
  const Span<const std::byte> data = chunks.materialize(c, in.section(), "plain values");
  if (bytes) std::memcpy(out, data.data(), bytes);
}

namespace {

template <class W>
void shuffle_planes(const std::byte* values, std::size_t n, bool xor_previous, std::byte* planes) {
  W prev = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const W u = load_le<W>(values + i * sizeof(W));
    const W v = xor_previous ? static_cast<W>(u ^ prev) : u;
    prev = u;
    for (std::size_t b = 0; b < sizeof(W); ++b) {
      planes[b * n + i] = static_cast<std::byte>((v >> (8 * b)) & 0xFF);
    }
  }
}

template <class W>
void unshuffle_planes(const std::byte* planes, std::size_t n, bool xor_previous, std::byte* out) {
  W prev = 0;
  for (std::size_t i = 0; i < n; ++i) {
    W v = 0;
    for (std::size_t b = 0; b < sizeof(W); ++b) {
      v = static_cast<W>(v | (static_cast<W>(static_cast<std::uint8_t>(planes[b * n + i])) << (8 * b)));
    }
    if (xor_previous) {
      v = static_cast<W>(v ^ prev);
      prev = v;
    }
    store_le<W>(out + i * sizeof(W), v);
  }
}

}  // namespace

void encode_shuffle(const std::byte* values, std::size_t n, std::size_t size, bool xor_previous, ByteWriter& out,
                    std::vector<std::byte>& scratch, ChunkWriter& chunks, const EncodeOptions& options) {
  scratch.resize(n * size);
  if (size == 4) {
    shuffle_planes<std::uint32_t>(values, n, xor_previous, scratch.data());
  } else {
    shuffle_planes<std::uint64_t>(values, n, xor_previous, scratch.data());
  }
  out.u8(xor_previous ? 1 : 0);
  chunks.write(out, {scratch.data(), n * size}, options);
}

void decode_shuffle(ByteReader& in, std::size_t n, std::size_t size, std::byte* out, ChunkReader& chunks) {
  const std::uint8_t flag = in.u8("shuffle flags");
  if (flag > 1) in.error("shuffle flags " + std::to_string(flag) + " (expected 0 or 1)");
  const ChunkRef c = read_chunk(in, n * size, "byte planes");
  const Span<const std::byte> planes = chunks.materialize(c, in.section(), "byte planes");
  if (size == 4) {
    unshuffle_planes<std::uint32_t>(planes.data(), n, flag == 1, out);
  } else {
    unshuffle_planes<std::uint64_t>(planes.data(), n, flag == 1, out);
  }
}

// ---- Decimal floats (the ALP idea: Afroozeh, Kuffo, Boncz, SIGMOD 2024) ----

namespace {

template <class F>
struct Decimal;

template <>
struct Decimal<double> {
  using I = std::int64_t;
  using W = std::uint64_t;
  static constexpr unsigned kMaxE = 18;
  static constexpr double kLimit = 2251799813685248.0;  // 2^51: exact magic rounding and conversion
  static constexpr double kMagic = 6755399441055744.0;  // 1.5 * 2^52
  static constexpr double kPow[kMaxE + 1] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                             1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
  static constexpr double kInv[kMaxE + 1] = {1e-0,  1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,  1e-8, 1e-9,
                                             1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18};
};

template <>
struct Decimal<float> {
  using I = std::int32_t;
  using W = std::uint32_t;
  static constexpr unsigned kMaxE = 10;
  static constexpr float kLimit = 4194304.0f;   // 2^22
  static constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  static constexpr float kPow[kMaxE + 1] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
  static constexpr float kInv[kMaxE + 1] = {1e-0f, 1e-1f, 1e-2f, 1e-3f, 1e-4f, 1e-5f,
                                            1e-6f, 1e-7f, 1e-8f, 1e-9f, 1e-10f};
};

template <class F>
typename Decimal<F>::W bits_of(F v) noexcept {
  typename Decimal<F>::W w;
  std::memcpy(&w, &v, sizeof w);
  return w;
}

/// The integer n with (n * 10^f) / 10^e == v bit for bit, if there is one
/// that the rounding finds. NaN, infinities, -0.0 and most denormals are not.
/// Dividing by the exact power of ten (rather than multiplying by an inexact
/// 10^-e) reproduces every correctly rounded decimal, as parsers produce them.
template <class F>
inline bool to_decimal(F v, unsigned e, unsigned f, typename Decimal<F>::I& n) noexcept {
  using D = Decimal<F>;
  const F y = (v * D::kPow[e]) * D::kInv[f];
  if (!(y < D::kLimit && y > -D::kLimit)) return false;
  const F r = (y + D::kMagic) - D::kMagic;
  n = static_cast<typename D::I>(r);
  const F back = (static_cast<F>(n) * D::kPow[f]) / D::kPow[e];
  return bits_of(back) == bits_of(v);
}

}  // namespace

template <class F>
DecimalParams choose_decimal(const F* v, std::size_t n) noexcept {
  using D = Decimal<F>;
  using I = typename D::I;
  using W = typename D::W;
  DecimalParams best;
  if (n == 0) return best;
  const std::size_t samples = n < 128 ? n : 128;
  const std::size_t stride = n / samples;
  std::uint64_t best_cost = ~std::uint64_t{0};
  for (unsigned e = 0; e <= D::kMaxE; ++e) {
    for (unsigned f = 0; f <= e; ++f) {
      std::size_t exc = 0;
      I lo = 0;
      I hi = 0;
      bool any = false;
      for (std::size_t s = 0; s < samples; ++s) {
        I k;
        if (!to_decimal(v[s * stride], e, f, k)) {
          ++exc;
        } else if (!any) {
          lo = hi = k;
          any = true;
        } else {
          lo = k < lo ? k : lo;
          hi = k > hi ? k : hi;
        }
      }
      const unsigned width = any ? bit_length(static_cast<W>(static_cast<W>(hi) - static_cast<W>(lo))) : 0;
      const std::uint64_t cost = exc * (8 * sizeof(F) + 16) + (samples - exc) * width;
      if (cost < best_cost) {
        best_cost = cost;
        best.e = e;
        best.f = f;
        best.exception_fraction = static_cast<double>(exc) / static_cast<double>(samples);
      }
    }
  }
  return best;
}

template <class F>
std::uint32_t encode_decimal(const F* v, std::size_t n, DecimalParams p, ByteWriter& out, IntScratch& scratch,
                             ChunkWriter& chunks, const EncodeOptions& options) {
  using D = Decimal<F>;
  using I = typename D::I;
  using W = typename D::W;
  std::vector<W>* ints = nullptr;
  if constexpr (sizeof(W) == 4) {
    ints = &scratch.ints32;
  } else {
    ints = &scratch.ints64;
  }
  ints->resize(n);
  scratch.exc_pos.clear();
  scratch.exc_raw.clear();
  I prev = 0;  // exceptions repeat the previous integer, so they cost the deltas nothing
  for (std::size_t i = 0; i < n; ++i) {
    I k;
    if (to_decimal(v[i], p.e, p.f, k)) {
      prev = k;
    } else {
      scratch.exc_pos.push_back(static_cast<std::uint32_t>(i));
      const W raw = bits_of(v[i]);
      const auto* rb = reinterpret_cast<const std::byte*>(&raw);
      scratch.exc_raw.insert(scratch.exc_raw.end(), rb, rb + sizeof raw);
    }
    (*ints)[i] = static_cast<W>(prev);
  }
  const auto n_exc = static_cast<std::uint32_t>(scratch.exc_pos.size());
  std::uint64_t max_gap = 0;
  for (std::size_t j = 0; j < n_exc; ++j) {
    const std::uint64_t gap = j ? scratch.exc_pos[j] - scratch.exc_pos[j - 1] - 1 : scratch.exc_pos[0];
    max_gap = gap > max_gap ? gap : max_gap;
  }
  const unsigned pos_width = bit_length(max_gap);
  out.u8(static_cast<std::uint8_t>(p.e));
  out.u8(static_cast<std::uint8_t>(p.f));
  out.varint(n_exc);
  out.u8(static_cast<std::uint8_t>(pos_width));
  const std::size_t start = out.size();
  encode_int_stream<W>(Span<const W>(ints->data(), n), out, scratch, chunks, options);
  if (n_exc == 0) return 0;
  const std::size_t section = out.size() - start + packed_bytes(n_exc, pos_width) + scratch.exc_raw.size();
  scratch.bits.clear();
  BitWriter bw(scratch.bits);
  for (std::size_t j = 0; j < n_exc; ++j) {
    bw.put(j ? scratch.exc_pos[j] - scratch.exc_pos[j - 1] - 1 : scratch.exc_pos[0], pos_width);
  }
  bw.flush();
  chunks.write(out, {scratch.bits.data(), scratch.bits.size()}, options, section);
  chunks.write(out, {scratch.exc_raw.data(), scratch.exc_raw.size()}, options, section);
  return n_exc;
}

template <class F>
void decode_decimal(ByteReader& in, std::size_t n, std::byte* out, ChunkReader& chunks) {
  using D = Decimal<F>;
  using W = typename D::W;
  const unsigned e = in.u8("decimal exponent");
  const unsigned f = in.u8("decimal factor");
  if (e > D::kMaxE || f > e) {
    in.error("decimal exponents e=" + std::to_string(e) + " f=" + std::to_string(f) +
             " (expected f <= e <= " + std::to_string(D::kMaxE) + ")");
  }
  const std::uint32_t n_exc = in.varint("decimal exception count");
  if (n_exc > n) in.error(std::to_string(n_exc) + " decimal exceptions for " + std::to_string(n) + " values");
  const unsigned pos_width = in.u8("decimal exception position width");
  if (pos_width > 32) in.error("decimal exception position width " + std::to_string(pos_width) + " exceeds 32");
  decode_int_stream<W>(in, n, out, chunks);
  if constexpr (sizeof(W) == 8) {
    kernels().decimal64(out, n, D::kPow[f], D::kPow[e]);
  } else {
    kernels().decimal32(out, n, D::kPow[f], D::kPow[e]);
  }
  if (n_exc == 0) return;
  const ChunkRef pref = read_chunk(in, packed_bytes(n_exc, pos_width), "decimal exception positions");
  const ChunkRef vref = read_chunk(in, std::uint64_t{n_exc} * sizeof(W), "decimal exception values");
  const Span<const std::byte> pos = chunks.materialize(pref, in.section(), "decimal exception positions");
  const Span<const std::byte> raw = chunks.materialize(vref, in.section(), "decimal exception values");
  std::uint64_t at = 0;
  for (std::uint32_t j = 0; j < n_exc; ++j) {
    const std::uint64_t gap = read_packed(pos.data(), pos.size(), std::uint64_t{j} * pos_width, pos_width);
    at = j ? at + 1 + gap : gap;
    if (at >= n) in.error("decimal exception position " + std::to_string(at) + " beyond the last sample");
    std::memcpy(out + at * sizeof(W), raw.data() + std::size_t{j} * sizeof(W), sizeof(W));
  }
}

template DecimalParams choose_decimal<float>(const float*, std::size_t) noexcept;
template DecimalParams choose_decimal<double>(const double*, std::size_t) noexcept;
template std::uint32_t encode_decimal<float>(const float*, std::size_t, DecimalParams, ByteWriter&, IntScratch&,
                                             ChunkWriter&, const EncodeOptions&);
template std::uint32_t encode_decimal<double>(const double*, std::size_t, DecimalParams, ByteWriter&, IntScratch&,
                                              ChunkWriter&, const EncodeOptions&);
template void decode_decimal<float>(ByteReader&, std::size_t, std::byte*, ChunkReader&);
template void decode_decimal<double>(ByteReader&, std::size_t, std::byte*, ChunkReader&);

}  // namespace tsweep::codec::detail
