#pragma once
// The crash-proof suite runner: every point runs in its own worker process (`mlff-bench worker`)
// under a timeout; finished records are appended to REPORT.runs.jsonl (one line each, fsync'd,
// after a header naming the plan) and the report is rebuilt from them atomically after every
// point. A report is never replaced without --force; --resume continues it (refusing a different
// plan unless --extend only adds points); REPORT.lock keeps a second run off it; Ctrl-C, SIGTERM
// and SIGHUP stop after killing the running worker and print how to resume.
#include <optional>
#include <string>
#include <vector>

#include "harness/Json.hpp"
#include "harness/Plan.hpp"
#include "harness/SizeSearch.hpp"

namespace mlffb {

struct RunnerOptions {
  std::string reportPath;
  bool resume = false;
  bool extend = false;  // with resume: the plan may add points
  bool force = false;   // replace an existing report
  double timeoutSeconds = 3600;
  /// Each point's time budget, seconds (0: none): a point predicted past it is skipped with the
  /// prediction (Budget.hpp).
  double pointBudgetSeconds = 0;
  std::string command;        // this run's command line, named in the report lock
  std::string resumeCommand;  // printed after an interruption
  /// Each point is the start of a size search (`max-atoms`): its probes replace it.
  std::optional<SizeSearch> search;
};

/// Runs the plan; returns the process exit code: 0, 1 when a point failed (error, killed, timeout, oom;
/// the report is complete), 128 + the signal after SIGINT/SIGTERM/SIGHUP.
int runSuite(const std::vector<Point>& points, const Json& suite, const RunnerOptions& options);

/// `mlff-bench worker POINT.json RESULT.json`: runs one point in this process.
int workerMain(const std::string& pointFile, const std::string& resultFile);

/// The path of the running mlff-bench executable (workers and profiled runs start it again).
std::string selfExe();

}  // namespace mlffb
