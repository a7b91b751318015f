#include "detail/probe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tsweep/core/error.hpp"

namespace tsweep::store::detail {
namespace {

constexpr std::array<char, 8> kSignature{'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};

// Offset of the HDF5 signature (0, 512, 1024, ...), or -1.
std::streamoff signature_at(std::ifstream& in) {
  for (std::streamoff at = 0; at <= (std::streamoff{1} << 30); at = at ? at * 2 : 512) {
    std::array<char, 8> head{};
    in.clear();
    in.seekg(at);
    if (!in.read(head.data(), head.size())) return -1;
    if (head == kSignature) return at;
  }
  return -1;
}

// The byte the writer lock covers: far beyond any real file size, so it can
// never meet a lock that HDF5 or MPI-IO might take on the data.
constexpr off_t kLockByte = off_t{1} << 62;

struct flock lock_request(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = kLockByte;
  l.l_len = 1;
  l.l_pid = 0;  // required for open-file-description locks
  return l;
}

}  // namespace

bool looks_like_hdf5(const std::string& path) noexcept {
  std::ifstream in(path, std::ios::binary);
  return in && signature_at(in) >= 0;
}

SuperblockStatus superblock_status(const std::string& path) noexcept {
  SuperblockStatus s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return s;
  const std::streamoff at = signature_at(in);
  if (at < 0) return s;
  // Version 2/3: signature (8), version (1), size of offsets (1), size of lengths (1), flags (1).
  std::array<unsigned char, 4> head{};
  in.clear();
  in.seekg(at + 8);
  if (!in.read(reinterpret_cast<char*>(head.data()), head.size())) return s;
  s.version = head[0];
  if (s.version >= 2) {
    s.found = true;
    s.flags = head[3];
  }
  return s;
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

bool writer_alive(const std::string& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock l = lock_request(F_WRLCK);
  const bool held = ::fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

WriterLock::WriterLock(const std::string& path) {
  m_fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (m_fd < 0) throw IoError(path, std::string("cannot open for writing: ") + std::strerror(errno));
  struct flock l = lock_request(F_WRLCK);
  if (::fcntl(m_fd, F_OFD_SETLK, &l) != 0) {
    const int err = errno;
    ::close(m_fd);
    m_fd = -1;
    if (err == EAGAIN || err == EACCES) {
      throw IoError(path, "another process is writing this store; one writer at a time");
    }
    // A file system without locks (some network mounts): go on unguarded, as HDF5 itself does.
  }
}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

WriterLock::~WriterLock() {
  if (m_fd >= 0) ::close(m_fd);  // closing the description releases the lock
}

}  // namespace tsweep::store::detail
