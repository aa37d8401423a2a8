#pragma once
// Helpers for tests that run the mlff-bench binary.
#include <string>

namespace mlffb::test {

struct CommandResult {
  int exitCode;
  std::string out;  // stdout
  std::string err;  // stderr
};

/// Runs `args` (shell-quoted by the caller) with the mlff-bench binary.
CommandResult runCli(const std::string& args);
/// Runs any shell command.
CommandResult runShell(const std::string& command);
/// A fresh empty folder under the system temp directory.
std::string freshTempDir(const std::string& tag);

}  // namespace mlffb::test
