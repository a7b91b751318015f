#include "output_file.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "hdf5_io.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/hold.hpp"

namespace tsweep::output::detail {

namespace fs = std::filesystem;

bool exists(const std::string& path) {
  std::error_code ec;
  const bool there = fs::exists(fs::symlink_status(path, ec));
  if (ec && ec != std::errc::no_such_file_or_directory) throw IoError(path, "cannot be examined: " + ec.message());
  return there;
}

void remove_file(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw IoError(path, "cannot be removed: " + ec.message());
}

bool is_tsweep_file(const std::string& path, const char* format) {
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  const h5::Handle file = h5::Handle::adopt(id);
  try {
    return detail::has_attribute(file.get(), "tsweep_format", path) &&
           detail::read_string_attribute(file.get(), "tsweep_format", path) == format;
  } catch (const Error&) {
    return false;
  }
}

void refuse_store_path(const std::string& path, const std::string& store, const OutputKind& kind) {
  std::error_code ec;
  if (!store.empty() && fs::exists(path, ec) && fs::equivalent(path, store, ec)) {
    throw ConfigError(std::string(kind.key) + ": " + path + " is the run's store " + store +
                      "; choose another path for the " + kind.noun);
  }
}

namespace {
void remove_tsweep_file(const std::string& path, const OutputKind& kind) {
  if (!is_tsweep_file(path, kind.format)) {
    throw ConfigError(path + " exists and is not a tsweep " + kind.noun + "; --force replaces only " + kind.format +
                      " files: move it away or choose another output");
  }
  remove_file(path);
}

std::string gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(1ULL << 30));
  return text;
}

// Rank-local (rank 0): an output is allocated in full when it is
// created, so a plan that cannot fit is refused before anything is written
// (a full disk or a file-size limit met halfway through leaves nothing good).
void check_room(const std::string& path, std::uint64_t needed, const OutputKind& kind) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::uint64_t freed = 0;  // what --force would remove first
  for (const std::string& p : {path, partial_name(path)}) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) freed += fs::file_size(p, ec);
  }
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) == 0) {
    const std::uint64_t available = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize + freed;
    if (needed > available) {
      throw IoError(path, std::string("the ") + kind.contents + " need about " + gib(needed) + " but the file system of " +
                              dir.string() + " has " + gib(available) + " free; free space, choose another output, or " +
                              kind.smaller);
    }
  }
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && needed > limit.rlim_cur) {
    throw IoError(path, std::string("the ") + kind.contents + " need about " + gib(needed) +
                            ", more than this process's file size limit (" + gib(limit.rlim_cur) + ", ulimit -f)");
  }
}
}  // namespace

void prepare_paths(const std::string& path, bool force, std::uint64_t needed, const OutputKind& kind) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw IoError(path, std::string("cannot create the ") + kind.noun + ": directory " + dir.string() + " does not exist");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw IoError(path, std::string("cannot create the ") + kind.noun + ": directory " + dir.string() + " is not writable");
  }
  const std::string partial = partial_name(path);
  const bool done = exists(path);
  const bool started = exists(partial);
  if (!force && started) {
    throw ConfigError(partial + " exists (an unfinished run); pass --resume to continue it or --force to start over");
  }
  if (!force && done) throw ConfigError(path + " exists; pass --force to overwrite it");
  check_room(path, needed, kind);
  if (done) remove_tsweep_file(path, kind);
  if (started) remove_tsweep_file(partial, kind);
  // A half-built file of an earlier run (it need not open yet).
  if (exists(creating_name(path))) remove_file(creating_name(path));
}

void refuse_store_paths(const std::string& path, const std::string& store, const OutputKind& kind) {
  for (const std::string& p : {path, partial_name(path), creating_name(path)}) refuse_store_path(p, store, kind);
}

Stage stage(const exec::Comm& comm, const std::string& path, const std::string& store, const OutputKind& kind) {
  int s = 0;
  exec::agreed(comm, [&] {
    if (!comm.is_root()) return;
    refuse_store_paths(path, store, kind);
    s = exists(path) ? static_cast<int>(Stage::complete)
        : exists(partial_name(path)) ? static_cast<int>(Stage::partial)
                                     : static_cast<int>(Stage::none);
  });
  exec::check_mpi(MPI_Bcast(&s, 1, MPI_INT, 0, comm.get()), "MPI_Bcast(output stage)");
  return static_cast<Stage>(s);
}

void create_partial(const exec::Comm& comm, const std::string& path, const OutputKind& kind,
                    const std::function<void(hid_t file, hid_t dxpl, const std::string& name)>& build) {
  const std::string creating = creating_name(path);
  try {
    const auto fapl = parallel_access(comm.get(), creating);
    h5::Handle file = exec::agreed(comm, [&] {
      return h5::Handle(H5Fcreate(creating.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), creating,
                        std::string("cannot create the ") + kind.noun);
    });
    const auto dxpl = exec::agreed(comm, [&] { return collective_transfer(creating); });
    build(file.get(), dxpl.get(), creating);
    exec::agreed(comm, [&] {
      h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), creating, std::string("flushing the new ") + kind.noun);
    });
    exec::test_hooks::hold((std::string(kind.format) + ".create").c_str(), comm.rank());
    exec::agreed(comm, [&] { file.close(creating); });
  } catch (...) {
    // Every rank is here (the failure was agreed) and has closed the file:
    // leave nothing behind, least of all a huge sparse file of a plan that failed.
    if (comm.is_root() && exists(creating)) {
      std::error_code ec;
      fs::remove(creating, ec);
    }
    throw;
  }
  exec::agreed(comm, [&] {
    if (!comm.is_root()) return;
    std::error_code ec;
    fs::rename(creating, partial_name(path), ec);
    if (ec) throw IoError(creating, "cannot be renamed to " + partial_name(path) + ": " + ec.message());
  });
}

void finish(const exec::Comm& comm, h5::Handle& file, const std::string& path) {
  const std::string partial = partial_name(path);
  exec::agreed(comm, [&] { file.close(partial); });
  exec::agreed(comm, [&] {
    if (!comm.is_root()) return;
    std::error_code ec;
    fs::rename(partial, path, ec);
    if (ec) throw IoError(partial, "cannot be renamed to " + path + ": " + ec.message());
  });
}


}  // namespace tsweep::output::detail
