#include "tsweep/store/generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "detail/uuid.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/assert.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::int64_t kHz = codec::kNanohertzPerHertz;

// Hash tags: one independent random stream per purpose.
enum Tag : std::uint64_t {
  kStart = 1,
  kRate,
  kNoise,
  kGap,
  kGapLen,
  kFlat,
  kFlatLen,
  kSpike,
  kSpikePos,
  kNan,
  kNanPos,
  kJitter,
  kDup,
  kCorrupt,
  kCorruptPos,
  kPhase,
  kUuid
};

constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// The counter-based generator: a pure function of (seed, stream, tag, counter).
std::uint64_t hash(std::uint64_t seed, std::int64_t stream, std::uint64_t tag, std::int64_t counter) noexcept {
  std::uint64_t h = mix(seed + 0x9e3779b97f4a7c15ULL * (tag + 1));
  h = mix(h ^ static_cast<std::uint64_t>(stream));
  return mix(h ^ static_cast<std::uint64_t>(counter) * 0xd1342543de82ef95ULL);
}

double unit(std::uint64_t h) noexcept {
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

struct Model {
  const char* name;
  const char* unit;
  codec::SampleType type;
  double scale;
  std::int64_t rate_nhz;
  double valid_min;
  double valid_max;
  double decimals;  // float values are multiples of this (0: any)
};

const Model& model(Kind k) {
  static const std::array<Model, kKindsPerBed> models{{
      {"ECG_II", "mV", codec::SampleType::int16, 0.005, 500 * kHz, -5.0, 5.0, 0},
      {"ECG_V5", "mV", codec::SampleType::int16, 0.005, 250 * kHz, -5.0, 5.0, 0},
      {"ABP", "mmHg", codec::SampleType::int16, 0.05, 125 * kHz, 20.0, 250.0, 0},
      {"RESP", "Ohm", codec::SampleType::int16, 0.001, 62'500'000'000, -3.0, 3.0, 0},
      {"HR", "bpm", codec::SampleType::int16, 1.0, 1 * kHz, 25.0, 220.0, 0},
      {"SpO2", "%", codec::SampleType::float32, 1.0, 1 * kHz, 70.0, 100.0, 0.1},
      {"Temp", "degC", codec::SampleType::float32, 1.0, 1 * kHz, 33.0, 42.0, 0.01},
      {"RR", "s", codec::SampleType::float64, 1.0, 0, 0.25, 2.5, 0},
  }};
  return models[static_cast<std::size_t>(k)];
}

// One beat of an ECG (P, Q, R, S, T) and of an arterial pressure pulse, as
// tables over the beat's phase, so a sample costs a lookup, not five exp().
constexpr int kTable = 4096;
double gauss(double x, double mu, double sigma) {
  return std::exp(-0.5 * (x - mu) * (x - mu) / (sigma * sigma));
}
const std::array<float, kTable + 1>& ecg_table() {
  static const auto table = [] {
    std::array<float, kTable + 1> t{};
    for (int i = 0; i <= kTable; ++i) {
      const double x = static_cast<double>(i) / kTable;
      t[static_cast<std::size_t>(i)] =
          static_cast<float>(0.12 * gauss(x, 0.18, 0.025) - 0.1 * gauss(x, 0.33, 0.008) + 1.1 * gauss(x, 0.35, 0.009) -
                             0.2 * gauss(x, 0.375, 0.01) + 0.3 * gauss(x, 0.6, 0.04));
    }
    return t;
  }();
  return table;
}
const std::array<float, kTable + 1>& pressure_table() {
  static const auto table = [] {
    std::array<float, kTable + 1> t{};
    for (int i = 0; i <= kTable; ++i) {
      const double x = static_cast<double>(i) / kTable;
      const double rise = x < 0.12 ? x / 0.12 : std::exp(-(x - 0.12) / 0.35);
      t[static_cast<std::size_t>(i)] = static_cast<float>(rise + 0.15 * gauss(x, 0.42, 0.03));
    }
    return t;
  }();
  return table;
}
// sin(2 pi x) from a table: libm's sin was the generator's largest cost.
const std::array<float, kTable + 1>& sine_table() {
  static const auto table = [] {
    std::array<float, kTable + 1> t{};
    for (int i = 0; i <= kTable; ++i)
      t[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(2 * kPi * i / kTable));
    return t;
  }();
  return table;
}
// The fractional part of a non-negative x, without a libm call.
double frac(double x) {
  return x - static_cast<double>(static_cast<std::int64_t>(x));
}
// Round half away from zero, inline.
double round_half(double x) {
  return x >= 0 ? static_cast<double>(static_cast<std::int64_t>(x + 0.5))
                : -static_cast<double>(static_cast<std::int64_t>(0.5 - x));
}
double lookup(const std::array<float, kTable + 1>& t, double phase) {
  const double x = phase * kTable;
  const auto i = static_cast<int>(x);
  const double f = x - i;
  return t[static_cast<std::size_t>(i)] * (1 - f) + t[static_cast<std::size_t>(i) + 1] * f;
}

// What one slot (a minute of a regular stream) holds besides the signal.
struct Slot {
  std::int64_t index = -1;
  std::int64_t gap_begin = 0, gap_end = 0;
  std::int64_t flat_begin = 0, flat_end = 0;
  std::int64_t spike_begin = 0, spike_end = 0;
  std::int64_t nan_at = -1;
};

}  // namespace

const char* kind_name(Kind kind) noexcept {
  return model(kind).name;
}

void validate(const GeneratorConfig& c) {
  if (c.streams < 1 || c.streams > 100'000'000)
    throw ConfigError("streams must be 1 ... 10^8, not " + std::to_string(c.streams));
  if (c.duration_ns <= 0) throw ConfigError("duration must be positive");
  if (c.start_ns > std::numeric_limits<std::int64_t>::max() - c.duration_ns - 2'000'000'000) {
    throw ConfigError("start + duration is beyond the year 2262");
  }
  if (c.block_samples < 1 || c.block_samples > codec::kMaxBlockSamples) {
    throw ConfigError("block samples must be 1 ... " + std::to_string(codec::kMaxBlockSamples));
  }
  for (double p :
       {c.gap_probability, c.flat_probability, c.spike_probability, c.nan_probability, c.duplicate_probability}) {
    if (!(p >= 0.0 && p <= 1.0)) throw ConfigError("anomaly probabilities must be in [0, 1]");
  }
}

namespace {

struct StreamModel {
  const Model* m;
  Kind kind;
  std::int64_t start;
  std::int64_t end;  // config start + duration
  std::int64_t rate_nhz;
  double rate_hz;
  std::int64_t slot_len;  // samples per one-minute slot
  double bpm;             // this stream's heart rate
  double phase0;          // seconds
  std::int64_t beat_ns;   // beats: mean interval
};

}  // namespace

Generator::Generator(GeneratorConfig config) : m_config(config) {
  validate(m_config);
}

Kind Generator::kind(std::int64_t stream) const noexcept {
  return static_cast<Kind>(stream % kKindsPerBed);
}

std::int64_t Generator::start_ns(std::int64_t stream) const noexcept {
  // Up to a second apart, in whole microseconds.
  return m_config.start_ns + static_cast<std::int64_t>(hash(m_config.seed, stream, kStart, 0) % 1'000'000) * 1000;
}

namespace {
StreamModel make_model(const GeneratorConfig& c, const Generator& g, std::int64_t stream) {
  StreamModel s{};
  s.kind = g.kind(stream);
  s.m = &model(s.kind);
  s.start = g.start_ns(stream);
  s.end = c.start_ns + c.duration_ns;
  s.rate_nhz = s.m->rate_nhz;
  s.rate_hz = static_cast<double>(s.rate_nhz) / kHz;
  s.slot_len = s.rate_nhz ? std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(60.0 * s.rate_hz))) : 64;
  // A bed's streams share one heart: the bed number picks the rate.
  const std::int64_t bed = stream / kKindsPerBed;
  s.bpm = 55.0 + static_cast<double>(hash(c.seed, bed, kRate, 0) % 45);
  s.phase0 = unit(hash(c.seed, bed, kPhase, 0)) * 2.0;
  // Beat times in whole milliseconds, as monitors report them: RR values are then decimals.
  s.beat_ns = static_cast<std::int64_t>(60e3 / s.bpm) * 1'000'000;
  return s;
}

std::int64_t nominal(const StreamModel& s) {
  if (s.end <= s.start) return 0;
  if (s.rate_nhz) return codec::first_index_at_or_after(s.start, s.rate_nhz, s.end);
  return (s.end - s.start - 1) / s.beat_ns + 1;
}

Slot slot_of(const GeneratorConfig& c, std::int64_t stream, const StreamModel& s, std::int64_t slot) {
  Slot r;
  r.index = slot;
  if (!c.anomalies) return r;
  const std::int64_t base = slot * s.slot_len, L = s.slot_len;
  const std::uint64_t seed = c.seed;
  const auto half = std::max<std::int64_t>(1, L / 2);
  if (unit(hash(seed, stream, kGap, slot)) < c.gap_probability) {
    r.gap_begin =
        base + static_cast<std::int64_t>(hash(seed, stream, kGapLen, 2 * slot) % static_cast<std::uint64_t>(half));
    r.gap_end = r.gap_begin + 1 +
                static_cast<std::int64_t>(hash(seed, stream, kGapLen, 2 * slot + 1) % static_cast<std::uint64_t>(half));
  }
  if (L >= 4 && unit(hash(seed, stream, kFlat, slot)) < c.flat_probability) {
    r.flat_begin =
        base + static_cast<std::int64_t>(hash(seed, stream, kFlatLen, 2 * slot) % static_cast<std::uint64_t>(half));
    r.flat_end = r.flat_begin + 2 +
                 static_cast<std::int64_t>(hash(seed, stream, kFlatLen, 2 * slot + 1) %
                                           static_cast<std::uint64_t>(std::max<std::int64_t>(1, L / 4)));
  }
  if (unit(hash(seed, stream, kSpike, slot)) < c.spike_probability) {
    const std::uint64_t h = hash(seed, stream, kSpikePos, slot);
    r.spike_begin = base + static_cast<std::int64_t>(h % static_cast<std::uint64_t>(L));
    r.spike_end = r.spike_begin + 1 + static_cast<std::int64_t>((h >> 40) % 3);
  }
  if (codec::is_floating(s.m->type) && unit(hash(seed, stream, kNan, slot)) < c.nan_probability) {
    r.nan_at = base + static_cast<std::int64_t>(hash(seed, stream, kNanPos, slot) % static_cast<std::uint64_t>(L));
  }
  return r;
}

// The clean physical signal at nominal index i.
double signal(const GeneratorConfig& c, std::int64_t stream, const StreamModel& s, std::int64_t i) {
  const double t = static_cast<double>(i) / s.rate_hz;
  const double noise = unit(hash(c.seed, stream, kNoise, i)) - 0.5;
  const double beat = s.bpm / 60.0;
  const double phase = frac((t + s.phase0) * beat);
  auto wave = [&](double hz) { return lookup(sine_table(), frac(hz * t)); };
  switch (s.kind) {
    case Kind::ecg_ii:
      return lookup(ecg_table(), phase) + 0.08 * wave(0.2) + 0.04 * noise;
    case Kind::ecg_v5:
      return 0.7 * lookup(ecg_table(), phase) - 0.05 + 0.04 * noise;
    case Kind::arterial_pressure:
      return 78.0 + 42.0 * lookup(pressure_table(), phase) + 3 * wave(1.0 / 30) + noise;
    case Kind::respiration:
      return 0.8 * wave(0.2 + 0.1 * beat / 2) + 0.03 * noise;
    case Kind::heart_rate:
      return s.bpm + 4 * wave(1.0 / 300) + 2 * noise;
    case Kind::spo2:
      return std::min(100.0, 97.0 + 1.2 * wave(1.0 / 900) + 0.6 * noise);
    case Kind::temperature:
      return 36.9 + 0.4 * wave(1.0 / 7200) + 0.04 * noise;
    case Kind::beats:
      return 0;
  }
  return 0;
}

template <class T>
T to_raw(const Model& m, double physical) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(physical)) return std::numeric_limits<T>::quiet_NaN();
    if (m.decimals > 0) physical = round_half(physical / m.decimals) * m.decimals;
    return static_cast<T>(physical);
  } else {
    const double raw = round_half(physical / m.scale);
    return static_cast<T>(std::clamp(raw, static_cast<double>(std::numeric_limits<T>::min()),
                                     static_cast<double>(std::numeric_limits<T>::max())));
  }
}

// Beats: base time of beat j (before duplicates), strictly increasing in j.
std::int64_t beat_base(const GeneratorConfig& c, std::int64_t stream, const StreamModel& s, std::int64_t j) {
  const auto jitter_ms = static_cast<std::int64_t>(unit(hash(c.seed, stream, kJitter, j)) * 0.2 *
                                                   static_cast<double>(s.beat_ns / 1'000'000));
  return s.start + j * s.beat_ns + jitter_ms * 1'000'000;
}
std::int64_t beat_time(const GeneratorConfig& c, std::int64_t stream, const StreamModel& s, std::int64_t j) {
  if (j > 0 && c.anomalies && unit(hash(c.seed, stream, kDup, j)) < c.duplicate_probability) {
    return beat_base(c, stream, s, j - 1);
  }
  return beat_base(c, stream, s, j);
}

template <class T>
void fill_regular(const GeneratorConfig& c, std::int64_t stream, const StreamModel& s, const BlockPlan& plan, T* out) {
  const Model& m = *s.m;
  const double spike = m.valid_max + 0.6 * (m.valid_max - m.valid_min);
  Slot slot;
  for (std::uint32_t j = 0; j < plan.count; ++j) {
    const std::int64_t i = plan.begin + j;
    if (i / s.slot_len != slot.index) slot = slot_of(c, stream, s, i / s.slot_len);
    double v;
    if (i == slot.nan_at) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (i >= slot.spike_begin && i < slot.spike_end) {
      v = (i % 2) ? spike : m.valid_min - 0.6 * (m.valid_max - m.valid_min);
    } else if (i >= slot.flat_begin && i < slot.flat_end) {
      v = signal(c, stream, s, slot.flat_begin);
    } else {
      v = signal(c, stream, s, i);
    }
    out[j] = to_raw<T>(m, v);
  }
}

}  // namespace

StreamSpec Generator::spec(std::int64_t stream) const {
  const Model& m = model(kind(stream));
  StreamSpec s;
  char bed[32];
  std::snprintf(bed, sizeof bed, "bed%04lld/", static_cast<long long>(stream / kKindsPerBed));
  s.name = std::string(bed) + m.name;
  s.unit = m.unit;
  s.type = m.type;
  s.scale = m.scale;
  s.offset = 0.0;
  s.rate_nhz = m.rate_nhz;
  s.valid_min = m.valid_min;
  s.valid_max = m.valid_max;
  s.attributes = {{"generator", "tsweep generate"}, {"signal", m.name}, {"seed", std::to_string(m_config.seed)}};
  return s;
}

std::int64_t Generator::nominal_count(std::int64_t stream) const {
  return nominal(make_model(m_config, *this, stream));
}

std::vector<Segment> Generator::segments(std::int64_t stream) const {
  const StreamModel s = make_model(m_config, *this, stream);
  std::vector<Segment> out;
  if (!s.rate_nhz) return out;
  const std::int64_t n = nominal(s);
  std::int64_t at = 0;
  const std::int64_t slots = (n + s.slot_len - 1) / s.slot_len;
  for (std::int64_t k = 0; k < slots && at < n; ++k) {
    const Slot slot = slot_of(m_config, stream, s, k);
    if (slot.gap_end <= slot.gap_begin || slot.gap_begin >= n) continue;
    const std::int64_t gb = std::max(slot.gap_begin, at), ge = std::min(slot.gap_end, n);
    if (gb > at) {
      const codec::RegularTimes first = codec::advance({s.start, s.rate_nhz, 0}, at);
      out.push_back({first.first_ns, at, gb - at, first.phase});
    }
    at = std::max(at, ge);
  }
  if (at < n) {
    const codec::RegularTimes first = codec::advance({s.start, s.rate_nhz, 0}, at);
    out.push_back({first.first_ns, at, n - at, first.phase});
  }
  return out;
}

std::vector<BlockPlan> Generator::blocks(std::int64_t stream) const {
  const std::uint32_t bs = m_config.block_samples;
  std::vector<BlockPlan> out;
  const StreamModel s = make_model(m_config, *this, stream);
  if (!s.rate_nhz) {
    const std::int64_t n = nominal(s);
    for (std::int64_t b = 0; b < n; b += bs) {
      out.push_back(
          {b, static_cast<std::uint32_t>(std::min<std::int64_t>(bs, n - b)), beat_time(m_config, stream, s, b)});
    }
    return out;
  }
  for (const Segment& seg : segments(stream)) {
    for (std::int64_t i = 0; i < seg.count; i += bs) {
      const std::int64_t begin = seg.begin + i;
      const codec::RegularTimes first = codec::advance({s.start, s.rate_nhz, 0}, begin);
      out.push_back(
          {begin, static_cast<std::uint32_t>(std::min<std::int64_t>(bs, seg.count - i)), first.first_ns, first.phase});
    }
  }
  return out;
}

std::int64_t Generator::block_count(std::int64_t stream) const {
  const std::int64_t bs = m_config.block_samples;
  if (kind(stream) == Kind::beats) return (nominal_count(stream) + bs - 1) / bs;
  std::int64_t n = 0;
  for (const Segment& seg : segments(stream)) n += (seg.count + bs - 1) / bs;
  return n;
}

void Generator::fill(std::int64_t stream, const BlockPlan& plan, Span<std::byte> out, Span<std::int64_t> times) const {
  const StreamModel s = make_model(m_config, *this, stream);
  TSWEEP_ASSERT(out.size() >= plan.count * codec::sample_size(s.m->type));
  if (!s.rate_nhz) {
    auto* v = reinterpret_cast<double*>(out.data());
    std::int64_t prev = plan.begin > 0 ? beat_time(m_config, stream, s, plan.begin - 1) : s.start - s.beat_ns;
    for (std::uint32_t j = 0; j < plan.count; ++j) {
      const std::int64_t b = plan.begin + j;
      const std::int64_t t = beat_time(m_config, stream, s, b);
      const bool nan = m_config.anomalies && unit(hash(m_config.seed, stream, kNan, b)) < m_config.nan_probability / 60;
      const double rr =
          nan ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>((t - prev) / 1'000'000) / 1000.0;
      std::memcpy(v + j, &rr, sizeof rr);
      if (!times.empty()) times[j] = t;
      prev = t;
    }
    return;
  }
  switch (s.m->type) {
    case codec::SampleType::int16:
      fill_regular(m_config, stream, s, plan, reinterpret_cast<std::int16_t*>(out.data()));
      break;
    case codec::SampleType::float32:
      fill_regular(m_config, stream, s, plan, reinterpret_cast<float*>(out.data()));
      break;
    default:
      throw InternalError("generator: unexpected sample type");
  }
  if (!times.empty()) codec::fill_sample_times({plan.first_ns, s.rate_nhz, plan.phase}, 0, times.first(plan.count));
}

namespace {
// The raw valid range of each kind of stream, as spec() describes it (offset 0).
const codec::RawRange& model_range(Kind k) {
  static const auto ranges = [] {
    std::array<codec::RawRange, kKindsPerBed> r{};
    for (int i = 0; i < kKindsPerBed; ++i) {
      const Model& m = model(static_cast<Kind>(i));
      r[static_cast<std::size_t>(i)] = valid_raw_range(m.type, m.scale, 0.0, m.valid_min, m.valid_max);
    }
    return r;
  }();
  return ranges[static_cast<std::size_t>(k)];
}
}  // namespace

codec::BlockInfo Generator::encode(std::int64_t stream, const BlockPlan& plan, codec::Encoder& encoder,
                                   std::vector<std::byte>& out, codec::Summary* summary) const {
  const Kind k = kind(stream);
  const Model& m = model(k);
  thread_local std::vector<std::byte> values;
  thread_local std::vector<std::int64_t> times;
  values.resize(plan.count * codec::sample_size(m.type));
  const std::size_t start = out.size();
  if (m.rate_nhz) {
    fill(stream, plan, values);
    encoder.encode(m.type, values, codec::RegularTimes{plan.first_ns, m.rate_nhz, plan.phase}, out);
  } else {
    times.resize(plan.count);
    fill(stream, plan, values, times);
    encoder.encode(m.type, values, Span<const std::int64_t>(times), out);
  }
  if (summary) *summary = codec::summarize(m.type, values.data(), plan.count, model_range(k));
  return codec::peek(Span<const std::byte>(out.data() + start, out.size() - start));
}

std::vector<std::int64_t> Generator::corrupt_block_numbers(std::int64_t corrupt, std::int64_t total) const {
  if (corrupt < 0 || corrupt > total) {
    throw ConfigError("cannot corrupt " + std::to_string(corrupt) + " blocks of " + std::to_string(total));
  }
  std::set<std::int64_t> chosen;
  for (std::int64_t j = 0; static_cast<std::int64_t>(chosen.size()) < corrupt; ++j) {
    chosen.insert(static_cast<std::int64_t>(hash(m_config.seed, 0, kCorrupt, j) % static_cast<std::uint64_t>(total)));
  }
  return {chosen.begin(), chosen.end()};
}

void Generator::corrupt(std::int64_t block_number, Span<std::byte> block) const {
  const std::uint64_t h = hash(m_config.seed, block_number, kCorruptPos, 0);
  // A byte of the payload when there is one, else of the header: both are checksummed.
  const std::size_t header = codec::kHeaderSize;
  const std::size_t at = block.size() > header ? header + h % (block.size() - header) : h % 64;
  block[at] ^= std::byte{0x5a};
}

std::string Generator::store_uuid() const {
  const GeneratorConfig& c = m_config;
  std::uint64_t h = mix(c.seed ^ 0x7473776565700001ULL);
  for (std::int64_t v : {c.streams, c.start_ns, c.duration_ns, static_cast<std::int64_t>(c.block_samples),
                         static_cast<std::int64_t>(c.anomalies)}) {
    h = mix(h ^ static_cast<std::uint64_t>(v));
  }
  for (double p :
       {c.gap_probability, c.flat_probability, c.spike_probability, c.nan_probability, c.duplicate_probability}) {
    std::uint64_t bits;
    std::memcpy(&bits, &p, sizeof bits);
    h = mix(h ^ bits);
  }
  return detail::uuid_from(h, mix(h ^ kUuid));
}

}  // namespace tsweep::store::synth
