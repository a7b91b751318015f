#include "detail/uuid.hpp"

#include <array>
#include <cstdio>
#include <random>

namespace tsweep::store::detail {
namespace {
std::string format(std::uint64_t hi, std::uint64_t lo, unsigned version) {
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | (version << 4));
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return text;
}
}  // namespace

std::string random_uuid() {
  std::random_device rd;
  const std::uint64_t hi = (std::uint64_t{rd()} << 32) | rd();
  const std::uint64_t lo = (std::uint64_t{rd()} << 32) | rd();
  return format(hi, lo, 4);
}

std::string uuid_from(std::uint64_t hi, std::uint64_t lo) {
  return format(hi, lo, 8);
}

}  // namespace tsweep::store::detail
