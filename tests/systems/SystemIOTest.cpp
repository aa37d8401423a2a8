// Readers and writers: round trips in every format, and one clear error for each kind of bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
#include "systems/Hybrid36.hpp"
#include "systems/Rng.hpp"
#include "systems/StructureStats.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/RandomSystemBuilder.hpp"
#include "systems/Solvator.hpp"
#include "systems/SystemIO.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
fs::path tempDir() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("mlffb-io-" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

System smallSolvated() {
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Capped, 3, 1000});
  SolvationOptions so;
  so.paddingAngstrom = 5.0;
  return Solvator(so).solvate(b.build(10));
}

void expectSame(const System& a, const System& b, double tol, bool names) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.atoms[i].element, b.atoms[i].element) << i;
    if (names) {
      EXPECT_EQ(a.atoms[i].name, b.atoms[i].name) << i;
      EXPECT_EQ(a.atoms[i].residueName, b.atoms[i].residueName) << i;
      EXPECT_EQ(a.atoms[i].residueNumber, b.atoms[i].residueNumber) << i;
      EXPECT_EQ(a.atoms[i].solvent, b.atoms[i].solvent) << i;
    }
    EXPECT_NEAR(a.positions[i].x, b.positions[i].x, tol);
    EXPECT_NEAR(a.positions[i].y, b.positions[i].y, tol);
    EXPECT_NEAR(a.positions[i].z, b.positions[i].z, tol);
  }
  ASSERT_EQ(a.box.has_value(), b.box.has_value());
  if (a.box) {
    EXPECT_NEAR(norm(a.box->a - b.box->a) + norm(a.box->b - b.box->b) + norm(a.box->c - b.box->c), 0.0, tol * 6);
  }
}

std::string writeTemp(const std::string& name, const std::string& text) {
  const fs::path p = tempDir() / name;
  std::ofstream(p) << text;
  return p.string();
}

std::string errorOf(const std::string& path) {
  try {
    readSystem(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(SystemIO, RoundTripsEveryFormat) {
  const System s = smallSolvated();
  const std::pair<FileFormat, double> cases[] = {{FileFormat::Pdb, 5e-4}, {FileFormat::Gro, 5e-3}, {FileFormat::Xyz, 5e-6}};
  for (auto [fmt, tol] : cases) {
    const std::string path = (tempDir() / ("rt." + extension(fmt))).string();
    writeSystem(s, path, fmt);
    const System r = readSystem(path);
    SCOPED_TRACE(extension(fmt));
    expectSame(s, r, tol, fmt != FileFormat::Xyz);
    if (fmt != FileFormat::Xyz) {
      EXPECT_EQ(r.bonds, s.bonds);
    }  // CONECT (PDB) or inferred (GRO)
    // Writing what was read reproduces the file exactly.
    const std::string again = (tempDir() / ("rt2." + extension(fmt))).string();
    writeSystem(r, again, fmt);
    System r2 = readSystem(again);
    EXPECT_EQ(r2.positions, r.positions);
  }
}

TEST(SystemIO, RandomSystemRoundTripKeepsBox) {
  const System s = buildRandomSystem(RandomSystemOptions{500, 40, 5.1, 0.9, 5});
  for (FileFormat fmt : {FileFormat::Pdb, FileFormat::Xyz, FileFormat::Gro}) {
    const std::string path = (tempDir() / ("rand." + extension(fmt))).string();
    writeSystem(s, path, fmt);
    expectSame(s, readSystem(path), fmt == FileFormat::Gro ? 5e-3 : 5e-4, false);
  }
}

TEST(SystemIO, AtomicWriteLeavesNoTemporaryAndReplacesWhole) {
  const std::string p = (tempDir() / "atomic.txt").string();
  writeFileAtomically(p, std::string(100000, 'a'));
  writeFileAtomically(p, "short\n");
  EXPECT_EQ(readFile(p), "short\n");
  for (const auto& e : fs::directory_iterator(tempDir()))
    EXPECT_EQ(e.path().filename().string().find(".atomic.txt.tmp"), std::string::npos);
  EXPECT_THROW(writeFileAtomically((tempDir() / "no-such-dir" / "x.pdb").string(), "x"), std::runtime_error);
}

TEST(SystemIO, BadInputNamesFileAndLine) {
  const std::string atom = "ATOM      1  CA  ALA A   1       1.000   2.000   3.000  1.00  0.00           C\n";
  struct Case {
    const char* name;
    std::string text;
    const char* expect;
  };
  const Case cases[] = {
      {"empty.pdb", "", "empty file"},
      {"blank.xyz", "  \n", "empty file"},
      {"noatoms.pdb", "REMARK nothing\nEND\n", "no atoms"},
      {"trunc.pdb", atom + "ATOM      2  CB  ALA A   1       1.000   2.0\n", "trunc.pdb:2: truncated ATOM record"},
      {"malformed.pdb", "ATOM      1  CA  ALA A   1       1.0x0   2.000   3.000  1.00  0.00           C\n",
       "malformed.pdb:1: malformed x coordinate"},
      {"nan.pdb", "ATOM      1  CA  ALA A   1         nan   2.000   3.000  1.00  0.00           C\n",
       "nan.pdb:1: non-finite x coordinate"},
      {"inf.xyz", "1\n\nC 1.0 inf 0\n", "inf.xyz:3: non-finite y coordinate"},
      {"element.pdb", "ATOM      1 XX1  ALA A   1       1.000   2.000   3.000  1.00  0.00          Xx\n",
       "element.pdb:1: unknown element 'Xx'"},
      {"element.xyz", "2\n\nC 0 0 0\nQq 1 0 0\n", "element.xyz:4: unknown element 'Qq'"},
      {"trunc.xyz", "3\n\nC 0 0 0\nH 1 0 0\n", "trunc.xyz: truncated"},
      {"shortline.xyz", "2\n\nC 0 0 0\nH 1 0\n", "shortline.xyz:4: truncated atom line"},
      {"count.xyz", "two\n\nC 0 0 0\n", "count.xyz:1: malformed atom count"},
      {"trunc.gro", "t\n    3\n    1ALA      N    1   0.100   0.200   0.300\n", "trunc.gro: truncated"},
      {"line.gro", "t\n    1\n    1ALA      N    1   0.100   0.2\n   1.0 1.0 1.0\n", "line.gro:3: truncated atom line"},
      {"box.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n   x\n", "box.gro:4: malformed box value"},
      {"elem.gro", "t\n    1\n    1ALA     Q1    1   0.100   0.200   0.300\n   1 1 1\n", "elem.gro:3: unknown element"},
      {"wrong.txt", "hello\n", "unknown structure format"},
  };
  for (const auto& c : cases) {
    const std::string path = writeTemp(c.name, c.text);
    const std::string err = errorOf(path);
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.name << " gave: '" << err << "'";
    EXPECT_NE(err.find(c.name), std::string::npos) << c.name << " error does not name the file: " << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << "error must be one line";
  }
  EXPECT_NE(errorOf((tempDir() / "missing.pdb").string()).find("missing.pdb: cannot open"), std::string::npos);
}

// ------------------------------------------------------------------ periodic cells of any shape

namespace {
/// A small system in a triclinic cell (reduced), atoms spread through it.
System triclinicSystem(const Box& box) {
  System s;
  s.box = box;
  const int els[] = {6, 1, 8, 7};
  for (int i = 0; i < 12; ++i)
    s.addAtom(Atom{els[i % 4], std::string(elementInfo(els[i % 4]).symbol) + std::to_string(i), "MOL", 1 + i / 4, 'A', false},
              box.toCartesian(Vec3{0.07 + 0.08 * i, 0.5 + 0.3 * std::sin(i), 0.2 + 0.05 * i}));
  return s;
}
}  // namespace

TEST(SystemIO, TriclinicCellsRoundTripInEveryFormat) {
  const Box box = Box::fromLengthsAngles(21.937, 14.866, 23.477, 85.0, 107.08, 95.0);
  ASSERT_TRUE(box.isReduced());
  const System s = triclinicSystem(box);
  const std::pair<FileFormat, double> cases[] = {{FileFormat::Pdb, 5e-3}, {FileFormat::Gro, 5e-3}, {FileFormat::Xyz, 5e-6}};
  for (auto [fmt, tol] : cases) {
    SCOPED_TRACE(extension(fmt));
    const std::string path = (tempDir() / ("tri." + extension(fmt))).string();
    writeSystem(s, path, fmt);
    const System r = readSystem(path);
    expectSame(s, r, tol, false);
    const Vec3 g = r.box->anglesDeg();
    EXPECT_NEAR(g.x, 85.0, 0.01);
    EXPECT_NEAR(g.y, 107.08, 0.01);
    EXPECT_NEAR(g.z, 95.0, 0.01);
  }
}

TEST(SystemIO, MonoclinicCryst1GivesTheLatticeOfItsLengthsAndAngles) {
  // The CRYST1 of a real monoclinic crystal structure (1YJP, P 1 21 1).
  const std::string path = writeTemp("mono.pdb",
                                     "CRYST1   21.937    4.866   23.477  90.00 107.08  90.00 P 1 21 1      2\n"
                                     "ATOM      1  N   GLY A   1      -9.009   4.612   6.102  1.00 16.77           N\n"
                                     "ATOM      2  CA  GLY A   1      -9.052   4.207   4.651  1.00 16.57           C\n"
                                     "END\n");
  const System s = readSystem(path);
  ASSERT_TRUE(s.box);
  const Box& b = *s.box;
  EXPECT_NEAR(b.a.x, 21.937, 1e-9);
  EXPECT_EQ(b.a.y, 0.0);
  EXPECT_EQ(b.b.x, 0.0);  // γ = 90° exactly
  EXPECT_NEAR(b.b.y, 4.866, 1e-9);
  EXPECT_NEAR(b.c.x, 23.477 * std::cos(107.08 * kPi / 180), 1e-9);
  EXPECT_EQ(b.c.y, 0.0);  // α = 90°
  EXPECT_NEAR(norm(b.c), 23.477, 1e-9);
  EXPECT_NEAR(b.volume(), 21.937 * 4.866 * 23.477 * std::sin(107.08 * kPi / 180), 1e-6);
  // b = 4.9 Å is thinner than twice 5.1 Å: each N sees the other atom's images along b too
  // (1.52 Å, and at 4.866 ± … Å), counted by the neighbour statistics without a minimum image.
  const double d = norm(s.positions[1] - s.positions[0]);
  int within = 0;
  for (int k = -2; k <= 2; ++k) {
    within += norm(s.positions[1] - s.positions[0] + b.b * k) < 5.1;
    within += k != 0 && norm(b.b * k) < 5.1;  // the atom's own images
  }
  EXPECT_NEAR(meanNeighbors(s, 5.1), within, 1e-12) << "N–CA " << d << " Å";
  // A cell that is not in reduced form is reduced (the same lattice).
  const Box skew = Box::fromLengthsAngles(10, 10, 30, 90, 150, 90);
  EXPECT_TRUE(skew.isReduced());
  EXPECT_NEAR(skew.volume(), 10 * 10 * 30 * std::sin(150 * kPi / 180), 1e-9);
}

TEST(SystemIO, GroNineValueBoxAndItsGromacsForm) {
  const std::string ok = writeTemp("tri.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n"
                                              "   2.00000   1.80000   1.70000   0.00000   0.00000   0.50000   0.00000  -0.40000   0.30000\n");
  const System s = readSystem(ok);
  ASSERT_TRUE(s.box);
  EXPECT_EQ(s.box->a, (Vec3{20, 0, 0}));
  EXPECT_EQ(s.box->b, (Vec3{5, 18, 0}));
  EXPECT_EQ(s.box->c, (Vec3{-4, 3, 17}));
  const std::string bad = writeTemp("nottri.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n"
                                                  "   2.0 1.8 1.7 0.1 0.0 0.5 0.0 -0.4 0.3\n");
  EXPECT_NE(errorOf(bad).find("nottri.gro:4: box vectors need v1(y) = v1(z) = v2(z) = 0"), std::string::npos) << errorOf(bad);
  const std::string eight = writeTemp("eight.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n 1 1 1 0 0 0 0 0\n");
  EXPECT_NE(errorOf(eight).find("eight.gro:4: box line needs 3 or 9 values, found 8"), std::string::npos) << errorOf(eight);
}

TEST(SystemIO, XyzLatticeOfAnyOrientationIsRotatedIntoReducedForm) {
  // A cell and atoms given rotated: reading turns both back, so distances and the cell's shape stay.
  const Box box = Box::fromLengthsAngles(12, 13, 14, 80, 100, 110);
  const System s = triclinicSystem(box);
  const double c = std::cos(0.7), sn = std::sin(0.7);
  auto rot = [&](const Vec3& v) { return Vec3{c * v.x - sn * v.y, sn * v.x + c * v.y, v.z}; };
  std::string text = std::to_string(s.size()) + "\nLattice=\"";
  for (const Vec3& v : {rot(box.a), rot(box.b), rot(box.c)}) text += std::to_string(v.x) + " " + std::to_string(v.y) + " " + std::to_string(v.z) + " ";
  text += "\" pbc=\"T T T\"\n";
  for (size_t i = 0; i < s.size(); ++i) {
    const Vec3 p = rot(s.positions[i]);
    text += std::string(i % 4 == 1 ? "H" : (i % 4 == 2 ? "O" : (i % 4 == 3 ? "N" : "C"))) + " " + std::to_string(p.x) + " " +
            std::to_string(p.y) + " " + std::to_string(p.z) + "\n";
  }
  const System r = readSystem(writeTemp("rot.xyz", text));
  ASSERT_TRUE(r.box);
  EXPECT_EQ(r.box->a.y, 0.0);
  EXPECT_EQ(r.box->b.z, 0.0);
  EXPECT_NEAR(r.box->volume(), box.volume(), 1e-3);
  for (size_t i = 1; i < s.size(); ++i) EXPECT_NEAR(norm(r.positions[i] - r.positions[0]), norm(s.positions[i] - s.positions[0]), 1e-5);
  const std::string left = writeTemp("left.xyz", "1\nLattice=\"10 0 0 0 10 0 0 0 -10\"\nC 0 0 0\n");
  EXPECT_NE(errorOf(left).find("left.xyz:2: Lattice: the cell vectors are left-handed"), std::string::npos) << errorOf(left);
}

TEST(SystemIO, PdbAlternateLocationsInsertionCodesModelsAndWaters) {
  // As crystal structures have them: residue 25 in two conformations (and a third, another residue
  // name: microheterogeneity), an insertion code, HETATM waters, and two MODELs.
  const std::string body =
      "ATOM      1  N   ALA A  24      -2.000   0.000   0.000  1.00  2.00           N\n"
      "ATOM      2  CA  ALA A  24      -1.000   0.000   0.000  1.00  2.00           C\n"
      "ATOM      3  N  AILE A  25       4.377  15.265   1.447  0.40  2.82           N\n"
      "ATOM      4  N  BILE A  25       4.377  15.265   1.447  0.40  2.82           N\n"
      "ATOM      5  CA AILE A  25       3.033  14.786   1.800  0.40  2.71           C\n"
      "ATOM      6  CA BILE A  25       3.133  14.886   1.900  0.40  2.71           C\n"
      "ATOM      7  CA CLEU A  25       3.233  14.986   1.700  0.20  2.71           C\n"
      "ATOM      8  N   GLY A  25A      6.000  15.000   1.000  1.00  2.00           N\n"
      "ATOM     12  CZ  ARG A  27      59.081  20.674  24.762  0.50 26.69           C\n"
      "ATOM     13  CZ BARG A  27      60.798  20.732  26.326  0.50 26.95           C\n"
      "ATOM      9  CA  GLY A  25A      7.000  15.000   1.000  1.00  2.00           C\n"
      "HETATM   10  O   HOH A 301      10.000  10.000  10.000  1.00 30.00           O\n"
      "HETATM   11  O   HOH A 302      13.000  10.000  10.000  1.00 30.00           O\n";
  std::string shifted = body;
  for (size_t p = 0; (p = shifted.find("  1.447", p)) != std::string::npos; p += 7) shifted.replace(p, 7, "  9.447");
  const std::string path = writeTemp("xtal.pdb", "CRYST1   30.000   31.000   32.000  90.00 104.00  90.00 P 1 21 1      2\n"
                                                 "MODEL        1\n" + body + "ENDMDL\nMODEL        2\n" + shifted + "ENDMDL\nEND\n");
  const System s = readSystem(path);
  ASSERT_EQ(s.size(), 9u);  // 13 records − 4 of other locations
  EXPECT_EQ(s.atoms[2].name, "N");
  EXPECT_EQ(s.atoms[3].name, "CA");
  EXPECT_NEAR(s.positions[3].x, 3.033, 1e-9);  // location A kept
  EXPECT_EQ(s.atoms[4].insertionCode, 'A');
  EXPECT_EQ(s.soluteResidues(), 4);             // 24, 25, 25A, 27
  EXPECT_NEAR(s.positions[5].x, 59.081, 1e-9);  // ARG 27 CZ: the blank record, not location B
  EXPECT_EQ(s.solventCount(), 2u);
  bool recorded = false;
  for (const auto& [k, v] : s.provenance.parameters) recorded = recorded || (k == "alternate_locations_dropped" && v == "4");
  EXPECT_TRUE(recorded);
  const System second = readSystem(path, ReadOptions{2});
  ASSERT_EQ(second.size(), 9u);
  EXPECT_NEAR(second.positions[2].z, 9.447, 1e-9);
  EXPECT_NEAR(s.positions[2].z, 1.447, 1e-9);
  try {
    readSystem(path, ReadOptions{3});
    FAIL() << "frame 3 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("xtal.pdb: frame 3 asked for, but the file has 2 models"), std::string::npos) << e.what();
  }
  // The writer keeps insertion codes: a round trip gives the same residues.
  const std::string out = (tempDir() / "xtal-out.pdb").string();
  writeSystem(s, out, FileFormat::Pdb);
  EXPECT_EQ(readSystem(out).soluteResidues(), 4);
}

TEST(SystemIO, Hybrid36NumbersAndLargePdbRoundTrips) {
  EXPECT_EQ(encodeHybrid36(5, 99999), "99999");
  EXPECT_EQ(encodeHybrid36(5, 100000), "A0000");
  EXPECT_EQ(encodeHybrid36(4, 10000), "A000");
  EXPECT_EQ(encodeHybrid36(4, 10000 + 26 * 36 * 36 * 36), "a000");
  EXPECT_EQ(decodeHybrid36("A0000"), 100000);
  EXPECT_EQ(decodeHybrid36(" 123"), 123);
  Rng rng(std::random_device{}());
  for (int k = 0; k < 2000; ++k) {
    const long v = static_cast<long>(rng.uniform(0, 87440031));
    EXPECT_EQ(decodeHybrid36(encodeHybrid36(5, v)), v) << v;
  }
  EXPECT_THROW(encodeHybrid36(4, 2436112), std::invalid_argument);
  EXPECT_THROW(decodeHybrid36("A00?"), std::invalid_argument);
  // 34,000 waters: 102,000 atoms and 34,000 residues survive the 5- and 4-column fields.
  System s;
  s.name = "waters";
  for (int w = 0; w < 34000; ++w) {
    const Vec3 o{3.1 * (w % 40), 3.1 * ((w / 40) % 40), 3.1 * (w / 1600)};
    const int base = static_cast<int>(s.size());
    s.addAtom(Atom{8, "O", "HOH", w + 1, 'W', true}, o);
    s.addAtom(Atom{1, "H1", "HOH", w + 1, 'W', true}, o + Vec3{0.9572, 0, 0});
    s.addAtom(Atom{1, "H2", "HOH", w + 1, 'W', true}, o + Vec3{-0.24, 0.927, 0});
    s.bonds.emplace_back(base, base + 1);
    s.bonds.emplace_back(base, base + 2);
  }
  const std::string path = (tempDir() / "waters.pdb").string();
  writeSystem(s, path, FileFormat::Pdb);
  const System r = readSystem(path);
  ASSERT_EQ(r.size(), s.size());
  EXPECT_EQ(r.atoms.back().residueNumber, 34000);
  EXPECT_EQ(r.bonds, s.bonds);  // CONECT for every atom, hybrid-36 serials
  std::set<int> residues;
  for (const auto& a : r.atoms) residues.insert(a.residueNumber);
  EXPECT_EQ(residues.size(), 34000u);
}

// A staging folder that a killed command left in an output folder (its owner lock free) is removed
// by the next staging folder there; a live one's files move in, its lock file stays behind with it.
TEST(AtomicFile, StagingFoldersOfKilledCommandsAreReclaimed) {
  const fs::path dir = fs::temp_directory_path() / ("mlffb-staging-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / ".mlff-bench-staging-old123");
  std::ofstream(dir / ".mlff-bench-staging-old123" / kScratchLockName) << "";
  std::ofstream(dir / ".mlff-bench-staging-old123" / "half.png") << "x";
  {
    StagingFolder staging(dir.string());
    EXPECT_FALSE(fs::exists(dir / ".mlff-bench-staging-old123"));
    std::ofstream(fs::path(staging.path()) / "a.png") << "a";
    EXPECT_EQ(staging.commit(Existing::Refuse), std::vector<std::string>{"a.png"});
  }
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"a.png"});
  fs::remove_all(dir);
}
