#include "tsweep/store/import/hdf5_dense.hpp"

#include <hdf5.h>

#include <fnmatch.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "detail/probe.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/h5/h5.hpp"

namespace tsweep::store::import {
namespace {

std::optional<double> number_attribute(hid_t obj, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (H5Aexists(obj, name) <= 0) continue;
    const h5::Handle a = h5::Handle::adopt(H5Aopen(obj, name, H5P_DEFAULT));
    const h5::Handle space = h5::Handle::adopt(H5Aget_space(a.get()));
    if (!a || H5Sget_simple_extent_npoints(space.get()) != 1) continue;
    double v = 0;
    if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) >= 0) return v;
  }
  H5Eclear2(H5E_DEFAULT);
  return std::nullopt;
}

std::string string_attribute(hid_t obj, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (H5Aexists(obj, name) <= 0) continue;
    const h5::Handle a = h5::Handle::adopt(H5Aopen(obj, name, H5P_DEFAULT));
    const h5::Handle type = h5::Handle::adopt(H5Aget_type(a.get()));
    if (!type || H5Tget_class(type.get()) != H5T_STRING) continue;
    if (H5Tis_variable_str(type.get()) > 0) {
      const h5::Handle mem = h5::Handle::adopt(H5Tcopy(H5T_C_S1));
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      char* text = nullptr;
      if (H5Aread(a.get(), mem.get(), &text) >= 0 && text) {
        std::string v(text);
        H5free_memory(text);
        return v;
      }
    } else {
      std::string v(H5Tget_size(type.get()), '\0');
      const h5::Handle mem = h5::Handle::adopt(H5Tcopy(type.get()));
      if (H5Aread(a.get(), mem.get(), v.data()) >= 0) return v.substr(0, v.find('\0'));
    }
  }
  H5Eclear2(H5E_DEFAULT);
  return {};
}

// The stored type of each HDF5 number type, and the native type to read it as.
std::pair<codec::SampleType, hid_t> map_type(hid_t type, const std::string& path, const std::string& dataset) {
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) {
    return size <= 4 ? std::pair{codec::SampleType::float32, H5T_NATIVE_FLOAT}
                     : std::pair{codec::SampleType::float64, H5T_NATIVE_DOUBLE};
  }
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    // Unsigned types go to the next wider signed type so every value fits.
    const std::size_t need = is_signed ? size : size * 2;
    if (need <= 2) return {codec::SampleType::int16, H5T_NATIVE_INT16};
    if (need <= 4) return {codec::SampleType::int32, H5T_NATIVE_INT32};
    if (need <= 8) return {codec::SampleType::int64, H5T_NATIVE_INT64};
  }
  throw IoError(path, "dataset " + dataset + " holds " + (cls == H5T_INTEGER ? "uint64" : "non-numeric") +
                          " values; tsweep stores int16/32/64 and float32/64");
}

// Shell patterns over dataset paths: '*', '?' and '[...]' never cross a '/'.
bool is_pattern(const std::string& dataset) {
  return dataset.find_first_of("*?[") != std::string::npos;
}

std::string absolute(const std::string& dataset) {
  return dataset.empty() || dataset[0] != '/' ? "/" + dataset : dataset;
}

// Every dataset of the file by each of its hard-link paths (absolute), in
// name order. Soft and external links are left out: they name nothing new,
// or name another file.
std::vector<std::string> dataset_paths(hid_t file, const std::string& path) {
  std::vector<std::string> out;
  const herr_t visited = H5Lvisit(
      file, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t group, const char* name, const H5L_info_t* info, void* data) -> herr_t {
        if (info->type != H5L_TYPE_HARD) return 0;
        const h5::Handle obj = h5::Handle::adopt(H5Oopen(group, name, H5P_DEFAULT));
        if (obj && H5Iget_type(obj.get()) == H5I_DATASET) {
          static_cast<std::vector<std::string>*>(data)->push_back(absolute(name));
        }
        return 0;
      },
      &out);
  h5::check(visited, path, "listing its datasets");
  H5Eclear2(H5E_DEFAULT);
  return out;
}

// The datasets that `wanted` names, in its order: a path as given, a
// pattern's matches in name order; each dataset once.
std::vector<std::string> chosen_datasets(hid_t file, const std::string& path, const std::vector<std::string>& wanted) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::optional<std::vector<std::string>> all;
  for (const auto& w : wanted) {
    if (!is_pattern(w)) {
      if (H5Lexists(file, w.c_str(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw ConfigError(path + ": has no dataset '" + w + "' (--dataset)");
      }
      if (seen.insert(absolute(w)).second) out.push_back(w);
      continue;
    }
    if (!all) all = dataset_paths(file, path);
    const std::string pattern = absolute(w);
    bool matched = false;
    for (const auto& d : *all) {
      if (fnmatch(pattern.c_str(), d.c_str(), FNM_PATHNAME) != 0) continue;
      matched = true;
      if (seen.insert(d).second) out.push_back(d);
    }
    if (!matched) throw ConfigError(path + ": no dataset matches '" + w + "' (--dataset)");
  }
  return out;
}

// One dataset's streams, appended to `out`.
void read_dataset(hid_t file, const std::string& path, const std::string& dataset, const DenseOptions& o,
                  ImportedFile& out) {
  const h5::Handle dset(H5Dopen2(file, dataset.c_str(), H5P_DEFAULT), path, dataset + " is not a dataset");
  const h5::Handle space(H5Dget_space(dset.get()), path, "reading the shape of " + dataset);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  hsize_t dims[2] = {0, 1};
  if (rank < 1 || rank > 2)
    throw IoError(path, dataset + " has " + std::to_string(rank) +
                            " dimensions; 1 (one stream) or 2 (samples x channels) are imported");
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const h5::Handle ftype(H5Dget_type(dset.get()), path, "reading the type of " + dataset);
  const auto [type, native] = map_type(ftype.get(), path, dataset);
  const std::size_t size = codec::sample_size(type);
  const hsize_t n = dims[0], channels = rank == 2 ? dims[1] : 1;
  std::vector<std::byte> all(static_cast<std::size_t>(n * channels) * size);
  if (!all.empty())
    h5::check(H5Dread(dset.get(), native, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()), path, "reading " + dataset);

  const std::string base = std::filesystem::path(dataset).filename().string();
  const std::string prefix = o.prefix.empty() ? file_stem(path) : o.prefix;
  const std::string unit = o.unit.empty() ? string_attribute(dset.get(), {"unit", "units"}) : o.unit;
  const double scale = o.scale ? *o.scale : number_attribute(dset.get(), {"scale_factor", "scale"}).value_or(1.0);
  const double offset = o.offset ? *o.offset : number_attribute(dset.get(), {"add_offset", "offset"}).value_or(0.0);
  for (hsize_t c = 0; c < channels; ++c) {
    ImportedSignal sig;
    sig.spec.name = fit(prefix + "/" + base + (rank == 2 ? "_" + std::to_string(c) : ""), kMaxNameBytes);
    sig.spec.unit = fit(clean_text(unit), kMaxUnitBytes);
    sig.spec.type = type;
    sig.spec.scale = scale;
    sig.spec.offset = offset;
    sig.spec.rate_nhz = o.rate_nhz;
    sig.spec.attributes = {{"source_format", "HDF5 array"},
                           {"source_file", fit(std::filesystem::path(path).filename().string(), kMaxAttrValueBytes)},
                           {"dataset", fit(dataset, kMaxAttrValueBytes)}};
    if (rank == 2) sig.spec.attributes.emplace_back("column", std::to_string(c));
    Series& s = sig.series;
    s.type = type;
    s.rate_nhz = o.rate_nhz;
    s.values.resize(static_cast<std::size_t>(n) * size);
    for (hsize_t i = 0; i < n; ++i) {
      std::memcpy(s.values.data() + i * size, all.data() + (i * channels + c) * size, size);
    }
    if (n > 0) s.segments.push_back({*o.start_ns, 0, static_cast<std::int64_t>(n)});
    out.signals.push_back(std::move(sig));
  }
}

}  // namespace

ImportedFile read_hdf5_dense(const std::string& path, const DenseOptions& o) {
  if (o.datasets.empty()) throw ConfigError(path + ": an HDF5 input needs --dataset PATH (the arrays to import)");
  if (!codec::is_regular_rate(o.rate_nhz)) throw ConfigError(path + ": an HDF5 input needs --rate HZ");
  if (!o.start_ns) throw ConfigError(path + ": an HDF5 input needs --start TIME (ISO-8601)");
  detail::check_is_hdf5(path);
  h5::init_library();
  const h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "cannot open");
  ImportedFile out;
  out.path = path;
  out.format = "hdf5";
  std::map<std::string, std::string> made_by;  // stream name -> dataset
  for (const auto& dataset : chosen_datasets(file.get(), path, o.datasets)) {
    const std::size_t first = out.signals.size();
    read_dataset(file.get(), path, dataset, o, out);
    for (std::size_t i = first; i < out.signals.size(); ++i) {
      const auto [it, added] = made_by.emplace(out.signals[i].spec.name, dataset);
      if (!added) {
        throw ConfigError(path + ": datasets " + it->second + " and " + dataset + " both make stream '" + it->first +
                          "'; ingest them in separate calls with --prefix");
      }
    }
  }
  return out;
}

}  // namespace tsweep::store::import
