#include "tsweep/output/export_file.hpp"

#include <hdf5_hl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>

#include "hdf5_io.hpp"
#include "layout.hpp"
#include "output_file.hpp"
#include "provenance.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/hold.hpp"
#include "tsweep/h5/h5.hpp"

namespace tsweep::output {

namespace {

__extension__ typedef __int128 Int128;

constexpr const char* export_format = "export";
constexpr std::int64_t export_version = 1;
constexpr detail::OutputKind export_kind{"export", "export file", "export.output", "export", "a narrower selection"};
constexpr const char* time_units = "nanoseconds since 1970-01-01 00:00:00";

hid_t file_value_type(ExportValueType t) {
  switch (t) {
    case ExportValueType::float32: return H5T_IEEE_F32LE;
    case ExportValueType::float64: return H5T_IEEE_F64LE;
    case ExportValueType::int16: return H5T_STD_I16LE;
    case ExportValueType::int32: return H5T_STD_I32LE;
    case ExportValueType::int64: return H5T_STD_I64LE;
  }
  throw InternalError("unknown export value type");
}

hid_t memory_value_type(ExportValueType t) {
  switch (t) {
    case ExportValueType::float32: return H5T_NATIVE_FLOAT;
    case ExportValueType::float64: return H5T_NATIVE_DOUBLE;
    case ExportValueType::int16: return H5T_NATIVE_INT16;
    case ExportValueType::int32: return H5T_NATIVE_INT32;
    case ExportValueType::int64: return H5T_NATIVE_INT64;
  }
  throw InternalError("unknown export value type");
}

const char* type_name(ExportValueType t) {
  switch (t) {
    case ExportValueType::float32: return "float32";
    case ExportValueType::float64: return "float64";
    case ExportValueType::int16: return "int16";
    case ExportValueType::int32: return "int32";
    case ExportValueType::int64: return "int64";
  }
  return "?";
}

template <class F>
auto step(const exec::Comm& comm, F&& f) {
  return exec::agreed(comm, std::forward<F>(f));
}

h5::Handle make_group(hid_t parent, const char* name, const std::string& path) {
  const auto gcpl = detail::group_creation(path);
  return h5::Handle(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), path,
                    std::string("creating group ") + name);
}

h5::Handle open_dataset(hid_t parent, const std::string& name, const std::string& path) {
  const htri_t there = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  h5::check(there, path, "looking for " + name);
  if (there == 0) throw IoError(path, "dataset " + name + " is missing");
  return h5::Handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), path, "opening dataset " + name);
}

// A [streams, points] chunked dataset, allocated at creation, never filled
// (every element is written by exactly one unit).
h5::Handle create_grid(hid_t file, const std::string& name, hid_t type, const ExportGroupLayout& g,
                       const ExportIdentity& id, const std::string& path) {
  const hsize_t dims[2] = {g.streams.size(), static_cast<hsize_t>(g.points)};
  const hsize_t chunk[2] = {std::max<hsize_t>(1, std::min<hsize_t>(dims[0], static_cast<hsize_t>(id.chunk_streams))),
                            std::max<hsize_t>(1, std::min<hsize_t>(dims[1], static_cast<hsize_t>(id.chunk_time)))};
  const h5::Handle space(H5Screate_simple(2, dims, nullptr), path, "H5Screate_simple");
  const h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), path, "H5Pcreate");
  h5::check(H5Pset_chunk(dcpl.get(), 2, chunk), path, "H5Pset_chunk");
  h5::check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), path, "H5Pset_alloc_time");
  h5::check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), path, "H5Pset_fill_time");
  h5::check(H5Pset_obj_track_times(dcpl.get(), false), path, "H5Pset_obj_track_times");
  return h5::Handle(H5Dcreate2(file, name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), path,
                    "creating dataset " + name);
}

// A rank's share [first, first + count) of n elements split evenly over the ranks.
detail::Range share(const exec::Comm& comm, hsize_t n) {
  const auto p = static_cast<hsize_t>(comm.size()), r = static_cast<hsize_t>(comm.rank());
  const hsize_t first = n * r / p, last = n * (r + 1) / p;
  return {first, last - first};
}

struct Opened {
  std::vector<h5::Handle> values, mask;  // per group
  h5::Handle committed, provenance;
  hsize_t provenance_capacity = 0;
};

std::vector<std::int64_t> allgather_ids(const exec::Comm& comm, const std::vector<std::int64_t>& mine) {
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(comm.size()));
  exec::check_mpi(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.get()), "MPI_Allgather");
  std::vector<int> displs(counts.size(), 0);
  std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  std::vector<std::int64_t> all(static_cast<std::size_t>(displs.back() + counts.back()));
  exec::check_mpi(MPI_Allgatherv(mine.data(), count, MPI_INT64_T, all.data(), counts.data(), displs.data(),
                                 MPI_INT64_T, comm.get()),
                  "MPI_Allgatherv");
  return all;
}

}  // namespace

std::size_t value_size(ExportValueType type) noexcept {
  switch (type) {
    case ExportValueType::float32: return 4;
    case ExportValueType::float64: return 8;
    case ExportValueType::int16: return 2;
    case ExportValueType::int32: return 4;
    case ExportValueType::int64: return 8;
  }
  return 8;
}

std::int64_t ExportGroupLayout::time_of(std::int64_t i) const noexcept {
  const Int128 k = static_cast<Int128>(first_index) + i;
  const Int128 num = k * Int128{1'000'000'000'000'000'000};
  Int128 q = num / rate_nhz;
  if ((num % rate_nhz != 0) && (num < 0)) --q;  // floor
  return static_cast<std::int64_t>(anchor_ns + q);
}

void ExportGroupLayout::times(std::int64_t first, std::size_t n, std::int64_t* out) const noexcept {
  if (n == 0) return;
  // num_k = (first_index + first + k) * 10^18 grows by 10^18 = a * rate + b
  // per point; carry the floor quotient q and the remainder r in [0, rate).
  constexpr Int128 step = Int128{1'000'000'000'000'000'000};
  const Int128 num = (static_cast<Int128>(first_index) + first) * step;
  Int128 q = num / rate_nhz;
  if ((num % rate_nhz != 0) && (num < 0)) --q;  // floor
  std::int64_t r = static_cast<std::int64_t>(num - q * rate_nhz);
  const std::int64_t a = static_cast<std::int64_t>(step / rate_nhz), b = static_cast<std::int64_t>(step % rate_nhz);
  std::int64_t t = static_cast<std::int64_t>(anchor_ns + q);
  for (std::size_t k = 0; k < n; ++k) {
    out[k] = t;
    r += b;
    t += a;
    if (r >= rate_nhz) {
      r -= rate_nhz;
      ++t;
    }
  }
}

struct ExportFile::Impl {
  exec::Comm comm;
  std::string path, partial;
  std::vector<ExportGroupLayout> groups;
  std::vector<ExportPlace> units;
  ExportIdentity identity;
  std::vector<bool> committed;
  // The file before the datasets: members are destroyed in reverse order.
  h5::Handle file;
  Opened open;
  h5::Handle dxpl;
  bool finished = false;
  std::vector<std::byte> scratch_values;  ///< joined runs of an epoch, kept for the next
  std::vector<std::uint8_t> scratch_mask;
};

namespace {

void write_root(hid_t file, const std::vector<ExportGroupLayout>& groups, const ExportIdentity& id,
                const std::string& path) {
  using detail::write_attribute;
  write_attribute(file, "tsweep_format", std::string(export_format), path);
  write_attribute(file, "tsweep_format_version", export_version, path);
  write_attribute(file, "store_path", id.store_path, path);
  write_attribute(file, "store_uuid", id.store_uuid, path);
  write_attribute(file, "store_blocks", id.store_blocks, path);
  write_attribute(file, "store_streams", id.store_streams, path);
  write_attribute(file, "config", id.config, path);
  write_attribute(file, "method", id.method, path);
  write_attribute(file, "physical", std::int64_t{id.physical ? 1 : 0}, path);
  write_attribute(file, "dtype", std::string(type_name(id.dtype)), path);
  write_attribute(file, "plan_digest", id.plan_digest, path);
  std::vector<std::string> names;
  for (const auto& g : groups) names.push_back(g.name);
  write_attribute(file, "groups", names, path);
  write_attribute(file, "Conventions", std::string("CF-1.8"), path);
}

// Collective: a fixed-length string coordinate or variable over the stream dimension, written by rank 0.
h5::Handle write_strings(const exec::Comm& comm, hid_t file, const std::string& name,
                         const std::vector<std::string>& values, hid_t dxpl, const std::string& path) {
  std::size_t longest = 1;
  for (const auto& v : values) longest = std::max(longest, v.size());
  const auto type = detail::fixed_string_type(longest, path);
  const auto dcpl = detail::dataset_creation(path, detail::Fill::never);
  auto dataset = step(comm, [&] {
    return detail::create_column(file, name.c_str(), type.get(), values.size(), dcpl.get(), path);
  });
  std::vector<char> text(values.size() * longest, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) std::memcpy(text.data() + i * longest, values[i].data(), values[i].size());
  step(comm, [&] {
    std::vector<detail::Range> ranges;
    if (comm.is_root() && !values.empty()) ranges.push_back({0, values.size()});
    detail::write_ranges(dataset.get(), type.get(), ranges, text.data(), dxpl, path, "dataset " + name);
  });
  return dataset;
}

void build(const exec::Comm& comm, hid_t file, const std::vector<ExportGroupLayout>& groups,
           const std::vector<ExportPlace>& units, const ExportIdentity& id, hid_t dxpl, const std::string& path) {
  step(comm, [&] { write_root(file, groups, id, path); });
  const auto plain = detail::dataset_creation(path, detail::Fill::never);
  for (const auto& g : groups) {
    // Coordinates: dimension scales named like their datasets (netCDF-4: a coordinate variable).
    const std::string tname = "time_" + g.name, sname = "stream_" + g.name;
    const auto time = step(comm, [&] {
      auto d = detail::create_column(file, tname.c_str(), H5T_STD_I64LE, static_cast<hsize_t>(g.points), plain.get(), path);
      h5::check(H5DSset_scale(d.get(), tname.c_str()), path, "H5DSset_scale " + tname);
      detail::write_attribute(d.get(), "units", std::string(time_units), path);
      detail::write_attribute(d.get(), "calendar", std::string("proleptic_gregorian"), path);
      detail::write_attribute(d.get(), "long_name", std::string("sample time, ns since the Unix epoch (UTC)"), path);
      detail::write_attribute(d.get(), "rate_nhz", g.rate_nhz, path);
      detail::write_attribute(d.get(), "anchor_ns", g.anchor_ns, path);
      detail::write_attribute(d.get(), "first_index", g.first_index, path);
      return d;
    });
    step(comm, [&] {  // every rank computes and writes its share of the time points
      const detail::Range mine = share(comm, static_cast<hsize_t>(g.points));
      std::vector<std::int64_t> t(mine.count);
      g.times(static_cast<std::int64_t>(mine.first), t.size(), t.data());
      std::vector<detail::Range> ranges;
      if (mine.count > 0) ranges.push_back(mine);
      detail::write_ranges(time.get(), H5T_NATIVE_INT64, ranges, t.data(), dxpl, path, "dataset " + tname);
    });
    const auto stream = write_strings(comm, file, sname, g.streams, dxpl, path);
    step(comm, [&] {
      h5::check(H5DSset_scale(stream.get(), sname.c_str()), path, "H5DSset_scale " + sname);
      detail::write_attribute(stream.get(), "long_name", std::string("stream name"), path);
    });
    const auto unit = write_strings(comm, file, "unit_" + g.name, g.units, dxpl, path);
    step(comm, [&] {
      h5::check(H5DSattach_scale(unit.get(), stream.get(), 0), path, "H5DSattach_scale unit_" + g.name);
      detail::write_attribute(unit.get(), "long_name", std::string("physical unit of each stream's values"), path);
    });
    const auto ids = step(comm, [&] {
      return detail::create_column(file, ("store_id_" + g.name).c_str(), H5T_STD_I64LE, g.store_ids.size(), plain.get(), path);
    });
    step(comm, [&] {
      std::vector<detail::Range> ranges;
      if (comm.is_root() && !g.store_ids.empty()) ranges.push_back({0, g.store_ids.size()});
      detail::write_ranges(ids.get(), H5T_NATIVE_INT64, ranges, g.store_ids.data(), dxpl, path, "store_id_" + g.name);
      h5::check(H5DSattach_scale(ids.get(), stream.get(), 0), path, "H5DSattach_scale store_id_" + g.name);
      detail::write_attribute(ids.get(), "long_name", std::string("stream id in the store"), path);
    });
    for (const bool is_mask : {false, true}) {
      const std::string name = (is_mask ? "mask_" : "values_") + g.name;
      step(comm, [&] {
        const auto d = create_grid(file, name, is_mask ? H5T_STD_U8LE : file_value_type(id.dtype), g, id, path);
        h5::check(H5DSattach_scale(d.get(), stream.get(), 0), path, "H5DSattach_scale " + name);
        h5::check(H5DSattach_scale(d.get(), time.get(), 1), path, "H5DSattach_scale " + name);
        if (is_mask) {
          detail::write_attribute(d.get(), "long_name",
                                  std::string("1 where values_" + g.name + " holds data, 0 in gaps and outside the stream's span"),
                                  path);
        } else {
          detail::write_attribute(d.get(), "long_name",
                                  std::string(id.physical ? "physical values" : "raw stored values") + " on the " +
                                      g.name + " grid (method " + id.method + (g.native ? ", native rate" : "") + ")",
                                  path);
          detail::write_attribute(d.get(), "method", id.method, path);
          detail::write_attribute(d.get(), "physical", std::int64_t{id.physical ? 1 : 0}, path);
        }
      });
    }
  }
  // The commit record and the unit table, in a group of their own.
  const auto top = step(comm, [&] { return make_group(file, "tsweep", path); });
  const auto zero = detail::dataset_creation(path, detail::Fill::zero);
  const std::uint8_t fill = 0;
  h5::check(H5Pset_fill_value(zero.get(), H5T_NATIVE_UINT8, &fill), path, "H5Pset_fill_value");
  step(comm, [&] {
    const auto c = detail::create_column(top.get(), "committed", H5T_STD_U8LE, units.size(), zero.get(), path);
    detail::write_attribute(c.get(), "description",
                            std::string("1 once the unit's values and mask are written and flushed, else 0"), path);
  });
  auto table = [&](const char* name, auto get) {
    std::vector<std::int64_t> v(units.size());
    for (std::size_t i = 0; i < units.size(); ++i) v[i] = get(units[i]);
    const auto d = step(comm, [&] { return detail::create_column(top.get(), name, H5T_STD_I64LE, v.size(), plain.get(), path); });
    step(comm, [&] {
      std::vector<detail::Range> ranges;
      if (comm.is_root() && !v.empty()) ranges.push_back({0, v.size()});
      detail::write_ranges(d.get(), H5T_NATIVE_INT64, ranges, v.data(), dxpl, path, std::string("tsweep/") + name);
    });
  };
  table("unit_group", [](const ExportPlace& p) { return std::int64_t{p.group}; });
  table("unit_row", [](const ExportPlace& p) { return p.row; });
  table("unit_first", [](const ExportPlace& p) { return p.first; });
  table("unit_points", [](const ExportPlace& p) { return p.points; });
  const hsize_t capacity = detail::provenance_capacity(comm.size());
  step(comm, [&] {
    const auto d = detail::create_column(top.get(), "provenance", H5T_STD_U8LE, capacity, zero.get(), path);
    detail::write_attribute(d.get(), "description",
                            std::string("provenance of the last run that wrote this file: UTF-8 JSON, NUL-padded"), path);
  });
}

void check_identity(hid_t file, const ExportIdentity& id, const std::string& path) {
  auto refuse = [&](const std::string& why) {
    throw ConfigError(path + " " + why + "; rerun without --resume and with --force to start over");
  };
  if (!detail::has_attribute(file, "tsweep_format", path) ||
      detail::read_string_attribute(file, "tsweep_format", path) != export_format) {
    refuse("is not a tsweep export file");
  }
  const std::int64_t version = detail::read_int64_attribute(file, "tsweep_format_version", path);
  if (version != export_version) refuse("has export format version " + std::to_string(version));
  if (detail::read_string_attribute(file, "store_uuid", path) != id.store_uuid) refuse("was made from a different store");
  if (detail::read_int64_attribute(file, "store_blocks", path) != id.store_blocks ||
      detail::read_int64_attribute(file, "store_streams", path) != id.store_streams) {
    refuse("was made when the store held other blocks or streams");
  }
  const std::string config = detail::read_string_attribute(file, "config", path);
  if (config != id.config) refuse("was made from a different config (key " + detail::first_differing_key(config, id.config) + ")");
  if (detail::read_uint64_attribute(file, "plan_digest", path) != id.plan_digest) refuse("was made for a different plan");
}

void open_partial(ExportFile::Impl& m) {
  const std::string& name = m.partial;
  step(m.comm, [&] {
    if (m.comm.is_root() && !detail::is_tsweep_file(name, export_format)) {
      throw ConfigError(name + " is not a tsweep export file (empty, damaged or foreign); rerun without --resume and "
                               "with --force to start over");
    }
  });
  m.file = step(m.comm, [&] {
    const auto fapl = detail::parallel_access(m.comm.get(), name);
    return h5::Handle(H5Fopen(name.c_str(), H5F_ACC_RDWR, fapl.get()), name, "cannot be opened as an export file");
  });
  step(m.comm, [&] {
    check_identity(m.file.get(), m.identity, name);
    for (const auto& g : m.groups) {
      m.open.values.push_back(open_dataset(m.file.get(), "values_" + g.name, name));
      m.open.mask.push_back(open_dataset(m.file.get(), "mask_" + g.name, name));
    }
    m.open.committed = open_dataset(m.file.get(), "tsweep/committed", name);
    m.open.provenance = open_dataset(m.file.get(), "tsweep/provenance", name);
    const h5::Handle space(H5Dget_space(m.open.committed.get()), name, "H5Dget_space");
    if (H5Sget_simple_extent_npoints(space.get()) != static_cast<hssize_t>(m.units.size())) {
      throw IoError(name, "tsweep/committed does not have one entry per unit");
    }
    const h5::Handle pspace(H5Dget_space(m.open.provenance.get()), name, "H5Dget_space");
    m.open.provenance_capacity = static_cast<hsize_t>(H5Sget_simple_extent_npoints(pspace.get()));
    m.dxpl = detail::collective_transfer(name);
    // Every unit's chunks in one MPI-IO call (linked-chunk I/O), whatever HDF5's heuristic says.
    h5::check(H5Pset_dxpl_mpio_chunk_opt(m.dxpl.get(), H5FD_MPIO_CHUNK_ONE_IO), name, "H5Pset_dxpl_mpio_chunk_opt");
    std::vector<std::uint8_t> record(m.units.size());
    detail::read_all(m.open.committed.get(), H5T_NATIVE_UINT8, record.data(), m.dxpl.get(), name, "tsweep/committed");
    m.committed.assign(record.size(), false);
    for (std::size_t i = 0; i < record.size(); ++i) m.committed[i] = record[i] != 0;
  });
}

std::unique_ptr<ExportFile::Impl> make_impl(exec::Comm own, const std::string& path,
                                            const std::vector<ExportGroupLayout>& groups,
                                            const std::vector<ExportPlace>& units, const ExportIdentity& identity) {
  auto impl = std::make_unique<ExportFile::Impl>();
  impl->comm = std::move(own);
  impl->path = path;
  impl->partial = detail::partial_name(path);
  impl->groups = groups;
  impl->units = units;
  impl->identity = identity;
  return impl;
}

void refuse_store(const std::string& path, const std::string& store) {
  detail::refuse_store_paths(path, store, export_kind);
}

}  // namespace

ExportFile::ExportFile(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ExportFile::ExportFile(ExportFile&&) noexcept = default;
ExportFile& ExportFile::operator=(ExportFile&&) noexcept = default;
ExportFile::~ExportFile() = default;

ExportFile::State ExportFile::state(const exec::Comm& comm, const std::string& path, const std::string& store) {
  switch (detail::stage(comm, path, store, export_kind)) {
    case detail::Stage::none: return State::none;
    case detail::Stage::partial: return State::partial;
    case detail::Stage::complete: return State::complete;
  }
  return State::none;
}

ExportFile ExportFile::create(const exec::Comm& comm, const std::string& path,
                              const std::vector<ExportGroupLayout>& groups, const std::vector<ExportPlace>& units,
                              const ExportIdentity& identity, bool force) {
  h5::init_library();
  exec::Comm own = exec::Comm::duplicate(comm.get());
  step(own, [&] {
    if (!own.is_root()) return;
    refuse_store(path, identity.store_path);
    std::uint64_t needed = 1 << 20;
    for (const auto& g : groups) {
      needed += static_cast<std::uint64_t>(g.points) * (8 + g.streams.size() * (value_size(identity.dtype) + 1));
    }
    detail::prepare_paths(path, force, needed, export_kind);
  });
  detail::create_partial(own, path, export_kind, [&](hid_t file, hid_t dxpl, const std::string& name) {
    build(own, file, groups, units, identity, dxpl, name);
  });
  auto impl = make_impl(std::move(own), path, groups, units, identity);
  open_partial(*impl);
  return ExportFile(std::move(impl));
}

ExportFile ExportFile::resume(const exec::Comm& comm, const std::string& path,
                              const std::vector<ExportGroupLayout>& groups, const std::vector<ExportPlace>& units,
                              const ExportIdentity& identity) {
  h5::init_library();
  exec::Comm own = exec::Comm::duplicate(comm.get());
  step(own, [&] {
    if (!own.is_root()) return;
    refuse_store(path, identity.store_path);
    if (detail::exists(detail::partial_name(path))) return;
    throw ConfigError("no partial export at " + detail::partial_name(path) + " to resume; rerun without --resume");
  });
  auto impl = make_impl(std::move(own), path, groups, units, identity);
  open_partial(*impl);
  return ExportFile(std::move(impl));
}

const std::vector<bool>& ExportFile::committed() const {
  if (!m_impl) throw InternalError("ExportFile: use after move");
  return m_impl->committed;
}

bool ExportFile::write_epoch(const std::vector<FinishedExport>& mine) {
  if (!m_impl) throw InternalError("ExportFile: use after move");
  Impl& m = *m_impl;
  const std::size_t width = value_size(m.identity.dtype);
  step(m.comm, [&] {
    if (m.finished) throw InternalError("write_epoch: " + m.path + " is already finished");
    for (const auto& f : mine) {
      const std::string unit = "write_epoch: unit " + std::to_string(f.unit);
      if (f.unit < 0 || static_cast<std::size_t>(f.unit) >= m.units.size()) throw InternalError(unit + " is not in the plan");
      if (m.committed[static_cast<std::size_t>(f.unit)]) throw InternalError(unit + " is already committed");
      const auto points = static_cast<std::size_t>(m.units[static_cast<std::size_t>(f.unit)].points);
      if (f.mask.size() != points || f.values.size() != points * width) {
        throw InternalError(unit + " has " + std::to_string(f.mask.size()) + " points, the plan gives it " +
                            std::to_string(points));
      }
    }
  });
  std::vector<std::int64_t> ids;
  for (const auto& f : mine) ids.push_back(f.unit);
  std::vector<std::int64_t> all = allgather_ids(m.comm, ids);
  std::sort(all.begin(), all.end());
  step(m.comm, [&] {
    const auto twice = std::adjacent_find(all.begin(), all.end());
    if (twice != all.end()) throw InternalError("write_epoch: unit " + std::to_string(*twice) + " was given twice");
  });

  bool collective = true;
  auto note = [&](const detail::TransferMode& t) { collective = collective && t.collective; };
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [](std::chrono::steady_clock::time_point a) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
  };
  // Each rank's units of a group, in file order, with neighbours on a row
  // joined into one run. HDF5 1.10 maps an irregular selection (a union of
  // blocks) onto chunks element by element, which cost more than the write
  // itself; a single block it maps chunk by chunk. So the runs are written in
  // rounds, one block per rank per collective write (none where a rank has
  // fewer runs), as many rounds as the rank with the most runs has.
  struct Run {
    ExportPlace block;
    const std::byte* values = nullptr;  ///< a single unit's own buffers, or the joined copy in m.scratch
    const std::uint8_t* mask = nullptr;
  };
  std::vector<std::vector<Run>> runs(m.groups.size());
  // Joined runs are copied into buffers kept from epoch to epoch; a run of one
  // unit is written from the unit's buffers.
  std::size_t joined_points = 0;
  std::vector<std::vector<std::vector<const FinishedExport*>>> parts(m.groups.size());
  for (std::size_t g = 0; g < m.groups.size(); ++g) {
    std::vector<const FinishedExport*> order;
    for (const auto& f : mine) {
      if (m.units[static_cast<std::size_t>(f.unit)].group == static_cast<std::int32_t>(g)) order.push_back(&f);
    }
    auto place = [&](const FinishedExport* f) { return m.units[static_cast<std::size_t>(f->unit)]; };
    std::sort(order.begin(), order.end(), [&](const FinishedExport* a, const FinishedExport* b) {
      const ExportPlace pa = place(a), pb = place(b);
      return pa.row != pb.row ? pa.row < pb.row : pa.first < pb.first;
    });
    for (const auto* f : order) {
      const ExportPlace p = place(f);
      if (!runs[g].empty() && runs[g].back().block.row == p.row &&
          runs[g].back().block.first + runs[g].back().block.points == p.first) {
        runs[g].back().block.points += p.points;
        parts[g].back().push_back(f);
      } else {
        runs[g].push_back({p, f->values.data(), f->mask.data()});
        parts[g].push_back({f});
      }
    }
    for (std::size_t r = 0; r < runs[g].size(); ++r) {
      if (parts[g][r].size() > 1) joined_points += static_cast<std::size_t>(runs[g][r].block.points);
    }
  }
  if (m.scratch_mask.size() < joined_points) {
    m.scratch_values.resize(joined_points * width);
    m.scratch_mask.resize(joined_points);
  }
  std::size_t at = 0;
  for (std::size_t g = 0; g < m.groups.size(); ++g) {
    for (std::size_t r = 0; r < runs[g].size(); ++r) {
      if (parts[g][r].size() < 2) continue;
      runs[g][r].values = m.scratch_values.data() + at * width;
      runs[g][r].mask = m.scratch_mask.data() + at;
      for (const auto* f : parts[g][r]) {
        std::copy(f->values.begin(), f->values.end(), m.scratch_values.begin() + static_cast<std::ptrdiff_t>(at * width));
        std::copy(f->mask.begin(), f->mask.end(), m.scratch_mask.begin() + static_cast<std::ptrdiff_t>(at));
        at += f->mask.size();
      }
    }
  }
  std::vector<std::int64_t> rounds(m.groups.size());
  for (std::size_t g = 0; g < m.groups.size(); ++g) rounds[g] = static_cast<std::int64_t>(runs[g].size());
  exec::check_mpi(MPI_Allreduce(MPI_IN_PLACE, rounds.data(), static_cast<int>(rounds.size()), MPI_INT64_T, MPI_MAX,
                                m.comm.get()),
                  "MPI_Allreduce(export rounds)");
  for (std::size_t g = 0; g < m.groups.size(); ++g) {
    for (const bool is_mask : {false, true}) {
      const hid_t dataset = is_mask ? m.open.mask[g].get() : m.open.values[g].get();
      const std::string what = (is_mask ? "mask_" : "values_") + m.groups[g].name;
      const hid_t type = is_mask ? H5T_NATIVE_UINT8 : memory_value_type(m.identity.dtype);
      for (std::int64_t r = 0; r < rounds[g]; ++r) {
        const Run* run = r < static_cast<std::int64_t>(runs[g].size()) ? &runs[g][static_cast<std::size_t>(r)] : nullptr;
        const auto selection = step(m.comm, [&] {
          const h5::Handle shape(H5Dget_space(dataset), m.partial, "H5Dget_space");
          h5::Handle space(H5Scopy(shape.get()), m.partial, "H5Scopy");
          if (run == nullptr) {
            h5::check(H5Sselect_none(space.get()), m.partial, "H5Sselect_none");
          } else {
            const hsize_t start[2] = {static_cast<hsize_t>(run->block.row), static_cast<hsize_t>(run->block.first)};
            const hsize_t count[2] = {1, static_cast<hsize_t>(run->block.points)};
            h5::check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), m.partial,
                      "H5Sselect_hyperslab");
          }
          return space;
        });
        const void* data = run == nullptr ? nullptr
                           : is_mask      ? static_cast<const void*>(run->mask)
                                          : static_cast<const void*>(run->values);
        note(step(m.comm, [&] {
          return detail::write_selection(dataset, type, selection.get(), data, m.dxpl.get(), m.partial, what);
        }));
      }
    }
  }
  const double write_s = seconds(t0);
  const auto t1 = std::chrono::steady_clock::now();
  step(m.comm, [&] { h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.partial, "flushing values"); });
  const double flush_s = seconds(t1);
  exec::test_hooks::hold("export.commit", m.comm.rank());

  // Only now, with the values on disk, are the units marked committed.
  std::vector<detail::Range> ranges;
  for (const auto id : ids) ranges.push_back({static_cast<hsize_t>(id), 1});
  detail::merge_ranges(ranges);
  std::size_t ones_needed = 0;
  for (const auto& r : ranges) ones_needed += r.count;
  const std::vector<std::uint8_t> ones(ones_needed, 1);
  note(step(m.comm, [&] {
    return detail::write_ranges(m.open.committed.get(), H5T_NATIVE_UINT8, ranges, ones.data(), m.dxpl.get(), m.partial,
                                "tsweep/committed");
  }));
  step(m.comm, [&] { h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.partial, "flushing the commit record"); });
  for (const auto u : all) m.committed[static_cast<std::size_t>(u)] = true;
  spdlog::debug("{}: epoch of {} units: values and masks written in {:.3f} s, flushed in {:.3f} s, committed in {:.3f} s",
                m.partial, all.size(), write_s, flush_s, seconds(t1) - flush_s);
  int everywhere = collective ? 1 : 0;
  exec::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &everywhere, 1, MPI_INT, MPI_MIN, m.comm.get()), "MPI_Allreduce");
  return everywhere == 1;
}

void ExportFile::write_provenance(const std::string& json) {
  if (!m_impl) throw InternalError("ExportFile: use after move");
  Impl& m = *m_impl;
  const hsize_t capacity = m.open.provenance_capacity;
  std::vector<unsigned char> record;
  step(m.comm, [&] {
    if (!m.comm.is_root()) return;
    const std::string text = detail::fit_provenance(json, capacity);
    record.assign(capacity, 0);
    std::memcpy(record.data(), text.data(), std::min<std::size_t>(text.size(), capacity));
  });
  std::vector<detail::Range> ranges;
  if (m.comm.is_root() && capacity > 0) ranges.push_back({0, capacity});
  step(m.comm, [&] {
    detail::write_ranges(m.open.provenance.get(), H5T_NATIVE_UINT8, ranges, record.data(), m.dxpl.get(), m.partial,
                         "tsweep/provenance");
  });
  step(m.comm, [&] { h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.partial, "flushing provenance"); });
}

void ExportFile::finish() {
  if (!m_impl) throw InternalError("ExportFile: use after move");
  Impl& m = *m_impl;
  step(m.comm, [&] {
    const auto open = std::count(m.committed.begin(), m.committed.end(), false);
    if (open > 0) throw InternalError("finish: " + std::to_string(open) + " units of " + m.partial + " are not committed");
  });
  m.open = Opened{};
  m.dxpl.reset();
  detail::finish(m.comm, m.file, m.path);
  m.finished = true;
}

}  // namespace tsweep::output
