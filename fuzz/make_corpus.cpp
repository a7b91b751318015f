// Writes a seed corpus for fuzz_decode: valid blocks of every format version
// (1 to 4), sample type, value encoding, delta order (0 to 4), residual coding
// (packed and Rice), time base (with and without a phase) and zstd setting, each prefixed
// with the mode byte fuzz_decode reads.
//   fuzz_codec_corpus DIR
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "detail/header.hpp"
#include "tsweep/codec/codec.hpp"

using namespace tsweep;

namespace {

int written = 0;

void save(const std::filesystem::path& dir, const std::vector<std::byte>& block) {
  for (std::uint8_t mode : {0x00, 0x01, 0x12}) {
    std::ofstream out(dir / ("seed-" + std::to_string(written++)), std::ios::binary);
    out.put(static_cast<char>(mode));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
  }
}

// The same block in an earlier format version (1: 72-byte header, no phase;
// 1 and 2: packed streams only; 1 to 3: delta orders up to 2), as their
// writers made it. Only blocks with phase 0 have a version-1 form.
std::vector<std::byte> to_version(const std::vector<std::byte>& block, std::uint8_t version) {
  const codec::BlockInfo info = codec::peek(block);
  const std::size_t header = codec::header_size(version);
  std::vector<std::byte> v1(block.size() - (info.header_size() - header));
  std::copy(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(header), v1.begin());
  std::copy(block.begin() + static_cast<std::ptrdiff_t>(info.header_size()), block.end(),
            v1.begin() + static_cast<std::ptrdiff_t>(header));
  v1[4] = std::byte{version};
  const std::uint64_t sum = codec::detail::block_checksum(v1.data(), v1.size() - codec::kHeaderSize);
  for (std::size_t i = 0; i < 8; ++i) v1[codec::detail::kChecksumOffset + i] = static_cast<std::byte>(sum >> (8 * i));
  return v1;
}

/// `old_forms`: the data needs nothing newer than delta order 2, so its packed
/// blocks have version 1 and 2 forms and all have a version-3 form.
template <class T>
void emit(const std::filesystem::path& dir, const std::vector<T>& v, std::mt19937_64& rng, bool old_forms = true) {
  std::vector<std::int64_t> times(v.size());
  std::int64_t t = 1'700'000'000'000'000'000;
  for (auto& x : times)
    x = (t += 1'000'000 + static_cast<std::int64_t>(rng() % 5000) - (rng() % 20 == 0 ? 3'000'000 : 0));
  for (auto stage : {codec::ZstdStage::off, codec::ZstdStage::always}) {
    for (auto coding : {codec::EntropyCoding::off, codec::EntropyCoding::always}) {
      codec::EncodeOptions opt;
      opt.zstd = stage;
      opt.entropy = coding;
      codec::Encoder enc(opt);
      const bool packed = old_forms && coding == codec::EntropyCoding::off;  // what versions 1 and 2 can hold
      std::vector<std::byte> a;
      enc.encode<T>(v, codec::RegularTimes{t, 360 * codec::kNanohertzPerHertz}, a);
      save(dir, a);
      if (packed) save(dir, to_version(a, 1));
      if (packed) save(dir, to_version(a, 2));
      if (old_forms) save(dir, to_version(a, 3));
      std::vector<std::byte> b;
      enc.encode<T>(v, Span<const std::int64_t>(times), b);
      save(dir, b);
      if (packed) save(dir, to_version(b, 1));
      std::vector<std::byte> c;  // cut from inside a run: a nonzero phase
      enc.encode<T>(v, codec::advance(codec::RegularTimes{t, 7 * codec::kNanohertzPerHertz}, 1'000'003), c);
      save(dir, c);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_codec_corpus DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(1);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{300}, std::size_t{2000}}) {
    std::vector<std::int16_t> i16(n);
    std::vector<std::int32_t> i32(n);
    std::vector<std::int64_t> i64(n);
    std::vector<float> f32(n);
    std::vector<double> dec(n);
    std::vector<double> smooth(n);
    std::vector<std::int64_t> cubic(n);  // delta order 3 or 4
    std::int64_t walk = 0;
    for (std::size_t i = 0; i < n; ++i) {
      walk += static_cast<std::int64_t>(rng() % 41) - 20;
      i16[i] = static_cast<std::int16_t>(rng() % 53 == 0 ? 32767 : walk);  // with exceptions
      i32[i] = static_cast<std::int32_t>(1'000'000 + 7 * static_cast<std::int64_t>(i));
      i64[i] = static_cast<std::int64_t>(rng());
      f32[i] = static_cast<float>(walk) / 10.0f;
      dec[i] = rng() % 31 == 0 ? std::nan("") : static_cast<double>(walk) / 100.0;
      smooth[i] = std::sin(static_cast<double>(i) * 1e-3);
      const auto t = static_cast<std::int64_t>(i);
      cubic[i] = t * t * t - 5 * t * t + static_cast<std::int64_t>(rng() % 3);
    }
    emit(dir, i16, rng);
    emit(dir, i32, rng);
    emit(dir, i64, rng);
    emit(dir, f32, rng);
    emit(dir, dec, rng);
    emit(dir, smooth, rng);
    emit(dir, cubic, rng, false);
  }
  std::printf("wrote %d seeds to %s\n", written, dir.string().c_str());
  return 0;
}
