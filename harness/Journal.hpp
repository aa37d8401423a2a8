#pragma once
// The crash-proof journal of a suite run, REPORT.runs.jsonl: a header line with the identity of
// the plan (settings and point ids), then one run record per line, each appended and flushed to
// disk before the report is rebuilt from them. Reading never loses what is valid: a line that is
// not a run record (garbage, a torn tail, a foreign shape) is skipped with a warning naming
// file:line and counted.
#include <iosfwd>
#include <string>
#include <vector>

#include "harness/Json.hpp"
#include "harness/Plan.hpp"

namespace mlffb {

struct JournalContents {
  Json plan;                 // the header's plan identity; null in a journal without one
  std::vector<Json> records;
  size_t skippedLines = 0;
};

/// Path of the journal next to a report.
std::string journalPath(const std::string& reportPath);
/// Reads a journal (an absent one is empty); warnings go to `warnings`.
JournalContents readJournal(const std::string& path, std::ostream& warnings);
/// The same from the journal's text (`path` names it in warnings).
JournalContents readJournalText(const std::string& text, const std::string& path, std::ostream& warnings);
/// One journal line as a run record; throws std::invalid_argument saying why it is not one.
Json parseRunRecord(const std::string& line);
/// The run records of an existing report (for --resume when its journal is gone); a run that is
/// not a record is skipped with a warning, like a journal line.
JournalContents readReportRuns(const std::string& reportPath, std::ostream& warnings);

/// The differences between two plan identities (Plan.hpp's planIdentity), one phrase each ("seed 42 → 7", "adds 2 points:
/// …"); `onlyAdditions` tells whether the new plan only adds points.
std::vector<std::string> planDifferences(const Json& before, const Json& now, bool& onlyAdditions);

/// Appends to a journal, each line flushed to disk before append() returns.
class JournalWriter {
 public:
  /// Starts a journal at `path` with the header for `plan` and the given records (atomically:
  /// an interrupted start leaves the previous file).
  static void start(const std::string& path, const Json& plan, const std::vector<Json>& records);
  /// Sets the header of an existing journal to `plan`, keeping every other line as it is (also
  /// lines that are not records), and ends the file with a newline (after a torn last line).
  static void keepWithHeader(const std::string& path, const Json& plan);
  explicit JournalWriter(std::string path) : path_(std::move(path)) {}
  void append(const Json& record) const;

 private:
  std::string path_;
};

}  // namespace mlffb
