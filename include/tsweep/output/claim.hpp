#pragma once
/// \file
/// One writer per output: a run holds an exclusive claim on its results path,
/// a lock file `<output>.lock` beside it that says who holds it (host, pid,
/// batch job), created atomically, refreshed while the run lives, released on
/// every exit path, and recognised as stale when its holder is gone.
///
/// Creation is `link(2)` of a uniquely named file onto the lock's name: atomic
/// on local file systems and on NFS (where O_EXCL was not, before NFSv3), and
/// checked afterwards through the link count, as NFS may lose the reply to a
/// link that succeeded. A claim is stale when
///  - its host is this host (same name and same boot) and its process is gone
///    (no such pid, or a pid reused by a process that started later);
///  - it names this batch job (same job id) in an earlier segment: a requeued
///    job runs again only once the previous segment has ended;
///  - otherwise, when its holder has not refreshed it for `stale_after`: the
///    holder touches the file every `refresh_every`, and the age is measured
///    against a file just written on the same file system, so the hosts'
///    clocks need not agree (the file server's clock is the one that counts).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tsweep/core/error.hpp"
#include "tsweep/exec/comm.hpp"

namespace tsweep::output {

/// Who holds, or asks for, a claim. What the lock file records, one `key=value` per line.
struct ClaimHolder {
  std::string host;            ///< gethostname()
  std::string boot_id;         ///< /proc/sys/kernel/random/boot_id (empty where unknown)
  long pid = 0;
  long long start_ticks = 0;   ///< the process's start time (/proc/PID/stat field 22), against pid reuse
  std::string batch_job;       ///< "slurm 1234", "slurm 1234_7", "pbs 99.server", or empty
  int restart = 0;             ///< SLURM_RESTART_COUNT (0 where not requeued)
  std::string since;           ///< UTC time the claim was taken, ISO 8601
  std::string token;           ///< unique per claim: host.pid.random

  /// This process, with the batch job read from the environment.
  static ClaimHolder self();
  /// "host node3, pid 4242, slurm job 1234, since 2026-12-02T05:00:00Z".
  [[nodiscard]] std::string describe() const;
};

/// The output is claimed by a live run. Exit code 73 (EX_CANTCREAT).
class BusyError : public Error {
 public:
  explicit BusyError(const std::string& what) : Error(what, ExitCode::busy) {}
};

struct ClaimTiming {
  std::chrono::seconds refresh_every{30};
  std::chrono::seconds stale_after{180};
};

/// A claim on one path, without MPI: what `OutputClaim` does on rank 0.
/// Tests use it directly. Not copyable; the destructor releases the claim
/// (only when the lock file still holds this claim's token).
class FileClaim {
 public:
  /// Takes the claim on `output` (the lock is `output + ".lock"`), breaking a
  /// stale one. Throws BusyError naming the holder when a live run holds it,
  /// IoError when the lock cannot be written.
  FileClaim(const std::string& output, const ClaimHolder& me, ClaimTiming timing = {});
  ~FileClaim();
  FileClaim(const FileClaim&) = delete;
  FileClaim& operator=(const FileClaim&) = delete;

  /// Touches the lock file (its mtime is the heartbeat). False when the lock
  /// file no longer holds this claim (someone broke it).
  bool refresh();
  void release() noexcept;
  [[nodiscard]] const std::string& lock_path() const noexcept { return m_lock; }

 private:
  std::string m_lock;
  ClaimHolder m_me;
  bool m_held = false;
};

/// Reads a lock file; nothing when it does not exist or cannot be parsed.
std::optional<ClaimHolder> read_claim(const std::string& lock_path);

/// Collective on `comm`. Rank 0 takes the claim on `output` and keeps it fresh
/// from a background thread until destroyed; the other ranks hold nothing.
/// Every rank throws BusyError together when the output is taken.
class OutputClaim {
 public:
  OutputClaim(const exec::Comm& comm, const std::string& output, ClaimTiming timing = {});
  ~OutputClaim();
  OutputClaim(const OutputClaim&) = delete;
  OutputClaim& operator=(const OutputClaim&) = delete;

 private:
  struct Keeper;
  std::unique_ptr<Keeper> m_keeper;
};

/// The timing from TSWEEP_CLAIM_REFRESH / TSWEEP_CLAIM_STALE (seconds; for
/// tests and sites with slow file systems), else the defaults.
ClaimTiming claim_timing_from_env();

}  // namespace tsweep::output
