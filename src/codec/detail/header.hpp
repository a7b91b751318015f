#pragma once
// The fixed 72-byte block header and the block checksum (FORMAT.md, "Header").

#include <cstddef>
#include <cstdint>

#include "tsweep/codec/block.hpp"

namespace tsweep::codec::detail {

inline constexpr std::byte kMagic[4] = {std::byte{'T'}, std::byte{'S'}, std::byte{'B'}, std::byte{'K'}};
/// Header bytes covered by the checksum's seed: everything before the checksum field.
inline constexpr std::size_t kChecksumOffset = 64;

/// Writes every header field of `info` except the checksum into p[0, 64).
void write_header(std::byte* p, const BlockInfo& info) noexcept;

/// XXH3-64 of the payload, seeded with XXH3-64 of header bytes [0, 64).
std::uint64_t block_checksum(const std::byte* block, std::size_t payload_bytes) noexcept;

}  // namespace tsweep::codec::detail
