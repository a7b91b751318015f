#pragma once
/// \file
/// Encoding samples and their times into one self-contained block.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/span.hpp"

namespace tsweep::codec {

/// When the general-purpose zstd stage is applied to a section's streams.
enum class ZstdStage : std::uint8_t {
  off,        ///< never: fastest decode
  automatic,  ///< only where it saves at least EncodeOptions::zstd_min_saving of the bytes
  always,     ///< wherever it makes the stream smaller at all: smallest blocks
};

/// When integer streams code their residuals with Rice codes (an adaptive
/// parameter per group of 16, FORMAT.md "Integer stream") instead of packing
/// them at one bit width per group.
enum class EntropyCoding : std::uint8_t {
  off,        ///< always packed: the fastest decode
  automatic,  ///< Rice where it makes the stream smaller
  always,     ///< Rice wherever the format allows it (tests, benchmarks)
};

/// "off", "auto" or "always"; throws CodecError for anything else.
EntropyCoding parse_entropy_coding(std::string_view name);
/// The name parse_entropy_coding() reads.
const char* entropy_coding_name(EntropyCoding coding) noexcept;

struct EncodeOptions {
  EntropyCoding entropy = EntropyCoding::automatic;
  ZstdStage zstd = ZstdStage::automatic;
  /// zstd compression level (1 ... 22). Decoding speed hardly depends on it.
  int zstd_level = 3;
  /// Fraction of a stream's bytes that zstd must save to be kept in automatic
  /// mode: below it, the decode time zstd costs is not worth the bytes.
  double zstd_min_saving = 0.125;
  /// Try the decimal (ALP) encoding for floats.
  bool decimal_floats = true;
};

/// Encodes blocks. Holds scratch buffers and a zstd context, so one Encoder
/// per thread reused across blocks allocates nothing once warm.
/// Not thread-safe; cheap to move.
class Encoder {
 public:
  explicit Encoder(EncodeOptions options = {});
  ~Encoder();
  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  [[nodiscard]] const EncodeOptions& options() const noexcept;
  void set_options(const EncodeOptions& options);

  /// Appends one block holding `values` at regular times to `out`; returns the
  /// number of bytes appended. T is one of int16_t, int32_t, int64_t, float,
  /// double. A block cut from a longer run takes advance(run, k) as its
  /// times, so that it continues the run's grid. Throws CodecError for more
  /// than kMaxBlockSamples values, an invalid rate or phase, or a last sample
  /// time beyond the int64 range; `out` is then left as it was.
  template <class T>
  std::size_t encode(Span<const T> values, RegularTimes times, std::vector<std::byte>& out);

  /// As above with one explicit time per value (any order, duplicates allowed).
  template <class T>
  std::size_t encode(Span<const T> values, Span<const std::int64_t> times, std::vector<std::byte>& out);

  /// Type-erased forms: `values` holds count native-endian samples of `type`,
  /// aligned for that type.
  std::size_t encode(SampleType type, Span<const std::byte> values, RegularTimes times, std::vector<std::byte>& out);
  std::size_t encode(SampleType type, Span<const std::byte> values, Span<const std::int64_t> times,
                     std::vector<std::byte>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// One-off encoding with a temporary Encoder (allocates; keep an Encoder in loops).
template <class T>
std::size_t encode(Span<const T> values, RegularTimes times, std::vector<std::byte>& out,
                   const EncodeOptions& options = {}) {
  return Encoder(options).encode(values, times, out);
}
template <class T>
std::size_t encode(Span<const T> values, Span<const std::int64_t> times, std::vector<std::byte>& out,
                   const EncodeOptions& options = {}) {
  return Encoder(options).encode(values, times, out);
}

}  // namespace tsweep::codec
