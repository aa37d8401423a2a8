// `mlff-bench weights fetch ani2x`: from a local copy of the ANI model zoo's archive (built here from
// the real weights in the layout of github.com/aiqm/ani-model-zoo/archive/ani-2x.zip), every file is
// checked against the manifest; a changed file, a missing archive folder or an unreachable URL is one
// error line and nothing installed; a matching folder is left alone; --force replaces a wrong one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../TestUtil.hpp"
#include "harness/Json.hpp"
#include "systems/AtomicFile.hpp"

using namespace mlffb;
using test::runCli;
using test::runShell;
namespace fs = std::filesystem;

namespace {
const std::string kZooWeights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";

/// dir/zoo.zip holding ani-model-zoo-ani-2x/resources/ani-2x_8x (a copy of the real weights, with
/// `tamper` appended to one network file when given) and the zoo's LICENSE at its top.
std::string makeZooArchive(const std::string& dir, const std::string& tamper = "") {
  const fs::path top = fs::path(dir) / "ani-model-zoo-ani-2x";
  fs::create_directories(top / "resources");
  fs::copy(kZooWeights, top / "resources" / "ani-2x_8x", fs::copy_options::recursive);
  fs::copy_file(kZooWeights + "/LICENSE", top / "LICENSE");
  if (!tamper.empty()) std::ofstream(top / "resources/ani-2x_8x/train3/networks/ANN-O.nnf-l2.wparam", std::ios::app) << tamper;
  const auto r = runShell("cd " + dir + " && /usr/bin/python3 -m zipfile -c zoo.zip ani-model-zoo-ani-2x && rm -r ani-model-zoo-ani-2x");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return dir + "/zoo.zip";
}

void expectFetchRefused(const test::CommandResult& r, const std::string& needle) {
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("mlff-bench: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr: " << r.err;
}
}  // namespace

TEST(WeightsFetch, InstallsAVerifiedCopyAndLeavesAMatchingOneAlone) {
  if (!fs::is_directory(kZooWeights)) GTEST_SKIP() << "no real ANI-2x weights at " << kZooWeights;
  const std::string dir = test::freshTempDir("weights-fetch");
  const std::string zip = makeZooArchive(dir);
  auto r = runCli("weights fetch ani2x --from " + zip + " --to " + dir + "/ani");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["files"], 506);
  EXPECT_NE(j["status"].get<std::string>().find("fetched"), std::string::npos);
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(readFile(dir + "/ani/train7/networks/ANN-Cl.nnf-l4.wparam"), readFile(kZooWeights + "/train7/networks/ANN-Cl.nnf-l4.wparam"));
  EXPECT_TRUE(fs::exists(dir + "/ani/LICENSE"));
  EXPECT_FALSE(fs::exists(dir + "/ani/train0/cost.dat"));  // only what the model reads
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename().string().rfind(".mlff-bench-", 0), std::string::npos);
  auto again = runCli("weights fetch ani2x --from " + zip + " --to " + dir + "/ani");
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_NE(Json::parse(again.out)["status"].get<std::string>().find("already there"), std::string::npos);
}

TEST(WeightsFetch, AChangedFileOrAWrongFolderInstallsNothing) {
  if (!fs::is_directory(kZooWeights)) GTEST_SKIP() << "no real ANI-2x weights at " << kZooWeights;
  const std::string dir = test::freshTempDir("weights-tamper");
  const std::string bad = makeZooArchive(dir, "x");
  expectFetchRefused(runCli("weights fetch ani2x --from " + bad + " --to " + dir + "/ani"),
                     "train3/networks/ANN-O.nnf-l2.wparam differs from the manifest");
  EXPECT_FALSE(fs::exists(dir + "/ani"));
  // A folder there that does not match: refused without --force, replaced with it.
  fs::create_directories(dir + "/ani");
  std::ofstream(dir + "/ani/mine.txt") << "keep";
  fs::rename(bad, dir + "/bad.zip");
  const std::string good = makeZooArchive(dir);
  expectFetchRefused(runCli("weights fetch ani2x --from " + good + " --to " + dir + "/ani"), "--force");
  EXPECT_TRUE(fs::exists(dir + "/ani/mine.txt"));
  ASSERT_EQ(runCli("weights fetch ani2x --force --from " + good + " --to " + dir + "/ani").exitCode, 0);
  EXPECT_FALSE(fs::exists(dir + "/ani/mine.txt"));
  expectFetchRefused(runCli("weights fetch ani2x --from " + dir + "/ani/LICENSE --to " + dir + "/b"), "not a zip archive");
  expectFetchRefused(runCli("weights fetch et --to " + dir + "/c"), "no model of that name has weights to fetch");
  EXPECT_FALSE(fs::exists(dir + "/b"));
}

TEST(WeightsFetch, TheRealArchiveOrOneLineSayingWhyNot) {
  // With network this checks the manifest against the live archive; without (this project's
  // machines), the one line must name the URL and say what to do instead.
  const std::string dir = test::freshTempDir("weights-net");
  auto r = runCli("weights fetch ani2x --to " + dir + "/new/ani");
  if (r.exitCode == 0) {
    EXPECT_EQ(Json::parse(r.out)["files"], 506);
    return;
  }
  expectFetchRefused(r, "https://github.com/aiqm/ani-model-zoo/archive/ani-2x.zip: download failed");
  EXPECT_NE(r.err.find("--from"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/new"));  // not even the folder made to hold it
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 0);
}
