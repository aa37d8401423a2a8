// Random workloads and neighbour statistics (cell list against brute force).
#include <gtest/gtest.h>

#include <map>

#include "systems/CellList.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/RandomSystemBuilder.hpp"
#include "systems/Rng.hpp"
#include "systems/StructureStats.hpp"

using namespace mlffb;

namespace {
size_t bruteForcePairs(const System& s, double rc) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = i + 1; j < s.size(); ++j) {
      Vec3 d = s.positions[j] - s.positions[i];
      if (s.box)
        for (int k = 0; k < 3; ++k) d[k] -= (*s.box)[k] * std::round(d[k] / (*s.box)[k]);
      n += norm2(d) < rc * rc;
    }
  return n;
}
}  // namespace

TEST(Neighbors, CellListMatchesBruteForce) {
  Rng rng(std::random_device{}());
  for (int trial = 0; trial < 4; ++trial) {
    RandomSystemOptions o;
    o.atoms = 300 + 200 * trial;
    o.neighbors = 20 + 20 * trial;
    o.seed = rng.next();
    const System periodic = buildRandomSystem(o);
    for (double rc : {3.5, 5.1})
      EXPECT_EQ(CellList(periodic.positions, periodic.box, rc).countPairs(), bruteForcePairs(periodic, rc));
    System open = periodic;
    open.box.reset();
    for (double rc : {3.5, 5.1, 9.0})
      EXPECT_EQ(CellList(open.positions, std::nullopt, rc).countPairs(), bruteForcePairs(open, rc));
  }
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000});
  const System p = b.build(200);
  EXPECT_NEAR(meanNeighbors(p, 5.1), 2.0 * bruteForcePairs(p, 5.1) / p.size(), 1e-12);
  EXPECT_NEAR(meanNeighbors(p, 3.5), 2.0 * bruteForcePairs(p, 3.5) / p.size(), 1e-12);
}

TEST(RandomSystem, NeighbourCountMinimumDistanceAndComposition) {
  for (double m : {10.0, 50.0, 100.0}) {
    const System s = buildRandomSystem(RandomSystemOptions{4000, m, 5.1, 0.9, 11});
    SCOPED_TRACE(m);
    ASSERT_EQ(s.size(), 4000u);
    EXPECT_NEAR(meanNeighbors(s, 5.1), m, 0.05 * m);
    double dmin = 1e9;
    CellList(s.positions, s.box, 1.0).forEachPair([&](int, int, const Vec3&, double r2) { dmin = std::min(dmin, std::sqrt(r2)); });
    EXPECT_GE(dmin, 0.9);
    std::map<int, int> count;
    for (const auto& a : s.atoms) count[a.element]++;
    EXPECT_EQ(count.size(), 4u);
    EXPECT_NEAR(count[1] / 4000.0, 0.5, 0.05);
    EXPECT_NEAR(count[6] / 4000.0, 0.3, 0.05);
  }
}

TEST(RandomSystem, RejectsBadArguments) {
  EXPECT_THROW(buildRandomSystem(RandomSystemOptions{0, 10, 5.1, 0.9, 1}), std::invalid_argument);
  EXPECT_THROW(buildRandomSystem(RandomSystemOptions{100, -1, 5.1, 0.9, 1}), std::invalid_argument);
  EXPECT_THROW(buildRandomSystem(RandomSystemOptions{20, 50, 5.1, 0.9, 1}), std::invalid_argument);  // box too small
}
