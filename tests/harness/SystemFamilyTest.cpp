// System families are a registry the planner asks: a family registered here, in this file only
// (a test-only "testfamily" of carbon bead chains), is planned, named, recorded and built like
// the built-in ones; errors and help list it; a single point's engine is typed, and plans and
// reports still say "none" for it.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "harness/Plan.hpp"
#include "systems/SystemFamily.hpp"

using namespace mlffb;

namespace {

/// N carbon atoms 1.5 Å apart along x, in vacuum.
System buildBeadChain(const FamilyPoint& p) {
  System s;
  for (int k = 0; k < p.size; ++k) {
    Atom a;
    a.element = 6;
    a.name = "C";
    a.residueName = "BED";
    a.residueNumber = k + 1;
    s.addAtom(a, {1.5 * k, 0, 0});
  }
  s.provenance.builder = "bead-chain";
  s.provenance.seed = p.seed;
  s.provenance.parameters = {{"beads", std::to_string(p.size)}};
  return s;
}

SystemFamilyEntry testFamily() {
  SystemFamilyEntry e;
  e.name = "testfamily";
  e.description = "test bead chains";
  e.sizeUnit = "beads";
  e.sizeField = "beads";
  e.maxSize = 100;
  e.build = buildBeadChain;
  return e;
}

const Registrar<SystemFamilyEntry> kTestFamily{testFamily()};

RunRequest singlePoints(std::vector<std::string> systems, std::vector<int> sizes) {
  RunRequest r;
  r.systems = std::move(systems);
  r.sizes = std::move(sizes);
  r.models = {"ani2x"};
  r.flavors = {"native"};
  r.modes = {"single-point"};
  r.devices = {"cpu"};
  return r;
}

std::string planError(const RunRequest& r) {
  try {
    expandPlan(r);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SystemFamily, ARegisteredFamilyIsPlannedNamedRecordedAndBuilt) {
  const auto points = expandPlan(singlePoints({"testfamily"}, {3, 5}));
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].id(), "testfamily-3/ani2x/native/mlff/single-point/cpu/float32");
  EXPECT_EQ(points[1].id(), "testfamily-5/ani2x/native/mlff/single-point/cpu/float32");
  const Json summary = points[1].system.summary();
  EXPECT_EQ(summary["name"], "testfamily-5");
  EXPECT_EQ(summary["kind"], "testfamily");
  EXPECT_EQ(summary["beads"], 5);
  const System built = SystemSpec::fromJson(points[1].system.toJson()).build();
  EXPECT_EQ(built.size(), 5u);
  EXPECT_EQ(built.name, "testfamily-5");
  EXPECT_EQ(built.provenance.builder, "bead-chain");
}

TEST(SystemFamily, ErrorsAndHelpComeFromTheRegistry) {
  EXPECT_EQ(planError(singlePoints({"testfamily"}, {200})), "--sizes: 200 beads; test bead chains go up to 100");
  EXPECT_EQ(planError(singlePoints({"crystal"}, {10})),
            "--systems: unknown system family 'crystal' (known: polyala, random, solvated, testfamily, water)");
  RunRequest withNeighbors = singlePoints({"testfamily"}, {10});
  withNeighbors.neighbors = {30};
  EXPECT_EQ(planError(withNeighbors), "--neighbors sets the random systems' neighbourhood, and this plan has none (--systems random)");
  EXPECT_NE(familiesHelp().find("testfamily (beads)"), std::string::npos) << familiesHelp();
  EXPECT_EQ(sizeUnitsHelp(), "residues (polyala), atoms (random, solvated), beads (testfamily) or molecules (water)");
}

TEST(SystemFamily, TheFamilyOfASystemNameIsTheLongestRegisteredPrefix) {
  ASSERT_NE(familyOfSystemName("random-4000-n55"), nullptr);
  EXPECT_EQ(familyOfSystemName("random-4000-n55")->name, "random");
  EXPECT_EQ(familyOfSystemName("testfamily-7")->name, "testfamily");
  EXPECT_EQ(familyOfSystemName("polyala"), nullptr);  // a file's stem, no size
  EXPECT_EQ(familyOfSystemName("x~a"), nullptr);
}

TEST(SystemFamily, BuiltInFamiliesKeepTheirPointNamesAndRecordFields) {
  const auto points = expandPlan(singlePoints({"polyala", "random", "water", "solvated"}, {1000}));
  std::vector<std::string> names;
  for (const auto& p : points) names.push_back(p.system.name());
  EXPECT_EQ(names, (std::vector<std::string>{"polyala-1000", "random-1000-n55", "water-1000", "solvated-1000"}));
  EXPECT_EQ(points[0].system.summary()["residues"], 1000);
  EXPECT_EQ(points[1].system.summary()["requested_atoms"], 1000);
  EXPECT_EQ(points[2].system.summary()["molecules"], 1000);
  EXPECT_EQ(points[3].system.summary()["requested_atoms"], 1000);
}

TEST(SystemFamily, ASinglePointEvaluatedDirectlyHasNoEngineAndSaysNone) {
  const Point p = expandPlan(singlePoints({"testfamily"}, {3})).front();
  EXPECT_TRUE(p.evaluatesDirectly());
  EXPECT_EQ(p.engineName(), "none");
  const Json j = p.toJson();
  EXPECT_EQ(j["engine"], "none");
  const Point back = Point::fromJson(j);
  EXPECT_TRUE(back.evaluatesDirectly());
  EXPECT_EQ(back.id(), p.id());
  RunRequest md = singlePoints({"testfamily"}, {3});
  md.modes = {"md"};
  md.engines = {"native"};
  const Point mdPoint = expandPlan(md).front();
  ASSERT_TRUE(mdPoint.engine.has_value());
  EXPECT_EQ(*mdPoint.engine, "native");
  EXPECT_EQ(Point::fromJson(mdPoint.toJson()).engineName(), "native");
}
