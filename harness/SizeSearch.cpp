#include "harness/SizeSearch.hpp"

#include <algorithm>
#include <map>

#include "systems/SystemFamily.hpp"

namespace mlffb {

Json SizeSearch::toJson() const {
  Json j = {{"kind", "max-size"}, {"start", start}, {"limit", limit}, {"tolerance", tolerance}};
  if (timeSeconds > 0) j["time_s"] = timeSeconds;
  return j;
}

SizeSearch SizeSearch::fromJson(const Json& j) {
  SizeSearch s;
  s.start = j.value("start", s.start);
  s.limit = j.value("limit", s.limit);
  s.tolerance = j.value("tolerance", s.tolerance);
  s.timeSeconds = j.value("time_s", 0.0);
  return s;
}

std::optional<int> nextProbeSize(const SizeSearch& s, const std::vector<Probe>& probes) {
  if (probes.empty()) return std::max(1, std::min(s.start, s.limit));
  int lo = 0, hi = 0;  // largest success, smallest failure (0: none yet)
  for (const Probe& p : probes) {
    if (p.ok) lo = std::max(lo, p.size);
    else hi = hi == 0 ? p.size : std::min(hi, p.size);
  }
  if (hi == 0) {  // doubling
    if (lo >= s.limit) return std::nullopt;
    return static_cast<int>(std::min<long long>(s.limit, 2LL * lo));  // no int overflow near the limit
  }
  if (lo == 0) {  // even the first failed: halving
    const int next = hi / 2;
    return next >= 1 ? std::optional<int>(next) : std::nullopt;
  }
  if (hi <= lo + 1 || hi - lo <= s.tolerance * lo) return std::nullopt;
  return lo + (hi - lo) / 2;
}

namespace {
/// The point's id without its system name (the first component): the series a probe belongs to.
std::string seriesOf(const std::string& id) {
  const auto slash = id.find('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}
/// "random-4000-n55/…" → "random": the family that made the point's system (a file's system: its name).
std::string kindOf(const std::string& id) {
  const std::string name = id.substr(0, id.find('/'));
  const SystemFamilyEntry* family = familyOfSystemName(name);
  return family ? family->name : name;
}
}  // namespace

Json maxSizeSeries(const Json& runs, const SizeSearch& search) {
  std::map<std::string, Json> series;
  std::map<std::string, std::vector<Probe>> probes;  // in the order they ran
  std::vector<std::string> order;
  for (const Json& r : runs) {
    if (!r.contains("search_size")) continue;
    const std::string id = r.value("id", "");
    const std::string key = kindOf(id) + ":" + seriesOf(id);
    if (!series.count(key)) {
      order.push_back(key);
      series[key] = {{"series", seriesOf(id)},
                     {"system_kind", kindOf(id)},
                     {"model", r["model"].value("name", "")},
                     {"flavor", r["model"].value("flavor", "")},
                     {"device", r.value("device", "")},
                     {"precision", r.value("precision", "")},
                     {"probes", 0}};
    }
    Json& s = series[key];
    s["probes"] = s["probes"].get<int>() + 1;
    const std::string status = r.value("status", "error");
    if (status == "skipped") {
      s["skipped"] = r.value("message", "");
      continue;
    }
    if (status == "killed") continue;  // killed from outside: no bound (the search stopped there, incomplete)
    Json entry = {{"size", r["search_size"].get<int>()}, {"atoms", r["system"].value("atoms", 0)}};
    probes[key].push_back({entry["size"].get<int>(), status == "ok"});
    if (status == "ok") {
      if (!s.contains("largest_ok") || entry["size"].get<int>() > s["largest_ok"]["size"].get<int>()) s["largest_ok"] = entry;
    } else {
      entry["status"] = status;
      entry["message"] = r.value("message", "");
      if (!s.contains("smallest_failed") || entry["size"].get<int>() < s["smallest_failed"]["size"].get<int>()) s["smallest_failed"] = entry;
    }
  }
  Json out = Json::array();
  for (const auto& k : order) {
    if (!series[k].contains("skipped")) series[k]["complete"] = !nextProbeSize(search, probes[k]).has_value();
    out.push_back(series[k]);
  }
  return out;
}

}  // namespace mlffb
