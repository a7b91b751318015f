#pragma once
/// \file
/// What an encoded block says about itself, readable from its fixed-size
/// header alone (peek), and the errors a block can raise. The byte layout is
/// specified in src/codec/FORMAT.md.

#include <cstddef>
#include <cstdint>
#include <string>

#include "tsweep/codec/sample_type.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/span.hpp"

namespace tsweep::codec {

/// Format version written by this library (FORMAT.md, "Versions").
inline constexpr std::uint8_t kFormatVersion = 4;
/// Oldest format version this library reads; it reads every one up to kFormatVersion.
inline constexpr std::uint8_t kOldestFormatVersion = 1;
/// Bytes that start every block, laid out alike in every version (all of a
/// version-1 header): peek() needs at least this many to learn the version,
/// and then header_size(version).
inline constexpr std::size_t kHeaderSize = 72;
/// The longest header of any version read here: peek() never needs more.
inline constexpr std::size_t kMaxHeaderSize = 80;

/// Bytes of the header of a block of format `version`: 80 from version 2 on
/// (the phase follows the checksum), 72 in version 1.
constexpr std::size_t header_size(std::uint8_t version) noexcept {
  return version >= 2 ? kMaxHeaderSize : kHeaderSize;
}

/// Most samples one block may hold. Bounds what a reader must allocate for a
/// block whatever its bytes say.
inline constexpr std::uint32_t kMaxBlockSamples = 1u << 24;

/// How a block stores its sample times.
enum class TimeEncoding : std::uint8_t {
  regular = 0,         ///< first time + rate in the header; no time section
  delta_of_delta = 1,  ///< explicit int64 times: delta (of delta), zigzag, bit-packed
};

/// How a block stores its sample values.
enum class ValueEncoding : std::uint8_t {
  plain = 0,    ///< little-endian values (optionally zstd)
  integer = 1,  ///< delta order 0-2, zigzag, bit-packed groups of 16 with patches
  decimal = 2,  ///< floats that are decimals in disguise, as integers (+ exceptions)
  shuffle = 3,  ///< floats: optional XOR with the previous value, byte planes, zstd
};

const char* time_encoding_name(TimeEncoding e) noexcept;
const char* value_encoding_name(ValueEncoding e) noexcept;

/// The header of one block, validated for internal consistency (not checksummed).
struct BlockInfo {
  SampleType type = SampleType::int16;
  TimeEncoding time_encoding = TimeEncoding::regular;
  ValueEncoding value_encoding = ValueEncoding::plain;
  std::uint32_t count = 0;                ///< samples in the block
  std::int64_t first_ns = 0;              ///< time of the first sample
  std::int64_t last_ns = 0;               ///< time of the last sample (first_ns when count == 0)
  std::int64_t min_ns = 0;                ///< earliest sample time (irregular times may go backwards)
  std::int64_t max_ns = 0;                ///< latest sample time
  std::int64_t rate_nhz = 0;              ///< regular rate; 0 for irregular blocks
  std::int64_t phase = 0;                 ///< regular: grid phase, 0 ... rate_nhz - 1 (0 in version 1); irregular: 0
  std::uint8_t version = kFormatVersion;  ///< format version of the block
  std::uint32_t time_bytes = 0;           ///< bytes of the time section
  std::uint32_t value_bytes = 0;          ///< bytes of the value section
  std::uint64_t checksum = 0;             ///< stored XXH3-64 of the block (see FORMAT.md)
  std::size_t encoded_size = 0;           ///< total bytes of the block, header included

  [[nodiscard]] bool regular() const noexcept { return time_encoding == TimeEncoding::regular; }
  /// Bytes of this block's header (where its time section starts).
  [[nodiscard]] std::size_t header_size() const noexcept { return codec::header_size(version); }
  /// A regular block's time base: sample i is at sample_time(regular_times(), i).
  [[nodiscard]] RegularTimes regular_times() const noexcept { return {first_ns, rate_nhz, phase}; }
};

/// Reads and validates the header at the start of `bytes`, which must hold the
/// whole header: header_size(version) bytes, so kMaxHeaderSize always does
/// (not necessarily the whole block: encoded_size says how long the block is,
/// so a reader can step through blocks back to back). Reads every version
/// from kOldestFormatVersion to kFormatVersion. Throws CodecError naming the
/// first field that is wrong.
BlockInfo peek(Span<const std::byte> bytes);

/// Checks that `bytes` starts with a whole block whose checksum matches.
/// Throws ChecksumError on a mismatch, CodecError for a bad header or
/// truncated block. Cheaper than decoding (XXH3 runs at memory speed).
BlockInfo verify(Span<const std::byte> bytes);

/// A block whose bytes do not match their checksum: the block was damaged
/// after it was written. Callers report such blocks as corrupt.
class ChecksumError : public CodecError {
 public:
  ChecksumError(std::uint64_t stored, std::uint64_t computed, std::int64_t block = -1);
  [[nodiscard]] std::uint64_t stored() const noexcept { return m_stored; }
  [[nodiscard]] std::uint64_t computed() const noexcept { return m_computed; }

 private:
  std::uint64_t m_stored;
  std::uint64_t m_computed;
};

}  // namespace tsweep::codec
