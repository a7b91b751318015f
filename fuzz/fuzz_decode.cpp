// libFuzzer target: decoding arbitrary bytes must never crash, hang, or read
// or write out of bounds (ASan/UBSan), only throw CodecError.
//
// The first input byte picks how: bit 0 repairs the checksum and decodes with
// verification (the path callers use), otherwise verification is off so the
// structure checks behind it get fuzzed too; bit 1 skips the times; the high
// bits pick the kernel implementation.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "detail/header.hpp"
#include "kernels/kernels.hpp"
#include "tsweep/codec/codec.hpp"

using namespace tsweep;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static codec::Decoder checked;
  static codec::Decoder unchecked = [] {
    codec::Decoder d;
    d.set_verify_checksum(false);
    return d;
  }();
  const std::uint8_t mode = data[0];
  std::vector<std::byte> block(reinterpret_cast<const std::byte*>(data + 1),
                               reinterpret_cast<const std::byte*>(data + size));
  codec::detail::use_kernels(codec::detail::kernel_at((mode >> 4) % codec::detail::kernel_count()));
  try {
    const codec::BlockInfo info = codec::peek(block);
    if (info.count > (1u << 20)) return 0;  // keep each run's memory small
    if ((mode & 1) && block.size() >= info.encoded_size) {
      const std::uint64_t sum = codec::detail::block_checksum(block.data(), info.encoded_size - codec::kHeaderSize);
      for (int i = 0; i < 8; ++i) {
        block[codec::detail::kChecksumOffset + static_cast<std::size_t>(i)] = static_cast<std::byte>(sum >> (8 * i));
      }
    }
    codec::Decoder& dec = (mode & 1) ? checked : unchecked;
    std::vector<std::byte> values(std::size_t{info.count} * codec::sample_size(info.type));
    std::vector<std::int64_t> times((mode & 2) ? 0 : info.count);
    dec.decode(block, Span<std::byte>(values), Span<std::int64_t>(times));
  } catch (const CodecError&) {
  }
  return 0;
}
