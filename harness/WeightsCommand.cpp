// `mlff-bench weights fetch MODEL [--from URL|ARCHIVE] [--to DIR] [--force]`: downloads the model's
// public weights archive (curl), unpacks it (unzip) in a scratch folder beside the destination,
// checks every file the model reads against the SHA-256 manifest in the source tree, and only then
// moves exactly those files (and the archive's licence) into place in one rename. A folder already
// there that matches is left as it is; one that does not is replaced only with --force.
#include "harness/WeightsCommand.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "core/PythonEnv.hpp"  // lastOutputLine
#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"
#include "harness/CommandSupport.hpp"
#include "harness/InputIdentity.hpp"
#include "harness/Json.hpp"
#include "systems/AtomicFile.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace {
namespace fs = std::filesystem;

/// (relative name, hex SHA-256) per file, from a `sha256sum`-format manifest.
std::vector<std::pair<std::string, std::string>> readManifest(const std::string& path) {
  static const std::regex line(R"(^([0-9a-f]{64})  ([A-Za-z0-9_.+-][A-Za-z0-9_./+-]*)$)");
  std::vector<std::pair<std::string, std::string>> files;
  std::istringstream in(readFile(path));
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (!std::regex_match(text, m, line) || text.find("..") != std::string::npos)
      throw std::runtime_error(path + ": not a manifest line: " + text);
    files.emplace_back(m[2], m[1]);
  }
  if (files.empty()) throw std::runtime_error(path + ": empty manifest");
  return files;
}

/// The first file of `folder` that is missing or differs from the manifest ("" when all match).
std::string firstMismatch(const std::string& folder, const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [name, digest] : files) {
    const fs::path p = fs::path(folder) / name;
    if (!fs::is_regular_file(p)) return name + " is missing";
    if (sha256OfFile(p.string(), kWeightsInput) != digest) return name + " differs from the manifest (sha256)";
  }
  return {};
}

const ModelEntry& entryWithWeights(const std::string& model) {
  std::string known;
  for (const ModelEntry& e : ModelRegistry::instance().entries()) {
    if (e.weightsSource.name.empty()) continue;
    if (e.model == model) return e;
    if (known.find(e.model) == std::string::npos) known += (known.empty() ? "" : ", ") + e.model;
  }
  throw UsageError(model + ": no model of that name has weights to fetch (models with weights: " + known + ")");
}

/// Runs a program in `dir`; throws naming `what` and the last line of its output when it fails.
void runOrThrow(const std::vector<std::string>& argv, const std::string& dir, const std::string& what) {
  SubprocessOptions o;
  o.workDir = dir;
  o.logPath = argv[0].substr(argv[0].rfind('/') + 1) + ".log";
  o.timeoutSeconds = 1800;
  const SubprocessResult r = runProgram(argv, o);
  if (r.ok()) return;
  const std::string log = lastOutputLine(readTextFile(r.logPath, 2048));
  throw std::runtime_error(what + " (" + (r.timedOut ? "timed out" : argv[0] + " exit " + std::to_string(r.exitCode)) +
                           (log.empty() ? "" : ": " + log) + ")");
}

/// The archive inside `work`: downloaded when `from` is a URL, else the local file itself.
std::string obtainArchive(const std::string& from, const std::string& work) {
  if (from.rfind("https://", 0) != 0 && from.rfind("http://", 0) != 0 && from.rfind("file://", 0) != 0) {
    if (!fs::is_regular_file(from)) throw UsageError(from + ": --from is neither a URL nor an archive file");
    return fs::absolute(from).string();
  }
  const std::string archive = work + "/archive.zip";
  runOrThrow({"curl", "-fsSL", "--retry", "2", "--connect-timeout", "30", "-o", archive, from}, work,
             from + ": download failed; without network, give --from a copy of the archive");
  return archive;
}

void fetch(const std::string& model, const std::string& from, const std::string& to, bool force) {
  const WeightsSource src = entryWithWeights(model).weightsSource;
  const auto files = readManifest(src.manifest);
  const std::string dest = fs::absolute(to.empty() ? fetchedWeightsFolder(src.name) : to).lexically_normal().string();
  Json out = {{"model", model}, {"weights", dest}, {"files", files.size()}, {"license", src.license}};
  if (fs::exists(dest)) {
    const std::string why = fs::is_directory(dest) ? firstMismatch(dest, files) : "not a folder";
    if (why.empty()) {
      out["status"] = "already there, every file matches the manifest";
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (!force) throw UsageError(dest + ": already exists and " + why + "; --force replaces it");
  }
  const std::string parent = fs::path(dest).parent_path().string();
  OutputFolder made(parent);    // folders made for it go again if nothing is installed
  reclaimStaleScratch(parent);  // a fetch killed midway left its scratch folder
  ScratchDir work = ScratchDir::create(".mlff-bench-fetch-", parent);  // same file system: one rename installs
  const std::string source = from.empty() ? src.url : from;
  const std::string archive = obtainArchive(source, work.path());
  runOrThrow({"unzip", "-q", archive, "-d", work.path() + "/unpacked"}, work.path(), source + ": not a zip archive");
  const std::string unpacked = work.path() + "/unpacked/" + src.archiveFolder;
  if (!fs::is_directory(unpacked)) throw std::runtime_error(source + ": the archive has no " + src.archiveFolder);
  if (const std::string why = firstMismatch(unpacked, files); !why.empty())
    throw std::runtime_error(source + ": " + src.archiveFolder + "/" + why + "; nothing installed");
  const fs::path staged = fs::path(work.path()) / "install";
  for (const auto& [name, digest] : files) {
    fs::create_directories((staged / name).parent_path());
    fs::copy_file(fs::path(unpacked) / name, staged / name);
  }
  const std::string top = src.archiveFolder.substr(0, src.archiveFolder.find('/'));
  if (fs::is_regular_file(work.path() + "/unpacked/" + top + "/LICENSE"))
    fs::copy_file(work.path() + "/unpacked/" + top + "/LICENSE", staged / "LICENSE");
  if (fs::exists(dest)) fs::remove_all(dest);  // --force, checked above
  fs::rename(staged, dest);
  out["status"] = "fetched from " + source + ", every file matches the manifest";
  out["sha256"] = sha256OfFolder(dest);
  std::cout << out.dump(2) << "\n";
}

}  // namespace

void addWeightsCommand(CLI::App& app) {
  auto* w = app.add_subcommand("weights", "Get a model's real weights (checked file by file against a manifest in the source tree)");
  w->require_subcommand(1);
  auto model = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* f = w->add_subcommand("fetch", "Download MODEL's public weights archive, check every file, install where the suite finds them");
  f->add_option("model", *model, "Model (ani2x)")->required();
  f->add_option("--from", *from, "URL or local copy of the archive [default: the model's public archive]");
  f->add_option("--to", *to, "Folder to install into [default: " + fetchedWeightsFolder("NAME") + "]");
  f->add_flag("--force", *force, "Replace a folder there that does not match the manifest");
  f->callback([=] { fetch(*model, *from, *to, *force); });
}

}  // namespace mlffb
