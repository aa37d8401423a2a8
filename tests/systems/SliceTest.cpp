// Slicing an arbitrary single-chain PDB gives the same slices as the builder.
#include <gtest/gtest.h>

#include "systems/ChainSlicer.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/SystemIO.hpp"

using namespace mlffb;

TEST(ChainSlicer, ReproducesBuilderSlicesFromAFile) {
  for (Termini t : {Termini::Charged, Termini::Capped}) {
    PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, t, 9, 1000});
    const System full = b.build(300);
    // Through the PDB text, as a user's file would arrive.
    const System read = parsePdb(formatPdb(full), "chain.pdb");
    ChainSlicer slicer(read, "chain.pdb", t);
    EXPECT_EQ(slicer.residues(), full.soluteResidues());
    for (int n : {10, 100}) {
      const System want = parsePdb(formatPdb(b.build(n)), "want.pdb");
      const int cut = t == Termini::Capped ? n + 1 : n;  // the ACE cap is residue 1 of a capped chain
      const System got = slicer.slice(cut);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got.atoms[i].name, want.atoms[i].name);
        EXPECT_LT(norm(got.positions[i] - want.positions[i]), 5e-3) << got.atoms[i].name;
      }
    }
  }
}

TEST(ChainSlicer, RejectsMultiChainAndOversizedSlices) {
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Helix, Termini::Charged, 1, 20});
  System s = b.build(20);
  EXPECT_THROW(ChainSlicer(s, "x.pdb", Termini::Charged).slice(21), std::invalid_argument);
  EXPECT_THROW(ChainSlicer(s, "x.pdb", Termini::Charged).slice(0), std::invalid_argument);
  for (size_t i = 100; i < s.size(); ++i) s.atoms[i].chain = 'B';
  try {
    ChainSlicer(s, "two.pdb", Termini::Charged);
    FAIL() << "multi-chain accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("two.pdb: 2 chains"), std::string::npos) << e.what();
  }
}
