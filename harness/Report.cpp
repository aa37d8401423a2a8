#include "harness/Report.hpp"

#include <chrono>
#include <ctime>

#include "harness/Environment.hpp"
#include "harness/Scaling.hpp"
#include "harness/SizeSearch.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {

std::string utcTime(const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

namespace {
Json makeReport(const Json& suite) {
  Json doc;
  doc["schema_version"] = kReportSchemaVersion;
  doc["tool"] = toolInfo();
  doc["environment"] = environmentInfo();
  doc["created"] = utcTime("%Y-%m-%dT%H:%M:%SZ");
  doc["suite"] = suite;
  doc["runs"] = Json::array();
  return doc;
}
}  // namespace

ReportWriter::ReportWriter(std::string path, const Json& suite, bool deferred)
    : path_(std::move(path)), doc_(makeReport(suite)), deferred_(deferred) {
  if (!deferred_) flush();
}

void ReportWriter::addRun(Json run) {
  doc_["runs"].push_back(std::move(run));
  if (!deferred_) flush();
}

void ReportWriter::setRuns(std::vector<Json> runs) {
  doc_["runs"] = Json::array();
  for (auto& r : runs) doc_["runs"].push_back(std::move(r));
  if (!deferred_) flush();
}

void ReportWriter::finish() {
  if (deferred_) flush();
}

void ReportWriter::flush() const {
  // Runs over several rank counts: speed-up, efficiency and Eq. 3 per series, beside the runs.
  Json doc = doc_;
  if (Json series = scalingSeries(doc_["runs"]); !series.empty()) doc["scaling"] = std::move(series);
  if (doc_["suite"].contains("search")) doc["max_size"] = maxSizeSeries(doc_["runs"], SizeSearch::fromJson(doc_["suite"]["search"]));
  writeFileAtomically(path_, doc.dump(2) + "\n");
}

}  // namespace mlffb
