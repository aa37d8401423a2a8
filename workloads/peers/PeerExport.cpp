// Peer TorchScript files made by the packages' own scripts and kept under a key (PeerExport.hpp).
#include "workloads/peers/PeerExport.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "core/PythonEnv.hpp"
#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"
#include "systems/InputFile.hpp"

namespace mlffb {
namespace fs = std::filesystem;

namespace {

/// FNV-1a, 64 bits: a stable key of everything a file depends on (not a security digest).
class KeyHash {
 public:
  void add(const std::string& bytes) {
    for (unsigned char c : bytes) h_ = (h_ ^ c) * 0x100000001b3ULL;
    h_ = (h_ ^ 0xff) * 0x100000001b3ULL;  // a separator, so ("ab","c") and ("a","bc") differ
  }
  std::string hex() const {
    char s[17];
    std::snprintf(s, sizeof s, "%016llx", static_cast<unsigned long long>(h_));
    return s;
  }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

/// Every regular file under `folder` (through links) whose name ends with `suffix`, as relative
/// path and content, in name order; `folder` may be one file (its content).
void addFolder(KeyHash& key, const std::string& folder, const std::string& suffix = "") {
  if (fs::is_regular_file(folder)) return key.add(readInputFile(folder, kModelInput));  // a model file
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink))
    if (e.is_regular_file() && e.path().string().ends_with(suffix)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    key.add(fs::relative(f, folder).string());
    key.add(readInputFile(f.string(), kWeightsInput));
  }
}

/// Runs the project's Python with `args` in `workDir`, output into `log` there.
SubprocessResult runPython(const std::vector<std::string>& args, const std::string& workDir, const std::string& log,
                           double timeoutSeconds) {
  std::string why;
  const std::string python = pythonInterpreter(&why);
  if (python.empty()) throw std::runtime_error(why);
  std::vector<std::string> argv{python};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions o;
  o.workDir = workDir;
  o.logPath = log;
  o.timeoutSeconds = timeoutSeconds;
  o.env["PYTHONDONTWRITEBYTECODE"] = "1";
  o.env["TORCHANI_NO_WARN_EXTENSIONS"] = "1";
  return runProgram(argv, o);
}

std::string failure(const SubprocessResult& r) {
  if (r.timedOut) return "timed out";
  return (r.signal ? "killed by signal " + std::to_string(r.signal) : "exit " + std::to_string(r.exitCode)) + ": " +
         lastOutputLine(readTextFile(r.logPath, 4096));
}

/// Makes the file in a scratch folder inside the cache and moves it to `target` (its .json first).
void makeFile(const PeerExportRequest& rq, const fs::path& target) {
  ScratchDir work = ScratchDir::create("mlffb-export-", target.parent_path().string());
  std::vector<std::string> args{projectScript(rq.script)};
  args.insert(args.end(), rq.args.begin(), rq.args.end());
  args.insert(args.end(), {"--out", "model.pt"});
  const SubprocessResult r = runPython(args, work.path(), "export.log", rq.timeoutSeconds);
  if (!r.ok()) {
    work.keep();
    throw std::runtime_error(rq.what + ": " + rq.script + " failed (" + failure(r) + "); log: " + work.path() + "/export.log");
  }
  fs::rename(fs::path(work.path()) / "model.pt.json", target.string() + ".json");
  fs::rename(fs::path(work.path()) / "model.pt", target);  // last: its presence means both are there
}

}  // namespace

std::string peerCacheDir() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v && *v ? v : "";
  };
  if (!env("MLFFB_CACHE_DIR").empty()) return (fs::path(env("MLFFB_CACHE_DIR")) / "peers").string();
  if (!env("XDG_CACHE_HOME").empty()) return (fs::path(env("XDG_CACHE_HOME")) / "mlff-bench" / "peers").string();
  if (!env("HOME").empty()) return (fs::path(env("HOME")) / ".cache" / "mlff-bench" / "peers").string();
  return (fs::temp_directory_path() / "mlff-bench-cache" / "peers").string();
}

std::map<std::string, std::string> pythonPackageVersions(const std::vector<std::string>& packages) {
  static std::mutex mutex;
  static std::map<std::vector<std::string>, std::map<std::string, std::string>> known;
  std::lock_guard lock(mutex);
  if (auto it = known.find(packages); it != known.end()) return it->second;
  std::string code = "import importlib.metadata as m\n";
  for (const auto& p : packages) code += "print(m.version('" + p + "'))\n";
  ScratchDir dir = ScratchDir::create("mlffb-python-");
  const SubprocessResult r = runPython({"-c", code}, dir.path(), "versions.log", 120);
  if (!r.ok()) throw std::runtime_error("cannot read the versions of the Python packages (" + failure(r) + ")");
  std::istringstream lines(readTextFile(r.logPath));
  std::map<std::string, std::string> versions;
  for (const auto& p : packages) std::getline(lines, versions[p]);
  return known.emplace(packages, versions).first->second;
}

PeerExportResult peerExport(const PeerExportRequest& rq) {
  const auto start = std::chrono::steady_clock::now();
  KeyHash key;
  addFolder(key, fs::path(projectScript(rq.script)).parent_path().string(), ".py");  // the script and what it imports
  for (const auto& a : rq.args) key.add(a);
  for (const auto& [name, version] : pythonPackageVersions(rq.packages)) key.add(name + "==" + version);
  for (const auto& f : rq.keyPaths) addFolder(key, f);
  const fs::path dir = peerCacheDir();
  fs::create_directories(dir);
  const fs::path file = dir / (rq.what + "-" + key.hex() + ".pt");
  PeerExportResult out;
  out.cached = fs::exists(file);
  if (!out.cached) makeFile(rq, file);
  out.file = file.string();
  out.info = nlohmann::ordered_json::parse(readTextFile(file.string() + ".json"));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace mlffb
