// Block and run summaries: every kernel implementation against a plain
// reference, merges against whole runs, exact rounding against big integers.
#include <gtest/gtest.h>


#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "exact_rounding.hpp"
#include "kernels/summary_kernels.hpp"
#include "tsweep/codec/summary.hpp"

namespace tsweep::codec {
namespace {

using boost::multiprecision::cpp_int;

std::int64_t bits(double x) {
  std::int64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// The plain definition, one sample at a time.
template <class T>
Summary reference(const std::vector<T>& v, const RawRange& range) {
  Summary s;
  const std::size_t n = v.size();
  if (n == 0) return s;
  s.count = static_cast<std::int64_t>(n);
  Int128 sum = 0;
  UInt192 sq;
  T mn = std::numeric_limits<T>::max(), mx = std::numeric_limits<T>::min();
  std::int64_t run = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const T x = v[i];
    mn = std::min(mn, x);
    mx = std::max(mx, x);
    sum += x;
    sq.add(static_cast<UInt128>(static_cast<Int128>(x) * x));
    if (range.active && (range.empty || x < range.int_lo || x > range.int_hi)) ++s.out_of_range;
    run = i > 0 && v[i] == v[i - 1] ? run + 1 : 1;
    s.longest_flat = std::max(s.longest_flat, run);
    if (s.head_flat == static_cast<std::int64_t>(i)) s.head_flat = v[i] == v[0] ? s.head_flat + 1 : s.head_flat;
  }
  s.tail_flat = run;
  s.first = v.front();
  s.last = v.back();
  s.min = mn;
  s.max = mx;
  s.set_int_sum(sum);
  s.squares = sq;
  return s;
}

template <class T>
std::vector<T> sample(std::mt19937_64& rng, std::size_t n, int flavour) {
  std::vector<T> v(n);
  std::uniform_int_distribution<std::int64_t> any(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::uniform_int_distribution<int> step(-2, 2);
  T x = 0;
  for (auto& y : v) {
    switch (flavour) {
      case 0: y = static_cast<T>(any(rng)); break;                                  // anything
      case 1: x = static_cast<T>(x + step(rng) * (rng() % 3 == 0)); y = x; break;  // ECG-like, with runs
      case 2: y = 7; break;                                                         // all equal
      default: y = rng() % 2 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max(); break;
    }
  }
  return v;
}

template <class T>
void check_int_type() {
  std::mt19937_64 rng(7);
  const RawRange ranges[] = {RawRange{}, RawRange{true, false, -3, 5}, RawRange{true, true, 0, 0}};
  for (std::size_t k = 0; k < detail::summary_kernel_count(); ++k) {
    const auto& kern = detail::summary_kernel_at(k);
    SCOPED_TRACE(kern.name);
    for (std::size_t n : {0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 127, 129, 1000, 65535, 65536, 65537, 200003}) {
      for (int flavour = 0; flavour < 4; ++flavour) {
        const auto v = sample<T>(rng, n, flavour);
        for (const auto& r : ranges) {
          const Summary got = kern.summarize[static_cast<int>(sample_type_of<T>()) - 1](v.data(), n, r);
          const Summary want = reference(v, r);
          ASSERT_TRUE(got == want) << "n=" << n << " flavour=" << flavour << " longest " << got.longest_flat << "/"
                                   << want.longest_flat << " head " << got.head_flat << "/" << want.head_flat
                                   << " tail " << got.tail_flat << "/" << want.tail_flat;
        }
      }
    }
  }
}

TEST(Summary, IntegerKernelsEqualTheReference) {
  check_int_type<std::int16_t>();
  check_int_type<std::int32_t>();
  check_int_type<std::int64_t>();
}

TEST(Summary, IntegerMergeEqualsTheWholeAtEverySplit) {
  std::mt19937_64 rng(3);
  for (int flavour = 0; flavour < 4; ++flavour) {
    const auto v = sample<std::int16_t>(rng, 300, flavour);
    const RawRange r{true, false, -3, 5};
    const Summary whole = summarize(v.data(), v.size(), r);
    for (std::size_t a = 0; a <= v.size(); a += 7) {
      for (std::size_t b = a; b <= v.size(); b += 13) {
        Summary s = summarize(v.data(), a, r);
        merge(SampleType::int16, s, summarize(v.data() + a, b - a, r));
        merge(SampleType::int16, s, summarize(v.data() + b, v.size() - b, r));
        ASSERT_TRUE(s == whole) << a << " " << b;
      }
    }
  }
}

TEST(Summary, FloatsCountNanAndKeepRunsBitwise) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = HUGE_VAL;
  const std::vector<double> v{nan, 1.0, 1.0, nan, 2.0, 2.0, 2.0, -0.0, 0.0, 0.0, inf, -inf, nan};
  for (std::size_t k = 0; k < detail::summary_kernel_count(); ++k) {
    const Summary s = detail::summary_kernel_at(k).summarize[4](v.data(), v.size(), RawRange{});
    EXPECT_EQ(s.count, 13);
    EXPECT_EQ(s.nan_count, 3);
    EXPECT_EQ(s.longest_flat, 3);
    EXPECT_EQ(s.head_flat, 0);
    EXPECT_EQ(s.tail_flat, 0);
    EXPECT_EQ(s.min, bits(-inf));
    EXPECT_EQ(s.max, bits(inf));
  }
  // Zeros of both signs: min is -0.0, max is +0.0, whatever the order.
  for (const auto& z : {std::vector<double>{0.0, -0.0}, std::vector<double>{-0.0, 0.0}}) {
    const Summary s = summarize(z.data(), z.size(), RawRange{});
    EXPECT_EQ(s.min, bits(-0.0));
    EXPECT_EQ(s.max, bits(0.0));
    EXPECT_EQ(s.longest_flat, 1);
    Summary a = summarize(z.data(), 1, RawRange{});
    merge(SampleType::float64, a, summarize(z.data() + 1, 1, RawRange{}));
    EXPECT_EQ(a.min, s.min);
    EXPECT_EQ(a.max, s.max);
  }
  const std::vector<float> all_nan(5, std::numeric_limits<float>::quiet_NaN());
  const Summary s = summarize(all_nan.data(), all_nan.size(), RawRange{});
  EXPECT_EQ(s.values(), 0);
  EXPECT_EQ(s.longest_flat, 0);
  const PhysicalStats p = physical_stats(SampleType::float32, s, 1.0, 0.0);
  EXPECT_EQ(p.count, 0);
  EXPECT_TRUE(std::isnan(p.mean));
}

// Every implementation keeps the same lanes and operations: bitwise the same
// summary, sums included, for odd lengths, NaN, infinities and signed zeros.
template <class F>
void check_float_kernels_agree() {
  std::mt19937_64 rng(13);
  std::normal_distribution<double> d(0, 100);
  for (std::size_t n : {0, 1, 3, 4, 5, 7, 63, 64, 65, 130, 1001, 4099}) {
    std::vector<F> v(n);
    for (auto& x : v) {
      const auto r = rng() % 50;
      x = r == 0 ? std::numeric_limits<F>::quiet_NaN()
          : r == 1 ? std::numeric_limits<F>::infinity()
          : r == 2 ? -std::numeric_limits<F>::infinity()
          : r == 3 ? F(-0.0)
          : r == 4 ? F(0.0)
          : r < 20 && &x != v.data() ? *(&x - 1)  // flat runs
                                     : static_cast<F>(d(rng));
    }
    const RawRange range = raw_range(sample_type_of<F>(), 1.0, 0.0, -150.0, 150.0);
    const int type = static_cast<int>(sample_type_of<F>()) - 1;
    const Summary want = detail::summary_kernel_at(0).summarize[type](v.data(), n, range);
    for (std::size_t k = 1; k < detail::summary_kernel_count(); ++k) {
      const Summary got = detail::summary_kernel_at(k).summarize[type](v.data(), n, range);
      EXPECT_TRUE(got == want) << detail::summary_kernel_at(k).name << " n=" << n;
    }
  }
}

TEST(Summary, FloatKernelsAgreeBitwise) {
  check_float_kernels_agree<float>();
  check_float_kernels_agree<double>();
}

TEST(Summary, FloatMergeKeepsExactFields) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> d(10, 3);
  std::vector<double> v(1001);
  for (auto& x : v) x = std::round(d(rng) * 4) / 4;
  v[17] = std::numeric_limits<double>::quiet_NaN();
  const Summary whole = summarize(v.data(), v.size(), RawRange{});
  for (std::size_t a : {0, 1, 17, 18, 500, 1000, 1001}) {
    Summary s = summarize(v.data(), a, RawRange{});
    merge(SampleType::float64, s, summarize(v.data() + a, v.size() - a, RawRange{}));
    EXPECT_EQ(s.count, whole.count);
    EXPECT_EQ(s.nan_count, whole.nan_count);
    EXPECT_EQ(s.longest_flat, whole.longest_flat);
    EXPECT_EQ(s.head_flat, whole.head_flat);
    EXPECT_EQ(s.tail_flat, whole.tail_flat);
    EXPECT_EQ(s.min, whole.min);
    EXPECT_EQ(s.max, whole.max);
    const PhysicalStats p = physical_stats(SampleType::float64, s, 1, 0);
    const PhysicalStats q = physical_stats(SampleType::float64, whole, 1, 0);
    EXPECT_NEAR(p.mean, q.mean, 1e-12);
    EXPECT_NEAR(p.std, q.std, 1e-12);
  }
}

TEST(Summary, RawRangeMatchesThePhysicalTestForEveryInt16) {
  const double cases[][4] = {{0.005, -5.12, -1.0, 1.0}, {-0.005, 0.3, -1.0, 1.0}, {1.0, 0.0, -32768, 32767},
                             {3.0, 1.0, 10.0, 10.0},    {2.0, 0.0, 0.5, 1.5},     {1e-30, 0.0, 1.0, 2.0}};
  for (const auto& c : cases) {
    const RawRange r = raw_range(SampleType::int16, c[0], c[1], c[2], c[3]);
    for (int x = -32768; x <= 32767; ++x) {
      const double p = static_cast<double>(x) * c[0] + c[1];
      const bool out = p < c[2] || p > c[3];
      const bool got = r.empty || x < r.int_lo || x > r.int_hi;
      ASSERT_EQ(out, got) << x << " scale " << c[0];
    }
  }
}

TEST(Summary, RawRangeOfFloats) {
  const RawRange r = raw_range(SampleType::float64, -2.0, 1.0, -3.0, 5.0);  // raw in [-2, 2]
  EXPECT_EQ(r.float_lo, -2.0);
  EXPECT_EQ(r.float_hi, 2.0);
  const std::vector<double> v{-2.0, -2.0000000001, 2.0, 2.5, std::numeric_limits<double>::quiet_NaN(), HUGE_VAL};
  EXPECT_EQ(summarize(v.data(), v.size(), r).out_of_range, 3);
}

// The double y is the correct rounding of the non-negative exact value num/den
// when num/den lies within half an ulp of y (ties to even).
void expect_correctly_rounded(double y, const cpp_int& num, const cpp_int& den) {
  ASSERT_GE(y, 0);
  int e;
  const double m = std::frexp(y, &e);  // y = m·2^e, m in [0.5, 1)
  const auto mant = static_cast<std::int64_t>(std::ldexp(m, 53));
  const int shift = e - 53;  // y = mant·2^shift; midpoints (2·mant ± 1)·2^(shift-1)
  const cpp_int lo = cpp_int(2 * mant - 1), hi = cpp_int(2 * mant + 1);
  const int k = shift - 1;
  // Compare num/den with lo·2^k and hi·2^k exactly.
  auto cmp = [&](const cpp_int& mid) {
    const cpp_int a = k >= 0 ? num : cpp_int(num << -k);
    const cpp_int b = k >= 0 ? cpp_int((mid * den) << k) : cpp_int(mid * den);
    return a < b ? -1 : (a > b ? 1 : 0);
  };
  const int c_lo = cmp(lo), c_hi = cmp(hi);
  EXPECT_TRUE(c_lo > 0 || (c_lo == 0 && mant % 2 == 0)) << y;
  EXPECT_TRUE(c_hi < 0 || (c_hi == 0 && mant % 2 == 0)) << y;
}

TEST(Summary, MeanAndStdAreCorrectlyRounded) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 3000; ++t) {
    const int bits = 8 + t % 56;
    std::uniform_int_distribution<std::int64_t> val(-(std::int64_t{1} << (bits - 1)), (std::int64_t{1} << (bits - 1)) - 1);
    const std::size_t n = 1 + rng() % 50;
    Int128 sum = 0;
    UInt192 sq;
    cpp_int s = 0, q = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t x = val(rng);
      sum += x;
      sq.add(static_cast<UInt128>(static_cast<Int128>(x) * x));
      s += x;
      q += cpp_int(x) * x;
    }
    const auto nn = static_cast<std::int64_t>(n);
    const double mean = rounded_quotient(sum, nn);
    if (s >= 0) {
      expect_correctly_rounded(mean, s, cpp_int(nn));
    } else {
      expect_correctly_rounded(-mean, cpp_int(-s), cpp_int(nn));
    }
    // std² = D / n², D = n·Q − S²: compare y² against it via the midpoints of y.
    const double sd = rounded_std(sum, sq, nn);
    const cpp_int dd = cpp_int(nn) * q - s * s;
    if (dd == 0) {
      EXPECT_EQ(sd, 0.0);
      continue;
    }
    EXPECT_TRUE(test::is_rounded_sqrt_ratio(sd, dd, nn)) << sd << " n=" << n << " D=" << dd;
  }
}

TEST(Summary, PhysicalStatsSwapExtremesForNegativeScale) {
  const std::vector<std::int16_t> v{-32768, 0, 32767, 5};
  const Summary s = summarize(v.data(), v.size(), RawRange{});
  const PhysicalStats p = physical_stats(SampleType::int16, s, -0.5, 1.0);
  EXPECT_EQ(p.min, 32767 * -0.5 + 1.0);
  EXPECT_EQ(p.max, -32768 * -0.5 + 1.0);
  EXPECT_EQ(p.mean, (4.0 / 4) * -0.5 + 1.0);
  EXPECT_GT(p.std, 0);
}

}  // namespace
}  // namespace tsweep::codec
