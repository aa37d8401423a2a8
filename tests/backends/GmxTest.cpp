// GROMACS's tool as the engines use it (backends/gmx): md.log parsing (a real mdrun 2022.5 log
// excerpt), gmx's error lines quoted, and, where gmx is installed, a pdb2gmx topology of a solvated
// slice read by our reader with each bonded and 1-4 term against gmx mdrun -rerun.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "backends/gmx/GmxLog.hpp"
#include "backends/gmx/GmxTool.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "core/Subprocess.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Solvator.hpp"
#include "tests/TestUtil.hpp"
#include "workloads/classical/BondedEnergy.hpp"

using namespace mlffb;
using namespace mlffb::classical;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
}
}  // namespace

TEST(GmxLog, ReadsEnergiesCycleAccountingAndPerformance) {
  const std::string path = std::string(MLFFB_SOURCE_DIR) + "/tests/data/gromacs/md-excerpt.log";
  const classical::GmxLog log = classical::parseGmxLog(readTextFile(path), path);
  ASSERT_EQ(log.frames.size(), 1u);
  EXPECT_EQ(log.frames[0].step, 0);
  EXPECT_DOUBLE_EQ(*log.frames[0].get("Per. Imp. Dih."), 5.09238);
  EXPECT_DOUBLE_EQ(*log.frames[0].get("Potential"), -6.43671e+04);
  EXPECT_DOUBLE_EQ(*log.frames[0].get("Temperature"), 299.625);
  EXPECT_FALSE(log.frames[0].get("Nonsense").has_value());
  EXPECT_EQ(log.cycleHeader, "On 1 MPI rank, each using 2 OpenMP threads");
  ASSERT_EQ(log.cycles.size(), 10u);  // the PME breakdown is not part of the table
  EXPECT_EQ(log.cycles[0].name, "Domain decomp.");
  EXPECT_EQ(log.cycles[2].name, "Force");
  EXPECT_EQ(log.cycles[2].calls, 21);
  EXPECT_DOUBLE_EQ(log.cycles[2].wallSeconds, 0.226);
  EXPECT_DOUBLE_EQ(log.cycles[2].percent, 56.1);
  EXPECT_EQ(log.cycles[8].name, "Rest");
  EXPECT_EQ(log.cycles[9].name, "Total");
  EXPECT_DOUBLE_EQ(log.cycles[9].percent, 100.0);
  EXPECT_DOUBLE_EQ(*log.nsPerDay, 2.248);
  EXPECT_DOUBLE_EQ(*log.wallSeconds, 0.404);
  const std::string em = std::string(MLFFB_SOURCE_DIR) + "/tests/data/gromacs/em-excerpt.log";
  const classical::GmxLog e = classical::parseGmxLog(readTextFile(em), em);
  ASSERT_TRUE(e.minimization.has_value());
  EXPECT_FALSE(e.minimization->converged);
  EXPECT_EQ(e.minimization->steps, 6);
  EXPECT_DOUBLE_EQ(e.minimization->potential, -6.4390832e+04);
  EXPECT_DOUBLE_EQ(e.minimization->maxForce, 1.1837574e+04);
}

TEST(GmxLog, ErrorLinesAreQuoted) {
  const std::string log =
      "noise\n-------------------------------------------------------\nProgram:     gmx pdb2gmx, version 2022.5\n"
      "Source file: src/gromacs/gmxpreprocess/pdb2top.cpp (line 227)\nFunction:    void choose_ff_impl()\n\n"
      "Inconsistency in user input:\nCould not find force field 'x' in current directory, install tree or\nGMXLIB path.\n\n"
      "For more information and tips for troubleshooting, please check the GROMACS\nwebsite at http://www.gromacs.org\n"
      "-------------------------------------------------------\n";
  EXPECT_EQ(classical::gmxErrorLines(log),
            "Inconsistency in user input: Could not find force field 'x' in current directory, install tree or GMXLIB path.");
  const std::string grompp =
      "ERROR 1 [file topol.top, line 42]:\n  No default Bond types\n\n\n-------------------------------------------------------\n"
      "Program:     gmx grompp, version 2022.5\nSource file: a.cpp (line 1)\n\nFatal error:\n"
      "There was 1 error in input file(s)\n\nFor more information and tips\n";
  EXPECT_EQ(classical::gmxErrorLines(grompp),
            "ERROR 1 [file topol.top, line 42]: No default Bond types Fatal error: There was 1 error in input file(s)");
  EXPECT_EQ(classical::gmxErrorLines("a\nb\n\nc\nd\n"), "b | c | d");
  // Warnings are quoted only when they are why grompp stopped.
  const std::string warned = "WARNING 1 [file md.mdp, line 32]:\n  Unknown left-hand 'nnpot-active' in parameter file\n\n"
                             "-------------------------------------------------------\nProgram:     gmx grompp\n\nFatal error:\n"
                             "Too many warnings (1).\n\nFor more information\n";
  EXPECT_EQ(classical::gmxErrorLines(warned),
            "WARNING 1 [file md.mdp, line 32]: Unknown left-hand 'nnpot-active' in parameter file Fatal error: Too many warnings (1).");
  const std::string other = "WARNING 1 [file a.mdp, line 1]:\n  harmless\n\n-------\nProgram:     gmx grompp\n\nFatal error:\nSomething else\n";
  EXPECT_EQ(classical::gmxErrorLines(other), "Fatal error: Something else");
}

// The reader against GROMACS itself: pdb2gmx's topology of a solvated 10-residue slice, each
// bonded and 1-4 term from our parsed topology vs gmx mdrun -rerun of the same coordinates.
TEST(GromacsTopology, BondedTermsEqualMdrunRerun) {
  const std::string why = GmxTool::unavailableReason();
  if (!why.empty()) GTEST_SKIP() << why;
  const GmxTool gmx = GmxTool::find();
  const PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000});
  SolvationOptions so;
  so.paddingAngstrom = 8.0;
  const System s = Solvator(so).solvate(b.build(10));
  const std::string dir = test::freshTempDir("gmxrerun");
  const GeneratedTopology g = generateTopology(gmx, s, dir);
  ASSERT_EQ(g.system.size(), s.size());
  EXPECT_NEAR(g.topology.totalCharge(), 0.0, 1e-6);
  write(fs::path(dir) / "rerun.mdp",
        "integrator = md\nnsteps = 0\ncutoff-scheme = Verlet\ncoulombtype = PME\nrcoulomb = 1.0\nrvdw = 1.0\npbc = xyz\n");
  gmx.run({"grompp", "-f", "rerun.mdp", "-c", g.groPath, "-p", g.topPath, "-o", "rerun.tpr"}, dir, "grompp");
  gmx.run({"mdrun", "-s", "rerun.tpr", "-rerun", g.groPath, "-deffnm", "rerun", "-ntmpi", "1", "-ntomp", "1"}, dir, "mdrun");
  const GmxLog log = parseGmxLog(readTextFile((fs::path(dir) / "rerun.log").string()), "rerun.log");
  ASSERT_FALSE(log.frames.empty());
  const BondedEnergies ours = bondedEnergies(g.topology, g.system.positions, g.system.box);
  const auto named = ours.named(g.topology);
  ASSERT_GE(named.size(), 6u);  // Bond, Angle, Proper Dih., Per. Imp. Dih., LJ-14, Coulomb-14
  for (const auto& [name, value] : named) {
    const auto theirs = log.frames[0].get(name);
    ASSERT_TRUE(theirs.has_value()) << name << " not in md.log";
    // md.log prints 6 significant digits; GROMACS computes in mixed precision.
    EXPECT_NEAR(value, *theirs, 1e-5 * std::abs(*theirs) + 1e-4) << name;
    std::printf("%-15s ours %.6f  gmx %.6f  rel %.2e\n", name.c_str(), value, *theirs, std::abs(value - *theirs) / std::abs(*theirs));
  }
}
