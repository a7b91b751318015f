#pragma once
/// \file
/// Synthetic streams for tests and benchmarks, deterministic from a seed and
/// the stream number alone: every sample is a pure function of (seed, stream,
/// sample index) through a counter-based hash, so any rank or thread can make
/// any block, and an analysis test can recompute what a store holds without
/// reading it. Pure C++: no HDF5, no MPI.
///
/// Streams come in beds of eight: ECG-like int16 at 500 and 250 Hz,
/// arterial-pressure-like int16 at 125 Hz, respiration int16 at 62.5 Hz,
/// 1 Hz vitals (heart rate int16; SpO2 and temperature float32) and an
/// irregular float64 beat stream (RR intervals at beat times). With anomalies
/// on, regular streams get gaps, flat runs and out-of-range spikes, float
/// streams NaNs, and the beat stream duplicate timestamps.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/encoder.hpp"
#include "tsweep/core/span.hpp"
#include "tsweep/store/series.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::store::synth {

/// The signal models, one per slot of a bed.
enum class Kind : std::uint8_t { ecg_ii, ecg_v5, arterial_pressure, respiration, heart_rate, spo2, temperature, beats };
inline constexpr int kKindsPerBed = 8;
const char* kind_name(Kind kind) noexcept;

struct GeneratorConfig {
  std::uint64_t seed = 1;
  std::int64_t streams = 8;
  std::int64_t start_ns = 1'704'067'200'000'000'000;  ///< 2024-01-01T00:00:00Z
  std::int64_t duration_ns = 600'000'000'000;         ///< each stream's nominal span
  std::uint32_t block_samples = kDefaultBlockSamples;
  bool anomalies = true;
  /// Probability per one-minute slot of a regular stream.
  double gap_probability = 0.02;
  double flat_probability = 0.03;
  double spike_probability = 0.03;
  double nan_probability = 0.03;         ///< float streams
  double duplicate_probability = 0.002;  ///< per beat
};

/// Throws ConfigError naming the knob that is out of range.
void validate(const GeneratorConfig& config);

/// One block of a stream: `count` samples starting at `begin` (an index on the
/// stream's nominal grid for regular streams, a beat number for the beat
/// stream), the first at `first_ns`. A regular block's sample j is at
/// codec::sample_time({first_ns, rate, phase}, j): on the stream's grid.
struct BlockPlan {
  std::int64_t begin = 0;
  std::uint32_t count = 0;
  std::int64_t first_ns = 0;
  std::int64_t phase = 0;  ///< regular streams: the grid phase of sample `begin` (codec::RegularTimes)
};

class Generator {
 public:
  explicit Generator(GeneratorConfig config);

  [[nodiscard]] const GeneratorConfig& config() const noexcept { return m_config; }
  [[nodiscard]] std::int64_t stream_count() const noexcept { return m_config.streams; }
  [[nodiscard]] Kind kind(std::int64_t stream) const noexcept;
  /// Name ("bed003/ECG_II"), unit, type, scale, offset, rate, valid range, attributes.
  [[nodiscard]] StreamSpec spec(std::int64_t stream) const;
  /// Time of the stream's nominal sample 0 (streams start a little apart).
  [[nodiscard]] std::int64_t start_ns(std::int64_t stream) const noexcept;

  /// The stream's blocks in time order (regular streams: cut at every gap).
  [[nodiscard]] std::vector<BlockPlan> blocks(std::int64_t stream) const;
  /// As blocks(stream).size(), without making the list.
  [[nodiscard]] std::int64_t block_count(std::int64_t stream) const;

  /// Raw values of a block (`out` holds plan.count samples of spec().type,
  /// native-endian) and, when `times` is not empty, its sample times exactly
  /// as the store will hold them.
  void fill(std::int64_t stream, const BlockPlan& plan, Span<std::byte> out, Span<std::int64_t> times = {}) const;
  /// Encodes one block; returns its header as the codec reports it. With
  /// `summary`, also summarises the block's raw samples (as the store's index
  /// keeps them: out_of_range against raw_range(spec(stream))).
  codec::BlockInfo encode(std::int64_t stream, const BlockPlan& plan, codec::Encoder& encoder,
                          std::vector<std::byte>& out, codec::Summary* summary = nullptr) const;

  /// Regular streams: the nominal grid without the gaps, as Segments whose
  /// `begin` is the nominal index. Empty for the beat stream.
  [[nodiscard]] std::vector<Segment> segments(std::int64_t stream) const;
  /// Samples on the nominal grid (regular) or beats (irregular) before gaps.
  [[nodiscard]] std::int64_t nominal_count(std::int64_t stream) const;

  /// The corrupted blocks of a store made with `corrupt` damaged blocks: global
  /// block numbers (stream-major order, as the bulk writer lays them out),
  /// sorted, distinct, a pure function of the seed.
  [[nodiscard]] std::vector<std::int64_t> corrupt_block_numbers(std::int64_t corrupt, std::int64_t total_blocks) const;
  /// Damages an encoded block in place (flips bits of one byte chosen from the
  /// seed and `block_number`), so that its checksum no longer matches.
  void corrupt(std::int64_t block_number, Span<std::byte> block) const;

  /// A UUID for the store, derived from every knob (same knobs, same store).
  [[nodiscard]] std::string store_uuid() const;

 private:
  GeneratorConfig m_config;
};

}  // namespace tsweep::store::synth
