// Writes version-1 blocks (made by the codec as it was before version 2) and
// what they decode to, for tests/codec/data/v1.
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "tsweep/codec/codec.hpp"

using namespace tsweep;

template <class T>
void save(const std::string& dir, const std::string& name, const std::vector<T>& v,
          const std::vector<std::byte>& block) {
  std::vector<std::int64_t> t(v.size());
  std::vector<T> out(v.size());
  codec::decode<T>(block, Span<T>(out), Span<std::int64_t>(t));
  if (out != v) throw 1;
  std::ofstream(dir + "/" + name + ".block", std::ios::binary)
      .write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
  std::ofstream e(dir + "/" + name + ".expect", std::ios::binary);
  e.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(T)));
  e.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.size() * 8));
}

int main(int, char** argv) {
  const std::string dir = argv[1];
  codec::EncodeOptions opt;
  opt.zstd = codec::ZstdStage::off;
  codec::Encoder enc(opt);
  const std::int64_t rate = 360 * codec::kNanohertzPerHertz;
  const std::int64_t t0 = 1'700'000'000'123'456'789;
  {
    // The second block of a 360 Hz run cut every 32768 samples, as v1 writers cut it.
    std::vector<std::int16_t> v(500);
    std::int64_t w = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<std::int16_t>(w += (static_cast<std::int64_t>(i * 7919 % 41) - 20));
    std::vector<std::byte> b;
    enc.encode<std::int16_t>(v, codec::RegularTimes{codec::sample_time(t0, rate, 32768), rate}, b);
    save(dir, "v1_int16_360hz_second_block", v, b);
  }
  {
    std::vector<double> v(120);
    std::vector<std::int64_t> t(120);
    std::int64_t at = t0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<double>(static_cast<std::int64_t>(i * 37 % 101)) / 100.0;
      t[i] = (at += 800'000'000 + static_cast<std::int64_t>(i * 104729 % 9000) * 1000);
    }
    std::vector<std::byte> b;
    enc.encode<double>(v, Span<const std::int64_t>(t), b);
    save(dir, "v1_double_explicit_times", v, b);
  }
  {
    std::vector<float> v(64);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.1 * static_cast<double>(i)));
    std::vector<std::byte> b;
    enc.encode<float>(v, codec::RegularTimes{-5'000'000'001, 7 * codec::kNanohertzPerHertz}, b);
    save(dir, "v1_float_7hz", v, b);
  }
  return 0;
}
