#include "layout.hpp"

#include <algorithm>
#include <cstring>

#include "hdf5_io.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/fault.hpp"
#include "tsweep/exec/agree.hpp"

namespace tsweep::output::detail {

namespace {

h5::Handle make_group(hid_t file, const char* name, const std::string& path) {
  const auto gcpl = group_creation(path);
  return h5::Handle(H5Gcreate2(file, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), path,
                    std::string("creating group ") + name);
}

h5::Handle open_group(hid_t file, const char* name, const std::string& path) {
  const htri_t exists = H5Lexists(file, name, H5P_DEFAULT);
  h5::check(exists, path, std::string("looking for group ") + name);
  if (exists == 0) throw IoError(path, std::string("group ") + name + " is missing");
  return h5::Handle(H5Gopen2(file, name, H5P_DEFAULT), path, std::string("opening group ") + name);
}

// Collective on `comm`. Every step that can fail on one rank alone (a full
// disk fails the writes of some ranks only) is agreed before the next
// collective call, so a failure never leaves a rank waiting in H5Dwrite.
template <class F>
auto step(const exec::Comm& comm, F&& f) {
  return exec::agreed(comm, std::forward<F>(f));
}

// Collective on `comm`: a dataset with its description (and unit).
h5::Handle described_column(const exec::Comm& comm, hid_t group, const char* name, hid_t file_t, hsize_t size,
                            const char* description, const char* unit, hid_t dcpl, const std::string& path) {
  return step(comm, [&] {
    auto dataset = create_column(group, name, file_t, size, dcpl, path);
    write_attribute(dataset.get(), "description", std::string(description), path);
    if (unit) write_attribute(dataset.get(), "unit", std::string(unit), path);
    return dataset;
  });
}

// Collective on `comm`; rank 0 writes all of it.
template <class T>
void write_table_column(const exec::Comm& comm, hid_t group, const char* name, hid_t file_t, hid_t mem_t,
                        const std::vector<T>& values, const char* description, const char* unit, hid_t dcpl, hid_t dxpl,
                        const std::string& path) {
  const auto dataset = described_column(comm, group, name, file_t, values.size(), description, unit, dcpl, path);
  step(comm, [&] {
    std::vector<Range> ranges;
    if (comm.is_root() && !values.empty()) ranges.push_back({0, values.size()});
    write_ranges(dataset.get(), mem_t, ranges, values.data(), dxpl, path, std::string("dataset ") + name);
    maybe_inject_fault("layout", comm.rank());  // as if this rank's part of the collective write failed
  });
}

void write_streams(const exec::Comm& comm, hid_t file, const plan::Plan& plan, hid_t dxpl, const std::string& path) {
  const auto group = step(comm, [&] { return make_group(file, "streams", path); });
  const auto dcpl = dataset_creation(path, Fill::never);
  const auto& s = plan.streams;
  auto column = [&](const char* name, auto get, const char* description, const char* unit = nullptr) {
    std::vector<std::int64_t> values(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) values[i] = get(s[i]);
    write_table_column(comm, group.get(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, values, description, unit, dcpl.get(),
                       dxpl, path);
  };
  column(
      "id", [](const plan::PlannedStream& p) { return p.id; }, "stream id in the store");

  // Fixed-length names: variable-length strings cannot be written collectively.
  std::size_t longest = 1;
  for (const auto& p : s) longest = std::max(longest, p.name.size());
  const auto name_type = fixed_string_type(longest, path);
  std::vector<char> names(s.size() * longest, '\0');
  for (std::size_t i = 0; i < s.size(); ++i)
    std::memcpy(names.data() + i * longest, s[i].name.data(), s[i].name.size());
  {
    const auto dataset = described_column(comm, group.get(), "name", name_type.get(), s.size(),
                                          "stream name, NUL-padded UTF-8", nullptr, dcpl.get(), path);
    step(comm, [&] {
      std::vector<Range> ranges;
      if (comm.is_root() && !s.empty()) ranges.push_back({0, s.size()});
      write_ranges(dataset.get(), name_type.get(), ranges, names.data(), dxpl, path, "dataset streams/name");
    });
  }

  column(
      "row_start", [](const plan::PlannedStream& p) { return p.row; },
      "first row of /windows that belongs to this stream");
  column(
      "row_count", [](const plan::PlannedStream& p) { return p.windows; },
      "rows of /windows that belong to this stream, one per window, empty windows included");
  column(
      "first_window", [](const plan::PlannedStream& p) { return p.first_window; },
      "k of the stream's first window [k * window_ns, (k + 1) * window_ns)");
  column(
      "begin_ns", [](const plan::PlannedStream& p) { return p.begin_ns; },
      "start of the covered time range: the stream's span within the selected time range", "ns");
  column(
      "end_ns", [](const plan::PlannedStream& p) { return p.end_ns; }, "end (exclusive) of the covered time range",
      "ns");
}

// Collective: /analyses/<name> for each analysis, its parameters as
// attributes, and its fields (links to /windows for stats and quality).
void write_analyses(const exec::Comm& comm, hid_t file, const plan::Plan& plan, const JobIdentity& identity,
                    const std::string& path) {
  const auto top = step(comm, [&] { return make_group(file, "analyses", path); });
  const auto dcpl = dataset_creation(path, Fill::never);
  for (const AnalysisColumns& a : identity.columns) {
    const auto group = step(comm, [&] {
      auto g = make_group(top.get(), a.name.c_str(), path);
      write_attribute(g.get(), "parameters", a.parameters, path);
      for (const auto& [name, v] : a.parameter_values) {
        using K = analysis::Value::Kind;
        const std::string key = "parameter_" + name;
        if (v.kind == K::integer) {
          write_attribute(g.get(), key.c_str(), v.integer, path);
        } else if (v.kind == K::number) {
          write_attribute(g.get(), key.c_str(), v.number, path);
        } else if (v.kind == K::boolean) {
          write_attribute(g.get(), key.c_str(), std::int64_t{v.boolean ? 1 : 0}, path);
        } else if (v.kind == K::string) {
          write_attribute(g.get(), key.c_str(), v.text, path);
        } else if (v.kind == K::list) {
          std::vector<double> xs;
          for (const auto& x : v.items) xs.push_back(x.as_number());
          write_attribute(g.get(), key.c_str(), xs, 1, path);
        } else if (v.kind == K::map) {  // ranges: names, and [low, high] per name
          std::vector<std::string> names;
          std::vector<double> bounds;
          for (const auto& [n, pair] : v.entries) {
            names.push_back(n);
            for (const auto& x : pair.items) bounds.push_back(x.as_number());
          }
          write_attribute(g.get(), (key + "_names").c_str(), names, path);
          if (bounds.size() == 2 * names.size()) write_attribute(g.get(), key.c_str(), bounds, 2, path);
        }
      }
      return g;
    });
    for (const analysis::Field& f : a.fields) {
      step(comm, [&] {
        if (a.kernel) {
          const std::string target = "/windows/" + f.name;
          h5::check(H5Lcreate_soft(target.c_str(), group.get(), f.name.c_str(), H5P_DEFAULT, H5P_DEFAULT), path,
                    "linking " + target);
          return;
        }
        auto dataset = create_matrix(group.get(), f.name.c_str(), file_type(f.kind), static_cast<hsize_t>(plan.rows),
                                     f.width(), dcpl.get(), path);
        write_attribute(dataset.get(), "description", f.description, path);
        if (!f.unit.empty()) write_attribute(dataset.get(), "unit", f.unit, path);
        if (!f.labels.empty()) write_attribute(dataset.get(), "labels", f.labels, path);
      });
    }
  }
}

void write_units(const exec::Comm& comm, hid_t file, const plan::Plan& plan, hid_t dxpl, const std::string& path) {
  const auto group = step(comm, [&] { return make_group(file, "units", path); });
  const auto dcpl = dataset_creation(path, Fill::never);
  const auto& u = plan.units;
  {
    std::vector<std::int32_t> values(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) values[i] = u[i].stream;
    write_table_column(comm, group.get(), "stream", H5T_STD_I32LE, H5T_NATIVE_INT32, values, "row of /streams", nullptr,
                       dcpl.get(), dxpl, path);
  }
  auto column = [&](const char* name, auto get, const char* description) {
    std::vector<std::int64_t> values(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) values[i] = get(u[i]);
    write_table_column(comm, group.get(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, values, description, nullptr,
                       dcpl.get(), dxpl, path);
  };
  column(
      "first_window", [](const plan::Unit& x) { return x.first_window; }, "k of the unit's first window");
  column(
      "windows", [](const plan::Unit& x) { return x.windows; }, "windows (rows) of the unit");
  column(
      "row", [](const plan::Unit& x) { return x.row; }, "first row of /windows that the unit writes");
  column(
      "cost", [](const plan::Unit& x) { return x.cost; }, "estimated samples, used to balance the work");

  // The commit record starts all zero; an epoch sets a unit's byte to 1 once its rows are on disk.
  const auto zero = dataset_creation(path, Fill::zero);
  const std::uint8_t fill = 0;
  h5::check(H5Pset_fill_value(zero.get(), H5T_NATIVE_UINT8, &fill), path, "H5Pset_fill_value");
  described_column(comm, group.get(), "committed", H5T_STD_U8LE, u.size(),
                   "1 once the unit's rows are written and flushed (the record --resume reads), else 0", nullptr,
                   zero.get(), path);
}

void write_provenance_record(const exec::Comm& comm, hid_t file, const std::string& path) {
  const auto group = step(comm, [&] { return make_group(file, "provenance", path); });
  const auto dcpl = dataset_creation(path, Fill::zero);
  const std::uint8_t fill = 0;
  h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_UINT8, &fill), path, "H5Pset_fill_value");
  const hsize_t capacity = provenance_capacity(comm.size());
  const auto json = described_column(comm, group.get(), "json", H5T_STD_U8LE, capacity,
                                     "provenance of the last run that wrote this file: UTF-8 JSON text, NUL-padded "
                                     "(per-rank details are dropped, with a note, when they do not fit)",
                                     nullptr, dcpl.get(), path);
  step(comm, [&] { write_attribute(json.get(), "capacity", static_cast<std::int64_t>(capacity), path); });
}

}  // namespace

hsize_t provenance_capacity(int ranks) {
  constexpr hsize_t kib = 1024;
  const hsize_t wanted = 64 * kib + 2 * kib * static_cast<hsize_t>(std::max(ranks, 1));
  const hsize_t step = 64 * kib;
  return (wanted + step - 1) / step * step;
}

std::string analyses_text(const JobIdentity& identity) {
  std::string text;
  if (identity.columns.empty()) {
    if (identity.analyses.stats) text = "stats";
    if (identity.analyses.quality) text += text.empty() ? "quality" : ",quality";
    return text;
  }
  for (const auto& a : identity.columns) text += (text.empty() ? "" : ",") + a.name;
  return text;
}

std::string parameters_text(const JobIdentity& identity) {
  std::string text = "{";
  if (identity.columns.empty()) {
    if (identity.analyses.stats) text += "\"stats\":{}";
    if (identity.analyses.quality) text += std::string(text.size() > 1 ? "," : "") + "\"quality\":{}";
  }
  for (const auto& a : identity.columns) text += (text.size() > 1 ? ",\"" : "\"") + a.name + "\":" + a.parameters;
  return text + "}";
}

hid_t file_type(analysis::FieldKind kind) {
  switch (kind) {
    case analysis::FieldKind::int32:
      return H5T_STD_I32LE;
    case analysis::FieldKind::int64:
      return H5T_STD_I64LE;
    case analysis::FieldKind::float64:
      return H5T_IEEE_F64LE;
  }
  throw InternalError("unknown field kind");
}

hid_t memory_type(analysis::FieldKind kind) {
  switch (kind) {
    case analysis::FieldKind::int32:
      return H5T_NATIVE_INT32;
    case analysis::FieldKind::int64:
      return H5T_NATIVE_INT64;
    case analysis::FieldKind::float64:
      return H5T_NATIVE_DOUBLE;
  }
  throw InternalError("unknown field kind");
}

void validate_plan(const plan::Plan& plan) {
  if (plan.window_ns <= 0) throw InternalError("plan: window_ns is " + std::to_string(plan.window_ns));
  std::int64_t stream_rows = 0;
  for (const auto& s : plan.streams) {
    if (s.row != stream_rows || s.windows < 0) {
      throw InternalError("plan: stream " + s.name + " does not start at row " + std::to_string(stream_rows));
    }
    stream_rows += s.windows;
  }
  if (stream_rows != plan.rows) throw InternalError("plan: the streams' rows do not add up to plan.rows");

  std::vector<std::pair<std::int64_t, std::int64_t>> spans;  // [row, row + windows)
  spans.reserve(plan.units.size());
  for (std::size_t i = 0; i < plan.units.size(); ++i) {
    const plan::Unit& u = plan.units[i];
    const std::string name = "plan: unit " + std::to_string(i);
    if (u.id != static_cast<std::int64_t>(i)) throw InternalError(name + " has id " + std::to_string(u.id));
    if (u.stream < 0 || static_cast<std::size_t>(u.stream) >= plan.streams.size()) {
      throw InternalError(name + " names stream " + std::to_string(u.stream));
    }
    const plan::PlannedStream& s = plan.streams[static_cast<std::size_t>(u.stream)];
    if (u.windows < 0 || u.row < s.row || u.row + u.windows > s.row + s.windows ||
        u.row - s.row != u.first_window - s.first_window) {
      throw InternalError(name + " lies outside the rows of stream " + s.name);
    }
    spans.emplace_back(u.row, u.row + u.windows);
  }
  std::sort(spans.begin(), spans.end());
  std::int64_t next = 0;
  for (const auto& [begin, end] : spans) {
    if (begin != next)
      throw InternalError("plan: the units do not cover row " + std::to_string(next) + " exactly once");
    next = end;
  }
  if (next != plan.rows) throw InternalError("plan: the units do not cover rows up to " + std::to_string(plan.rows));
}

void build_layout(const exec::Comm& comm, hid_t file, const plan::Plan& plan, const JobIdentity& identity, hid_t dxpl,
                  const std::string& path) {
  step(comm, [&] { write_root_attributes(file, plan, identity, path); });
  write_streams(comm, file, plan, dxpl, path);
  {
    const auto windows = step(comm, [&] { return make_group(file, "windows", path); });
    const auto dcpl = dataset_creation(path, Fill::never);
    for (const auto& field : analysis::fields_for(identity.analyses)) {
      described_column(comm, windows.get(), field.name, file_type(field.kind), static_cast<hsize_t>(plan.rows),
                       field.description, field.unit, dcpl.get(), path);
    }
  }
  if (!identity.columns.empty()) write_analyses(comm, file, plan, identity, path);
  write_units(comm, file, plan, dxpl, path);
  // Last, so that the objects before it sit at the same addresses whatever the rank count.
  write_provenance_record(comm, file, path);
}

void write_root_attributes(hid_t file, const plan::Plan& plan, const JobIdentity& identity, const std::string& path) {
  const h5::Handle root(H5Gopen2(file, "/", H5P_DEFAULT), path, "opening /");
  write_attribute(root.get(), "tsweep_format", std::string(format_name), path);
  write_attribute(root.get(), "tsweep_format_version", format_version, path);
  write_attribute(root.get(), "window_ns", plan.window_ns, path);
  write_attribute(root.get(), "analyses", analyses_text(identity), path);
  write_attribute(root.get(), "analysis_parameters", parameters_text(identity), path);
  write_attribute(root.get(), "config", identity.config, path);
  write_attribute(root.get(), "store_path", identity.store_path, path);
  write_attribute(root.get(), "store_uuid", identity.store_uuid, path);
  write_attribute(root.get(), "store_blocks", identity.store_blocks, path);
  write_attribute(root.get(), "store_streams", identity.store_streams, path);
  write_attribute(root.get(), "store_format_version", identity.store_format_version, path);
  write_attribute(root.get(), "plan_digest", plan::plan_digest(plan), path);
}

std::uint64_t estimated_bytes(const plan::Plan& plan, const JobIdentity& identity, int ranks) {
  std::uint64_t per_row = 0;
  for (const auto& field : analysis::fields_for(identity.analyses)) per_row += H5Tget_size(file_type(field.kind));
  for (const auto& a : identity.columns) per_row += a.kernel ? 0 : 8 * a.cells;
  std::uint64_t names = 0;
  for (const auto& s : plan.streams) names = std::max<std::uint64_t>(names, s.name.size());
  const auto rows = static_cast<std::uint64_t>(plan.rows);
  const auto units = static_cast<std::uint64_t>(plan.units.size());
  const auto streams = static_cast<std::uint64_t>(plan.streams.size());
  // Columns, unit table (stream, 4 int64 columns, committed), stream table, provenance, metadata.
  return rows * per_row + units * (4 + 4 * 8 + 1) + streams * (names + 7 * 8) + provenance_capacity(ranks) +
         (std::uint64_t{1} << 20);
}

OpenLayout open_layout(hid_t file, const plan::Plan& plan, const JobIdentity& identity, const std::string& path) {
  OpenLayout layout;
  layout.fields = analysis::fields_for(identity.analyses);
  const auto windows = open_group(file, "windows", path);
  for (const auto& field : layout.fields) {
    layout.columns.push_back(open_column(windows.get(), field.name, static_cast<hsize_t>(plan.rows), path));
  }
  for (const AnalysisColumns& a : identity.columns) {
    if (a.kernel) continue;
    const auto group = open_group(file, ("analyses/" + a.name).c_str(), path);
    layout.analyses.push_back(&a);
    auto& columns = layout.analysis_columns.emplace_back();
    for (const analysis::Field& f : a.fields) {
      columns.push_back(open_column(group.get(), f.name, static_cast<hsize_t>(plan.rows), path, f.width()));
    }
  }
  const auto units = open_group(file, "units", path);
  layout.committed = open_column(units.get(), "committed", plan.units.size(), path);
  const auto provenance = open_group(file, "provenance", path);
  layout.provenance = h5::Handle(H5Dopen2(provenance.get(), "json", H5P_DEFAULT), path, "opening provenance/json");
  const h5::Handle space(H5Dget_space(layout.provenance.get()), path, "H5Dget_space");
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  h5::check(static_cast<herr_t>(n < 0 ? -1 : 0), path, "H5Sget_simple_extent_npoints");
  layout.provenance_capacity = static_cast<hsize_t>(n);
  return layout;
}

}  // namespace tsweep::output::detail
