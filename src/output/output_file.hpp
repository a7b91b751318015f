#pragma once
/// \file
/// The life of an output file that all ranks write in committed epochs, shared
/// by the results file (`tsweep run`) and the export file (`tsweep export`):
/// built as `<path>.creating`, renamed to `<path>.partial` once its layout is
/// complete, renamed to `<path>` once every unit is committed. The path
/// helpers are rank-local (rank 0 calls them); state(), create_partial() and
/// finish() are collective. Internal to the output layer.

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <string>

#include "tsweep/exec/comm.hpp"
#include "tsweep/h5/h5.hpp"

namespace tsweep::output::detail {

/// What kind of output a path is meant to hold, for checks and messages.
struct OutputKind {
  const char* format;    ///< root attribute tsweep_format ("results", "export")
  const char* noun;      ///< "results file", "export file"
  const char* key;       ///< the config key naming it ("output", "export.output")
  const char* contents;  ///< "results", "export": what "needs about N GiB"
  const char* smaller;   ///< how to make it smaller ("a wider window")
};

inline std::string partial_name(const std::string& path) { return path + ".partial"; }
/// Where a new file is built; it becomes `.partial` only once complete and
/// flushed, so a `.partial` always opens, however a run was stopped.
inline std::string creating_name(const std::string& path) { return path + ".creating"; }

/// Whether `path` exists (as anything, a dangling link too). IoError when it cannot be examined.
bool exists(const std::string& path);
/// Removes `path`; IoError naming it when that fails.
void remove_file(const std::string& path);
/// True when `path` is an HDF5 file whose root attribute tsweep_format is
/// `format`: the only kind --force replaces.
bool is_tsweep_file(const std::string& path, const char* format);
/// A path that is (or links to) the run's store may never be written, removed
/// or replaced, whatever the flags: ConfigError naming the key.
void refuse_store_path(const std::string& path, const std::string& store, const OutputKind& kind);
/// The output's directory must be writable, an existing output is only
/// replaced with `force` (and only a tsweep file of this kind), and the
/// `needed` bytes must fit the file system and the file size limit. Removes
/// what `force` replaces and a `.creating` left by a killed run.
void prepare_paths(const std::string& path, bool force, std::uint64_t needed, const OutputKind& kind);
/// refuse_store_path() for `path` and its `.partial` and `.creating` names.
void refuse_store_paths(const std::string& path, const std::string& store, const OutputKind& kind);

/// Where an output stands, as `--resume` sees it.
enum class Stage { none, partial, complete };
/// Collective on `comm`: rank 0 looks (refusing the store's path), all get its answer.
Stage stage(const exec::Comm& comm, const std::string& path, const std::string& store, const OutputKind& kind);

/// Collective on `comm`: builds `<path>.creating` with `build(file, dxpl,
/// name)` (a parallel-access file and a collective transfer list), flushes
/// and closes it, and renames it to `<path>.partial`. On failure nothing is
/// left behind (the `.creating` is removed) and every rank throws. The test
/// hold point `<kind.format>.create` sits between the flush and the close.
void create_partial(const exec::Comm& comm, const std::string& path, const OutputKind& kind,
                    const std::function<void(hid_t file, hid_t dxpl, const std::string& name)>& build);

/// Collective on `comm`: closes `file` (the `.partial` of `path`; every other
/// handle into it must be closed already) and renames it to `path` on rank 0.
void finish(const exec::Comm& comm, h5::Handle& file, const std::string& path);

}  // namespace tsweep::output::detail
