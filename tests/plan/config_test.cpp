// Every config key is validated; errors name the file, the key and what was expected.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tsweep/core/error.hpp"
#include "tsweep/plan/config.hpp"

namespace tsweep::plan {
namespace {

namespace fs = std::filesystem;

class Config : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("tsweep-config-" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write(const std::string& text) {
    const auto p = m_dir / "job.yaml";
    std::ofstream(p) << text;
    return p.string();
  }

  std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
    try {
      load_config(write(text), overrides);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path m_dir;
};

constexpr const char* good = R"(store: data/store.h5
output: out/results.h5
streams: ["bed*/ECG*", "bed*/HR"]
time_range: {start: "2024-01-01T00:00:00Z", end: 1704067260000000000}
window: 1min
analyses: [stats]
assignment: static
unit_samples: 1000
checkpoint_interval: 5s
threads: 2
on_corrupt: fail
)";

TEST_F(Config, ReadsEveryKeyAndResolvesPathsAgainstTheFile) {
  const JobConfig c = load_config(write(good), {});
  EXPECT_EQ(c.store, (m_dir / "data/store.h5").string());
  EXPECT_EQ(c.output, (m_dir / "out/results.h5").string());
  EXPECT_EQ(c.selection.globs.size(), 2u);
  EXPECT_EQ(c.selection.start_ns, 1704067200000000000LL);
  EXPECT_EQ(c.selection.end_ns, 1704067260000000000LL);
  EXPECT_EQ(c.window_ns, 60000000000LL);
  EXPECT_TRUE(c.stats);
  EXPECT_FALSE(c.quality);
  EXPECT_EQ(c.assignment, Assignment::static_cost);
  EXPECT_EQ(c.unit_samples, 1000);
  EXPECT_EQ(c.checkpoint_ns, 5000000000LL);
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.on_corrupt, OnCorrupt::fail);
}

TEST_F(Config, CommandLineOverridesAnyKeyIncludingNestedOnes) {
  const JobConfig c = load_config(write(good), {"window=12h", "time_range.end=2024-01-02", "output=elsewhere.h5",
                                                "analyses=[stats, quality]", "assignment=dynamic"});
  EXPECT_EQ(c.window_ns, 12LL * 3600 * 1000000000);
  EXPECT_EQ(c.selection.end_ns, 1704153600000000000LL);
  EXPECT_EQ(c.output, "elsewhere.h5");  // relative to the working directory
  EXPECT_TRUE(c.quality);
  EXPECT_EQ(c.assignment, Assignment::dynamic);
}

TEST_F(Config, OverrideThatIsNotYamlIsAPlainString) {
  const JobConfig c = load_config(write(good), {"streams=*/ECG_II", "streams_regex=[bad"});
  ASSERT_EQ(c.selection.globs.size(), 1u);
  EXPECT_EQ(c.selection.globs[0], "*/ECG_II");
  EXPECT_EQ(c.selection.regexes[0], "[bad");
}

TEST_F(Config, ResultsKeyIgnoresExecutionOnlyKeys) {
  const JobConfig a = load_config(write(good), {});
  const JobConfig b = load_config(write(good), {"threads=1", "assignment=dynamic", "checkpoint_interval=1min", "output=x.h5"});
  const JobConfig c = load_config(write(good), {"window=2min"});
  EXPECT_EQ(a.results_key(), b.results_key());
  EXPECT_NE(a.results_key(), c.results_key());
}

TEST_F(Config, ErrorsNameFileKeyAndExpectation) {
  const std::string base = "store: s.h5\noutput: r.h5\n";
  EXPECT_NE(error_of(base + "window: 1min\nwindwo: 2\n").find("key 'windwo': unknown key"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 10\n").find("key 'window': expected a duration"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\nthreads: two\n").find("key 'threads': expected an integer"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\nthreads: 0\n").find("key 'threads'"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\nassignment: random\n").find("expected one of static, dynamic"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\non_corrupt: ignore\n").find("key 'on_corrupt'"), std::string::npos);
  // Names are checked once plugins are loaded (analysis::Catalog); the shape of each entry here.
  EXPECT_NE(error_of(base + "window: 1min\nanalyses: [stats, {fft: 1, welch: 2}]\n").find("key 'analyses'"), std::string::npos);
  {
    const tsweep::analysis::Catalog catalog;
    try {
      (void)catalog.configure({{"fft", {}}}, "job.yaml");
      ADD_FAILURE() << "an unknown analysis was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("unknown analysis 'fft'"), std::string::npos) << e.what();
    }
  }
  EXPECT_NE(error_of(base + "window: 1min\ntime_range: {start: yesterday}\n").find("time_range.start"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\ntime_range: {start: 2024-01-02, end: 2024-01-01}\n").find("start must be before end"), std::string::npos);
  EXPECT_NE(error_of("output: r.h5\nwindow: 1min\n").find("key 'store': missing"), std::string::npos);
  EXPECT_NE(error_of(base + "window: [1\n").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\n", {"window"}).find("expected key=value"), std::string::npos);
  EXPECT_NE(error_of(base + "window: 1min\n", {"bogus=1"}).find("key 'bogus'"), std::string::npos);
  EXPECT_NE(error_of(base).find("job.yaml"), std::string::npos);
}

TEST_F(Config, MissingFileIsAnInputError) {
  EXPECT_THROW(load_config((m_dir / "nope.yaml").string(), {}), IoError);
}

}  // namespace
}  // namespace tsweep::plan
