#pragma once
// Random-coordinate workloads (the seed's neighbour sweeps): N atoms of H, C, N, O in
// poly-alanine proportions in a periodic cubic box whose density gives M neighbours on average
// within the cutoff; no pair closer than the minimum distance.
#include <cstdint>

#include "systems/System.hpp"

namespace mlffb {

/// Mean neighbours within 5.1 Å at water's atom density (0.100 atoms/Å³ × 4/3 π 5.1³ ≈ 55): random
/// systems' neighbourhood where a plan names none.
constexpr double kWaterNeighbors = 55;

struct RandomSystemOptions {
  int atoms = 1000;
  double neighbors = 50;      // mean neighbours per atom within `cutoff`
  double cutoff = 5.1;        // Å
  double minDistance = 0.9;   // Å
  std::uint64_t seed = 42;
};

System buildRandomSystem(const RandomSystemOptions& options);

}  // namespace mlffb
