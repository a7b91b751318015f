#include "tsweep/store/describe.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::store {
namespace {

template <class T>
void accumulate(const std::byte* raw, std::uint32_t n, RawStats& s, double& lo, double& hi) {
  for (std::uint32_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw + sizeof(T) * i, sizeof(T));
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) {
        ++s.nan_count;
        continue;
      }
      s.sum += static_cast<double>(v);
    } else {
      s.integer_sum += static_cast<std::int64_t>(v);
      s.sum += static_cast<double>(v);
    }
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  s.count += n;
}

bool selected(const StreamInfo& s, const DescribeOptions& o) {
  if (o.globs.empty()) return true;
  return std::any_of(o.globs.begin(), o.globs.end(),
                     [&](const std::string& g) { return fnmatch(g.c_str(), s.name.c_str(), 0) == 0; });
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string rate_text(std::int64_t nhz) {
  if (nhz == 0) return "irregular";
  return fmt::format("{:g} Hz", static_cast<double>(nhz) / 1e9);
}

nlohmann::json optional_number(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

}  // namespace

RawStats raw_stats(const Reader& reader, std::int64_t stream, int threads) {
  const StreamInfo& info = reader.stream(stream);
  const auto refs = reader.blocks(stream);
  RawStats total;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  // Batches of blocks: read on this thread, decoded on all.
  constexpr std::size_t kBatch = 256;
  for (std::size_t b0 = 0; b0 < refs.size(); b0 += kBatch) {
    const std::size_t b1 = std::min(refs.size(), b0 + kBatch);
    const BlockBytes bytes = reader.read_bytes(Span<const BlockRef>(refs.data() + b0, b1 - b0));
    std::vector<RawStats> part(b1 - b0);
    std::vector<double> plo(part.size(), lo), phi(part.size(), hi);
#pragma omp parallel num_threads(std::max(1, threads))
    {
      codec::Decoder decoder;
      std::vector<std::byte> raw;
#pragma omp for schedule(dynamic, 4)
      for (std::size_t i = 0; i < part.size(); ++i) {
        try {
          raw.resize(static_cast<std::size_t>(refs[b0 + i].count) * codec::sample_size(info.type));
          const codec::BlockInfo bi = decoder.decode(bytes.block(i), Span<std::byte>(raw));
          if (bi.type != info.type) throw CodecError("sample type differs from the stream's");
          switch (info.type) {
            case codec::SampleType::int16:
              accumulate<std::int16_t>(raw.data(), bi.count, part[i], plo[i], phi[i]);
              break;
            case codec::SampleType::int32:
              accumulate<std::int32_t>(raw.data(), bi.count, part[i], plo[i], phi[i]);
              break;
            case codec::SampleType::int64:
              accumulate<std::int64_t>(raw.data(), bi.count, part[i], plo[i], phi[i]);
              break;
            case codec::SampleType::float32:
              accumulate<float>(raw.data(), bi.count, part[i], plo[i], phi[i]);
              break;
            case codec::SampleType::float64:
              accumulate<double>(raw.data(), bi.count, part[i], plo[i], phi[i]);
              break;
          }
        } catch (const CodecError&) {
          part[i] = RawStats{};
          part[i].bad_blocks = 1;
        }
      }
    }
    // Summed in block order: the same result for any thread count.
    for (std::size_t i = 0; i < part.size(); ++i) {
      total.count += part[i].count;
      total.integer_sum += part[i].integer_sum;
      total.sum += part[i].sum;
      total.nan_count += part[i].nan_count;
      total.bad_blocks += part[i].bad_blocks;
      lo = std::min(lo, plo[i]);
      hi = std::max(hi, phi[i]);
    }
  }
  total.min = std::isfinite(lo) ? lo : std::numeric_limits<double>::quiet_NaN();
  total.max = std::isfinite(hi) ? hi : std::numeric_limits<double>::quiet_NaN();
  return total;
}

std::vector<std::string> describe_table(const Reader& reader, const DescribeOptions& o) {
  std::vector<std::string> out;
  const StoreIdentity id = reader.identity();
  std::int64_t bytes = 0;
  for (const auto& s : reader.streams()) bytes += s.encoded_bytes;
  out.push_back(fmt::format("store {}{}", reader.path(), reader.swmr() ? "  (being appended: SWMR read)" : ""));
  out.push_back(fmt::format("uuid {}  format {}  streams {}  blocks {}  samples {}  encoded {} ({:.2f} bits/sample)",
                            id.uuid, id.format_version, id.streams, id.blocks, id.samples,
                            human_bytes(static_cast<double>(bytes)),
                            id.samples ? 8.0 * static_cast<double>(bytes) / static_cast<double>(id.samples) : 0.0));
  std::string head =
      fmt::format("{:>5}  {:<28} {:<8} {:>10} {:<6} {:<30} {:<30} {:>12} {:>7} {:>10} {:>6}", "id", "name", "type",
                  "rate", "unit", "first", "last", "samples", "blocks", "bytes", "bits/s");
  if (o.stats) head += fmt::format(" {:>12} {:>12} {:>20} {:>6}", "raw min", "raw max", "raw sum", "NaN");
  out.push_back(head);
  for (const auto& s : reader.streams()) {
    if (!selected(s, o)) continue;
    const bool empty = s.sample_count == 0;
    std::string line =
        fmt::format("{:>5}  {:<28} {:<8} {:>10} {:<6} {:<30} {:<30} {:>12} {:>7} {:>10} {:>6.2f}", s.id, s.name,
                    codec::sample_type_name(s.type), rate_text(s.rate_nhz), s.unit,
                    empty ? "-" : format_iso8601(s.first_ns), empty ? "-" : format_iso8601(s.last_ns), s.sample_count,
                    s.block_count, human_bytes(static_cast<double>(s.encoded_bytes)), s.bits_per_sample());
    if (o.stats) {
      const RawStats r = raw_stats(reader, s.id, o.threads);
      const std::string sum = codec::is_floating(s.type) ? fmt::format("{:.6g}", r.sum) : std::to_string(r.integer_sum);
      line += fmt::format(" {:>12g} {:>12g} {:>20} {:>6}", r.min, r.max, sum, r.nan_count);
      if (r.bad_blocks) line += fmt::format("  ({} blocks failed to decode)", r.bad_blocks);
    }
    out.push_back(line);
  }
  return out;
}

std::string describe_json(const Reader& reader, const DescribeOptions& o) {
  const StoreIdentity id = reader.identity();
  nlohmann::json j{{"store", reader.path()},     {"uuid", id.uuid},     {"format_version", id.format_version},
                   {"swmr", reader.swmr()},      {"blocks", id.blocks}, {"samples", id.samples},
                   {"streams_total", id.streams}};
  std::int64_t bytes = 0;
  j["streams"] = nlohmann::json::array();
  for (const auto& s : reader.streams()) {
    bytes += s.encoded_bytes;
    if (!selected(s, o)) continue;
    nlohmann::json e{{"id", s.id},
                     {"name", s.name},
                     {"unit", s.unit},
                     {"type", codec::sample_type_name(s.type)},
                     {"rate_nhz", s.rate_nhz},
                     {"rate_hz", static_cast<double>(s.rate_nhz) / 1e9},
                     {"scale", s.scale},
                     {"offset", s.offset},
                     {"valid_min", optional_number(s.valid_min)},
                     {"valid_max", optional_number(s.valid_max)},
                     {"samples", s.sample_count},
                     {"blocks", s.block_count},
                     {"runs", s.run_count},
                     {"bytes", s.encoded_bytes},
                     {"bits_per_sample", s.bits_per_sample()}};
    if (s.sample_count) {
      e["first_ns"] = s.first_ns;
      e["last_ns"] = s.last_ns;
      e["first"] = format_iso8601(s.first_ns);
      e["last"] = format_iso8601(s.last_ns);
    } else {
      e["first_ns"] = e["last_ns"] = e["first"] = e["last"] = nullptr;
    }
    if (o.attributes) {
      nlohmann::json a = nlohmann::json::object();
      for (const auto& [k, v] : reader.attributes(s.id)) a[k] = v;
      e["attributes"] = a;
    }
    if (o.stats) {
      const RawStats r = raw_stats(reader, s.id, o.threads);
      nlohmann::json st{{"count", r.count},
                        {"min", optional_number(r.min)},
                        {"max", optional_number(r.max)},
                        {"nan", r.nan_count},
                        {"bad_blocks", r.bad_blocks}};
      if (codec::is_floating(s.type)) {
        st["sum"] = r.sum;
      } else {
        st["sum"] = r.integer_sum;
      }
      e["raw"] = st;
    }
    j["streams"].push_back(e);
  }
  j["bytes"] = bytes;
  return j.dump(2);
}

}  // namespace tsweep::store
