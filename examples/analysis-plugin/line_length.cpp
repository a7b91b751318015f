// line_length: the summed absolute change of a window's signal, a classic
// EEG/ECG feature (Esteller et al. 2001). A complete tsweep analysis plugin.
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tsweep/analysis/analysis.hpp"

namespace {

using namespace tsweep::analysis;

class LineLength final : public Analysis {
 public:
  explicit LineLength(double scale) : m_scale(scale) {}

  [[nodiscard]] std::vector<Field> fields() const override {
    return {{"line_length", FieldKind::float64, "stream unit",
             "scale x sum of |v[i] - v[i-1]| over successive non-NaN values (NaNs skipped); NaN below 2 values", {}},
            {"mean_abs_slope", FieldKind::float64, "stream unit/s",
             "line_length / the seconds of the window the stream covers; NaN below 2 values", {}}};
  }

  // Stateless: safe to call from several threads at once.
  void reduce(const Window& w, Output& out) const override {
    double sum = 0;
    double previous = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;
    for (std::size_t i = 0; i < w.size; ++i) {
      const double v = w.values[i];
      if (std::isnan(v)) continue;
      if (n++ > 0) sum += std::fabs(v - previous);
      previous = v;
    }
    if (n < 2) return;  // both fields stay NaN
    const double length = m_scale * sum;
    out.set(0, length);
    if (w.seconds() > 0) out.set(1, length / w.seconds());
  }

 private:
  double m_scale;
};

}  // namespace

TSWEEP_ANALYSIS_PLUGIN(registry) {
  registry.add({"line_length",
                "scale x sum of |v[i] - v[i-1]| over a window's non-NaN values, and that per second "
                "(examples/analysis-plugin)",
                {{"scale", ParamKind::number, "factor applied to the line length (> 0)", Value::of(1.0)}},
                [](const Params& params) -> std::unique_ptr<Analysis> {
                  const double scale = params.number("scale");
                  if (!(scale > 0)) params.fail("scale", "must be > 0, got " + std::to_string(scale));
                  return std::make_unique<LineLength>(scale);
                }});
}
