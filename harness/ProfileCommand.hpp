#pragma once
// `mlff-bench profile ncu|nsys [tool options] -- <run arguments>`: runs the point once plainly
// (its report keeps clean timings), then under Nsight Compute (one ncu run per stage, NVTX
// include filter `mlff-bench@STAGE/`, capture from cudaProfilerStart, kernel replay) or Nsight
// Systems (capture range cudaProfilerApi), with in-process CUPTI off in those runs; exports the
// results as CSV and imports them into the plain run's record (NsightImport). `--dry-run` prints
// the command lines; a missing tool is an error naming it.
#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace mlffb {

struct ProfileRequest {
  std::string tool;                  // ncu | nsys
  std::string toolPath;              // empty: found on PATH
  std::vector<std::string> stages;   // ncu: NVTX ranges to profile, one ncu run each
  std::string metrics;               // ncu --metrics (default: the cupti-range memory set)
  std::string section;               // ncu --set (instead of --metrics)
  std::string kernel;                // ncu -k regex:
  int launchCount = 0;               // ncu -c (0: all)
  std::vector<std::string> runArgs;  // for `mlff-bench run`
};

/// One program the profile command runs: its argv, extra environment, where its output goes.
struct ProfileStep {
  std::string what;  // "run", "profile", "export"
  std::string stage;
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string log;  // stdout + stderr (the CSV of an ncu export)
};

struct ProfilePlan {
  std::string report;   // the plain run's report, where the results are imported
  std::string workDir;  // the tool's reports, CSVs and logs
  bool force = false;   // the run's --force: the report and the tool's folder may be replaced
  std::vector<ProfileStep> steps;
};

/// The steps for `request`, `exe` being mlff-bench and `tool` the tool's path. Throws
/// std::invalid_argument for run arguments it cannot profile (no run arguments, --resume).
ProfilePlan planProfile(const ProfileRequest& request, const std::string& exe, const std::string& tool, const std::string& defaultReport);

/// A shell-quoted command line, for --dry-run and logs.
std::string commandLine(const ProfileStep& step);

void addProfileCommand(CLI::App& app);

/// `mlff-bench profile … -- RUN ARGS`: takes everything after the first `--` out of `args`
/// (program name first) for the profile command, before the command line is parsed.
std::vector<std::string> splitProfileArguments(std::vector<std::string>& args);
std::vector<std::string> profileRunArgs();

}  // namespace mlffb
