// Poly-alanine builder: composition, ideal geometry, chirality, clashes, slices, determinism, compactness.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "systems/PolyAlanineBuilder.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemIO.hpp"
#include "systems/Topology.hpp"

using namespace mlffb;

namespace {
const PolyAlanineBuilder& folded() {
  static const PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000});
  return b;
}

void expectIdealGeometry(const System& s) {
  std::vector<std::vector<int>> adj(s.size());
  for (auto [a, b] : s.bonds) {
    const double ideal = PeptideGeometry::bondLength(s.atoms[a].name, s.atoms[b].name);
    ASSERT_FALSE(std::isnan(ideal)) << s.atoms[a].name << "-" << s.atoms[b].name;
    EXPECT_NEAR(norm(s.positions[a] - s.positions[b]), ideal, 0.02) << s.atoms[a].name << "-" << s.atoms[b].name;
    adj[a].push_back(b);
    adj[b].push_back(a);
  }
  for (size_t c = 0; c < s.size(); ++c)
    for (size_t x = 0; x < adj[c].size(); ++x)
      for (size_t y = x + 1; y < adj[c].size(); ++y) {
        const int i = adj[c][x], k = adj[c][y];
        const double ideal = PeptideGeometry::angle(s.atoms[i].name, s.atoms[c].name, s.atoms[k].name);
        ASSERT_FALSE(std::isnan(ideal)) << s.atoms[i].name << "-" << s.atoms[c].name << "-" << s.atoms[k].name;
        EXPECT_NEAR(angleDeg(s.positions[i], s.positions[c], s.positions[k]), ideal, 3.0)
            << s.atoms[i].name << "-" << s.atoms[c].name << "-" << s.atoms[k].name << " residue "
            << s.atoms[c].residueNumber;
      }
}

void expectNoClashes(const System& s) {
  const ClashReport r = findClashes(s, 3, true);
  EXPECT_GE(r.minHeavyHeavy, 2.5) << s.name << ": atoms " << r.heavyI << " " << r.heavyJ;
  EXPECT_GE(r.minAny, 1.5) << s.name << ": atoms " << r.anyI << " " << r.anyJ;
}

void expectLChirality(const System& s) {
  std::map<int, std::map<std::string, Vec3>> res;
  for (size_t i = 0; i < s.size(); ++i)
    if (s.atoms[i].residueName == "ALA") res[s.atoms[i].residueNumber][s.atoms[i].name] = s.positions[i];
  for (auto& [num, a] : res) {
    const double v = dot(cross(a["N"] - a["CA"], a["C"] - a["CA"]), a["CB"] - a["CA"]);
    EXPECT_GT(v, 0.5) << "residue " << num << " is not L";
  }
}
}  // namespace

TEST(PolyAlanine, ChiralityConventionMatchesReferenceLAlanine) {
  // L-alanine ideal coordinates of the PDB chemical component dictionary (ALA): the signed volume
  // used by expectLChirality is positive for it.
  const Vec3 n{-0.966, 0.493, 1.500}, ca{0.257, 0.418, 0.692}, c{-0.094, 0.017, -0.716}, cb{1.204, -0.620, 1.296};
  EXPECT_GT(dot(cross(n - ca, c - ca), cb - ca), 0.5);
}

TEST(PolyAlanine, AtomCountsChargedAndCapped) {
  for (int n : {1, 2, 10, 37}) {
    PolyAlanineBuilder charged(PolyAlanineOptions{Conformation::Helix, Termini::Charged, 1, 40});
    PolyAlanineBuilder capped(PolyAlanineOptions{Conformation::Helix, Termini::Capped, 1, 40});
    EXPECT_EQ(charged.build(n).size(), static_cast<size_t>(10 * n + 3));
    EXPECT_EQ(capped.build(n).size(), static_cast<size_t>(10 * n + 12));
  }
  const System s = folded().build(100);
  EXPECT_EQ(s.size(), 1003u);
  EXPECT_EQ(s.soluteResidues(), 100);
  // Bond graph is a tree with one component: atoms - 1 bonds.
  EXPECT_EQ(s.bonds.size(), s.size() - 1);
}

TEST(PolyAlanine, IdealGeometryAllConformationsAndTermini) {
  for (auto conf : {Conformation::Helix, Conformation::Extended})
    for (auto term : {Termini::Charged, Termini::Capped}) {
      PolyAlanineBuilder b(PolyAlanineOptions{conf, term, 3, 30});
      SCOPED_TRACE(toString(conf) + "/" + toString(term));
      expectIdealGeometry(b.build(30));
    }
  expectIdealGeometry(folded().build(1000));
  PolyAlanineBuilder cappedFolded(PolyAlanineOptions{Conformation::Folded, Termini::Capped, 42, 1000});
  expectIdealGeometry(cappedFolded.build(300));
}

TEST(PolyAlanine, HelixDihedralsAndTransPeptides) {
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Helix, Termini::Charged, 1, 20});
  const System s = b.build(20);
  std::map<int, std::map<std::string, Vec3>> r;
  for (size_t i = 0; i < s.size(); ++i) r[s.atoms[i].residueNumber][s.atoms[i].name] = s.positions[i];
  for (int i = 2; i < 20; ++i) {
    EXPECT_NEAR(dihedralDeg(r[i - 1]["C"], r[i]["N"], r[i]["CA"], r[i]["C"]), -57.0, 1e-6);
    EXPECT_NEAR(dihedralDeg(r[i]["N"], r[i]["CA"], r[i]["C"], r[i + 1]["N"]), -47.0, 1e-6);
    EXPECT_NEAR(std::abs(dihedralDeg(r[i]["CA"], r[i]["C"], r[i + 1]["N"], r[i + 1]["CA"])), 180.0, 1e-6);
  }
  // Right-handed alpha helix: the CA(i..i+3) virtual dihedral is about +50 degrees.
  for (int i = 1; i + 3 <= 20; ++i)
    EXPECT_NEAR(dihedralDeg(r[i]["CA"], r[i + 1]["CA"], r[i + 2]["CA"], r[i + 3]["CA"]), 50.0, 5.0);
}

TEST(PolyAlanine, LChiralityEverywhere) {
  expectLChirality(folded().build(1000));
  PolyAlanineBuilder e(PolyAlanineOptions{Conformation::Extended, Termini::Capped, 1, 50});
  expectLChirality(e.build(50));
}

TEST(PolyAlanine, NoClashesInSuiteSlices) {
  for (int n : {10, 50, 100, 300, 1000}) expectNoClashes(folded().build(n));
  PolyAlanineBuilder capped(PolyAlanineOptions{Conformation::Folded, Termini::Capped, 42, 1000});
  for (int n : {10, 20, 200}) expectNoClashes(capped.build(n));
  for (auto conf : {Conformation::Helix, Conformation::Extended}) {
    PolyAlanineBuilder b(PolyAlanineOptions{conf, Termini::Charged, 1, 100});
    expectNoClashes(b.build(100));
  }
}

TEST(PolyAlanine, SlicesArePrefixesOfTheFullChain) {
  const System full = folded().build(1000);
  for (int n : {10, 90, 500}) {
    const System s = folded().build(n);
    // Every atom of residues 1..n-1, and the backbone/side chain of residue n, is identical.
    size_t compared = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.atoms[i].name == "OXT") continue;
      ASSERT_EQ(s.atoms[i].name, full.atoms[i].name);
      ASSERT_EQ(s.atoms[i].residueNumber, full.atoms[i].residueNumber);
      EXPECT_EQ(s.positions[i], full.positions[i]) << "atom " << i;
      ++compared;
    }
    EXPECT_EQ(compared, static_cast<size_t>(10 * n + 2));
  }
}

TEST(PolyAlanine, SameSeedGivesBitIdenticalOutputDifferentSeedDoesNot) {
  PolyAlanineBuilder a(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 7, 1000});
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 7, 1000});
  PolyAlanineBuilder c(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 8, 1000});
  EXPECT_EQ(formatPdb(a.build(200)), formatPdb(b.build(200)));
  EXPECT_EQ(a.build(1000).positions, b.build(1000).positions);
  EXPECT_NE(formatPdb(a.build(200)), formatPdb(c.build(200)));
}

TEST(PolyAlanine, FoldedRadiusOfGyrationGrowsSubLinearly) {
  const double rg100 = radiusOfGyration(folded().build(100));
  const double rg1000 = radiusOfGyration(folded().build(1000));
  EXPECT_LE(rg1000 / rg100, 3.5) << "Rg(100) " << rg100 << " Rg(1000) " << rg1000;
  // A straight helix gives roughly linear growth, for contrast.
  PolyAlanineBuilder h(PolyAlanineOptions{Conformation::Helix, Termini::Charged, 1, 1000});
  EXPECT_GT(radiusOfGyration(h.build(1000)) / radiusOfGyration(h.build(100)), 8.0);
}

TEST(PolyAlanine, RejectsSizesOutsideTheChain) {
  EXPECT_THROW(folded().build(0), std::invalid_argument);
  EXPECT_THROW(folded().build(1001), std::invalid_argument);
  EXPECT_THROW(parseConformation("globule"), std::invalid_argument);
}
