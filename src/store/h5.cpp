#include "tsweep/store/h5.hpp"

#include <spdlog/spdlog.h>

#include <mutex>
#include <vector>

#include "tsweep/core/error.hpp"

namespace tsweep::h5 {

void init_library() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
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
  if (status < 0) spdlog::warn("closing HDF5 id {} failed: {}", static_cast<long long>(id), error_stack_text());
}
}  // namespace detail

Handle::Handle(hid_t id, const std::string& path, const std::string& what) : m_id(id) {
  if (id < 0) throw IoError(path, what + " (" + error_stack_text() + ")");
}

void Handle::close(const std::string& path) {
  if (m_id < 0) return;
  const hid_t id = std::exchange(m_id, H5I_INVALID_HID);
  herr_t status = H5Iget_type(id) == H5I_FILE ? H5Fclose(id) : H5Idec_ref(id);
  if (status < 0) throw IoError(path, "closing failed (" + error_stack_text() + ")", ExitCode::internal);
}

std::string library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace tsweep::h5
