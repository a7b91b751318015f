#include "tsweep/output/claim.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <random>
#include <signal.h>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "tsweep/exec/agree.hpp"

namespace tsweep::output {
namespace {

constexpr const char* kMagic = "tsweep output claim";
constexpr int kAttempts = 8;
// How long a live holder on this host is watched before the claim is refused:
// a run killed with SIGKILL a moment before may still be exiting.
constexpr std::chrono::milliseconds kExitGrace{3000};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string first_line_of(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return trimmed(line);
}

// What /proc/PID/stat says of a process: its state (field 3, 'Z' for a
// zombie) and its start time in clock ticks after boot (field 22). Fields
// after the command name (which may hold spaces and parentheses) are counted
// from its closing parenthesis. State 0 and start 0 where unreadable.
struct ProcStat {
  char state = 0;
  long long start_ticks = 0;
};

ProcStat proc_stat(long pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ProcStat out;
  const auto close = all.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream rest(all.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return out;
    if (i == 3) out.state = field.empty() ? 0 : field[0];
  }
  try {
    out.start_ticks = std::stoll(field);
  } catch (const std::exception&) {
    out.start_ticks = 0;
  }
  return out;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string serialise(const ClaimHolder& h) {
  return fmt::format("{}\nhost={}\nboot_id={}\npid={}\nstart_ticks={}\nbatch_job={}\nrestart={}\nsince={}\ntoken={}\n",
                     kMagic, h.host, h.boot_id, h.pid, h.start_ticks, h.batch_job, h.restart, h.since, h.token);
}

std::string os_error(int err) { return std::strerror(err); }

struct Stamp {
  bool exists = false;
  struct timespec mtime {};
  nlink_t links = 0;
};

Stamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true, st.st_mtim, st.st_nlink};
}

double seconds_between(const struct timespec& older, const struct timespec& newer) {
  return static_cast<double>(newer.tv_sec - older.tv_sec) + 1e-9 * static_cast<double>(newer.tv_nsec - older.tv_nsec);
}

bool process_alive(long pid, long long start_ticks) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  // A killed process that its parent has not reaped yet holds nothing.
  const ProcStat now = proc_stat(pid);
  if (now.state == 'Z' || now.state == 'X') return false;
  // Alive, or not ours to signal (EPERM): still a process with this pid. A
  // pid reused by a later process has another start time.
  return start_ticks == 0 || now.start_ticks == 0 || now.start_ticks == start_ticks;
}

// Why `holder` no longer holds its claim, or nothing when it may still.
std::optional<std::string> stale_reason(const ClaimHolder& holder, const ClaimHolder& me, double age_seconds,
                                        const ClaimTiming& timing) {
  if (holder.host == me.host) {
    if (!holder.boot_id.empty() && !me.boot_id.empty() && holder.boot_id != me.boot_id) {
      return std::string("its host has rebooted since");
    }
    // A holder killed a moment ago may still be exiting: give it a moment to go.
    const auto until = std::chrono::steady_clock::now() + kExitGrace;
    while (process_alive(holder.pid, holder.start_ticks)) {
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return fmt::format("process {} is gone", holder.pid);
  }
  if (!holder.batch_job.empty() && holder.batch_job == me.batch_job && holder.restart < me.restart) {
    return fmt::format("it is from run {} of this batch job, which is now in run {}", holder.restart, me.restart);
  }
  if (age_seconds > static_cast<double>(timing.stale_after.count())) {
    return fmt::format("it was last refreshed {:.0f} s ago (a live run refreshes it every {} s)", age_seconds,
                       timing.refresh_every.count());
  }
  return std::nullopt;
}

// Writes `text` to a new file `path` (O_EXCL) and syncs it.
void write_new(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(path, "cannot create the output's lock: " + os_error(errno));
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw IoError(path, "cannot write the output's lock: " + os_error(err));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

std::string random_hex() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

}  // namespace

ClaimHolder ClaimHolder::self() {
  ClaimHolder h;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) h.host = name;
  h.boot_id = first_line_of("/proc/sys/kernel/random/boot_id");
  h.pid = static_cast<long>(::getpid());
  h.start_ticks = proc_stat(h.pid).start_ticks;
  const std::string array_job = env_or_empty("SLURM_ARRAY_JOB_ID");
  const std::string array_task = env_or_empty("SLURM_ARRAY_TASK_ID");
  const std::string slurm_job = env_or_empty("SLURM_JOB_ID");
  const std::string pbs_job = env_or_empty("PBS_JOBID");
  if (!array_job.empty() && !array_task.empty()) {
    h.batch_job = fmt::format("slurm {}_{}", array_job, array_task);
  } else if (!slurm_job.empty()) {
    h.batch_job = "slurm " + slurm_job;
  } else if (!pbs_job.empty()) {
    h.batch_job = "pbs " + pbs_job;
  }
  const std::string restart = env_or_empty("SLURM_RESTART_COUNT");
  if (!restart.empty()) {
    try {
      h.restart = std::stoi(restart);
    } catch (const std::exception&) {
      h.restart = 0;
    }
  }
  h.since = utc_now();
  h.token = fmt::format("{}.{}.{}", h.host, h.pid, random_hex());
  return h;
}

std::string ClaimHolder::describe() const {
  std::string text = fmt::format("host {}, pid {}", host.empty() ? "?" : host, pid);
  if (!batch_job.empty()) {
    const auto space = batch_job.find(' ');
    text += fmt::format(", {} job {}", batch_job.substr(0, space),
                        space == std::string::npos ? std::string() : batch_job.substr(space + 1));
    if (restart > 0) text += fmt::format(" (restart {})", restart);
  }
  if (!since.empty()) text += ", since " + since;
  return text;
}

std::optional<ClaimHolder> read_claim(const std::string& lock_path) {
  std::ifstream in(lock_path);
  if (!in) return std::nullopt;
  std::string line;
  if (!std::getline(in, line) || trimmed(line) != kMagic) return std::nullopt;
  ClaimHolder h;
  bool has_token = false;
  try {
    while (std::getline(in, line)) {
      line = trimmed(line);
      const auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "host") h.host = value;
      else if (key == "boot_id") h.boot_id = value;
      else if (key == "pid") h.pid = std::stol(value);
      else if (key == "start_ticks") h.start_ticks = std::stoll(value);
      else if (key == "batch_job") h.batch_job = value;
      else if (key == "restart") h.restart = std::stoi(value);
      else if (key == "since") h.since = value;
      else if (key == "token") { h.token = value; has_token = !value.empty(); }
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!has_token) return std::nullopt;
  return h;
}

FileClaim::FileClaim(const std::string& output, const ClaimHolder& me, ClaimTiming timing)
    : m_lock(output + ".lock"), m_me(me) {
  const std::string mine = m_lock + "." + me.token;
  const std::string text = serialise(me);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    write_new(mine, text);
    const Stamp fresh = stamp_of(mine);
    const int rc = ::link(mine.c_str(), m_lock.c_str());
    const int err = errno;
    // NFS may report a failed link that in fact succeeded: the link count says.
    if (rc == 0 || (err != EEXIST && stamp_of(mine).links == 2)) {
      ::unlink(mine.c_str());
      m_held = true;
      return;
    }
    ::unlink(mine.c_str());
    if (err != EEXIST) throw IoError(m_lock, "cannot create the output's lock: " + os_error(err));

    const Stamp held = stamp_of(m_lock);
    if (!held.exists) continue;  // released meanwhile: try again
    const auto holder = read_claim(m_lock);
    const double age = seconds_between(held.mtime, fresh.mtime);
    if (!holder) {
      // Not written by tsweep, or damaged: only its age can tell.
      if (age <= static_cast<double>(timing.stale_after.count())) {
        throw BusyError(fmt::format("{} is claimed by another run (its lock {} cannot be read; remove it if no run "
                                    "writes {})", output, m_lock, output));
      }
    } else if (const auto why = stale_reason(*holder, me, age, timing); !why) {
      throw BusyError(fmt::format("{} is being written by another run ({}); wait for it to end, or stop it (lock {})",
                                  output, holder->describe(), m_lock));
    } else {
      spdlog::warn("{}: breaking a stale claim by {}: {}", m_lock, holder->describe(), *why);
    }
    // Break the stale claim: move it aside under a name of our own, then
    // check that what was moved is the claim judged stale (another run may
    // have broken it and taken a fresh one in between); if not, put it back.
    const std::string aside = m_lock + ".stale." + me.token;
    if (::rename(m_lock.c_str(), aside.c_str()) != 0) {
      if (errno == ENOENT) continue;
      throw IoError(m_lock, "cannot remove the stale lock: " + os_error(errno));
    }
    const auto moved = read_claim(aside);
    const bool same = holder ? (moved && moved->token == holder->token) : !moved;
    if (!same) {
      if (::link(aside.c_str(), m_lock.c_str()) != 0 && errno != EEXIST) {
        spdlog::warn("{}: could not put back a claim moved aside by mistake: {}", m_lock, os_error(errno));
      }
    }
    ::unlink(aside.c_str());
  }
  throw IoError(m_lock, fmt::format("could not claim the output in {} attempts: other runs keep taking it", kAttempts));
}

FileClaim::~FileClaim() { release(); }

bool FileClaim::refresh() {
  if (!m_held) return false;
  const auto holder = read_claim(m_lock);
  if (!holder || holder->token != m_me.token) return false;
  return ::utimensat(AT_FDCWD, m_lock.c_str(), nullptr, 0) == 0;
}

void FileClaim::release() noexcept {
  if (!m_held) return;
  m_held = false;
  try {
    const auto holder = read_claim(m_lock);
    if (holder && holder->token == m_me.token) ::unlink(m_lock.c_str());
  } catch (...) {
    // Nothing to do: a lock left behind is recognised as stale.
  }
}

ClaimTiming claim_timing_from_env() {
  ClaimTiming t;
  const auto seconds = [](const char* name, std::chrono::seconds fallback) {
    const std::string v = env_or_empty(name);
    if (v.empty()) return fallback;
    try {
      const long n = std::stol(v);
      return n > 0 ? std::chrono::seconds(n) : fallback;
    } catch (const std::exception&) {
      return fallback;
    }
  };
  t.refresh_every = seconds("TSWEEP_CLAIM_REFRESH", t.refresh_every);
  t.stale_after = seconds("TSWEEP_CLAIM_STALE", t.stale_after);
  return t;
}

struct OutputClaim::Keeper {
  std::unique_ptr<FileClaim> claim;
  std::mutex mutex;
  std::condition_variable wake;
  bool done = false;
  std::thread thread;

  Keeper(const std::string& output, ClaimTiming timing)
      : claim(std::make_unique<FileClaim>(output, ClaimHolder::self(), timing)) {
    thread = std::thread([this, timing] {
      std::unique_lock<std::mutex> lock(mutex);
      bool warned = false;
      while (!wake.wait_for(lock, timing.refresh_every, [this] { return done; })) {
        if (!claim->refresh() && !warned) {
          spdlog::error("{}: this run's claim on its output was removed or taken by another run", claim->lock_path());
          warned = true;
        }
      }
    });
  }
  ~Keeper() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
    }
    wake.notify_all();
    if (thread.joinable()) thread.join();
  }
};

OutputClaim::OutputClaim(const exec::Comm& comm, const std::string& output, ClaimTiming timing) {
  exec::agreed(comm, [&] {
    if (comm.is_root()) m_keeper = std::make_unique<Keeper>(output, timing);
  });
}

OutputClaim::~OutputClaim() = default;

}  // namespace tsweep::output
