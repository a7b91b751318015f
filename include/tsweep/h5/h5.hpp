#pragma once
/// \file
/// RAII over HDF5 ids and HDF5's error stack, shared by the store and output
/// layers (the only layers that include hdf5.h).

#include <hdf5.h>

#include "tsweep/h5/library.hpp"

#include <string>
#include <utility>

namespace tsweep::h5 {

/// Once per process, before any other HDF5 call of tsweep's: turns HDF5's
/// automatic error printing off (errors become exceptions carrying the error
/// stack's text) and caps HDF5's internal free lists, which otherwise keep
/// every buffer a read ever used (hundreds of MiB over a long run).
void init_library() noexcept;

/// The innermost messages of the current HDF5 error stack, one line.
std::string error_stack_text();

/// Throws IoError(path, what + HDF5's reason) when `status` is negative.
void check(herr_t status, const std::string& path, const std::string& what);

namespace detail {
/// Closes any kind of id (file, group, dataset, ...) with the matching H5?close; logs a failure.
void close_id(hid_t id) noexcept;
/// Logs a failed close of `id` (at debug level while an exception unwinds)
/// and, for a file, remembers it: see start_before_mpi().
void note_failed_close(hid_t id, const std::string& why) noexcept;
}  // namespace detail

/// A move-only owned HDF5 id. Destruction never throws; `close()` does, for
/// callers that must know their write reached the file.
class Handle {
 public:
  Handle() noexcept = default;
  /// Takes ownership of `id`; throws IoError(path, what) if `id` is invalid (< 0).
  Handle(hid_t id, const std::string& path, const std::string& what);
  /// Takes ownership without checking (for ids known to be valid).
  static Handle adopt(hid_t id) noexcept {
    Handle h;
    h.m_id = id;
    return h;
  }
  Handle(Handle&& other) noexcept : m_id(std::exchange(other.m_id, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      m_id = std::exchange(other.m_id, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  [[nodiscard]] hid_t get() const noexcept { return m_id; }
  [[nodiscard]] bool valid() const noexcept { return m_id >= 0; }
  explicit operator bool() const noexcept { return valid(); }
  /// Closes now and throws IoError(path, ...) on failure.
  void close(const std::string& path);
  void reset() noexcept {
    if (m_id >= 0) detail::close_id(m_id);
    m_id = H5I_INVALID_HID;
  }

 private:
  hid_t m_id = H5I_INVALID_HID;
};

/// "1.10.8": the HDF5 library this process runs with.
std::string library_version();

}  // namespace tsweep::h5
