#pragma once
// Data generators shared by the codec tests: the shapes of data a block meets
// in practice and the extremes that break naive encoders.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "detail/header.hpp"  // the codec's checksum, to rewrite blocks as version 1
#include "tsweep/codec/codec.hpp"

namespace tsweep::codec::testing {

enum class Shape {
  random_full,  // uniform over the whole type
  random_walk,  // small steps: the ECG-like case
  constant,
  alternating_extremes,
  type_extremes,   // min, max, 0, -1, 1 mixed
  spikes,          // flat with rare huge spikes (exceptions)
  ramp,            // constant step (order 1 + reference)
  sine_noise,      // smooth with noise; for floats 2 decimals
  special_floats,  // NaN (several payloads), +-Inf, -0.0, denormals, max/min
};

inline const char* shape_name(Shape s) {
  switch (s) {
    case Shape::random_full:
      return "random_full";
    case Shape::random_walk:
      return "random_walk";
    case Shape::constant:
      return "constant";
    case Shape::alternating_extremes:
      return "alternating_extremes";
    case Shape::type_extremes:
      return "type_extremes";
    case Shape::spikes:
      return "spikes";
    case Shape::ramp:
      return "ramp";
    case Shape::sine_noise:
      return "sine_noise";
    case Shape::special_floats:
      return "special_floats";
  }
  return "?";
}

inline const Shape kAllShapes[] = {
    Shape::random_full, Shape::random_walk, Shape::constant,   Shape::alternating_extremes, Shape::type_extremes,
    Shape::spikes,      Shape::ramp,        Shape::sine_noise, Shape::special_floats};

template <class T>
T bits_to(std::uint64_t b) {
  if constexpr (std::is_same_v<T, float>) {
    const auto u = static_cast<std::uint32_t>(b);
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  } else if constexpr (std::is_same_v<T, double>) {
    double d;
    std::memcpy(&d, &b, 8);
    return d;
  } else {
    return static_cast<T>(b);
  }
}

template <class T>
std::vector<T> make_values(Shape shape, std::size_t n, std::uint64_t seed) {
  using L = std::numeric_limits<T>;
  std::mt19937_64 rng(seed);
  std::vector<T> v(n);
  const T lo = L::lowest();
  const T hi = L::max();
  double walk = 1000.0;
  for (std::size_t i = 0; i < n; ++i) {
    switch (shape) {
      case Shape::random_full:
        v[i] = bits_to<T>(rng());
        if constexpr (!std::is_integral_v<T>) {
          if (std::isnan(v[i])) v[i] = T(1.5);  // NaNs have their own shape
        }
        break;
      case Shape::random_walk: {
        walk += static_cast<double>(static_cast<int>(rng() % 41) - 20);
        if (walk > 30000.0 || walk < -30000.0) walk = 0.0;
        if constexpr (std::is_integral_v<T>) {
          v[i] = static_cast<T>(walk);
        } else {
          v[i] = static_cast<T>(walk / 100.0);  // two decimals
        }
        break;
      }
      case Shape::constant:
        v[i] = static_cast<T>(42);
        break;
      case Shape::alternating_extremes:
        v[i] = (i % 2) ? hi : lo;
        break;
      case Shape::type_extremes: {
        const T pick[] = {lo, hi, T(0), static_cast<T>(-1), T(1), static_cast<T>(hi / 2)};
        v[i] = pick[rng() % 6];
        break;
      }
      case Shape::spikes:
        v[i] = (rng() % 97 == 0) ? ((rng() % 2) ? hi : lo) : static_cast<T>(rng() % 4);
        break;
      case Shape::ramp:
        if constexpr (std::is_integral_v<T>) {
          v[i] = static_cast<T>(static_cast<std::uint64_t>(lo) + 1000 * static_cast<std::uint64_t>(i));
        } else {
          v[i] = static_cast<T>(0.25 * static_cast<double>(i) - 100.0);
        }
        break;
      case Shape::sine_noise: {
        const double s = 1000.0 * std::sin(static_cast<double>(i) * 0.01) + static_cast<double>(rng() % 7);
        if constexpr (std::is_integral_v<T>) {
          v[i] = static_cast<T>(s);
        } else {
          v[i] = static_cast<T>(std::round(s * 100.0) / 100.0);
        }
        break;
      }
      case Shape::special_floats:
        if constexpr (std::is_integral_v<T>) {
          v[i] = static_cast<T>(rng());
        } else if constexpr (std::is_same_v<T, double>) {
          const std::uint64_t pick[] = {0x7FF8000000000000ull, 0xFFF8000000000001ull, 0x7FF0000000000001ull,
                                        0x7FF0000000000000ull, 0xFFF0000000000000ull, 0x8000000000000000ull,
                                        0x0000000000000001ull, 0x800FFFFFFFFFFFFFull, 0x7FEFFFFFFFFFFFFFull,
                                        0x3FF0000000000000ull, 0x4059000000000000ull /* 100.0 */};
          v[i] = (rng() % 3 == 0) ? bits_to<T>(pick[rng() % 11]) : static_cast<T>(static_cast<double>(i % 100) / 10.0);
        } else {
          const std::uint32_t pick[] = {0x7FC00000u, 0xFFC00001u, 0x7F800001u, 0x7F800000u, 0xFF800000u,
                                        0x80000000u, 0x00000001u, 0x807FFFFFu, 0x7F7FFFFFu, 0x3F800000u};
          v[i] = (rng() % 3 == 0) ? bits_to<T>(pick[rng() % 10]) : static_cast<T>(static_cast<float>(i % 100) / 10.0f);
        }
        break;
    }
  }
  return v;
}

/// Bitwise equality, so NaN payloads and -0.0 count.
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

/// First index where a and b differ bitwise, or -1.
template <class T>
long first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) return static_cast<long>(i);
  }
  return a.size() == b.size() ? -1 : static_cast<long>(std::min(a.size(), b.size()));
}

inline std::vector<std::int64_t> irregular_times(std::size_t n, std::uint64_t seed, bool messy) {
  std::mt19937_64 rng(seed);
  std::vector<std::int64_t> t(n);
  std::int64_t now = 1'700'000'000'000'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    if (messy && rng() % 13 == 0) {
      now -= static_cast<std::int64_t>(rng() % 5'000'000);  // backwards or duplicate
    } else {
      now += 2'000'000 + static_cast<std::int64_t>(rng() % 50'000);  // ~500 Hz with jitter
    }
    t[i] = now;
  }
  return t;
}

/// The version-1 block with the same samples and times as `block`, a block of
/// the current version with phase 0 (version 1 has no phase), byte for byte
/// what a version-1 writer made: the 72-byte header without the phase field,
/// version 1, and the checksum over what remains.
/// The block as format `version` (1 to 3) would have it. The block must be of
/// the version written now, with delta orders up to 2 (versions 1 to 3 have
/// no orders 3 and 4), for versions 1 and 2 packed integer streams only
/// (encoded with EntropyCoding::off: they have no Rice codes), and for
/// version 1 phase 0.
inline std::vector<std::byte> to_version(const std::vector<std::byte>& block, std::uint8_t version) {
  const BlockInfo info = peek(block);
  if (info.version != kFormatVersion || version < 1 || version >= kFormatVersion || (version == 1 && info.phase != 0)) {
    throw InternalError("to_version: needs a current block (with phase 0 for version 1)");
  }
  const std::size_t dropped = info.header_size() - header_size(version);
  std::vector<std::byte> old(block.size() - dropped);
  std::memcpy(old.data(), block.data(), header_size(version));
  std::memcpy(old.data() + header_size(version), block.data() + info.header_size(), block.size() - info.header_size());
  old[4] = std::byte{version};
  const std::uint64_t sum = detail::block_checksum(old.data(), old.size() - kHeaderSize);
  for (std::size_t i = 0; i < 8; ++i) old[detail::kChecksumOffset + i] = static_cast<std::byte>(sum >> (8 * i));
  return old;
}
inline std::vector<std::byte> to_version1(const std::vector<std::byte>& block) {
  return to_version(block, 1);
}

}  // namespace tsweep::codec::testing
