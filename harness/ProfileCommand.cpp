#include "harness/ProfileCommand.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/Errors.hpp"
#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"
#include "harness/Compare.hpp"
#include "harness/NsightImport.hpp"
#include "harness/Report.hpp"
#include "harness/ReportLock.hpp"
#include "harness/Runner.hpp"
#include "profilers/Range.hpp"
#include "profilers/cupti/CuptiSupport.hpp"
#include "profilers/cupti/RangeMetrics.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kDefaultStages = {"neighbors", "descriptor", "energy", "forces"};

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

std::string commandLine(const ProfileStep& step) {
  std::string s;
  for (const auto& [k, v] : step.env) s += k + "=" + shellQuote(v) + " ";
  for (size_t i = 0; i < step.argv.size(); ++i) s += (i ? " " : "") + shellQuote(step.argv[i]);
  return s;
}

ProfilePlan planProfile(const ProfileRequest& rq, const std::string& exe, const std::string& tool, const std::string& defaultReport) {
  if (rq.tool != "ncu" && rq.tool != "nsys") throw std::invalid_argument("profile: unknown tool '" + rq.tool + "' (known: ncu, nsys)");
  if (rq.runArgs.empty()) throw std::invalid_argument("profile: no run arguments (mlff-bench profile " + rq.tool + " -- --suite polyala --sizes 10 ...)");
  // The run's own --out (the report the results go into); --force passes on; --resume cannot.
  ProfilePlan plan;
  std::vector<std::string> args;
  bool force = false;
  for (size_t i = 0; i < rq.runArgs.size(); ++i) {
    const std::string& a = rq.runArgs[i];
    if (a == "--out" && i + 1 < rq.runArgs.size()) {
      plan.report = rq.runArgs[++i];
    } else if (a.rfind("--out=", 0) == 0) {
      plan.report = a.substr(6);
    } else if (a == "--force") {
      force = true;
    } else if (a == "--resume") {
      throw std::invalid_argument("profile: --resume cannot be profiled (profile a fresh run)");
    } else if (a == "--profile" || a.rfind("--profile=", 0) == 0) {
      // Collectors stay the user's in the plain run; the tool runs take none (CUPTI belongs to the tool).
      args.push_back(a);
      if (a == "--profile" && i + 1 < rq.runArgs.size()) args.push_back(rq.runArgs[++i]);
    } else {
      args.push_back(a);
    }
  }
  if (plan.report.empty()) plan.report = defaultReport;
  plan.workDir = plan.report + "." + rq.tool;
  plan.force = force;
  const std::string work = plan.workDir;

  ProfileStep run{"run", "", {exe, "run"}, {}, work + "/run.log"};
  run.argv.insert(run.argv.end(), args.begin(), args.end());
  run.argv.insert(run.argv.end(), {"--out", plan.report});
  if (force) run.argv.push_back("--force");
  plan.steps.push_back(run);

  const std::map<std::string, std::string> env = {{profilers::kCaptureEnv, "1"}, {profilers::cupti::kUnderNsightEnv, rq.tool}};
  auto profiled = [&](const std::string& tag) {
    std::vector<std::string> a = {exe, "run"};
    a.insert(a.end(), args.begin(), args.end());
    a.insert(a.end(), {"--out", work + "/run-" + tag + ".json", "--force"});
    return a;
  };
  if (rq.tool == "ncu") {
    std::string metrics = rq.metrics;
    if (metrics.empty() && rq.section.empty()) metrics = join(profilers::cupti::metricSet("memory"), ",");
    for (const auto& stage : rq.stages.empty() ? kDefaultStages : rq.stages) {
      ProfileStep p{"profile", stage, {tool, "--nvtx", "--nvtx-include", std::string(profilers::kNvtxDomain) + "@" + stage + "/",
                                       "--profile-from-start", "off", "--target-processes", "all", "--replay-mode", "kernel"},
                    env, work + "/ncu-" + stage + ".log"};
      if (!rq.section.empty()) p.argv.insert(p.argv.end(), {"--set", rq.section});
      if (!metrics.empty()) p.argv.insert(p.argv.end(), {"--metrics", metrics});
      if (!rq.kernel.empty()) p.argv.insert(p.argv.end(), {"-k", "regex:" + rq.kernel});
      if (rq.launchCount > 0) p.argv.insert(p.argv.end(), {"-c", std::to_string(rq.launchCount)});
      p.argv.insert(p.argv.end(), {"-f", "-o", work + "/ncu-" + stage});
      const auto cmd = profiled(stage);
      p.argv.insert(p.argv.end(), cmd.begin(), cmd.end());
      plan.steps.push_back(p);
      plan.steps.push_back({"export", stage, {tool, "-i", work + "/ncu-" + stage + ".ncu-rep", "--csv", "--page", "raw", "--print-units", "base"}, {},
                            work + "/ncu-" + stage + ".csv"});
    }
  } else {
    ProfileStep p{"profile", "", {tool, "profile", "--trace=cuda,nvtx,osrt", "--capture-range=cudaProfilerApi", "--capture-range-end=stop",
                                  "--cuda-graph-trace=node", "-f", "true", "-o", work + "/nsys"},
                  env, work + "/nsys.log"};
    const auto cmd = profiled("nsys");
    p.argv.insert(p.argv.end(), cmd.begin(), cmd.end());
    plan.steps.push_back(p);
    plan.steps.push_back({"export", "", {tool, "stats", "--force-export=true", "--report", "cuda_gpu_kern_sum,nvtx_sum,cuda_api_sum", "--format",
                                         "csv", "--output", work + "/nsys", work + "/nsys.nsys-rep"},
                          {}, work + "/nsys-stats.log"});
  }
  return plan;
}

namespace {

/// The number of samples the run's figures are per: its repeats, or its MD steps.
double samplesOf(const Json& run) {
  const Json& m = run["measurements"];
  if (run.value("mode", "") == "md" && m.contains("md") && m["md"].contains("steps")) return m["md"]["steps"].get<double>();
  return m.value("repeats", 1.0);
}

/// Merges `sections` into the run's measurements: a section the run already has (an in-process
/// collector's) is kept, and the imported one goes under nsight.<tool>.
void mergeSections(Json& m, const std::string& tool, const Json& sections, Json& written) {
  for (const auto& [k, v] : sections.items()) {
    if (!m.contains(k)) {
      m[k] = v;
      written.push_back(k);
    } else {
      m["nsight"][tool]["sections"][k] = v;
      written.push_back("nsight." + tool + ".sections." + k);
    }
  }
}

void runStep(const ProfileStep& step) {
  std::cerr << "profile: " << commandLine(step) << "\n";
  SubprocessOptions o;
  o.logPath = step.log;
  o.env = step.env;
  const SubprocessResult r = runProgram(step.argv, o);
  if (!r.ok())
    throw std::runtime_error("profile: " + fs::path(step.argv[0]).filename().string() + " " + step.what + " step failed (" +
                             (r.signal ? "signal " + std::to_string(r.signal) : "exit " + std::to_string(r.exitCode)) + "), see " + step.log);
}

/// The plain run's report, which must hold one run that is ok (before any tool runs).
Json singlePointReport(const std::string& report) {
  Json doc = parseReportText(readFile(report), report);
  const Json& runs = doc["runs"];
  if (runs.size() != 1)
    throw std::runtime_error("profile: " + report + " has " + std::to_string(runs.size()) +
                             " runs; profile one point (narrow --sizes, --model, --flavor, --mode, --device)");
  if (runs[0].value("status", "") != "ok")
    throw std::runtime_error("profile: the run in " + report + " is " + runs[0].value("status", "?") + ": " + runs[0].value("message", ""));
  return doc;
}

void importResults(const ProfileRequest& rq, const ProfilePlan& plan) {
  ReportLock lock(plan.report, "profile");
  Json doc = singlePointReport(plan.report);
  Json& run = doc["runs"][0];
  const double samples = samplesOf(run);
  Json sections = Json::object();
  Json files = Json::array();
  for (const auto& step : plan.steps) {
    if (step.what != "export") continue;
    if (rq.tool == "ncu") {
      files.push_back(step.log);
      const Json one = importNcuRaw(readFile(step.log), step.log, step.stage, samples);
      for (auto& k : one["kernel_metrics"]) sections["kernel_metrics"].push_back(k);
      for (auto& [stage, t] : one["traffic"].items()) sections["traffic"][stage] = t;
    } else {
      auto csv = [&](const std::string& report) {
        const std::string f = plan.workDir + "/nsys_" + report + ".csv";
        if (!fs::exists(f)) throw std::runtime_error("profile: nsys stats wrote no " + f + " (see " + step.log + ")");
        files.push_back(f);
        return readFile(f);
      };
      sections = importNsysStats(csv("cuda_gpu_kern_sum"), csv("nvtx_sum"), csv("cuda_api_sum"), plan.workDir + "/nsys_*.csv", samples);
    }
  }
  Json& m = run["measurements"];
  Json written = Json::array();
  mergeSections(m, rq.tool, sections, written);
  Json commands = Json::array();
  for (const auto& s : plan.steps) commands.push_back(commandLine(s));
  m["nsight"][rq.tool]["commands"] = commands;
  m["nsight"][rq.tool]["files"] = files;
  m["nsight"][rq.tool]["written"] = written;
  m["nsight"][rq.tool]["samples"] = samples;
  m["collectors"][rq.tool] = {{"status", "ok"}, {"imported_from", plan.workDir}};
  writeFileAtomically(plan.report, doc.dump(2) + "\n");
}

}  // namespace

namespace {
std::vector<std::string>& runArgsStore() {
  static std::vector<std::string> args;
  return args;
}
}  // namespace

std::vector<std::string> splitProfileArguments(std::vector<std::string>& args) {
  std::vector<std::string> tail;
  if (args.size() < 2 || args[1] != "profile") return tail;
  for (size_t i = 2; i < args.size(); ++i)
    if (args[i] == "--") {
      tail.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      args.resize(i);
      break;
    }
  runArgsStore() = tail;
  return tail;
}

std::vector<std::string> profileRunArgs() { return runArgsStore(); }

/// A dry run still checks the run arguments: `mlff-bench run ARGS --plan` must accept them (what a
/// real profile finds out only after its plain run), so a wrong command line shows before any slot.
void checkRunArguments(const std::vector<std::string>& runArgs) {
  std::vector<std::string> argv{selfExe(), "run"};
  argv.insert(argv.end(), runArgs.begin(), runArgs.end());
  argv.push_back("--plan");
  const ScratchDir scratch = ScratchDir::create("mlffb-profile-plan-");
  SubprocessOptions o;
  o.logPath = scratch.path() + "/plan.log";
  o.timeoutSeconds = 60;
  const SubprocessResult r = runProgram(argv, o);
  std::string why;
  for (std::istringstream in(readTextFile(o.logPath)); std::getline(in, why);)
    if (why.rfind("mlff-bench: error: ", 0) == 0) break;
  if (!r.ok())
    throw UsageError("profile: `mlff-bench run` refuses the arguments after --: " +
                     (why.rfind("mlff-bench: error: ", 0) == 0 ? why.substr(19) : "exit " + std::to_string(r.exitCode)));
}

void addProfileCommand(CLI::App& app) {
  auto rq = std::make_shared<ProfileRequest>();
  auto dryRun = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("profile", "Run one point under Nsight Compute (ncu) or Nsight Systems (nsys) and import the results into its report");
  c->add_option("TOOL", rq->tool, "ncu | nsys")->required()->check(CLI::IsMember({"ncu", "nsys"}));
  c->footer("After --: the arguments of `mlff-bench run`, naming one point.");
  c->add_option("--tool-path", rq->toolPath, "the tool's executable (default: found on PATH)");
  c->add_option("--stage", rq->stages, "ncu: stages to profile, one ncu run each (default: neighbors,descriptor,energy,forces)")->delimiter(',');
  c->add_option("--metrics", rq->metrics, "ncu --metrics (default: the cupti-range memory set, for comparison)");
  c->add_option("--set", rq->section, "ncu --set (a section set, instead of --metrics)");
  c->add_option("--kernel", rq->kernel, "ncu: only kernels matching this regex");
  c->add_option("--launch-count", rq->launchCount, "ncu -c: at most this many kernels per stage")->check(CLI::Range(1, 1000000));
  c->add_flag("--dry-run", *dryRun, "print the command lines and exit");
  c->callback([=] {
    rq->runArgs = profileRunArgs();
    const std::string found = findProgram(rq->toolPath.empty() ? rq->tool : rq->toolPath);
    if (found.empty() && !*dryRun)
      throw std::runtime_error("profile: " + (rq->toolPath.empty() ? rq->tool : rq->toolPath) + " not found" +
                               (rq->toolPath.empty() ? " on PATH (" + std::string(rq->tool == "ncu" ? "Nsight Compute" : "Nsight Systems") +
                                                           "; install it or pass --tool-path)"
                                                     : ""));
    const std::string defaultReport = "results/local/profile-" + rq->tool + "-" + utcTime("%Y%m%dT%H%M%SZ") + ".json";
    const ProfilePlan plan = [&] {
      try {
        return planProfile(*rq, selfExe(), found.empty() ? rq->tool : found, defaultReport);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
    }();
    if (*dryRun) {
      checkRunArguments(rq->runArgs);
      for (const auto& s : plan.steps) std::cout << commandLine(s) << (s.what == "export" ? " > " + shellQuote(s.log) : "") << "\n";
      return;
    }
    const fs::path work(plan.workDir);
    requireNewInFolder(work.has_parent_path() ? work.parent_path().string() : ".", {work.filename().string()}, plan.force);
    const OutputFolder workFolder(plan.workDir);
    for (size_t k = 0; k < plan.steps.size(); ++k) {
      runStep(plan.steps[k]);
      if (k == 0) singlePointReport(plan.report);  // one point, ok: only then the (slow) tool runs
    }
    importResults(*rq, plan);
    std::cout << "report: " << plan.report << " (" << rq->tool << " results imported; tool files in " << plan.workDir << ")\n";
  });
}

}  // namespace mlffb
