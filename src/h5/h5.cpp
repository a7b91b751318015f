#include "tsweep/h5/h5.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <vector>

#include "tsweep/core/error.hpp"
#include "tsweep/exec/session.hpp"

namespace tsweep::h5 {

namespace {
// Set once an H5Fclose failed: HDF5 1.10 then keeps an id whose file it has
// half destroyed, and closing the library (H5close, or HDF5's own hook in
// MPI_Finalize) dereferences it and crashes. Such a process leaves HDF5
// open at exit instead; its files were already given up.
std::atomic<bool> g_file_close_failed{false};
std::atomic<bool> g_started_before_mpi{false};

void close_library() {
  if (!g_file_close_failed) H5close();
}
}  // namespace

void start_before_mpi() {
  if (g_started_before_mpi.exchange(true)) return;
  // Started before MPI_Init, HDF5 hooks its shutdown neither into
  // MPI_Finalize nor (H5dont_atexit) into exit(): the session closes it
  // while MPI still runs, or, after a failed file close, leaves it be.
  H5dont_atexit();
  H5open();
  init_library();
  exec::before_finalize(close_library);
}

void init_library() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    // Whatever an error path left open is closed while MPI still works.
    exec::before_finalize(close_library);
    // Limits in bytes: regular, array and block free lists, global and per list.
    H5set_free_list_limits(1 << 20, 256 << 10, 4 << 20, 1 << 20, 16 << 20, 4 << 20);
  });
}

std::string error_stack_text() {
  std::vector<std::string> messages;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        auto* out = static_cast<std::vector<std::string>*>(data);
        if (e->desc && *e->desc) out->emplace_back(e->desc);
        return 0;
      },
      &messages);
  H5Eclear2(H5E_DEFAULT);
  std::string text;
  // Innermost first: the lowest-level cause is the most specific.
  for (std::size_t i = 0; i < messages.size() && i < 3; ++i) text += (i ? "; " : "") + messages[i];
  return text.empty() ? "HDF5 gave no reason" : text;
}

void check(herr_t status, const std::string& path, const std::string& what) {
  if (status < 0) throw IoError(path, what + " (" + error_stack_text() + ")");
}

namespace detail {
void close_id(hid_t id) noexcept {
  herr_t status = 0;
  switch (H5Iget_type(id)) {
    case H5I_FILE:
      status = H5Fclose(id);
      break;
    case H5I_GROUP:
      status = H5Gclose(id);
      break;
    case H5I_DATASET:
      status = H5Dclose(id);
      break;
    case H5I_DATASPACE:
      status = H5Sclose(id);
      break;
    case H5I_DATATYPE:
      status = H5Tclose(id);
      break;
    case H5I_ATTR:
      status = H5Aclose(id);
      break;
    case H5I_GENPROP_LST:
      status = H5Pclose(id);
      break;
    default:
      status = H5Idec_ref(id) < 0 ? -1 : 0;
      break;
  }
  if (status < 0) note_failed_close(id, error_stack_text());
}

void note_failed_close(hid_t id, const std::string& why) noexcept {
  if (H5Iget_type(id) == H5I_FILE || H5Iget_type(id) == H5I_BADID) g_file_close_failed = true;
  // While an error unwinds, the close failing too is expected and says nothing new.
  if (std::uncaught_exceptions() > 0) {
    spdlog::debug("closing HDF5 id {} failed: {}", static_cast<long long>(id), why);
  } else {
    spdlog::warn("closing HDF5 id {} failed: {}", static_cast<long long>(id), why);
  }
}
}  // namespace detail

Handle::Handle(hid_t id, const std::string& path, const std::string& what) : m_id(id) {
  if (id < 0) throw IoError(path, what + " (" + error_stack_text() + ")");
}

void Handle::close(const std::string& path) {
  if (m_id < 0) return;
  const hid_t id = std::exchange(m_id, H5I_INVALID_HID);
  const bool file = H5Iget_type(id) == H5I_FILE;
  herr_t status = file ? H5Fclose(id) : H5Idec_ref(id);
  if (status < 0) {
    if (file) g_file_close_failed = true;
    throw IoError(path, "closing failed (" + error_stack_text() + ")", ExitCode::internal);
  }
}

std::string library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace tsweep::h5
