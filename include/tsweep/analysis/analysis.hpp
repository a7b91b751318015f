#pragma once
/// \file
/// The analysis interface: what an analysis declares (its parameters and its
/// per-window fields) and how it reduces one window of one stream. The
/// built-in analyses and plugins (shared libraries named in the job config's
/// `plugins`) are written against this header alone: it is header-only, so a
/// plugin links nothing of tsweep's.
///
/// A plugin defines its analyses and registers them:
///
///     TSWEEP_ANALYSIS_PLUGIN(registry) {
///       registry.add({"line_length", "sum of |x[i] - x[i-1]|", {}, [](const Params&) {
///         return std::make_unique<LineLength>(); }});
///     }
///
/// and is built with `find_package(tsweep)` and `tsweep_add_analysis(NAME SOURCES ...)`.
/// examples/analysis-plugin/ is a complete one.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tsweep/codec/sample_type.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::analysis {

/// Version of this interface. A plugin records the version it was built
/// against (TSWEEP_ANALYSIS_PLUGIN does), and tsweep refuses to load one of
/// another version: bumped on every change that breaks a built plugin (a
/// member or virtual added, removed or changed in this header).
inline constexpr int abi_version = 1;

/// Marks a time that does not exist (an empty window has no first sample).
inline constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::min();

// ---------------------------------------------------------------------------
// Parameters

/// A parameter value from the job config: YAML made typed. Scalars that read
/// as integers are integers, other numbers are numbers, true/false booleans,
/// anything else a string; lists and maps keep their order.
struct Value {
  enum class Kind { null, boolean, integer, number, string, list, map };
  Kind kind = Kind::null;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
  std::vector<Value> items;                          ///< list
  std::vector<std::pair<std::string, Value>> entries;  ///< map, in the config's order

  [[nodiscard]] bool is_number() const noexcept { return kind == Kind::integer || kind == Kind::number; }
  [[nodiscard]] double as_number() const noexcept {
    return kind == Kind::integer ? static_cast<double>(integer) : number;
  }

  static Value of(bool v) {
    Value x;
    x.kind = Kind::boolean;
    x.boolean = v;
    return x;
  }
  static Value of(std::int64_t v) {
    Value x;
    x.kind = Kind::integer;
    x.integer = v;
    return x;
  }
  static Value of(double v) {
    Value x;
    x.kind = Kind::number;
    x.number = v;
    return x;
  }
  static Value of(std::string v) {
    Value x;
    x.kind = Kind::string;
    x.text = std::move(v);
    return x;
  }
  static Value list(std::vector<Value> v) {
    Value x;
    x.kind = Kind::list;
    x.items = std::move(v);
    return x;
  }
};

/// What a parameter holds; the job config is checked against it before the
/// analysis sees it.
enum class ParamKind {
  boolean,
  integer,
  number,   ///< an integer or a real number
  string,
  numbers,  ///< a list of numbers
  ranges,   ///< a map of name: [low, high] (frequency bands, thresholds)
};

/// One parameter an analysis takes.
struct Param {
  std::string name;
  ParamKind kind = ParamKind::number;
  std::string description;
  Value fallback;         ///< the default; Kind::null with `required` false: absent unless given
  bool required = false;  ///< the config must give it
};

/// An analysis's checked parameters: every declared one that has a value
/// (given or default), in declaration order. Accessors throw ConfigError
/// naming the config key (`analyses.spectrum.bands`) when a value is missing.
class Params {
 public:
  Params() = default;
  Params(std::string prefix, std::vector<std::pair<std::string, Value>> values)
      : m_prefix(std::move(prefix)), m_values(std::move(values)) {}

  [[nodiscard]] bool has(const std::string& name) const { return find(name) != nullptr; }
  [[nodiscard]] bool boolean(const std::string& name) const { return get(name).boolean; }
  [[nodiscard]] std::int64_t integer(const std::string& name) const { return get(name).integer; }
  [[nodiscard]] double number(const std::string& name) const { return get(name).as_number(); }
  [[nodiscard]] const std::string& string(const std::string& name) const { return get(name).text; }
  [[nodiscard]] std::vector<double> numbers(const std::string& name) const {
    std::vector<double> out;
    for (const Value& v : get(name).items) out.push_back(v.as_number());
    return out;
  }
  /// A `ranges` parameter: (name, low, high) in the config's order.
  struct Range {
    std::string name;
    double low = 0;
    double high = 0;
  };
  [[nodiscard]] std::vector<Range> ranges(const std::string& name) const {
    std::vector<Range> out;
    for (const auto& [key, v] : get(name).entries) out.push_back({key, v.items.at(0).as_number(), v.items.at(1).as_number()});
    return out;
  }

  /// Throws ConfigError "<prefix>.<name>: <what>": for checks an analysis makes itself.
  [[noreturn]] void fail(const std::string& name, const std::string& what) const {
    throw ConfigError(m_prefix + "." + name + ": " + what);
  }
  [[nodiscard]] const std::string& prefix() const noexcept { return m_prefix; }
  [[nodiscard]] const std::vector<std::pair<std::string, Value>>& values() const noexcept { return m_values; }

 private:
  [[nodiscard]] const Value* find(const std::string& name) const {
    for (const auto& [key, v] : m_values) {
      if (key == name) return &v;
    }
    return nullptr;
  }
  [[nodiscard]] const Value& get(const std::string& name) const {
    const Value* v = find(name);
    if (!v) fail(name, "has no value");
    return *v;
  }

  std::string m_prefix;
  std::vector<std::pair<std::string, Value>> m_values;
};

// ---------------------------------------------------------------------------
// Fields

/// How a field is stored in the results file.
enum class FieldKind { int32, int64, float64 };

/// One output of an analysis per window: a scalar, or a fixed-size vector
/// (one value per label: per band, per quantile), stored as a 2-D dataset.
struct Field {
  std::string name;         ///< unique within the analysis: [A-Za-z_][A-Za-z0-9_]*
  FieldKind kind = FieldKind::float64;  ///< int64 or float64 for analyses outside tsweep
  std::string unit;         ///< "" when none; "ns", "s", "Hz", or words such as "stream unit"
  std::string description;  ///< stored as the dataset's `description`
  std::vector<std::string> labels;  ///< empty: one value per window; else one per label
  [[nodiscard]] std::size_t width() const noexcept { return labels.empty() ? 1 : labels.size(); }
};

// ---------------------------------------------------------------------------
// Windows

/// What an analysis knows of the stream a window belongs to.
struct StreamInfo {
  std::string name;
  codec::SampleType type = codec::SampleType::int16;
  double scale = 1.0;         ///< physical = raw × scale + offset
  double offset = 0.0;
  std::int64_t rate_nhz = 0;  ///< nominal rate in nanohertz; 0 = irregular (event times)
  std::int64_t first_ns = 0;  ///< the stream's first and last sample times
  std::int64_t last_ns = 0;
  /// The stream's valid physical range, when it declares one (values
  /// outside [valid_min, valid_max] are what `quality` counts as out of range).
  bool has_valid_range = false;
  double valid_min = 0;
  double valid_max = 0;
  [[nodiscard]] bool regular() const noexcept { return rate_nhz > 0; }
  [[nodiscard]] double rate_hz() const noexcept { return static_cast<double>(rate_nhz) * 1e-9; }
};

/// One window of one stream: every sample whose time falls in it, in sample
/// order (the store's order; for a sound stream, time order). Samples of
/// corrupt blocks are absent (counted in `corrupt_blocks`).
struct Window {
  const StreamInfo* stream = nullptr;
  std::int64_t start_ns = 0;  ///< the window is [start_ns, start_ns + width_ns)
  std::int64_t width_ns = 0;
  std::int64_t begin_ns = 0;  ///< the part of it the job covers: the window ∩ the stream's span ∩ the time range
  std::int64_t end_ns = 0;    ///< (exclusive)
  std::size_t size = 0;       ///< samples
  const void* raw = nullptr;            ///< `size` raw values of stream->type
  const double* values = nullptr;       ///< `size` physical values (NaN stays NaN)
  const std::int64_t* times = nullptr;  ///< `size` times, ns since the epoch
  /// `size` times: for each sample, the time of the sample just before it in
  /// the stream's sample order (in this window or another: where times go
  /// backwards it may lie in a later window), or no_time when there is none
  /// or it is unknown (a corrupt block lies between). Where it differs from
  /// the window's previous sample, the samples are not consecutive in the
  /// stream: intervals and runs should not span that point.
  const std::int64_t* previous_times = nullptr;
  /// previous_times[0]: the time of the sample just before the window's
  /// first, or no_time (also for an empty window).
  std::int64_t previous_time = no_time;
  std::int64_t corrupt_blocks = 0;  ///< corrupt blocks whose time range touches the window

  /// The raw values as T, which must be the C++ type of stream->type.
  template <class T>
  [[nodiscard]] const T* raw_as() const {
    if (codec::sample_type_of<T>() != stream->type) throw InternalError("Window::raw_as: wrong sample type");
    return static_cast<const T*>(raw);
  }
  [[nodiscard]] double seconds() const noexcept { return static_cast<double>(end_ns - begin_ns) * 1e-9; }
  /// Whether sample i follows sample i - 1 in the stream (i >= 1): its
  /// predecessor's time is sample i - 1's (no corrupt block between, and no
  /// sample of another window).
  [[nodiscard]] bool follows(std::size_t i) const noexcept {
    return previous_times == nullptr || previous_times[i] == times[i - 1];
  }
};

/// Where reduce() puts one window's field values. Values not set stay NaN
/// (float64) or 0 (integers).
class Output {
 public:
  Output(std::uint64_t* cells, const std::vector<Field>* fields, const std::vector<std::size_t>* offsets) noexcept
      : m_cells(cells), m_fields(fields), m_offsets(offsets) {}

  /// Field `field` (its index in fields()), element `i` (0 for scalars).
  void set(std::size_t field, double v, std::size_t i = 0) { put(field, i, FieldKind::float64, &v); }
  void set(std::size_t field, std::int64_t v, std::size_t i = 0) { put(field, i, FieldKind::int64, &v); }

 private:
  void put(std::size_t field, std::size_t i, FieldKind kind, const void* v) {
    if (field >= m_fields->size()) throw InternalError("Output::set: no field " + std::to_string(field));
    const Field& f = (*m_fields)[field];
    if (i >= f.width()) throw InternalError("Output::set: field " + f.name + " has no element " + std::to_string(i));
    if (f.kind != kind) {
      throw InternalError("Output::set: field " + f.name + " is " + (f.kind == FieldKind::float64 ? "float64" : "an integer") +
                          ", it was given " + (kind == FieldKind::float64 ? "a double" : "an integer"));
    }
    std::memcpy(m_cells + (*m_offsets)[field] + i, v, 8);
  }
  std::uint64_t* m_cells;
  const std::vector<Field>* m_fields;
  const std::vector<std::size_t>* m_offsets;
};

/// One configured analysis. reduce() is called for every window of every
/// selected stream, from several threads at once on different windows, so it
/// must be safe to call concurrently (keep per-call state on the stack or in
/// thread_local storage). An exception from it stops the job on every rank
/// (exit 2) with its message, the analysis, stream and window.
class Analysis {
 public:
  Analysis() = default;
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;
  virtual ~Analysis() = default;

  /// The per-window fields, in file order; fixed once the analysis is made.
  [[nodiscard]] virtual std::vector<Field> fields() const = 0;
  /// Reduces one window into `out` (its fields in fields() order).
  virtual void reduce(const Window& window, Output& out) const = 0;
};

/// A kind of analysis, by name: what the config's `analyses` list names.
struct AnalysisType {
  std::string name;         ///< [a-z][a-z0-9_]*; unique among built-ins and loaded plugins
  std::string description;  ///< one line, with the definition or where it is documented
  std::vector<Param> params;
  /// Makes the analysis from checked parameters (throw ConfigError via Params::fail for bad values).
  std::function<std::unique_ptr<Analysis>(const Params&)> create;
};

/// What a plugin's registration function adds its analyses to.
class Registry {
 public:
  void add(AnalysisType type) { m_types.push_back(std::move(type)); }
  [[nodiscard]] const std::vector<AnalysisType>& types() const noexcept { return m_types; }

 private:
  std::vector<AnalysisType> m_types;
};

}  // namespace tsweep::analysis

/// The two functions every plugin exports: the interface version it was built
/// against, and the registration of its analyses (the body that follows).
#define TSWEEP_ANALYSIS_PLUGIN(registry)                                                        \
  extern "C" __attribute__((visibility("default"))) int tsweep_analysis_abi() {                 \
    return ::tsweep::analysis::abi_version;                                                     \
  }                                                                                             \
  extern "C" __attribute__((visibility("default"))) void tsweep_analysis_register(              \
      ::tsweep::analysis::Registry& registry)
