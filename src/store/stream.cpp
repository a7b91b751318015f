#include "tsweep/store/stream.hpp"

#include <cmath>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store {

void validate(const StreamSpec& s) {
  const std::string who = "stream '" + s.name + "'";
  if (s.name.empty()) throw ConfigError("a stream name is empty");
  if (s.name.size() > kMaxNameBytes) {
    throw ConfigError(who + ": the name is " + std::to_string(s.name.size()) + " bytes; at most " +
                      std::to_string(kMaxNameBytes) + " fit");
  }
  if (s.unit.size() > kMaxUnitBytes) {
    throw ConfigError(who + ": unit '" + s.unit + "' is longer than " + std::to_string(kMaxUnitBytes) + " bytes");
  }
  if (!codec::is_sample_type_code(static_cast<std::uint8_t>(s.type))) throw ConfigError(who + ": invalid sample type");
  if (!std::isfinite(s.scale) || s.scale == 0.0) throw ConfigError(who + ": scale must be finite and non-zero");
  if (!std::isfinite(s.offset)) throw ConfigError(who + ": offset must be finite");
  if (s.rate_nhz != 0 && !codec::is_regular_rate(s.rate_nhz)) {
    throw ConfigError(who + ": rate " + std::to_string(s.rate_nhz) + " nHz is outside 1 nHz ... 1 GHz");
  }
  if (!std::isnan(s.valid_min) && !std::isnan(s.valid_max) && s.valid_min > s.valid_max) {
    throw ConfigError(who + ": valid range minimum is above its maximum");
  }
  for (const auto& [key, value] : s.attributes) {
    if (key.empty() || key.size() > kMaxAttrKeyBytes) {
      throw ConfigError(who + ": attribute key '" + key + "' must be 1 ... " + std::to_string(kMaxAttrKeyBytes) +
                        " bytes");
    }
    if (value.size() > kMaxAttrValueBytes) {
      throw ConfigError(who + ": attribute '" + key + "' is longer than " + std::to_string(kMaxAttrValueBytes) +
                        " bytes");
    }
  }
}

namespace {
bool same_double(double a, double b) noexcept {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}
}  // namespace

bool same_signal(const StreamSpec& a, const StreamSpec& b) noexcept {
  return a.name == b.name && a.unit == b.unit && a.type == b.type && same_double(a.scale, b.scale) &&
         same_double(a.offset, b.offset) && a.rate_nhz == b.rate_nhz && same_double(a.valid_min, b.valid_min) &&
         same_double(a.valid_max, b.valid_max);
}

codec::RawRange valid_raw_range(codec::SampleType type, double scale, double offset, double valid_min,
                                double valid_max) noexcept {
  if (std::isnan(valid_min) && std::isnan(valid_max)) return {};
  // A missing bound is an open end (codec::raw_range takes NaN for an empty range).
  return codec::raw_range(type, scale, offset, std::isnan(valid_min) ? -HUGE_VAL : valid_min,
                          std::isnan(valid_max) ? HUGE_VAL : valid_max);
}

codec::RawRange raw_range(const StreamSpec& s) noexcept {
  return valid_raw_range(s.type, s.scale, s.offset, s.valid_min, s.valid_max);
}

codec::RawRange raw_range(const StreamInfo& s) noexcept {
  return valid_raw_range(s.type, s.scale, s.offset, s.valid_min, s.valid_max);
}

StreamSpec StreamInfo::spec() const {
  StreamSpec s;
  s.name = name;
  s.unit = unit;
  s.type = type;
  s.scale = scale;
  s.offset = offset;
  s.rate_nhz = rate_nhz;
  s.valid_min = valid_min;
  s.valid_max = valid_max;
  return s;
}

const char* row_damage_text(RowDamage damage) noexcept {
  switch (damage) {
    case RowDamage::none:
      return "sound";
    case RowDamage::checksum:
      return "fails its row checksum";
    case RowDamage::stream:
      return "names another stream than its run";
    case RowDamage::span:
      return "has times reversed or outside its run's span";
    case RowDamage::count:
      return "has a sample count of 0 or more than its run holds";
    case RowDamage::bytes:
      return "points outside /blocks/data or has a length no block can have";
  }
  return "is damaged";
}

void check_before_decode(const BlockRef& ref, Span<const std::byte> bytes, codec::SampleType type) {
  if (ref.damage != RowDamage::none) {
    throw CodecError(std::string("its index row ") + row_damage_text(ref.damage) +
                     " (damaged /blocks/index row; the block cannot be located)");
  }
  const codec::BlockInfo head = codec::peek(bytes);
  if (head.type != type) {
    throw CodecError(std::string("block holds ") + codec::sample_type_name(head.type) + " samples, not " +
                     codec::sample_type_name(type));
  }
  if (head.count != ref.count) {
    throw CodecError("holds " + std::to_string(head.count) + " samples, the index says " + std::to_string(ref.count));
  }
  if (head.regular() != (ref.time_encoding == codec::TimeEncoding::regular)) {
    throw CodecError("its time encoding differs from its index row's");
  }
}

void check_decoded(const codec::BlockInfo& info, const BlockRef& ref) {
  auto differs = [](const char* what, auto index, auto header) {
    throw CodecError(std::string("its index row and its header disagree on ") + what + " (index " +
                     std::to_string(index) + ", header " + std::to_string(header) + ")");
  };
  if (info.encoded_size != ref.length) differs("length", ref.length, info.encoded_size);
  if (info.min_ns != ref.first_ns) differs("first time", ref.first_ns, info.min_ns);
  if (info.max_ns != ref.last_ns) differs("last time", ref.last_ns, info.max_ns);
  if (info.checksum != ref.checksum) differs("checksum", ref.checksum, info.checksum);
}

}  // namespace tsweep::store
