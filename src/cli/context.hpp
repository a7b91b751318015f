#pragma once
// What every subcommand gets: the MPI session, the global options, and the
// thread runtime started on demand once the thread count is known.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tsweep/exec/launch.hpp"
#include "tsweep/exec/runtime.hpp"
#include "tsweep/exec/session.hpp"
#include "tsweep/job/job.hpp"
#include "tsweep/plan/config.hpp"

namespace CLI {
class App;
}

namespace tsweep::cli {

struct GlobalOptions {
  std::string log_level;
  int verbose = 0;
  std::optional<int> threads;
  bool oversubscribe = false;
  bool version = false;
};

class Context {
 public:
  Context(const exec::Session& session, GlobalOptions options)
      : m_session(session), m_options(std::move(options)) {}

  [[nodiscard]] const exec::Comm& world() const noexcept { return m_session.world(); }
  [[nodiscard]] const exec::Comm& node() const noexcept { return m_session.node(); }
  [[nodiscard]] const GlobalOptions& options() const noexcept { return m_options; }

  /// Collective on world: decides threads (--threads beats `config_threads`),
  /// logs the launch report's warnings on rank 0, and starts Kokkos.
  const exec::Launch& start_threads(std::optional<int> config_threads = std::nullopt, bool quiet = false);
  [[nodiscard]] const exec::Launch& launch() const { return m_launch; }

 private:
  const exec::Session& m_session;
  GlobalOptions m_options;
  exec::Launch m_launch;
  std::unique_ptr<exec::ThreadRuntime> m_runtime;
};

/// A subcommand: registered on the app, run when chosen. Returns the exit code.
struct Command {
  CLI::App* app = nullptr;
  std::function<int(Context&)> run;
  /// SIGTERM, SIGINT and SIGUSR1 ask it to stop cleanly (handlers installed before MPI starts).
  bool stops_on_signal = false;
};

using CommandList = std::vector<Command>;

/// The arguments of the commands that run a job over a store (`run`, `export`).
struct JobArgs {
  std::string config;
  std::vector<std::string> overrides;
  bool resume = false;
  bool force = false;
  bool json = false;
  bool progress = false;
  bool no_progress = false;
};

/// What add_job_options() says of a command's config and output.
struct JobText {
  const char* command;      ///< "run", "export": the subcommand, as the resume command names it
  const char* config_help;  ///< the CONFIG argument's help
  const char* set_example;  ///< an example for --set
  const char* output;       ///< "results file", "export file"
};

/// Adds CONFIG, --set, --resume, --force, --json, --progress and --no-progress to `sub`.
void add_job_options(CLI::App& sub, JobArgs& args, const JobText& text);

/// Collective on world: loads the config (every rank the same, or all throw
/// together) and turns the arguments into the job's options.
job::JobOptions job_options(const Context& ctx, const JobArgs& args, const JobText& text, plan::ConfigUse use);

void add_info_command(CLI::App& app, CommandList& commands);
void add_run_command(CLI::App& app, CommandList& commands);
void add_generate_command(CLI::App& app, CommandList& commands);
void add_inspect_command(CLI::App& app, CommandList& commands);
void add_verify_command(CLI::App& app, CommandList& commands);
void add_ingest_command(CLI::App& app, CommandList& commands);
void add_recover_command(CLI::App& app, CommandList& commands);

/// `tsweep --version`: tsweep, its git revision and its libraries' versions.
std::string version_text();

}  // namespace tsweep::cli
