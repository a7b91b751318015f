// The summary loops, included once per instruction set inside its own
// namespace (summary_generic.cpp, summary_avx2.cpp). TSWEEP_SUMMARY_AVX2 adds
// 32-byte vector paths for the common types; they compute the same integers
// as the portable loops and the same floating-point lanes, so every
// implementation returns bitwise the same summary.
//
// Flat runs: e[i] = (v[i] bitwise equals v[i-1]) and v[i] is not NaN, for
// 1 <= i < n; a run of length L is a sample that starts it followed by L-1
// set bits, so the longest run is one more than the longest stretch of set
// bits (when any sample is not NaN). The bits are scanned 64 at a time.

namespace {

constexpr std::size_t kChunk = std::size_t{1} << 16;  // integer sums stay in 64-bit lanes within a chunk

struct RunScan {
  std::int64_t cur = 0;   // set bits ending at the last bit seen
  std::int64_t best = 0;  // longest stretch of set bits
  std::int64_t head = 0;  // set bits before the first clear one
  bool seen_zero = false;

  void word(std::uint64_t m, unsigned nb) noexcept {  // nb in 1..64; only the low nb bits of m are used
    const std::uint64_t full = nb == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << nb) - 1);
    m &= full;
    if (m == full) {
      cur += nb;
      if (!seen_zero) head += nb;
      return;
    }
    const auto lead = static_cast<unsigned>(__builtin_ctzll(~m));
    if (!seen_zero) {
      head += lead;
      seen_zero = true;
    }
    best = std::max<std::int64_t>(best, cur + lead);
    // A stretch inside the word matters only if it beats `best`: test for one
    // of best + 1 set bits in O(log) steps, and measure it only then.
    if (best < 64) {
      const auto want = static_cast<unsigned>(best) + 1;
      std::uint64_t x = m;  // bit i set: bits i .. i + have - 1 of m are all set
      unsigned have = 1;
      while (have * 2 <= want) {
        x &= x >> have;
        have *= 2;
      }
      if (have < want) x &= x >> (want - have);
      if (x != 0) {
        unsigned longest = want;
        for (x &= x >> 1; x != 0; x &= x >> 1) ++longest;
        best = longest;
      }
    }
    cur = __builtin_clzll(~(m << (64 - nb)));
  }
  std::int64_t longest() const noexcept { return std::max(best, cur); }
};

// Fills the flat-run fields of `s` from the equality bits produced by `bits`
// (bits(w, nb) returns e[w .. w + nb) as the low bits of a word).
template <class Bits>
void flat_runs(std::size_t n, bool first_is_value, bool last_is_value, bool any_value, Bits bits, Summary& s) noexcept {
  RunScan scan;
  for (std::size_t w = 1; w < n; w += 64) {
    const auto nb = static_cast<unsigned>(std::min<std::size_t>(64, n - w));
    scan.word(bits(w, nb), nb);
  }
  s.longest_flat = any_value ? scan.longest() + 1 : 0;
  s.head_flat = first_is_value ? scan.head + 1 : 0;
  s.tail_flat = last_is_value ? scan.cur + 1 : 0;
  // A single stretch: head and tail both count the whole run.
  if (!scan.seen_zero && first_is_value) s.tail_flat = s.head_flat;
}

template <class T>
std::uint64_t equal_bits_portable(const T* v, std::size_t w, unsigned nb) noexcept {
  std::uint64_t m = 0;
  for (unsigned j = 0; j < nb; ++j) m |= static_cast<std::uint64_t>(v[w + j] == v[w + j - 1]) << j;
  return m;
}

template <class F, class B>
B bits_as(F x) noexcept {
  B b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

template <class F>
std::uint64_t equal_bits_float(const F* v, std::size_t w, unsigned nb) noexcept {
  using B = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
#if defined(TSWEEP_SUMMARY_AVX2)
  if (nb == 64) {
    std::uint64_t m = 0;
    if constexpr (sizeof(F) == 8) {
      for (unsigned g = 0; g < 64; g += 4) {
        const __m256d x = _mm256_loadu_pd(reinterpret_cast<const double*>(v + w + g));
        const __m256i a = _mm256_castpd_si256(x);
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + w + g - 1));
        const __m256d same = _mm256_andnot_pd(_mm256_cmp_pd(x, x, _CMP_UNORD_Q), _mm256_castsi256_pd(_mm256_cmpeq_epi64(a, b)));
        m |= static_cast<std::uint64_t>(_mm256_movemask_pd(same)) << g;
      }
    } else {
      for (unsigned g = 0; g < 64; g += 8) {
        const __m256 x = _mm256_loadu_ps(reinterpret_cast<const float*>(v + w + g));
        const __m256i a = _mm256_castps_si256(x);
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + w + g - 1));
        const __m256 same = _mm256_andnot_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q), _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)));
        m |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_ps(same))) << g;
      }
    }
    return m;
  }
#endif
  std::uint64_t m = 0;
  for (unsigned j = 0; j < nb; ++j) {
    const B a = bits_as<F, B>(v[w + j]), b = bits_as<F, B>(v[w + j - 1]);
    const bool nan = (a & ~(B{1} << (8 * sizeof(B) - 1))) > bits_as<F, B>(std::numeric_limits<F>::infinity());
    m |= static_cast<std::uint64_t>((a == b) & !nan) << j;
  }
  return m;
}

#if defined(TSWEEP_SUMMARY_AVX2)
// e bits of int16 samples, 64 at a time: compare with the samples one before.
std::uint64_t equal_bits_int16(const std::int16_t* v, std::size_t w, unsigned nb) noexcept {
  if (nb < 64) return equal_bits_portable(v, w, nb);
  std::uint64_t m = 0;
  for (unsigned half = 0; half < 2; ++half) {
    const std::int16_t* p = v + w + 32 * half;
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p - 1));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 16));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 15));
    const __m256i packed = _mm256_packs_epi16(_mm256_cmpeq_epi16(a0, b0), _mm256_cmpeq_epi16(a1, b1));
    const __m256i ordered = _mm256_permute4x64_epi64(packed, 0xD8);
    m |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(ordered))) << (32 * half);
  }
  return m;
}
#endif

#if defined(TSWEEP_SUMMARY_AVX2)
std::uint64_t equal_bits_int32(const std::int32_t* v, std::size_t w, unsigned nb) noexcept {
  if (nb < 64) return equal_bits_portable(v, w, nb);
  std::uint64_t m = 0;
  for (unsigned g = 0; g < 64; g += 8) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + w + g));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + w + g - 1));
    m |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b))))) << g;
  }
  return m;
}
#endif

struct IntAcc {
  Int128 sum = 0;
  UInt192 squares;
  std::int64_t out_of_range = 0;
};

// Sums, squares, extremes and out-of-range count of integer samples.
template <class T>
void int_values(const T* v, std::size_t n, const RawRange& range, T& mn, T& mx, IntAcc& acc) noexcept {
  const bool ranged = range.active && !range.empty;
  const T lo = static_cast<T>(std::max<std::int64_t>(range.int_lo, std::numeric_limits<T>::min()));
  const T hi = static_cast<T>(std::min<std::int64_t>(range.int_hi, std::numeric_limits<T>::max()));
  if (range.active && range.empty) acc.out_of_range += static_cast<std::int64_t>(n);
  if constexpr (sizeof(T) == 8) {
    for (std::size_t i = 0; i < n; ++i) {
      const T x = v[i];
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
      acc.sum += x;
      acc.squares.add(static_cast<UInt128>(static_cast<Int128>(x) * x));
      acc.out_of_range += ranged && (x < lo || x > hi);
    }
    return;
  } else {
    for (std::size_t c = 0; c < n; c += kChunk) {
      const std::size_t end = std::min(n, c + kChunk);
      std::size_t i = c;
      std::int64_t sum = 0, oor = 0;
      UInt128 squares = 0;
      T cmn = mn, cmx = mx;
#if defined(TSWEEP_SUMMARY_AVX2)
      if constexpr (sizeof(T) == 2) {
        __m256i vmin = _mm256_set1_epi16(cmn), vmax = _mm256_set1_epi16(cmx);
        const __m256i ones = _mm256_set1_epi16(1), zero = _mm256_setzero_si256();
        const __m256i vlo = _mm256_set1_epi16(lo), vhi = _mm256_set1_epi16(hi);
        __m256i s32 = zero, q64a = zero, q64b = zero, o16 = zero;
        for (; i + 16 <= end; i += 16) {  // 2^12 iterations at most: no lane overflows
          const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i));
          vmin = _mm256_min_epi16(vmin, x);
          vmax = _mm256_max_epi16(vmax, x);
          s32 = _mm256_add_epi32(s32, _mm256_madd_epi16(x, ones));
          const __m256i sq = _mm256_madd_epi16(x, x);  // pairs of squares, <= 2^31: unsigned
          q64a = _mm256_add_epi64(q64a, _mm256_unpacklo_epi32(sq, zero));
          q64b = _mm256_add_epi64(q64b, _mm256_unpackhi_epi32(sq, zero));
          if (ranged) o16 = _mm256_sub_epi16(o16, _mm256_or_si256(_mm256_cmpgt_epi16(vlo, x), _mm256_cmpgt_epi16(x, vhi)));
        }
        alignas(32) std::int16_t mins[16], maxs[16], o[16];
        alignas(32) std::int32_t s[8];
        alignas(32) std::uint64_t qa[4], qb[4];
        _mm256_store_si256(reinterpret_cast<__m256i*>(mins), vmin);
        _mm256_store_si256(reinterpret_cast<__m256i*>(maxs), vmax);
        _mm256_store_si256(reinterpret_cast<__m256i*>(o), o16);
        _mm256_store_si256(reinterpret_cast<__m256i*>(s), s32);
        _mm256_store_si256(reinterpret_cast<__m256i*>(qa), q64a);
        _mm256_store_si256(reinterpret_cast<__m256i*>(qb), q64b);
        for (int k = 0; k < 16; ++k) {
          cmn = std::min(cmn, mins[k]);
          cmx = std::max(cmx, maxs[k]);
          oor += static_cast<std::uint16_t>(o[k]);
        }
        for (int k = 0; k < 8; ++k) sum += s[k];
        for (int k = 0; k < 4; ++k) squares += static_cast<UInt128>(qa[k]) + qb[k];
      }
      if constexpr (sizeof(T) == 4) {
        // Squares are up to 2^62: their low and high 32-bit halves are summed
        // apart in 64-bit lanes (2^16 of them cannot overflow), then joined.
        __m256i vmin = _mm256_set1_epi32(cmn), vmax = _mm256_set1_epi32(cmx);
        const __m256i zero = _mm256_setzero_si256(), low32 = _mm256_set1_epi64x(0xffffffff);
        const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
        __m256i s64 = zero, qlo = zero, qhi = zero, o32 = zero;
        for (; i + 8 <= end; i += 8) {
          const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i));
          vmin = _mm256_min_epi32(vmin, x);
          vmax = _mm256_max_epi32(vmax, x);
          s64 = _mm256_add_epi64(s64, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(x)));
          s64 = _mm256_add_epi64(s64, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(x, 1)));
          const __m256i even = _mm256_mul_epi32(x, x);                            // lanes 0, 2, 4, 6
          const __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(x, 32));  // 1, 3, 5, 7
          qlo = _mm256_add_epi64(qlo, _mm256_add_epi64(_mm256_and_si256(even, low32), _mm256_and_si256(odd, low32)));
          qhi = _mm256_add_epi64(qhi, _mm256_add_epi64(_mm256_srli_epi64(even, 32), _mm256_srli_epi64(odd, 32)));
          if (ranged) o32 = _mm256_sub_epi32(o32, _mm256_or_si256(_mm256_cmpgt_epi32(vlo, x), _mm256_cmpgt_epi32(x, vhi)));
        }
        alignas(32) std::int32_t mins[8], maxs[8], o[8];
        alignas(32) std::int64_t s[4];
        alignas(32) std::uint64_t ql[4], qh[4];
        _mm256_store_si256(reinterpret_cast<__m256i*>(mins), vmin);
        _mm256_store_si256(reinterpret_cast<__m256i*>(maxs), vmax);
        _mm256_store_si256(reinterpret_cast<__m256i*>(o), o32);
        _mm256_store_si256(reinterpret_cast<__m256i*>(s), s64);
        _mm256_store_si256(reinterpret_cast<__m256i*>(ql), qlo);
        _mm256_store_si256(reinterpret_cast<__m256i*>(qh), qhi);
        for (int k = 0; k < 8; ++k) {
          cmn = std::min(cmn, mins[k]);
          cmx = std::max(cmx, maxs[k]);
          oor += o[k];
        }
        for (int k = 0; k < 4; ++k) {
          sum += s[k];
          squares += static_cast<UInt128>(ql[k]) + (static_cast<UInt128>(qh[k]) << 32);
        }
      }
#endif
      for (; i < end; ++i) {
        const T x = v[i];
        cmn = x < cmn ? x : cmn;
        cmx = x > cmx ? x : cmx;
        sum += x;
        squares += static_cast<std::uint64_t>(static_cast<std::int64_t>(x) * x);
        oor += ranged && (x < lo || x > hi);
      }
      mn = cmn;
      mx = cmx;
      acc.sum += sum;
      acc.squares.add(squares);
      acc.out_of_range += oor;
    }
  }
}

template <class T>
Summary summarize_int(const void* data, std::size_t n, const RawRange& range) noexcept {
  Summary s;
  if (n == 0) return s;
  const T* v = static_cast<const T*>(data);
  T mn = std::numeric_limits<T>::max(), mx = std::numeric_limits<T>::min();
  IntAcc acc;
  int_values(v, n, range, mn, mx, acc);
  s.count = static_cast<std::int64_t>(n);
  s.out_of_range = acc.out_of_range;
  s.min = mn;
  s.max = mx;
  s.first = v[0];
  s.last = v[n - 1];
  s.set_int_sum(acc.sum);
  s.squares = acc.squares;
#if defined(TSWEEP_SUMMARY_AVX2)
  if constexpr (sizeof(T) == 2) {
    flat_runs(n, true, true, true, [v](std::size_t w, unsigned nb) { return equal_bits_int16(v, w, nb); }, s);
    return s;
  }
  if constexpr (sizeof(T) == 4) {
    flat_runs(n, true, true, true, [v](std::size_t w, unsigned nb) { return equal_bits_int32(v, w, nb); }, s);
    return s;
  }
#endif
  flat_runs(n, true, true, true, [v](std::size_t w, unsigned nb) { return equal_bits_portable(v, w, nb); }, s);
  return s;
}

// Floats: NaN counted and skipped; min and max put -0.0 below +0.0; the sum
// is compensated (Neumaier) in four lanes by position, M2 in four lanes around
// the run's mean (a second pass over the same, cached, samples).
template <class F>
Summary summarize_float(const void* data, std::size_t n, const RawRange& range) noexcept {
  Summary s;
  if (n == 0) return s;
  const F* v = static_cast<const F*>(data);
  // Four lanes by position (lane k: samples i with i % 4 == k), written as
  // fixed four-wide steps so that the compiler keeps each lane in a vector slot.
  double sum[4] = {0, 0, 0, 0}, comp[4] = {0, 0, 0, 0};
  double mn[4] = {HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL}, mx[4] = {-HUGE_VAL, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
  std::int64_t nan_lane[4] = {0, 0, 0, 0}, oor_lane[4] = {0, 0, 0, 0};
  std::uint64_t neg_zero_lane[4] = {0, 0, 0, 0}, pos_zero_lane[4] = {0, 0, 0, 0};
  const bool ranged = range.active && !range.empty;
  const double lo = ranged ? range.float_lo : -HUGE_VAL, hi = ranged ? range.float_hi : HUGE_VAL;
  auto step = [&](std::size_t k, double x) {
    const bool nan = x != x;
    nan_lane[k] += nan;
    mn[k] = x < mn[k] ? x : mn[k];
    mx[k] = x > mx[k] ? x : mx[k];
    oor_lane[k] += (x < lo) | (x > hi);
    const std::uint64_t b = bits_as<double, std::uint64_t>(x);
    neg_zero_lane[k] |= b == (std::uint64_t{1} << 63);
    pos_zero_lane[k] |= b == 0;
    const double y = nan ? 0.0 : x;
    const double t = sum[k];
    const double next = t + y;
    comp[k] += std::fabs(t) >= std::fabs(y) ? (t - next) + y : (y - next) + t;
    sum[k] = next;
  };
  std::size_t i = 0;
#if defined(TSWEEP_SUMMARY_AVX2)
  {
    // The same four lanes and operations in one 256-bit register each.
    __m256d vsum = _mm256_setzero_pd(), vcomp = _mm256_setzero_pd();
    __m256d vmn = _mm256_set1_pd(HUGE_VAL), vmx = _mm256_set1_pd(-HUGE_VAL);
    __m256i vnan = _mm256_setzero_si256(), voor = _mm256_setzero_si256();
    __m256i vneg = _mm256_setzero_si256(), vpos = _mm256_setzero_si256();
    const __m256d vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
    const __m256i neg_zero_bits = _mm256_set1_epi64x(static_cast<long long>(std::uint64_t{1} << 63));
    for (; i + 4 <= n; i += 4) {
      __m256d x;
      if constexpr (sizeof(F) == 4) {
        x = _mm256_cvtps_pd(_mm_loadu_ps(reinterpret_cast<const float*>(v + i)));
      } else {
        x = _mm256_loadu_pd(reinterpret_cast<const double*>(v + i));
      }
      const __m256d nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
      vnan = _mm256_sub_epi64(vnan, _mm256_castpd_si256(nan));
      vmn = _mm256_min_pd(x, vmn);  // x < mn ? x : mn
      vmx = _mm256_max_pd(x, vmx);  // x > mx ? x : mx
      const __m256d out = _mm256_or_pd(_mm256_cmp_pd(x, vlo, _CMP_LT_OQ), _mm256_cmp_pd(x, vhi, _CMP_GT_OQ));
      voor = _mm256_sub_epi64(voor, _mm256_castpd_si256(out));
      const __m256i b = _mm256_castpd_si256(x);
      vneg = _mm256_or_si256(vneg, _mm256_cmpeq_epi64(b, neg_zero_bits));
      vpos = _mm256_or_si256(vpos, _mm256_cmpeq_epi64(b, _mm256_setzero_si256()));
      const __m256d y = _mm256_andnot_pd(nan, x);
      const __m256d next = _mm256_add_pd(vsum, y);
      const __m256d big = _mm256_cmp_pd(_mm256_and_pd(vsum, abs_mask), _mm256_and_pd(y, abs_mask), _CMP_GE_OQ);
      const __m256d when_big = _mm256_add_pd(_mm256_sub_pd(vsum, next), y);
      const __m256d when_small = _mm256_add_pd(_mm256_sub_pd(y, next), vsum);
      vcomp = _mm256_add_pd(vcomp, _mm256_blendv_pd(when_small, when_big, big));
      vsum = next;
    }
    _mm256_storeu_pd(sum, vsum);
    _mm256_storeu_pd(comp, vcomp);
    _mm256_storeu_pd(mn, vmn);
    _mm256_storeu_pd(mx, vmx);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(nan_lane), vnan);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(oor_lane), voor);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(neg_zero_lane), vneg);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(pos_zero_lane), vpos);
  }
#endif
  for (; i + 4 <= n; i += 4) {
    for (std::size_t k = 0; k < 4; ++k) step(k, static_cast<double>(v[i + k]));
  }
  for (; i < n; ++i) step(i & 3, static_cast<double>(v[i]));
  std::int64_t nans = 0, oor = 0;
  bool neg_zero = false, pos_zero = false;
  double lowest = HUGE_VAL, highest = -HUGE_VAL;
  for (std::size_t k = 0; k < 4; ++k) {
    nans += nan_lane[k];
    oor += oor_lane[k];
    neg_zero |= neg_zero_lane[k] != 0;
    pos_zero |= pos_zero_lane[k] != 0;
    lowest = mn[k] < lowest ? mn[k] : lowest;
    highest = mx[k] > highest ? mx[k] : highest;
  }
  s.count = static_cast<std::int64_t>(n);
  s.nan_count = nans;
  const std::int64_t values = s.count - nans;
  if (range.active && range.empty) oor = values;
  s.out_of_range = oor;
  if (lowest == 0) lowest = neg_zero ? -0.0 : 0.0;
  if (highest == 0) highest = pos_zero ? 0.0 : -0.0;
  s.first = bits_as<double, std::int64_t>(static_cast<double>(v[0]));
  s.last = bits_as<double, std::int64_t>(static_cast<double>(v[n - 1]));
  const bool first_value = !std::isnan(v[0]), last_value = !std::isnan(v[n - 1]);
  flat_runs(n, first_value, last_value, values > 0,
            [v](std::size_t w, unsigned nb) { return equal_bits_float(v, w, nb); }, s);
  if (values == 0) return s;
  s.min = bits_as<double, std::int64_t>(lowest);
  s.max = bits_as<double, std::int64_t>(highest);
  // The lanes' sums, in a fixed tree, as one compensated pair.
  double total = 0, total_comp = 0;
  for (int k = 0; k < 4; ++k) {
    const double t = total + sum[k];
    total_comp += comp[k] + (std::fabs(total) >= std::fabs(sum[k]) ? (total - t) + sum[k] : (sum[k] - t) + total);
    total = t;
  }
  s.sum_lo = bits_as<double, std::uint64_t>(total);
  s.sum_hi = bits_as<double, std::uint64_t>(total_comp);
  const double mean = (total + total_comp) / static_cast<double>(values);
  double q[4] = {0, 0, 0, 0};
  auto square = [&](std::size_t k, double x) {
    const double dev = x != x ? 0.0 : x - mean;
    q[k] += dev * dev;
  };
  std::size_t j = 0;
#if defined(TSWEEP_SUMMARY_AVX2)
  {
    __m256d vq = _mm256_setzero_pd();
    const __m256d vmean = _mm256_set1_pd(mean);
    for (; j + 4 <= n; j += 4) {
      __m256d x;
      if constexpr (sizeof(F) == 4) {
        x = _mm256_cvtps_pd(_mm_loadu_ps(reinterpret_cast<const float*>(v + j)));
      } else {
        x = _mm256_loadu_pd(reinterpret_cast<const double*>(v + j));
      }
      const __m256d dev = _mm256_andnot_pd(_mm256_cmp_pd(x, x, _CMP_UNORD_Q), _mm256_sub_pd(x, vmean));
      vq = _mm256_add_pd(vq, _mm256_mul_pd(dev, dev));
    }
    _mm256_storeu_pd(q, vq);
  }
#endif
  for (; j + 4 <= n; j += 4) {
    for (std::size_t k = 0; k < 4; ++k) square(k, static_cast<double>(v[j + k]));
  }
  for (; j < n; ++j) square(j & 3, static_cast<double>(v[j]));
  s.squares.w[0] = bits_as<double, std::uint64_t>((q[0] + q[1]) + (q[2] + q[3]));
  return s;
}

SummaryKernels make_summary_kernels(const char* name) noexcept {
  return SummaryKernels{name,
                        {&summarize_int<std::int16_t>, &summarize_int<std::int32_t>, &summarize_int<std::int64_t>,
                         &summarize_float<float>, &summarize_float<double>}};
}

}  // namespace
