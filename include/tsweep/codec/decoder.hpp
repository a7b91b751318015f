#pragma once
/// \file
/// Decoding blocks into caller buffers. Whatever the bytes, decoding never
/// reads or writes outside the spans it is given and throws CodecError (or
/// ChecksumError) naming what is wrong.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/core/span.hpp"

namespace tsweep::codec {

/// Decodes blocks. Holds the scratch space and zstd context that some blocks
/// need, so one Decoder per thread reused across blocks allocates nothing
/// once warm. Not thread-safe; cheap to move.
class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  /// Decodes the block at the start of `block` into values[0, count) and, when
  /// `times` is not empty, its sample times into times[0, count) (regular
  /// blocks compute them; pass an empty span to skip). T must be the block's
  /// sample type (int16_t, int32_t, int64_t, float, double), else CodecError.
  /// values (and times, when given) must hold at least peek(block).count
  /// elements: a shorter buffer is a caller bug (InternalError).
  template <class T>
  BlockInfo decode(Span<const std::byte> block, Span<T> values, Span<std::int64_t> times = {});

  /// Type-erased form: writes count native-endian samples of the block's type
  /// into `values` (at least count * sample_size(type) bytes).
  BlockInfo decode(Span<const std::byte> block, Span<std::byte> values, Span<std::int64_t> times = {});

  /// Only the sample times (for quality checks that need no values).
  BlockInfo decode_times(Span<const std::byte> block, Span<std::int64_t> times);

  /// Checksum verification is on by default. Turning it off exists for tests
  /// and fuzzing, to prove that decoding stays in bounds on damaged bytes
  /// that a checksum would otherwise have rejected first.
  void set_verify_checksum(bool on) noexcept;
  [[nodiscard]] bool verify_checksum() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// One-off decoding with a temporary Decoder (keep a Decoder in loops).
template <class T>
BlockInfo decode(Span<const std::byte> block, Span<T> values, Span<std::int64_t> times = {}) {
  return Decoder().decode(block, values, times);
}

}  // namespace tsweep::codec
