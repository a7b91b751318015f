#include "tsweep/codec/block.hpp"

#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "detail/bytes.hpp"
#include "detail/header.hpp"
#include "tsweep/codec/time.hpp"

namespace tsweep::codec {

using detail::fail;
using detail::load_le;

const char* time_encoding_name(TimeEncoding e) noexcept {
  switch (e) {
    case TimeEncoding::regular:
      return "regular";
    case TimeEncoding::delta_of_delta:
      return "delta-of-delta";
  }
  return "unknown";
}

const char* value_encoding_name(ValueEncoding e) noexcept {
  switch (e) {
    case ValueEncoding::plain:
      return "plain";
    case ValueEncoding::integer:
      return "integer";
    case ValueEncoding::decimal:
      return "decimal";
    case ValueEncoding::shuffle:
      return "shuffle";
  }
  return "unknown";
}

namespace detail {

void write_header(std::byte* p, const BlockInfo& info) noexcept {
  std::memcpy(p, kMagic, 4);
  p[4] = std::byte{kFormatVersion};
  p[5] = static_cast<std::byte>(info.type);
  p[6] = static_cast<std::byte>(info.time_encoding);
  p[7] = static_cast<std::byte>(info.value_encoding);
  store_le<std::uint32_t>(p + 8, info.count);
  store_le<std::uint32_t>(p + 12, info.time_bytes);
  store_le<std::uint32_t>(p + 16, info.value_bytes);
  store_le<std::uint32_t>(p + 20, 0);
  store_le<std::int64_t>(p + 24, info.first_ns);
  store_le<std::int64_t>(p + 32, info.last_ns);
  store_le<std::int64_t>(p + 40, info.rate_nhz);
  store_le<std::int64_t>(p + 48, info.min_ns);
  store_le<std::int64_t>(p + 56, info.max_ns);
  static_assert(header_size(kFormatVersion) == kPhaseOffset + 8, "the version written ends with the phase");
  store_le<std::int64_t>(p + kPhaseOffset, info.phase);
}

std::uint64_t block_checksum(const std::byte* block, std::size_t payload_bytes) noexcept {
  const XXH64_hash_t seed = XXH3_64bits(block, kChecksumOffset);
  return XXH3_64bits_withSeed(block + kHeaderSize, payload_bytes, seed);
}

}  // namespace detail

namespace {

std::string hex(std::uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void check_times(const BlockInfo& b) {
  const auto t = [](std::int64_t v) { return std::to_string(v); };
  if (b.regular()) {
    if (!is_regular_rate(b.rate_nhz)) fail("header: regular block with rate " + t(b.rate_nhz) + " nHz");
    if (b.phase < 0 || b.phase >= b.rate_nhz) {
      fail("header: phase " + t(b.phase) + " is outside 0 ... rate - 1 = " + t(b.rate_nhz - 1));
    }
    if (b.time_bytes != 0) fail("header: regular block with a " + t(b.time_bytes) + "-byte time section");
    std::int64_t last = b.first_ns;
    if (b.count > 0) {
      last = sample_time(b.regular_times(), b.count - 1);
      if (last == std::numeric_limits<std::int64_t>::max()) {
        fail("header: last sample time overflows int64");
      }
    }
    if (b.last_ns != last || b.min_ns != b.first_ns || b.max_ns != last) {
      fail("header: times disagree with first time " + t(b.first_ns) + " and rate " + t(b.rate_nhz) + " nHz (last " +
           t(b.last_ns) + ", expected " + t(last) + ")");
    }
    return;
  }
  if (b.rate_nhz != 0) fail("header: irregular block with nonzero rate " + t(b.rate_nhz));
  if (b.phase != 0) fail("header: irregular block with nonzero phase " + t(b.phase));
  if (b.count == 0) {
    if (b.time_bytes != 0 || b.first_ns != 0 || b.last_ns != 0 || b.min_ns != 0 || b.max_ns != 0) {
      fail("header: empty irregular block with times");
    }
    return;
  }
  if (b.time_bytes == 0) fail("header: irregular block without a time section");
  if (b.min_ns > b.max_ns || b.first_ns < b.min_ns || b.first_ns > b.max_ns || b.last_ns < b.min_ns ||
      b.last_ns > b.max_ns) {
    fail("header: first/last times " + t(b.first_ns) + "/" + t(b.last_ns) + " outside min/max " + t(b.min_ns) + "/" +
         t(b.max_ns));
  }
}

}  // namespace

BlockInfo peek(Span<const std::byte> bytes) {
  if (bytes.size() < kHeaderSize) {
    fail("block too short: " + std::to_string(bytes.size()) + " bytes, the header alone is " +
         std::to_string(kHeaderSize));
  }
  const std::byte* p = bytes.data();
  if (std::memcmp(p, detail::kMagic, 4) != 0) fail("not a tsweep block (bad magic)");
  const auto version = static_cast<std::uint8_t>(p[4]);
  if (version < kOldestFormatVersion || version > kFormatVersion) {
    fail("block format version " + std::to_string(version) + " is not supported (this build reads " +
         std::to_string(kOldestFormatVersion) + " ... " + std::to_string(kFormatVersion) + ")");
  }
  if (bytes.size() < header_size(version)) {
    fail("block too short: " + std::to_string(bytes.size()) + " bytes, the version-" + std::to_string(version) +
         " header alone is " + std::to_string(header_size(version)));
  }
  const auto type = static_cast<std::uint8_t>(p[5]);
  if (!is_sample_type_code(type)) fail("header: unknown sample type code " + std::to_string(type));
  const auto tenc = static_cast<std::uint8_t>(p[6]);
  if (tenc > 1) fail("header: unknown time encoding " + std::to_string(tenc));
  const auto venc = static_cast<std::uint8_t>(p[7]);
  if (venc > 3) fail("header: unknown value encoding " + std::to_string(venc));

  BlockInfo b;
  b.version = version;
  b.type = static_cast<SampleType>(type);
  b.time_encoding = static_cast<TimeEncoding>(tenc);
  b.value_encoding = static_cast<ValueEncoding>(venc);
  if ((b.value_encoding == ValueEncoding::integer && is_floating(b.type)) ||
      ((b.value_encoding == ValueEncoding::decimal || b.value_encoding == ValueEncoding::shuffle) &&
       !is_floating(b.type))) {
    fail(std::string("header: value encoding ") + value_encoding_name(b.value_encoding) + " cannot hold " +
         sample_type_name(b.type) + " samples");
  }
  b.count = load_le<std::uint32_t>(p + 8);
  if (b.count > kMaxBlockSamples) {
    fail("header: " + std::to_string(b.count) + " samples exceed the limit of " + std::to_string(kMaxBlockSamples));
  }
  b.time_bytes = load_le<std::uint32_t>(p + 12);
  b.value_bytes = load_le<std::uint32_t>(p + 16);
  if (load_le<std::uint32_t>(p + 20) != 0) fail("header: reserved field is not 0");
  b.first_ns = load_le<std::int64_t>(p + 24);
  b.last_ns = load_le<std::int64_t>(p + 32);
  b.rate_nhz = load_le<std::int64_t>(p + 40);
  b.min_ns = load_le<std::int64_t>(p + 48);
  b.max_ns = load_le<std::int64_t>(p + 56);
  b.checksum = load_le<std::uint64_t>(p + detail::kChecksumOffset);
  b.phase = version >= 2 ? load_le<std::int64_t>(p + detail::kPhaseOffset) : 0;
  check_times(b);
  b.encoded_size = b.header_size() + static_cast<std::size_t>(b.time_bytes) + b.value_bytes;
  return b;
}

ChecksumError::ChecksumError(std::uint64_t stored, std::uint64_t computed, std::int64_t block)
    : CodecError("checksum mismatch: stored " + hex(stored) + ", computed " + hex(computed), block),
      m_stored(stored),
      m_computed(computed) {}

BlockInfo verify(Span<const std::byte> bytes) {
  const BlockInfo info = peek(bytes);
  if (bytes.size() < info.encoded_size) {
    fail("truncated block: " + std::to_string(bytes.size()) + " bytes of " + std::to_string(info.encoded_size));
  }
  const std::uint64_t computed = detail::block_checksum(bytes.data(), info.encoded_size - kHeaderSize);
  if (computed != info.checksum) throw ChecksumError(info.checksum, computed);
  return info;
}

}  // namespace tsweep::codec
