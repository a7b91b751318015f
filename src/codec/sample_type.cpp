#include "tsweep/codec/sample_type.hpp"

#include "tsweep/core/error.hpp"

namespace tsweep::codec {

const char* sample_type_name(SampleType t) noexcept {
  switch (t) {
    case SampleType::int16:
      return "int16";
    case SampleType::int32:
      return "int32";
    case SampleType::int64:
      return "int64";
    case SampleType::float32:
      return "float32";
    case SampleType::float64:
      return "float64";
  }
  return "unknown";
}

std::optional<SampleType> parse_sample_type(std::string_view name) noexcept {
  for (auto t : {SampleType::int16, SampleType::int32, SampleType::int64, SampleType::float32, SampleType::float64}) {
    if (name == sample_type_name(t)) return t;
  }
  return std::nullopt;
}

SampleType sample_type_from_name(std::string_view name) {
  if (auto t = parse_sample_type(name)) return *t;
  throw ConfigError("unknown sample type '" + std::string(name) +
                    "': expected int16, int32, int64, float32 or float64");
}

}  // namespace tsweep::codec
