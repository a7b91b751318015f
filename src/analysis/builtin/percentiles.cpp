#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "builtin.hpp"

namespace tsweep::analysis::builtin {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t max_bins = 1000000;

std::string shortest(double v) {
  char text[32];
  const auto r = std::to_chars(text, text + sizeof text, v);
  return std::string(text, r.ptr);
}

// numpy's _lerp: from b when t >= 0.5, so that t = 1 gives b exactly.
double lerp(double a, double b, double t) {
  const double d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

// numpy.quantile(x, q), method 'linear', of sorted x, bit for bit. At and past
// the last index numpy still lerps x[n-1] with itself (weight h + 1), which
// makes an infinite maximum NaN, as an infinite neighbour does inside.
double quantile(const std::vector<double>& x, double q) {
  const std::size_t n = x.size();
  if (n == 0) return nan;
  const double h = static_cast<double>(n - 1) * q;
  if (h >= static_cast<double>(n - 1)) return lerp(x[n - 1], x[n - 1], h + 1);
  const double lo = std::floor(h);
  const auto i = static_cast<std::size_t>(lo);
  return lerp(x[i], x[i + 1], h - lo);
}

class Percentiles final : public Analysis {
 public:
  Percentiles(std::vector<double> q, std::int64_t bins, double low, double high)
      : m_q(std::move(q)), m_bins(bins), m_low(low), m_high(high) {
    std::vector<std::string> labels;
    for (const double q_i : m_q) labels.push_back(shortest(q_i));
    m_fields.push_back({"value", FieldKind::float64, "stream unit",
                        "numpy.quantile(x, q) (method 'linear') of the window's non-NaN values x, one per q", labels});
    m_fields.push_back({"count", FieldKind::int64, "", "non-NaN samples the quantiles are of", {}});
    if (m_bins == 0) return;
    // numpy.linspace's edges, which numpy.histogram compares against.
    const double step = (m_high - m_low) / static_cast<double>(m_bins);
    for (std::int64_t k = 0; k < m_bins; ++k) m_edges.push_back(static_cast<double>(k) * step + m_low);
    m_edges.push_back(m_high);
    labels.clear();
    for (std::size_t k = 0; k + 1 < m_edges.size(); ++k) {
      labels.push_back("[" + shortest(m_edges[k]) + ", " + shortest(m_edges[k + 1]) +
                       (k + 2 == m_edges.size() ? "]" : ")"));
    }
    m_fields.push_back(
        {"histogram", FieldKind::int64, "", "numpy.histogram(x, bins, range) counts, one per bin", labels});
    m_fields.push_back({"below", FieldKind::int64, "", "non-NaN samples below range's low", {}});
    m_fields.push_back({"above", FieldKind::int64, "", "non-NaN samples above range's high", {}});
  }

  [[nodiscard]] std::vector<Field> fields() const override { return m_fields; }

  void reduce(const Window& w, Output& out) const override {
    // Windows are reduced concurrently; each thread sorts in its own copy.
    thread_local std::vector<double> x;
    x.clear();
    for (std::size_t i = 0; i < w.size; ++i) {
      if (!std::isnan(w.values[i])) x.push_back(w.values[i]);
    }
    std::sort(x.begin(), x.end());
    for (std::size_t k = 0; k < m_q.size(); ++k) out.set(0, quantile(x, m_q[k]), k);
    out.set(1, static_cast<std::int64_t>(x.size()));
    if (m_bins > 0) histogram(x, out);
  }

 private:
  // numpy.histogram's bin search for equal bins, so that values on or near an
  // edge fall in the bin numpy puts them in.
  void histogram(const std::vector<double>& x, Output& out) const {
    thread_local std::vector<std::int64_t> counts;
    counts.assign(static_cast<std::size_t>(m_bins), 0);
    std::int64_t below = 0, above = 0;
    const double norm = static_cast<double>(m_bins) / (m_high - m_low);
    for (const double v : x) {
      if (v < m_low) {
        ++below;
        continue;
      }
      if (v > m_high) {
        ++above;
        continue;
      }
      auto i = static_cast<std::int64_t>((v - m_low) * norm);
      if (i == m_bins) i = m_bins - 1;
      if (v < m_edges[static_cast<std::size_t>(i)]) {
        --i;
      } else if (v >= m_edges[static_cast<std::size_t>(i) + 1] && i != m_bins - 1) {
        ++i;
      }
      ++counts[static_cast<std::size_t>(i)];
    }
    for (std::size_t k = 0; k < counts.size(); ++k) out.set(2, counts[k], k);
    out.set(3, below);
    out.set(4, above);
  }

  std::vector<double> m_q;
  std::int64_t m_bins;
  double m_low, m_high;
  std::vector<double> m_edges;
  std::vector<Field> m_fields;
};

std::unique_ptr<Analysis> create(const Params& p) {
  const std::vector<double> q = p.numbers("q");
  if (q.empty()) p.fail("q", "must list at least one quantile");
  for (const double v : q) {
    if (!(v >= 0 && v <= 1)) p.fail("q", "each quantile must be in [0, 1], got " + shortest(v));
  }
  // The q values label the columns of `value`; two equal ones would be ambiguous.
  std::vector<double> sorted = q;
  std::sort(sorted.begin(), sorted.end());
  if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end()) {
    p.fail("q", "lists " + shortest(*twice) + " twice");
  }
  const std::int64_t bins = p.integer("bins");
  if (bins < 0 || bins > max_bins) {
    p.fail("bins", "must be in 0.." + std::to_string(max_bins) + ", got " + std::to_string(bins));
  }
  double low = 0, high = 0;
  if (bins == 0) {
    if (p.has("range")) p.fail("range", "is only used with bins > 0 (bins is 0)");
  } else {
    if (!p.has("range")) p.fail("range", "is required with bins > 0: give [low, high]");
    const std::vector<double> r = p.numbers("range");
    if (r.size() != 2) p.fail("range", "must be two numbers [low, high], got " + std::to_string(r.size()));
    low = r[0];
    high = r[1];
    if (!std::isfinite(low) || !std::isfinite(high) || !(low < high)) {
      p.fail("range", "must be finite with low < high, got [" + shortest(low) + ", " + shortest(high) + "]");
    }
  }
  return std::make_unique<Percentiles>(q, bins, low, high);
}

}  // namespace

AnalysisType percentiles_type() {
  std::vector<Value> q;
  for (const double v : {0.05, 0.25, 0.5, 0.75, 0.95}) q.push_back(Value::of(v));
  return {
      "percentiles",
      "quantiles of the non-NaN values (numpy.quantile, 'linear') and an optional histogram; see ANALYSES.md",
      {
          {"q", ParamKind::numbers, "quantiles to report, each in [0, 1]", Value::list(std::move(q)), false},
          {"bins", ParamKind::integer, "histogram bins over range; 0: no histogram", Value::of(std::int64_t{0}), false},
          {"range", ParamKind::numbers, "[low, high] of the histogram (required with bins > 0)", Value{}, false},
      },
      create};
}

}  // namespace tsweep::analysis::builtin
