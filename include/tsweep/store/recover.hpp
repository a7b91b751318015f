#pragma once
/// \file
/// Recovering a store whose writer died without closing it (`tsweep recover`).
///
/// A writer that is killed leaves HDF5's "open for writing" marks in the
/// superblock, and with SWMR the superblock's end-of-allocation address is
/// the one written at open: HDF5's `h5clear -s` alone then truncates the
/// file to that address and every committed block is lost. Recovery clears
/// the marks and sets the end of allocation to the end of the file (what
/// `h5clear -s --increment=0` does), so every committed row stays, and then
/// checks that the committed stream table reads back.

#include <cstdint>
#include <string>

namespace tsweep::store {

struct RecoverReport {
  std::string path;
  bool was_marked = false;       ///< the superblock said a writer had it open
  std::uint64_t eoa_before = 0;  ///< end of allocation the superblock recorded (bytes)
  std::uint64_t file_bytes = 0;  ///< size of the file, kept whole
  std::int64_t streams = 0;      ///< committed, as read back after recovery
  std::int64_t blocks = 0;
  std::int64_t samples = 0;
};

/// Rank-local; serial. Throws IoError when the file is not a store, when a
/// live writer still holds it, or when the recovered file does not read back.
/// A store that is not marked open is left untouched (`was_marked` false).
RecoverReport recover(const std::string& path);

}  // namespace tsweep::store
