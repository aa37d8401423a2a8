#pragma once
// `mlff-bench systems build|slice|random|inspect`.
#include <CLI/CLI.hpp>

namespace mlffb {
void addSystemsCommand(CLI::App& app);
}
