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
/// The shortest periodic image of b − a, by trying every lattice translation within ±3 cells
/// (independent of Box::minimumImage).
Vec3 shortestImage(const Box& box, const Vec3& a, const Vec3& b) {
  const Vec3 ra = box.wrap(a), rb = box.wrap(b);
  Vec3 best = rb - ra;
  for (int i = -3; i <= 3; ++i)
    for (int j = -3; j <= 3; ++j)
      for (int k = -3; k <= 3; ++k) {
        const Vec3 d = rb - ra + box.a * i + box.b * j + box.c * k;
        if (norm2(d) < norm2(best)) best = d;
      }
  return best;
}

size_t bruteForcePairs(const System& s, double rc) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = i + 1; j < s.size(); ++j) {
      const Vec3 d = s.box ? shortestImage(*s.box, s.positions[i], s.positions[j]) : s.positions[j] - s.positions[i];
      n += norm2(d) < rc * rc;
    }
  return n;
}

/// A random reduced triclinic cell: lengths 14–22 Å, angles 60–120°.
Box randomTriclinic(Rng& rng) {
  for (;;) {
    try {
      const Box b = Box::fromLengthsAngles(rng.uniform(14, 22), rng.uniform(14, 22), rng.uniform(14, 22), rng.uniform(60, 120),
                                           rng.uniform(60, 120), rng.uniform(60, 120));
      if (b.minWidth() > 11.0) return b;
    } catch (const std::invalid_argument&) {
      // angles that describe no cell: draw again
    }
  }
}
}  // namespace

TEST(Box, ReductionKeepsTheLatticeAndMinimumImageIsTheShortest) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  for (int trial = 0; trial < 20; ++trial) {
    const Box b = randomTriclinic(rng);
    EXPECT_TRUE(b.isReduced());
    // A skewed basis of the same lattice reduces to a basis of the same volume.
    const Box skewed{b.a, b.b + b.a * 2, b.c - b.b * 3 + b.a};
    const Box r = skewed.reduced();
    EXPECT_TRUE(r.isReduced());
    EXPECT_NEAR(r.volume(), b.volume(), 1e-9 * b.volume());
    for (int k = 0; k < 50; ++k) {
      const Vec3 p{rng.uniform(-30, 30), rng.uniform(-30, 30), rng.uniform(-30, 30)};
      const Vec3 q{rng.uniform(-30, 30), rng.uniform(-30, 30), rng.uniform(-30, 30)};
      const Vec3 want = shortestImage(b, p, q);
      if (norm(want) < 0.5 * b.minWidth()) {  // where the minimum image is unique
        EXPECT_LT(norm(b.minimumImage(q - p) - want), 1e-9);
        EXPECT_LT(norm(r.minimumImage(q - p) - want), 1e-9);
      }
      const Vec3 w = b.toFractional(b.wrap(p));
      for (int d = 0; d < 3; ++d) EXPECT_TRUE(w[d] >= -1e-12 && w[d] < 1 + 1e-12) << w[d];
    }
  }
  EXPECT_THROW(Box::fromLengthsAngles(10, 10, 10, 10, 10, 150), std::invalid_argument);
  EXPECT_THROW(Box::fromVectors({10, 1, 0}, {0, 10, 0}, {0, 0, 10}), std::invalid_argument);
}

TEST(Neighbors, TriclinicCellListMatchesBruteForceOverImages) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  for (int trial = 0; trial < 6; ++trial) {
    const Box box = randomTriclinic(rng);
    System s;
    s.box = box;
    for (int i = 0; i < 400; ++i)
      s.addAtom(Atom{6, "C", "X", 1, 'A', false}, Vec3{rng.uniform(-25, 25), rng.uniform(-25, 25), rng.uniform(-25, 25)});
    for (double rc : {3.5, 5.1}) {
      const CellList cells(s.positions, s.box, rc);
      EXPECT_EQ(cells.countPairs(), bruteForcePairs(s, rc)) << "cutoff " << rc;
      cells.forEachPair([&](int i, int j, const Vec3& d, double) {
        EXPECT_LT(norm(d - shortestImage(box, s.positions[i], s.positions[j])), 1e-9);
      });
    }
  }
  // A cutoff beyond half the smallest width is refused.
  const Box thin = Box::fromLengthsAngles(30, 30, 9, 90, 90, 90);
  EXPECT_THROW(CellList({Vec3{}}, thin, 5.1), std::invalid_argument);
}

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
