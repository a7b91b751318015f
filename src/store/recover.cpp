#include "tsweep/store/recover.hpp"

#include <filesystem>

#include "detail/layout.hpp"
#include "detail/probe.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/h5/h5.hpp"
#include "tsweep/store/reader.hpp"

namespace tsweep::store {
namespace {

// HDF5's file access property that h5clear sets to open a file whose
// consistency flags are set (H5F_ACS_CLEAR_STATUS_FLAGS_NAME in HDF5 1.10).
constexpr const char* kClearStatusFlags = "clear_status_flags";

void count_committed(RecoverReport& report) {
  const Reader reader = Reader::open(report.path, ReaderOptions{SwmrMode::off});
  for (const auto& s : reader.streams()) {
    ++report.streams;
    report.blocks += s.block_count;
    report.samples += s.sample_count;
  }
}

}  // namespace

RecoverReport recover(const std::string& path) {
  RecoverReport report;
  report.path = path;
  detail::check_is_hdf5(path);
  const detail::SuperblockStatus status = detail::superblock_status(path);
  if (!status.found) throw IoError(path, "has an HDF5 superblock older than version 2; it is not a tsweep store");
  report.was_marked = status.marked_open();
  if (!report.was_marked) {
    count_committed(report);
    return report;
  }
  if (detail::writer_alive(path)) {
    throw IoError(path, "a writer still has this store open; recover it only after that writer has gone");
  }
  // Held for the whole recovery, so no writer starts under it.
  const detail::WriterLock lock(path);
  report.file_bytes = std::filesystem::file_size(path);

  const h5::Handle fapl = detail::serial_fapl(path);
  if (H5Pexist(fapl.get(), kClearStatusFlags) <= 0) {
    throw InternalError("this HDF5 library has no '" + std::string(kClearStatusFlags) +
                        "' file access property; cannot clear a superblock's open marks");
  }
  hbool_t clear = true;
  h5::check(H5Pset(fapl.get(), kClearStatusFlags, &clear), path, "asking HDF5 to clear the open marks");
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), path, "cannot open the store to recover it");
  haddr_t eoa = 0;
  h5::check(H5Fget_eoa(file.get(), &eoa), path, "reading the end of allocation");
  report.eoa_before = eoa;
  // EOA := max(EOA, EOF): the file is not cut back to the address recorded at open.
  h5::check(H5Fincrement_filesize(file.get(), 0), path, "setting the end of allocation to the end of the file");
  file.close(path);

  const auto after = std::filesystem::file_size(path);
  if (after < report.file_bytes) {
    throw InternalError(path + ": recovery shrank the file from " + std::to_string(report.file_bytes) + " to " +
                        std::to_string(after) + " bytes");
  }
  if (detail::superblock_status(path).marked_open()) {
    throw IoError(path, "the superblock's open marks are still set after recovery");
  }
  count_committed(report);
  return report;
}

}  // namespace tsweep::store
