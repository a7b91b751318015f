#pragma once
// A quick look at a file before HDF5 opens it, so that a missing file, a
// folder or a file of another format gets a one-line reason, and so that a
// file that a writer holds (or held when it died) is recognised before HDF5
// trips over it.

#include <cstdint>
#include <string>

namespace tsweep::store::detail {

/// Throws IoError(path, ...) unless `path` is a readable regular file that
/// starts with the HDF5 signature (at 0, 512, 1024, ... as HDF5 allows).
void check_is_hdf5(const std::string& path);

/// True when `path` is a file that starts with the HDF5 signature.
bool looks_like_hdf5(const std::string& path) noexcept;

/// The file-consistency flags of an HDF5 superblock (format spec, version 2
/// and 3): bit 0 "open for writing", bit 2 "open for SWMR writing". A writer
/// sets them at open and clears them at close; one that was killed leaves
/// them set.
struct SuperblockStatus {
  bool found = false;  ///< a superblock of version >= 2 was read
  int version = -1;
  std::uint8_t flags = 0;
  [[nodiscard]] bool marked_open() const noexcept { return (flags & 0x05U) != 0; }
  [[nodiscard]] bool swmr_writer() const noexcept { return (flags & 0x04U) != 0; }
};
SuperblockStatus superblock_status(const std::string& path) noexcept;

/// Whether a live process holds the writer lock of a store (see WriterLock):
/// false when none does, whatever the superblock's flags say.
bool writer_alive(const std::string& path) noexcept;

/// An exclusive lock a store writer holds on the store's file for its whole
/// life: an open-file-description lock (fcntl F_OFD_SETLK) on a byte far
/// past any data, so HDF5's own flock() locking and readers are unaffected,
/// and the kernel releases it when the writer dies however it dies. It lets
/// `tsweep recover` and a second writer tell a live writer from a dead one.
class WriterLock {
 public:
  WriterLock() = default;
  /// Takes the lock; throws IoError naming the file when another live
  /// process holds it.
  explicit WriterLock(const std::string& path);
  WriterLock(WriterLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  WriterLock& operator=(WriterLock&& other) noexcept;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  ~WriterLock();

 private:
  int m_fd = -1;
};

}  // namespace tsweep::store::detail
