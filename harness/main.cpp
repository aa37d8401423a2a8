// mlff-bench: workload characterisation and benchmarking of machine-learning force fields.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "harness/BuildInfo.hpp"
#include "harness/CompareCommand.hpp"
#include "harness/ListCommand.hpp"
#include "harness/RunCommand.hpp"
#include "harness/SystemsCommand.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mlff-bench: characterise and benchmark machine-learning force fields for molecular dynamics"};
  app.set_version_flag("--version", std::string("mlff-bench ") + mlffb::build::kVersion + " (" +
                                        mlffb::build::kGitRevision + ", " + mlffb::build::kBuildType + ")");
  app.require_subcommand(1);
  mlffb::addListCommand(app);
  mlffb::addSystemsCommand(app);
  mlffb::addRunCommand(app);
  mlffb::addEvalCommand(app);
  mlffb::addCompareCommand(app);
  mlffb::addReportCommand(app);
  mlffb::setCommandLine(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "mlff-bench: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
