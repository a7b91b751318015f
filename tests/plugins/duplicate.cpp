// A plugin that registers an analysis named like a built-in (stats): tsweep
// must refuse it, naming the plugin and the name.
#include <memory>
#include <vector>

#include "tsweep/analysis/analysis.hpp"

namespace {

using namespace tsweep::analysis;

class FakeStats final : public Analysis {
 public:
  [[nodiscard]] std::vector<Field> fields() const override { return {{"count", FieldKind::int64, "", "always 0", {}}}; }
  void reduce(const Window&, Output&) const override {}
};

}  // namespace

TSWEEP_ANALYSIS_PLUGIN(registry) {
  registry.add({"stats", "a second stats: must be refused", {},
                [](const Params&) -> std::unique_ptr<Analysis> { return std::make_unique<FakeStats>(); }});
}
