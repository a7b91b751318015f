#pragma once
// Exact checks of correct rounding, with big integers: shared by the codec's
// summary tests and the run-on-store test.

// Boost.Multiprecision's inlined limb copies trip GCC 12's -Wmaybe-uninitialized (a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/multiprecision/cpp_int.hpp>

#include <cmath>
#include <cstdint>

namespace tsweep::test {

/// True when y (> 0) is sqrt(dd) / n (dd > 0, n > 0) correctly rounded to
/// double: the exact value lies in y's rounding interval, (2·mant ± 1)·2^k,
/// a tie going to the even mantissa.
inline bool is_rounded_sqrt_ratio(double y, const boost::multiprecision::cpp_int& dd, std::int64_t n) {
  using boost::multiprecision::cpp_int;
  int e;
  const double m = std::frexp(y, &e);  // y = m·2^e, m in [0.5, 1)
  const auto mant = static_cast<std::int64_t>(std::ldexp(m, 53));
  const int k = e - 54;
  auto compare = [&](std::int64_t mid) {  // sign of (mid·2^k)² − dd/n²
    const cpp_int lhs = cpp_int(mid) * mid * n * n;
    const cpp_int a = k >= 0 ? cpp_int(lhs << (2 * k)) : lhs, b = k >= 0 ? dd : cpp_int(dd << (-2 * k));
    return a < b ? -1 : (a > b ? 1 : 0);
  };
  const int lo = compare(2 * mant - 1), hi = compare(2 * mant + 1);
  const bool even = mant % 2 == 0;
  return (lo < 0 || (lo == 0 && even)) && (hi > 0 || (hi == 0 && even));
}

}  // namespace tsweep::test
