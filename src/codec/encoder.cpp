#include "tsweep/codec/encoder.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>

#include "detail/bytes.hpp"
#include "detail/chunk.hpp"
#include "detail/header.hpp"
#include "detail/int_stream.hpp"
#include "detail/value_streams.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/assert.hpp"

namespace tsweep::codec {

using detail::ByteWriter;
using detail::fail;

EntropyCoding parse_entropy_coding(std::string_view name) {
  if (name == "off") return EntropyCoding::off;
  if (name == "auto") return EntropyCoding::automatic;
  if (name == "always") return EntropyCoding::always;
  fail("entropy coding '" + std::string(name) + "' is not one of off, auto, always");
}

const char* entropy_coding_name(EntropyCoding coding) noexcept {
  switch (coding) {
    case EntropyCoding::off:
      return "off";
    case EntropyCoding::always:
      return "always";
    case EntropyCoding::automatic:
      break;
  }
  return "auto";
}

struct Encoder::Impl {
  EncodeOptions options;
  detail::ChunkWriter chunks;
  detail::IntScratch scratch;
  std::vector<std::byte> shuffle_scratch;
  std::vector<std::byte> candidate;  // one value section being tried
  std::vector<std::byte> best;       // the smallest so far

  explicit Impl(EncodeOptions o) : options(o) {}

  template <class T>
  std::size_t encode(Span<const T> values, const RegularTimes* regular, Span<const std::int64_t> times,
                     std::vector<std::byte>& out);

  template <class T>
  ValueEncoding write_values(Span<const T> v, std::vector<std::byte>& out);

  /// Writes a candidate value section with `write` and keeps it if smallest.
  template <class Fn>
  void try_candidate(ValueEncoding enc, ValueEncoding& chosen, Fn&& write) {
    candidate.clear();
    ByteWriter w(candidate);
    write(w);
    if (best.empty() || candidate.size() < best.size()) {
      best.swap(candidate);
      chosen = enc;
    }
  }
};

Encoder::Encoder(EncodeOptions options) : m_impl(std::make_unique<Impl>(options)) {
  set_options(options);
}
Encoder::~Encoder() = default;
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;

const EncodeOptions& Encoder::options() const noexcept {
  return m_impl->options;
}

void Encoder::set_options(const EncodeOptions& options) {
  if (options.zstd_level < 1 || options.zstd_level > 22) {
    fail("zstd level " + std::to_string(options.zstd_level) + " is outside 1..22");
  }
  if (!(options.zstd_min_saving >= 0.0 && options.zstd_min_saving < 1.0)) {
    fail("zstd minimum saving " + std::to_string(options.zstd_min_saving) + " is outside [0, 1)");
  }
  m_impl->options = options;
}

template <class T>
ValueEncoding Encoder::Impl::write_values(Span<const T> v, std::vector<std::byte>& out) {
  const std::size_t n = v.size();
  const auto* raw = reinterpret_cast<const std::byte*>(v.data());
  const std::size_t raw_bytes = n * sizeof(T);
  ValueEncoding chosen = ValueEncoding::plain;
  best.clear();
  auto plain = [&](ByteWriter& w) { detail::encode_plain(raw, raw_bytes, w, chunks, options); };
  if (n == 0) {
    try_candidate(ValueEncoding::plain, chosen, plain);
  } else if constexpr (std::is_integral_v<T>) {
    using W = std::make_unsigned_t<T>;
    try_candidate(ValueEncoding::integer, chosen, [&](ByteWriter& w) {
      detail::encode_int_stream<W>(Span<const W>(reinterpret_cast<const W*>(v.data()), n), w, scratch, chunks, options);
    });
    // Plain (with zstd) wins only on data the integer stream cannot shrink,
    // or where zstd finds long repeats: try it when it has a chance.
    if (best.size() >= raw_bytes || options.zstd == ZstdStage::always) {
      try_candidate(ValueEncoding::plain, chosen, plain);
    }
  } else {
    bool tried_decimal = false;
    std::uint32_t exceptions = 0;
    if (options.decimal_floats) {
      const detail::DecimalParams p = detail::choose_decimal(v.data(), n);
      if (p.exception_fraction < 0.5) {
        tried_decimal = true;
        try_candidate(ValueEncoding::decimal, chosen, [&](ByteWriter& w) {
          exceptions = detail::encode_decimal(v.data(), n, p, w, scratch, chunks, options);
        });
      }
    }
    if (!tried_decimal || exceptions > n / 16) {
      try_candidate(ValueEncoding::plain, chosen, plain);
      if (options.zstd != ZstdStage::off) {
        for (bool xor_previous : {true, false}) {
          try_candidate(ValueEncoding::shuffle, chosen, [&](ByteWriter& w) {
            detail::encode_shuffle(raw, n, sizeof(T), xor_previous, w, shuffle_scratch, chunks, options);
          });
        }
      }
    }
  }
  out.insert(out.end(), best.begin(), best.end());
  return chosen;
}

template <class T>
std::size_t Encoder::Impl::encode(Span<const T> values, const RegularTimes* regular, Span<const std::int64_t> times,
                                  std::vector<std::byte>& out) {
  static_assert(is_sample_value_v<T>, "samples are int16_t, int32_t, int64_t, float or double");
  const std::size_t n = values.size();
  if (n > kMaxBlockSamples) {
    fail("cannot encode " + std::to_string(n) + " samples in one block (limit " + std::to_string(kMaxBlockSamples) +
         ")");
  }
  BlockInfo info;
  info.type = sample_type_of<T>();
  info.count = static_cast<std::uint32_t>(n);
  if (regular) {
    if (!is_regular_rate(regular->rate_nhz)) {
      fail("rate " + std::to_string(regular->rate_nhz) + " nHz is outside 1 nHz ... 1 GHz");
    }
    if (!is_regular_time_base(*regular)) {
      fail("phase " + std::to_string(regular->phase) +
           " is outside 0 ... rate - 1 = " + std::to_string(regular->rate_nhz - 1));
    }
    info.time_encoding = TimeEncoding::regular;
    info.rate_nhz = regular->rate_nhz;
    info.phase = regular->phase;
    info.first_ns = regular->first_ns;
    info.last_ns = n ? sample_time(*regular, static_cast<std::int64_t>(n) - 1) : regular->first_ns;
    if (info.last_ns == std::numeric_limits<std::int64_t>::max()) {
      fail("the last sample time of the block overflows int64");
    }
    info.min_ns = info.first_ns;
    info.max_ns = info.last_ns;
  } else {
    if (times.size() != n) {
      fail("cannot encode " + std::to_string(n) + " samples with " + std::to_string(times.size()) + " times");
    }
    info.time_encoding = TimeEncoding::delta_of_delta;
    if (n) {
      info.first_ns = times[0];
      info.last_ns = times[n - 1];
      const auto [lo, hi] = std::minmax_element(times.begin(), times.end());
      info.min_ns = *lo;
      info.max_ns = *hi;
    }
  }

  const std::size_t start = out.size();
  // Leave `out` as it was if anything below throws (zstd or memory failures).
  struct Rollback {
    std::vector<std::byte>& out;
    std::size_t size;
    bool done = false;
    ~Rollback() {
      if (!done) out.resize(size);
    }
  } rollback{out, start};
  const std::size_t header_bytes = header_size(kFormatVersion);
  out.resize(start + header_bytes);
  if (!regular && n) {
    ByteWriter w(out);
    const auto* t = reinterpret_cast<const std::uint64_t*>(times.data());
    detail::encode_int_stream<std::uint64_t>(Span<const std::uint64_t>(t, n), w, scratch, chunks, options);
  }
  const std::size_t time_end = out.size();
  info.value_encoding = write_values(values, out);
  const std::size_t time_bytes = time_end - start - header_bytes;
  const std::size_t value_bytes = out.size() - time_end;
  if (time_bytes > std::numeric_limits<std::uint32_t>::max() ||
      value_bytes > std::numeric_limits<std::uint32_t>::max()) {
    fail("block sections exceed 4 GiB");
  }
  info.time_bytes = static_cast<std::uint32_t>(time_bytes);
  info.value_bytes = static_cast<std::uint32_t>(value_bytes);
  std::byte* header = out.data() + start;
  detail::write_header(header, info);
  detail::store_le<std::uint64_t>(header + detail::kChecksumOffset,
                                  detail::block_checksum(header, out.size() - start - kHeaderSize));
  rollback.done = true;
  return out.size() - start;
}

template <class T>
std::size_t Encoder::encode(Span<const T> values, RegularTimes times, std::vector<std::byte>& out) {
  return m_impl->encode(values, &times, {}, out);
}

template <class T>
std::size_t Encoder::encode(Span<const T> values, Span<const std::int64_t> times, std::vector<std::byte>& out) {
  return m_impl->encode(values, nullptr, times, out);
}

namespace {
template <class Fn>
std::size_t with_type(SampleType type, Span<const std::byte> values, Fn&& fn) {
  const std::size_t size = sample_size(type);
  if (size == 0 || values.size() % size != 0) {
    fail(std::to_string(values.size()) + " bytes are not a whole number of " + sample_type_name(type) + " samples");
  }
  const std::size_t n = values.size() / size;
  TSWEEP_ASSERT(reinterpret_cast<std::uintptr_t>(values.data()) % size == 0);  // samples are read in place
  switch (type) {
    case SampleType::int16:
      return fn(Span<const std::int16_t>(reinterpret_cast<const std::int16_t*>(values.data()), n));
    case SampleType::int32:
      return fn(Span<const std::int32_t>(reinterpret_cast<const std::int32_t*>(values.data()), n));
    case SampleType::int64:
      return fn(Span<const std::int64_t>(reinterpret_cast<const std::int64_t*>(values.data()), n));
    case SampleType::float32:
      return fn(Span<const float>(reinterpret_cast<const float*>(values.data()), n));
    case SampleType::float64:
      return fn(Span<const double>(reinterpret_cast<const double*>(values.data()), n));
  }
  fail("unknown sample type");
}
}  // namespace

std::size_t Encoder::encode(SampleType type, Span<const std::byte> values, RegularTimes times,
                            std::vector<std::byte>& out) {
  return with_type(type, values, [&](auto v) { return m_impl->encode(v, &times, {}, out); });
}

std::size_t Encoder::encode(SampleType type, Span<const std::byte> values, Span<const std::int64_t> times,
                            std::vector<std::byte>& out) {
  return with_type(type, values, [&](auto v) { return m_impl->encode(v, nullptr, times, out); });
}

#define TSWEEP_INSTANTIATE(T)                                                                    \
  template std::size_t Encoder::encode<T>(Span<const T>, RegularTimes, std::vector<std::byte>&); \
  template std::size_t Encoder::encode<T>(Span<const T>, Span<const std::int64_t>, std::vector<std::byte>&);
TSWEEP_INSTANTIATE(std::int16_t)
TSWEEP_INSTANTIATE(std::int32_t)
TSWEEP_INSTANTIATE(std::int64_t)
TSWEEP_INSTANTIATE(float)
TSWEEP_INSTANTIATE(double)
#undef TSWEEP_INSTANTIATE

}  // namespace tsweep::codec
