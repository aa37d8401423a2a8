// Classical topologies: the GROMACS .top reader (preprocessor, type tables, wildcards, errors with
// file:line) and the float64 bonded evaluator (forces = −∇E, rigid-motion invariance); our parsed
// topology's energies against `gmx mdrun -rerun` are in tests/backends/GmxTest.cpp, beside the tool.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "systems/SystemIO.hpp"
#include "tests/TestUtil.hpp"
#include "workloads/classical/BondedEnergy.hpp"
#include "workloads/classical/TopologyReader.hpp"

using namespace mlffb;
using namespace mlffb::classical;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
}

// A small force field and a 6-atom molecule that uses every supported function type.
const char* kForceField = R"(
[ defaults ]
; nbfunc comb-rule gen-pairs fudgeLJ fudgeQQ
1 2 yes 0.5 0.8333
[ atomtypes ]
; name bond_type at.num mass charge ptype sigma epsilon
CT  CT  6  12.011  0.0  A  0.339967  0.4577296
HC  HC  1   1.008  0.0  A  0.264953  0.0656888
O   O   8  15.999  0.0  A  0.295992  0.8786400
[ bondtypes ]
CT CT 1 0.1526 259408.0
CT HC 1 0.1090 284512.0
CT O  1 0.1430 267776.0
[ angletypes ]
HC CT CT 1 109.50 418.400
CT CT CT 5 111.0 300.0 0.25 8000.0
CT CT O  1 109.50 418.400
HC CT O  1 109.50 418.400
[ dihedraltypes ]
X  CT CT X  9 0.0 0.6508444 3
HC CT CT O  9 0.0 0.0 3
HC CT CT O  9 0.0 1.046 1
CT CT CT O  9 0.0 0.7 2
#define MYTORSION 180.0 2.0 2
)";

const char* kMolecule = R"(
#include "ff.itp"
[ moleculetype ]
MOL 3
[ atoms ]
1 CT 1 MOL C1 1 -0.20
2 CT 1 MOL C2 2  0.10
3 CT 1 MOL C3 3  0.15
4 O  1 MOL O4 4 -0.40
5 HC 1 MOL H5 5  0.20
6 HC 1 MOL H6 6  0.15
[ bonds ]
1 2 1
2 3 1
3 4 1
1 5 1
3 6 1
[ pairs ]
1 4 1
5 3 1
2 6 1
[ angles ]
1 2 3 5
2 3 4 1
5 1 2 1
2 3 6 1
[ dihedrals ]
1 2 3 4 9
5 1 2 3 9
5 1 2 3 1 MYTORSION
1 2 3 4 2 10.0 30.0
6 3 2 1 3 0.5 -1.0 0.2 0.3 -0.1 0.05
1 4 3 2 4 180.0 4.6 2
#ifdef NOT_DEFINED
[ bonds ]
1 6 1 0.1 1000
#else
[ exclusions ]
1 6
#endif
[ system ]
test molecule
[ molecules ]
MOL 2
)";

fs::path smallTopology() {
  const fs::path dir = test::freshTempDir("top");
  write(dir / "ff.itp", kForceField);
  write(dir / "mol.top", kMolecule);
  return dir / "mol.top";
}

std::vector<Vec3> smallPositions(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, 0.15);
  std::vector<Vec3> x = {{0, 0, 0}, {1.5, 0.1, 0}, {2.1, 1.4, 0.2}, {3.5, 1.5, 0.6}, {-0.5, -0.9, 0.3}, {1.8, 2.0, -0.8}};
  std::vector<Vec3> all;
  for (int c = 0; c < 2; ++c)
    for (auto p : x) all.push_back(p + Vec3{c * 6.0 + g(rng), g(rng), g(rng)});
  return all;
}

std::string errorOf(const std::string& text, const std::string& name = "bad.top") {
  const fs::path dir = test::freshTempDir("badtop");
  write(dir / "ff.itp", kForceField);
  write(dir / name, text);
  try {
    readTopology((dir / name).string());
  } catch (const TopologyError& e) {
    std::string m = e.what();
    const std::string prefix = (dir / name).string();
    if (m.rfind(prefix, 0) == 0) m = name + m.substr(prefix.size());
    return m;
  }
  return "(no error)";
}

}  // namespace

TEST(TopologyReader, ReadsPreprocessorTypeTablesAndMolecules) {
  const ClassicalTopology t = readTopology(smallTopology().string());
  ASSERT_EQ(t.size(), 12u);
  EXPECT_EQ(t.systemName, "test molecule");
  EXPECT_EQ(t.combinationRule, 2);
  EXPECT_TRUE(t.generatePairs);
  EXPECT_DOUBLE_EQ(t.fudgeQQ, 0.8333);
  EXPECT_EQ(t.molecules.size(), 1u);
  EXPECT_EQ(t.molecules[0].count, 2);
  EXPECT_EQ(t.atoms[3].atomicNumber, 8);
  EXPECT_DOUBLE_EQ(t.atoms[3].mass, 15.999);  // from the atom type
  EXPECT_EQ(t.bonds.size(), 10u);
  EXPECT_DOUBLE_EQ(t.bonds[2].r0, 0.1430);
  EXPECT_EQ(t.angles[0].function, 5);
  EXPECT_DOUBLE_EQ(t.angles[0].ubR0, 0.25);
  // Per molecule: 1-2-3-4 (CT CT CT O, one exact term), 5-1-2-3 (HC CT CT CT: only the wildcard
  // X CT CT X), the macro term, the harmonic improper, the RB term, the periodic improper.
  ASSERT_EQ(t.dihedrals.size(), 12u);
  EXPECT_DOUBLE_EQ(t.dihedrals[0].force, 0.7);
  EXPECT_EQ(t.dihedrals[0].multiplicity, 2);
  EXPECT_DOUBLE_EQ(t.dihedrals[1].force, 0.6508444);
  EXPECT_DOUBLE_EQ(t.dihedrals[2].phase, 180.0);  // MYTORSION expanded
  EXPECT_EQ(t.dihedrals[2].multiplicity, 2);
  EXPECT_EQ(t.dihedrals[3].function, 2);
  EXPECT_DOUBLE_EQ(t.dihedrals[4].rb[5], 0.05);
  EXPECT_EQ(t.dihedrals[5].function, 4);
  EXPECT_EQ(t.dihedrals[6].i, 6);  // second copy offset
  // Generated 1-4 pair: arithmetic σ, geometric ε × fudgeLJ.
  ASSERT_EQ(t.pairs.size(), 6u);
  EXPECT_NEAR(t.pairs[0].sigma, 0.5 * (0.339967 + 0.295992), 1e-12);
  EXPECT_NEAR(t.pairs[0].epsilon, 0.5 * std::sqrt(0.4577296 * 0.87864), 1e-12);
  // nrexcl 3 within the molecule plus the explicit 1-6; nothing across copies.
  EXPECT_EQ(t.exclusions[0], (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(t.exclusions[6], (std::vector<int>{7, 8, 9, 10, 11}));
  EXPECT_NEAR(t.totalCharge(), 0.0, 1e-12);
}

TEST(TopologyReader, MultipleFunction9TermsFromAdjacentLines) {
  const fs::path dir = test::freshTempDir("top9");
  write(dir / "ff.itp", kForceField);
  std::string mol = kMolecule;
  // 5-1-2-4 is not a chain, but the type lookup only looks at types: HC CT CT O has two lines.
  mol.replace(mol.find("1 2 3 4 9"), 9, "5 1 2 4 9");
  write(dir / "mol.top", mol);
  const ClassicalTopology t = readTopology((dir / "mol.top").string());
  ASSERT_EQ(t.dihedrals.size(), 14u);
  EXPECT_DOUBLE_EQ(t.dihedrals[0].force, 0.0);
  EXPECT_EQ(t.dihedrals[0].multiplicity, 3);
  EXPECT_DOUBLE_EQ(t.dihedrals[1].force, 1.046);
  EXPECT_EQ(t.dihedrals[1].multiplicity, 1);
}

TEST(TopologyReader, MalformedInputIsOneErrorNamingFileAndLine) {
  const std::string head = "#include \"ff.itp\"\n[ moleculetype ]\nM 3\n[ atoms ]\n1 CT 1 M C1 1 0.0\n2 CT 1 M C2 1 0.0\n";
  EXPECT_EQ(errorOf(head + "[ bonds ]\n1 3 1\n"), "bad.top:8: atom 3 is not an atom of molecule type 'M' (it has 2 so far)");
  EXPECT_EQ(errorOf(head + "[ bonds ]\n1 2 1 0.15 abc\n"), "bad.top:8: malformed parameter 'abc'");
  EXPECT_EQ(errorOf(head + "[ bonds ]\n1 2 7\n[ molecules ]\nM 1\n"), "bad.top:8: bond function 7 is not supported (1: harmonic, 5: connection)");
  EXPECT_EQ(errorOf(head + "[ angles ]\n1 2 1 1\n[ molecules ]\nM 1\n"), "bad.top:8: no angletypes parameters for types CT-CT-CT (function 1)");
  EXPECT_EQ(errorOf(head + "[ molecules ]\nN 1\n"), "bad.top:8: unknown molecule type 'N'");
  EXPECT_EQ(errorOf(head + "[ cmap ]\n1 2 1 2 1 1\n"), "bad.top:8: unsupported section [ cmap ]");
  EXPECT_EQ(errorOf("#include \"missing.itp\"\n").find("bad.top:1: included file 'missing.itp' not found"), 0u);
  EXPECT_EQ(errorOf("#ifdef X\n[ system ]\n"), "bad.top:2: #ifdef/#ifndef without #endif");
  EXPECT_EQ(errorOf("#include \"ff.itp\"\n[ moleculetype ]\nM 3\n[ atoms ]\n1 ZZ 1 M C1 1 0.0\n"), "bad.top:5: unknown atom type 'ZZ'");
  EXPECT_EQ(errorOf("#include \"ff.itp\"\n"), "bad.top: no [ molecules ] section");
  EXPECT_EQ(errorOf("[ system ]\nx\n"), "bad.top: no [ defaults ] section (is the force field #included?)");
  // The included file is named when the error is in it.
  const fs::path dir = test::freshTempDir("badinc");
  write(dir / "ff.itp", std::string(kForceField) + "[ bondtypes ]\nCT HC 1 0.1\nCT\n");
  write(dir / "a.top", "#include \"ff.itp\"\n");
  try {
    readTopology((dir / "a.top").string());
    FAIL() << "no error";
  } catch (const TopologyError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "ff.itp").string() + ":27: malformed type line (expected 2 type names and a function)");
  }
}

TEST(BondedEnergy, ForcesAreMinusTheGradient) {
  const ClassicalTopology t = readTopology(smallTopology().string());
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<Vec3> x = smallPositions(seed);
    std::vector<Vec3> f(x.size());
    const BondedEnergies e = bondedEnergies(t, x, std::nullopt, &f);
    EXPECT_NE(e.ureyBradley, 0.0);
    EXPECT_NE(e.ryckaertBellemans, 0.0);
    EXPECT_NE(e.improper, 0.0);
    constexpr double h = 1e-5;
    for (size_t a = 0; a < x.size(); ++a)
      for (int c = 0; c < 3; ++c) {
        std::vector<Vec3> xp = x, xm = x;
        (c == 0 ? xp[a].x : c == 1 ? xp[a].y : xp[a].z) += h;
        (c == 0 ? xm[a].x : c == 1 ? xm[a].y : xm[a].z) -= h;
        const double fd = -(bondedEnergies(t, xp).total() - bondedEnergies(t, xm).total()) / (2 * h);
        const double an = c == 0 ? f[a].x : c == 1 ? f[a].y : f[a].z;
        EXPECT_NEAR(an, fd, 1e-5 * std::max(1.0, std::abs(fd))) << "seed " << seed << " atom " << a << " axis " << c;
      }
  }
}

TEST(BondedEnergy, InvariantUnderRotationAndTranslationAndPeriodicImages) {
  const ClassicalTopology t = readTopology(smallTopology().string());
  const std::vector<Vec3> x = smallPositions(7);
  const double e0 = bondedEnergies(t, x).total();
  const double c = std::cos(0.7), s = std::sin(0.7);
  std::vector<Vec3> y;
  for (const auto& p : x) y.push_back(Vec3{c * p.x - s * p.y, s * p.x + c * p.y, p.z} + Vec3{3.3, -7.1, 2.2});
  EXPECT_NEAR(bondedEnergies(t, y).total(), e0, 1e-9 * std::abs(e0));
  // Molecules split across a periodic boundary give the same energy with the box.
  const Box box = Box::orthorhombic({20, 20, 20});
  std::vector<Vec3> wrapped;
  for (const auto& p : y) wrapped.push_back(box.wrap(p));
  EXPECT_NEAR(bondedEnergies(t, wrapped, box).total(), e0, 1e-9 * std::abs(e0));
}
