#pragma once
/// \file
/// The export file (`tsweep export`): selected streams on uniform time grids,
/// one dense [stream, time] dataset of values and one of validity per group of
/// streams, with time and stream-name coordinates as HDF5 dimension scales
/// (netCDF-4 conventions, so xarray's h5netcdf engine opens it). Written by
/// all ranks with MPI-IO collectives in committed epochs, like the results
/// file, and resumed from its commit record. Layout: src/output/EXPORT.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tsweep/exec/comm.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::output {

/// The values' type in the file.
enum class ExportValueType { float32, float64, int16, int32, int64 };
/// Bytes per value.
std::size_t value_size(ExportValueType type) noexcept;

/// One time grid and the streams on it: datasets `values_<name>`,
/// `mask_<name>`, coordinates `time_<name>` and `stream_<name>`.
struct ExportGroupLayout {
  std::string name;               ///< "500Hz", "0.5Hz": the rate, exactly
  std::int64_t rate_nhz = 0;      ///< grid rate
  std::int64_t anchor_ns = 0;     ///< time of grid index 0
  std::int64_t first_index = 0;   ///< grid index of the first time point
  std::int64_t points = 0;        ///< time points
  bool native = false;            ///< the streams' own rate (no resampling but for phase)
  std::vector<std::string> streams;  ///< names, row order
  std::vector<std::string> units;    ///< physical unit per stream ("" for raw values)
  std::vector<std::int64_t> store_ids;
  /// Time of point i (0 <= i < points): anchor_ns + floor((first_index + i) * 10^18 / rate_nhz).
  [[nodiscard]] std::int64_t time_of(std::int64_t i) const noexcept;
  /// out[k] = time_of(first + k) for k < n, with one 128-bit division instead of n.
  void times(std::int64_t first, std::size_t n, std::int64_t* out) const noexcept;
};

/// What identifies an export: it is only resumed from the same store, config and plan.
struct ExportIdentity {
  std::string store_path;
  std::string store_uuid;
  std::int64_t store_blocks = 0;
  std::int64_t store_streams = 0;
  std::string config;           ///< canonical YAML of the keys that shape the file (plan::JobConfig::export_key)
  std::string method;           ///< "nearest", "linear", "mean"
  bool physical = true;
  ExportValueType dtype = ExportValueType::float32;
  std::int64_t chunk_streams = 1;
  std::int64_t chunk_time = 65536;
  std::uint64_t plan_digest = 0;
};

/// Where each unit of the plan goes: group, row, first point and points.
struct ExportPlace {
  std::int32_t group = 0;
  std::int64_t row = 0;
  std::int64_t first = 0;   ///< first time point (column)
  std::int64_t points = 0;
};

/// A finished unit: its points' values (dtype, native byte order) and validity.
struct FinishedExport {
  std::int64_t unit = 0;
  std::vector<std::byte> values;   ///< points × value_size
  std::vector<std::uint8_t> mask;  ///< points: 1 where the value comes from data, 0 in gaps
};

class ExportFile {
 public:
  /// Collective on `comm`. Creates `<path>.partial` (built as `<path>.creating`)
  /// with every dataset allocated and the coordinates written. Refuses an
  /// existing `<path>` or `<path>.partial` unless `force` (which replaces only
  /// tsweep export files), the store's own path, a missing or read-only
  /// directory, too little room. Every rank throws, or none.
  static ExportFile create(const exec::Comm& comm, const std::string& path, const std::vector<ExportGroupLayout>& groups,
                           const std::vector<ExportPlace>& units, const ExportIdentity& identity, bool force);
  /// Collective on `comm`. Reopens `<path>.partial` after checking it was made
  /// for the same store, config and plan (ConfigError naming the difference).
  static ExportFile resume(const exec::Comm& comm, const std::string& path, const std::vector<ExportGroupLayout>& groups,
                           const std::vector<ExportPlace>& units, const ExportIdentity& identity);
  /// Collective on `comm`: none (nothing there), partial or complete, as rank 0 finds it.
  enum class State { none, partial, complete };
  static State state(const exec::Comm& comm, const std::string& path, const std::string& store);

  ExportFile(ExportFile&&) noexcept;
  ExportFile& operator=(ExportFile&&) noexcept;
  ~ExportFile();

  /// Rank-local: the commit record, the same on every rank.
  [[nodiscard]] const std::vector<bool>& committed() const;

  /// Collective: writes every rank's finished units into the values and mask
  /// datasets (one collective H5Dwrite per dataset; a rank with nothing still
  /// takes part), flushes, then marks them committed and flushes again.
  /// Returns whether every transfer was collective. Input is checked first on
  /// every rank (InternalError everywhere, nothing written, when wrong).
  bool write_epoch(const std::vector<FinishedExport>& mine);

  /// Collective: records provenance (JSON from rank 0).
  void write_provenance(const std::string& json);

  /// Collective: every unit committed; closes and renames `.partial` to `<path>`.
  void finish();

  struct Impl;  ///< opaque: the open file's state (export_file.cpp)

 private:
  explicit ExportFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace tsweep::output
