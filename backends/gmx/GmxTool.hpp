#pragma once
// The GROMACS command-line tool as installed: found on PATH (or given), its version and whether
// it has the Neural Network Potential interface (NNPot, GROMACS 2025+ built with Torch); each
// subcommand run in a work folder with its own log, a failure quoting gmx's own error lines.
#include <stdexcept>
#include <string>
#include <vector>

#include "core/Subprocess.hpp"

namespace mlffb::classical {

class GmxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GmxTool {
  std::string executable;   // full path
  std::string version;      // "2022.5-Debian_2022.5_2"
  int major = 0;            // 2022
  bool nnpot = false;
  std::string nnpotReason;  // why not, when !nnpot

  /// Finds `program` (default "gmx") and reads `gmx --version`; throws GmxError saying why not.
  static GmxTool find(const std::string& program = "gmx");
  /// find(), once per program name in this process (the planner asks for every point).
  static const GmxTool& cached(const std::string& program = "gmx");
  /// Why gmx cannot be used here (empty when it can), from cached().
  static std::string unavailableReason(const std::string& program = "gmx");

  /// Runs `gmx <args>` in `workDir` with the log `<logName>.log`; throws GmxError quoting the
  /// "Fatal error" lines (or the log's tail) and naming the log when it fails.
  SubprocessResult run(const std::vector<std::string>& args, const std::string& workDir, const std::string& logName,
                       const std::string& stdinText = "", double timeoutSeconds = 0, int threads = 0) const;
};

/// The error lines of a gmx log: the text after "Fatal error:" up to the "For more information"
/// line, or else the last few non-empty lines.
std::string gmxErrorLines(const std::string& logText);

}  // namespace mlffb::classical
