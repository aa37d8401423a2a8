#pragma once
// What the model-level commands (`run`, `eval`, `export`) share: usage errors from parsers, the
// options registry entries declare, the structure-reading options and the note saying which
// weights a model used.
#include <CLI/CLI.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/Errors.hpp"
#include "core/Options.hpp"
#include "harness/Json.hpp"
#include "harness/Plan.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/System.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {

/// `parse()`, its std::invalid_argument turned into a usage error (naming the option, if given).
template <class Parse>
auto usage(Parse&& parse, const char* option = nullptr) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw UsageError(option ? std::string(option) + ": " + e.what() : std::string(e.what()));
  }
}

/// The options registry entries declare (of the given kinds: "model", "engine", "collector"),
/// each under a help group naming its owners; values land in `values` by key.
void addCatalogOptions(CLI::App* command, OptionValues& values, const std::vector<std::string>& kinds);

/// Every value in `values` is an option `entry` declares, within its range; a usage error naming
/// the option and its owners otherwise.
void requireDeclaredOptions(const ModelEntry& entry, const OptionValues& values);

/// --frame and --min-distance of the commands that read a structure file.
OptionSpec frameSpec();
OptionSpec minDistanceSpec();

/// A structure file as the commands read it: the frame, the periodic mode and the closest-pair
/// check applied, each error naming the file.
System readStructure(const std::string& path, int frame, PbcMode pbc, double minDistance);

/// An output file checked before any work: not the input file itself (`in` may be empty), not a
/// folder, not an existing file unless `force` (--force), in a folder that can be written (created
/// if missing, and removed again if the command fails before writing into it: hold the result).
[[nodiscard]] std::unique_ptr<OutputFolder> requireOutputPath(const std::string& out, const std::string& in, bool force);

/// Says on stderr which weights (or model files) a model used, and why when not physical.
void printWeightsNote(const ModelEntry& entry, const Json& description, bool physical);

}  // namespace mlffb
