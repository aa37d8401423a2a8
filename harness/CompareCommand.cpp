// `mlff-bench compare` (a table across reports) and `mlff-bench report` (figures from reports).
#include "harness/CompareCommand.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include "core/Subprocess.hpp"
#include "harness/Compare.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/InputFile.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {
std::vector<std::pair<std::string, Json>> loadReports(const std::vector<std::string>& files) {
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& f : files) out.emplace_back(f, parseReportText(readInputFile(f, kReportInput), f));
  return out;
}

std::string scriptPath(const std::string& name) {
  if (const char* d = std::getenv("MLFFB_SCRIPTS")) return (fs::path(d) / name).string();
  return (fs::path(MLFFB_SOURCE_DIR) / "scripts" / name).string();
}
/// The line of plot_report.py's output naming a file it could not write ("cannot write: PATH:
/// CAUSE"), as an error naming the file where it was to go; empty if none.
std::string writeFailure(const std::string& log, const StagingFolder& staging) {
  const std::string tag = "cannot write: ";
  const auto at = log.rfind("\n" + tag);
  if (at == std::string::npos && log.rfind(tag, 0) != 0) return "";
  std::string line = log.substr(at == std::string::npos ? tag.size() : at + 1 + tag.size());
  line = line.substr(0, line.find('\n'));
  const auto colon = line.rfind(": ");
  if (colon == std::string::npos) return "";
  return staging.shown(line.substr(0, colon)) + ": cannot write (" + line.substr(colon + 2) + ")";
}

/// Runs plot_report.py on `files` into the staging folder (an argument vector: no shell sees a
/// name); its summary line, the folder named as the output. A failure throws naming the file
/// and the cause, or the kept log when the script's output names none.
std::string runPlotScript(const std::vector<std::string>& files, const StagingFolder& staging) {
  std::string log = (fs::temp_directory_path() / "mlff-bench-report-XXXXXX.log").string();
  const int fd = ::mkstemps(log.data(), 4);
  if (fd < 0) throw std::runtime_error(log + ": cannot create the plotting log (" + std::strerror(errno) + ")");
  ::close(fd);
  std::vector<std::string> argv = {"/usr/bin/python3", scriptPath("plot_report.py"), "--out", staging.path(), "--"};
  argv.insert(argv.end(), files.begin(), files.end());
  SubprocessOptions so;
  so.logPath = log;
  const SubprocessResult r = runProgram(argv, so);
  const std::string text = readTextFile(log);
  if (r.ok()) {
    fs::remove(log);
    std::string last = text.substr(0, text.find_last_not_of('\n') + 1);
    last = last.substr(last.rfind('\n') + 1);
    const auto in = last.find(staging.path());
    return in == std::string::npos ? "" : last.replace(in, staging.path().size(), staging.shown(staging.path()));
  }
  if (const std::string why = writeFailure(text, staging); !why.empty()) {
    fs::remove(log);
    throw std::runtime_error(why);
  }
  const std::string how = r.signal ? "killed by signal " + std::to_string(r.signal) : "exit " + std::to_string(r.exitCode);
  throw std::runtime_error("plot_report.py failed (" + how + "); its output: " + log);
}

}  // namespace

void addCompareCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto o = std::make_shared<CompareOptions>();
  auto* c = app.add_subcommand("compare", "Compare reports across devices: rows are points, columns devices");
  c->add_option("REPORTS", *files, "Report files")->required();
  c->add_option("--baseline", o->baseline, "Report whose device is the baseline (default: the first)");
  c->add_option("--metric", o->metric, "total | stage:NAME | ns_per_day | ms_per_step | us_per_atom_step | atom_steps_per_s | gflops:STAGE | peak_rss");
  c->add_option("--format", o->format, "md | csv | json");
  c->callback([=] { std::cout << compareReports(loadReports(*files), *o); });
}

void addReportCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* r = app.add_subcommand("report", "Figures (PNG/SVG) and an index page from one or more reports");
  r->add_option("REPORTS", *files, "Report files (several: cross-device figures)")->required();
  r->add_option("--out", *out, "Output folder")->required();
  r->add_flag("--force", *force, "Replace figures and index pages already in --out");
  r->callback([=] {
    loadReports(*files);  // one clear error for a bad file before Python starts
    requireNewInFolder(*out, {"index.md", "index.html"}, *force);  // always written: refused before drawing
    const OutputFolder folder(*out);
    StagingFolder staging(*out);
    const std::string summary = runPlotScript(*files, staging);
    const size_t moved = staging.commit(*force ? Existing::Replace : Existing::Refuse).size();
    std::cout << (summary.empty() ? std::to_string(moved) + " files in " + *out : summary) << "\n";
  });
}

}  // namespace mlffb
