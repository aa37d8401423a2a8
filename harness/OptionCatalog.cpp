#include "harness/OptionCatalog.hpp"

#include <algorithm>
#include <stdexcept>

#include "backends/EngineRegistry.hpp"
#include "profilers/CollectorRegistry.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {

std::string CatalogOption::ownerList() const {
  // Peers are named only where no flavour of ours declares the option (ModelEntry::peer).
  auto isPeer = [](const std::string& owner) {
    const ModelEntry* e = ModelRegistry::instance().find(owner);
    return e && !e->peer.empty();
  };
  const bool ours = std::any_of(owners.begin(), owners.end(), [&](const std::string& o) { return !isPeer(o); });
  std::string s;
  for (const auto& o : owners)
    if (!ours || !isPeer(o)) s += (s.empty() ? "" : ", ") + o;
  return s;
}

const std::vector<CatalogOption>& optionCatalog() {
  static const std::vector<CatalogOption> catalog = [] {
    std::vector<CatalogOption> out;
    auto add = [&](const std::string& kind, const std::string& owner, const std::vector<OptionSpec>& specs) {
      for (const auto& s : specs) {
        auto it = std::find_if(out.begin(), out.end(), [&](const CatalogOption& c) { return c.spec.flag == s.flag; });
        if (it == out.end()) {
          out.push_back({s, kind, {owner}});
          continue;
        }
        if (it->spec.key != s.key || it->spec.type != s.type)
          throw std::logic_error("option --" + s.flag + " is declared differently by " + it->ownerList() + " and " + owner);
        it->owners.push_back(owner);
      }
    };
    for (const auto& e : ModelRegistry::instance().entries()) add("model", e.name, e.allOptions());
    for (const auto& e : EngineRegistry::instance().entries()) add("engine", e.name, e.allOptions());
    for (const auto& e : profilers::CollectorRegistry::instance().entries()) add("collector", e.name, e.allOptions());
    std::sort(out.begin(), out.end(), [](const CatalogOption& a, const CatalogOption& b) { return a.spec.flag < b.spec.flag; });
    return out;
  }();
  return catalog;
}

const CatalogOption* findOption(const std::string& key) {
  for (const auto& c : optionCatalog())
    if (c.spec.key == key) return &c;
  return nullptr;
}

}  // namespace mlffb
