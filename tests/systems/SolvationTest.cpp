// Solvation: TIP3P geometry, box, density, clearance, determinism.
#include <gtest/gtest.h>

#include "systems/CellList.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Solvator.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemIO.hpp"

using namespace mlffb;

namespace {
System solvated(int residues, double paddingA, std::uint64_t seed) {
  static const PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000});
  SolvationOptions so;
  so.paddingAngstrom = paddingA;
  so.seed = seed;
  return Solvator(so).solvate(b.build(residues));
}
}  // namespace

TEST(Solvation, BoxGeometryDensityAndClearance) {
  for (int n : {10, 100}) {
    const System s = solvated(n, 10.0, 1);
    SCOPED_TRACE(n);
    ASSERT_TRUE(s.box);
    const Vec3 ext = extent(s, true);
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(s.box->lengths()[d], ext[d] + 20.0, 1e-9);
    EXPECT_TRUE(s.box->isOrthorhombic());
    EXPECT_EQ(s.soluteCount(), static_cast<size_t>(10 * n + 3));
    EXPECT_EQ(s.solventCount() % 3, 0u);
    // Water density away from the solute: 0.997 g/cm³ ± 2 %.
    EXPECT_NEAR(bulkWaterDensity(s, 6.0), 0.997, 0.02 * 0.997);
    // TIP3P geometry of every water.
    for (size_t i = s.soluteCount(); i < s.size(); i += 3) {
      ASSERT_EQ(s.atoms[i].element, 8);
      EXPECT_NEAR(norm(s.positions[i + 1] - s.positions[i]), 0.9572, 1e-9);
      EXPECT_NEAR(norm(s.positions[i + 2] - s.positions[i]), 0.9572, 1e-9);
      EXPECT_NEAR(angleDeg(s.positions[i + 1], s.positions[i], s.positions[i + 2]), 104.52, 1e-6);
    }
    // No water atom within 2.3 Å of a solute heavy atom (minimum image).
    CellList cells(s.positions, s.box, 2.3);
    size_t violations = 0;
    cells.forEachPair([&](int i, int j, const Vec3&, double) {
      const Atom &a = s.atoms[i], &b = s.atoms[j];
      if (a.solvent != b.solvent && (a.solvent ? b.element : a.element) != 1) ++violations;
    });
    EXPECT_EQ(violations, 0u);
  }
}

TEST(Solvation, SeedDeterminesWaterOrientations) {
  const System a = solvated(10, 8.0, 3), b = solvated(10, 8.0, 3), c = solvated(10, 8.0, 4);
  EXPECT_EQ(formatPdb(a), formatPdb(b));
  EXPECT_NE(formatPdb(a), formatPdb(c));
}

TEST(Solvation, RejectsBadPadding) {
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Helix, Termini::Charged, 1, 5});
  SolvationOptions so;
  so.paddingAngstrom = 0;
  EXPECT_THROW(Solvator(so).solvate(b.build(5)), std::invalid_argument);
}

namespace {
/// Per atom, the distance to its nearest other atom under the minimum image (brute force).
std::vector<double> nearestDistances(const System& s) {
  std::vector<double> d(s.size(), 1e300);
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = i + 1; j < s.size(); ++j) {
      const double r = norm(s.box->minimumImage(s.positions[j] - s.positions[i]));
      d[i] = std::min(d[i], r);
      d[j] = std::min(d[j], r);
    }
  return d;
}
}  // namespace

TEST(Solvation, ReplicatedSolvatedSliceIsTheSameSystemPeriodically) {
  const System one = solvated(10, 5.0, 3);
  const System four = replicate(one, 2, 1, 2);
  ASSERT_EQ(four.size(), 4 * one.size());
  EXPECT_EQ(four.solventCount(), 4 * one.solventCount());
  EXPECT_EQ(four.soluteResidues(), 4 * one.soluteResidues());  // every copy's residues are its own
  EXPECT_EQ(four.bonds.size(), 4 * one.bonds.size());
  ASSERT_TRUE(four.box);
  EXPECT_EQ(*four.box, one.box->supercell(2, 1, 2));
  // Copy (1, 0, 1) is the third in order (a fastest) and sits at a + c.
  const size_t third = 3 * one.size();
  EXPECT_EQ(four.positions[third + 5], one.positions[5] + one.box->a + one.box->c);
  EXPECT_EQ(four.bonds[3 * one.bonds.size()], std::make_pair(one.bonds[0].first + static_cast<int>(third), one.bonds[0].second + static_cast<int>(third)));
  // Under the minimum image every atom has the neighbourhood of its original: across the copies'
  // faces it meets what it met across the cell's faces.
  const std::vector<double> base = nearestDistances(one), replicated = nearestDistances(four);
  for (size_t i = 0; i < four.size(); ++i) ASSERT_NEAR(replicated[i], base[i % one.size()], 1e-9) << four.atomLabel(i);
}

TEST(Solvation, ReplicatesTriclinicCells) {
  System s;
  s.name = "tri";
  s.box = Box::fromLengthsAngles(10, 11, 12, 80, 100, 110);
  s.addAtom(Atom{8, "O", "HOH", 1, 'W', true}, {1, 2, 3});
  s.addAtom(Atom{1, "H1", "HOH", 1, 'W', true}, {1.9, 2.2, 3.1});
  const System r = replicate(s, 1, 3, 2);
  ASSERT_EQ(r.size(), 12u);
  EXPECT_EQ(*r.box, s.box->supercell(1, 3, 2));
  const Vec3 last = r.positions.back() - (s.positions[1] + s.box->b * 2 + s.box->c);
  EXPECT_NEAR(norm(last), 0, 1e-12);
  EXPECT_EQ(r.atoms.back().residueNumber, 6);
  System vacuum = s;
  vacuum.box.reset();
  EXPECT_THROW(replicate(vacuum, 2, 1, 1), std::invalid_argument);
  EXPECT_THROW(replicate(s, 0, 1, 1), std::invalid_argument);
}

TEST(Solvation, ReplicaGridIsNearCubicAndNearTheCount) {
  EXPECT_EQ(replicaGrid(0.2), (std::array<int, 3>{1, 1, 1}));
  EXPECT_EQ(replicaGrid(1), (std::array<int, 3>{1, 1, 1}));
  EXPECT_EQ(replicaGrid(8), (std::array<int, 3>{2, 2, 2}));
  EXPECT_EQ(replicaGrid(12), (std::array<int, 3>{2, 2, 3}));
  EXPECT_EQ(replicaGrid(3), (std::array<int, 3>{1, 1, 2}));  // 2 and 4 are as near: the smaller
  EXPECT_EQ(replicaGrid(27000), (std::array<int, 3>{30, 30, 30}));
  for (double c = 1; c < 20000; c = c * 1.37 + 1) {
    const auto g = replicaGrid(c);
    SCOPED_TRACE(c);
    EXPECT_LE(g[0], g[1]);
    EXPECT_LE(g[1], g[2]);
    EXPECT_LE(g[2], 2 * g[0]);
    // Near-cubic products are spaced about 3/n apart for an n × n × n grid.
    EXPECT_LE(std::abs(g[0] * g[1] * g[2] - c), std::max(1.0, 1.5 * c / g[0]));
  }
}
