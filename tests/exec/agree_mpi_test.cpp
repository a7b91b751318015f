// Agreement before collectives: a failure on one rank reaches every rank as
// an exception, never as a hang.

#include <gtest/gtest.h>

#include "mpi_env.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"

namespace tsweep::exec {
namespace {

TEST(Agree, ReturnsWhenEveryRankSucceeded) {
  const auto& world = test::world();
  EXPECT_NO_THROW(agree(world, nullptr));
  EXPECT_EQ(agreed(world, [&] { return world.rank() * 2; }), world.rank() * 2);
}

TEST(Agree, FailureOnLastRankOnlyIsRaisedOnEveryRank) {
  const auto& world = test::world();
  const int bad = world.size() - 1;
  try {
    agreed(world, [&] {
      if (world.rank() == bad) throw ConfigError("config.yaml: key 'window': expected a duration");
    });
    FAIL() << "agreed() returned although rank " << bad << " failed";
  } catch (const PeerError& e) {
    EXPECT_NE(world.rank(), bad);
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("key 'window'"), std::string::npos);
  } catch (const ConfigError& e) {
    EXPECT_EQ(world.rank(), bad);
  }
  // Still in step: a collective after the failure completes on every rank.
  world.barrier();
}

TEST(Agree, LowestFailingRankSpeaksAndCodeIsItsOwn) {
  const auto& world = test::world();
  try {
    agreed(world, [&] {
      if (world.rank() % 2 == 0) throw IoError("store.h5", "not a tsweep store");
    });
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 failed"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), ExitCode::usage);
  } catch (const IoError& e) {
    EXPECT_EQ(world.rank(), 0);
  }
  EXPECT_TRUE(failure_was_agreed());
}

TEST(Agree, NonTsweepExceptionsBecomeInternalErrors) {
  const auto& world = test::world();
  try {
    agreed(world, [&] {
      if (world.rank() == 0) throw std::runtime_error("boom");
    });
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::internal);
  } catch (const std::runtime_error&) {
    EXPECT_EQ(world.rank(), 0);
  }
}

TEST(Strings, GatherAndBroadcastKeepRankOrder) {
  const auto& world = test::world();
  const std::string mine(static_cast<std::size_t>(world.rank()), 'x');  // rank 0 sends an empty string
  const auto all = allgather_strings(world, mine);
  ASSERT_EQ(static_cast<int>(all.size()), world.size());
  for (int r = 0; r < world.size(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)].size(), static_cast<std::size_t>(r));
  const auto at_root = gather_strings(world, std::to_string(world.rank()));
  if (world.is_root()) {
    ASSERT_EQ(static_cast<int>(at_root.size()), world.size());
    EXPECT_EQ(at_root.back(), std::to_string(world.size() - 1));
  } else {
    EXPECT_TRUE(at_root.empty());
  }
  EXPECT_EQ(broadcast_string(world, world.is_root() ? "hello" : ""), "hello");
}

TEST(Comm, NodeCommunicatorHoldsRanksOfThisHost) {
  const auto& node = test::node();
  const auto hosts = allgather_strings(node, host_name());
  for (const auto& h : hosts) EXPECT_EQ(h, host_name());
  EXPECT_LE(node.size(), test::world().size());
}

}  // namespace
}  // namespace tsweep::exec
