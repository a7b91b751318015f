// A small MPI program that writes (or resumes) a results file of synthetic
// rows in epochs, for the end-to-end tests: kill -9 at any moment, then
// resume; h5py reading the file.
//
//   output_results_writer write|resume PATH [--rows N] [--epochs N] [--pause-ms N]
//
// Every rank records its pid in PATH.pid.<rank> first; rank 0 prints
// "resumed K" after a resume and "committed K" after each epoch, K being the
// units committed so far, and "finished" at the end.
//
// For kill tests, TSWEEP_TEST_HOLD (include/tsweep/exec/hold.hpp) holds the
// writer at a named point: results.create, results.write, results.commit
// (inside ResultsFile) or epoch.committed (here, after "committed K" is printed).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "synthetic.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/hold.hpp"
#include "tsweep/exec/log.hpp"
#include "tsweep/exec/session.hpp"
#include "tsweep/output/results.hpp"

namespace {

struct Options {
  std::string mode;
  std::string path;
  std::int64_t rows = 100000;
  int epochs = 40;
  int pause_ms = 0;
};

Options parse(int argc, char** argv) {
  if (argc < 3)
    throw tsweep::ConfigError("usage: output_results_writer write|resume PATH [--rows N] [--epochs N] [--pause-ms N]");
  Options o;
  o.mode = argv[1];
  o.path = argv[2];
  if (o.mode != "write" && o.mode != "resume") throw tsweep::ConfigError("mode must be write or resume, not " + o.mode);
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long long value = std::atoll(argv[i + 1]);
    if (key == "--rows") {
      o.rows = value;
    } else if (key == "--epochs") {
      o.epochs = static_cast<int>(std::max(1LL, value));
    } else if (key == "--pause-ms") {
      o.pause_ms = static_cast<int>(value);
    } else {
      throw tsweep::ConfigError("unknown option " + key);
    }
  }
  return o;
}

std::int64_t count_committed(const tsweep::output::ResultsFile& file) {
  return std::count(file.committed().begin(), file.committed().end(), true);
}

int run(const tsweep::exec::Comm& world, const Options& o) {
  { std::ofstream(o.path + ".pid." + std::to_string(world.rank())) << ::getpid() << "\n"; }
  world.barrier();
  const auto plan = tsweep::test::large_plan(o.rows);
  const auto identity = tsweep::test::synthetic_identity();
  auto file = o.mode == "write" ? tsweep::output::ResultsFile::create(world, o.path, plan, identity, true)
                                : tsweep::output::ResultsFile::resume(world, o.path, plan, identity);
  std::int64_t committed = count_committed(file);
  if (o.mode == "resume" && world.is_root()) std::printf("resumed %lld\n", static_cast<long long>(committed));
  std::fflush(stdout);

  const auto mine = tsweep::test::schedule(plan, world.rank(), world.size(), o.epochs);
  for (const auto& epoch : mine) {
    std::vector<std::int64_t> ids;
    for (const auto u : epoch) {
      if (!file.committed()[static_cast<std::size_t>(u)]) ids.push_back(u);
    }
    const auto report = file.write_epoch(tsweep::test::finish_units(plan, ids));
    committed += report.units;
    if (world.is_root()) std::printf("committed %lld\n", static_cast<long long>(committed));
    std::fflush(stdout);
    tsweep::exec::test_hooks::hold("epoch.committed", world.rank());
    if (o.pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.pause_ms));
  }
  file.write_provenance(R"({"ranks": )" + std::to_string(world.size()) + R"(, "mode": ")" + o.mode + R"("})");
  file.finish();
  if (world.is_root()) std::printf("finished\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  tsweep::exec::Session session(&argc, &argv);
  tsweep::exec::init_logging(session.world().rank(), "warn");
  try {
    return run(session.world(), parse(argc, argv));
  } catch (const tsweep::Error& e) {
    std::fprintf(stderr, "output_results_writer: error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "output_results_writer: error: %s\n", e.what());
    return 1;
  }
}
