// One writer per output: FileClaim without MPI. A live holder refuses a second
// claim naming itself; a dead process, an earlier segment of the same batch
// job, a rebooted host, or a holder from another host that stopped refreshing
// is stale and broken; release removes only the claim's own lock.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tsweep/output/claim.hpp"

namespace fs = std::filesystem;
using tsweep::output::BusyError;
using tsweep::output::ClaimHolder;
using tsweep::output::ClaimTiming;
using tsweep::output::FileClaim;
using tsweep::output::read_claim;

namespace {

class ClaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tsweep-claim.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir = pattern;
    output = (dir / "out.h5").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  // A lock file as another holder would have written it, with its mtime
  // `age` in the past.
  void plant(const ClaimHolder& h, std::chrono::seconds age = std::chrono::seconds(0)) {
    std::ofstream(output + ".lock") << "tsweep output claim\nhost=" << h.host << "\nboot_id=" << h.boot_id
                                    << "\npid=" << h.pid << "\nstart_ticks=" << h.start_ticks
                                    << "\nbatch_job=" << h.batch_job << "\nrestart=" << h.restart
                                    << "\nsince=" << h.since << "\ntoken=" << h.token << "\n";
    if (age.count() > 0) {
      struct timespec times[2];
      ::clock_gettime(CLOCK_REALTIME, &times[0]);
      times[0].tv_sec -= age.count();
      times[1] = times[0];
      ASSERT_EQ(::utimensat(AT_FDCWD, (output + ".lock").c_str(), times, 0), 0);
    }
  }

  // Only the lock and nothing else (no temporary or moved-aside files) beside the output.
  [[nodiscard]] std::size_t files_in_dir() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
  }

  static ClaimHolder other_host() {
    ClaimHolder h = ClaimHolder::self();
    h.host = "elsewhere-" + h.host;
    h.pid = 1;
    h.token = "other-token";
    h.since = "2026-12-02T00:00:00Z";
    return h;
  }

  fs::path dir;
  std::string output;
};

TEST_F(ClaimTest, WritesWhoHoldsItAndReleasesOnDestruction) {
  const ClaimHolder me = ClaimHolder::self();
  {
    FileClaim claim(output, me);
    const auto holder = read_claim(output + ".lock");
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->host, me.host);
    EXPECT_EQ(holder->pid, static_cast<long>(::getpid()));
    EXPECT_EQ(holder->token, me.token);
    EXPECT_GT(holder->start_ticks, 0);
    EXPECT_EQ(files_in_dir(), 1U);
    EXPECT_TRUE(claim.refresh());
  }
  EXPECT_FALSE(fs::exists(output + ".lock"));
  EXPECT_EQ(files_in_dir(), 0U);
}

TEST_F(ClaimTest, ASecondClaimOnALiveHolderIsRefusedNamingIt) {
  ClaimHolder me = ClaimHolder::self();
  me.batch_job = "slurm 4242";
  FileClaim first(output, me);
  ClaimHolder again = ClaimHolder::self();
  try {
    FileClaim second(output, again);
    FAIL() << "a second claim on a held output succeeded";
  } catch (const BusyError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("host " + me.host), std::string::npos) << what;
    EXPECT_NE(what.find("pid " + std::to_string(::getpid())), std::string::npos) << what;
    EXPECT_NE(what.find("slurm job 4242"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
    EXPECT_EQ(static_cast<int>(e.exit_code()), 73);
  }
  // The refused claim left the first one intact.
  const auto holder = read_claim(output + ".lock");
  ASSERT_TRUE(holder);
  EXPECT_EQ(holder->token, me.token);
  EXPECT_EQ(files_in_dir(), 1U);
}

TEST_F(ClaimTest, AClaimOfADeadProcessOnThisHostIsStale) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ClaimHolder dead = ClaimHolder::self();
  dead.pid = child;
  dead.token = "dead-token";
  plant(dead);
  FileClaim claim(output, ClaimHolder::self());
  EXPECT_NE(read_claim(output + ".lock")->token, "dead-token");
  EXPECT_EQ(files_in_dir(), 1U);
}

TEST_F(ClaimTest, AZombieHoldsNothing) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  // Not reaped yet: a zombie, as a killed rank is until its parent waits.
  for (int i = 0; i < 500; ++i) {
    std::ifstream in("/proc/" + std::to_string(child) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (all.find(") Z") != std::string::npos) break;
    ::usleep(2000);
  }
  ClaimHolder zombie = ClaimHolder::self();
  zombie.pid = child;
  zombie.start_ticks = 0;
  zombie.token = "zombie-token";
  plant(zombie);
  EXPECT_NO_THROW(FileClaim(output, ClaimHolder::self()));
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
}

TEST_F(ClaimTest, AReusedPidIsRecognisedByItsStartTime) {
  ClaimHolder earlier = ClaimHolder::self();  // this very pid, but a process that started at another time
  earlier.start_ticks += 12345;
  earlier.token = "reused-token";
  plant(earlier);
  EXPECT_NO_THROW(FileClaim(output, ClaimHolder::self()));
}

TEST_F(ClaimTest, AnEarlierSegmentOfThisBatchJobIsStaleEvenOnAnotherHost) {
  ClaimHolder before = other_host();
  before.batch_job = "slurm 77";
  before.restart = 0;
  plant(before);
  ClaimHolder me = ClaimHolder::self();
  me.batch_job = "slurm 77";
  me.restart = 1;
  EXPECT_NO_THROW(FileClaim(output, me));
  // The same segment on another host (another step of the job) is live.
  before.restart = 1;
  plant(before);
  EXPECT_THROW(FileClaim(output, me), BusyError);
}

TEST_F(ClaimTest, AnotherHostsClaimIsLiveUntilItStopsRefreshing) {
  const ClaimTiming timing{std::chrono::seconds(30), std::chrono::seconds(180)};
  plant(other_host(), std::chrono::seconds(60));
  EXPECT_THROW(FileClaim(output, ClaimHolder::self(), timing), BusyError);
  plant(other_host(), std::chrono::seconds(600));
  EXPECT_NO_THROW(FileClaim(output, ClaimHolder::self(), timing));
  EXPECT_EQ(files_in_dir(), 0U);
}

TEST_F(ClaimTest, AHostThatRebootedHoldsNothing) {
  ClaimHolder before_boot = ClaimHolder::self();
  before_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  before_boot.pid = static_cast<long>(::getpid());  // alive now, but not the process that wrote it
  before_boot.token = "boot-token";
  plant(before_boot);
  ClaimHolder me = ClaimHolder::self();
  if (me.boot_id.empty()) GTEST_SKIP() << "this kernel has no /proc/sys/kernel/random/boot_id";
  EXPECT_NO_THROW(FileClaim(output, me));
}

TEST_F(ClaimTest, AnUnreadableLockIsBusyWhileFreshAndStaleWhenOld) {
  std::ofstream(output + ".lock") << "not a claim\n";
  EXPECT_THROW(FileClaim(output, ClaimHolder::self()), BusyError);
  plant(other_host(), std::chrono::seconds(3600));
  std::ofstream(output + ".lock") << "not a claim\n";
  struct timespec times[2];
  ::clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 3600;
  times[1] = times[0];
  ASSERT_EQ(::utimensat(AT_FDCWD, (output + ".lock").c_str(), times, 0), 0);
  EXPECT_NO_THROW(FileClaim(output, ClaimHolder::self()));
}

TEST_F(ClaimTest, ReleaseLeavesAClaimThatIsNoLongerItsOwn) {
  auto claim = std::make_unique<FileClaim>(output, ClaimHolder::self());
  plant(other_host());  // someone broke it and took it
  EXPECT_FALSE(claim->refresh());
  claim.reset();
  ASSERT_TRUE(fs::exists(output + ".lock"));
  EXPECT_EQ(read_claim(output + ".lock")->token, "other-token");
}

TEST_F(ClaimTest, DescribesBatchJobsAndRestarts) {
  ClaimHolder h;
  h.host = "node7";
  h.pid = 99;
  h.batch_job = "pbs 12.server";
  h.restart = 2;
  h.since = "2026-12-02T05:00:00Z";
  EXPECT_EQ(h.describe(), "host node7, pid 99, pbs job 12.server (restart 2), since 2026-12-02T05:00:00Z");
}

TEST_F(ClaimTest, AnUnwritableDirectoryIsAnIoErrorNotBusy) {
  EXPECT_THROW(FileClaim((dir / "no-such-dir" / "out.h5").string(), ClaimHolder::self()), tsweep::IoError);
}

}  // namespace
