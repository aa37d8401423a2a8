#include "harness/Journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/InputIdentity.hpp"
#include "harness/Report.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {
namespace {

constexpr const char* kHeaderKey = "mlff_bench_journal";

bool knownStatus(const std::string& s) {
  return std::any_of(std::begin(kRunStatuses), std::end(kRunStatuses), [&](const char* k) { return s == k; });
}

/// Why a JSON value is not a run record, or empty.
std::string notARecord(const Json& j) {
  if (!j.is_object()) return "not a JSON object";
  if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty()) return "no \"id\" string";
  if (!j.contains("status") || !j["status"].is_string()) return "no \"status\" string";
  if (!knownStatus(j["status"].get<std::string>())) return "unknown status '" + j["status"].get<std::string>() + "'";
  if (j.contains("measurements") && !j["measurements"].is_object()) return "\"measurements\" is not an object";
  return "";
}

}  // namespace

std::string journalPath(const std::string& reportPath) { return reportPath + ".runs.jsonl"; }

Json parseRunRecord(const std::string& line) {
  Json j;
  try {
    j = Json::parse(line);
  } catch (const Json::exception&) {
    throw std::invalid_argument("not JSON (a torn or edited line)");
  }
  if (const std::string why = notARecord(j); !why.empty()) throw std::invalid_argument("not a run record: " + why);
  return j;
}

JournalContents readJournal(const std::string& path, std::ostream& warnings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return readJournalText(readFile(path), path, warnings);
}

JournalContents readJournalText(const std::string& text, const std::string& path, std::ostream& warnings) {
  JournalContents out;
  std::istringstream in(text);
  std::string line;
  std::set<std::string> seen;
  for (size_t lineNo = 1; std::getline(in, line); ++lineNo) {
    if (line.empty()) continue;
    if (lineNo == 1) {
      try {
        const Json h = Json::parse(line);
        if (h.is_object() && h.contains(kHeaderKey)) {
          out.plan = h.value("plan", Json());
          continue;
        }
      } catch (const Json::exception&) {
      }
    }
    try {
      Json rec = parseRunRecord(line);
      if (!seen.insert(rec["id"].get<std::string>()).second) throw std::invalid_argument("a second record of point " + rec["id"].get<std::string>());
      out.records.push_back(std::move(rec));
    } catch (const std::invalid_argument& e) {
      ++out.skippedLines;
      warnings << "mlff-bench: warning: " << path << ":" << lineNo << ": skipped, " << e.what() << "\n";
    }
  }
  return out;
}

JournalContents readReportRuns(const std::string& reportPath, std::ostream& warnings) {
  JournalContents out;
  Json doc;
  try {
    doc = Json::parse(readFile(reportPath));
  } catch (const Json::exception& e) {
    throw std::runtime_error(reportPath + ": not a JSON report (" + std::string(e.what()).substr(0, 80) + ")");
  }
  if (!doc.is_object() || !doc.contains("runs") || !doc["runs"].is_array())
    throw std::runtime_error(reportPath + ": not an mlff-bench report (no \"runs\" list)");
  if (doc.contains("suite") && doc["suite"].is_object()) out.plan = doc["suite"].value("plan_identity", Json());
  std::set<std::string> seen;
  for (size_t i = 0; i < doc["runs"].size(); ++i) {
    const Json& run = doc["runs"][i];
    std::string why = notARecord(run);
    if (why.empty() && !seen.insert(run["id"].get<std::string>()).second) why = "a second record of its point";
    if (!why.empty()) {
      ++out.skippedLines;
      warnings << "mlff-bench: warning: " << reportPath << ": runs[" << i << "] skipped, " << why << "\n";
      continue;
    }
    out.records.push_back(run);
  }
  return out;
}

std::vector<std::string> planDifferences(const Json& before, const Json& now, bool& onlyAdditions) {
  std::vector<std::string> out;
  onlyAdditions = true;
  std::set<std::string> keys;
  for (auto& [k, v] : before.items()) keys.insert(k);
  for (auto& [k, v] : now.items()) keys.insert(k);
  keys.erase("point_ids");
  keys.erase("inputs");  // compared by content below
  for (const auto& k : keys) {
    const Json a = before.value(k, Json()), b = now.value(k, Json());
    if (a != b) {
      out.push_back(k + " " + (a.is_null() ? "(none)" : a.dump()) + " → " + (b.is_null() ? "(none)" : b.dump()));
      onlyAdditions = false;
    }
  }
  const auto ids = [](const Json& j) {
    std::set<std::string> s;
    if (j.contains("point_ids"))
      for (const auto& x : j["point_ids"]) s.insert(x.get<std::string>());
    return s;
  };
  const std::set<std::string> a = ids(before), b = ids(now);
  std::vector<std::string> added, dropped;
  for (const auto& x : b)
    if (!a.count(x)) added.push_back(x);
  for (const auto& x : a)
    if (!b.count(x)) dropped.push_back(x);
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 3; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > 3) s += ", …";
    return s;
  };
  for (auto& d : inputDifferences(before.value("inputs", Json()), now.value("inputs", Json()), onlyAdditions)) out.push_back(std::move(d));
  if (!added.empty()) out.push_back("adds " + std::to_string(added.size()) + " point(s): " + list(added));
  if (!dropped.empty()) {
    out.push_back("drops " + std::to_string(dropped.size()) + " point(s): " + list(dropped));
    onlyAdditions = false;
  }
  return out;
}

void JournalWriter::start(const std::string& path, const Json& plan, const std::vector<Json>& records) {
  std::string text = Json{{kHeaderKey, 1}, {"plan", plan}}.dump() + "\n";
  for (const auto& r : records) text += r.dump() + "\n";
  writeNewFile(path, text, Existing::Replace);
}

void JournalWriter::keepWithHeader(const std::string& path, const Json& plan) {
  const std::string old = readFile(path);
  std::string body = old;
  if (const auto nl = old.find('\n'); nl != std::string::npos || !old.empty()) {
    const std::string first = old.substr(0, nl);
    try {
      const Json h = Json::parse(first);
      if (h.is_object() && h.contains(kHeaderKey)) body = nl == std::string::npos ? "" : old.substr(nl + 1);
    } catch (const Json::exception&) {
    }
  }
  if (!body.empty() && body.back() != '\n') body += '\n';
  writeNewFile(path, Json{{kHeaderKey, 1}, {"plan", plan}}.dump() + "\n" + body, Existing::Replace);
}

void JournalWriter::append(const Json& record) const { appendToFile(path_, record.dump() + "\n"); }

}  // namespace mlffb
