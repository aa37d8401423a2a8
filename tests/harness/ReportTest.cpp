// Reports: produced documents validate against results/schema, and are written atomically.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../TestUtil.hpp"
#include "harness/Report.hpp"
#include "harness/SystemRecord.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/PolyAlanineBuilder.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
std::string validate(const std::string& schema, const std::string& file) {
  const auto r = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/" + schema + " " + file);
  return r.exitCode == 0 ? "" : r.out + r.err;
}

Json sampleRun(const std::string& status) {
  PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Helix, Termini::Charged, 1, 10});
  Json run;
  run["id"] = "polyala-10/test";
  run["system"] = systemRecord(b.build(10), "polyala-10.pdb");
  run["model"] = {{"name", "test"}, {"flavor", "none"}};
  run["engine"] = "none";
  run["configuration"] = "mlff";
  run["mode"] = "single-point";
  run["device"] = "cpu";
  run["precision"] = "float64";
  run["status"] = status;
  run["message"] = status == "ok" ? "" : "not run";
  run["measurements"] = Json::object();
  if (status == "ok")
    run["measurements"]["stages"] = {{"total", {{"median_ms", 1.0}, {"min_ms", 0.9}, {"max_ms", 1.2}, {"samples", 3}}}};
  return run;
}
}  // namespace

TEST(Report, HeaderAndRunsValidateAgainstSchema) {
  const std::string dir = test::freshTempDir("report");
  const std::string path = dir + "/r.json";
  ReportWriter w(path, Json{{"name", "unit"}});
  EXPECT_EQ(validate("report.schema.json", path), "");
  w.addRun(sampleRun("ok"));
  w.addRun(sampleRun("skipped"));
  EXPECT_EQ(validate("report.schema.json", path), "");
  const Json doc = Json::parse(readFile(path));
  EXPECT_EQ(doc.begin().key(), "schema_version");
  EXPECT_EQ(doc["runs"].size(), 2u);
  EXPECT_FALSE(doc["environment"]["cpu_model"].get<std::string>().empty());
  EXPECT_TRUE(doc["environment"]["gpus"].is_array());
}

TEST(Report, SchemaRejectsBrokenRecords) {
  // The validator must be able to fail: an ok run without stage timings, and an unknown status.
  const std::string dir = test::freshTempDir("report-bad");
  ReportWriter w(dir + "/bad.json", Json{{"name", "unit"}});
  Json run = sampleRun("ok");
  run["measurements"].erase("stages");
  w.addRun(run);
  EXPECT_NE(validate("report.schema.json", dir + "/bad.json"), "");
  ReportWriter w2(dir + "/bad2.json", Json{{"name", "unit"}});
  w2.addRun(sampleRun("exploded"));
  EXPECT_NE(validate("report.schema.json", dir + "/bad2.json"), "");
}
