#include "TestUtil.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mlffb::test {

CommandResult runShell(const std::string& command) {
  static std::atomic<int> counter{0};
  const std::string base = std::filesystem::temp_directory_path().string() + "/mlffb-cmd-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const std::string full = "(" + command + ") >" + base + ".out 2>" + base + ".err";
  const int status = std::system(full.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    std::filesystem::remove(p);
    return ss.str();
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(base + ".out"), slurp(base + ".err")};
}

CommandResult runCli(const std::string& args) { return runShell(std::string(MLFFB_BINARY) + " " + args); }

std::string freshTempDir(const std::string& tag) {
  const auto p = std::filesystem::temp_directory_path() / ("mlffb-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace mlffb::test
