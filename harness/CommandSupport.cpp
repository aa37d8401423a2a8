#include "harness/CommandSupport.hpp"

#include <algorithm>
#include <iostream>

#include "harness/OptionCatalog.hpp"

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
    for (const auto& spec : entry.options) declared = declared || spec.key == key;
    if (!declared) throw UsageError("--" + (c ? c->spec.flag : key) + " is an option of " + (c ? c->ownerList() : "no entry") + ", not of " + entry.name);
    if (c) c->spec.require(value);
  }
}

OptionSpec frameSpec() { return OptionSpec::integer("frame", "frame", "MODEL of a multi-model PDB (1-based)", 1, 1e6, "1"); }

OptionSpec minDistanceSpec() {
  return OptionSpec::real("min-distance", "min_distance", "Refuse structures with two atoms closer than this, Å (0: no check)", 0, 5, "0.5");
}

void printWeightsNote(const ModelEntry& entry, const Json& description, bool physical) {
  if (!description.contains("weights") || !description["weights"].is_object()) return;
  std::cerr << "mlff-bench: note: " << entry.name << " weights: " << description["weights"].value("source", std::string("?"));
  if (!physical) std::cerr << " (" << entry.physicalDefaultsHint << ")";
  std::cerr << "\n";
}

}  // namespace mlffb
