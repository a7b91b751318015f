// A plugin built for another analysis ABI: tsweep must refuse it, naming the
// plugin and the ABI, before calling its registration.
#include <memory>
#include <vector>

#include "tsweep/analysis/analysis.hpp"

namespace {

using namespace tsweep::analysis;

class Nothing final : public Analysis {
 public:
  [[nodiscard]] std::vector<Field> fields() const override { return {{"nothing", FieldKind::float64, "", "NaN", {}}}; }
  void reduce(const Window&, Output&) const override {}
};

}  // namespace

// Written out instead of TSWEEP_ANALYSIS_PLUGIN, which records the right version.
extern "C" __attribute__((visibility("default"))) int tsweep_analysis_abi() {
  return tsweep::analysis::abi_version + 1000;
}

extern "C" __attribute__((visibility("default"))) void tsweep_analysis_register(tsweep::analysis::Registry& registry) {
  registry.add({"wrong_abi", "never loaded: built for another ABI", {},
                [](const Params&) -> std::unique_ptr<Analysis> { return std::make_unique<Nothing>(); }});
}
