// An analysis whose third window in the process throws: the job must stop on
// every rank (exit 2) with one line naming the analysis and this message.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "tsweep/analysis/analysis.hpp"

namespace {

using namespace tsweep::analysis;

std::atomic<long> g_calls{0};  // reduce() runs on several threads at once

class Thrower final : public Analysis {
 public:
  [[nodiscard]] std::vector<Field> fields() const override {
    return {{"samples", FieldKind::int64, "", "samples in the window", {}}};
  }
  void reduce(const Window& w, Output& out) const override {
    if (g_calls.fetch_add(1) + 1 == 3) throw std::runtime_error("thrower: refusing window 3");
    out.set(0, static_cast<std::int64_t>(w.size));
  }
};

}  // namespace

TSWEEP_ANALYSIS_PLUGIN(registry) {
  registry.add({"thrower", "throws std::runtime_error on its third window in the process (tests/plugins)", {},
                [](const Params&) -> std::unique_ptr<Analysis> { return std::make_unique<Thrower>(); }});
}
