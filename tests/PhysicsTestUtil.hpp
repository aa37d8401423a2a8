#pragma once
// Shared pieces of the physics tests: fresh random seeds, random rotations and small systems.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include <vector>

#include "systems/Element.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Rng.hpp"
#include "systems/System.hpp"
#include "systems/Vec3.hpp"

namespace mlffb::test {

/// Folded, charged tri-alanine (33 atoms), the MD engines' small molecule.
inline System triAlanine() { return PolyAlanineBuilder(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000}).build(3); }

/// A fresh seed per run; MLFFB_TEST_SEED=N reproduces a reported failure.
inline std::uint64_t freshSeed() {
  if (const char* e = std::getenv("MLFFB_TEST_SEED")) return std::stoull(e);
  return std::random_device{}();
}

/// A uniformly random proper rotation (from a normalised Gaussian quaternion).
struct Rotation {
  double R[3][3];
  Vec3 operator()(const Vec3& v) const {
    return {R[0][0] * v.x + R[0][1] * v.y + R[0][2] * v.z, R[1][0] * v.x + R[1][1] * v.y + R[1][2] * v.z,
            R[2][0] * v.x + R[2][1] * v.y + R[2][2] * v.z};
  }
};

inline Rotation randomRotation(Rng& rng) {
  double q[4] = {rng.normal(), rng.normal(), rng.normal(), rng.normal()};
  const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  const double a = q[0] / n, b = q[1] / n, c = q[2] / n, d = q[3] / n;
  return {{{a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
           {2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)},
           {2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d}}};
}

/// A random molecule-like cluster: `n` atoms drawn from `elements` (atomic numbers, repeated to
/// weight them) at `density` atoms/Å³, no pair closer than `minDistance` Å.
inline System randomCluster(int n, std::uint64_t seed, const std::vector<int>& elements, double density,
                            double minDistance) {
  Rng rng(seed);
  const double L = std::cbrt(n / density);
  System s;
  while (static_cast<int>(s.size()) < n) {
    const Vec3 p{rng.uniform(0, L), rng.uniform(0, L), rng.uniform(0, L)};
    bool ok = true;
    for (const auto& q : s.positions) ok = ok && norm(q - p) > minDistance;
    if (!ok) continue;
    const int z = elements[rng.uniformInt(0, static_cast<int>(elements.size()) - 1)];
    s.addAtom(Atom{z, elementInfo(z).symbol, "MOL", 1, 'A', false}, p);
  }
  return s;
}

/// `s` with its atoms shuffled from `seed`; permuted.atoms[k] is s.atoms[order[k]].
struct Permuted {
  System system;
  std::vector<int> order;
};
inline Permuted permuted(const System& s, std::uint64_t seed) {
  Permuted p;
  p.order.resize(s.size());
  for (size_t i = 0; i < p.order.size(); ++i) p.order[i] = static_cast<int>(i);
  std::mt19937 g(static_cast<unsigned>(seed));
  std::shuffle(p.order.begin(), p.order.end(), g);
  for (int i : p.order) p.system.addAtom(s.atoms[i], s.positions[i]);
  return p;
}

}  // namespace mlffb::test
