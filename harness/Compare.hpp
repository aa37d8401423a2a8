#pragma once
// Cross-report comparison: rows = (system, model, flavour, engine, configuration), columns =
// devices from each report's environment, cells = one metric, with speed-ups against a baseline.
#include <string>
#include <vector>

#include "harness/Json.hpp"

namespace mlffb {

struct CompareOptions {
  std::string metric = "total";  // total | stage:NAME | ns_per_day | ms_per_step | gflops:STAGE | peak_rss
  std::string baseline;          // report file (default: the first)
  std::string format = "md";     // md | csv | json
};

/// Device label of a run: the GPU name for CUDA runs, the CPU model otherwise.
std::string deviceLabel(const Json& report, const Json& run);

/// The comparison as text in the chosen format. Throws std::invalid_argument for an unknown
/// metric or format, or a baseline that is not among the files.
/// Throws std::invalid_argument naming the file and the field (e.g. "r.json: runs[3].measurements
/// .stages.total.median_ms: expected a number, found \"fast\"") when a report (hand-edited,
/// foreign) lacks what compare and report read, or has it in another type.
void checkReportShape(const std::string& file, const Json& report);
/// A report from its text: JSON, of the shape above; throws std::invalid_argument naming the file.
Json parseReportText(const std::string& text, const std::string& file);

std::string compareReports(const std::vector<std::pair<std::string, Json>>& reports, const CompareOptions& options);

}  // namespace mlffb
