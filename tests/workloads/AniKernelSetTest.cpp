// A kernel set owns all of itself: it declares its device, precisions and options beside its
// code, and the native flavour's capabilities, options and skip reasons are its sets'. Measured by
// adding one here, in this file only (registered like the real sets in cpu/ and cuda/), plus the
// stage notes a set hands to the record.
#include <gtest/gtest.h>

#include <algorithm>

#include "workloads/ModelRegistry.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniNative.hpp"

namespace mlffb::ani {
namespace {

/// A set that evaluates nothing (energy 0, no forces) and says its stages hold more than their names.
class NotedKernelSet final : public AniKernelSet {
 public:
  void bind(const std::vector<int>&, size_t) override {}
  void neighbors(const std::vector<Vec3>&, const std::optional<Box>&) override {}
  void descriptor() override {}
  double networks() override { return 0; }
  void backward(std::vector<Vec3>& f) override { f.assign(1, Vec3{}); }
  AniWorkCounts counts() const override { return {}; }
  void buildVerletList(const std::vector<Vec3>&, const std::optional<Box>&, double) override {}
  void clearVerletList() override {}
  nlohmann::ordered_json stageNotes() const override { return {{"energy", "the AEV as well"}}; }
};

// The addition: a CPU set with one precision and one option of its own. It sorts after "cpu", so
// the flavour still evaluates on the real CPU set; only its declarations join the flavour's.
const Registrar<AniKernelSetEntry> kTestSet{[] {
  AniKernelSetEntry e;
  e.name = "test-knob";
  e.description = "a kernel set of the tests";
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu};
    c.precisions = {Precision::Float32};
    return c;
  };
  e.options = {OptionSpec::integer("test-knob", "test_knob", "the test kernel set's own knob", 1, 8, "2")};
  e.create = [](const AniModelData&, const PotentialOptions&) -> std::unique_ptr<AniKernelSet> { return std::make_unique<NotedKernelSet>(); };
  return e;
}()};

bool declares(const ModelEntry& e, const std::string& key) {
  const auto all = e.allOptions();
  return std::any_of(all.begin(), all.end(), [&](const OptionSpec& o) { return o.key == key; });
}

TEST(AniKernelSets, EachDeclaresItsOwnOptionsAndTheFlavourHasThemAll) {
  const ModelEntry& native = findModel("ani2x", "native");
  EXPECT_TRUE(declares(native, "test_knob"));
  EXPECT_TRUE(declares(native, "weights"));  // the model's own
  if (AniKernelSetRegistry::instance().find("cuda")) {
    EXPECT_TRUE(declares(native, "cuda_graph"));
    EXPECT_TRUE(declares(native, "chunk_atoms"));
  }
  EXPECT_FALSE(declares(findModel("ani2x", "torch"), "test_knob"));  // another flavour has no kernel sets
  EXPECT_NO_THROW(checkModelOptions(native, {{"test_knob", "3"}}));
  try {
    checkModelOptions(native, {{"test_knob", "9"}});
    ADD_FAILURE() << "a value outside the set's declared range was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("test-knob"), std::string::npos) << e.what();
  }
}

TEST(AniKernelSets, TheFlavourRunsWhatItsSetsRunAndSaysWhichSetLacksWhat) {
  const Capabilities c = findModel("ani2x", "native").capabilities();
  EXPECT_TRUE(c.supports(DeviceKind::Cpu, Precision::Float32));
  EXPECT_TRUE(c.supports(DeviceKind::Cpu, Precision::Float64));
  EXPECT_FALSE(c.supports(DeviceKind::Cpu, Precision::Tf32));
  const std::string why = aniKernelSetLacks(DeviceKind::Cpu, Precision::Bf16);
  EXPECT_NE(why.find("its cpu kernel set has no bf16 (it has: float32, float64)"), std::string::npos) << why;
  EXPECT_EQ(aniKernelSetLacks(DeviceKind::Cpu, Precision::Float64), "");
  const auto* cuda = AniKernelSetRegistry::instance().find("cuda");
  if (cuda && cuda->available()) {
    EXPECT_TRUE(c.supports(DeviceKind::Cuda, Precision::Tf32));
    EXPECT_NE(why.find("kernel sets with bf16: cuda"), std::string::npos) << why;
  }
  // The set is found by the device its capabilities declare.
  ASSERT_NE(aniKernelSetFor(DeviceKind::Cpu), nullptr);
  EXPECT_EQ(aniKernelSetFor(DeviceKind::Cpu)->name, "cpu");
}

TEST(AniKernelSets, StageNotesOfTheSetReachTheRecord) {
  PotentialOptions o;
  o.flavor = "native";
  auto pot = makeAniNative(randomAniModel(3), o, std::make_unique<NotedKernelSet>());
  EXPECT_EQ(pot->describe()["stage_notes"]["energy"], "the AEV as well");
  auto plain = makeAniNative(randomAniModel(3), o, AniKernelSetRegistry::instance().find("cpu")->create(randomAniModel(3), o));
  EXPECT_FALSE(plain->describe().contains("stage_notes"));  // the CPU set's stages hold exactly their work
}

}  // namespace
}  // namespace mlffb::ani
