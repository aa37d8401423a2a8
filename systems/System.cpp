#include "systems/System.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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
    const Vec3& r = positions[i];
    for (const double x : {r.x, r.y, r.z})
      if (std::abs(x) > kMaxCoordinateAngstrom)
        throw std::invalid_argument(where + ": " + atomLabel(i) + ": coordinate " + beyondCoordinateBound(x));
  }
  if (box) box->validate(where);
}

std::string System::atomLabel(size_t i) const {
  const Atom& a = atoms.at(i);
  return "atom " + std::to_string(i + 1) + " (" + a.name + " " + a.residueName + " " + std::to_string(a.residueNumber) +
         (a.insertionCode != ' ' ? std::string(1, a.insertionCode) : std::string()) + ")";
}

System replicate(const System& s, int na, int nb, int nc) {
  if (!s.box) throw std::invalid_argument(s.name + ": only a periodic system can be replicated");
  if (na < 1 || nb < 1 || nc < 1)
    throw std::invalid_argument(s.name + ": replica counts must be at least 1 (got " + std::to_string(na) + " × " + std::to_string(nb) +
                                " × " + std::to_string(nc) + ")");
  const long copies = static_cast<long>(na) * nb * nc;
  if (static_cast<double>(copies) * static_cast<double>(s.size()) > std::numeric_limits<int>::max())
    throw std::invalid_argument(s.name + ": " + std::to_string(copies) + " copies of " + std::to_string(s.size()) +
                                " atoms is more atoms than an int counts");
  int residueSpan = 0;
  for (const auto& a : s.atoms) residueSpan = std::max(residueSpan, a.residueNumber);
  System out;
  out.name = s.name;
  out.provenance = s.provenance;
  out.box = s.box->supercell(na, nb, nc);
  out.atoms.reserve(static_cast<size_t>(copies) * s.size());
  out.positions.reserve(static_cast<size_t>(copies) * s.size());
  out.bonds.reserve(static_cast<size_t>(copies) * s.bonds.size());
  int copy = 0;
  for (int k = 0; k < nc; ++k)
    for (int j = 0; j < nb; ++j)
      for (int i = 0; i < na; ++i, ++copy) {
        const Vec3 shift = s.box->a * i + s.box->b * j + s.box->c * k;
        const int base = static_cast<int>(out.size());
        for (size_t n = 0; n < s.size(); ++n) {
          Atom a = s.atoms[n];
          a.residueNumber += copy * residueSpan;
          out.addAtom(std::move(a), s.positions[n] + shift);
        }
        for (const auto& [x, y] : s.bonds) out.bonds.emplace_back(base + x, base + y);
      }
  out.provenance.parameters.emplace_back("replicas", std::to_string(na) + "x" + std::to_string(nb) + "x" + std::to_string(nc));
  return out;
}

std::array<int, 3> replicaGrid(double copies) {
  std::array<int, 3> best{1, 1, 1};
  if (!(copies > 1)) return best;
  double bestDistance = copies - 1;
  const int top = static_cast<int>(std::ceil(std::cbrt(copies))) + 1;
  for (int x = 1; x <= top; ++x)
    for (int y = x; y <= 2 * x; ++y)
      for (int z = y; z <= 2 * x; ++z) {
        const double product = static_cast<double>(x) * y * z, bestProduct = static_cast<double>(best[0]) * best[1] * best[2];
        const double distance = std::abs(product - copies);
        const bool moreCubic = static_cast<double>(z) / x < static_cast<double>(best[2]) / best[0];
        if (distance < bestDistance || (distance == bestDistance && (product < bestProduct || (product == bestProduct && moreCubic)))) {
          bestDistance = distance;
          best = {x, y, z};
        }
      }
  return best;
}

}  // namespace mlffb
