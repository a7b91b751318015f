#include "tsweep/codec/summary.hpp"

// Boost.Multiprecision's inlined limb copies trip GCC 12's -Wmaybe-uninitialized (a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "kernels/summary_kernels.hpp"

namespace tsweep::codec {

namespace {

using boost::multiprecision::cpp_int;

std::int64_t bits_of(double x) noexcept {
  std::int64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
double double_of(std::int64_t b) noexcept {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// ---- Raw ranges ---------------------------------------------------------

// A strictly increasing integer key over the non-NaN values of a float type.
template <class F>
struct FloatKeys {
  using Bits = std::conditional_t<sizeof(F) == 4, std::int32_t, std::int64_t>;
  static constexpr Bits kMin = std::numeric_limits<Bits>::min();
  static Bits key(F x) noexcept {
    Bits b;
    std::memcpy(&b, &x, sizeof b);
    return b >= 0 ? b : static_cast<Bits>((kMin - b) - 1);
  }
  static F value(Bits k) noexcept {
    const Bits b = k >= 0 ? k : static_cast<Bits>(kMin - (k + 1));
    F x;
    std::memcpy(&x, &b, sizeof x);
    return x;
  }
};

// First key in [lo, hi] where `pred` (false ... false true ... true) holds; hi + 1 if none.
template <class Pred>
Int128 first_true(Int128 lo, Int128 hi, Pred pred) {
  Int128 a = lo, b = hi + 1;
  while (a < b) {
    const Int128 m = a + (b - a) / 2;
    if (pred(m)) {
      b = m;
    } else {
      a = m + 1;
    }
  }
  return a;
}

// The raw interval [lo, hi] (as keys) of keys k in [kmin, kmax] whose physical
// value phys(k) is in [vmin, vmax]; phys is monotone in k, up or down with the scale.
template <class Phys>
bool key_interval(Int128 kmin, Int128 kmax, double scale, double vmin, double vmax, Phys phys, Int128& lo, Int128& hi) {
  if (scale > 0) {
    lo = first_true(kmin, kmax, [&](Int128 k) { return phys(k) >= vmin; });
    hi = first_true(kmin, kmax, [&](Int128 k) { return phys(k) > vmax; }) - 1;
  } else {
    lo = first_true(kmin, kmax, [&](Int128 k) { return phys(k) <= vmax; });
    hi = first_true(kmin, kmax, [&](Int128 k) { return phys(k) < vmin; }) - 1;
  }
  return lo <= hi;
}

template <class T>
RawRange int_range(double scale, double offset, double vmin, double vmax) {
  RawRange r;
  r.active = true;
  Int128 lo = 0, hi = 0;
  const auto phys = [&](Int128 k) { return static_cast<double>(static_cast<T>(k)) * scale + offset; };
  if (!key_interval(std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), scale, vmin, vmax, phys, lo, hi)) {
    r.empty = true;
    return r;
  }
  r.int_lo = static_cast<std::int64_t>(lo);
  r.int_hi = static_cast<std::int64_t>(hi);
  return r;
}

template <class F>
RawRange float_range(double scale, double offset, double vmin, double vmax) {
  using K = FloatKeys<F>;
  RawRange r;
  r.active = true;
  const F inf = std::numeric_limits<F>::infinity();
  Int128 lo = 0, hi = 0;
  const auto phys = [&](Int128 k) {
    const double p = static_cast<double>(K::value(static_cast<typename K::Bits>(k))) * scale + offset;
    // inf * scale + offset is never NaN for a finite non-zero scale and finite offset.
    return p;
  };
  if (!key_interval(K::key(-inf), K::key(inf), scale, vmin, vmax, phys, lo, hi)) {
    r.empty = true;
    return r;
  }
  r.float_lo = static_cast<double>(K::value(static_cast<typename K::Bits>(lo)));
  r.float_hi = static_cast<double>(K::value(static_cast<typename K::Bits>(hi)));
  return r;
}

// ---- Correct rounding ---------------------------------------------------

unsigned bit_length(const cpp_int& x) {
  return x == 0 ? 0 : static_cast<unsigned>(boost::multiprecision::msb(x)) + 1;
}

// The double nearest to (mag + δ)·2^exp2, 0 <= δ < 1, δ > 0 iff sticky; ties to even.
double round_to_double(cpp_int mag, bool sticky, int exp2) {
  if (mag == 0) return 0.0;
  const unsigned len = bit_length(mag);
  if (len > 55) {
    const unsigned shift = len - 55;
    const cpp_int dropped = mag & ((cpp_int(1) << shift) - 1);
    sticky = sticky || dropped != 0;
    mag >>= shift;
    exp2 += static_cast<int>(shift);
  } else if (len < 55) {
    // Exact: only reached when no bits were dropped below mag.
    const unsigned shift = 55 - len;
    mag <<= shift;
    exp2 -= static_cast<int>(shift);
  }
  const auto m = static_cast<std::uint64_t>(mag);
  std::uint64_t result = m >> 2;
  const bool guard = (m >> 1) & 1;
  const bool rest = (m & 1) != 0 || sticky;
  if (guard && (rest || (result & 1))) ++result;
  return std::ldexp(static_cast<double>(result), exp2 + 2);
}

cpp_int to_cpp(Int128 x) {
  const bool neg = x < 0;
  const UInt128 mag = neg ? static_cast<UInt128>(0) - static_cast<UInt128>(x) : static_cast<UInt128>(x);
  cpp_int r = static_cast<std::uint64_t>(mag >> 64);
  r <<= 64;
  r |= static_cast<std::uint64_t>(mag);
  return neg ? cpp_int(-r) : r;
}

cpp_int to_cpp(const UInt192& x) {
  cpp_int r = x.w[2];
  r <<= 64;
  r |= x.w[1];
  r <<= 64;
  r |= x.w[0];
  return r;
}

// The long double result y approximates the exact value within `rel` (relative);
// true when rounding y to double gives the exact value's correct rounding.
bool safely_rounded(long double y, long double rel) {
  if (!(y > 0) || !std::isfinite(y)) return false;
  const double d = static_cast<double>(y);
  const long double up = std::nextafter(d, HUGE_VAL);
  const long double down = std::nextafter(d, -HUGE_VAL);
  const long double mid_up = (static_cast<long double>(d) + up) / 2;
  const long double mid_down = (static_cast<long double>(d) + down) / 2;
  const long double margin = y * rel;
  return std::fabs(y - mid_up) > margin && std::fabs(y - mid_down) > margin;
}

}  // namespace

namespace detail {

namespace summary_scalar {
extern const SummaryKernels kTable;
}
#if defined(TSWEEP_CODEC_AVX2)
namespace summary_avx2 {
extern const SummaryKernels kTable;
}
#endif

namespace {

std::vector<const SummaryKernels*> detect_summary_kernels() {
  std::vector<const SummaryKernels*> all{&summary_scalar::kTable};
#if defined(TSWEEP_CODEC_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) all.push_back(&summary_avx2::kTable);
#endif
  return all;
}

const std::vector<const SummaryKernels*>& available_summary_kernels() {
  static const std::vector<const SummaryKernels*> all = detect_summary_kernels();
  return all;
}

std::atomic<const SummaryKernels*>& active_summary_kernels() {
  static std::atomic<const SummaryKernels*> k{available_summary_kernels().back()};
  return k;
}

}  // namespace

const SummaryKernels& summary_kernels() noexcept {
  return *active_summary_kernels().load(std::memory_order_relaxed);
}
std::size_t summary_kernel_count() noexcept {
  return available_summary_kernels().size();
}
const SummaryKernels& summary_kernel_at(std::size_t i) noexcept {
  return *available_summary_kernels().at(i);
}
void use_summary_kernels(const SummaryKernels& k) noexcept {
  active_summary_kernels().store(&k, std::memory_order_relaxed);
}

}  // namespace detail

RawRange raw_range(SampleType type, double scale, double offset, double valid_min, double valid_max) noexcept {
  switch (type) {
    case SampleType::int16: return int_range<std::int16_t>(scale, offset, valid_min, valid_max);
    case SampleType::int32: return int_range<std::int32_t>(scale, offset, valid_min, valid_max);
    case SampleType::int64: return int_range<std::int64_t>(scale, offset, valid_min, valid_max);
    case SampleType::float32: return float_range<float>(scale, offset, valid_min, valid_max);
    case SampleType::float64: return float_range<double>(scale, offset, valid_min, valid_max);
  }
  return {};
}

bool operator==(const Summary& a, const Summary& b) noexcept {
  return a.count == b.count && a.nan_count == b.nan_count && a.out_of_range == b.out_of_range &&
         a.longest_flat == b.longest_flat && a.head_flat == b.head_flat && a.tail_flat == b.tail_flat &&
         a.first == b.first && a.last == b.last && a.min == b.min && a.max == b.max && a.sum_lo == b.sum_lo &&
         a.sum_hi == b.sum_hi && a.squares == b.squares;
}

Summary summarize(SampleType type, const void* values, std::size_t n, const RawRange& range) noexcept {
  return detail::summary_kernels().summarize[static_cast<int>(type) - 1](values, n, range);
}

void merge(SampleType type, Summary& into, const Summary& next) noexcept {
  if (next.count == 0) return;
  if (into.count == 0) {
    into = next;
    return;
  }
  const Summary a = into;
  const Summary& b = next;
  Summary& r = into;
  const bool floating = is_floating(type);
  // Flat runs across the seam.
  const bool joined = a.tail_flat > 0 && b.head_flat > 0 && a.last == b.first;
  const std::int64_t across = joined ? a.tail_flat + b.head_flat : 0;
  r.longest_flat = std::max({a.longest_flat, b.longest_flat, across});
  r.head_flat = joined && a.head_flat == a.count ? a.count + b.head_flat : a.head_flat;
  r.tail_flat = joined && b.tail_flat == b.count ? b.count + a.tail_flat : b.tail_flat;
  r.first = a.first;
  r.last = b.last;
  r.count = a.count + b.count;
  r.nan_count = a.nan_count + b.nan_count;
  r.out_of_range = a.out_of_range + b.out_of_range;
  const std::int64_t na = a.values(), nb = b.values();
  if (nb == 0) return;
  if (na == 0) {
    r.min = b.min;
    r.max = b.max;
    r.sum_lo = b.sum_lo;
    r.sum_hi = b.sum_hi;
    r.squares = b.squares;
    return;
  }
  if (!floating) {
    r.min = std::min(a.min, b.min);
    r.max = std::max(a.max, b.max);
    r.set_int_sum(a.int_sum() + b.int_sum());
    r.squares = a.squares;
    r.squares.add(b.squares);
    return;
  }
  // Floats: the first of equal values wins, as a sequential scan keeps it.
  const double amin = double_of(a.min), amax = double_of(a.max);
  const double bmin = double_of(b.min), bmax = double_of(b.max);
  r.min = bmin < amin || (bmin == amin && std::signbit(bmin)) ? b.min : a.min;
  r.max = bmax > amax || (bmax == amax && !std::signbit(bmax)) ? b.max : a.max;
  const double as = double_of(static_cast<std::int64_t>(a.sum_lo)), ac = double_of(static_cast<std::int64_t>(a.sum_hi));
  const double bs = double_of(static_cast<std::int64_t>(b.sum_lo)), bc = double_of(static_cast<std::int64_t>(b.sum_hi));
  const double t = as + bs;
  const double c = ac + bc + (std::fabs(as) >= std::fabs(bs) ? (as - t) + bs : (bs - t) + as);
  r.sum_lo = static_cast<std::uint64_t>(bits_of(t));
  r.sum_hi = static_cast<std::uint64_t>(bits_of(c));
  // Chan et al.: M2 = M2a + M2b + δ²·na·nb/n.
  const double ma = (as + ac) / static_cast<double>(na), mb = (bs + bc) / static_cast<double>(nb);
  const double delta = mb - ma;
  const double n = static_cast<double>(na + nb);
  const double m2 = double_of(static_cast<std::int64_t>(a.squares.w[0])) +
                    double_of(static_cast<std::int64_t>(b.squares.w[0])) +
                    delta * delta * (static_cast<double>(na) * static_cast<double>(nb) / n);
  r.squares = UInt192{};
  r.squares.w[0] = static_cast<std::uint64_t>(bits_of(m2));
}

double rounded_quotient(Int128 n, std::int64_t d) noexcept {
  if (d <= 0) return std::numeric_limits<double>::quiet_NaN();
  constexpr Int128 kExact = Int128{1} << 53;
  if (n > -kExact && n < kExact && d < (std::int64_t{1} << 53)) {
    return static_cast<double>(static_cast<std::int64_t>(n)) / static_cast<double>(d);  // both exact: one IEEE rounding
  }
  const bool neg = n < 0;
  const cpp_int mag = boost::multiprecision::abs(to_cpp(n));
  const cpp_int den = d;
  const int k = std::max(0, 56 + static_cast<int>(bit_length(den)) - static_cast<int>(bit_length(mag)));
  const cpp_int x = mag << k;
  const cpp_int q = x / den;
  const bool sticky = x % den != 0;
  const double r = round_to_double(q, sticky, -k);
  return neg ? -r : r;
}

double rounded_std(Int128 sum, const UInt192& squares, std::int64_t n) noexcept {
  if (n <= 0) return std::numeric_limits<double>::quiet_NaN();
  // D = n·Q − S² >= 0 (Cauchy–Schwarz); std = sqrt(D) / n.
  if constexpr (LDBL_MANT_DIG >= 64) {
    const UInt128 q = static_cast<UInt128>(squares.w[1]) << 64 | squares.w[0];
    const UInt128 smag = sum < 0 ? static_cast<UInt128>(0) - static_cast<UInt128>(sum) : static_cast<UInt128>(sum);
    if (squares.w[2] == 0 && (squares.w[1] >> 32) == 0 && n < (std::int64_t{1} << 31) && (smag >> 63) == 0) {
      const UInt128 nq = q * static_cast<UInt128>(n);  // < 2^127
      const UInt128 s2 = smag * smag;                   // < 2^126
      if (nq >= s2) {
        const UInt128 dd = nq - s2;
        if (dd == 0) return 0.0;
        const long double y = std::sqrt(static_cast<long double>(dd)) / static_cast<long double>(n);
        if (safely_rounded(y, std::ldexp(1.0L, -61))) return static_cast<double>(y);
      }
    }
  }
  const cpp_int nn = n;
  const cpp_int s = to_cpp(sum);
  const cpp_int dd = nn * to_cpp(squares) - s * s;
  if (dd <= 0) return 0.0;
  const int k = std::max(0, 57 + static_cast<int>(bit_length(nn)) - static_cast<int>(bit_length(dd)) / 2);
  const cpp_int x = dd << (2 * k);
  const cpp_int n2 = nn * nn;
  const cpp_int r = x / n2;
  const cpp_int root = boost::multiprecision::sqrt(r);
  const bool sticky = x % n2 != 0 || root * root != r;
  return round_to_double(root, sticky, -k);
}

PhysicalStats physical_stats(SampleType type, const Summary& s, double scale, double offset) noexcept {
  PhysicalStats p;
  p.count = s.values();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (p.count == 0) {
    p.min = p.max = p.mean = p.std = nan;
    return p;
  }
  double lo, hi, mean_raw, std_raw;
  if (is_floating(type)) {
    lo = double_of(s.min);
    hi = double_of(s.max);
    const double sum = double_of(static_cast<std::int64_t>(s.sum_lo)) + double_of(static_cast<std::int64_t>(s.sum_hi));
    mean_raw = sum / static_cast<double>(p.count);
    std_raw = std::sqrt(double_of(static_cast<std::int64_t>(s.squares.w[0])) / static_cast<double>(p.count));
  } else {
    lo = static_cast<double>(s.min);
    hi = static_cast<double>(s.max);
    mean_raw = rounded_quotient(s.int_sum(), p.count);
    std_raw = rounded_std(s.int_sum(), s.squares, p.count);
  }
  p.min = lo * scale + offset;
  p.max = hi * scale + offset;
  if (scale < 0) std::swap(p.min, p.max);
  p.mean = mean_raw * scale + offset;
  p.std = std::isfinite(p.mean) ? std_raw * std::fabs(scale) : nan;
  return p;
}

}  // namespace tsweep::codec
