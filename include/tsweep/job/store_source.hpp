#pragma once
/// \file
/// The block source of a real run: a store file, opened by every rank.

#include <memory>
#include <string>

#include "tsweep/job/block_source.hpp"
#include "tsweep/exec/comm.hpp"

namespace tsweep::job {

using exec::Comm;

/// Collective on `comm`: every rank opens the store at `path` read-only (in
/// SWMR read mode, so a store being appended can be analysed). Throws IoError
/// (exit 2) naming the file when it is missing or not a tsweep store.
std::unique_ptr<BlockSource> open_store_source(const Comm& comm, const std::string& path);

}  // namespace tsweep::job
