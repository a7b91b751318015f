// tsweep's command-line driver: argument parsing, MPI session, dispatch, and
// the one place where errors become exit codes. Kept thin on purpose.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "context.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/log.hpp"
#include "tsweep/exec/signals.hpp"
#include "tsweep/h5/library.hpp"

namespace tsweep::cli {
void add_export_command(CLI::App& app, CommandList& commands);  // cmd_export.cpp
}  // namespace tsweep::cli

namespace {

using tsweep::ExitCode;

int code(ExitCode c) { return static_cast<int>(c); }

// A bad command line: one line for the user, from rank 0 only (every rank
// parsed the same argv), and its exit code. Without MPI nothing makes the
// other ranks wait for rank 0, and Open MPI's mpirun kills the job as soon as
// any rank exits non-zero, which can take rank 0 down before its line is out.
// So rank 0 alone exits with the code; the others exit 0, and the launcher
// still exits with rank 0's code (mpirun: the first failure; srun and Hydra:
// the largest).
int refuse(bool root, const std::string& message, int exit_code) {
  if (!root) return 0;
  std::fprintf(stderr, "tsweep: error: %s (see 'tsweep --help')\n", message.c_str());
  return exit_code;
}

// The command line, parsed before MPI starts (parsing needs no MPI): help,
// the version and a bad command line are answered without it, and `run` can
// install its stop-signal handlers before anything else happens.
struct Parsed {
  CLI::App app{"tsweep: parallel analysis sweeps over large collections of time-series streams", "tsweep"};
  tsweep::cli::GlobalOptions options;
  tsweep::cli::CommandList commands;
  std::exception_ptr failure;  // a CLI::ParseError, answered without MPI
  const tsweep::cli::Command* chosen = nullptr;

  Parsed(int argc, char** argv) {
    using namespace tsweep;
    app.require_subcommand(0, 1);
    app.fallthrough();
    app.add_flag("--version", options.version, "Print the version of tsweep and its libraries");
    app.add_option("--log-level", options.log_level,
                   "trace, debug, info, warn, error or off (default: info on rank 0, warn elsewhere)");
    app.add_flag("-v,--verbose", options.verbose, "More log output: -v debug, -vv trace");
    app.add_option("--threads", options.threads,
                   "Threads per rank (default: OMP_NUM_THREADS, then the batch system, then the affinity mask)")
        ->check(CLI::Range(1, 4096));
    app.add_flag("--oversubscribe", options.oversubscribe, "Allow ranks x threads to exceed the CPUs allocated on a node");

    cli::add_info_command(app, commands);
    cli::add_generate_command(app, commands);
    cli::add_inspect_command(app, commands);
    cli::add_verify_command(app, commands);
    cli::add_ingest_command(app, commands);
    cli::add_recover_command(app, commands);
    cli::add_run_command(app, commands);
    cli::add_export_command(app, commands);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError&) {
      failure = std::current_exception();
      return;
    }
    for (const auto& c : commands) {
      if (c.app->parsed()) chosen = &c;
    }
  }
};

// What needs no MPI: help, the version, a bad command line. Starting MPI
// costs far more than any of these (Open MPI: a third of a second), and a
// typo must not need a working MPI. Every rank parses the same argv, so
// every rank returns here; the launcher's rank 0 prints.
// Returns the exit code, or nothing when the command is to run.
std::optional<int> answer_without_mpi(Parsed& parsed) {
  using namespace tsweep;
  const bool root = exec::launcher_rank() == 0;
  auto& options = parsed.options;
  if (parsed.failure) {
    try {
      std::rethrow_exception(parsed.failure);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) {  // --help
        if (root) parsed.app.exit(e);
        return 0;
      }
      return refuse(root, e.what(), code(ExitCode::usage));
    }
  }
  if (options.verbose > 0 && options.log_level.empty()) options.log_level = options.verbose > 1 ? "trace" : "debug";
  try {
    exec::check_log_level(options.log_level);
  } catch (const Error& e) {
    return refuse(root, e.what(), code(e.exit_code()));
  }
  if (options.version) {
    if (root) std::cout << cli::version_text() << std::flush;
    return 0;
  }
  if (!parsed.chosen) {
    return refuse(root, "a subcommand is required", code(ExitCode::usage));
  }
  return std::nullopt;
}

int run(tsweep::exec::Session& session, Parsed& parsed) {
  using namespace tsweep;
  exec::init_logging(session.world().rank(), parsed.options.log_level);
  cli::Context ctx(session, parsed.options);
  return parsed.chosen->run(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  Parsed parsed(argc, argv);
  if (const auto answered = answer_without_mpi(parsed)) return *answered;
  // A stop request that arrives while MPI starts is kept, not fatal.
  std::optional<tsweep::exec::StopSignals> stop_signals;
  if (parsed.chosen && parsed.chosen->stops_on_signal) stop_signals.emplace();
  std::optional<tsweep::exec::Session> session;
  tsweep::h5::start_before_mpi();
  try {
    session.emplace(&argc, &argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tsweep: error: cannot start MPI: %s\n", e.what());
    return code(ExitCode::internal);
  }
  const auto& world = session->world();
  try {
    return run(*session, parsed);
  } catch (const tsweep::StoppedError& e) {
    // Not a failure: the ranks agreed on the stop, committed, and every rank
    // throws this together. Rank 0 says how to resume; nobody aborts.
    if (world.is_root()) {
      spdlog::warn("{}", e.what());
    } else {
      spdlog::debug("{}", e.what());
    }
    return code(e.exit_code());
  } catch (const tsweep::PeerError& e) {
    // Another rank failed and said so; this rank only follows it out.
    spdlog::debug("{}", e.what());
    return code(e.exit_code());
  } catch (const tsweep::Error& e) {
    spdlog::error("{}", e.what());
    if (!tsweep::exec::failure_was_agreed() && world.size() > 1) {
      // Not agreed: other ranks may be waiting in a collective. Take them down.
      spdlog::error("aborting all ranks: the failure was not agreed before a collective call");
      MPI_Abort(world.get(), code(e.exit_code()));
    }
    return code(e.exit_code());
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    if (!tsweep::exec::failure_was_agreed() && world.size() > 1) MPI_Abort(world.get(), code(ExitCode::internal));
    return code(ExitCode::internal);
  }
}
