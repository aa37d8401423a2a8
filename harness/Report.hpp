#pragma once
// The JSON report of a suite run: schema_version, tool, environment, suite, runs. Every change
// is written atomically, so an interrupted run leaves the last complete report on disk.
#include <string>

#include "harness/Json.hpp"

namespace mlffb {

inline constexpr int kReportSchemaVersion = 1;

/// The current UTC time formatted with strftime's `format`.
std::string utcTime(const char* format);

/// A new report document with an empty run list.
Json makeReport(const Json& suite);

class ReportWriter {
 public:
  /// Creates (or replaces) the report at `path` with no runs yet.
  ReportWriter(std::string path, const Json& suite);
  /// Appends one run record and rewrites the file atomically.
  void addRun(Json run);
  const Json& document() const { return doc_; }
  const std::string& path() const { return path_; }

 private:
  void flush() const;
  std::string path_;
  Json doc_;
};

/// Run status values of the schema.
inline constexpr const char* kRunStatuses[] = {"ok", "skipped", "oom", "timeout", "error"};

}  // namespace mlffb
