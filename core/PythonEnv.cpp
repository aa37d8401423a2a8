// The project's Python environment (see PythonEnv.hpp): found once, imports asked once per list.
#include "core/PythonEnv.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"

namespace mlffb {

std::string projectSourceDir() { return MLFFB_SOURCE_DIR; }

std::string projectScript(const std::string& relative) {
  return (std::filesystem::path(projectSourceDir()) / "scripts" / relative).string();
}

std::string pythonInterpreter(std::string* why) {
  const char* env = std::getenv("MLFFB_PYTHON");
  const bool fromEnv = env && *env;
  const std::string path = fromEnv ? std::string(env) : projectSourceDir() + "/.venv/bin/python3";
  if (::access(path.c_str(), X_OK) == 0) return path;
  if (why)
    *why = fromEnv ? "MLFFB_PYTHON=" + path + " is not an executable Python"
                   : "no Python environment at " + projectSourceDir() + "/.venv (scripts/setup.sh creates it)";
  return {};
}

std::string lastOutputLine(const std::string& text) {
  size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return {};
  size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

bool pythonHasModules(const std::vector<std::string>& modules, std::string* why) {
  static std::mutex mutex;
  static std::map<std::vector<std::string>, std::string> answers;  // list → "" (yes) or the reason
  std::lock_guard lock(mutex);
  auto it = answers.find(modules);
  if (it == answers.end()) {
    std::string reason;
    const std::string python = pythonInterpreter(&reason);
    if (!python.empty()) {
      std::string code = "import sys\n";
      for (const auto& m : modules) code += "import " + m + "\n";
      ScratchDir dir = ScratchDir::create("mlffb-python-");
      SubprocessOptions o;
      o.workDir = dir.path();
      o.logPath = "imports.log";
      o.timeoutSeconds = 120;
      o.env["PYTHONDONTWRITEBYTECODE"] = "1";
      SubprocessResult r = runProgram({python, "-c", code}, o);
      if (!r.ok()) reason = python + " cannot import them: " + lastOutputLine(readTextFile(r.logPath, 4096));
    }
    it = answers.emplace(modules, reason).first;
  }
  if (why) *why = it->second;
  return it->second.empty();
}

}  // namespace mlffb
