#include "harness/CompareCommand.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

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
}  // namespace

void addCompareCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto o = std::make_shared<CompareOptions>();
  auto* c = app.add_subcommand("compare", "Compare reports across devices: rows are points, columns devices");
  c->add_option("REPORTS", *files, "Report files")->required();
  c->add_option("--baseline", o->baseline, "Report whose device is the baseline (default: the first)");
  c->add_option("--metric", o->metric, "total | stage:NAME | ns_per_day | ms_per_step | gflops:STAGE | peak_rss");
  c->add_option("--format", o->format, "md | csv | json");
  c->callback([=] { std::cout << compareReports(loadReports(*files), *o); });
}

void addReportCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto* r = app.add_subcommand("report", "Figures (PNG/SVG) and an index page from one or more reports");
  r->add_option("REPORTS", *files, "Report files (several: cross-device figures)")->required();
  r->add_option("--out", *out, "Output folder")->required();
  r->callback([=] {
    loadReports(*files);  // one clear error for a bad file before Python starts
    ensureWritableDirectory(*out);
    std::string cmd = "/usr/bin/python3 '" + scriptPath("plot_report.py") + "' --out '" + *out + "'";
    for (const auto& f : *files) cmd += " '" + f + "'";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) throw std::runtime_error("plot_report.py failed (exit " + std::to_string(WEXITSTATUS(rc)) + ")");
  });
}

}  // namespace mlffb
