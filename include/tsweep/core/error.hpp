#pragma once
/// \file
/// The tsweep error hierarchy and the process exit codes it maps to.

#include <cstdint>
#include <stdexcept>
#include <string>

/// Errors keep default visibility: an analysis plugin built with hidden
/// visibility throws them, and tsweep catches them by type.
#define TSWEEP_VISIBLE __attribute__((visibility("default")))

namespace tsweep {

/// Documented process exit codes (README.md, "Exit codes").
enum class ExitCode : int {
  ok = 0,
  internal = 1,        ///< a bug, an MPI/HDF5 failure we did not expect, or `verify` found bad blocks
  usage = 2,           ///< bad command line, config, input file, stream pattern
  busy = 73,           ///< the output is claimed by another live run (EX_CANTCREAT)
  stopped = 75,        ///< stopped by a signal after committing; rerun with --resume (EX_TEMPFAIL)
};

/// Base of every error tsweep throws on purpose. The message is one line that
/// names the file, key or value and what was expected.
class TSWEEP_VISIBLE Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, ExitCode code = ExitCode::internal)
      : std::runtime_error(what), m_code(code) {}
  [[nodiscard]] ExitCode exit_code() const noexcept { return m_code; }

 private:
  ExitCode m_code;
};

/// Bad command line or configuration: names the key and the value expected.
class TSWEEP_VISIBLE ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what) : Error(what, ExitCode::usage) {}
};

/// A file that cannot be opened, read, written, or is not what it should be.
/// Input problems (missing, foreign, truncated) exit 2; failures while writing
/// our own output are internal unless the caller says otherwise.
class TSWEEP_VISIBLE IoError : public Error {
 public:
  IoError(std::string path, const std::string& what, ExitCode code = ExitCode::usage)
      : Error(path.empty() ? what : path + ": " + what, code), m_path(std::move(path)) {}
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

 private:
  std::string m_path;
};

/// An encoded block that cannot be decoded. `block` is the block's index in its
/// store when known, or -1.
class TSWEEP_VISIBLE CodecError : public Error {
 public:
  explicit CodecError(const std::string& what, std::int64_t block = -1)
      : Error(block >= 0 ? "block " + std::to_string(block) + ": " + what : what, ExitCode::usage),
        m_block(block) {}
  [[nodiscard]] std::int64_t block() const noexcept { return m_block; }

 private:
  std::int64_t m_block;
};

/// A broken invariant inside tsweep: a bug.
class TSWEEP_VISIBLE InternalError : public Error {
 public:
  explicit InternalError(const std::string& what) : Error(what, ExitCode::internal) {}
};

/// Thrown on the ranks that did nothing wrong when another rank failed: they
/// exit quietly with the failing rank's code (see exec::agree).
class TSWEEP_VISIBLE PeerError : public Error {
 public:
  PeerError(const std::string& what, ExitCode code) : Error(what, code) {}
};

/// The run was stopped by a signal after committing its work.
class TSWEEP_VISIBLE StoppedError : public Error {
 public:
  explicit StoppedError(const std::string& what) : Error(what, ExitCode::stopped) {}
};

}  // namespace tsweep
