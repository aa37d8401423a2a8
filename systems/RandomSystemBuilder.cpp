#include "systems/RandomSystemBuilder.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "systems/Rng.hpp"

namespace mlffb {

System buildRandomSystem(const RandomSystemOptions& o) {
  if (o.atoms <= 0) throw std::invalid_argument("--atoms must be positive (got " + std::to_string(o.atoms) + ")");
  if (!(o.neighbors > 0)) throw std::invalid_argument("--neighbors must be positive");
  if (!(o.cutoff > 0)) throw std::invalid_argument("--cutoff must be positive");
  // Number density with M neighbours inside the cutoff sphere; the excluded core around each atom
  // holds no neighbours, so the shell volume is what counts.
  const double shell = 4.0 / 3.0 * kPi * (std::pow(o.cutoff, 3) - std::pow(o.minDistance, 3));
  const double rho = o.neighbors / shell;
  const double packing = rho * 4.0 / 3.0 * kPi * std::pow(o.minDistance / 2.0, 3);
  if (packing > 0.3)
    throw std::invalid_argument("--neighbors " + std::to_string(o.neighbors) + " within " + std::to_string(o.cutoff) +
                                " Å is too dense for a " + std::to_string(o.minDistance) + " Å minimum distance");
  const double L = std::cbrt(o.atoms / rho);
  if (o.cutoff > L / 2)
    throw std::invalid_argument("random system of " + std::to_string(o.atoms) +
                                " atoms is too small for a periodic box at this density: box " + std::to_string(L) +
                                " Å is less than twice the cutoff; use more atoms or fewer neighbours");
  System s;
  s.box = Box::orthorhombic(Vec3{L, L, L});
  s.name = "random-" + std::to_string(o.atoms) + "-n" + std::to_string(static_cast<int>(std::lround(o.neighbors)));
  Rng rng(o.seed);
  // Hash grid for the minimum-distance test, cell = minDistance, periodic.
  const int nc = std::max(1, static_cast<int>(L / o.minDistance));
  const double cell = L / nc;
  std::unordered_map<long long, std::vector<int>> grid;
  auto key = [&](int x, int y, int z) {
    x = ((x % nc) + nc) % nc;
    y = ((y % nc) + nc) % nc;
    z = ((z % nc) + nc) % nc;
    return (static_cast<long long>(z) * nc + y) * nc + x;
  };
  const double d2min = o.minDistance * o.minDistance;
  // Poly-alanine composition: per residue 5 H, 3 C, 1 N, 1 O.
  static const int kElements[10] = {1, 1, 1, 1, 1, 6, 6, 6, 7, 8};
  for (int i = 0; i < o.atoms; ++i) {
    for (int tries = 0;; ++tries) {
      if (tries > 100000) throw std::runtime_error("random system: could not place atom " + std::to_string(i + 1));
      const Vec3 p{rng.uniform(0, L), rng.uniform(0, L), rng.uniform(0, L)};
      const int cx = static_cast<int>(p.x / cell), cy = static_cast<int>(p.y / cell), cz = static_cast<int>(p.z / cell);
      bool ok = true;
      for (int dz = -1; dz <= 1 && ok; ++dz)
        for (int dy = -1; dy <= 1 && ok; ++dy)
          for (int dx = -1; dx <= 1 && ok; ++dx) {
            auto it = grid.find(key(cx + dx, cy + dy, cz + dz));
            if (it == grid.end()) continue;
            for (int j : it->second) {
              Vec3 d = s.positions[j] - p;
              for (int k = 0; k < 3; ++k) d[k] -= L * std::round(d[k] / L);
              if (norm2(d) < d2min) {
                ok = false;
                break;
              }
            }
          }
      if (!ok) continue;
      const int z = kElements[rng.uniformInt(0, 9)];
      const char* name = z == 1 ? "H" : (z == 6 ? "C" : (z == 7 ? "N" : "O"));
      s.addAtom(Atom{z, name, "UNK", 1, 'A', false}, p);
      grid[key(cx, cy, cz)].push_back(i);
      break;
    }
  }
  s.provenance.builder = "random";
  s.provenance.seed = o.seed;
  s.provenance.parameters = {{"atoms", std::to_string(o.atoms)},
                             {"neighbors", std::to_string(o.neighbors)},
                             {"cutoff", std::to_string(o.cutoff)},
                             {"min_distance", std::to_string(o.minDistance)}};
  return s;
}

}  // namespace mlffb
