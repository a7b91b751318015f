#include "tsweep/store/series.hpp"

#include <algorithm>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store {

void check_series(const Series& s, const char* what) {
  const std::int64_t n = s.count();
  if (s.values.size() % codec::sample_size(s.type) != 0) {
    throw InternalError(std::string(what) + ": value bytes are not a whole number of samples");
  }
  if (!s.times.empty()) {
    if (static_cast<std::int64_t>(s.times.size()) != n) {
      throw InternalError(std::string(what) + ": " + std::to_string(s.times.size()) + " times for " +
                          std::to_string(n) + " samples");
    }
    if (!s.segments.empty()) throw InternalError(std::string(what) + ": a series has both times and segments");
    return;
  }
  if (n > 0 && s.segments.empty()) throw InternalError(std::string(what) + ": samples without times or segments");
  if (!s.segments.empty() && !codec::is_regular_rate(s.rate_nhz)) {
    throw InternalError(std::string(what) + ": segments need a regular rate");
  }
  std::int64_t next = 0;
  for (const auto& seg : s.segments) {
    if (seg.begin < next || seg.count < 0 || seg.begin + seg.count > n) {
      throw InternalError(std::string(what) + ": segments overlap or run past the samples");
    }
    if (!codec::is_regular_time_base({seg.first_ns, s.rate_nhz, seg.phase})) {
      throw InternalError(std::string(what) + ": a segment's phase is outside 0 ... rate - 1");
    }
    next = seg.begin + seg.count;
  }
}

std::int64_t encode_series(const Series& s, std::uint32_t block_samples, codec::Encoder& encoder,
                           const std::function<void(Span<const std::byte>)>& sink) {
  return encode_series(s, block_samples, encoder,
                       [&](Span<const std::byte> block, Span<const std::byte> /*values*/) { sink(block); });
}

std::int64_t encode_series(const Series& s, std::uint32_t block_samples, codec::Encoder& encoder,
                           const std::function<void(Span<const std::byte>, Span<const std::byte>)>& sink) {
  check_series(s, "encode_series");
  if (block_samples == 0 || block_samples > codec::kMaxBlockSamples) {
    throw ConfigError("block size " + std::to_string(block_samples) + " is outside 1 ... " +
                      std::to_string(codec::kMaxBlockSamples) + " samples");
  }
  const std::size_t size = codec::sample_size(s.type);
  std::vector<std::byte> out;
  std::int64_t blocks = 0;
  auto values = [&](std::int64_t begin, std::int64_t count) {
    return Span<const std::byte>(s.values.data() + static_cast<std::size_t>(begin) * size,
                                 static_cast<std::size_t>(count) * size);
  };
  if (!s.times.empty()) {
    for (std::int64_t b = 0; b < s.count(); b += block_samples) {
      const std::int64_t n = std::min<std::int64_t>(block_samples, s.count() - b);
      out.clear();
      encoder.encode(s.type, values(b, n), Span<const std::int64_t>(s.times.data() + b, static_cast<std::size_t>(n)),
                     out);
      sink(out, values(b, n));
      ++blocks;
    }
    return blocks;
  }
  for (const auto& seg : s.segments) {
    const codec::RegularTimes grid{seg.first_ns, s.rate_nhz, seg.phase};
    for (std::int64_t i = 0; i < seg.count; i += block_samples) {
      const std::int64_t n = std::min<std::int64_t>(block_samples, seg.count - i);
      out.clear();
      encoder.encode(s.type, values(seg.begin + i, n), codec::advance(grid, i), out);
      sink(out, values(seg.begin + i, n));
      ++blocks;
    }
  }
  return blocks;
}

}  // namespace tsweep::store
