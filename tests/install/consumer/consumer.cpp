// Encodes and decodes a block and plans a window through the installed tsweep.
#include <cstdio>
#include <vector>

#include "tsweep/codec/codec.hpp"
#include "tsweep/plan/plan.hpp"

int main() {
  std::vector<std::int16_t> values(1000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int16_t>(i % 97);
  std::vector<std::byte> block;
  tsweep::codec::encode<std::int16_t>(values, tsweep::codec::RegularTimes{0, 500'000'000'000}, block);
  std::vector<std::int16_t> back(values.size());
  tsweep::codec::decode<std::int16_t>(block, back);
  const auto plan = tsweep::plan::make_plan({{0, "x", 0, 1'998'000'000, 1000, 500'000'000'000}}, {}, 1'000'000'000, 100, "mem");
  std::printf("%s %lld\n", back == values ? "roundtrip-ok" : "roundtrip-bad", static_cast<long long>(plan.rows));
  return back == values && plan.rows == 2 ? 0 : 1;
}
