// The system family registry's look-ups and the help text it gives (the entries register
// themselves in their own …Family.cpp).
#include "systems/SystemFamily.hpp"

#include <map>
#include <stdexcept>

namespace mlffb {

void SystemFamilyEntry::checkSize(int size, const std::string& option) const {
  if (maxSize > 0 && size > maxSize)
    throw std::invalid_argument(option + ": " + std::to_string(size) + " " + sizeUnit + "; " + description + " go up to " +
                                std::to_string(maxSize));
}

const SystemFamilyEntry& findSystemFamily(const std::string& name) {
  if (const SystemFamilyEntry* e = SystemFamilyRegistry::instance().find(name)) return *e;
  throw std::invalid_argument("unknown system family '" + name + "' (known: " + SystemFamilyRegistry::instance().names() + ")");
}

const SystemFamilyEntry* familyOfSystemName(const std::string& systemName) {
  const SystemFamilyEntry* best = nullptr;
  for (const auto& e : SystemFamilyRegistry::instance().entries())
    if (systemName.rfind(e.name + "-", 0) == 0 && (!best || e.name.size() > best->name.size())) best = &e;
  return best;
}

std::vector<std::string> neighborFamilies() {
  std::vector<std::string> out;
  for (const auto& e : SystemFamilyRegistry::instance().entries())
    if (e.takesNeighbors()) out.push_back(e.name);
  return out;
}

std::string familiesHelp() {
  std::string s;
  for (const auto& e : SystemFamilyRegistry::instance().entries())
    s += (s.empty() ? "" : ", ") + e.name + " (" + (e.sizeHelp.empty() ? e.sizeUnit : e.sizeHelp) + ")";
  return s;
}

std::string sizeUnitsHelp() {
  std::vector<std::string> units;  // in the order the families name them first
  std::map<std::string, std::string> families;
  for (const auto& e : SystemFamilyRegistry::instance().entries()) {
    std::string& f = families[e.sizeUnit];
    if (f.empty()) units.push_back(e.sizeUnit);
    f += (f.empty() ? "" : ", ") + e.name;
  }
  std::string s;
  for (size_t k = 0; k < units.size(); ++k)
    s += (k == 0 ? "" : k + 1 == units.size() ? " or " : ", ") + units[k] + " (" + families[units[k]] + ")";
  return s;
}

}  // namespace mlffb
