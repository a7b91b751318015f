// tsweep's command-line driver: MPI session, argument parsing, dispatch, and
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
#include "tsweep/store/library.hpp"

namespace {

using tsweep::ExitCode;

int code(ExitCode c) { return static_cast<int>(c); }

// One line for the user, from rank 0 only: every rank parsed the same argv.
void print_usage_error(const tsweep::exec::Comm& world, const std::string& message) {
  if (world.is_root()) std::fprintf(stderr, "tsweep: error: %s (see 'tsweep --help')\n", message.c_str());
}

// The command line, parsed before MPI starts (parsing needs no MPI), so that
// `run` can install its stop-signal handlers before anything else happens.
struct Parsed {
  CLI::App app{"tsweep: parallel analysis sweeps over large collections of time-series streams", "tsweep"};
  tsweep::cli::GlobalOptions options;
  tsweep::cli::CommandList commands;
  std::exception_ptr failure;  // a CLI::ParseError, reported once MPI knows the ranks
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

int run(tsweep::exec::Session& session, Parsed& parsed) {
  using namespace tsweep;
  const auto& world = session.world();
  auto& options = parsed.options;
  if (parsed.failure) {
    try {
      std::rethrow_exception(parsed.failure);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) {  // --help
        if (world.is_root()) parsed.app.exit(e);
        return 0;
      }
      print_usage_error(world, e.what());
      return code(ExitCode::usage);
    }
  }
  if (options.verbose > 0 && options.log_level.empty()) options.log_level = options.verbose > 1 ? "trace" : "debug";
  try {
    exec::init_logging(world.rank(), options.log_level);
  } catch (const Error& e) {
    print_usage_error(world, e.what());
    return code(e.exit_code());
  }
  if (options.version) {
    if (world.is_root()) std::cout << cli::version_text() << std::flush;
    return 0;
  }
  if (!parsed.chosen) {
    print_usage_error(world, "a subcommand is required");
    return code(ExitCode::usage);
  }

  cli::Context ctx(session, options);
  return parsed.chosen->run(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  Parsed parsed(argc, argv);
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
