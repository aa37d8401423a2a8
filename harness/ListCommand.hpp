#pragma once
// `mlff-bench list`: models, engines, collectors, suites and optional components.
#include <CLI/CLI.hpp>

namespace mlffb {
void addListCommand(CLI::App& app);
}
