#pragma once
/// \file
/// The C++ side of tsweep.Store: a store::Reader (rank-local, sec2 driver,
/// SWMR when a live writer holds the store), called from Python. No MPI.
///
/// HDF5 is not thread-safe in this build, so every call into it, from any
/// store and any Python thread, holds one lock, with the GIL released so
/// that other Python threads go on meanwhile; decoding runs on threads of
/// its own, also without the GIL.

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "read.hpp"
#include "tsweep/store/reader.hpp"

namespace tsweep::python {

class StoreHandle {
 public:
  /// Opens `path`: tsweep.StoreError naming it if it is missing, not a store,
  /// of a version this library does not read, damaged or held by a writer.
  explicit StoreHandle(const std::string& path);
  ~StoreHandle();
  StoreHandle(const StoreHandle&) = delete;
  StoreHandle& operator=(const StoreHandle&) = delete;

  /// The stream table as columns (numpy arrays, lists of str for text).
  [[nodiscard]] pybind11::dict stream_table() const;
  /// Every stream's name, in id order.
  [[nodiscard]] pybind11::list names() const;
  /// The id of the stream named `name`, or None.
  [[nodiscard]] std::optional<std::int64_t> find(const std::string& name) const;
  /// Ids of the streams whose names match the shell pattern (as `streams:` in a job config), in id order.
  [[nodiscard]] std::vector<std::int64_t> match(const std::string& pattern) const;
  /// For each id a dict: `name`, `unit`, `values`, `times` (None unless
  /// wanted), `corrupt` (tuples of block, first_ns, last_ns, reason),
  /// `samples`; then a dict of what the read did (blocks, bytes, samples,
  /// index_seconds, read_decode_seconds: fetching and decoding, overlapped).
  [[nodiscard]] pybind11::tuple read(const std::vector<std::int64_t>& ids, std::int64_t begin, std::int64_t end,
                                     bool physical, bool times, int threads) const;
  /// SWMR: sees the blocks committed since open or the last refresh; true if anything grew.
  bool refresh();
  [[nodiscard]] pybind11::dict attributes(std::int64_t id) const;
  [[nodiscard]] pybind11::dict identity() const;
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }
  [[nodiscard]] bool swmr() const;
  [[nodiscard]] int format_version() const;
  [[nodiscard]] bool closed() const noexcept { return !m_reader; }
  /// Closes the file; later calls raise ValueError. Safe to call twice.
  void close() noexcept;

 private:
  /// The blocks of each stream in `range`, found under the HDF5 lock.
  [[nodiscard]] std::vector<StreamSelection> find_all(const std::vector<std::int64_t>& ids,
                                                      const TimeRange& range) const;
  /// decode() without the GIL, fetching under the HDF5 lock; adds the bytes fetched to `bytes`.
  [[nodiscard]] std::vector<StreamRead> decode_all(const std::vector<StreamSelection>& selections,
                                                   const std::vector<Buffers>& buffers, const ReadOptions& options,
                                                   std::size_t& bytes) const;
  /// ValueError once closed.
  void check_open() const;
  [[nodiscard]] const store::Reader& reader() const;
  void check_id(std::int64_t id) const;

  std::string m_path;
  std::optional<store::Reader> m_reader;
};

}  // namespace tsweep::python
