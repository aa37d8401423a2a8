#include "systems/System.hpp"

#include <set>
#include <tuple>
#include <stdexcept>

#include "systems/Element.hpp"

namespace mlffb {

size_t System::soluteCount() const {
  size_t n = 0;
  for (const auto& a : atoms) n += a.solvent ? 0 : 1;
  return n;
}

int System::soluteResidues() const {
  std::set<std::tuple<char, int, char>> seen;
  for (const auto& a : atoms)
    if (!a.solvent) seen.insert({a.chain, a.residueNumber, a.insertionCode});
  return static_cast<int>(seen.size());
}

double System::totalMass() const {
  double m = 0;
  for (const auto& a : atoms) m += elementInfo(a.element).mass;
  return m;
}

void System::validate(const std::string& where) const {
  if (atoms.size() != positions.size())
    throw std::invalid_argument(where + ": atom and position counts differ");
  if (atoms.empty()) throw std::invalid_argument(where + ": no atoms");
  for (size_t i = 0; i < atoms.size(); ++i) {
    if (atoms[i].element <= 0)
      throw std::invalid_argument(where + ": atom " + std::to_string(i + 1) + " (" + atoms[i].name +
                                  ") has no known element");
    if (!isFinite(positions[i]))
      throw std::invalid_argument(where + ": atom " + std::to_string(i + 1) + " (" + atoms[i].name +
                                  ") has a non-finite coordinate");
  }
  if (box) box->validate(where);
}

std::string System::atomLabel(size_t i) const {
  const Atom& a = atoms.at(i);
  return "atom " + std::to_string(i + 1) + " (" + a.name + " " + a.residueName + " " + std::to_string(a.residueNumber) +
         (a.insertionCode != ' ' ? std::string(1, a.insertionCode) : std::string()) + ")";
}

}  // namespace mlffb
