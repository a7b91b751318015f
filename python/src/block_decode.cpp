#include "block_decode.hpp"

#include <cstring>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::python {

namespace {

template <class T>
void to_physical(const std::byte* raw, std::size_t n, double scale, double offset, double* out) {
  const T* in = reinterpret_cast<const T*>(raw);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(in[i]) * scale + offset;
}

void to_physical(codec::SampleType type, const std::byte* raw, std::size_t n, double scale, double offset,
                 double* out) {
  switch (type) {
    case codec::SampleType::int16:
      return to_physical<std::int16_t>(raw, n, scale, offset, out);
    case codec::SampleType::int32:
      return to_physical<std::int32_t>(raw, n, scale, offset, out);
    case codec::SampleType::int64:
      return to_physical<std::int64_t>(raw, n, scale, offset, out);
    case codec::SampleType::float32:
      return to_physical<float>(raw, n, scale, offset, out);
    case codec::SampleType::float64:
      return to_physical<double>(raw, n, scale, offset, out);
  }
}

// Moves the samples whose time lies in `range` to the front, in order; returns how many.
std::size_t keep_in_range(std::byte* values, std::size_t width, Span<std::int64_t> times, const TimeRange& range) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (!range.contains(times[i])) continue;
    if (kept != i) {
      std::memmove(values + kept * width, values + i * width, width);
      times[kept] = times[i];
    }
    ++kept;
  }
  return kept;
}

// Where a block's n times go: the caller's buffer; else, when they decide
// which samples are kept (the block is not whole in the range), scratch;
// else nowhere (an empty span: the decoder skips them).
Span<std::int64_t> times_of(const Buffers& out, std::size_t slot, std::size_t n, bool whole, Scratch& scratch) {
  if (out.times) return {out.times + slot, n};
  if (whole) return {};
  scratch.times.resize(n);
  return {scratch.times.data(), n};
}

}  // namespace

std::size_t decode_block(const store::StreamInfo& stream, const store::BlockRef& ref, Span<const std::byte> bytes,
                         const Buffers& out, std::size_t slot, const ReadOptions& options, Scratch& scratch) {
  store::check_before_decode(ref, bytes, stream.type);
  const std::size_t n = ref.count;
  const std::size_t width = codec::sample_size(stream.type);
  const bool whole = options.range.holds(ref);
  if (options.physical) scratch.raw.resize(n * width);
  std::byte* values = options.physical ? scratch.raw.data() : static_cast<std::byte*>(out.values) + slot * width;
  const Span<std::int64_t> times = times_of(out, slot, n, whole, scratch);
  const codec::BlockInfo info = scratch.decoder.decode(bytes, Span<std::byte>(values, n * width), times);
  store::check_decoded(info, ref);
  const std::size_t kept = whole ? n : keep_in_range(values, width, times, options.range);
  if (options.physical) {
    to_physical(stream.type, values, kept, stream.scale, stream.offset, static_cast<double*>(out.values) + slot);
  }
  return kept;
}

}  // namespace tsweep::python
