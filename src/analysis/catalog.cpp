#include "tsweep/analysis/catalog.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "builtin/builtin.hpp"
#include "tsweep/analysis/kernels.hpp"
#include "tsweep/analysis/window.hpp"

namespace tsweep::analysis {

namespace {

// stats and quality on the interface. The job computes them with the
// block-summary kernel (parallel over blocks, stored summaries for blocks a
// window covers whole); reduce() is the same reduction over one window's
// samples, the reference the kernel is tested against.
class KernelAnalysis final : public Analysis {
 public:
  explicit KernelAnalysis(bool stats) : m_stats(stats) {
    for (const FieldInfo& f : analysis::fields()) {
      if (f.always || f.stats != m_stats) continue;
      // The float64 fields are physical values; the others counts or times.
      const char* unit = f.unit ? f.unit : f.kind == FieldKind::float64 ? "stream unit" : "";
      m_fields.push_back({f.name, f.kind, unit, f.description, {}});
      m_info.push_back(f);
    }
  }
  [[nodiscard]] std::vector<Field> fields() const override { return m_fields; }

  void reduce(const Window& w, Output& out) const override {
    const StreamInfo& s = *w.stream;
    StreamFacts facts;
    facts.rate_nhz = s.rate_nhz;
    facts.first_ns = s.first_ns;
    facts.last_ns = s.last_ns;
    facts.has_valid_range = s.has_valid_range;
    facts.valid_min = s.valid_min;
    facts.valid_max = s.valid_max;
    const UnitWindows one{0, w.width_ns, w.start_ns / w.width_ns, 1, w.begin_ns, w.end_ns};
    const std::int64_t threshold = gap_threshold(s.rate_nhz);
    BlockScratch scratch;
    BlockPieces pieces;
    UnitAccumulator acc(one, s.type, threshold);
    const codec::RawRange range = raw_range_of(facts, s.type, s.scale, s.offset);
    const std::size_t width = codec::sample_size(s.type);
    // Runs of samples that follow each other in the stream, each with the
    // time of its predecessor (or none), as blocks are merged in the kernel.
    for (std::size_t i = 0, j = 0; i < w.size; i = j) {
      for (j = i + 1; j < w.size && w.follows(j);) ++j;
      const std::int64_t before = w.previous_times ? w.previous_times[i] : i == 0 ? w.previous_time : w.times[i - 1];
      if (before == no_time) {
        acc.forget_previous();
      } else {
        acc.add_bounds(before, before);
      }
      reduce_block(s.type, range, threshold, one, static_cast<const std::byte*>(w.raw) + i * width, j - i,
                   Span<const std::int64_t>(w.times + i, j - i), codec::RegularTimes{}, scratch, pieces);
      acc.add_block(pieces);
    }
    WindowRow row = acc.row(facts, s.scale, s.offset, 0);
    row.corrupt_blocks = w.corrupt_blocks;
    for (std::size_t i = 0; i < m_info.size(); ++i) {
      const auto* at = reinterpret_cast<const unsigned char*>(&row) + m_info[i].offset;
      if (m_info[i].kind == FieldKind::float64) {
        double v = 0;
        std::memcpy(&v, at, 8);
        out.set(i, v);
      } else {
        std::int64_t v = 0;
        std::memcpy(&v, at, 8);
        out.set(i, v);
      }
    }
  }

 private:
  bool m_stats;
  std::vector<Field> m_fields;
  std::vector<FieldInfo> m_info;
};

bool valid_name(const std::string& name, bool field) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  if (!field && !std::islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isdigit(u) || c == '_' || (field ? std::isalpha(u) : std::islower(u));
  });
}

const char* kind_text(ParamKind kind) {
  switch (kind) {
    case ParamKind::boolean:
      return "true or false";
    case ParamKind::integer:
      return "an integer";
    case ParamKind::number:
      return "a number";
    case ParamKind::string:
      return "a string";
    case ParamKind::numbers:
      return "a list of numbers";
    case ParamKind::ranges:
      return "a map of name: [low, high]";
  }
  return "?";
}

std::string describe(const Value& v) {
  switch (v.kind) {
    case Value::Kind::null:
      return "nothing";
    case Value::Kind::list:
      return "a list";
    case Value::Kind::map:
      return "a map";
    case Value::Kind::string:
      return "'" + v.text + "'";
    default:
      return "'" + canonical_json(v) + "'";
  }
}

bool matches(ParamKind kind, const Value& v) {
  switch (kind) {
    case ParamKind::boolean:
      return v.kind == Value::Kind::boolean;
    case ParamKind::integer:
      return v.kind == Value::Kind::integer;
    case ParamKind::number:
      return v.is_number() && std::isfinite(v.as_number());
    case ParamKind::string:
      return v.kind == Value::Kind::string;
    case ParamKind::numbers:
      return v.kind == Value::Kind::list && !v.items.empty() &&
             std::all_of(v.items.begin(), v.items.end(), [](const Value& x) { return x.is_number() && std::isfinite(x.as_number()); });
    case ParamKind::ranges:
      return v.kind == Value::Kind::map && !v.entries.empty() &&
             std::all_of(v.entries.begin(), v.entries.end(), [](const auto& e) {
               return valid_name(e.first, true) && e.second.kind == Value::Kind::list && e.second.items.size() == 2 &&
                      e.second.items[0].is_number() && e.second.items[1].is_number() &&
                      std::isfinite(e.second.items[0].as_number()) && std::isfinite(e.second.items[1].as_number());
             });
  }
  return false;
}

void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  out += '"';
}

void json_value(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::null:
      out += "null";
      return;
    case Value::Kind::boolean:
      out += v.boolean ? "true" : "false";
      return;
    case Value::Kind::integer:
      out += std::to_string(v.integer);
      return;
    case Value::Kind::number: {
      char text[32];
      const auto r = std::to_chars(text, text + sizeof text, v.number);
      std::string n(text, r.ptr);
      // Keep it a JSON real, so that 1.0 and 1 stay apart.
      if (n.find_first_of(".eEn") == std::string::npos) n += ".0";
      out += n;
      return;
    }
    case Value::Kind::string:
      json_string(out, v.text);
      return;
    case Value::Kind::list:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        json_value(out, v.items[i]);
      }
      out += ']';
      return;
    case Value::Kind::map:
      out += '{';
      for (std::size_t i = 0; i < v.entries.size(); ++i) {
        if (i) out += ',';
        json_string(out, v.entries[i].first);
        out += ':';
        json_value(out, v.entries[i].second);
      }
      out += '}';
      return;
  }
}

}  // namespace

std::string canonical_json(const Value& value) {
  std::string out;
  json_value(out, value);
  return out;
}

Catalog::Catalog() {
  add({"stats", "count, min, max, mean, std, first and last sample time of the physical values (src/output/FORMAT.md)",
       {}, [](const Params&) { return std::make_unique<KernelAnalysis>(true); }},
      "tsweep");
  add({"quality", "expected and missing samples, gaps, NaN, out-of-range, flat runs, bad times, corrupt blocks "
                  "(src/output/FORMAT.md)",
       {}, [](const Params&) { return std::make_unique<KernelAnalysis>(false); }},
      "tsweep");
  add(builtin::percentiles_type(), "tsweep");
  add(builtin::spectrum_type(), "tsweep");
  add(builtin::events_type(), "tsweep");
}

void Catalog::add(AnalysisType type, const std::string& origin) {
  if (!valid_name(type.name, false)) {
    throw ConfigError(origin + ": analysis name '" + type.name + "' is not of the form [a-z][a-z0-9_]*");
  }
  if (find(type.name)) throw ConfigError(origin + ": analysis '" + type.name + "' is already defined (built in or by another plugin)");
  if (!type.create) throw ConfigError(origin + ": analysis '" + type.name + "' has no create function");
  for (const Param& p : type.params) {
    if (!valid_name(p.name, true)) throw ConfigError(origin + ": analysis '" + type.name + "' has a parameter named '" + p.name + "'");
  }
  m_types.push_back(std::move(type));
}

const AnalysisType* Catalog::find(const std::string& name) const {
  for (const auto& t : m_types) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string Catalog::names() const {
  std::string out;
  for (const auto& t : m_types) out += (out.empty() ? "" : ", ") + t.name;
  return out;
}

void Catalog::load_plugin(const std::string& path) {
  const std::string where = "plugin " + path;
  // RTLD_NOW: a plugin with unresolved symbols fails here, not in its third window.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    throw ConfigError(where + ": cannot be loaded (" + std::string(why ? why : "unknown reason") + ")");
  }
  auto symbol = [&](const char* name) {
    ::dlerror();
    void* s = ::dlsym(handle, name);
    if (!s) {
      ::dlclose(handle);
      throw ConfigError(where + ": has no symbol " + name +
                        " (not a tsweep analysis plugin; build it with tsweep_add_analysis() and TSWEEP_ANALYSIS_PLUGIN)");
    }
    return s;
  };
  using AbiFn = int (*)();
  using RegisterFn = void (*)(Registry&);
  const auto abi = reinterpret_cast<AbiFn>(symbol("tsweep_analysis_abi"));
  const auto reg = reinterpret_cast<RegisterFn>(symbol("tsweep_analysis_register"));
  const int built_for = abi();
  if (built_for != abi_version) {
    ::dlclose(handle);
    throw ConfigError(where + ": was built for analysis ABI " + std::to_string(built_for) + ", this tsweep has ABI " +
                      std::to_string(abi_version) + "; rebuild it against this tsweep");
  }
  Registry registry;
  try {
    reg(registry);
  } catch (const std::exception& e) {
    throw ConfigError(where + ": its registration failed: " + e.what());
  }
  if (registry.types().empty()) throw ConfigError(where + ": registers no analysis");
  for (const auto& t : registry.types()) add(t, where);
}

std::vector<Configured> Catalog::configure(const std::vector<AnalysisSpec>& specs, const std::string& where) const {
  std::vector<Configured> out;
  for (const AnalysisSpec& spec : specs) {
    const std::string key = "analyses." + spec.name;
    auto fail = [&](const std::string& k, const std::string& what) -> void {
      throw ConfigError(where + ": key '" + k + "': " + what);
    };
    const AnalysisType* type = find(spec.name);
    if (!type) fail("analyses", "unknown analysis '" + spec.name + "' (known: " + names() + "; plugins add others)");
    for (const auto& c : out) {
      if (c.name == spec.name) fail("analyses", "'" + spec.name + "' is listed twice");
    }
    if (spec.params.kind != Value::Kind::null && spec.params.kind != Value::Kind::map) {
      fail(key, "expected a map of parameters, got " + describe(spec.params));
    }
    std::string known;
    for (const Param& p : type->params) known += (known.empty() ? "" : ", ") + p.name;
    for (const auto& [name, value] : spec.params.entries) {
      const auto it = std::find_if(type->params.begin(), type->params.end(), [&](const Param& p) { return p.name == name; });
      if (it == type->params.end()) {
        fail(key + "." + name, known.empty() ? std::string("unknown parameter (") + spec.name + " takes none)"
                                             : "unknown parameter (expected one of: " + known + ")");
      }
    }
    std::vector<std::pair<std::string, Value>> checked;
    Value record;
    record.kind = Value::Kind::map;
    for (const Param& p : type->params) {
      const auto given = std::find_if(spec.params.entries.begin(), spec.params.entries.end(),
                                      [&](const auto& e) { return e.first == p.name; });
      Value v = given != spec.params.entries.end() ? given->second : p.fallback;
      if (v.kind == Value::Kind::null) {
        if (p.required) fail(key + "." + p.name, std::string("missing; expected ") + kind_text(p.kind) + " (" + p.description + ")");
        continue;
      }
      if (!matches(p.kind, v)) fail(key + "." + p.name, std::string("expected ") + kind_text(p.kind) + ", got " + describe(v));
      // A number that was written as an integer is still a number.
      if (p.kind == ParamKind::number && v.kind == Value::Kind::integer) v = Value::of(v.as_number());
      if (p.kind == ParamKind::numbers) {
        for (Value& x : v.items) x = Value::of(x.as_number());
      }
      if (p.kind == ParamKind::ranges) {
        for (auto& e : v.entries) {
          for (Value& x : e.second.items) x = Value::of(x.as_number());
        }
      }
      checked.emplace_back(p.name, v);
      record.entries.emplace_back(p.name, v);
    }
    Configured c;
    c.name = spec.name;
    c.params = Params(where + ": key " + key, checked);
    c.parameters = canonical_json(record);
    try {
      c.analysis = type->create(c.params);
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      fail(key, std::string("the analysis refused its parameters: ") + e.what());
    }
    if (!c.analysis) fail(key, "the analysis could not be made");
    c.fields = c.analysis->fields();
    std::vector<std::string> seen;
    for (const Field& f : c.fields) {
      if (!valid_name(f.name, true) || std::find(seen.begin(), seen.end(), f.name) != seen.end()) {
        throw ConfigError(spec.name + ": field name '" + f.name + "' is malformed or repeated");
      }
      if (!c.kernel() && f.kind == FieldKind::int32) throw ConfigError(spec.name + ": field " + f.name + " is int32; use int64");
      seen.push_back(f.name);
      c.offsets.push_back(c.cells);
      c.cells += f.width();
    }
    if (c.fields.empty()) throw ConfigError(spec.name + ": the analysis has no fields");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tsweep::analysis
