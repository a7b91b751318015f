#pragma once
// The block header (80 bytes in version 2, 72 in version 1) and the block
// checksum (FORMAT.md, "Header").

#include <cstddef>
#include <cstdint>

#include "tsweep/codec/block.hpp"

namespace tsweep::codec::detail {

inline constexpr std::byte kMagic[4] = {std::byte{'T'}, std::byte{'S'}, std::byte{'B'}, std::byte{'K'}};
/// Header bytes covered by the checksum's seed: everything before the checksum field.
inline constexpr std::size_t kChecksumOffset = 64;

/// Offset of the phase field (version 2 on): right after the checksum.
inline constexpr std::size_t kPhaseOffset = 72;

/// Writes every header field of `info` except the checksum into
/// p[0, header_size(kFormatVersion)): a header of the version this library writes.
void write_header(std::byte* p, const BlockInfo& info) noexcept;

/// XXH3-64 of the `payload_bytes` bytes after the checksum field (from byte
/// kHeaderSize: in version 2 the phase, then the sections), seeded with
/// XXH3-64 of header bytes [0, 64). So payload_bytes = encoded_size - kHeaderSize in every version.
std::uint64_t block_checksum(const std::byte* block, std::size_t payload_bytes) noexcept;

}  // namespace tsweep::codec::detail
