#pragma once
/// \file
/// The HDF5 building blocks of the results file: property lists for parallel
/// access, attributes, and collective writes of row ranges. Internal to the
/// output layer (src/output); the public API is tsweep/output/results.hpp.

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/h5/h5.hpp"

namespace tsweep::output::detail {

/// Objects of at least this size start on a multiple of it: one stripe of a
/// typical Lustre/GPFS layout, so a column's collective writes do not straddle
/// stripes that belong to the previous object.
inline constexpr hsize_t alignment_bytes = hsize_t{1} << 20;

/// File access for every rank of `comm`: MPI-IO driver, collective metadata
/// reads and writes, stripe alignment, default (earliest) library version so a
/// killed writer leaves no "file is open" flag behind. Rank-local.
h5::Handle parallel_access(MPI_Comm comm, const std::string& path);

/// Group creation without timestamps (reproducible metadata). Rank-local.
h5::Handle group_creation(const std::string& path);

/// How a dataset's storage starts out.
enum class Fill {
  never,  ///< not written at allocation: every element is written before it counts (commit record or create)
  zero,   ///< zero-filled at allocation
};

/// Contiguous dataset creation, allocated when created, without timestamps. Rank-local.
h5::Handle dataset_creation(const std::string& path, Fill fill);

/// A collective MPI-IO transfer property list. Rank-local.
h5::Handle collective_transfer(const std::string& path);

/// Scalar attributes. Writing is a metadata operation: collective on the
/// file's communicator (every rank passes the same value).
void write_attribute(hid_t object, const char* name, const std::string& value, const std::string& path);
void write_attribute(hid_t object, const char* name, std::int64_t value, const std::string& path);
void write_attribute(hid_t object, const char* name, std::uint64_t value, const std::string& path);
void write_attribute(hid_t object, const char* name, double value, const std::string& path);
/// Array attributes: `values` as `rows` x `columns` (columns 1: a 1-D array).
void write_attribute(hid_t object, const char* name, const std::vector<double>& values, hsize_t columns,
                     const std::string& path);
void write_attribute(hid_t object, const char* name, const std::vector<std::string>& values, const std::string& path);

/// Reading attributes: collective (collective metadata reads). IoError naming
/// the attribute when it is missing or of another kind.
bool has_attribute(hid_t object, const char* name, const std::string& path);
std::string read_string_attribute(hid_t object, const char* name, const std::string& path);
std::int64_t read_int64_attribute(hid_t object, const char* name, const std::string& path);
std::uint64_t read_uint64_attribute(hid_t object, const char* name, const std::string& path);

/// A fixed-length, NUL-padded UTF-8 string type of `length` bytes. Rank-local.
h5::Handle fixed_string_type(std::size_t length, const std::string& path);

/// A 1-D dataset of `size` elements of `file_type` under `parent`. Collective.
h5::Handle create_column(hid_t parent, const char* name, hid_t file_type, hsize_t size, hid_t dcpl,
                         const std::string& path);

/// A 2-D dataset of `rows` x `width` elements (width 1: a 1-D column). Collective.
h5::Handle create_matrix(hid_t parent, const char* name, hid_t file_type, hsize_t rows, hsize_t width, hid_t dcpl,
                         const std::string& path);

/// Opens `parent/name` and checks that it is 1-D with `size` elements (or,
/// with `width` > 1, 2-D of `size` x `width`). Collective.
h5::Handle open_column(hid_t parent, const std::string& name, hsize_t size, const std::string& path, hsize_t width = 1);

/// A run of consecutive elements of a 1-D dataset.
struct Range {
  hsize_t first = 0;
  hsize_t count = 0;
};

/// Sorts `ranges` by first element and merges the adjacent ones.
void merge_ranges(std::vector<Range>& ranges);

/// How one transfer went, as HDF5 reports it after the fact.
struct TransferMode {
  bool collective = true;          ///< actual I/O mode was collective on this rank
  std::uint32_t global_cause = 0;  ///< H5Pget_mpio_no_collective_cause, all ranks' causes
};

/// Rank-local: a copy of `dataset`'s dataspace with `ranges` (sorted, disjoint)
/// of its rows selected (every column of them, for a 2-D dataset), or nothing when `ranges` is empty. Built by pairwise unions, so
/// O(n log n) in the number of ranges: OR-ing them in one at a time is
/// quadratic in HDF5 1.10 (minutes for 10^5 ranges).
h5::Handle select_ranges(hid_t dataset, const std::vector<Range>& ranges, const std::string& path);

/// Collective on the file's communicator (every rank calls it; a rank with
/// nothing passes an empty selection). Writes `buffer`, the selected elements
/// packed in ascending file order, into the selection `file_space` of
/// `dataset` with the collective `dxpl`. Returns HDF5's account of the
/// transfer; throws IoError naming `what` if it failed.
TransferMode write_selection(hid_t dataset, hid_t mem_type, hid_t file_space, const void* buffer, hid_t dxpl,
                             const std::string& path, const std::string& what);

/// Collective: select_ranges, then write_selection.
TransferMode write_ranges(hid_t dataset, hid_t mem_type, const std::vector<Range>& ranges, const void* buffer,
                          hid_t dxpl, const std::string& path, const std::string& what);

/// Collective: reads the whole 1-D `dataset` into `out` (which must have room) on every rank.
void read_all(hid_t dataset, hid_t mem_type, void* out, hid_t dxpl, const std::string& path, const std::string& what);

}  // namespace tsweep::output::detail
