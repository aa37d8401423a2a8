#pragma once
// `mlff-bench compare` and `mlff-bench report`.
#include <CLI/CLI.hpp>

namespace mlffb {
void addCompareCommand(CLI::App& app);
void addReportCommand(CLI::App& app);
}
