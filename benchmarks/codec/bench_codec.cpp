// Codec benchmark: size and decode speed of tsweep blocks against general-
// purpose compressors on the same samples, in one run (so ratios survive a
// noisy machine). Results and how to read them: benchmarks/RESULTS.md.
//
// Every codec compresses the same blocks of kBlock samples; decode benchmarks
// decode all blocks of a data set into one output buffer. Counters:
//   bits_per_sample  compressed size
//   items_per_second samples decoded (or encoded) per second, one core
//   bytes_per_second decoded bytes written per second (compare with memcpy)
#include <benchmark/benchmark.h>
#include <zstd.h>
#if defined(TSWEEP_HAVE_LZ4)
#include <lz4.h>
#endif
#if defined(TSWEEP_HAVE_FLAC)
#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tsweep/codec/codec.hpp"
#include "tsweep/store/import/wfdb.hpp"

namespace {

using namespace tsweep;
using codec::SampleType;

constexpr std::size_t kBlock = 65536;

struct Dataset {
  std::string name;
  SampleType type;
  std::vector<std::byte> raw;  // native samples
  std::int64_t rate_nhz;       // 0: irregular (the samples are the times)
  [[nodiscard]] std::size_t size() const { return codec::sample_size(type); }
  [[nodiscard]] std::size_t count() const { return raw.size() / size(); }
};

template <class T>
Dataset make(std::string name, const std::vector<T>& v, std::int64_t rate_nhz) {
  Dataset d{std::move(name), codec::sample_type_of<T>(), {}, rate_nhz};
  d.raw.resize(v.size() * sizeof(T));
  std::memcpy(d.raw.data(), v.data(), d.raw.size());
  return d;
}

// ---- Data ----

std::vector<Dataset> load_datasets() {
  std::vector<Dataset> out;
  const std::filesystem::path hea = std::filesystem::path(TSWEEP_SHARED_DATA) / "wfdb" / "100.hea";
  if (std::filesystem::exists(hea)) {
    const auto rec = store::import::read_wfdb(hea.string());
    for (const auto& sig : rec.signals) {
      out.push_back(make("mitbih100_" + sig.description,
                         std::vector<std::int16_t>(sig.samples.begin(), sig.samples.end()), sig.rate_nhz));
    }
  } else {
    std::fprintf(stderr,
                 "note: %s not found; the MIT-BIH 100 benchmarks are skipped (the record lives in "
                 "../shared/data beside the project)\n",
                 hea.string().c_str());
  }
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> noise(0.0, 1.0);
  const double pi = 3.141592653589793;
  {  // ECG-like: PQRST beats at ~75 bpm, baseline wander, noise; 200 adu/mV, 500 Hz, 10 min
    const double fs = 500.0;
    std::vector<std::int16_t> v(300000);
    double next_beat = 0.3;
    double beat = -10.0;
    auto bump = [](double t, double at, double width, double height) {
      const double x = (t - at) / width;
      return height * std::exp(-0.5 * x * x);
    };
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double t = static_cast<double>(i) / fs;
      if (t >= next_beat) {
        beat = next_beat;
        next_beat += 0.8 + 0.05 * noise(rng);
      }
      const double u = t - beat;
      const double mv = bump(u, -0.20, 0.025, 0.15) + bump(u, -0.03, 0.008, -0.1) + bump(u, 0.0, 0.010, 1.2) +
                        bump(u, 0.03, 0.008, -0.25) + bump(u, 0.25, 0.040, 0.3) + 0.1 * std::sin(2 * pi * 0.3 * t) +
                        0.01 * noise(rng);
      v[i] = static_cast<std::int16_t>(std::lround(mv * 200.0));
    }
    out.push_back(make("ecg500_int16", v, 500 * codec::kNanohertzPerHertz));
  }
  {  // 1 Hz vitals: heart rate for a day, slow drift, rare artefacts
    std::vector<std::int16_t> v(86400);
    double hr = 72;
    for (auto& x : v) {
      hr += 0.2 * noise(rng) - 0.001 * (hr - 72);
      x = static_cast<std::int16_t>(std::lround(hr));
      if (rng() % 2000 == 0) x = (rng() % 2) ? 0 : 255;
    }
    out.push_back(make("vitals1hz_int16", v, codec::kNanohertzPerHertz));
  }
  {  // float64 sensor with 2 decimals: a temperature with a daily cycle
    std::vector<double> v(100000);
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double c = 21.0 + 3.0 * std::sin(2 * pi * static_cast<double>(i) / 86400.0) + 0.05 * noise(rng);
      v[i] = std::round(c * 100.0) / 100.0;
    }
    out.push_back(make("sensor_float64_2dp", v, codec::kNanohertzPerHertz));
  }
  {  // irregular event times: Poisson arrivals, mean 3 s, ns resolution
    std::vector<std::int64_t> t(100000);
    std::exponential_distribution<double> gap(1.0 / 3e9);
    std::int64_t now = 1'700'000'000'000'000'000;
    for (auto& x : t) {
      now += static_cast<std::int64_t>(gap(rng));
      x = now;
    }
    out.push_back(make("event_times_int64", t, 0));
  }
  return out;
}

// ---- Codecs: each turns a data set into compressed blocks and back ----

struct Compressed {
  std::vector<std::vector<std::byte>> blocks;
  std::size_t bytes = 0;
};

struct Codec {
  std::string name;
  bool integers_only = false;
  bool int16_only = false;
  std::function<Compressed(const Dataset&)> encode;
  std::function<void(const Compressed&, const Dataset&, std::byte* out)> decode;
  bool float64_only = false;
};

template <class Fn>
void for_each_block(const Dataset& d, Fn&& fn) {
  for (std::size_t at = 0; at < d.count(); at += kBlock) {
    const std::size_t n = std::min(kBlock, d.count() - at);
    fn(at, n, d.raw.data() + at * d.size());
  }
}

Codec tsweep_codec(const std::string& name, codec::ZstdStage stage, int level,
                   codec::EntropyCoding coding = codec::EntropyCoding::automatic) {
  Codec c{name, false, false, {}, {}};
  c.encode = [stage, level, coding](const Dataset& d) {
    codec::EncodeOptions opt;
    opt.zstd = stage;
    opt.zstd_level = level;
    opt.entropy = coding;
    codec::Encoder enc(opt);
    Compressed out;
    for_each_block(d, [&](std::size_t at, std::size_t n, const std::byte* p) {
      std::vector<std::byte> b;
      const Span<const std::byte> values(p, n * d.size());
      if (d.rate_nhz > 0) {
        enc.encode(d.type, values, codec::advance({0, d.rate_nhz, 0}, static_cast<std::int64_t>(at)), b);
      } else {
        // Event times: the samples are the times; store them as the block's times.
        const std::vector<std::int16_t> zeros(n, 0);
        const Span<const std::int64_t> t(reinterpret_cast<const std::int64_t*>(p), n);
        enc.encode<std::int16_t>(Span<const std::int16_t>(zeros), t, b);
      }
      out.bytes += b.size();
      out.blocks.push_back(std::move(b));
    });
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset& d, std::byte* out) {
    thread_local codec::Decoder dec;
    thread_local std::vector<std::int16_t> scratch;
    std::size_t at = 0;
    for (const auto& b : z.blocks) {
      const codec::BlockInfo info = codec::peek(b);
      if (d.rate_nhz > 0) {
        dec.decode(b, Span<std::byte>(out + at * d.size(), info.count * d.size()));
      } else {
        scratch.resize(info.count);
        dec.decode<std::int16_t>(b, Span<std::int16_t>(scratch),
                                 Span<std::int64_t>(reinterpret_cast<std::int64_t*>(out + at * d.size()), info.count));
      }
      at += info.count;
    }
  };
  return c;
}

Codec zstd_codec(int level) {
  Codec c{"zstd" + std::to_string(level), false, false, {}, {}};
  c.encode = [level](const Dataset& d) {
    Compressed out;
    for_each_block(d, [&](std::size_t, std::size_t n, const std::byte* p) {
      std::vector<std::byte> b(ZSTD_compressBound(n * d.size()));
      b.resize(ZSTD_compress(b.data(), b.size(), p, n * d.size(), level));
      out.bytes += b.size();
      out.blocks.push_back(std::move(b));
    });
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset& d, std::byte* out) {
    thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    std::size_t at = 0;
    for (const auto& b : z.blocks) {
      const std::size_t n = std::min(kBlock, d.count() - at);
      ZSTD_decompressDCtx(ctx.get(), out + at * d.size(), n * d.size(), b.data(), b.size());
      at += n;
    }
  };
  return c;
}

#if defined(TSWEEP_HAVE_LZ4)
Codec lz4_codec() {
  Codec c{"lz4", false, false, {}, {}};
  c.encode = [](const Dataset& d) {
    Compressed out;
    for_each_block(d, [&](std::size_t, std::size_t n, const std::byte* p) {
      const int src = static_cast<int>(n * d.size());
      std::vector<std::byte> b(static_cast<std::size_t>(LZ4_compressBound(src)));
      b.resize(static_cast<std::size_t>(LZ4_compress_default(
          reinterpret_cast<const char*>(p), reinterpret_cast<char*>(b.data()), src, static_cast<int>(b.size()))));
      out.bytes += b.size();
      out.blocks.push_back(std::move(b));
    });
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset& d, std::byte* out) {
    std::size_t at = 0;
    for (const auto& b : z.blocks) {
      const std::size_t n = std::min(kBlock, d.count() - at);
      LZ4_decompress_safe(reinterpret_cast<const char*>(b.data()), reinterpret_cast<char*>(out + at * d.size()),
                          static_cast<int>(b.size()), static_cast<int>(n * d.size()));
      at += n;
    }
  };
  return c;
}
#endif

// AtriumDB's scheme, as its TSC library (LaussenLabs/atriumdb, tsc-lib/)
// encodes an integer block (value type DELTA_INT64, the SDK's default for
// integers): delta transforms of order 0 ... 5 are tried and the one whose
// output has the lowest Shannon entropy is kept; the transform leaves the
// first k slots of a k-th order block undifferenced (the raw first value,
// then partial differences) inline in the array; the whole array is narrowed
// to one signed width of 1, 2, 4 or 8 bytes (0 when all are 0) that holds its
// minimum and maximum, the first slots included; zstd level 19 compresses
// it. Blocks of 131 072 values (the SDK's default; the remainder joins the
// last block), each with its 208-byte header (block_metadata_t with x86-64
// alignment). Times of regular data cost nothing (a start time and no gaps).
//
// `first_apart` is the variant that stores the first k slots on their own (8
// bytes each) and narrows only the k-th differences: not what AtriumDB does,
// but the strongest reading of its scheme, and so the fair bar.
constexpr std::size_t kAtriumBlock = 131072;
constexpr std::size_t kAtriumHeader = 208;

double shannon_bits(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  double h = 0;
  const double n = static_cast<double>(v.size());
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    const double p = static_cast<double>(j - i) / n;
    h -= p * std::log2(p);
    i = j;
  }
  return h;
}

// Differences modulo 2^64, as the int64 arrays of AtriumDB's C code wrap.
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

std::int64_t load_int(const Dataset& d, const std::byte* p, std::size_t i) {
  if (d.size() == 2) {
    std::int16_t x;
    std::memcpy(&x, p + 2 * i, 2);
    return x;
  }
  std::int64_t v;
  std::memcpy(&v, p + 8 * i, 8);
  return v;
}

Codec atrium_codec(bool first_apart) {
  Codec c{first_apart ? "atriumdb_first_apart" : "atriumdb", true, false, {}, {}};
  c.encode = [first_apart](const Dataset& d) {
    Compressed out;
    const std::size_t blocks = std::max<std::size_t>(1, d.count() / kAtriumBlock);
    for (std::size_t k = 0; k < blocks; ++k) {
      const std::size_t at = k * kAtriumBlock;
      const std::size_t n = k + 1 == blocks ? d.count() - at : kAtriumBlock;
      const std::byte* p = d.raw.data() + at * d.size();
      std::vector<std::int64_t> t(n), best;
      for (std::size_t i = 0; i < n; ++i) t[i] = load_int(d, p, i);
      double best_bits = 0;
      std::size_t order = 0;
      for (std::size_t o = 0; o <= 5 && o < n; ++o) {
        if (o > 0) {
          for (std::size_t i = n - 1; i >= o; --i) t[i] = wrap_sub(t[i], t[i - 1]);
        }
        const double h = shannon_bits(t);
        if (o == 0 || h < best_bits) {
          best_bits = h;
          best = t;
          order = o;
        }
      }
      const std::size_t head = first_apart ? order : 0;  // slots stored apart, raw
      std::int64_t lo = 0, hi = 0;
      for (std::size_t i = head; i < n; ++i) {
        lo = std::min(lo, best[i]);
        hi = std::max(hi, best[i]);
      }
      const std::uint8_t width = (lo == 0 && hi == 0)                   ? 0
                                 : (lo >= INT8_MIN && hi <= INT8_MAX)   ? 1
                                 : (lo >= INT16_MIN && hi <= INT16_MAX) ? 2
                                 : (lo >= INT32_MIN && hi <= INT32_MAX) ? 4
                                                                        : 8;
      std::vector<std::byte> narrow((n - head) * width);
      for (std::size_t i = head; i < n; ++i) std::memcpy(narrow.data() + (i - head) * width, &best[i], width);
      // [order][width][head slots, int64][zstd frame]; the first two bytes live in the header.
      std::vector<std::byte> b(2 + 8 * head + ZSTD_compressBound(narrow.size()));
      b[0] = static_cast<std::byte>(order);
      b[1] = std::byte{width};
      std::memcpy(b.data() + 2, best.data(), 8 * head);
      const std::size_t z =
          ZSTD_compress(b.data() + 2 + 8 * head, b.size() - 2 - 8 * head, narrow.data(), narrow.size(), 19);
      b.resize(2 + 8 * head + z);
      out.bytes += kAtriumHeader + b.size() - 2;
      out.blocks.push_back(std::move(b));
    }
    return out;
  };
  c.decode = [first_apart](const Compressed& z, const Dataset& d, std::byte* out) {
    thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    thread_local std::vector<std::byte> narrow;
    thread_local std::vector<std::int64_t> t;
    std::size_t at = 0;
    for (std::size_t k = 0; k < z.blocks.size(); ++k) {
      const auto& b = z.blocks[k];
      const std::size_t n = k + 1 == z.blocks.size() ? d.count() - at : kAtriumBlock;
      const auto order = static_cast<std::size_t>(b[0]);
      const auto width = static_cast<std::size_t>(b[1]);
      const std::size_t head = first_apart ? order : 0;
      t.resize(n);
      std::memcpy(t.data(), b.data() + 2, 8 * head);
      narrow.resize((n - head) * width);
      ZSTD_decompressDCtx(ctx.get(), narrow.data(), narrow.size(), b.data() + 2 + 8 * head, b.size() - 2 - 8 * head);
      auto widen = [&](auto tag) {
        using N = decltype(tag);
        for (std::size_t i = head; i < n; ++i) {
          N x;
          std::memcpy(&x, narrow.data() + (i - head) * sizeof(N), sizeof(N));
          t[i] = x;
        }
      };
      if (width == 0)
        std::fill(t.begin() + static_cast<std::ptrdiff_t>(head), t.end(), 0);
      else if (width == 1)
        widen(std::int8_t{});
      else if (width == 2)
        widen(std::int16_t{});
      else if (width == 4)
        widen(std::int32_t{});
      else
        widen(std::int64_t{});
      for (std::size_t o = order; o >= 1; --o) {
        for (std::size_t i = o; i < n; ++i) t[i] = wrap_add(t[i], t[i - 1]);
      }
      for (std::size_t i = 0; i < n; ++i) {
        if (d.size() == 2) {
          const auto v = static_cast<std::int16_t>(t[i]);
          std::memcpy(out + (at + i) * 2, &v, 2);
        } else {
          std::memcpy(out + (at + i) * 8, &t[i], 8);
        }
      }
      at += n;
    }
  };
  return c;
}

#if defined(TSWEEP_HAVE_FLAC)
/// libFLAC at its strongest settings (compression level 8: LPC up to order 12
/// with several apodizations, partitioned Rice coding of the residuals; plus
/// the exhaustive model and coefficient-precision searches of `flac -8 -e -p`),
/// one FLAC stream per block of kBlock samples (FLAC frames of 4096 samples
/// inside it). The FLAC-style anchor: linear prediction with Rice coding.
/// int16 only (the bits per sample FLAC is told).
Codec flac_codec() {
  Codec c{"flac", true, true, {}, {}};
  c.encode = [](const Dataset& d) {
    Compressed out;
    for_each_block(d, [&](std::size_t, std::size_t n, const std::byte* p) {
      std::vector<FLAC__int32> pcm(n);
      for (std::size_t i = 0; i < n; ++i) pcm[i] = static_cast<FLAC__int32>(load_int(d, p, i));
      std::vector<std::byte> b;
      std::unique_ptr<FLAC__StreamEncoder, decltype(&FLAC__stream_encoder_delete)> e(FLAC__stream_encoder_new(),
                                                                                     &FLAC__stream_encoder_delete);
      const double hz = static_cast<double>(d.rate_nhz) / static_cast<double>(codec::kNanohertzPerHertz);
      bool ok = FLAC__stream_encoder_set_channels(e.get(), 1) &&
                FLAC__stream_encoder_set_bits_per_sample(e.get(), 16) &&
                FLAC__stream_encoder_set_sample_rate(e.get(), static_cast<std::uint32_t>(std::lround(hz))) &&
                FLAC__stream_encoder_set_compression_level(e.get(), 8) &&
                FLAC__stream_encoder_set_do_exhaustive_model_search(e.get(), true) &&
                FLAC__stream_encoder_set_do_qlp_coeff_prec_search(e.get(), true) &&
                FLAC__stream_encoder_set_total_samples_estimate(e.get(), n);
      auto write = [](const FLAC__StreamEncoder*, const FLAC__byte buffer[], std::size_t bytes, std::uint32_t,
                      std::uint32_t, void* client) {
        auto* to = static_cast<std::vector<std::byte>*>(client);
        const auto* from = reinterpret_cast<const std::byte*>(buffer);
        to->insert(to->end(), from, from + bytes);
        return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
      };
      ok = ok && FLAC__stream_encoder_init_stream(e.get(), write, nullptr, nullptr, nullptr, &b) ==
                     FLAC__STREAM_ENCODER_INIT_STATUS_OK;
      ok = ok && FLAC__stream_encoder_process_interleaved(e.get(), pcm.data(), static_cast<std::uint32_t>(n));
      ok = FLAC__stream_encoder_finish(e.get()) && ok;
      if (!ok) {
        std::fprintf(stderr, "error: libFLAC could not encode %s\n", d.name.c_str());
        std::exit(1);
      }
      out.bytes += b.size();
      out.blocks.push_back(std::move(b));
    });
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset&, std::byte* out) {
    struct Reading {
      const std::vector<std::byte>* block;
      std::size_t at;
      std::byte* out;
    };
    thread_local std::unique_ptr<FLAC__StreamDecoder, decltype(&FLAC__stream_decoder_delete)> dec(
        FLAC__stream_decoder_new(), &FLAC__stream_decoder_delete);
    auto read = [](const FLAC__StreamDecoder*, FLAC__byte buffer[], std::size_t* bytes, void* client) {
      auto* r = static_cast<Reading*>(client);
      const std::size_t n = std::min(*bytes, r->block->size() - r->at);
      std::memcpy(buffer, r->block->data() + r->at, n);
      r->at += n;
      *bytes = n;
      return n == 0 ? FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM : FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
    };
    auto write = [](const FLAC__StreamDecoder*, const FLAC__Frame* frame, const FLAC__int32* const buffer[],
                    void* client) {
      auto* r = static_cast<Reading*>(client);
      for (std::uint32_t i = 0; i < frame->header.blocksize; ++i) {
        const auto v = static_cast<std::int16_t>(buffer[0][i]);
        std::memcpy(r->out, &v, 2);
        r->out += 2;
      }
      return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
    };
    auto error = [](const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus, void*) {};
    Reading r{nullptr, 0, out};
    for (const auto& b : z.blocks) {
      r.block = &b;
      r.at = 0;
      FLAC__stream_decoder_init_stream(dec.get(), read, nullptr, nullptr, nullptr, nullptr, write, nullptr, error, &r);
      FLAC__stream_decoder_process_until_end_of_stream(dec.get());
      FLAC__stream_decoder_finish(dec.get());
    }
  };
  return c;
}
#endif

Codec memcpy_codec() {
  Codec c{"memcpy", false, false, {}, {}};
  c.encode = [](const Dataset& d) {
    Compressed out;
    out.blocks.emplace_back(d.raw.begin(), d.raw.end());
    out.bytes = d.raw.size();
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset&, std::byte* out) {
    std::memcpy(out, z.blocks[0].data(), z.blocks[0].size());
  };
  return c;
}

// ---- ALP's decimal scheme (Afroozeh, Kuffo and Boncz, SIGMOD 2024) ----
//
// As the paper describes it, for comparison with tsweep's decimal mode on the
// same data: per vector of 1024 doubles the exponent pair (e, f) with the
// fewest bits, n = round(v * 10^e * 10^-f), decoded as n * 10^f * 10^-e; the
// values that do not come back bit for bit are exceptions (8-byte value and
// 2-byte position; their n is replaced by the vector's first good one); the
// n are frame-of-reference bit-packed at one width per vector. Vector header:
// e, f, width (1 byte each), reference (8), exception count (2).

constexpr std::size_t kAlpVector = 1024;

double alp_pow10(int k) {
  static const auto table = [] {
    std::vector<double> t(41);
    for (int i = 0; i <= 40; ++i) t[static_cast<std::size_t>(i)] = std::pow(10.0, i - 20);
    return t;
  }();
  return table[static_cast<std::size_t>(k + 20)];
}

struct AlpVector {
  int e = 0, f = 0;
  std::vector<std::int64_t> n;
  std::vector<std::uint16_t> exc;
  unsigned width = 0;
  std::int64_t base = 0;
  [[nodiscard]] std::size_t bytes() const { return 13 + (n.size() * width + 7) / 8 + exc.size() * 10; }
};

AlpVector alp_vector(const double* v, std::size_t m, int e, int f) {
  AlpVector a;
  a.e = e;
  a.f = f;
  a.n.resize(m);
  const double enc = alp_pow10(e) * alp_pow10(-f);
  const double dec_f = alp_pow10(f);
  const double dec_e = alp_pow10(-e);
  bool have = false;
  std::int64_t good = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double x = v[i] * enc;
    const bool fits = std::isfinite(x) && std::fabs(x) < 9.2e18;
    const std::int64_t k = fits ? std::llround(x) : 0;
    const double back = static_cast<double>(k) * dec_f * dec_e;
    if (!fits || std::memcmp(&back, &v[i], 8) != 0) {
      a.exc.push_back(static_cast<std::uint16_t>(i));
      continue;
    }
    a.n[i] = k;
    if (!have) good = k;
    have = true;
  }
  for (std::uint16_t i : a.exc) a.n[i] = good;
  std::int64_t lo = a.n.empty() ? 0 : a.n[0];
  std::int64_t hi = lo;
  for (std::int64_t k : a.n) {
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  a.base = lo;
  const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  while (a.width < 64 && (range >> a.width) != 0) ++a.width;
  return a;
}

Codec alp_codec() {
  Codec c{"alp_scheme", false, false, {}, {}};
  c.float64_only = true;
  c.encode = [](const Dataset& d) {
    Compressed out;
    const auto* v = reinterpret_cast<const double*>(d.raw.data());
    for (std::size_t at = 0; at < d.count(); at += kAlpVector) {
      const std::size_t m = std::min(kAlpVector, d.count() - at);
      AlpVector best = alp_vector(v + at, m, 0, 0);
      for (int e = 0; e <= 18; ++e) {
        for (int f = 0; f <= e; ++f) {
          AlpVector a = alp_vector(v + at, m, e, f);
          if (a.bytes() < best.bytes()) best = std::move(a);
        }
      }
      std::vector<std::byte> b;
      auto put = [&](const void* p, std::size_t k) {
        const auto* q = static_cast<const std::byte*>(p);
        b.insert(b.end(), q, q + k);
      };
      const std::uint8_t head[3] = {static_cast<std::uint8_t>(best.e), static_cast<std::uint8_t>(best.f),
                                    static_cast<std::uint8_t>(best.width)};
      put(head, 3);
      put(&best.base, 8);
      const auto n_exc = static_cast<std::uint16_t>(best.exc.size());
      put(&n_exc, 2);
      std::vector<std::uint8_t> bits((m * best.width + 7) / 8 + 8, 0);
      for (std::size_t i = 0; i < m; ++i) {
        const std::uint64_t u = static_cast<std::uint64_t>(best.n[i]) - static_cast<std::uint64_t>(best.base);
        for (unsigned k = 0; k < best.width; ++k) {
          const std::size_t bit = i * best.width + k;
          if ((u >> k) & 1u) bits[bit / 8] = static_cast<std::uint8_t>(bits[bit / 8] | (1u << (bit % 8)));
        }
      }
      put(bits.data(), bits.size());  // 8 bytes of slack for the decoder's loads, not counted
      for (std::uint16_t i : best.exc) {
        put(&v[at + i], 8);
        put(&i, 2);
      }
      out.bytes += b.size() - 8;
      out.blocks.push_back(std::move(b));
    }
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset& d, std::byte* out) {
    auto* o = reinterpret_cast<double*>(out);
    std::size_t at = 0;
    for (const std::vector<std::byte>& b : z.blocks) {
      const std::size_t m = std::min(kAlpVector, d.count() - at);
      const auto* p = reinterpret_cast<const std::uint8_t*>(b.data());
      const int e = p[0];
      const int f = p[1];
      const unsigned width = p[2];
      std::int64_t base;
      std::memcpy(&base, p + 3, 8);
      std::uint16_t n_exc;
      std::memcpy(&n_exc, p + 11, 2);
      const std::uint8_t* bits = p + 13;
      const std::size_t packed = (m * width + 7) / 8;
      const double mul = alp_pow10(f);
      const double div = alp_pow10(-e);
      const std::uint64_t mask = width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t bit = i * width;
        std::uint64_t w;
        std::memcpy(&w, bits + bit / 8, 8);
        std::uint64_t u = w >> (bit % 8);
        if (bit % 8 + width > 64) u |= static_cast<std::uint64_t>(bits[bit / 8 + 8]) << (64 - bit % 8);
        u &= mask;
        o[at + i] = static_cast<double>(static_cast<std::int64_t>(u + static_cast<std::uint64_t>(base))) * mul * div;
      }
      const std::uint8_t* x = bits + packed + 8;
      for (std::uint16_t j = 0; j < n_exc; ++j, x += 10) {
        std::uint16_t i;
        std::memcpy(&i, x + 8, 2);
        std::memcpy(&o[at + i], x, 8);
      }
      at += m;
    }
  };
  return c;
}

// ---- Registration ----

void check_round_trip(const Codec& c, const Compressed& z, const Dataset& d) {
  std::vector<std::byte> out(d.raw.size());
  c.decode(z, d, out.data());
  if (out != d.raw) {
    std::fprintf(stderr, "error: %s does not round-trip %s\n", c.name.c_str(), d.name.c_str());
    std::exit(1);
  }
}

// The order-0 entropy of an integer data set's first differences, over the
// whole set and averaged over blocks of kBlock (each block its own table): the
// bound for any coder that sees one difference at a time with fixed statistics.
void print_entropy(const Dataset& d) {
  if (codec::is_floating(d.type) || d.count() < 2) return;
  auto diffs = [&](std::size_t from, std::size_t to) {
    std::vector<std::int64_t> v;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < to; ++i) {
      v.push_back(wrap_sub(load_int(d, d.raw.data(), i), load_int(d, d.raw.data(), i - 1)));
    }
    return v;
  };
  double blocks = 0;
  for (std::size_t at = 0; at < d.count(); at += kBlock) {
    const std::size_t to = std::min(d.count(), at + kBlock);
    blocks += shannon_bits(diffs(at, to)) * static_cast<double>(to - std::max<std::size_t>(at, 1));
  }
  std::fprintf(
      stderr,
      "note: %s: order-0 entropy of the first differences %.2f bits/sample (whole set), %.2f (per block of %zu)\n",
      d.name.c_str(), shannon_bits(diffs(0, d.count())), blocks / static_cast<double>(d.count() - 1), kBlock);
}

void register_all(const std::vector<Dataset>& datasets) {
  const std::vector<Codec> codecs = {
    tsweep_codec("tsweep", codec::ZstdStage::automatic, 3),
    tsweep_codec("tsweep_nozstd", codec::ZstdStage::off, 3),
    tsweep_codec("tsweep_max", codec::ZstdStage::always, 19),
    tsweep_codec("tsweep_packed", codec::ZstdStage::automatic, 3, codec::EntropyCoding::off),
    zstd_codec(3),
    zstd_codec(19),
#if defined(TSWEEP_HAVE_LZ4)
    lz4_codec(),
#endif
    atrium_codec(false),
    atrium_codec(true),
    alp_codec(),
#if defined(TSWEEP_HAVE_FLAC)
    flac_codec(),
#endif
    memcpy_codec(),
  };
  for (const Dataset& d : datasets) {
    print_entropy(d);
    for (const Codec& c : codecs) {
      if (c.integers_only && codec::is_floating(d.type)) continue;
      if (c.int16_only && d.type != SampleType::int16) continue;
      if (c.float64_only && d.type != SampleType::float64) continue;
      auto z = std::make_shared<Compressed>(c.encode(d));
      check_round_trip(c, *z, d);
      const double bits = 8.0 * static_cast<double>(z->bytes) / static_cast<double>(d.count());
      benchmark::RegisterBenchmark(("decode/" + d.name + "/" + c.name).c_str(), [c, z, &d, bits](benchmark::State& st) {
        std::vector<std::byte> out(d.raw.size());
        for (auto _ : st) {
          c.decode(*z, d, out.data());
          benchmark::DoNotOptimize(out.data());
          benchmark::ClobberMemory();
        }
        st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(d.count()));
        st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(d.raw.size()));
        st.counters["bits_per_sample"] = bits;
      });
    }
    for (const Codec& c : {codecs[0], codecs[1]}) {
      benchmark::RegisterBenchmark(("encode/" + d.name + "/" + c.name).c_str(), [c, &d](benchmark::State& st) {
        for (auto _ : st) benchmark::DoNotOptimize(c.encode(d).bytes);
        st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(d.count()));
        st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(d.raw.size()));
      });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  static const std::vector<Dataset> datasets = load_datasets();
  register_all(datasets);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
