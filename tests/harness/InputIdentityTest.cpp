// The content identity of a plan's inputs (harness/InputIdentity.hpp): SHA-256 of files and
// folders, and the differences --resume lists (a changed input, one no longer read; none against
// a plan recorded before the hashes).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/InputIdentity.hpp"
#include "harness/Journal.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
fs::path identityDir() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("mlffb-identity-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p / "w");
    return p;
  }();
  return d;
}
void writeText(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
}  // namespace

TEST(InputIdentity, Sha256OfAFileIsTheStandardDigest) {
  writeText(identityDir() / "abc.txt", "abc");
  EXPECT_EQ(sha256OfFile((identityDir() / "abc.txt").string(), kStructureInput),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2, appendix B.1
}

TEST(InputIdentity, AFoldersHashFollowsItsFilesNamesAndContentsAndSkipsWhatIsNoFile) {
  const fs::path w = identityDir() / "w";
  writeText(w / "a.dat", "1");
  const std::string first = sha256OfFolder(w.string());
  ASSERT_EQ(::mkfifo((w / "pipe").c_str(), 0600), 0);  // never opened: it would block
  EXPECT_EQ(sha256OfFolder(w.string()), first);
  writeText(w / "a.dat", "2");
  const std::string second = sha256OfFolder(w.string());
  EXPECT_NE(second, first);
  fs::rename(w / "a.dat", w / "b.dat");
  EXPECT_NE(sha256OfFolder(w.string()), second);
}

TEST(InputIdentity, DifferencesListEachChangedInput) {
  const Json before = {{"/d/w.xyz", std::string(64, 'a')}, {"/d/m.pt", std::string(64, 'b')}, {"/d/x.pt", std::string(64, 'c')}};
  const Json now = {{"/d/w.xyz", std::string(64, 'd')}, {"/d/m.pt", std::string(64, 'b')}, {"/d/new.xyz", std::string(64, 'e')}};
  bool onlyAdditions = true;
  const auto d = inputDifferences(before, now, onlyAdditions);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "/d/w.xyz: content changed (sha256 aaaaaaaaaaaa… → dddddddddddd…)");
  EXPECT_EQ(d[1], "/d/x.pt: no longer read");
  EXPECT_FALSE(onlyAdditions);
}

TEST(InputIdentity, APlanRecordedWithoutHashesResumesAsBefore) {
  const Json old = {{"seed", 42}, {"point_ids", Json::array({"p"})}};
  Json now = old;
  now["inputs"] = {{"/d/w.xyz", std::string(64, 'a')}};
  bool onlyAdditions = false;
  EXPECT_TRUE(planDifferences(old, now, onlyAdditions).empty());
  EXPECT_TRUE(onlyAdditions);
}
