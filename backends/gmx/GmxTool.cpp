#include "backends/gmx/GmxTool.hpp"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>

#include "core/ScratchDir.hpp"
#include "systems/TextParse.hpp"

namespace fs = std::filesystem;

namespace mlffb::classical {

std::string gmxErrorLines(const std::string& log) {
  // GROMACS ends a failure with a block: dashes, "Program: …", "Source file: …", "Function: …",
  // a blank line, the kind ("Fatal error:", "Inconsistency in user input:", …) and the message,
  // then "For more information …". grompp lists its errors before it as "ERROR n [file …]:".
  std::istringstream in(log);
  std::string line, block, errors;
  std::vector<std::string> warnings;  // quoted when grompp stops at "Too many warnings"
  enum { Outside, Header, Message } state = Outside;
  std::vector<std::string> tail;
  std::string* item = nullptr;  // the ERROR or WARNING item being read
  while (std::getline(in, line)) {
    const std::string t(trim(line));
    const bool isError = t.rfind("ERROR ", 0) == 0, isWarning = t.rfind("WARNING ", 0) == 0;
    if ((isError || isWarning) && t.find("]:") != std::string::npos) {
      if (isError) {
        errors += (errors.empty() ? "" : " ") + t;
        item = &errors;
      } else {
        warnings.push_back(t);
        item = &warnings.back();
      }
      continue;
    }
    if (item) {
      if (t.empty()) item = nullptr;
      else *item += " " + t;
    }
    if (t.rfind("Program:", 0) == 0) {
      state = Header;
      block.clear();
      continue;
    }
    if (state == Header) {
      if (t.empty()) state = Message;
      continue;
    }
    if (state == Message) {
      if (t.rfind("For more information", 0) == 0 || t.rfind("-------", 0) == 0) {
        state = Outside;
        continue;
      }
      if (!t.empty()) block += (block.empty() ? "" : " ") + t;
      continue;
    }
    if (!t.empty()) {
      tail.push_back(t);
      if (tail.size() > 3) tail.erase(tail.begin());
    }
  }
  std::string out = errors;
  if (block.find("Too many warnings") != std::string::npos)
    for (size_t i = 0; i < warnings.size() && i < 3; ++i) out += (out.empty() ? "" : " ") + warnings[i];
  if (!block.empty() && out.find(block) == std::string::npos) out += (out.empty() ? "" : " ") + block;
  if (!out.empty()) return out;
  for (const auto& t : tail) out += (out.empty() ? "" : " | ") + t;
  return out.empty() ? "(no output)" : out;
}

GmxTool GmxTool::find(const std::string& program) {
  GmxTool t;
  t.executable = findProgram(program.empty() ? "gmx" : program);
  if (t.executable.empty())
    throw GmxError(program.find('/') != std::string::npos
                       ? "GROMACS not found: '" + program + "' is not an executable file"
                       : "GROMACS not found: no '" + program + "' on PATH (install Debian's gromacs, or give --gmx PATH)");
  std::string text;
  SubprocessResult r;
  {
    const ScratchDir dir = ScratchDir::create("mlffb-gmx-version-" + std::to_string(::getpid()) + "-");
    try {
      r = runProgram({t.executable, "--version"}, {dir.path(), "", "version.log", {}, 60});
    } catch (const std::exception& e) {
      throw GmxError(std::string("GROMACS: ") + e.what());
    }
    text = readTextFile(r.logPath);
  }
  if (!r.ok()) throw GmxError(t.executable + " --version failed: " + gmxErrorLines(text));
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(GROMACS version:\s*(\S+))")))
    throw GmxError(t.executable + " --version printed no 'GROMACS version:' line");
  t.version = m[1];
  t.major = std::atoi(t.version.c_str());
  // NNPot: GROMACS 2025+, built with Torch (2026 prints "Torch support: enabled/disabled").
  std::smatch torch;
  const bool saysTorch = std::regex_search(text, torch, std::regex(R"((Torch|NNPot|Neural network)[^:\n]*:\s*(\S+))", std::regex::icase));
  if (t.major < 2025) {
    t.nnpotReason = "gmx " + t.version + " has no NNPot interface (it needs GROMACS 2025 or later built with -DGMX_NNPOT=TORCH)";
  } else if (saysTorch && (torch[2] == "disabled" || torch[2] == "no" || torch[2] == "off")) {
    t.nnpotReason = "gmx " + t.version + " was built without Torch (" + std::string(torch[0]) + "), so NNPot is not linked in";
  } else {
    t.nnpot = true;
  }
  return t;
}

const GmxTool& GmxTool::cached(const std::string& program) {
  struct Found {
    GmxTool tool;
    std::string error;
  };
  static std::mutex mu;
  static std::map<std::string, Found> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(program);
  if (it == cache.end()) {
    Found f;
    try {
      f.tool = find(program);
    } catch (const std::exception& e) {
      f.error = e.what();
    }
    it = cache.emplace(program, std::move(f)).first;
  }
  if (!it->second.error.empty()) throw GmxError(it->second.error);
  return it->second.tool;
}

std::string GmxTool::unavailableReason(const std::string& program) {
  try {
    cached(program);
  } catch (const GmxError& e) {
    return e.what();
  }
  return "";
}

SubprocessResult GmxTool::run(const std::vector<std::string>& args, const std::string& workDir, const std::string& logName,
                              const std::string& stdinText, double timeoutSeconds, int threads) const {
  std::vector<std::string> argv{executable, "-quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions o;
  o.workDir = workDir;
  o.stdinText = stdinText;
  o.logPath = logName + ".log";
  o.timeoutSeconds = timeoutSeconds;
  if (threads > 0) o.env["OMP_NUM_THREADS"] = std::to_string(threads);
  o.env["GMX_MAXBACKUP"] = "-1";  // overwrite in the work folder, no #backup# files
  const SubprocessResult r = runProgram(argv, o);
  if (!r.ok()) {
    std::string what = "gmx " + (args.empty() ? std::string() : args[0]) + " failed";
    if (r.timedOut) what += " (stopped after " + std::to_string(static_cast<int>(timeoutSeconds)) + " s)";
    else if (r.signal) what += " (signal " + std::to_string(r.signal) + ")";
    else what += " (exit " + std::to_string(r.exitCode) + ")";
    throw GmxError(what + ": " + gmxErrorLines(readTextFile(r.logPath, 1 << 20)) + " [log: " + r.logPath + "]");
  }
  return r;
}

}  // namespace mlffb::classical
