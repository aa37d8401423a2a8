// The Nsight wrapper without Nsight: CSV import from fixtures in the tools' formats, the command
// lines `profile` builds, and the whole command end to end with stand-in tools
// (tests/data/nsight/fake-ncu, fake-nsys) that run the profiled program and emit the fixtures.
#include <gtest/gtest.h>

#include <filesystem>

#include "../TestUtil.hpp"
#include "harness/NsightImport.hpp"
#include "harness/ProfileCommand.hpp"
#include "harness/Roofline.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {
namespace {
namespace fs = std::filesystem;
const std::string kData = std::string(MLFFB_SOURCE_DIR) + "/tests/data/nsight/";

TEST(Csv, QuotedFieldsNoticeLinesAndCrLf) {
  const std::string text = "==PROF== hello\r\nA,B,\"C, with comma\"\r\n1,\"say \"\"hi\"\"\",\"x\ny\"\r\n2,3,4\r\n";
  const CsvTable t = parseCsv(text, "t.csv", "A");
  ASSERT_EQ(t.header.size(), 3u);
  EXPECT_EQ(t.header[2], "C, with comma");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][1], "say \"hi\"");
  EXPECT_EQ(t.rows[0][2], "x\ny");
  EXPECT_EQ(t.column("B", "t.csv"), 1u);
  EXPECT_THROW(t.column("D", "t.csv"), std::runtime_error);
}

TEST(Csv, MalformedInputIsNamedWithItsLine) {
  try {
    parseCsv("A,B\n1,2\n3\n", "bad.csv", "A");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv: line 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parseCsv("A,B\n\"1,2\n", "q.csv", "A"), std::runtime_error);
  EXPECT_THROW(parseCsv("X,Y\n1,2\n", "h.csv", "A"), std::runtime_error);
}

TEST(Csv, NsightNumbersWithSeparatorsAndUnits) {
  EXPECT_DOUBLE_EQ(nsightNumber("1,048,576", "byte"), 1048576);
  EXPECT_DOUBLE_EQ(nsightNumber("1.5", "Kbyte"), 1500);
  EXPECT_DOUBLE_EQ(nsightNumber("2", "usecond"), 2000);
  EXPECT_DOUBLE_EQ(nsightNumber("40.25", "%"), 40.25);
  EXPECT_TRUE(std::isnan(nsightNumber("n/a", "")));
  EXPECT_TRUE(std::isnan(nsightNumber("12abc", "")));
}

TEST(NcuImport, RawPageIntoKernelMetricsAndStageTrafficPerSample) {
  const Json j = importNcuRaw(readFile(kData + "ncu-energy.csv"), "ncu-energy.csv", "energy", 2);
  const Json& k = j["kernel_metrics"];
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0]["name"], "void gemmSN_TN_kernel<float, 128, 16, 2, 4, 8, 9, false>(cublasGemmSmallNParams<const float, const float, float>)");
  EXPECT_EQ(k[0]["stage"], "energy");
  EXPECT_DOUBLE_EQ(k[0]["launches"].get<double>(), 1.0);  // two launches over two samples
  EXPECT_DOUBLE_EQ(k[0]["dram_read_bytes"].get<double>(), 1048576);  // per launch
  EXPECT_DOUBLE_EQ(k[0]["dram_throughput_pct"].get<double>(), 13.0);
  EXPECT_DOUBLE_EQ(k[0]["achieved_occupancy_pct"].get<double>(), 40.0);
  const Json& t = j["traffic"]["energy"];
  EXPECT_DOUBLE_EQ(t["dram_bytes"].get<double>(), 1048576 + 262144 + 524288 + 524288);  // per sample
  EXPECT_DOUBLE_EQ(t["l2_bytes"].get<double>(), 2097152 + 1310720);
  EXPECT_DOUBLE_EQ(t["gpu_time_ms"].get<double>(), 10000e-6);
  EXPECT_DOUBLE_EQ(t["kernels"].get<double>(), 2.0);
  EXPECT_FALSE(t.contains("dram_throughput_pct"));  // percentages do not add over kernels
  EXPECT_THROW(importNcuRaw("\"ID\",\"Kernel Name\",\"foo\"\n\"0\",\"k\",\"1\"\n", "x.csv", "energy", 1), std::runtime_error);
}

TEST(NsysImport, StatsReportsIntoKernelsRangesAndApi) {
  const Json j = importNsysStats(readFile(kData + "nsys_cuda_gpu_kern_sum.csv"), readFile(kData + "nsys_nvtx_sum.csv"),
                                 readFile(kData + "nsys_cuda_api_sum.csv"), "nsys", 5);
  ASSERT_EQ(j["kernels"].size(), 3u);
  EXPECT_DOUBLE_EQ(j["kernels"][0]["launches"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["kernels"][0]["total_ms"].get<double>(), 50000e-6 / 5);
  EXPECT_DOUBLE_EQ(j["kernels"][1]["mean_us"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["launches_per_sample"].get<double>(), 7.0);
  EXPECT_DOUBLE_EQ(j["nvtx_ranges"]["energy"]["median_ms"].get<double>(), 0.06);
  EXPECT_DOUBLE_EQ(j["nvtx_ranges"]["total"]["instances"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(j["cuda_api"]["malloc_share"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(j["cuda_api"]["malloc_managed_share"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(j["cuda_api"]["functions"]["cudaLaunchKernel"]["calls"].get<double>(), 7.0);
}

TEST(ProfilePlan, NcuRunsOnePlainRunThenOneFilteredRunAndExportPerStage) {
  ProfileRequest rq;
  rq.tool = "ncu";
  rq.stages = {"energy", "forces"};
  rq.kernel = "gemm";
  rq.launchCount = 50;
  rq.runArgs = {"--suite", "polyala", "--sizes", "10", "--out", "r.json", "--force"};
  const ProfilePlan p = planProfile(rq, "/x/mlff-bench", "/opt/ncu", "unused.json");
  EXPECT_EQ(p.report, "r.json");
  EXPECT_EQ(p.workDir, "r.json.ncu");
  ASSERT_EQ(p.steps.size(), 5u);
  EXPECT_EQ(commandLine(p.steps[0]), "/x/mlff-bench run --suite polyala --sizes 10 --out r.json --force");
  const std::string energy = commandLine(p.steps[1]);
  for (const char* want : {"MLFFB_PROFILER_CAPTURE=1 ", "MLFFB_UNDER_NSIGHT=ncu ", "/opt/ncu --nvtx --nvtx-include mlff-bench@energy/",
                           "--profile-from-start off", "--target-processes all", "-k regex:gemm", "-c 50", "dram__bytes_read.sum",
                           "-f -o r.json.ncu/ncu-energy /x/mlff-bench run --suite polyala --sizes 10 --out r.json.ncu/run-energy.json --force"})
    EXPECT_NE(energy.find(want), std::string::npos) << want << " in " << energy;
  EXPECT_EQ(commandLine(p.steps[2]), "/opt/ncu -i r.json.ncu/ncu-energy.ncu-rep --csv --page raw --print-units base");
  EXPECT_EQ(p.steps[2].log, "r.json.ncu/ncu-energy.csv");
  EXPECT_EQ(p.steps[3].stage, "forces");

  rq.runArgs = {"--suite", "polyala", "--resume"};
  EXPECT_THROW(planProfile(rq, "/x/mlff-bench", "/opt/ncu", "d.json"), std::invalid_argument);
  rq.runArgs.clear();
  EXPECT_THROW(planProfile(rq, "/x/mlff-bench", "/opt/ncu", "d.json"), std::invalid_argument);
}

TEST(ProfilePlan, NsysCapturesTheProfilerApiRangeAndExportsThreeReports) {
  ProfileRequest rq;
  rq.tool = "nsys";
  rq.runArgs = {"--suite", "polyala", "--sizes", "10"};
  const ProfilePlan p = planProfile(rq, "mb", "nsys", "results/local/d.json");
  EXPECT_EQ(p.report, "results/local/d.json");
  ASSERT_EQ(p.steps.size(), 3u);
  const std::string prof = commandLine(p.steps[1]);
  EXPECT_NE(prof.find("nsys profile --trace=cuda,nvtx,osrt --capture-range=cudaProfilerApi --capture-range-end=stop"), std::string::npos) << prof;
  EXPECT_NE(commandLine(p.steps[2]).find("--report cuda_gpu_kern_sum,nvtx_sum,cuda_api_sum --format csv --output results/local/d.json.nsys/nsys"),
            std::string::npos);
}

TEST(Roofline, PeaksFromDevicePropertiesAndStagesPlacedOnTheRoof) {
  // An H100 SXM as cudaGetDeviceProperties describes it (132 SMs, 1980 MHz, HBM3 2619 MHz × 5120 bit).
  const Json h100 = {{"compute_capability", "9.0"}, {"sm_count", 132}, {"sm_clock_mhz", 1980}, {"memory_clock_mhz", 2619}, {"memory_bus_bits", 5120}};
  const DevicePeaks p = devicePeaks(h100);
  EXPECT_NEAR(p.fp32Gflops, 132 * 128 * 2 * 1.98, 1e-6);   // 66.9 TFLOP/s
  EXPECT_NEAR(p.dramGbPerS, 2 * 2619e6 * 640 * 1e-9, 1e-6);  // 3.35 TB/s
  const Json a100 = {{"compute_capability", "8.0"}, {"sm_count", 108}, {"sm_clock_mhz", 1410}, {"memory_clock_mhz", 1215}, {"memory_bus_bits", 5120}};
  EXPECT_NEAR(devicePeaks(a100).fp32Gflops, 108 * 64 * 2 * 1.41, 1e-6);  // 19.5 TFLOP/s
  EXPECT_FALSE(devicePeaks(Json::object()).known());

  const Json traffic = {{"descriptor", {{"dram_bytes", 1e9}, {"gpu_time_ms", 1.0}}}, {"energy", {{"dram_bytes", 1e6}, {"gpu_time_ms", 2.0}}},
                        {"neighbors", {{"dram_bytes", 5e5}}}};
  const Json flops = {{"descriptor", 2e9}, {"energy", 1e10}};
  const Json r = rooflineSection(traffic, flops, p);
  EXPECT_EQ(r["descriptor"]["bound"], "memory");  // 2 FLOP/B, far below the ridge (≈ 20)
  EXPECT_DOUBLE_EQ(r["descriptor"]["intensity_flop_per_byte"].get<double>(), 2.0);
  EXPECT_NEAR(r["descriptor"]["attainable_gflops_per_s"].get<double>(), 2.0 * p.dramGbPerS, 1e-6);
  EXPECT_NEAR(r["descriptor"]["achieved_gflops_per_s"].get<double>(), 2000.0, 1e-9);
  EXPECT_EQ(r["energy"]["bound"], "compute");  // 10,000 FLOP/B
  EXPECT_DOUBLE_EQ(r["energy"]["attainable_gflops_per_s"].get<double>(), p.fp32Gflops);
  EXPECT_FALSE(r.contains("neighbors"));  // no FLOPs counted for it
  EXPECT_TRUE(rooflineSection(traffic, flops, DevicePeaks{}).empty());
}

// --- end to end with stand-in tools ---------------------------------------------------------

const std::string kPoint = "--suite polyala --sizes 10 --model ani2x --flavor native --mode single-point --repeat 2 --warmup 1";

Json validReport(const std::string& path) {
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " + std::string(MLFFB_SOURCE_DIR) +
                                "/results/schema/report.schema.json " + path);
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  return Json::parse(readFile(path));
}

TEST(ProfileCommand, NcuResultsLandInThePlainRunsRecord) {
  const std::string dir = test::freshTempDir("profile-ncu");
  const auto r = test::runCli("profile ncu --tool-path " + kData + "fake-ncu --stage energy,forces -- " + kPoint + " --out " + dir + "/r.json");
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const Json doc = validReport(dir + "/r.json");
  ASSERT_EQ(doc["runs"].size(), 1u);
  const Json& m = doc["runs"][0]["measurements"];
  EXPECT_GT(m["stages"]["total"]["median_ms"].get<double>(), 0);  // the plain run's timing stays
  EXPECT_DOUBLE_EQ(m["traffic"]["energy"]["dram_bytes"].get<double>(), 1048576 + 262144 + 524288 + 524288);
  EXPECT_TRUE(m["traffic"].contains("forces"));
  EXPECT_EQ(m["kernel_metrics"].size(), 4u);  // 2 kernels × 2 stages
  EXPECT_EQ(m["collectors"]["ncu"]["status"], "ok");
  EXPECT_EQ(m["nsight"]["ncu"]["commands"].size(), 5u);
  EXPECT_TRUE(fs::exists(dir + "/r.json.ncu/ncu-energy.csv"));
}

TEST(ProfileCommand, NsysResultsLandInThePlainRunsRecord) {
  const std::string dir = test::freshTempDir("profile-nsys");
  const auto r = test::runCli("profile nsys --tool-path " + kData + "fake-nsys -- " + kPoint + " --out " + dir + "/r.json");
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const Json doc = validReport(dir + "/r.json");
  const Json& m = doc["runs"][0]["measurements"];
  EXPECT_EQ(m["kernels"].size(), 3u);
  EXPECT_DOUBLE_EQ(m["launches_per_sample"].get<double>(), 35.0 / 2);
  EXPECT_DOUBLE_EQ(m["cuda_api"]["malloc_managed_share"].get<double>(), 0.6);
  EXPECT_EQ(m["collectors"]["nsys"]["status"], "ok");
}

TEST(ProfileCommand, RefusalsNameWhatIsWrongAndKeepTheReport) {
  const std::string dir = test::freshTempDir("profile-refusals");
  auto r = test::runCli("profile ncu --tool-path " + dir + "/no-such-ncu -- " + kPoint);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("no-such-ncu not found"), std::string::npos) << r.err;
  r = test::runCli("profile nvprof -- " + kPoint);
  EXPECT_EQ(r.exitCode, 2);
  r = test::runCli("profile ncu --tool-path " + kData + "fake-ncu");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("no run arguments"), std::string::npos) << r.err;
  // A dry run checks the run arguments too ("run" is not one of them): refused before any tool.
  r = test::runCli("profile ncu --dry-run -- run " + kPoint);
  EXPECT_EQ(r.exitCode, 2) << r.out;
  EXPECT_NE(r.err.find("mlff-bench: error: profile: `mlff-bench run` refuses the arguments after --: "), std::string::npos) << r.err;
  r = test::runCli("profile ncu --dry-run -- " + kPoint + " --out " + dir + "/dry.json");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("ncu --nvtx"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir + "/dry.json"));
  // Two points: refused after the plain run, before any tool run; the plain report stays whole.
  r = test::runCli("profile ncu --tool-path " + kData + "fake-ncu -- --suite polyala --sizes 10,20 --model ani2x --flavor native --mode single-point "
                   "--repeat 1 --out " + dir + "/two.json");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("has 2 runs"), std::string::npos) << r.err;
  EXPECT_EQ(validReport(dir + "/two.json")["runs"].size(), 2u);
  EXPECT_FALSE(fs::exists(dir + "/two.json.ncu/ncu-neighbors.ncu-rep"));
  // A failing export names its log; the report keeps its plain run.
  r = test::runShell("FAKE_NCU_FAIL_EXPORT=1 " + std::string(MLFFB_BINARY) + " profile ncu --tool-path " + kData + "fake-ncu --stage energy -- " +
                     kPoint + " --out " + dir + "/fail.json");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("export step failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ncu-energy.csv"), std::string::npos) << r.err;
  EXPECT_FALSE(validReport(dir + "/fail.json")["runs"][0]["measurements"].contains("traffic"));
}

}  // namespace
}  // namespace mlffb

namespace mlffb {
namespace {
TEST(ProfilerFigures, DrawnFromTheProfilerFixtureReport) {
  const std::string dir = test::freshTempDir("profiler-figures");
  const auto r = test::runCli("report " + std::string(MLFFB_SOURCE_DIR) + "/tests/data/fixture-report-profilers.json --out " + dir);
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  for (const char* stem : {"operator_timings", "kernel_throughput", "launches_per_stage", "roofline"})
    for (const char* ext : {".png", ".svg"}) {
      const fs::path p = fs::path(dir) / (std::string(stem) + ext);
      ASSERT_TRUE(fs::exists(p)) << p;
      EXPECT_GT(fs::file_size(p), 1000u) << p;
    }
  const std::string index = readFile(dir + "/index.md");
  EXPECT_NE(index.find("![roofline](roofline.png)"), std::string::npos) << index;
  EXPECT_EQ(index.find("Kernel throughput: no per-kernel"), std::string::npos) << index;
}
}  // namespace
}  // namespace mlffb
