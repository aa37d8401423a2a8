// Readers and writers: round trips in every format, and one clear error for each kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "systems/AtomicFile.hpp"
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
    EXPECT_NEAR(norm(*a.box - *b.box), 0.0, tol * 2);
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
      {"box.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n   x\n", "box.gro:4: malformed box line"},
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
