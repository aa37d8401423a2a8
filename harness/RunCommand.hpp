#pragma once
// `mlff-bench run` (benchmarks) and `mlff-bench eval` (one energy + forces evaluation).
#include <CLI/CLI.hpp>

namespace mlffb {
void addRunCommand(CLI::App& app);
void addEvalCommand(CLI::App& app);
/// The process's arguments (after the program name), for the "resume with" hint.
void setCommandLine(int argc, char** argv);
}
