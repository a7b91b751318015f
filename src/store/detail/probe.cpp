#include "detail/probe.hpp"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tsweep/core/error.hpp"

namespace tsweep::store::detail {

bool looks_like_hdf5(const std::string& path) noexcept {
  static constexpr std::array<char, 8> kSignature{'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  for (std::streamoff at = 0; at <= (std::streamoff{1} << 30); at = at ? at * 2 : 512) {
    std::array<char, 8> head{};
    in.seekg(at);
    if (!in.read(head.data(), head.size())) return false;
    if (head == kSignature) return true;
  }
  return false;
}

void check_is_hdf5(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw IoError(path, "does not exist");
  if (fs::is_directory(status)) throw IoError(path, "is a directory, not a store file");
  if (!std::ifstream(path, std::ios::binary)) throw IoError(path, "cannot be read (permission denied?)");
  if (fs::file_size(path, ec) == 0) throw IoError(path, "is empty, not a store");
  if (!looks_like_hdf5(path)) throw IoError(path, "is not an HDF5 file (a tsweep store)");
}

}  // namespace tsweep::store::detail
