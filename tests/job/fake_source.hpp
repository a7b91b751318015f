#pragma once
// An in-memory block source: streams encoded with the real codec, blocks cut
// like a store cuts them, no HDF5. Lets the run pipeline be tested alone.

#include <algorithm>
#include <cmath>
#include <random>

#include "tsweep/codec/codec.hpp"
#include "tsweep/job/block_source.hpp"

namespace tsweep::test {

class FakeSource : public job::BlockSource {
 public:
  struct Block {
    store::BlockRef ref;
    std::vector<std::byte> bytes;
  };

  /// Adds a regular int16 stream of `n` samples at `rate_nhz` from `first`,
  /// in blocks of `block` samples, with a gap of `gap_ns` every `gap_every` blocks.
  void add_regular(const std::string& name, std::int64_t first, std::int64_t rate_nhz, std::int64_t n,
                   std::uint32_t block, std::int64_t gap_every, std::int64_t gap_ns, std::uint32_t seed) {
    job::SourceStream s = make_stream(name, rate_nhz, codec::SampleType::int16, 0.005, -5.0);
    std::mt19937 rng(seed);
    codec::RegularTimes grid{first, rate_nhz, 0};
    std::int16_t v = 0;
    std::vector<std::int16_t> values;
    for (std::int64_t i = 0, b = 0; i < n; i += block, ++b) {
      const auto count = static_cast<std::uint32_t>(std::min<std::int64_t>(block, n - i));
      values.resize(count);
      for (auto& x : values) {
        v = static_cast<std::int16_t>(v + static_cast<int>(rng() % 21) - 10);
        x = (rng() % 50 == 0) ? v : static_cast<std::int16_t>(v & ~3);  // flat runs
      }
      std::vector<std::byte> bytes;
      m_encoder.encode<std::int16_t>(values, grid, bytes);
      add_block(s, bytes);
      // The next block continues the grid, as a store's blocks do; a gap starts a new one.
      grid = codec::advance(grid, count);
      if (gap_every > 0 && (b + 1) % gap_every == 0) grid = {grid.first_ns + gap_ns, rate_nhz, 0};
    }
    finish_stream(std::move(s));
  }

  /// Adds an irregular float64 stream with NaNs and some backwards and duplicate times.
  void add_irregular(const std::string& name, std::int64_t first, std::int64_t n, std::uint32_t block,
                     std::uint32_t seed) {
    job::SourceStream s = make_stream(name, 0, codec::SampleType::float64, 1.0, 0.0);
    s.facts.has_valid_range = true;
    s.facts.valid_min = -1.0;
    s.facts.valid_max = 1.0;
    std::mt19937 rng(seed);
    std::int64_t t = first;
    for (std::int64_t i = 0; i < n; i += block) {
      const auto count = static_cast<std::uint32_t>(std::min<std::int64_t>(block, n - i));
      std::vector<double> values(count);
      std::vector<std::int64_t> times(count);
      for (std::uint32_t k = 0; k < count; ++k) {
        const auto r = rng() % 100;
        t += r < 2 ? -50'000'000 : r < 4 ? 0 : static_cast<std::int64_t>(rng() % 2'000'000'000);
        times[k] = t;
        values[k] = r == 7 ? std::nan("") : std::round(std::sin(static_cast<double>(t) * 1e-10) * 150.0) / 100.0;
      }
      std::vector<std::byte> bytes;
      m_encoder.encode<double>(values, times, bytes);
      add_block(s, bytes);
    }
    finish_stream(std::move(s));
  }

  /// Three streams of a bed: a 250 Hz ECG (`seconds` long, gaps every few
  /// blocks), irregular float64 events with disorder, and 1 Hz heart rate.
  void add_bed(std::int64_t seconds, std::uint32_t ecg_block, std::uint32_t seed) {
    constexpr std::int64_t s = 1'000'000'000;
    add_regular("bed01/ECG", 1000 * s + 3'000'000, 250'000'000'000, 250 * seconds, ecg_block, 5 + seed % 3,
                (2 + seed % 2) * s, seed);
    add_irregular("bed01/events", 1000 * s, 10 * seconds, ecg_block / 8, seed + 1);
    add_regular("bed02/HR", 990 * s, 1'000'000'000, 2 * seconds, 64, 0, 0, seed + 2);
  }

  /// Flips a byte of block `index` of stream `stream` (its checksum then fails).
  void corrupt(std::size_t stream, std::size_t index) {
    auto& bytes = m_blocks[stream][index].bytes;
    bytes[bytes.size() / 2] ^= std::byte{0x5a};
  }

  /// Makes the index row of block `index` of stream `stream` untrusted, as the
  /// store's reader returns one whose row is damaged: nothing to read, `damage` set.
  void damage_row(std::size_t stream, std::size_t index, store::RowDamage why) {
    auto& ref = m_blocks[stream][index].ref;
    ref.damage = why;
    ref.count = 0;
    ref.length = 0;
    ref.checksum = 0;
  }

  /// Makes the index row of a block disagree with the block's header on its checksum.
  void misstate_checksum(std::size_t stream, std::size_t index) { m_blocks[stream][index].ref.checksum ^= 1; }

  [[nodiscard]] const std::vector<job::SourceStream>& streams() const override { return m_streams; }

  std::vector<store::BlockRef> blocks(std::int64_t id, std::int64_t t0, std::int64_t t1) override {
    std::vector<store::BlockRef> out;
    const auto& blocks = m_blocks.at(static_cast<std::size_t>(id));
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      if (!blocks[b].ref.overlaps(t0, t1)) continue;
      if (out.empty() && b > 0) out.push_back(blocks[b - 1].ref);
      out.push_back(blocks[b].ref);
    }
    return out;
  }

  void read(const std::vector<store::BlockRef>& refs, std::vector<std::byte>& out) override {
    out.clear();
    for (const auto& r : refs) {
      if (r.damage != store::RowDamage::none) continue;  // nothing to read
      const auto& b = m_blocks.at(static_cast<std::size_t>(r.stream)).at(static_cast<std::size_t>(r.block));
      out.insert(out.end(), b.bytes.begin(), b.bytes.end());
    }
  }

  [[nodiscard]] std::string name() const override { return "fake-store"; }
  [[nodiscard]] store::StoreIdentity identity() const override {
    store::StoreIdentity id;
    id.uuid = "00000000-0000-4000-8000-000000000000";
    id.format_version = 1;
    id.streams = static_cast<std::int64_t>(m_streams.size());
    for (const auto& b : m_blocks) id.blocks += static_cast<std::int64_t>(b.size());
    return id;
  }

 private:
  job::SourceStream make_stream(const std::string& name, std::int64_t rate, codec::SampleType type, double scale,
                                 double offset) {
    job::SourceStream s;
    s.summary.id = static_cast<std::int64_t>(m_streams.size());
    s.summary.name = name;
    s.summary.rate_nhz = rate;
    s.summary.first_ns = INT64_MAX;
    s.summary.last_ns = INT64_MIN;
    s.facts.rate_nhz = rate;
    s.type = type;
    s.scale = scale;
    s.offset = offset;
    m_blocks.emplace_back();
    return s;
  }

  void add_block(job::SourceStream& s, std::vector<std::byte>& bytes) {
    const codec::BlockInfo info = codec::peek(bytes);
    Block b;
    b.ref.stream = s.summary.id;
    b.ref.block = static_cast<std::int64_t>(m_blocks.back().size());
    b.ref.first_ns = info.min_ns;
    b.ref.last_ns = info.max_ns;
    b.ref.count = info.count;
    b.ref.length = static_cast<std::uint32_t>(bytes.size());
    b.ref.checksum = info.checksum;
    b.ref.time_encoding = info.time_encoding;
    b.ref.value_encoding = info.value_encoding;
    // The summary a format-3 store keeps in the block's index row.
    std::vector<std::byte> raw(std::size_t{info.count} * codec::sample_size(info.type));
    codec::Decoder().decode(bytes, Span<std::byte>(raw), Span<std::int64_t>());
    b.ref.has_summary = true;
    b.ref.summary = codec::summarize(info.type, raw.data(), info.count, analysis::raw_range_of(s.facts, s.type, s.scale, s.offset));
    b.bytes = std::move(bytes);
    s.summary.first_ns = std::min(s.summary.first_ns, info.min_ns);
    s.summary.last_ns = std::max(s.summary.last_ns, info.max_ns);
    s.summary.samples += info.count;
    m_blocks.back().push_back(std::move(b));
  }

  void finish_stream(job::SourceStream s) {
    s.facts.first_ns = s.summary.first_ns;
    s.facts.last_ns = s.summary.last_ns;
    m_streams.push_back(std::move(s));
  }

  codec::Encoder m_encoder;
  std::vector<job::SourceStream> m_streams;
  std::vector<std::vector<Block>> m_blocks;
};

}  // namespace tsweep::test
