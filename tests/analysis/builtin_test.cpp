// The built-in analyses percentiles, spectrum and events on windows built by
// hand: hand-checked values, numpy/scipy references (the Python that produced
// each is beside it), parameter checks, empty windows, NaN samples and gaps,
// and concurrent reduce() calls.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "analysis/builtin/builtin.hpp"

namespace tsweep::analysis::builtin {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double pi = 3.14159265358979323846;
constexpr std::int64_t ms = 1000000;
constexpr std::int64_t sec = 1000000000;

using Given = std::vector<std::pair<std::string, Value>>;

Value numbers(std::initializer_list<double> v) {
  std::vector<Value> items;
  for (const double x : v) items.push_back(Value::of(x));
  return Value::list(std::move(items));
}

struct Band {
  const char* name;
  double low, high;
};
Value ranges(std::initializer_list<Band> bands) {
  Value v;
  v.kind = Value::Kind::map;
  for (const Band& b : bands) v.entries.push_back({b.name, numbers({b.low, b.high})});
  return v;
}

// What the catalog hands an analysis: the given values and the declared
// defaults, in declaration order.
Params params_for(const AnalysisType& type, const Given& given) {
  std::vector<std::pair<std::string, Value>> values;
  for (const Param& p : type.params) {
    const auto it = std::find_if(given.begin(), given.end(), [&](const auto& g) { return g.first == p.name; });
    if (it != given.end()) {
      values.push_back(*it);
    } else if (p.fallback.kind != Value::Kind::null) {
      values.push_back({p.name, p.fallback});
    }
  }
  return Params("analyses." + type.name, std::move(values));
}

std::string config_error(const AnalysisType& type, const Given& given) {
  try {
    type.create(params_for(type, given));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// A float64 stream (physical = raw) and one window of it.
struct Samples {
  StreamInfo stream;
  std::vector<double> values;
  std::vector<std::int64_t> times;
  std::int64_t begin_ns = 0, end_ns = 0;
  std::int64_t previous_time = no_time;
  std::vector<std::int64_t> previous;  ///< each sample's predecessor as the host sets it; empty: the window's own order

  explicit Samples(std::int64_t rate_nhz) {
    stream.name = "x";
    stream.type = codec::SampleType::float64;
    stream.rate_nhz = rate_nhz;
  }
  void add(std::int64_t t, double v) {
    times.push_back(t);
    values.push_back(v);
  }
  [[nodiscard]] Window window() const {
    Window w;
    w.stream = &stream;
    w.start_ns = w.begin_ns = begin_ns;
    w.width_ns = end_ns - begin_ns;
    w.end_ns = end_ns;
    w.size = values.size();
    w.raw = values.data();
    w.values = values.data();
    w.times = times.data();
    w.previous_time = previous_time;
    if (!previous.empty()) w.previous_times = previous.data();
    return w;
  }
};

// One window's cells, laid out and initialised as the host does.
class Row {
 public:
  explicit Row(const Analysis& a) : m_fields(a.fields()) {
    std::size_t cells = 0;
    for (const Field& f : m_fields) {
      m_offsets.push_back(cells);
      cells += f.width();
    }
    m_cells.resize(cells);
    for (std::size_t f = 0; f < m_fields.size(); ++f) {
      for (std::size_t i = 0; i < m_fields[f].width(); ++i) {
        const double init = nan;
        if (m_fields[f].kind == FieldKind::float64) std::memcpy(&m_cells[m_offsets[f] + i], &init, 8);
      }
    }
  }
  Output output() { return Output(m_cells.data(), &m_fields, &m_offsets); }

  [[nodiscard]] const Field& field(const std::string& name) const {
    for (const Field& f : m_fields) {
      if (f.name == name) return f;
    }
    throw std::runtime_error("no field " + name);
  }
  [[nodiscard]] double real(const std::string& name, std::size_t i = 0) const {
    EXPECT_EQ(field(name).kind, FieldKind::float64) << name;
    double v = 0;
    std::memcpy(&v, &m_cells.at(cell(name, i)), 8);
    return v;
  }
  [[nodiscard]] std::int64_t integer(const std::string& name, std::size_t i = 0) const {
    EXPECT_EQ(field(name).kind, FieldKind::int64) << name;
    std::int64_t v = 0;
    std::memcpy(&v, &m_cells.at(cell(name, i)), 8);
    return v;
  }
  [[nodiscard]] const std::vector<std::uint64_t>& cells() const { return m_cells; }

 private:
  [[nodiscard]] std::size_t cell(const std::string& name, std::size_t i) const {
    const Field& f = field(name);
    EXPECT_LT(i, f.width()) << name;
    return m_offsets[static_cast<std::size_t>(&f - m_fields.data())] + i;
  }
  std::vector<Field> m_fields;
  std::vector<std::size_t> m_offsets;
  std::vector<std::uint64_t> m_cells;
};

Row reduce(const Analysis& a, const Window& w) {
  Row row(a);
  Output out = row.output();
  a.reduce(w, out);
  return row;
}

Row reduce(const AnalysisType& type, const Given& given, const Window& w) {
  return reduce(*type.create(params_for(type, given)), w);
}

void expect_rel(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::abs(expected)) << what;
}

// ---------------------------------------------------------------------------
// percentiles

TEST(Percentiles, DefaultQuantilesOfSmallWindowAreNumpysAndSkipNaN) {
  Samples s(0);
  for (const double v : {3.0, 1.0, nan, 4.0, 1.0, 5.0, 9.0, 2.0, nan, 6.0})
    s.add(static_cast<std::int64_t>(s.values.size()), v);
  const Row r = reduce(percentiles_type(), {}, s.window());
  const std::vector<std::string> labels{"0.05", "0.25", "0.5", "0.75", "0.95"};
  EXPECT_EQ(r.field("value").labels, labels);
  EXPECT_EQ(r.field("value").unit, "stream unit");
  EXPECT_THROW((void)r.field("histogram"), std::runtime_error);
  EXPECT_EQ(r.integer("count"), 8);
  // Sorted 1 1 2 3 4 5 6 9, h = 7q: 1; 1 + 0.75·1; 3 + 0.5·1; 5 + 0.25·1; 6 + 0.65·3 (computed from 9).
  // np.quantile([3,1,4,1,5,9,2,6], [0.05,0.25,0.5,0.75,0.95])
  EXPECT_EQ(r.real("value", 0), 1.0);
  EXPECT_EQ(r.real("value", 1), 1.75);
  EXPECT_EQ(r.real("value", 2), 3.5);
  EXPECT_EQ(r.real("value", 3), 5.25);
  EXPECT_EQ(r.real("value", 4), 7.9499999999999984);
}

TEST(Percentiles, QuantilesAndHistogramMatchNumpyBitForBit) {
  // v = ((np.arange(1001) * 7919) % 1000) / 7.0 - 50
  // np.quantile(v, [0, 0.1, 0.333, 0.5, 0.9, 0.999, 1]); np.histogram(v, 7, range=(-40.0, 90.0))
  Samples s(0);
  for (std::int64_t i = 0; i < 1001; ++i) {
    s.add(i, static_cast<double>((i * 7919) % 1000) / 7.0 - 50);
    if (i % 97 == 0) s.add(i, nan);
  }
  const Row r = reduce(percentiles_type(),
                       {{"q", numbers({0, 0.1, 0.333, 0.5, 0.9, 0.999, 1})},
                        {"bins", Value::of(std::int64_t{7})},
                        {"range", numbers({-40, 90})}},
                       s.window());
  const double expected[] = {-50,
                             -35.857142857142861,
                             -2.5714285714285694,
                             21.285714285714292,
                             78.428571428571416,
                             92.571428571428584,
                             92.714285714285722};
  for (std::size_t k = 0; k < 7; ++k) EXPECT_EQ(r.real("value", k), expected[k]) << k;
  EXPECT_EQ(r.field("value").labels[2], "0.333");
  EXPECT_EQ(r.field("value").labels[6], "1");
  EXPECT_EQ(r.integer("count"), 1001);
  const std::int64_t hist[] = {130, 130, 131, 129, 130, 131, 130};
  for (std::size_t k = 0; k < 7; ++k) EXPECT_EQ(r.integer("histogram", k), hist[k]) << k;
  EXPECT_EQ(r.integer("below"), 71);  // (v < -40).sum()
  EXPECT_EQ(r.integer("above"), 19);  // (v > 90).sum()
}

TEST(Percentiles, HistogramBinsValuesOnAndNearEdgesAsNumpyDoes) {
  // e = [i/10 for i in range(11)] + [0.29999999999999999, 0.30000000000000004, 0.7,
  //      0.70000000000000007, 0.6, 0.59999999999999998, 0.1+0.2, 1-1e-16]
  // np.histogram(e, 10, range=(0.0, 1.0)); np.histogram(e, 3, range=(0.1, 0.7))
  Samples s(0);
  for (int i = 0; i <= 10; ++i) s.add(i, i / 10.0);
  for (const double v : {0.29999999999999999, 0.30000000000000004, 0.7, 0.70000000000000007, 0.6, 0.59999999999999998,
                         0.1 + 0.2, 1 - 1e-16}) {
    s.add(11, v);
  }
  const Row ten =
      reduce(percentiles_type(), {{"bins", Value::of(std::int64_t{10})}, {"range", numbers({0, 1})}}, s.window());
  const std::int64_t expected[] = {1, 1, 3, 2, 1, 4, 2, 1, 1, 3};
  for (std::size_t k = 0; k < 10; ++k) EXPECT_EQ(ten.integer("histogram", k), expected[k]) << k;
  EXPECT_EQ(ten.integer("below") + ten.integer("above"), 0);
  EXPECT_EQ(ten.field("histogram").labels[0], "[0, 0.1)");
  EXPECT_EQ(ten.field("histogram").labels[9], "[0.9, 1]");

  const Row three =
      reduce(percentiles_type(), {{"bins", Value::of(std::int64_t{3})}, {"range", numbers({0.1, 0.7})}}, s.window());
  EXPECT_EQ(three.integer("histogram", 0), 2);
  EXPECT_EQ(three.integer("histogram", 1), 5);
  EXPECT_EQ(three.integer("histogram", 2), 6);
  EXPECT_EQ(three.integer("below"), 1);  // 0
  EXPECT_EQ(three.integer("above"), 5);  // 0.8, 0.9, 1, 0.70000000000000007, 1 - 1e-16
}

TEST(Percentiles, HandHistogramHasLabelledBinsAndCountsOutsideRange) {
  Samples s(0);
  for (const double v : {3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, -0.5, 8.0, nan}) s.add(0, v);
  const Row r =
      reduce(percentiles_type(), {{"bins", Value::of(std::int64_t{4})}, {"range", numbers({0, 8})}}, s.window());
  const std::vector<std::string> labels{"[0, 2)", "[2, 4)", "[4, 6)", "[6, 8]"};
  EXPECT_EQ(r.field("histogram").labels, labels);
  EXPECT_EQ(r.integer("histogram", 0), 2);  // 1 1
  EXPECT_EQ(r.integer("histogram", 1), 2);  // 3 2
  EXPECT_EQ(r.integer("histogram", 2), 2);  // 4 5
  EXPECT_EQ(r.integer("histogram", 3), 2);  // 6 8 (the last bin is closed)
  EXPECT_EQ(r.integer("below"), 1);
  EXPECT_EQ(r.integer("above"), 1);
  EXPECT_EQ(r.integer("count"), 10);
}

TEST(Percentiles, EmptyAndAllNaNWindowsGiveNaNAndZeroCounts) {
  Samples empty(0);
  Samples all_nan(0);
  all_nan.add(0, nan);
  all_nan.add(1, nan);
  for (const Samples* s : {&empty, &all_nan}) {
    const Row r =
        reduce(percentiles_type(), {{"bins", Value::of(std::int64_t{3})}, {"range", numbers({0, 1})}}, s->window());
    for (std::size_t k = 0; k < 5; ++k) EXPECT_TRUE(std::isnan(r.real("value", k)));
    EXPECT_EQ(r.integer("count"), 0);
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(r.integer("histogram", k), 0);
    EXPECT_EQ(r.integer("below"), 0);
    EXPECT_EQ(r.integer("above"), 0);
  }
}

TEST(Percentiles, SingleValueAndInfinitiesFollowNumpy) {
  Samples one(0);
  one.add(0, 4.5);
  const Row r1 = reduce(percentiles_type(), {{"q", numbers({0, 0.3, 1})}}, one.window());
  for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(r1.real("value", k), 4.5);

  // np.quantile([1.0, 2.0, np.inf], [0, 0.25, 0.5, 1]) -> 1, 1.5, nan, nan (inf - inf in numpy's lerp)
  Samples s(0);
  for (const double v : {inf, 2.0, 1.0}) s.add(0, v);
  const Row r = reduce(percentiles_type(), {{"q", numbers({0, 0.25, 0.5, 1})}}, s.window());
  EXPECT_EQ(r.real("value", 0), 1.0);
  EXPECT_EQ(r.real("value", 1), 1.5);
  EXPECT_TRUE(std::isnan(r.real("value", 2)));
  EXPECT_TRUE(std::isnan(r.real("value", 3)));
  EXPECT_EQ(r.integer("count"), 3);
}

TEST(Percentiles, RefusesBadParametersNamingTheKey) {
  const AnalysisType t = percentiles_type();
  const std::int64_t two = 2;
  EXPECT_TRUE(starts_with(config_error(t, {{"q", numbers({0.5, 1.5})}}), "analyses.percentiles.q: "))
      << config_error(t, {{"q", numbers({0.5, 1.5})}});
  EXPECT_TRUE(starts_with(config_error(t, {{"q", numbers({-0.1})}}), "analyses.percentiles.q: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"q", Value::list({})}}), "analyses.percentiles.q: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"q", numbers({0.5, 0.5})}}), "analyses.percentiles.q: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"bins", Value::of(std::int64_t{-1})}}), "analyses.percentiles.bins: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"bins", Value::of(std::int64_t{1000001})}, {"range", numbers({0, 1})}}),
                          "analyses.percentiles.bins: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"bins", Value::of(two)}}), "analyses.percentiles.range: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"range", numbers({0, 1})}}), "analyses.percentiles.range: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"bins", Value::of(two)}, {"range", numbers({0, 1, 2})}}),
                          "analyses.percentiles.range: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"bins", Value::of(two)}, {"range", numbers({1, 1})}}),
                          "analyses.percentiles.range: "));
  EXPECT_TRUE(starts_with(config_error(t, {{"bins", Value::of(two)}, {"range", numbers({2, 1})}}),
                          "analyses.percentiles.range: "));
  EXPECT_EQ(config_error(t, {{"bins", Value::of(std::int64_t{1000000})}, {"range", numbers({0, 1})}}), "(no error)");
  EXPECT_EQ(config_error(t, {{"q", numbers({0, 1})}}), "(no error)");
}

// ---------------------------------------------------------------------------
// spectrum

constexpr std::int64_t hz100 = 100 * sec;  // nHz

double sig(std::int64_t i) {
  const auto x = static_cast<double>(i);
  return std::sin(2 * pi * 7 * x / 100) + 0.5 * std::cos(2 * pi * 21.5 * x / 100) +
         static_cast<double>((i * 7919) % 101) / 101.0 - 0.3;
}

// 7.03125 and 21.875 Hz are bins 9 and 28 of a 128-point segment at 100 Hz:
// bands that start or end on a bin.
Value test_bands() {
  return ranges({{"delta", 0.5, 4}, {"alpha", 4, 12}, {"high", 12, 50}, {"all", 0, 1000}, {"edges", 7.03125, 21.875}});
}

// A 100 Hz window of sig(0..n), times on the grid from t0.
Samples regular(std::int64_t n) {
  Samples s(hz100);
  for (std::int64_t i = 0; i < n; ++i) s.add(i * 10 * ms, sig(i));
  s.end_ns = n * 10 * ms;
  return s;
}

/* Reference, for every Welch case below:
import numpy as np; from scipy.signal import welch
def sig(n, start=0):
    i = np.arange(start, start + n, dtype=np.float64)
    return (np.sin(2 * np.pi * 7 * i / 100) + 0.5 * np.cos(2 * np.pi * 21.5 * i / 100)
            + ((np.arange(start, start + n) * 7919) % 101) / 101.0 - 0.3)
bands = [(0.5, 4), (4, 12), (12, 50), (0, 1000), (7.03125, 21.875)]
def bandpow(f, P, fs, nper): return [np.sum(P[(f >= lo) & (f < hi)]) * (fs / nper) for lo, hi in bands]
f, P = welch(sig(1000), 100.0, window=name, nperseg=nper, noverlap=int(np.floor(nper*ov)), detrend=det)
print(bandpow(f, P, 100.0, nper))
*/
struct WelchCase {
  const char* window;
  std::int64_t segment;
  double overlap;
  const char* detrend;
  std::int64_t segments, unused;
  double power[5];
};
const WelchCase welch_cases[] = {
    {"hann",
     128,
     0.5,
     "constant",
     14,
     40,
     {0.0022601583354170526, 0.49579118809634293, 0.19996467451968825, 0.69814928525229714, 0.47699235090897907}},
    {"hamming",
     101,
     0.3,
     "none",
     13,
     47,
     {0.012617123228141973, 0.49647200653876056, 0.20005746739606925, 0.7368196312761639, 0.22039455675565944}},
    {"blackman",
     64,
     0.0,
     "constant",
     15,
     40,
     {0.0025188936666220075, 0.49532865491442574, 0.20202147019019651, 0.7010289209378664, 0.3001706446098551}},
    {"boxcar",
     200,
     0.75,
     "none",
     17,
     0,
     {0.0021749151413669289, 0.49328288991627844, 0.20271116427704991, 0.73619202301455333, 0.1405511213088475}},
};

Given welch_params(const WelchCase& c) {
  return {{"bands", test_bands()},
          {"segment", Value::of(c.segment)},
          {"overlap", Value::of(c.overlap)},
          {"window", Value::of(std::string(c.window))},
          {"detrend", Value::of(std::string(c.detrend))}};
}

TEST(Spectrum, GaplessWindowMatchesScipyWelch) {
  const Samples s = regular(1000);
  for (const WelchCase& c : welch_cases) {
    const Row r = reduce(spectrum_type(), welch_params(c), s.window());
    const std::string what = std::string(c.window) + " " + std::to_string(c.segment);
    EXPECT_EQ(r.integer("segments"), c.segments) << what;
    EXPECT_EQ(r.integer("runs"), 1) << what;
    EXPECT_EQ(r.integer("unused"), c.unused) << what;
    for (std::size_t b = 0; b < 5; ++b) expect_rel(r.real("power", b), c.power[b], what + " band " + std::to_string(b));
  }
  const Row r = reduce(spectrum_type(), welch_params(welch_cases[0]), s.window());
  const std::vector<std::string> labels{"delta", "alpha", "high", "all", "edges"};
  EXPECT_EQ(r.field("power").labels, labels);
  EXPECT_EQ(r.field("power").unit, "stream unit^2");
}

TEST(Spectrum, DefaultsAreHannSegment256HalfOverlapConstantDetrend) {
  // welch(sig(1000), 100.0, nperseg=256) (scipy's defaults: hann, noverlap 128, constant)
  const Samples s = regular(1000);
  const Row d = reduce(spectrum_type(), {{"bands", test_bands()}}, s.window());
  const Row e = reduce(spectrum_type(),
                       {{"bands", test_bands()},
                        {"segment", Value::of(std::int64_t{256})},
                        {"overlap", Value::of(0.5)},
                        {"window", Value::of(std::string("hann"))},
                        {"detrend", Value::of(std::string("constant"))}},
                       s.window());
  EXPECT_EQ(d.cells(), e.cells());
  EXPECT_EQ(d.integer("segments"), 6);  // (1000 - 128) / 128
  EXPECT_EQ(d.integer("unused"), 1000 - (5 * 128 + 256));
}

TEST(Spectrum, HandCheckedPeriodogramsAreMeanSquares) {
  // Boxcar, no detrend, one segment of 4 at 1 Hz: by Parseval the band over
  // every bin is mean(x²). A constant c is all DC: c²; with detrend, 0.
  // [1, -1, 1, -1] is all Nyquist (bin 2, not doubled): X2 = 4, P2 = 16/4, power = 4 · 1/4.
  const Given p{{"bands", ranges({{"dc", 0, 0.1}, {"nyquist", 0.4, 0.6}, {"all", 0, 1}})},
                {"segment", Value::of(std::int64_t{4})},
                {"window", Value::of(std::string("boxcar"))},
                {"detrend", Value::of(std::string("none"))},
                {"overlap", Value::of(0.0)}};
  Samples alt(sec);  // 1 Hz
  Samples flat(sec);
  for (std::int64_t i = 0; i < 4; ++i) {
    alt.add(i * sec, i % 2 ? -1.0 : 1.0);
    flat.add(i * sec, 3.0);
  }
  const Row a = reduce(spectrum_type(), p, alt.window());
  EXPECT_NEAR(a.real("power", 0), 0.0, 1e-15);
  EXPECT_NEAR(a.real("power", 1), 1.0, 1e-15);
  EXPECT_NEAR(a.real("power", 2), 1.0, 1e-15);
  const Row f = reduce(spectrum_type(), p, flat.window());
  EXPECT_NEAR(f.real("power", 0), 9.0, 1e-14);
  EXPECT_NEAR(f.real("power", 1), 0.0, 1e-14);
  Given detrended = p;
  detrended[3].second = Value::of(std::string("constant"));
  EXPECT_NEAR(reduce(spectrum_type(), detrended, flat.window()).real("power", 2), 0.0, 1e-28);
}

/* Two runs, sig(0..300) and sig(300..800), averaged over all their segments:
x1 = sig(300); x2 = sig(500, 300)
f, P1 = welch(x1, 100.0, nperseg=128, noverlap=64); f, P2 = welch(x2, 100.0, nperseg=128, noverlap=64)
n1, n2 = (300 - 64) // 64, (500 - 64) // 64    # 3, 6
print(bandpow(f, (P1 * n1 + P2 * n2) / (n1 + n2), 100.0, 128))
*/
const double gapped_power[] = {0.0022599183595074859, 0.4946290115091394, 0.19774670235159389, 0.69475568511614227,
                               0.47570755064222769};

void expect_gapped(const Samples& s, std::int64_t unused) {
  const Row r = reduce(spectrum_type(), welch_params(welch_cases[0]), s.window());
  EXPECT_EQ(r.integer("runs"), 2);
  EXPECT_EQ(r.integer("segments"), 9);
  EXPECT_EQ(r.integer("unused"), unused);  // 300 - (2·64 + 128), 500 - (5·64 + 128)
  for (std::size_t b = 0; b < 5; ++b) expect_rel(r.real("power", b), gapped_power[b], "band " + std::to_string(b));
}

TEST(Spectrum, GapSplitsRunsAndSegmentsOfAllRunsAreAveraged) {
  Samples s(hz100);
  for (std::int64_t i = 0; i < 800; ++i) s.add(i * 10 * ms + (i >= 300 ? sec : 0), sig(i));
  expect_gapped(s, 44 + 52);
}

TEST(Spectrum, NaNSampleIsDroppedAndSplitsTheRun) {
  Samples s(hz100);
  for (std::int64_t i = 0; i < 801; ++i) s.add(i * 10 * ms, i < 300 ? sig(i) : i == 300 ? nan : sig(i - 1));
  expect_gapped(s, 44 + 52 + 1);
}

TEST(Spectrum, RepeatedOrBackwardTimeSplitsTheRun) {
  for (const std::int64_t back : {0, 1, 2}) {
    Samples s(hz100);
    for (std::int64_t i = 0; i < 800; ++i) s.add((i < 300 ? i : i - 1 - back) * 10 * ms, sig(i));
    expect_gapped(s, 44 + 52);
  }
}

// A corrupt block whose samples are missing between two regular stretches
// that happen to meet on the grid still splits the run.
TEST(Spectrum, SampleAfterACorruptBlockStartsARun) {
  Samples s(hz100);
  for (std::int64_t i = 0; i < 800; ++i) {
    s.add(i * 10 * ms, sig(i));
    s.previous.push_back(i == 0 ? no_time : i == 300 ? no_time : (i - 1) * 10 * ms);
  }
  expect_gapped(s, 44 + 52);
}

TEST(Spectrum, IntervalOfExactlyOneAndAHalfPeriodsIsNoGap) {
  const Given p{{"bands", ranges({{"all", 0, 1000}})}, {"segment", Value::of(std::int64_t{4})}};
  for (const std::int64_t extra : {0, 1}) {
    Samples s(hz100);
    for (std::int64_t i = 0; i < 8; ++i) s.add(i * 10 * ms + (i >= 4 ? 5 * ms + extra : 0), sig(i));
    const Row r = reduce(spectrum_type(), p, s.window());
    EXPECT_EQ(r.integer("runs"), extra ? 2 : 1) << extra;
    EXPECT_EQ(r.integer("segments"), extra ? 2 : 3) << extra;  // step 2: (8 - 2) / 2 in one run
  }
}

TEST(Spectrum, ShortEmptyAndIrregularWindowsHaveNoSegments) {
  const Given p{{"bands", test_bands()}};
  const Samples short_window = regular(255);
  const Row r = reduce(spectrum_type(), p, short_window.window());
  EXPECT_EQ(r.integer("segments"), 0);
  EXPECT_EQ(r.integer("runs"), 1);
  EXPECT_EQ(r.integer("unused"), 255);
  for (std::size_t b = 0; b < 5; ++b) EXPECT_TRUE(std::isnan(r.real("power", b)));

  const Samples empty = regular(0);
  const Row e = reduce(spectrum_type(), p, empty.window());
  EXPECT_EQ(e.integer("segments"), 0);
  EXPECT_EQ(e.integer("runs"), 0);
  EXPECT_EQ(e.integer("unused"), 0);
  EXPECT_TRUE(std::isnan(e.real("power", 0)));

  Samples irregular = regular(1000);
  irregular.stream.rate_nhz = 0;
  const Row i = reduce(spectrum_type(), p, irregular.window());
  EXPECT_EQ(i.integer("segments"), 0);
  EXPECT_EQ(i.integer("runs"), 0);
  EXPECT_EQ(i.integer("unused"), 1000);
  for (std::size_t b = 0; b < 5; ++b) EXPECT_TRUE(std::isnan(i.real("power", b)));
}

TEST(Spectrum, ConcurrentReducesAndCreatesGiveTheSerialResult) {
  const Samples s = regular(1000);
  std::vector<std::unique_ptr<Analysis>> analyses;
  std::vector<Row> serial;
  for (const WelchCase& c : welch_cases) {
    analyses.push_back(spectrum_type().create(params_for(spectrum_type(), welch_params(c))));
    serial.push_back(reduce(*analyses.back(), s.window()));
  }
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        const std::size_t k = (t + static_cast<std::size_t>(round)) % analyses.size();
        if (reduce(*analyses[k], s.window()).cells() != serial[k].cells()) ++mismatches[t];
        // Planning and destroying plans while others execute.
        const auto own = spectrum_type().create(params_for(spectrum_type(), welch_params(welch_cases[k])));
        if (reduce(*own, s.window()).cells() != serial[k].cells()) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (std::size_t t = 0; t < mismatches.size(); ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(Spectrum, RefusesBadParametersNamingTheKey) {
  const AnalysisType t = spectrum_type();
  auto error = [&](Given g) {
    if (std::none_of(g.begin(), g.end(), [](const auto& e) { return e.first == "bands"; })) {
      g.push_back({"bands", test_bands()});
    }
    return config_error(t, g);
  };
  EXPECT_TRUE(starts_with(error({{"bands", ranges({{"neg", -1, 4}})}}), "analyses.spectrum.bands: "));
  EXPECT_TRUE(starts_with(error({{"bands", ranges({{"empty", 4, 4}})}}), "analyses.spectrum.bands: "));
  EXPECT_TRUE(starts_with(error({{"bands", ranges({{"ok", 1, 4}, {"flipped", 8, 4}})}}), "analyses.spectrum.bands: "));
  EXPECT_NE(error({{"bands", ranges({{"ok", 1, 4}, {"flipped", 8, 4}})}}).find("flipped"), std::string::npos);
  EXPECT_TRUE(starts_with(error({{"segment", Value::of(std::int64_t{3})}}), "analyses.spectrum.segment: "));
  EXPECT_TRUE(starts_with(error({{"segment", Value::of(std::int64_t{16777217})}}), "analyses.spectrum.segment: "));
  EXPECT_TRUE(starts_with(error({{"overlap", Value::of(1.0)}}), "analyses.spectrum.overlap: "));
  EXPECT_TRUE(starts_with(error({{"overlap", Value::of(-0.25)}}), "analyses.spectrum.overlap: "));
  EXPECT_TRUE(starts_with(error({{"window", Value::of(std::string("kaiser"))}}), "analyses.spectrum.window: "));
  EXPECT_TRUE(starts_with(error({{"detrend", Value::of(std::string("linear"))}}), "analyses.spectrum.detrend: "));
  EXPECT_EQ(error({{"segment", Value::of(std::int64_t{4})}, {"overlap", Value::of(0.99)}}), "(no error)");
  EXPECT_TRUE(spectrum_type().params.at(0).required);
}

// ---------------------------------------------------------------------------
// events

TEST(Events, HandCheckedIntervalsFromTheEventBefore) {
  Samples s(0);
  for (const std::int64_t t : {1000 * ms, 1800 * ms, 2700 * ms, 3500 * ms}) s.add(t, nan);  // values unused
  s.begin_ns = 1 * sec;
  s.end_ns = 4 * sec;
  s.previous_time = 200 * ms;
  const Row r = reduce(events_type(), {}, s.window());
  EXPECT_EQ(r.integer("count"), 4);
  expect_rel(r.real("rate"), 4.0 / 3.0, "rate");
  EXPECT_EQ(r.integer("intervals"), 4);  // 0.8 0.8 0.9 0.8
  EXPECT_EQ(r.real("interval_mean"), 3300000000.0 / 4 * 1e-9);
  expect_rel(r.real("interval_mean"), 0.825, "mean");
  expect_rel(r.real("interval_std"), std::sqrt(0.0075 / 4), "std");  // deviations -.025 -.025 .075 -.025
  expect_rel(r.real("interval_min"), 0.8, "min");
  expect_rel(r.real("interval_max"), 0.9, "max");
  expect_rel(r.real("heart_rate"), 60 / 0.825, "heart rate");
  expect_rel(r.real("rmssd"), std::sqrt((0.0 + 100 * 100 + 100 * 100) / 3), "rmssd");  // 0, +100, -100 ms
  EXPECT_EQ(r.field("rate").unit, "1/s");
  EXPECT_EQ(r.field("heart_rate").unit, "1/min");
  EXPECT_EQ(r.field("rmssd").unit, "ms");
  EXPECT_EQ(r.field("interval_mean").unit, "s");
}

TEST(Events, WithoutTheEventBeforeTheFirstIntervalStartsAtTheFirstEvent) {
  Samples s(0);
  for (const std::int64_t t : {1000 * ms, 1800 * ms, 2700 * ms, 3500 * ms}) s.add(t, 1.0);
  s.begin_ns = 1 * sec;
  s.end_ns = 4 * sec;
  const Row r = reduce(events_type(), {}, s.window());
  EXPECT_EQ(r.integer("intervals"), 3);
  EXPECT_EQ(r.real("interval_mean"), 2500000000.0 / 3 * 1e-9);
  expect_rel(r.real("interval_min"), 0.8, "min");
  expect_rel(r.real("rmssd"), std::sqrt((100.0 * 100 + 100 * 100) / 2), "rmssd");
}

// A corrupt block between the second and the third event: the third has no
// known predecessor, so no interval and no successive pair spans the block.
TEST(Events, NoIntervalSpansACorruptBlock) {
  Samples s(0);
  for (const std::int64_t t : {1000 * ms, 1800 * ms, 2700 * ms, 3500 * ms, 4400 * ms}) s.add(t, nan);
  s.begin_ns = 1 * sec;
  s.end_ns = 5 * sec;
  s.previous_time = 200 * ms;
  s.previous = {200 * ms, 1000 * ms, no_time, 2700 * ms, 3500 * ms};
  const Row r = reduce(events_type(), {}, s.window());
  EXPECT_EQ(r.integer("count"), 5);
  EXPECT_EQ(r.integer("intervals"), 4);  // 0.8 0.8 | 0.8 0.9
  EXPECT_EQ(r.real("interval_mean"), 3300000000.0 / 4 * 1e-9);
  expect_rel(r.real("interval_max"), 0.9, "max");
  expect_rel(r.real("rmssd"), std::sqrt((0.0 + 100 * 100) / 2), "rmssd");  // pairs (0.8, 0.8) and (0.8, 0.9)
}

// Disordered times: an event's predecessor in the stream can lie in another
// window; its interval is from that event, not from the window's previous one.
TEST(Events, IntervalsAreFromThePredecessorInTheStream) {
  Samples s(0);
  for (const std::int64_t t : {1000 * ms, 1500 * ms}) s.add(t, nan);
  s.begin_ns = 1 * sec;
  s.end_ns = 2 * sec;
  s.previous_time = 900 * ms;
  s.previous = {900 * ms, 2100 * ms};  // the stream: 0.9 1.0 2.1 (next window) 1.5
  const Row r = reduce(events_type(), {}, s.window());
  EXPECT_EQ(r.integer("intervals"), 2);
  expect_rel(r.real("interval_min"), -0.6, "min");
  expect_rel(r.real("interval_max"), 0.1, "max");
  EXPECT_TRUE(std::isnan(r.real("rmssd")));  // the second interval does not start at the first's end
}

TEST(Events, MatchesNumpyOnFiftyBeats) {
  /* t = np.array([1000000000 + k * 800000000 + (k * k * 37 % 101) * 1000003 for k in range(50)])
     prev = 210000000; d = np.diff(np.concatenate([[prev], t])); I = d * 1e-9
     print(I.mean(), I.std(), I.min(), I.max(), 60 / I.mean(), np.sqrt(np.mean(np.diff(d * 1e-6) ** 2))) */
  Samples s(0);
  for (std::int64_t k = 0; k < 50; ++k) s.add(1000000000 + k * 800000000 + (k * k * 37 % 101) * 1000003, 0.0);
  s.previous_time = 210000000;
  s.begin_ns = 1 * sec;
  s.end_ns = 41 * sec;
  const Row r = reduce(events_type(), {}, s.window());
  EXPECT_EQ(r.integer("count"), 50);
  EXPECT_EQ(r.real("rate"), 1.25);
  EXPECT_EQ(r.integer("intervals"), 50);
  expect_rel(r.real("interval_mean"), 0.80096000348000007, "mean");
  expect_rel(r.real("interval_std"), 0.044545373413366257, "std");
  expect_rel(r.real("interval_min"), 0.7199997600000001, "min");
  expect_rel(r.real("interval_max"), 0.89600028800000009, "max");
  expect_rel(r.real("heart_rate"), 74.910107545086916, "heart rate");
  expect_rel(r.real("rmssd"), 78.627747967905492, "rmssd");
}

TEST(Events, FewEventsLeaveIntervalStatisticsNaN) {
  Samples empty(0);
  empty.begin_ns = 0;
  empty.end_ns = 2 * sec;
  empty.previous_time = -sec;
  const Row e = reduce(events_type(), {}, empty.window());
  EXPECT_EQ(e.integer("count"), 0);
  EXPECT_EQ(e.real("rate"), 0.0);
  EXPECT_EQ(e.integer("intervals"), 0);
  for (const char* f : {"interval_mean", "interval_std", "interval_min", "interval_max", "heart_rate", "rmssd"}) {
    EXPECT_TRUE(std::isnan(e.real(f))) << f;
  }

  Samples one(0);
  one.add(500 * ms, 0.0);
  one.end_ns = 2 * sec;
  const Row o = reduce(events_type(), {}, one.window());
  EXPECT_EQ(o.integer("intervals"), 0);
  EXPECT_TRUE(std::isnan(o.real("interval_mean")));

  one.previous_time = -250 * ms;
  const Row p = reduce(events_type(), {}, one.window());
  EXPECT_EQ(p.integer("intervals"), 1);
  EXPECT_EQ(p.real("interval_mean"), 0.75);
  EXPECT_EQ(p.real("interval_std"), 0.0);
  EXPECT_EQ(p.real("interval_min"), 0.75);
  EXPECT_EQ(p.real("interval_max"), 0.75);
  EXPECT_EQ(p.real("heart_rate"), 80.0);
  EXPECT_TRUE(std::isnan(p.real("rmssd")));

  Samples zero_width(0);
  zero_width.begin_ns = zero_width.end_ns = sec;
  EXPECT_TRUE(std::isnan(reduce(events_type(), {}, zero_width.window()).real("rate")));
}

TEST(Events, TakesNoParametersAndWorksOnRegularStreams) {
  EXPECT_TRUE(events_type().params.empty());
  const Samples s = regular(101);  // 100 Hz, 1.01 s
  const Row r = reduce(events_type(), {}, s.window());
  EXPECT_EQ(r.integer("intervals"), 100);
  expect_rel(r.real("interval_mean"), 0.01, "mean");
  EXPECT_EQ(r.real("interval_std"), 0.0);
  EXPECT_EQ(r.real("rmssd"), 0.0);
  expect_rel(r.real("rate"), 100.0, "rate");
}

TEST(Builtin, TypesAreNamedAndFieldsAreInt64OrFloat64) {
  for (const AnalysisType& t : {percentiles_type(), spectrum_type(), events_type()}) {
    EXPECT_FALSE(t.description.empty()) << t.name;
    Given given;
    if (t.name == "spectrum") given.push_back({"bands", test_bands()});
    if (t.name == "percentiles") given = {{"bins", Value::of(std::int64_t{2})}, {"range", numbers({0, 1})}};
    for (const Field& f : t.create(params_for(t, given))->fields()) {
      EXPECT_TRUE(f.kind == FieldKind::int64 || f.kind == FieldKind::float64) << t.name << "." << f.name;
    }
  }
  EXPECT_EQ(percentiles_type().name, "percentiles");
  EXPECT_EQ(spectrum_type().name, "spectrum");
  EXPECT_EQ(events_type().name, "events");
}

}  // namespace
}  // namespace tsweep::analysis::builtin
