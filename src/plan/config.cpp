#include "tsweep/plan/config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tsweep/analysis/catalog.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::plan {

namespace fs = std::filesystem;

const std::vector<std::pair<std::string, std::string>>& config_keys() {
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"store", "input store (HDF5), required"},
      {"output", "results file (HDF5), required; never overwritten without --force"},
      {"streams", "shell-style pattern or list of patterns on stream names (default: every stream)"},
      {"streams_regex", "ECMAScript regular expression or list of them, matched against whole names"},
      {"time_range", "map with start and/or end (ISO-8601 or ns since the epoch); [start, end)"},
      {"window", "window width with a unit: 500ms, 1s, 1min, 12h, 1d (required)"},
      {"analyses", "list of analyses, each a name or {name: {parameter: value}}: stats, quality, percentiles, spectrum, "
                   "events, or one a plugin adds (default: [stats, quality]; src/analysis/ANALYSES.md)"},
      {"plugins", "shared libraries that add analyses (built with tsweep_add_analysis), loaded on every rank"},
      {"assignment", "static (cost-balanced) or dynamic (shared counter, largest units first); default dynamic"},
      {"unit_samples", "target samples per unit of work (default 4000000)"},
      {"max_rows", "most window rows the job may make (default 1000000000): refuses a window far too small for the time range"},
      {"checkpoint_interval", "time between committed epochs, with a unit (default 30s)"},
      {"threads", "threads per rank (default: see the launch report's sources)"},
      {"on_corrupt", "flag (count corrupt blocks and go on, default) or fail (stop with an error)"},
      {"progress_interval", "time between progress lines, with a unit (default 10s)"},
      {"summaries", "true (default): a window that covers a block whole takes the block's stored summary and does not "
                    "read it; false: decode every block (only decoding notices damaged block bytes)"},
      {"export", "map: what `tsweep export` writes (output, rate, method, dtype, physical, chunk, max_gap); "
                 "ignored by `tsweep run`"},
  };
  return keys;
}

const std::vector<std::pair<std::string, std::string>>& export_keys() {
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"output", "the export file (HDF5, netCDF-4 conventions), required by `tsweep export`"},
      {"rate", "native (default: one time grid per native rate; irregular streams need a rate) or an output rate in "
               "Hz (100, 0.5, 100Hz, 2kHz)"},
      {"method", "nearest (default), linear or mean: how samples are put on the grid (src/output/EXPORT.md)"},
      {"dtype", "float32 (default), float64, or int16/int32/int64 (raw values, method nearest)"},
      {"physical", "true (default): raw x scale + offset; false: the stored raw values"},
      {"chunk", "map {streams, time}: the HDF5 chunk shape in streams x time points (default 1 x 65536)"},
      {"max_gap", "duration: linear interpolates across intervals up to this long (default 1.5 native periods; "
                  "irregular streams: 1.5 output periods)"},
  };
  return keys;
}

const char* export_type_name(ExportType type) noexcept {
  switch (type) {
    case ExportType::float32: return "float32";
    case ExportType::float64: return "float64";
    case ExportType::int16: return "int16";
    case ExportType::int32: return "int32";
    case ExportType::int64: return "int64";
  }
  return "?";
}

const char* resample_name(Resample method) noexcept {
  switch (method) {
    case Resample::nearest: return "nearest";
    case Resample::linear: return "linear";
    case Resample::mean: return "mean";
  }
  return "?";
}

namespace {

class Reader {
 public:
  Reader(std::string file, YAML::Node root) : m_file(std::move(file)), m_root(std::move(root)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& expected) const {
    throw ConfigError(m_file + ": key '" + key + "': " + expected);
  }

  std::string describe(const YAML::Node& n) const {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsScalar()) return "'" + n.Scalar() + "'";
    return n.IsSequence() ? "a list" : "a map";
  }

  std::string string(const std::string& key, const YAML::Node& n) const {
    if (!n.IsScalar() || n.Scalar().empty()) fail(key, "expected a non-empty string, got " + describe(n));
    return n.Scalar();
  }

  std::vector<std::string> strings(const std::string& key, const YAML::Node& n) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(string(key, n));
    } else if (n.IsSequence()) {
      for (const auto& item : n) out.push_back(string(key, item));
      if (out.empty()) fail(key, "expected at least one entry");
    } else {
      fail(key, "expected a string or a list of strings, got " + describe(n));
    }
    return out;
  }

  std::int64_t integer(const std::string& key, const YAML::Node& n, std::int64_t lo, std::int64_t hi) const {
    std::int64_t v = 0;
    try {
      if (!n.IsScalar()) throw YAML::BadConversion(n.Mark());
      std::size_t used = 0;
      v = std::stoll(n.Scalar(), &used, 10);
      if (used != n.Scalar().size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      fail(key, "expected an integer, got " + describe(n));
    }
    if (v < lo || v > hi) fail(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v));
    return v;
  }

  std::int64_t duration(const std::string& key, const YAML::Node& n) const {
    if (n.IsScalar()) {
      if (auto d = parse_duration(n.Scalar())) return *d;
    }
    fail(key, "expected a duration with a unit (500ms, 1s, 1min, 12h, 1d), got " + describe(n));
  }

  std::int64_t time(const std::string& key, const YAML::Node& n) const {
    if (n.IsScalar()) {
      if (auto t = parse_iso8601(n.Scalar())) return *t;
      try {
        std::size_t used = 0;
        const std::int64_t v = std::stoll(n.Scalar(), &used, 10);
        if (used == n.Scalar().size()) return v;
      } catch (const std::exception&) {
      }
    }
    fail(key, "expected an ISO-8601 time (2024-03-01T12:00:00Z) or ns since the epoch, got " + describe(n));
  }

  template <class E>
  E choice(const std::string& key, const YAML::Node& n, const std::vector<std::pair<std::string, E>>& options) const {
    std::string names;
    for (const auto& [name, value] : options) {
      if (n.IsScalar() && n.Scalar() == name) return value;
      names += (names.empty() ? "" : ", ") + name;
    }
    fail(key, "expected one of " + names + ", got " + describe(n));
  }

  const std::string& file() const { return m_file; }

 private:
  std::string m_file;
  YAML::Node m_root;
};

// Sets root[a][b]... = value for a dotted key, creating maps on the way.
void apply_override(YAML::Node root, const std::string& text, std::set<std::string>& overridden) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set '" + text + "': expected key=value");
  }
  const std::string key = text.substr(0, eq);
  // The value is YAML (lists, maps, numbers); text that is not valid YAML,
  // such as a pattern starting with '*', is taken as a plain string.
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(eq + 1));
  } catch (const YAML::Exception&) {
    value = YAML::Node(text.substr(eq + 1));
  }
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (chain.back().IsSequence()) {
      // A list of named entries (analyses): the part names an entry, which
      // becomes {name: {...}} (and is added when the list has none).
      YAML::Node list = chain.back();
      YAML::Node found;
      for (std::size_t k = 0; k < list.size(); ++k) {
        YAML::Node item = list[k];
        if (item.IsScalar() && item.Scalar() == parts[i]) {
          YAML::Node named(YAML::NodeType::Map);
          named[parts[i]] = YAML::Node(YAML::NodeType::Map);
          list[k] = named;
          found = list[k];
        } else if (item.IsMap() && item.size() == 1 && item[parts[i]]) {
          found = item;
        }
      }
      if (!found) {
        YAML::Node named(YAML::NodeType::Map);
        named[parts[i]] = YAML::Node(YAML::NodeType::Map);
        list.push_back(named);
        found = list[list.size() - 1];
      }
      YAML::Node params = found[parts[i]];
      if (!params.IsDefined() || params.IsNull()) {
        params = YAML::Node(YAML::NodeType::Map);
        found[parts[i]] = params;
      }
      if (!params.IsMap()) throw ConfigError("--set " + key + ": '" + parts[i] + "' is not a map");
      chain.push_back(params);
      continue;
    }
    YAML::Node next = chain.back()[parts[i]];
    if ((!next.IsDefined() || next.IsNull()) && i == 0 && parts[0] == "analyses") {
      next = YAML::Node(std::vector<std::string>{"stats", "quality"});  // the default list, to add to
    } else if (!next.IsDefined() || next.IsNull()) {
      next = YAML::Node(YAML::NodeType::Map);
    }
    if (!next.IsMap() && !next.IsSequence()) throw ConfigError("--set " + key + ": '" + parts[i] + "' is not a map");
    chain.back()[parts[i]] = next;
    chain.push_back(next);
  }
  chain.back()[parts.back()] = value;
  overridden.insert(parts.front());
  overridden.insert(key);  // the dotted key too: export.output is resolved against the working directory
}

// YAML made typed for an analysis: integers, numbers and booleans where the
// scalar reads as one, strings otherwise; maps keep their order.
analysis::Value to_value(const YAML::Node& n) {
  using analysis::Value;
  if (!n.IsDefined() || n.IsNull()) return Value{};
  if (n.IsSequence()) {
    std::vector<Value> items;
    for (const auto& item : n) items.push_back(to_value(item));
    return Value::list(std::move(items));
  }
  if (n.IsMap()) {
    Value v;
    v.kind = Value::Kind::map;
    for (const auto& kv : n) v.entries.emplace_back(kv.first.Scalar(), to_value(kv.second));
    return v;
  }
  const std::string& text = n.Scalar();
  if (n.Tag() != "!") {  // a quoted scalar stays a string
    try {
      std::size_t used = 0;
      const long long i = std::stoll(text, &used, 10);
      if (used == text.size()) return Value::of(static_cast<std::int64_t>(i));
    } catch (const std::exception&) {
    }
    try {
      std::size_t used = 0;
      const double d = std::stod(text, &used);
      if (used == text.size() && text.find_first_of("xXpP") == std::string::npos) return Value::of(d);
    } catch (const std::exception&) {
    }
    if (text == "true" || text == "false") return Value::of(text == "true");
  }
  return Value::of(text);
}

std::string resolve(const std::string& path, const fs::path& base) {
  const fs::path p(path);
  if (p.is_absolute() || base.empty()) return p.lexically_normal().string();
  return (base / p).lexically_normal().string();
}

}  // namespace

namespace {

// "100", "0.5", "100Hz", "2kHz", "1MHz" → nanohertz, exactly (codec::parse_rate_nhz).
std::optional<std::int64_t> parse_rate(std::string text) {
  std::int64_t factor = 1;
  auto ends = [&](const std::string& suffix) {
    return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("kHz")) {
    factor = 1000;
    text.resize(text.size() - 3);
  } else if (ends("MHz")) {
    factor = 1000000;
    text.resize(text.size() - 3);
  } else if (ends("Hz")) {
    text.resize(text.size() - 2);
  }
  const auto nhz = codec::parse_rate_nhz(text);
  if (!nhz || *nhz > codec::kMaxRateNhz / factor) return std::nullopt;
  return *nhz * factor;
}

void read_export(const Reader& r, const YAML::Node& e, const fs::path& base, bool overridden, ExportSettings& x) {
  if (!e.IsMap()) r.fail("export", "expected a map of export keys, got " + r.describe(e));
  for (const auto& kv : e) {
    const std::string k = kv.first.Scalar();
    bool known = false;
    for (const auto& [name, text] : export_keys()) known = known || name == k;
    if (!known) {
      std::string list;
      for (const auto& [name, text] : export_keys()) list += (list.empty() ? "" : ", ") + name;
      r.fail("export." + k, "unknown key (expected one of: " + list + ")");
    }
  }
  if (e["output"]) x.output = resolve(r.string("export.output", e["output"]), overridden ? fs::path() : base);
  if (auto v = e["rate"]) {
    if (v.IsScalar() && v.Scalar() == "native") {
      x.rate_nhz = 0;
    } else {
      const auto nhz = v.IsScalar() ? parse_rate(v.Scalar()) : std::nullopt;
      if (!nhz) r.fail("export.rate", "expected native or a rate in Hz (100, 0.5, 100Hz, 2kHz), got " + r.describe(v));
      x.rate_nhz = *nhz;
    }
  }
  if (auto v = e["method"]) {
    x.method = r.choice<Resample>("export.method", v,
                                  {{"nearest", Resample::nearest}, {"linear", Resample::linear}, {"mean", Resample::mean}});
  }
  if (auto v = e["dtype"]) {
    x.dtype = r.choice<ExportType>("export.dtype", v,
                                   {{"float32", ExportType::float32}, {"float64", ExportType::float64},
                                    {"int16", ExportType::int16}, {"int32", ExportType::int32},
                                    {"int64", ExportType::int64}});
  }
  if (auto v = e["physical"]) x.physical = r.choice<bool>("export.physical", v, {{"true", true}, {"false", false}});
  if (auto c = e["chunk"]) {
    if (!c.IsMap()) r.fail("export.chunk", "expected a map {streams: N, time: N}, got " + r.describe(c));
    for (const auto& kv : c) {
      const std::string k = kv.first.Scalar();
      if (k != "streams" && k != "time") r.fail("export.chunk." + k, "unknown key (expected streams or time)");
    }
    if (c["streams"]) x.chunk_streams = r.integer("export.chunk.streams", c["streams"], 1, 1 << 16);
    if (c["time"]) x.chunk_time = r.integer("export.chunk.time", c["time"], 1, std::int64_t{1} << 30);
    if (x.chunk_streams * x.chunk_time > (std::int64_t{1} << 30)) {
      r.fail("export.chunk", "a chunk of " + std::to_string(x.chunk_streams * x.chunk_time) +
                                 " elements is too large (HDF5 chunks must stay under 4 GiB; at most 2^30 elements)");
    }
  }
  if (auto v = e["max_gap"]) x.max_gap_ns = r.duration("export.max_gap", v);
  const bool integer = x.dtype != ExportType::float32 && x.dtype != ExportType::float64;
  if (integer && x.physical) {
    r.fail("export.dtype", std::string(export_type_name(x.dtype)) +
                               " holds raw values only: set export.physical: false, or choose float32 or float64");
  }
  if (integer && x.method != Resample::nearest) {
    r.fail("export.dtype", std::string(export_type_name(x.dtype)) + " needs export.method: nearest (" +
                               resample_name(x.method) + " makes fractions); choose float32 or float64");
  }
}

}  // namespace

JobConfig load_config(const std::string& path, const std::vector<std::string>& overrides, ConfigUse use) {
  YAML::Node root;
  try {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw ConfigError(path + ": is a directory, not a config file");
    std::ifstream in(path);
    if (!in) throw IoError(path, "cannot open the config file");
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML (" + e.msg + ")");
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(path + ": expected a map of keys at the top level");

  std::set<std::string> overridden;
  for (const auto& o : overrides) apply_override(root, o, overridden);

  Reader r(path, root);
  std::set<std::string> known;
  for (const auto& [key, text] : config_keys()) known.insert(key);
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (!known.count(key)) {
      std::string list;
      for (const auto& [k, text] : config_keys()) list += (list.empty() ? "" : ", ") + k;
      r.fail(key, "unknown key (expected one of: " + list + ")");
    }
  }

  const fs::path base = fs::path(path).parent_path();
  auto where = [&](const std::string& key) { return overridden.count(key) ? fs::path() : base; };

  JobConfig c;
  c.config_path = path;
  if (!root["store"]) r.fail("store", "missing; expected the path of the input store");
  c.store = resolve(r.string("store", root["store"]), where("store"));
  const bool run = use == ConfigUse::run;
  if (root["output"] || run) {
    if (!root["output"]) r.fail("output", "missing; expected the path of the results file");
    c.output = resolve(r.string("output", root["output"]), where("output"));
  }
  if (root["streams"]) c.selection.globs = r.strings("streams", root["streams"]);
  if (root["streams_regex"]) c.selection.regexes = r.strings("streams_regex", root["streams_regex"]);
  if (auto tr = root["time_range"]) {
    if (!tr.IsMap()) r.fail("time_range", "expected a map with start and/or end, got " + r.describe(tr));
    for (const auto& kv : tr) {
      const std::string k = kv.first.Scalar();
      if (k != "start" && k != "end") r.fail("time_range." + k, "unknown key (expected start or end)");
    }
    if (tr["start"]) c.selection.start_ns = r.time("time_range.start", tr["start"]);
    if (tr["end"]) c.selection.end_ns = r.time("time_range.end", tr["end"]);
    if (c.selection.start_ns >= c.selection.end_ns) r.fail("time_range", "start must be before end");
  }
  if (root["window"] || run) {
    if (!root["window"]) r.fail("window", "missing; expected a duration with a unit such as 1min");
    c.window_ns = r.duration("window", root["window"]);
  }
  if (auto e = root["export"]) {
    c.has_export = true;
    read_export(r, e, base, overridden.count("export.output") > 0, c.exporting);
  }
  if (!run && c.exporting.output.empty()) {
    r.fail("export.output", "missing; expected the path of the export file (export: {output: FILE})");
  }
  if (auto a = root["analyses"]) {
    c.analyses.clear();
    if (!a.IsScalar() && !a.IsSequence()) r.fail("analyses", "expected a list of analyses, got " + r.describe(a));
    const YAML::Node list = a.IsScalar() ? YAML::Node(std::vector<std::string>{a.Scalar()}) : a;
    for (const auto& item : list) {
      if (item.IsScalar() && !item.Scalar().empty()) {
        c.analyses.push_back({item.Scalar(), {}});
      } else if (item.IsMap() && item.size() == 1) {
        const auto kv = *item.begin();
        c.analyses.push_back({kv.first.Scalar(), to_value(kv.second)});
      } else {
        r.fail("analyses", "expected each entry to be a name or {name: {parameters}}, got " + r.describe(item));
      }
    }
    if (c.analyses.empty()) r.fail("analyses", "expected at least one analysis");
  }
  c.stats = c.quality = false;
  for (const auto& spec : c.analyses) {
    c.stats = c.stats || spec.name == "stats";
    c.quality = c.quality || spec.name == "quality";
  }
  if (auto p = root["plugins"]) {
    for (const auto& plugin : r.strings("plugins", p)) c.plugins.push_back(resolve(plugin, where("plugins")));
  }
  if (auto a = root["assignment"]) {
    c.assignment = r.choice<Assignment>("assignment", a, {{"static", Assignment::static_cost}, {"dynamic", Assignment::dynamic}});
  }
  if (auto u = root["unit_samples"]) c.unit_samples = r.integer("unit_samples", u, 1, std::int64_t{1} << 40);
  if (auto m = root["max_rows"]) c.max_rows = r.integer("max_rows", m, 1, INT64_MAX);
  if (auto ci = root["checkpoint_interval"]) c.checkpoint_ns = r.duration("checkpoint_interval", ci);
  if (auto p = root["progress_interval"]) c.progress_ns = r.duration("progress_interval", p);
  if (auto t = root["threads"]) c.threads = static_cast<int>(r.integer("threads", t, 1, 4096));
  if (auto oc = root["on_corrupt"]) {
    c.on_corrupt = r.choice<OnCorrupt>("on_corrupt", oc, {{"flag", OnCorrupt::flag}, {"fail", OnCorrupt::fail}});
  }
  if (auto su = root["summaries"]) c.summaries = r.choice<bool>("summaries", su, {{"true", true}, {"false", false}});
  return c;
}

namespace {
void emit_selection(YAML::Emitter& out, const JobConfig& c) {
  out << YAML::Key << "streams" << YAML::Value << YAML::Flow << c.selection.globs;
  out << YAML::Key << "streams_regex" << YAML::Value << YAML::Flow << c.selection.regexes;
  out << YAML::Key << "time_range" << YAML::Value << YAML::BeginMap;
  if (c.selection.start_ns != INT64_MIN) out << YAML::Key << "start" << YAML::Value << format_iso8601(c.selection.start_ns);
  if (c.selection.end_ns != INT64_MAX) out << YAML::Key << "end" << YAML::Value << format_iso8601(c.selection.end_ns);
  out << YAML::EndMap;
  out << YAML::Key << "window" << YAML::Value << format_duration(c.window_ns);
  out << YAML::Key << "analyses" << YAML::Value << YAML::Flow << c.analysis_names();
  out << YAML::Key << "unit_samples" << YAML::Value << c.unit_samples;
  out << YAML::Key << "on_corrupt" << YAML::Value << (c.on_corrupt == OnCorrupt::flag ? "flag" : "fail");
  // Only when off: results of runs before the key existed keep their key.
  if (!c.summaries) out << YAML::Key << "summaries" << YAML::Value << false;
}
}  // namespace

std::vector<std::string> JobConfig::analysis_names() const {
  // stats and quality first, in this order, as files before other analyses existed have them.
  std::vector<std::string> names;
  if (stats) names.emplace_back("stats");
  if (quality) names.emplace_back("quality");
  for (const auto& spec : analyses) {
    if (spec.name != "stats" && spec.name != "quality") names.push_back(spec.name);
  }
  return names;
}

std::string JobConfig::results_key() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  emit_selection(out, *this);
  out << YAML::EndMap;
  return out.c_str();
}

std::string JobConfig::export_key() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "streams" << YAML::Value << YAML::Flow << selection.globs;
  out << YAML::Key << "streams_regex" << YAML::Value << YAML::Flow << selection.regexes;
  out << YAML::Key << "time_range" << YAML::Value << YAML::BeginMap;
  if (selection.start_ns != INT64_MIN) out << YAML::Key << "start" << YAML::Value << format_iso8601(selection.start_ns);
  if (selection.end_ns != INT64_MAX) out << YAML::Key << "end" << YAML::Value << format_iso8601(selection.end_ns);
  out << YAML::EndMap;
  out << YAML::Key << "unit_samples" << YAML::Value << unit_samples;
  out << YAML::Key << "on_corrupt" << YAML::Value << (on_corrupt == OnCorrupt::flag ? "flag" : "fail");
  const ExportSettings& x = exporting;
  out << YAML::Key << "export" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "rate_nhz" << YAML::Value << x.rate_nhz;
  out << YAML::Key << "method" << YAML::Value << resample_name(x.method);
  out << YAML::Key << "dtype" << YAML::Value << export_type_name(x.dtype);
  out << YAML::Key << "physical" << YAML::Value << x.physical;
  out << YAML::Key << "chunk" << YAML::Value << YAML::Flow << std::vector<std::int64_t>{x.chunk_streams, x.chunk_time};
  out << YAML::Key << "max_gap" << YAML::Value << (x.max_gap_ns > 0 ? format_duration(x.max_gap_ns) : "default");
  out << YAML::EndMap;
  out << YAML::EndMap;
  return out.c_str();
}

std::string JobConfig::to_yaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "store" << YAML::Value << store;
  out << YAML::Key << "output" << YAML::Value << output;
  emit_selection(out, *this);
  out << YAML::Key << "assignment" << YAML::Value << (assignment == Assignment::dynamic ? "dynamic" : "static");
  out << YAML::Key << "checkpoint_interval" << YAML::Value << format_duration(checkpoint_ns);
  out << YAML::Key << "progress_interval" << YAML::Value << format_duration(progress_ns);
  out << YAML::Key << "max_rows" << YAML::Value << max_rows;
  out << YAML::Key << "analysis_parameters" << YAML::Value << YAML::BeginMap;
  for (const auto& spec : analyses) {
    if (spec.params.kind != analysis::Value::Kind::null) {
      out << YAML::Key << spec.name << YAML::Value << analysis::canonical_json(spec.params);
    }
  }
  out << YAML::EndMap;
  if (!plugins.empty()) out << YAML::Key << "plugins" << YAML::Value << YAML::Flow << plugins;
  if (threads) out << YAML::Key << "threads" << YAML::Value << *threads;
  out << YAML::EndMap;
  return out.c_str();
}

}  // namespace tsweep::plan
