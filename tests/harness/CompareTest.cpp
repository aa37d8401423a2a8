// compare on fixture reports gives the expected table; report draws the figures.
#include <gtest/gtest.h>

#include <filesystem>

#include "../TestUtil.hpp"
#include "harness/Compare.hpp"
#include "systems/AtomicFile.hpp"

using namespace mlffb;
using test::runCli;
namespace fs = std::filesystem;

namespace {
const std::string kCpu = std::string(MLFFB_SOURCE_DIR) + "/tests/data/fixture-report-cpu.json";
const std::string kGpu = std::string(MLFFB_SOURCE_DIR) + "/tests/data/fixture-report-h100.json";
}  // namespace

TEST(Compare, MarkdownTableAcrossDevices) {
  auto r = runCli("compare " + kCpu + " " + kGpu);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string expected =
      "Metric: total (ms); speed-up against Fixture CPU (16 cores) in parentheses (baseline / value).\n"
      "\n"
      "| system | model | flavour | engine | configuration | Fixture CPU (16 cores) | NVIDIA H100 80GB HBM3 |\n"
      "|---|---|---|---|---|---:|---:|\n"
      "| polyala-10 | ani2x | native | none | mlff | 10 | — |\n"
      "| polyala-10 | ani2x | torch | none | mlff | 40 | 8 (×5) |\n"
      "| polyala-100 | ani2x | native | none | mlff | 50 | — |\n"
      "| polyala-100 | ani2x | torch | none | mlff | 250.0 | 10 (×25) |\n"
      "| polyala-1000 | ani2x | torch | none | mlff | — | 40 |\n"
      "\n"
      "2 other points have no value for this metric.\n"
      "\n"
      "Mismatched points (no record in every report):\n"
      "- polyala-10 | ani2x | native | none | mlff — missing in NVIDIA H100 80GB HBM3\n"
      "- polyala-100 | ani2x | native | none | mlff — missing in NVIDIA H100 80GB HBM3\n"
      "- polyala-1000 | ani2x | torch | none | mlff — missing in Fixture CPU (16 cores)\n";
  EXPECT_EQ(r.out, expected);
}

TEST(Compare, MetricsBaselinesAndFormats) {
  auto md = runCli("compare " + kCpu + " " + kGpu + " --metric ns_per_day --baseline " + kGpu);
  ASSERT_EQ(md.exitCode, 0) << md.err;
  EXPECT_NE(md.out.find("| polyala-10 | ani2x | native | native | mlff | 4 (×0.2) | 20 |"), std::string::npos) << md.out;
  auto csv = runCli("compare " + kCpu + " " + kGpu + " --metric stage:energy --format csv");
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_NE(csv.out.find("polyala-10,ani2x,torch,none,mlff,20,1,20,1\n"), std::string::npos) << csv.out;
  auto js = runCli("compare " + kCpu + " " + kGpu + " --format json");
  ASSERT_EQ(js.exitCode, 0) << js.err;
  const Json j = Json::parse(js.out);
  EXPECT_EQ(j["columns"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["rows"][3]["speedup_vs_baseline"]["NVIDIA H100 80GB HBM3"].get<double>(), 25.0);
  EXPECT_EQ(j["mismatched"].size(), 3u);
  auto bad = runCli("compare " + kCpu + " --metric flops");
  EXPECT_NE(bad.exitCode, 0);
  EXPECT_NE(bad.err.find("unknown metric 'flops'"), std::string::npos) << bad.err;
  auto notReport = runCli("compare " + std::string(MLFFB_SOURCE_DIR) + "/results/schema/report.schema.json");
  EXPECT_NE(notReport.exitCode, 0);
  EXPECT_NE(notReport.err.find("not an mlff-bench report"), std::string::npos) << notReport.err;
}

TEST(Figures, DrawnFromFixtureReports) {
  const std::string dir = test::freshTempDir("figures");
  auto r = runCli("report " + kCpu + " " + kGpu + " --out " + dir);
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  for (const char* stem : {"stage_time_vs_atoms", "md_mlffsys_ns_per_day", "md_cffsys_ns_per_day", "cross_device", "framework_vs_fused"})
    for (const char* ext : {".png", ".svg"}) {
      const fs::path p = fs::path(dir) / (std::string(stem) + ext);
      ASSERT_TRUE(fs::exists(p)) << p;
      EXPECT_GT(fs::file_size(p), 1000u) << p;
    }
  const std::string index = readFile(dir + "/index.md");
  EXPECT_NE(index.find("![cross_device](cross_device.png)"), std::string::npos) << index;
  EXPECT_NE(index.find("Kernel throughput: no per-kernel throughput"), std::string::npos) << index;
  // Figs. 11-12 and the MLFF/CFF cost table: the fixture's OpenMM CFFsys (40 ns/day) over the
  // native MLFFsys (4 ns/day) of the same slice; no CMLsys run, said so.
  EXPECT_NE(index.find("CMLsys: ns/day vs atoms (De Alwis et al. Fig. 12): no cml MD runs in the reports"), std::string::npos) << index;
  EXPECT_NE(index.find("| polyala-10 | native ani2x/native Fixture CPU | mlff | 103 | 4 | openmm classical Fixture CPU | 3484 | 40 | 10.0 |"),
            std::string::npos)
      << index;
  EXPECT_TRUE(fs::exists(dir + "/index.html"));
}

// Two runs of one row on one device (float32 and float64 of a point) are two rows, each named by
// what tells them apart; two runs that nothing tells apart are refused, never one silently shown.
TEST(Compare, RunsOfOneRowAndDeviceAreNeverMergedSilently) {
  const std::string dir = test::freshTempDir("compare-rows");
  Json report = Json::parse(readFile(kCpu));
  Json f64 = report["runs"][0];
  f64["id"] = "polyala-10/ani2x/native/mlff/single-point/cpu/float64";
  f64["precision"] = "float64";
  f64["measurements"]["stages"]["total"]["median_ms"] = 20.0;
  report["runs"].push_back(f64);
  writeFileAtomically(dir + "/two.json", report.dump());
  auto r = runCli("compare " + dir + "/two.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("| polyala-10 | ani2x | native | none | mlff (float32) | 10 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| polyala-10 | ani2x | native | none | mlff (float64) | 20 |"), std::string::npos) << r.out;
  // Across devices a precision that differs only between columns keeps the rows together.
  auto across = runCli("compare " + kCpu + " " + kGpu);
  EXPECT_EQ(across.out.find("(float32)"), std::string::npos) << across.out;

  Json twin = report["runs"][0];
  twin["id"] = "polyala-10/ani2x/native/mlff/single-point/cpu/float32-again";
  report["runs"].push_back(twin);
  writeFileAtomically(dir + "/twin.json", report.dump());
  auto t = runCli("compare " + dir + "/twin.json");
  EXPECT_EQ(t.exitCode, 1);
  EXPECT_NE(t.err.find("twin.json: runs 'polyala-10/ani2x/native/mlff/single-point/cpu/float32' and "
                       "'polyala-10/ani2x/native/mlff/single-point/cpu/float32-again' fall into one cell"),
            std::string::npos)
      << t.err;
}

// Differences within the two figures' noise are not called speed-ups: where both cells carry a
// 95 % interval (issue 29's `timing`) and they overlap, the cell says (n.s.).
TEST(Compare, OverlappingIntervalsAreNotSignificant) {
  const std::string dir = test::freshTempDir("compare-ci");
  Json cpu = Json::parse(readFile(kCpu)), gpu = Json::parse(readFile(kGpu));
  auto setInterval = [](Json& report, const std::string& id, double lo, double hi) {
    for (auto& run : report["runs"])
      if (run["id"] == id) {
        const double median = run["measurements"]["stages"]["total"]["median_ms"].get<double>();
        run["measurements"]["timing"] = {{"median_ms", median}, {"ci95_ms", {lo, hi}}};
        return;
      }
    FAIL() << id << " not in the fixture";
  };
  const std::string small = "polyala-10/ani2x/torch/mlff/single-point/cpu/float32", large = "polyala-100/ani2x/torch/mlff/single-point/cpu/float32";
  const std::string smallGpu = "polyala-10/ani2x/torch/mlff/single-point/cuda/float32", largeGpu = "polyala-100/ani2x/torch/mlff/single-point/cuda/float32";
  setInterval(cpu, small, 39, 41);
  setInterval(gpu, smallGpu, 7.9, 8.1);  // disjoint: ×5 stands
  setInterval(cpu, large, 240, 260);
  setInterval(gpu, largeGpu, 5, 300);  // overlaps: not significant
  writeFileAtomically(dir + "/cpu.json", cpu.dump());
  writeFileAtomically(dir + "/gpu.json", gpu.dump());
  auto r = runCli("compare " + dir + "/cpu.json " + dir + "/gpu.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("| polyala-10 | ani2x | torch | none | mlff | 40 | 8 (×5) |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| polyala-100 | ani2x | torch | none | mlff | 250.0 | 10 (n.s.) |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(n.s.): not significant"), std::string::npos) << r.out;
  auto js = runCli("compare " + dir + "/cpu.json " + dir + "/gpu.json --format json");
  ASSERT_EQ(js.exitCode, 0) << js.err;
  const Json j = Json::parse(js.out);
  EXPECT_TRUE(j["rows"][1]["significant_vs_baseline"]["NVIDIA H100 80GB HBM3"].get<bool>());
  EXPECT_FALSE(j["rows"][3]["significant_vs_baseline"]["NVIDIA H100 80GB HBM3"].get<bool>());
}
