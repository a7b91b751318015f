#pragma once
// Shared by the results-file MPI tests: a scratch folder every rank sees,
// running a schedule of epochs, and checking a finished file's content.

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "synthetic.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/comm.hpp"
#include "tsweep/output/results.hpp"

namespace tsweep::test {

/// A fresh folder made by rank 0 of `comm` and removed when the scope ends (collective).
class ScratchDir {
 public:
  explicit ScratchDir(const exec::Comm& comm);
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();
  [[nodiscard]] std::string file(const std::string& name) const { return m_dir + "/" + name; }

 private:
  const exec::Comm& m_comm;
  std::string m_dir;
};

/// Collective: runs epochs `first_epoch`..`last_epoch` (-1: the last) of this rank's schedule
/// over `epochs` epochs, leaving out units already committed, checks every report, and
/// returns the units committed.
std::int64_t run_epochs(output::ResultsFile& file, const exec::Comm& comm, const plan::Plan& plan, int epochs,
                        int first_epoch = 0, int last_epoch = -1);

/// Rank-local: every dataset of a finished file holds what the plan and the synthetic rows say.
void expect_content(const std::string& path, const plan::Plan& plan, const output::JobIdentity& identity);

/// Collective: `step` throws tsweep::Error with `code` on every rank, and rank 0's message contains `text`
/// (the other ranks' messages carry it too, as the failing rank's or their own).
void expect_error_everywhere(const exec::Comm& comm, const std::function<void()>& step, ExitCode code,
                             const std::string& text);

}  // namespace tsweep::test
