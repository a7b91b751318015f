#pragma once
// The decode loops that run per sample, compiled once per instruction set
// (kernels_generic.cpp, kernels_avx2.cpp) and chosen at run time. This header
// holds only plain data and out-of-line declarations: anything inline here
// would be compiled with AVX2 in one object and could be picked by the linker
// for a CPU without it.

#include <cstddef>
#include <cstdint>

namespace tsweep::codec::detail {

/// Samples per bit-width group; also the number of interleaved lanes.
inline constexpr std::size_t kGroup = 16;

/// Where a unary decoder is in a string of unary codes (q zero bits, then a
/// one; LSB-first): the next byte to read and the zeros read since the last
/// one.
struct UnaryCursor {
  const std::uint8_t* bits = nullptr;
  std::size_t bytes = 0;
  std::size_t pos = 0;
  std::uint64_t carry = 0;
};

/// Decodes whole bytes (or 8-byte words) from the cursor on until at least
/// `want` codes are written to q, as the lane type, or the bytes end; returns
/// the number written. q has room for want + 64 values. Quotients are kept
/// modulo 2^B, as FORMAT.md says.
using UnaryFn = std::size_t (*)(UnaryCursor& c, std::size_t want, void* q);

/// A validated integer stream, ready for a row kernel (see FORMAT.md,
/// "Integer stream"). All sizes were checked against `count` by the parser.
struct RowStream {
  std::size_t count = 0;   ///< values to write
  std::size_t groups = 0;  ///< ceil(count / 16)
  // Group widths: 2-bit codes, 4 per byte; code c < 3 is width base + c, code
  // 3 takes the next escape byte. The byte after the last escape is readable.
  const std::uint8_t* width_codes = nullptr;
  const std::uint8_t* width_escapes = nullptr;
  unsigned width_base = 0;
  const std::byte* lanes = nullptr;  ///< 16 interleaved lane words per word index
  std::size_t lane_words = 0;        ///< words per lane
  unsigned order = 0;                ///< 0 ... 4
  /// The reference and the values before the first (x[-1], x[-2], ...;
  /// seed3 and seed4 only for orders 3 and 4).
  std::uint64_t ref = 0, seed1 = 0, seed2 = 0, seed3 = 0, seed4 = 0;
  // Exceptions: gap-coded positions and high bits, LSB-first packed.
  std::uint32_t exceptions = 0;
  unsigned pos_width = 0, high_width = 0;
  const std::byte* exc_pos = nullptr;
  std::size_t exc_pos_bytes = 0;
  const std::byte* exc_high = nullptr;
  std::size_t exc_high_bytes = 0;
  /// Rice coding (then there are no exceptions and no width codes): every
  /// group's width, and the quotients' unary codes, exactly `count` of them
  /// (the parser counted the ones). Value 16g + l is its w_g low bits from
  /// the lanes plus q << w_g. Null widths for packed streams.
  const std::uint8_t* widths = nullptr;
  UnaryCursor quotients;
  UnaryFn unary = nullptr;  ///< for quotients of the lane type
};

/// One implementation of the per-sample loops. `out` receives count values of
/// the lane type (written with memcpy, so it may be any sample buffer).
struct Kernels {
  const char* name;
  void (*rows16)(const RowStream& s, std::byte* out);
  void (*rows32)(const RowStream& s, std::byte* out);
  void (*rows64)(const RowStream& s, std::byte* out);
  /// Unary decoders with quotients as uint16, uint32, uint64.
  UnaryFn unary16;
  UnaryFn unary32;
  UnaryFn unary64;
  /// In place: int64 n (|n| < 2^51) -> double (n * mul) / div.
  void (*decimal64)(std::byte* data, std::size_t n, double mul, double div);
  /// In place: int32 n (|n| < 2^22) -> float (n * mul) / div.
  void (*decimal32)(std::byte* data, std::size_t n, float mul, float div);
};

/// The fastest kernels this CPU runs (chosen once).
const Kernels& kernels() noexcept;
/// Every implementation compiled in that this CPU can run, the portable scalar
/// reference first (for tests and benchmarks).
std::size_t kernel_count() noexcept;
const Kernels& kernel_at(std::size_t i) noexcept;
/// Makes kernels() return `k` (tests and benchmarks compare implementations).
void use_kernels(const Kernels& k) noexcept;

/// Out of line: kernels call it on damaged input only.
[[noreturn]] void fail_exception(const char* what, std::uint64_t position);

}  // namespace tsweep::codec::detail
