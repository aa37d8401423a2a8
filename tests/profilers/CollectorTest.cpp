// Collectors without a GPU: range nesting and attribution, CUPTI activity aggregation on synthetic
// records, the operator collector on the torch ANI-2x flavour, CPU counters on a CPU run.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "../PhysicsTestUtil.hpp"
#include "../TestUtil.hpp"
#include "systems/AtomicFile.hpp"
#include "profilers/CollectorRegistry.hpp"
#include "profilers/PerfCollector.hpp"
#include "profilers/Range.hpp"
#include "profilers/StageStack.hpp"
#include "harness/Measurement.hpp"
#include "profilers/cupti/ActivityAggregator.hpp"
#include "profilers/cupti/RangeMetrics.hpp"
#include "workloads/ModelRegistry.hpp"
#ifdef MLFFB_HAVE_TORCH
#include "profilers/torch/TorchOpsCollector.hpp"
#endif

namespace mlffb {
namespace {

using profilers::Collector;
using Json = nlohmann::ordered_json;

/// Records what it sees, with the innermost range at each event.
class Recorder : public Collector {
 public:
  std::string name() const override { return "recorder"; }
  void runBegin(const profilers::RunContext& c) override { events.push_back("run:" + c.pointId); }
  void runEnd() override { events.push_back("end"); }
  void rangeBegin(const char* n) override {
    stack.push(n);
    events.push_back(std::string("+") + n + "@" + std::to_string(stack.depth()));
  }
  void rangeEnd(const char* n) override {
    events.push_back(std::string("-") + n + "@" + std::to_string(stack.depth()));
    stack.pop(n);
  }
  void sampleEnd() override { events.push_back("sample"); }
  Json fragment() const override { return Json::object(); }
  std::vector<std::string> events;
  profilers::StageStack stack;
};

TEST(Ranges, OnlyTheMeasuredSectionReachesCollectorsAndRangesNest) {
  Recorder r;
  profilers::ScopedCollector attached(&r);
  profilers::setRunContext({"point-1", {}, {}});
  {
    profilers::Range warm("energy");  // warm-up: not seen
    profilers::sampleEnd();
  }
  {
    profilers::MeasuredSection m;
    {
      profilers::MeasuredSection inner;  // nested sections are part of the outer one
      profilers::Range total("total");
      {
        profilers::Range d("descriptor");
        EXPECT_EQ(r.stack.innermost(), "descriptor");
      }
      EXPECT_EQ(r.stack.innermost(), "total");
    }
    profilers::sampleEnd();
  }
  EXPECT_EQ(r.stack.innermost(), profilers::StageStack::outside());
  const std::vector<std::string> want{"run:point-1", "+total@1", "+descriptor@2", "-descriptor@2", "-total@1", "sample", "end"};
  EXPECT_EQ(r.events, want);
}

TEST(Ranges, StageStackPopsTheInnermostOfThatNameAndIgnoresStrayEnds) {
  profilers::StageStack s;
  s.push("md_step");
  s.push("energy");
  s.pop("forces");  // never opened
  EXPECT_EQ(s.innermost(), "energy");
  s.pop("energy");
  EXPECT_EQ(s.innermost(), "md_step");
  s.pop("md_step");
  EXPECT_TRUE(s.empty());
}

// --- CUPTI activity aggregation on synthetic records ----------------------------------------

using profilers::cupti::ActivityAggregator;
using profilers::cupti::ApiActivity;
using profilers::cupti::KernelActivity;
using profilers::cupti::MemoryActivity;

KernelActivity kernel(const std::string& name, uint32_t corr, uint64_t start, uint64_t ns, uint32_t graph = 0) {
  KernelActivity k;
  k.name = name;
  k.correlationId = corr;
  k.start = start;
  k.end = start + ns;
  k.graphId = graph;
  k.grid = {40, 1, 1};
  k.block = {128, 1, 1};
  k.registersPerThread = 32;
  k.staticSharedBytes = 1024;
  k.dynamicSharedBytes = 512;
  return k;
}

ApiActivity api(const std::string& name, uint32_t corr, uint64_t start, uint64_t ns) { return {name, start, start + ns, corr, false}; }

/// Two samples of: total { neighbors { 1 kernel }, energy { 2 kernels, then a graph of 3 } };
/// device times are late and out of order (asynchronous), which must not matter.
ActivityAggregator twoSamples() {
  ActivityAggregator a;
  uint32_t corr = 1;
  for (int s = 0; s < 2; ++s) {
    const uint64_t t0 = 1'000'000 * static_cast<uint64_t>(s + 1);
    a.rangeBegin("total", t0);
    a.rangeBegin("neighbors", t0 + 10);
    a.add(api("cudaLaunchKernel", corr, t0 + 20, 5));
    a.add(kernel("_Z9cellCountPKfi", corr++, t0 + 900'000, 1000));  // runs long after its launch
    a.rangeEnd("neighbors", t0 + 100);
    a.rangeBegin("energy", t0 + 200);
    for (int k = 0; k < 2; ++k) {
      a.add(api("cudaLaunchKernel", corr, t0 + 210 + k, 1));
      a.add(kernel("gemm", corr++, t0 + 800'000 + 10 * k, 2000));
    }
    a.add(api("cudaGraphLaunch", corr, t0 + 300, 3));
    for (int k = 0; k < 3; ++k) a.add(kernel("celu", corr, t0 + 700'000 + 100 * k, 500, 7));
    ++corr;
    a.add(api("cudaMallocManaged", corr++, t0 + 310, 300));
    a.add(api("cudaMalloc", corr++, t0 + 320, 100));
    a.add(MemoryActivity{false, "DtoH", 4096, t0 + 990'000, t0 + 991'000, corr++});
    a.rangeEnd("energy", t0 + 400);
    a.rangeEnd("total", t0 + 500);
    a.sampleEnd();
  }
  a.add(kernel("orphan", 9999, 5'000'000, 10));  // its launch record was dropped
  a.setDroppedRecords(1);
  return a;
}

TEST(CuptiAggregation, KernelsAreAttributedToTheStageOfTheirLaunchPerSample) {
  const Json f = twoSamples().fragment();
  const Json& lps = f["launches_per_stage"];
  EXPECT_DOUBLE_EQ(lps["neighbors"]["kernels"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lps["energy"]["kernels"].get<double>(), 5.0);  // 2 launched + 3 in the graph
  EXPECT_DOUBLE_EQ(lps["energy"]["launch_calls"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(lps["energy"]["graph_launches"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lps["energy"]["gpu_ms"].get<double>(), (2 * 2000 + 3 * 500) * 1e-6);
  EXPECT_DOUBLE_EQ(lps["unattributed"]["kernels"].get<double>(), 0.5);
  EXPECT_FALSE(lps.contains("total"));
  EXPECT_DOUBLE_EQ(f["launches_per_sample"].get<double>(), 6.5);
  EXPECT_EQ(f["cupti_activity"]["unattributed_kernels"].get<int>(), 1);
  EXPECT_EQ(f["cupti_activity"]["dropped_records"].get<int>(), 1);
  EXPECT_EQ(f["cupti_activity"]["samples"].get<int>(), 2);
}

TEST(CuptiAggregation, KernelGroupsCarryLaunchConfigurationAndDemangledNames) {
  const Json f = twoSamples().fragment();
  const Json& ks = f["kernels"];
  ASSERT_EQ(ks.size(), 4u);
  EXPECT_EQ(ks[0]["name"], "gemm");  // most time first
  EXPECT_DOUBLE_EQ(ks[0]["launches"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(ks[0]["total_ms"].get<double>(), 4000e-6);
  EXPECT_DOUBLE_EQ(ks[0]["mean_us"].get<double>(), 2.0);
  EXPECT_EQ(ks[0]["grid"], Json::parse("[40,1,1]"));
  EXPECT_EQ(ks[0]["shared_bytes"].get<int>(), 1536);
  EXPECT_FALSE(ks[0]["in_graph"].get<bool>());
  bool sawCell = false, sawCelu = false;
  for (const auto& k : ks) {
    if (k["name"] == "cellCount(float const*, int)") {
      sawCell = true;
      EXPECT_EQ(k["stage"], "neighbors");
    }
    if (k["name"] == "celu") {
      sawCelu = true;
      EXPECT_TRUE(k["in_graph"].get<bool>());
      EXPECT_EQ(k["stage"], "energy");
      EXPECT_DOUBLE_EQ(k["launches"].get<double>(), 3.0);
    }
  }
  EXPECT_TRUE(sawCell);
  EXPECT_TRUE(sawCelu);
}

TEST(CuptiAggregation, MemoryTrafficAndApiSharesPerSample) {
  const Json f = twoSamples().fragment();
  EXPECT_DOUBLE_EQ(f["memcpy"]["DtoH"]["bytes"].get<double>(), 4096.0);
  EXPECT_DOUBLE_EQ(f["memcpy"]["DtoH"]["count"].get<double>(), 1.0);
  const Json& a = f["cuda_api"];
  const double total = 5 + 2 * 1 + 3 + 300 + 100;  // per sample, ns
  EXPECT_NEAR(a["total_ms"].get<double>(), total * 1e-6, 1e-15);
  EXPECT_NEAR(a["malloc_share"].get<double>(), 400 / total, 1e-12);
  EXPECT_NEAR(a["malloc_managed_share"].get<double>(), 300 / total, 1e-12);
  EXPECT_DOUBLE_EQ(a["functions"]["cudaLaunchKernel"]["calls"].get<double>(), 3.0);
  EXPECT_EQ(a["api"], "runtime");
}

TEST(CuptiAggregation, DriverCallsInsideRuntimeCallsAreListedApartNotCountedTwice) {
  ActivityAggregator a;
  a.rangeBegin("energy", 0);
  a.add(api("cudaMalloc", 1, 10, 100));
  a.add(ApiActivity{"cuMemAlloc_v2", 20, 100, 1, true});  // inside the cudaMalloc
  a.add(api("cudaLaunchKernel", 2, 200, 10));
  a.add(ApiActivity{"cuLaunchKernel", 202, 208, 2, true});
  a.add(kernel("k", 2, 1000, 50));
  a.rangeEnd("energy", 300);
  a.sampleEnd();
  const Json f = a.fragment();
  EXPECT_NEAR(f["cuda_api"]["total_ms"].get<double>(), 110e-6, 1e-15);
  EXPECT_NEAR(f["cuda_api"]["malloc_share"].get<double>(), 100.0 / 110.0, 1e-12);
  EXPECT_FALSE(f["cuda_api"]["functions"].contains("cuMemAlloc_v2"));
  EXPECT_DOUBLE_EQ(f["cuda_api"]["driver_functions"]["cuMemAlloc_v2"]["calls"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(f["launches_per_stage"]["energy"]["kernels"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(f["launches_per_stage"]["energy"]["launch_calls"].get<double>(), 1.0);  // one launch, two records
  // Driver records only (a program calling the driver API): they are the totals.
  ActivityAggregator d;
  d.add(ApiActivity{"cuMemAllocManaged", 0, 40, 1, true});
  d.add(ApiActivity{"cuLaunchKernel", 50, 60, 2, true});
  d.sampleEnd();
  const Json g = d.fragment()["cuda_api"];
  EXPECT_EQ(g["api"], "driver");
  EXPECT_NEAR(g["malloc_managed_share"].get<double>(), 0.8, 1e-12);
}

TEST(CuptiAggregation, InnermostStageOfNestedAndSiblingRanges) {
  ActivityAggregator a;
  a.rangeBegin("md_step", 0);
  a.rangeBegin("neighbors", 10);
  a.rangeEnd("neighbors", 20);
  a.rangeBegin("energy", 30);
  a.rangeBegin("descriptor", 35);
  a.rangeEnd("descriptor", 40);
  a.rangeEnd("energy", 50);
  a.rangeEnd("md_step", 100);
  EXPECT_EQ(a.stageAt(15), "neighbors");
  EXPECT_EQ(a.stageAt(25), "md_step");
  EXPECT_EQ(a.stageAt(37), "descriptor");
  EXPECT_EQ(a.stageAt(45), "energy");
  EXPECT_EQ(a.stageAt(60), "md_step");
  EXPECT_EQ(a.stageAt(101), "outside");
}

// --- cupti-range aggregation on synthetic values ---------------------------------------------

TEST(CuptiRangeAggregation, StagesAreMeanPerSampleWithDerivedBytesAndBandwidth) {
  const auto metrics = profilers::cupti::metricSet("memory");
  ASSERT_EQ(metrics.size(), 7u);
  EXPECT_EQ(metrics[0], "gpu__time_duration.sum");
  auto values = [&](double ns, double rd, double wr) {
    std::vector<double> v(metrics.size(), 0.0);
    v[0] = ns, v[1] = rd, v[2] = wr, v[3] = 3 * (rd + wr), v[4] = 5 * (rd + wr), v[5] = 40, v[6] = 10;
    return v;
  };
  const std::vector<profilers::cupti::RangeValues> ranges = {
      {"descriptor", values(1000, 100, 50)}, {"energy", values(2000, 400, 0)},
      {"descriptor", values(3000, 300, 150)}, {"energy", values(2000, 400, 0)}};
  const Json t = profilers::cupti::aggregateRanges(metrics, ranges, true);
  EXPECT_EQ(t["descriptor"]["samples"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(t["descriptor"]["dram_read_bytes"].get<double>(), 200);
  EXPECT_DOUBLE_EQ(t["descriptor"]["dram_bytes"].get<double>(), 300);
  EXPECT_DOUBLE_EQ(t["descriptor"]["gpu_time_ms"].get<double>(), 2000e-6);
  EXPECT_DOUBLE_EQ(t["descriptor"]["dram_gb_per_s"].get<double>(), 300.0 / 2000.0);  // bytes per ns = GB/s
  EXPECT_DOUBLE_EQ(t["energy"]["l1_bytes"].get<double>(), 2000);
  EXPECT_DOUBLE_EQ(t["energy"]["achieved_occupancy_pct"].get<double>(), 40);
  EXPECT_FALSE(t["energy"].contains("fp32_flops"));  // not counted in the memory set
  const auto all = profilers::cupti::metricSet("throughput");
  std::vector<double> v(all.size(), 1.0);
  const Json k = profilers::cupti::aggregateRanges(all, {{"gemm", v}, {"gemm", v}}, false);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0]["name"], "gemm");
  EXPECT_EQ(k[0]["launches"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(k[0]["fp32_flops"].get<double>(), 2 + 1 + 1);
  EXPECT_THROW(profilers::cupti::metricSet("everything"), std::invalid_argument);
  EXPECT_THROW(profilers::cupti::aggregateRanges(metrics, {{"x", {1.0}}}, true), std::invalid_argument);
}

// --- the harness's passes: user replay, overhead, run-time refusal -------------------------------

/// Needs the measured work three times (as a three-pass counter set would), then reports how many
/// samples it saw in each run; or refuses at run time.
class ReplayingCollector : public Collector {
 public:
  explicit ReplayingCollector(bool refuse) : refuse_(refuse) {}
  std::string name() const override { return refuse_ ? "test-refusing" : "test-replay"; }
  void runBegin(const profilers::RunContext&) override { runs_.push_back(0); }
  void sampleEnd() override { ++runs_.back(); }
  bool needsReplay() const override { return !refuse_ && runs_.size() < 3; }
  std::string failure() const override { return refuse_ ? "counters refused (test)" : ""; }
  Json fragment() const override { return {{"test_replay_runs", runs_}}; }

 private:
  bool refuse_;
  std::vector<int> runs_;
};

const Registrar<profilers::CollectorEntry> kReplayEntry{[] {
  profilers::CollectorEntry e;
  e.name = "test-replay";
  e.description = "test only";
  e.perturbsTiming = true;
  e.create = [](const OptionValues&) { return std::make_unique<ReplayingCollector>(false); };
  return e;
}()};
const Registrar<profilers::CollectorEntry> kRefusingEntry{[] {
  profilers::CollectorEntry e;
  e.name = "test-refusing";
  e.description = "test only";
  e.perturbsTiming = true;
  e.create = [](const OptionValues&) { return std::make_unique<ReplayingCollector>(true); };
  return e;
}()};

TEST(Passes, UserReplayRerunsTheWorkAndOverheadAndRefusalAreRecorded) {
  Point p;
  p.model = "ani2x";
  p.flavor = "native";
  p.repeat = 2;
  p.criteria = profilers::StoppingCriteria::fixed(2);  // (adaptive criteria: the replays take the timing pass's count, whatever it is)
  p.warmup = 1;
  p.collectors = {"wallclock", "memory", "test-replay", "test-refusing"};
  const System s = test::randomCluster(20, test::freshSeed(), {1, 6, 7, 8}, 0.08, 0.95);
  const Measurement m = measure(p, s);
  const Json& mm = m.measurements;
  EXPECT_EQ(mm["test_replay_runs"], Json::parse("[2,2,2]"));  // three runs of the measured section, 2 samples each
  const Json& st = mm["collectors"];
  EXPECT_EQ(st["test-replay"]["status"], "ok");
  EXPECT_EQ(st["test-replay"]["pass"].get<int>(), 1);
  ASSERT_TRUE(st["test-replay"].contains("overhead"));
  EXPECT_GT(st["test-replay"]["overhead"]["ratio"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(st["test-replay"]["overhead"]["timing_pass_sample_ms"].get<double>(), mm["stages"]["total"]["median_ms"].get<double>());
  EXPECT_EQ(st["test-refusing"]["status"], "unavailable");
  EXPECT_EQ(st["test-refusing"]["reason"], "counters refused (test)");
  EXPECT_FALSE(st["test-refusing"].contains("overhead"));
  EXPECT_TRUE(std::isfinite(mm["energy_kj_mol"].get<double>()));
}

// --- operator timing (torch flavours) --------------------------------------------------------

#ifdef MLFFB_HAVE_TORCH
TEST(TorchOps, AniTorchOperatorsLandInTheirStagesAndSumWithinTheStageTime) {
  PotentialOptions o;
  o.flavor = "torch";
  o.seed = test::freshSeed();
  auto pot = createPotential("ani2x", o);
  const System s = test::randomCluster(60, o.seed, {1, 1, 1, 1, 6, 6, 6, 7, 8}, 0.08, 0.95);
  pot->setSystem(s);
  pot->compute(s.positions, s.box, true);  // warm-up
  profilers::TorchOpsCollector c;
  {
    profilers::ScopedCollector attached(&c);
    profilers::MeasuredSection m;
    for (int r = 0; r < 3; ++r) {
      {
        profilers::Range total("total");
        pot->compute(s.positions, s.box, true);
      }
      profilers::sampleEnd();
    }
  }
  EXPECT_EQ(c.samples(), 3);
  const auto& by = c.byStage();
  auto has = [&](const std::string& stage, const std::string& op) {
    auto it = by.find(stage);
    return it != by.end() && it->second.count(op) && it->second.at(op).calls > 0;
  };
  auto anyBackward = [&](const std::string& stage) {
    auto it = by.find(stage);
    if (it == by.end()) return false;
    for (const auto& [op, st] : it->second)
      if (op.find("Backward") != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("descriptor", "aten::index_add_"));  // scatter of the AEV terms
  EXPECT_TRUE(has("energy", "aten::addmm"));           // the networks' linear layers
  EXPECT_TRUE(has("forces", "aten::mm"));              // their backward
  EXPECT_TRUE(anyBackward("forces"));                  // autograd nodes (AddmmBackward0, ...)
  EXPECT_FALSE(anyBackward("energy"));
  EXPECT_FALSE(has("energy", "aten::index_add_") && !has("descriptor", "aten::index_add_"));
  for (const char* stage : {"neighbors", "descriptor", "energy", "forces"}) {
    ASSERT_TRUE(by.count(stage)) << stage;
    double self = 0;
    for (const auto& [op, st] : by.at(stage)) {
      EXPECT_LE(st.selfMs, st.totalMs + 1e-9) << op;
      EXPECT_GE(st.selfMs, -1e-6) << op;
      self += st.selfMs;
    }
    const double wall = c.stageWallMs().at(stage);
    EXPECT_GT(self, 0) << stage;
    EXPECT_LE(self, wall * 1.001 + 1e-3) << stage << ": operators' self time exceeds the stage time";
  }
  // After the section the callbacks are gone: nothing more is recorded.
  const auto before = by.at("energy").at("aten::addmm").calls;
  pot->compute(s.positions, s.box, true);
  EXPECT_EQ(c.byStage().at("energy").at("aten::addmm").calls, before);
  const Json f = c.fragment();
  EXPECT_GT(f["operators"]["aten::addmm"]["calls"].get<double>(), 0);
  EXPECT_GT(f["operators_by_stage"]["energy"]["stage_ms"].get<double>(), 0);
  // The networks' GEMMs counted from the operands' shapes are the model's analytic network FLOPs.
  const double analytic = pot->stageFlops().at("energy");
  EXPECT_NEAR(f["operators_by_stage"]["energy"]["gemm_flops"].get<double>(), analytic, 1e-9 * analytic);
  EXPECT_GT(f["operators"]["aten::addmm"]["bytes"].get<double>(), 0);
}

TEST(TorchOps, OperatorsTimedInAnotherProcessAreMergedIntoTheirStage) {
  profilers::TorchOpsCollector c;
  int begun = 0, ended = 0;
  profilers::RunContext ctx;
  ctx.beginRemoteOperators = [&] { ++begun; };
  ctx.endRemoteOperators = [&] {
    ++ended;
    return nlohmann::ordered_json{{"worker_call", {{"aten::mm", {{"calls", 4}, {"self_ms", 2.0}, {"total_ms", 2.5}, {"flops", 800.0}, {"bytes", 96.0}}},
                                                   {"aten::mul", {{"calls", 6}, {"self_ms", 1.0}, {"total_ms", 1.0}}}}}};
  };
  c.runBegin(ctx);
  c.sampleEnd();
  c.sampleEnd();
  c.runEnd();
  c.runEnd();  // once only
  EXPECT_EQ(begun, 1);
  EXPECT_EQ(ended, 1);
  EXPECT_EQ(c.failure(), "");
  const Json f = c.fragment();
  EXPECT_DOUBLE_EQ(f["operators"]["aten::mm"]["calls"].get<double>(), 2);  // per sample
  EXPECT_DOUBLE_EQ(f["operators"]["aten::mm"]["flops"].get<double>(), 400);
  EXPECT_DOUBLE_EQ(f["operators_by_stage"]["worker_call"]["gemm_flops"].get<double>(), 400);
  EXPECT_DOUBLE_EQ(f["operators_by_stage"]["worker_call"]["gemm_bytes"].get<double>(), 48);
  EXPECT_DOUBLE_EQ(f["operators_by_stage"]["worker_call"]["operators_self_ms"].get<double>(), 1.5);
}

TEST(TorchOps, GemmWorkFromShapes) {
  using profilers::gemmWork;
  const auto mm = gemmWork("aten::mm", {{4, 3}, {3, 5}}, 4);
  EXPECT_DOUBLE_EQ(mm.flops, 2.0 * 4 * 5 * 3);
  EXPECT_DOUBLE_EQ(mm.bytes, 4.0 * (12 + 15 + 20));
  // addmm/baddbmm: the added term comes first, the factors last.
  EXPECT_DOUBLE_EQ(gemmWork("aten::addmm", {{5}, {4, 3}, {3, 5}}, 8).flops, 2.0 * 4 * 5 * 3);
  const auto bmm = gemmWork("aten::baddbmm", {{7, 4, 5}, {7, 4, 3}, {7, 3, 5}}, 8);
  EXPECT_DOUBLE_EQ(bmm.flops, 2.0 * 7 * 4 * 5 * 3);
  EXPECT_DOUBLE_EQ(bmm.bytes, 8.0 * 7 * (12 + 15 + 20));
  EXPECT_DOUBLE_EQ(gemmWork("aten::add", {{4, 3}, {4, 3}}, 4).flops, 0);
  EXPECT_DOUBLE_EQ(gemmWork("aten::mm", {{4, 3, 2}, {3, 5}}, 4).flops, 0);  // not a matrix: not counted
}
#endif

// --- through the command line: every collector, the report valid against the schema ------------

TEST(Collectors, EveryCollectorThroughRunAndTheReportValidates) {
  const std::string dir = test::freshTempDir("collectors-cli");
#ifdef MLFFB_HAVE_TORCH
  const std::string flavor = "torch";
#else
  const std::string flavor = "native";
#endif
  const auto r = test::runCli("run --suite polyala --sizes 10 --model ani2x --flavor " + flavor +
                              " --mode single-point --repeat 2 --profile torch-ops,perf,nvtx,cupti-activity,cupti-range --out " + dir + "/r.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " + std::string(MLFFB_SOURCE_DIR) +
                                "/results/schema/report.schema.json " + dir + "/r.json");
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  const Json doc = Json::parse(readFile(dir + "/r.json"));
  const Json& run = doc["runs"][0];
  ASSERT_EQ(run["status"], "ok") << run["message"];
  const Json& m = run["measurements"];
  const Json& st = m["collectors"];
  for (const char* c : {"torch-ops", "perf", "nvtx", "cupti-activity", "cupti-range"}) {
    ASSERT_TRUE(st.contains(c)) << c;
    if (st[c]["status"] == "unavailable") {
      EXPECT_FALSE(st[c]["reason"].get<std::string>().empty()) << c;
    }
  }
  if (st["perf"]["status"] == "ok") {
    EXPECT_TRUE(m["cpu_counters"]["stages"].contains("descriptor"));
  }
#ifdef MLFFB_HAVE_TORCH
  EXPECT_TRUE(m["operators_by_stage"]["energy"]["operators"].contains("aten::addmm"));
  EXPECT_GT(st["torch-ops"]["overhead"]["ratio"].get<double>(), 0);
#endif
  if (doc["environment"]["gpus"].empty()) {  // no GPU: the CUPTI collectors say why, the run goes on
    EXPECT_EQ(st["cupti-activity"]["status"], "unavailable");
    EXPECT_EQ(st["cupti-range"]["status"], "unavailable");
  }
}

// --- CPU counters ------------------------------------------------------------------------------

TEST(Perf, CountersPerStageOnACpuRun) {
  std::string why;
  if (!profilers::PerfCounters::usable(&why)) GTEST_SKIP() << why;
  profilers::PerfCollector c;
  volatile double sink = 0;
  {
    profilers::ScopedCollector attached(&c);
    profilers::MeasuredSection m;
    for (int r = 0; r < 2; ++r) {
      {
        profilers::Range total("total");
        profilers::Range work("energy");
        for (int i = 0; i < 20'000'000; ++i) sink = sink + std::sqrt(static_cast<double>(i));
      }
      profilers::sampleEnd();
    }
  }
  const Json f = c.fragment()["cpu_counters"];
  EXPECT_EQ(f["samples"].get<int>(), 2);
  const Json& e = f["stages"]["energy"];
  ASSERT_TRUE(e.contains("task_clock_ns"));
  EXPECT_GT(e["task_clock_ns"].get<double>(), 1e6);  // ≥ 1 ms of CPU per sample
  EXPECT_LE(e["task_clock_ns"].get<double>() * 1e-6, e["wall_ms"].get<double>() * f["threads"].get<int>() * 1.05 + 1.0);
  for (const auto& [name, st] : f["counters"].items()) {
    if (st["status"] == "ok") {
      EXPECT_TRUE(e.contains(name)) << name;
      EXPECT_GE(e[name].get<double>(), 0) << name;
    } else {
      EXPECT_FALSE(st["reason"].get<std::string>().empty()) << name;
    }
  }
  if (f["counters"]["instructions"]["status"] == "ok") {
    EXPECT_GT(e["instructions"].get<double>(), 2e7);  // at least an instruction per loop iteration
    EXPECT_GT(e["ipc"].get<double>(), 0);
  }
}

}  // namespace
}  // namespace mlffb
