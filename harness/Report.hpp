#pragma once
// The JSON report of a suite run: schema_version, tool, environment, suite, runs. One writer
// serves the runner and everything else: every change is written atomically, so an interrupted
// run leaves the last complete report on disk.
#include <string>
#include <vector>

#include "harness/Json.hpp"

namespace mlffb {

inline constexpr int kReportSchemaVersion = 1;

/// The current UTC time formatted with strftime's `format`.
std::string utcTime(const char* format);

class ReportWriter {
 public:
  /// A report for `suite` (header with tool and environment) at `path`, written now with no runs;
  /// `deferred`: written only by finish() (a FIFO or device gets the final report once).
  ReportWriter(std::string path, const Json& suite, bool deferred = false);
  /// Appends one run record and rewrites the file atomically.
  void addRun(Json run);
  /// Replaces the run records (e.g. those of a resumed journal) and rewrites the file.
  void setRuns(std::vector<Json> runs);
  /// Writes the report if it was deferred.
  void finish();
  const Json& document() const { return doc_; }
  const std::string& path() const { return path_; }

 private:
  void flush() const;
  std::string path_;
  Json doc_;
  bool deferred_ = false;
};

/// Run statuses of the schema.
inline constexpr const char* kRunStatuses[] = {"ok", "skipped", "oom", "killed", "timeout", "error"};

}  // namespace mlffb
