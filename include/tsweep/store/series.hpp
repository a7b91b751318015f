#pragma once
/// \file
/// The samples of one stream in memory, as importers and the generator make
/// them, and their cutting into encoded blocks. Pure C++: no HDF5, no MPI.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "tsweep/codec/encoder.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/core/span.hpp"

namespace tsweep::store {

/// Samples per block when nothing else is asked for.
inline constexpr std::uint32_t kDefaultBlockSamples = 32768;

/// A run of consecutive samples on a regular grid: samples [begin, begin +
/// count) of a Series; sample k of the segment is at codec::sample_time(
/// {first_ns, rate_nhz, phase}, k). A gap (or a missing sample) ends a
/// segment; a block never spans two segments, and the blocks of a segment
/// continue its grid exactly.
struct Segment {
  std::int64_t first_ns = 0;
  std::int64_t begin = 0;
  std::int64_t count = 0;
  /// Grid phase of the first sample (codec::RegularTimes::phase): nonzero when
  /// the segment continues a grid that started earlier, e.g. after missing
  /// samples, so that its samples stay on that grid.
  std::int64_t phase = 0;
};

/// The raw samples of one stream. Regular series (rate_nhz > 0 and no
/// `times`) place samples by `segments`; irregular ones carry one time per
/// sample (then `segments` is empty).
struct Series {
  codec::SampleType type = codec::SampleType::int16;
  std::int64_t rate_nhz = 0;
  std::vector<std::byte> values;    ///< count() native-endian samples of `type`
  std::vector<std::int64_t> times;  ///< irregular series only
  std::vector<Segment> segments;    ///< regular series only

  [[nodiscard]] std::int64_t count() const noexcept {
    return static_cast<std::int64_t>(values.size() / codec::sample_size(type));
  }
  [[nodiscard]] bool irregular() const noexcept { return !times.empty() || segments.empty(); }

  template <class T>
  void push(T value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    values.insert(values.end(), p, p + sizeof(T));
  }
  template <class T>
  [[nodiscard]] T at(std::int64_t i) const noexcept {
    T v;
    std::memcpy(&v, values.data() + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
    return v;
  }
};

/// Checks a Series for internal consistency (segments inside the values and
/// in order, one time per sample); throws InternalError naming `what`.
void check_series(const Series& series, const char* what);

/// Cuts `series` into blocks of at most `block_samples` samples (a block never
/// spans a gap), encodes each with `encoder` and hands its bytes to `sink`.
/// Each regular block carries the phase that keeps its samples on its
/// segment's grid, whatever the block size. Returns the number of blocks.
std::int64_t encode_series(const Series& series, std::uint32_t block_samples, codec::Encoder& encoder,
                           const std::function<void(Span<const std::byte>)>& sink);
/// As above; `sink` also gets the block's raw samples (native-endian, of
/// series.type), e.g. to summarise them for the block's index row.
std::int64_t encode_series(const Series& series, std::uint32_t block_samples, codec::Encoder& encoder,
                           const std::function<void(Span<const std::byte> block, Span<const std::byte> values)>& sink);

}  // namespace tsweep::store
