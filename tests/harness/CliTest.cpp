// The mlff-bench command line: help, version, list, systems subcommands and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../TestUtil.hpp"
#include "harness/Json.hpp"
#include "systems/AtomicFile.hpp"

using namespace mlffb;
using test::runCli;
namespace fs = std::filesystem;

namespace {
void expectOneLineError(const test::CommandResult& r, const std::string& needle) {
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr: " << r.err;
}
}  // namespace

TEST(Cli, HelpVersionAndList) {
  EXPECT_EQ(runCli("--help").exitCode, 0);
  EXPECT_EQ(runCli("systems --help").exitCode, 0);
  EXPECT_EQ(runCli("systems build --help").exitCode, 0);
  auto v = runCli("--version");
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_NE(v.out.find("mlff-bench 0."), std::string::npos);
  auto l = runCli("list");
  EXPECT_EQ(l.exitCode, 0);
  for (const char* s : {"models:", "engines:", "collectors:", "suites:", "polyala", "components:", "CUDA", "OPENMM"})
    EXPECT_NE(l.out.find(s), std::string::npos) << s;
}

TEST(Cli, SystemsBuildWritesFilesAndManifest) {
  const std::string dir = test::freshTempDir("cli-build");
  auto r = runCli("systems build --suite polyala --sizes 10,20 --solvate --padding 0.6 --format gro --seed 5 --out " + dir);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/polyala-10-solvated.gro"));
  EXPECT_TRUE(fs::exists(dir + "/polyala-20-solvated.gro"));
  const Json m = Json::parse(readFile(dir + "/manifest.json"));
  ASSERT_EQ(m["systems"].size(), 2u);
  const Json& s = m["systems"][0];
  EXPECT_EQ(s["residues"], 10);
  EXPECT_EQ(s["solute_atoms"], 103);
  EXPECT_EQ(s["atoms"].get<int>(), 103 + s["solvent_atoms"].get<int>());
  EXPECT_GT(s["mean_neighbors"]["5.1"].get<double>(), s["mean_neighbors"]["3.5"].get<double>());
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/manifest.schema.json " + dir +
                                "/manifest.json");
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  // inspect gives the same record as the manifest.
  auto in = runCli("systems inspect " + dir + "/polyala-10-solvated.gro");
  ASSERT_EQ(in.exitCode, 0) << in.err;
  const Json rec = Json::parse(in.out);
  EXPECT_EQ(rec["atoms"], s["atoms"]);
  EXPECT_NEAR(rec["radius_of_gyration"].get<double>(), s["radius_of_gyration"].get<double>(), 0.01);
}

TEST(Cli, SystemsSliceAndRandom) {
  const std::string dir = test::freshTempDir("cli-slice");
  ASSERT_EQ(runCli("systems build --conformation helix --sizes 30 --out " + dir).exitCode, 0);
  auto r = runCli("systems slice --from " + dir + "/polyala-30.pdb --sizes 5,10 --out " + dir + "/sl");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/sl/polyala-30-5.pdb"));
  auto rnd = runCli("systems random --atoms 2000 --neighbors 30 --seed 3 --out " + dir + "/rand.xyz");
  ASSERT_EQ(rnd.exitCode, 0) << rnd.err;
  const Json rec = Json::parse(runCli("systems inspect " + dir + "/rand.xyz").out);
  EXPECT_NEAR(rec["mean_neighbors"]["5.1"].get<double>(), 30.0, 2.0);
}

TEST(Cli, BadInputGivesOneLineAndNonZeroExit) {
  const std::string dir = test::freshTempDir("cli-bad");
  expectOneLineError(runCli("systems inspect " + dir + "/missing.pdb"), "missing.pdb");
  std::ofstream(dir + "/empty.pdb") << "";
  expectOneLineError(runCli("systems inspect " + dir + "/empty.pdb"), "empty.pdb: empty file");
  std::ofstream(dir + "/bad.xyz") << "1\n\nNa 0 0 nan\n";
  expectOneLineError(runCli("systems inspect " + dir + "/bad.xyz"), "bad.xyz:3");
  expectOneLineError(runCli("systems build --sizes 10,-5 --out " + dir), "sizes must be positive");
  expectOneLineError(runCli("systems build --sizes 10 --out " + dir + "/empty.pdb/sub"), "cannot create output folder");
  expectOneLineError(runCli("systems random --atoms 100 --neighbors 0 --out " + dir + "/r.xyz"), "--neighbors must be positive");
  expectOneLineError(runCli("systems random --atoms -3 --neighbors 10 --out " + dir + "/r.xyz"), "--atoms must be positive");
  ASSERT_EQ(runCli("systems build --conformation helix --sizes 12 --out " + dir).exitCode, 0);
  expectOneLineError(runCli("systems slice --from " + dir + "/polyala-12.pdb --sizes 13 --out " + dir + "/s"),
                     "exceeds the 12 residues");
  // A multi-chain PDB.
  std::string text = readFile(dir + "/polyala-12.pdb");
  const auto pos = text.find("ATOM     60");
  ASSERT_NE(pos, std::string::npos);
  for (size_t p = pos; (p = text.find(" A ", p)) != std::string::npos && p < text.find("CONECT"); p += 3) text[p + 1] = 'B';
  std::ofstream(dir + "/two.pdb") << text;
  expectOneLineError(runCli("systems slice --from " + dir + "/two.pdb --sizes 5 --out " + dir + "/s2"), "2 chains");
  // Nothing half-written: a failed build leaves no partial files behind.
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}
