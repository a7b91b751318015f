#include <fftw3.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>

#include "builtin.hpp"

namespace tsweep::analysis::builtin {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double pi = 3.14159265358979323846;

// FFTW's planner (and plan destruction) is not thread-safe; execution is.
std::mutex& fftw_planner() {
  static std::mutex m;
  return m;
}

std::string shortest(double v) {
  char text[32];
  const auto r = std::to_chars(text, text + sizeof text, v);
  return std::string(text, r.ptr);
}

// Periodic windows of length n (scipy.signal.get_window's default, as welch uses).
std::vector<double> make_window(const std::string& name, std::size_t n) {
  std::vector<double> w(n, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = 2 * pi * static_cast<double>(i) / static_cast<double>(n);
    if (name == "hann") w[i] = 0.5 - 0.5 * std::cos(x);
    if (name == "hamming") w[i] = 0.54 - 0.46 * std::cos(x);
    if (name == "blackman") w[i] = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
  }
  return w;
}

// One thread's FFT arrays. New-array execution needs the planning arrays'
// alignment, which every fftw_malloc'ed array has.
struct Scratch {
  double* in = nullptr;
  fftw_complex* out = nullptr;
  std::size_t n = 0;
  std::vector<double> psd;
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    fftw_free(in);
    fftw_free(out);
  }
  void reserve(std::size_t size) {
    if (size <= n) return;
    fftw_free(in);
    fftw_free(out);
    in = fftw_alloc_real(size);
    out = fftw_alloc_complex(size / 2 + 1);
    n = in && out ? size : 0;
    if (n == 0) throw InternalError("spectrum: cannot allocate FFT buffers of " + std::to_string(size) + " samples");
  }
};

class Spectrum final : public Analysis {
 public:
  Spectrum(std::vector<Params::Range> bands, std::size_t segment, std::size_t noverlap, const std::string& window,
           bool detrend)
      : m_bands(std::move(bands)),
        m_n(segment),
        m_step(segment - noverlap),
        m_noverlap(noverlap),
        m_detrend(detrend),
        m_window(make_window(window, segment)) {
    double sum_w2 = 0;
    for (const double v : m_window) sum_w2 += v * v;
    m_inv_w2 = 1 / sum_w2;
    std::vector<std::string> labels;
    for (const auto& b : m_bands) labels.push_back(b.name);
    m_fields = {
        {"power", FieldKind::float64, "stream unit^2",
         "Welch band power: PSD summed over the band's bins times fs/segment", labels},
        {"segments", FieldKind::int64, "", "Welch segments averaged", {}},
        {"runs", FieldKind::int64, "", "runs of gapless non-NaN samples the window was cut into", {}},
        {"unused", FieldKind::int64, "", "samples in no segment, NaN samples included", {}},
    };
    const std::lock_guard<std::mutex> lock(fftw_planner());
    m_in = fftw_alloc_real(m_n);
    m_out = fftw_alloc_complex(m_n / 2 + 1);
    if (m_in && m_out) m_plan = fftw_plan_dft_r2c_1d(static_cast<int>(m_n), m_in, m_out, FFTW_ESTIMATE);
    if (!m_plan) {
      release();
      throw InternalError("spectrum: FFTW cannot plan a transform of " + std::to_string(m_n) + " samples");
    }
  }
  ~Spectrum() override {
    const std::lock_guard<std::mutex> lock(fftw_planner());
    release();
  }

  [[nodiscard]] std::vector<Field> fields() const override { return m_fields; }

  void reduce(const Window& w, Output& out) const override {
    const StreamInfo& s = *w.stream;
    std::int64_t segments = 0, runs = 0, covered = 0;
    thread_local Scratch scratch;
    scratch.reserve(m_n);
    std::vector<double>& psd = scratch.psd;
    psd.assign(m_n / 2 + 1, 0.0);
    if (s.regular()) {
      const double fs = s.rate_hz();
      // The gap rule of quality: an interval over 1.5 nominal periods.
      const std::int64_t threshold = (3000000000000000000 / s.rate_nhz) / 2;
      for (std::size_t i = 0; i < w.size;) {
        if (std::isnan(w.values[i])) {
          ++i;
          continue;
        }
        std::size_t j = i + 1;
        while (j < w.size && !std::isnan(w.values[j]) && w.follows(j) && w.times[j] > w.times[j - 1] &&
               w.times[j] - w.times[j - 1] <= threshold) {
          ++j;
        }
        ++runs;
        // scipy's segment count and positions within one run.
        if (const std::size_t length = j - i; length >= m_n) {
          const std::size_t count = (length - m_noverlap) / m_step;
          for (std::size_t k = 0; k < count; ++k) add_segment(w.values + i + k * m_step, fs, scratch);
          segments += static_cast<std::int64_t>(count);
          covered += static_cast<std::int64_t>((count - 1) * m_step + m_n);
        }
        i = j;
      }
      if (segments > 0) {
        for (double& p : psd) p /= static_cast<double>(segments);
        // numpy.fft.rfftfreq's frequencies, bit for bit, so band edges on a bin agree with scipy.
        const double bin_hz = 1.0 / (static_cast<double>(m_n) * (1.0 / fs));
        for (std::size_t b = 0; b < m_bands.size(); ++b) {
          double sum = 0;
          for (std::size_t k = 0; k < psd.size(); ++k) {
            const double f = static_cast<double>(k) * bin_hz;
            if (f >= m_bands[b].low && f < m_bands[b].high) sum += psd[k];
          }
          out.set(0, sum * (fs / static_cast<double>(m_n)), b);
        }
      }
    }
    if (segments == 0) {
      for (std::size_t b = 0; b < m_bands.size(); ++b) out.set(0, nan, b);
    }
    out.set(1, segments);
    out.set(2, runs);
    out.set(3, static_cast<std::int64_t>(w.size) - covered);
  }

 private:
  // Adds one segment's one-sided periodogram (density scaling) to scratch.psd.
  void add_segment(const double* x, double fs, Scratch& scratch) const {
    double mean = 0;
    if (m_detrend) {
      for (std::size_t i = 0; i < m_n; ++i) mean += x[i];
      mean /= static_cast<double>(m_n);
    }
    for (std::size_t i = 0; i < m_n; ++i) scratch.in[i] = (x[i] - mean) * m_window[i];
    fftw_execute_dft_r2c(m_plan, scratch.in, scratch.out);
    const double scale = m_inv_w2 / fs;
    const std::size_t bins = m_n / 2 + 1;
    for (std::size_t k = 0; k < bins; ++k) {
      const double re = scratch.out[k][0], im = scratch.out[k][1];
      double p = (re * re + im * im) * scale;
      // Negative frequencies folded in; DC and an even length's Nyquist bin have no twin.
      if (k > 0 && !(m_n % 2 == 0 && k == bins - 1)) p *= 2;
      scratch.psd[k] += p;
    }
  }

  void release() noexcept {
    if (m_plan) fftw_destroy_plan(m_plan);
    fftw_free(m_in);
    fftw_free(m_out);
    m_plan = nullptr;
    m_in = nullptr;
    m_out = nullptr;
  }

  std::vector<Params::Range> m_bands;
  std::size_t m_n, m_step, m_noverlap;
  bool m_detrend;
  std::vector<double> m_window;
  double m_inv_w2 = 0;
  std::vector<Field> m_fields;
  double* m_in = nullptr;  // the planning arrays, kept for the plan's life
  fftw_complex* m_out = nullptr;
  fftw_plan m_plan = nullptr;
};

std::unique_ptr<Analysis> create(const Params& p) {
  const std::vector<Params::Range> bands = p.ranges("bands");
  for (const auto& b : bands) {
    if (!(std::isfinite(b.low) && std::isfinite(b.high) && b.low >= 0 && b.low < b.high)) {
      p.fail("bands",
             "band " + b.name + " must have 0 <= low < high, got [" + shortest(b.low) + ", " + shortest(b.high) + "]");
    }
  }
  const std::int64_t segment = p.integer("segment");
  if (segment < 4 || segment > 16777216) p.fail("segment", "must be in 4..16777216, got " + std::to_string(segment));
  const double overlap = p.number("overlap");
  if (!(overlap >= 0 && overlap < 1)) p.fail("overlap", "must be in [0, 1), got " + shortest(overlap));
  const std::string& window = p.string("window");
  if (window != "hann" && window != "hamming" && window != "blackman" && window != "boxcar") {
    p.fail("window", "must be hann, hamming, blackman or boxcar, got '" + window + "'");
  }
  const std::string& detrend = p.string("detrend");
  if (detrend != "constant" && detrend != "none") p.fail("detrend", "must be constant or none, got '" + detrend + "'");
  const auto n = static_cast<std::size_t>(segment);
  const auto noverlap = static_cast<std::size_t>(std::floor(static_cast<double>(segment) * overlap));
  return std::make_unique<Spectrum>(bands, n, noverlap, window, detrend == "constant");
}

}  // namespace

AnalysisType spectrum_type() {
  return {"spectrum",
          "Welch band power (scipy.signal.welch, density) over gapless runs of a regular stream; see ANALYSES.md",
          {
              {"bands", ParamKind::ranges, "name: [low, high] in Hz, each 0 <= low < high; bins with low <= f < high",
               Value{}, true},
              {"segment", ParamKind::integer, "samples per Welch segment (4..16777216)", Value::of(std::int64_t{256}),
               false},
              {"overlap", ParamKind::number, "fraction of a segment shared with the next, in [0, 1)", Value::of(0.5),
               false},
              {"window", ParamKind::string, "hann, hamming, blackman or boxcar (periodic)",
               Value::of(std::string("hann")), false},
              {"detrend", ParamKind::string, "constant (subtract each segment's mean) or none",
               Value::of(std::string("constant")), false},
          },
          create};
}

}  // namespace tsweep::analysis::builtin
