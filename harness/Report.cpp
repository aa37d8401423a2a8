#include "harness/Report.hpp"

#include <chrono>
#include <ctime>

#include "harness/Environment.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {

namespace {
std::string utcNow() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

Json makeReport(const Json& suite) {
  Json doc;
  doc["schema_version"] = kReportSchemaVersion;
  doc["tool"] = toolInfo();
  doc["environment"] = environmentInfo();
  doc["created"] = utcNow();
  doc["suite"] = suite;
  doc["runs"] = Json::array();
  return doc;
}

ReportWriter::ReportWriter(std::string path, const Json& suite) : path_(std::move(path)), doc_(makeReport(suite)) {
  flush();
}

void ReportWriter::addRun(Json run) {
  doc_["runs"].push_back(std::move(run));
  flush();
}

void ReportWriter::flush() const { writeFileAtomically(path_, doc_.dump(2) + "\n"); }

}  // namespace mlffb
