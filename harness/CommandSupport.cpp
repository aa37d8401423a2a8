#include "harness/CommandSupport.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "harness/OptionCatalog.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemIO.hpp"

namespace mlffb {

void addCatalogOptions(CLI::App* c, OptionValues& values, const std::vector<std::string>& kinds) {
  for (const auto& o : optionCatalog()) {
    if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) continue;
    std::string help = o.spec.help;
    if (!o.spec.defaultText.empty()) help += " [default: " + o.spec.defaultText + "]";
    help += " (" + o.spec.allowed() + ")";
    const std::string key = o.spec.key;
    c->add_option_function<std::string>("--" + o.spec.flag, [&values, key](const std::string& v) { values[key] = v; }, help)
        ->group("Options of " + o.ownerList());
  }
}

void requireDeclaredOptions(const ModelEntry& entry, const OptionValues& values) {
  for (const auto& [key, value] : values) {
    const CatalogOption* c = findOption(key);
    bool declared = false;
    for (const auto& spec : entry.allOptions()) declared = declared || spec.key == key;
    if (!declared) throw UsageError("--" + (c ? c->spec.flag : key) + " is an option of " + (c ? c->ownerList() : "no entry") + ", not of " + entry.name);
    if (c) c->spec.require(value);
  }
}

OptionSpec frameSpec() { return OptionSpec::integer("frame", "frame", "MODEL of a multi-model PDB (1-based)", 1, 1e6, "1"); }

OptionSpec minDistanceSpec() {
  return OptionSpec::real("min-distance", "min_distance", "Refuse structures with two atoms closer than this, Å (0: no check)", 0, 5, "0.5");
}

System readStructure(const std::string& path, int frame, PbcMode pbc, double minDistance) {
  System s = readSystem(path, ReadOptions{frame});
  applyPbc(s, pbc, path);
  requireSeparated(s, minDistance, path);
  return s;
}

std::unique_ptr<OutputFolder> requireOutputPath(const std::string& out, const std::string& in, bool force) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!in.empty() && fs::exists(out, ec) && fs::equivalent(out, in, ec)) throw UsageError("--out " + out + " is the input file; write the result elsewhere");
  requireFileOutput(out, force);
  const fs::path p(out);
  return std::make_unique<OutputFolder>(p.has_parent_path() ? p.parent_path().string() : ".");
}

void printWeightsNote(const ModelEntry& entry, const Json& description, bool physical) {
  if (!description.contains("weights") || !description["weights"].is_object()) return;
  std::cerr << "mlff-bench: note: " << entry.name << " weights: " << description["weights"].value("source", std::string("?"));
  if (!physical) std::cerr << " (" << entry.physicalDefaultsHint << ")";
  std::cerr << "\n";
}

}  // namespace mlffb
