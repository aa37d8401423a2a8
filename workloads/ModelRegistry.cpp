#include "workloads/ModelRegistry.hpp"

#include <stdexcept>

namespace mlffb {

const ModelEntry& findModel(const std::string& model, const std::string& flavor) {
  const ModelEntry* wildcard = nullptr;
  std::string known;
  for (const auto& e : ModelRegistry::instance().entries()) {
    if (e.flavor == flavor && e.model == model) return e;
    if (e.flavor == flavor && e.model == "*") wildcard = &e;
    known += (known.empty() ? "" : ", ") + e.model + "/" + e.flavor;
  }
  if (wildcard) return *wildcard;
  throw std::invalid_argument("unknown model/flavour '" + model + "/" + flavor + "' (known: " + known + ")");
}

std::vector<const ModelEntry*> flavorsOf(const std::string& model) {
  std::vector<const ModelEntry*> out;
  for (const auto& e : ModelRegistry::instance().entries())
    if (e.model == model) out.push_back(&e);
  return out;
}

std::vector<const ModelEntry*> defaultFlavorsOf(const std::string& model) {
  std::vector<const ModelEntry*> all = flavorsOf(model), own;
  for (const ModelEntry* e : all)
    if (e->peer.empty()) own.push_back(e);
  return own.empty() ? all : own;
}

bool knownModel(const std::string& model) { return !flavorsOf(model).empty(); }

std::unique_ptr<Potential> createPotential(const std::string& model, const PotentialOptions& options) {
  const ModelEntry& e = findModel(model, options.flavor);
  const Availability a = e.availability();
  if (!a.available) throw std::invalid_argument("model " + model + " flavour " + options.flavor + " is unavailable: " + a.reason);
  return e.create(model, options);
}

bool applyPhysicalDefaults(const ModelEntry& e, OptionValues& values) {
  if (!e.physicalDefaults) return true;
  const OptionValues defaults = e.physicalDefaults();
  for (const auto& [k, v] : defaults) values.emplace(k, v);
  if (!defaults.empty()) return true;
  // Nothing found: fine when the user chose the options these defaults would have set.
  for (const auto& spec : e.allOptions())
    if (values.count(spec.key) && spec.type == OptionType::Directory) return true;
  return false;
}

void checkModelOptions(const ModelEntry& entry, const OptionValues& values) {
  for (const auto& [key, value] : values) {
    const std::vector<OptionSpec> declared = entry.allOptions();
    const OptionSpec* spec = nullptr;
    for (const auto& o : declared)
      if (o.key == key) spec = &o;
    if (!spec) throw std::invalid_argument("option '" + key + "' is not one of " + entry.name + "'s");
    const std::string why = spec->check(value);
    if (!why.empty()) throw std::invalid_argument(why);
  }
}

}  // namespace mlffb
