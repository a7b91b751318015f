#pragma once
/// \file
/// The life of an output file that all ranks write in committed epochs, shared
/// by the results file (`tsweep run`) and the export file (`tsweep export`):
/// built as `<path>.creating`, renamed to `<path>.partial` once its layout is
/// complete, renamed to `<path>` once every unit is committed. Rank-local
/// helpers (rank 0 calls them). Internal to the output layer.

#include <cstdint>
#include <string>

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

}  // namespace tsweep::output::detail
