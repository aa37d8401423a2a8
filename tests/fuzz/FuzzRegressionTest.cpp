// Replays every input of tests/fuzz/corpus/<target>/ — the seed corpus and each input a fuzzer
// found a problem with (scripts/fuzz.sh saves those there) — through the same bodies the libFuzzer
// targets run, in the regular build, so a fixed finding stays fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "FuzzBodies.hpp"

namespace fs = std::filesystem;

namespace {
using Body = void (*)(const uint8_t*, size_t);

void replay(const std::string& target, Body body) {
  const fs::path dir = fs::path(MLFFB_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / target;
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(e.path().filename().string());
    EXPECT_NO_THROW(body(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ++n;
  }
  EXPECT_GT(n, 0u);
}
}  // namespace

TEST(FuzzRegressions, StructureReaders) { replay("structure", mlffb::fuzz::structure); }
TEST(FuzzRegressions, NeuroChemReader) { replay("neurochem", mlffb::fuzz::neuroChem); }
TEST(FuzzRegressions, ReportAndJournalReaders) { replay("reports", mlffb::fuzz::reports); }
TEST(FuzzRegressions, TopologyReader) { replay("topology", mlffb::fuzz::topology); }
