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
