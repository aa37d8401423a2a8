// mlff-bench: workload characterisation and benchmarking of machine-learning force fields.
// Every failure is one line on stderr, `mlff-bench: error: …`: exit 2 when the command line itself
// cannot be run (usage), 1 when the work failed.
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/Errors.hpp"
#include "core/Subprocess.hpp"
#include "harness/BuildInfo.hpp"
#include "harness/CompareCommand.hpp"
#include "harness/ExportCommand.hpp"
#include "harness/ListCommand.hpp"
#include "harness/ProfileCommand.hpp"
#include "harness/RunCommand.hpp"
#include "harness/SystemsCommand.hpp"
#include "harness/WeightsCommand.hpp"

namespace {
int fail(int code, std::string what) {
  for (auto& c : what)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "mlff-bench: error: " << what << "\n";
  return code;
}
}  // namespace

int main(int argc, char** argv) {
  // A write past the file-size limit (ulimit -f) is then an EFBIG error naming the file, not a crash.
  std::signal(SIGXFSZ, SIG_IGN);
  mlffb::dieWithParentIfAsked();  // started by the suite itself (ncu under `profile`): never outlives it
  CLI::App app{"mlff-bench: characterise and benchmark machine-learning force fields for molecular dynamics"};
  app.set_version_flag("--version", std::string("mlff-bench ") + mlffb::build::kVersion + " (" +
                                        mlffb::build::kGitRevision + ", " + mlffb::build::kBuildType + ")");
  app.require_subcommand(1);
  mlffb::addListCommand(app);
  mlffb::addSystemsCommand(app);
  mlffb::addRunCommand(app);
  mlffb::addEvalCommand(app);
  mlffb::addCompareCommand(app);
  mlffb::addExportCommand(app);
  mlffb::addReportCommand(app);
  mlffb::addProfileCommand(app);
  mlffb::addWeightsCommand(app);
  mlffb::setCommandLine(argc, argv);
  try {
    // `profile TOOL [options] -- RUN ARGS`: the run's arguments are not the profile command's.
    std::vector<std::string> args(argv, argv + argc);
    mlffb::splitProfileArguments(args);
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app.parse(reversed);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(2, e.what());
  } catch (const mlffb::UsageError& e) {
    return fail(2, e.what());
  } catch (const nlohmann::json::exception& e) {
    // Every reader names its file and field; one that does not is a bug to report.
    return fail(1, std::string("internal error (please report): ") + e.what());
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 0;
}
