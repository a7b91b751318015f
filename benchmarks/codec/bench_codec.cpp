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
  std::function<Compressed(const Dataset&)> encode;
  std::function<void(const Compressed&, const Dataset&, std::byte* out)> decode;
};

template <class Fn>
void for_each_block(const Dataset& d, Fn&& fn) {
  for (std::size_t at = 0; at < d.count(); at += kBlock) {
    const std::size_t n = std::min(kBlock, d.count() - at);
    fn(at, n, d.raw.data() + at * d.size());
  }
}

Codec tsweep_codec(const std::string& name, codec::ZstdStage stage, int level) {
  Codec c{name, false, {}, {}};
  c.encode = [stage, level](const Dataset& d) {
    codec::EncodeOptions opt;
    opt.zstd = stage;
    opt.zstd_level = level;
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
  Codec c{"zstd" + std::to_string(level), false, {}, {}};
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
  Codec c{"lz4", false, {}, {}};
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

/// AtriumDB's scheme: first differences, narrowed to the smallest byte width
/// that holds every difference of the block, then zstd level 19. Integers only.
Codec atrium_codec() {
  Codec c{"atriumdb", true, {}, {}};
  c.encode = [](const Dataset& d) {
    Compressed out;
    for_each_block(d, [&](std::size_t, std::size_t n, const std::byte* p) {
      std::vector<std::int64_t> delta(n);
      std::int64_t prev = 0;
      std::int64_t lo = 0;
      std::int64_t hi = 0;
      for (std::size_t i = 0; i < n; ++i) {
        std::int64_t v = 0;
        if (d.size() == 2) {
          std::int16_t x;
          std::memcpy(&x, p + 2 * i, 2);
          v = x;
        } else {
          std::memcpy(&v, p + 8 * i, 8);
        }
        delta[i] = i ? v - prev : v;  // the first value rides along as a delta from 0
        prev = v;
        lo = std::min(lo, delta[i]);
        hi = std::max(hi, delta[i]);
      }
      const std::uint8_t width = (lo >= INT8_MIN && hi <= INT8_MAX)     ? 1
                                 : (lo >= INT16_MIN && hi <= INT16_MAX) ? 2
                                 : (lo >= INT32_MIN && hi <= INT32_MAX) ? 4
                                                                        : 8;
      std::vector<std::byte> narrow(n * width);
      for (std::size_t i = 0; i < n; ++i) std::memcpy(narrow.data() + i * width, &delta[i], width);  // little-endian
      std::vector<std::byte> b(1 + ZSTD_compressBound(narrow.size()));
      b[0] = std::byte{width};
      b.resize(1 + ZSTD_compress(b.data() + 1, b.size() - 1, narrow.data(), narrow.size(), 19));
      out.bytes += b.size();
      out.blocks.push_back(std::move(b));
    });
    return out;
  };
  c.decode = [](const Compressed& z, const Dataset& d, std::byte* out) {
    thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    thread_local std::vector<std::byte> narrow;
    std::size_t at = 0;
    for (const auto& b : z.blocks) {
      const std::size_t n = std::min(kBlock, d.count() - at);
      const auto width = static_cast<std::size_t>(b[0]);
      narrow.resize(n * width);
      ZSTD_decompressDCtx(ctx.get(), narrow.data(), narrow.size(), b.data() + 1, b.size() - 1);
      std::int64_t acc = 0;
      auto widen = [&](auto tag) {
        using N = decltype(tag);
        for (std::size_t i = 0; i < n; ++i) {
          N x;
          std::memcpy(&x, narrow.data() + i * sizeof(N), sizeof(N));
          acc += x;
          if (d.size() == 2) {
            const auto v = static_cast<std::int16_t>(acc);
            std::memcpy(out + (at + i) * 2, &v, 2);
          } else {
            std::memcpy(out + (at + i) * 8, &acc, 8);
          }
        }
      };
      if (width == 1)
        widen(std::int8_t{});
      else if (width == 2)
        widen(std::int16_t{});
      else if (width == 4)
        widen(std::int32_t{});
      else
        widen(std::int64_t{});
      at += n;
    }
  };
  return c;
}

Codec memcpy_codec() {
  Codec c{"memcpy", false, {}, {}};
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

// ---- Registration ----

void check_round_trip(const Codec& c, const Compressed& z, const Dataset& d) {
  std::vector<std::byte> out(d.raw.size());
  c.decode(z, d, out.data());
  if (out != d.raw) {
    std::fprintf(stderr, "error: %s does not round-trip %s\n", c.name.c_str(), d.name.c_str());
    std::exit(1);
  }
}

void register_all(const std::vector<Dataset>& datasets) {
  const std::vector<Codec> codecs = {
    tsweep_codec("tsweep", codec::ZstdStage::automatic, 3),
    tsweep_codec("tsweep_nozstd", codec::ZstdStage::off, 3),
    tsweep_codec("tsweep_max", codec::ZstdStage::always, 19),
    zstd_codec(3),
    zstd_codec(19),
#if defined(TSWEEP_HAVE_LZ4)
    lz4_codec(),
#endif
    atrium_codec(),
    memcpy_codec(),
  };
  for (const Dataset& d : datasets) {
    for (const Codec& c : codecs) {
      if (c.integers_only && codec::is_floating(d.type)) continue;
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
