#pragma once
// `mlff-bench weights fetch MODEL`: a newcomer's way to the real weights the README names.
#include <CLI/CLI.hpp>

namespace mlffb {
void addWeightsCommand(CLI::App& app);
}
