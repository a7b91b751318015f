#pragma once
/// \file
/// The five sample types a stream can hold, and what every layer needs to
/// know about them: size, name, and the C++ type that carries them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace tsweep::codec {

/// Raw sample type of a stream. The numeric values are stored in encoded
/// blocks and in the store, so they never change.
enum class SampleType : std::uint8_t { int16 = 1, int32, int64, float32, float64 };

/// Bytes per sample.
constexpr std::size_t sample_size(SampleType t) noexcept {
  switch (t) {
    case SampleType::int16:
      return 2;
    case SampleType::int32:
      return 4;
    case SampleType::int64:
      return 8;
    case SampleType::float32:
      return 4;
    case SampleType::float64:
      return 8;
  }
  return 0;
}

/// True for float32 and float64.
constexpr bool is_floating(SampleType t) noexcept {
  return t == SampleType::float32 || t == SampleType::float64;
}

/// True when `code` is the numeric value of a SampleType (as read from a file).
constexpr bool is_sample_type_code(std::uint8_t code) noexcept {
  return code >= 1 && code <= 5;
}

/// "int16", "int32", "int64", "float32" or "float64" (the names used in
/// configs, the store and reports).
const char* sample_type_name(SampleType t) noexcept;

/// The type for a name written as sample_type_name() writes it; nullopt otherwise.
std::optional<SampleType> parse_sample_type(std::string_view name) noexcept;

/// As parse_sample_type(), but throws tsweep::ConfigError naming the value
/// and the accepted names.
SampleType sample_type_from_name(std::string_view name);

/// The SampleType carried by a C++ type: sample_type_of<std::int16_t>() == SampleType::int16.
template <class T>
constexpr SampleType sample_type_of() noexcept;
template <>
constexpr SampleType sample_type_of<std::int16_t>() noexcept {
  return SampleType::int16;
}
template <>
constexpr SampleType sample_type_of<std::int32_t>() noexcept {
  return SampleType::int32;
}
template <>
constexpr SampleType sample_type_of<std::int64_t>() noexcept {
  return SampleType::int64;
}
template <>
constexpr SampleType sample_type_of<float>() noexcept {
  return SampleType::float32;
}
template <>
constexpr SampleType sample_type_of<double>() noexcept {
  return SampleType::float64;
}

/// True for the five C++ types that carry samples.
template <class T>
inline constexpr bool is_sample_value_v =
    std::is_same_v<T, std::int16_t> || std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t> ||
    std::is_same_v<T, float> || std::is_same_v<T, double>;

}  // namespace tsweep::codec
