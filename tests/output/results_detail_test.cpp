// The output layer's pure helpers, without MPI: fitting provenance into its
// record, and naming the config key where two jobs differ.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>

#include "hdf5_io.hpp"
#include "layout.hpp"
#include "provenance.hpp"

namespace {

using tsweep::output::detail::first_differing_key;
using tsweep::output::detail::fit_provenance;

TEST(ResultsProvenance, TextThatFitsIsKeptAsItIs) {
  const std::string text = R"({"ranks": [1, 2], "x": 1})";
  EXPECT_EQ(fit_provenance(text, text.size()), text);
}

TEST(ResultsProvenance, TooLongDropsTopLevelArraysLargestFirstAndSaysSo) {
  nlohmann::json doc;
  doc["version"] = "0.1.0";
  doc["hosts"] = {"a", "b"};
  for (int i = 0; i < 500; ++i) doc["ranks"].push_back({{"rank", i}, {"seconds", 1.5}});
  const std::string text = doc.dump();
  const auto fitted = nlohmann::json::parse(fit_provenance(text, 400));
  EXPECT_FALSE(fitted.contains("ranks"));
  EXPECT_EQ(fitted["hosts"], doc["hosts"]);
  EXPECT_EQ(fitted["version"], "0.1.0");
  EXPECT_NE(fitted["truncated"].get<std::string>().find("dropped: ranks"), std::string::npos);
}

TEST(ResultsProvenance, StillTooLongKeepsScalarsThenOnlyTheNote) {
  nlohmann::json doc;
  doc["version"] = "0.1.0";
  doc["timings"] = {{"plan", std::string(3000, 'x')}};
  const std::string text = doc.dump();
  const auto scalars = nlohmann::json::parse(fit_provenance(text, 300));
  EXPECT_EQ(scalars["version"], "0.1.0");
  EXPECT_FALSE(scalars.contains("timings"));
  EXPECT_TRUE(scalars.contains("truncated"));

  const std::string not_json(5000, '{');
  const std::string note = fit_provenance(not_json, 300);
  ASSERT_LE(note.size(), 300u);
  EXPECT_TRUE(nlohmann::json::parse(note).contains("truncated"));
}

TEST(ResultsConfigDiff, NamesTheFirstDifferingKeyWithItsParents) {
  EXPECT_EQ(first_differing_key("a: 1\nwindow: 1s\n", "a: 1\nwindow: 2s\n"), "window");
  EXPECT_EQ(first_differing_key("sel:\n  streams:\n    - a\n  time: all\n", "sel:\n  streams:\n    - b\n  time: all\n"),
            "sel.streams");
  EXPECT_EQ(first_differing_key("sel:\n  start: 1\n  stop: 2\n", "sel:\n  start: 1\n  stop: 3\n"), "sel.stop");
  EXPECT_EQ(first_differing_key("a: 1\nz: 2\n", "a: 1\nm: 5\nz: 2\n"), "m") << "a key on one side only";
  EXPECT_EQ(first_differing_key("a: 1\n", "a: 1\nb: 2\n"), "b");
  EXPECT_EQ(first_differing_key("x: 1\n", "x: 1\n"), "");
}

// A rank may finish many scattered units in one epoch: building their file
// selection must not be quadratic (OR-ing 64k hyperslabs one by one takes minutes in HDF5 1.10).
TEST(ResultsSelection, ManyScatteredRowRangesAreSelectedExactlyAndQuickly) {
  using tsweep::output::detail::Range;
  tsweep::h5::init_library();
  const hsize_t n = 100000;
  const hsize_t rows = n * 10;
  const hid_t space = H5Screate_simple(1, &rows, nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  // A file in memory (core driver, never written out): select_ranges only needs a dataset's shape.
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(fapl, 1 << 20, false);
  const hid_t mem_file = H5Fcreate("selection-test.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  const hid_t dataset = H5Dcreate2(mem_file, "d", H5T_NATIVE_INT64, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ASSERT_GE(dataset, 0);

  std::vector<Range> ranges;
  for (hsize_t i = 0; i < n; ++i) ranges.push_back({i * 10 + (i % 3), 1 + i % 5});
  const auto t0 = std::chrono::steady_clock::now();
  const auto selection = tsweep::output::detail::select_ranges(dataset, ranges, "test");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  hssize_t points = 0;
  for (const auto& r : ranges) points += static_cast<hssize_t>(r.count);
  EXPECT_EQ(H5Sget_select_npoints(selection.get()), points);
  EXPECT_EQ(H5Sget_select_hyper_nblocks(selection.get()), static_cast<hssize_t>(n));
  hsize_t block[2] = {0, 0};
  H5Sget_select_hyper_blocklist(selection.get(), 77, 1, block);  // blocks come back in file order
  EXPECT_EQ(block[0], ranges[77].first);
  EXPECT_EQ(block[1], ranges[77].first + ranges[77].count - 1);
  EXPECT_LT(seconds, 5.0);

  const auto none = tsweep::output::detail::select_ranges(dataset, {}, "test");
  EXPECT_EQ(H5Sget_select_npoints(none.get()), 0);
  H5Dclose(dataset);
  H5Fclose(mem_file);
  H5Pclose(fapl);
  H5Pclose(dcpl);
  H5Sclose(space);
}

}  // namespace
