#pragma once
// The crash-proof suite runner: every point runs in its own worker process (`mlff-bench worker`)
// under a timeout; finished records are appended to REPORT.runs.jsonl (one line each, fsync'd)
// and the report is rebuilt from them atomically after every point. --resume skips the points
// already recorded; Ctrl-C stops after killing the running worker and prints how to resume.
#include <string>
#include <vector>

#include "harness/Json.hpp"
#include "harness/Plan.hpp"

namespace mlffb {

struct RunnerOptions {
  std::string reportPath;
  bool resume = false;
  double timeoutSeconds = 3600;
  std::string resumeCommand;  // printed after an interruption
};

/// Runs the plan; returns the process exit code (0, or 130 after Ctrl-C).
int runSuite(const std::vector<Point>& points, const Json& suite, const RunnerOptions& options);

/// `mlff-bench worker POINT.json RESULT.json`: runs one point in this process.
int workerMain(const std::string& pointFile, const std::string& resultFile);

/// Path of the JSON-lines journal next to a report.
std::string journalPath(const std::string& reportPath);

}  // namespace mlffb
