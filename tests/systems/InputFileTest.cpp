// The input-file opener (systems/InputFile.hpp) and the geometry bound every structure meets:
// special files refused without opening, limits enforced before reading, coordinates and cells
// beyond what a double holds refused naming the atom.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "systems/InputFile.hpp"
#include "systems/SystemIO.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
fs::path inputFileDir() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("mlffb-inputfile-" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(InputFile, ReadsARegularFileWhole) {
  const std::string p = (inputFileDir() / "a.txt").string();
  std::ofstream(p) << "hello\n";
  EXPECT_EQ(readInputFile(p, kStructureInput), "hello\n");
}

TEST(InputFile, RefusesAFifoWithoutOpeningIt) {
  const std::string p = (inputFileDir() / "f.pdb").string();
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  EXPECT_EQ(errorOf([&] { readInputFile(p, kStructureInput); }), p + ": is a FIFO, not a regular file (a structure file is read whole)");
}

TEST(InputFile, RefusesAFolderAndADevice) {
  EXPECT_EQ(errorOf([&] { readInputFile(inputFileDir().string(), kWeightsInput); }), inputFileDir().string() + ": is a folder, not a file");
  EXPECT_NE(errorOf([] { readInputFile("/dev/zero", kModelInput); }).find("/dev/zero: is a character device, not a regular file"),
            std::string::npos);
}

TEST(InputFile, RefusesAFileOverItsKindsLimitBeforeReading) {
  const std::string p = (inputFileDir() / "b.xyz").string();
  std::ofstream(p) << std::string(100, 'x');
  const InputKind small{"test file", 99, "99 bytes: a test"};
  EXPECT_EQ(errorOf([&] { readInputFile(p, small); }), p + ": 100 bytes is too large for a test file (limit 99 bytes: a test)");
  EXPECT_EQ(readInputFile(p, InputKind{"test file", 100, "100 bytes"}).size(), 100u);
}

TEST(InputFile, MissingFileCannotBeOpened) {
  EXPECT_EQ(errorOf([] { readInputFile("/nonexistent/x.pdb", kStructureInput); }), "/nonexistent/x.pdb: cannot open (No such file or directory)");
}

TEST(GeometryBound, CoordinatesBeyondWhatADoubleHoldsAreRefusedInEveryFormat) {
  EXPECT_NE(errorOf([] { parseXyz("1\n\nC 100001 0 0\n", "x.xyz"); }).find("x.xyz: atom 1 (C UNK 1): coordinate 100001 Å is beyond ±100000 Å"),
            std::string::npos);
  EXPECT_NO_THROW(parseXyz("1\n\nC 99999 0 0\n", "ok.xyz"));  // the bound itself is accepted
  EXPECT_NE(errorOf([] { parseGro("t\n    1\n    1SOL     OW    1-20000.0   0.200   0.300\n   2 2 2\n", "g.gro"); }).find("g.gro: atom 1"),
            std::string::npos);
}

TEST(GeometryBound, CellLengthsBeyondWhatADoubleHoldsAreRefused) {
  EXPECT_NE(errorOf([] { parseXyz("1\nLattice=\"10 0 0 0 2e5 0 0 0 10\"\nC 0 0 0\n", "c.xyz"); })
                .find("c.xyz:2: Lattice: box: cell vector b: length 200000 Å is beyond ±100000 Å"),
            std::string::npos);
}

// A report may come through a pipe the shell opened (`compare <(…)`, /dev/stdin); a structure may
// not: there the same path is refused unopened.
TEST(InputFile, ReportsAreReadFromAnOpenPipeStructuresAreNot) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string text = "{\"schema_version\": 1}";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
  try {
    readInputFile(path, kStructureInput);
    ADD_FAILURE() << "a pipe was read as a structure";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("is a FIFO, not a regular file"), std::string::npos) << e.what();
  }
  EXPECT_EQ(readInputFile(path, kReportInput), text);
  ::close(fds[0]);
}
