#include "harness/Budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlffb {

std::string seriesKey(const Point& p) {
  Point q = p;
  q.system.size = 0;
  q.system.path.clear();
  return q.id();
}

Json Prediction::toJson(double budgetS) const {
  return {{"seconds", seconds}, {"budget_s", budgetS}, {"exponent", exponent}, {"from", from}};
}

std::optional<Prediction> predictWall(const Point& p, const std::vector<Json>& records, const std::map<std::string, const Point*>& plan) {
  if (p.system.isFile() || p.system.size <= 0) return std::nullopt;
  const std::string key = seriesKey(p);
  struct Measured {
    int size;
    double wall;
    std::string id;
  };
  std::vector<Measured> measured;
  for (const Json& r : records) {
    if (r.value("status", "") != "ok" || !r.contains("wall_s")) continue;
    const auto it = plan.find(r.value("id", ""));
    if (it == plan.end() || it->second->system.size <= 0 || seriesKey(*it->second) != key) continue;
    measured.push_back({it->second->system.size, r["wall_s"].get<double>(), it->first});
  }
  if (measured.empty()) return std::nullopt;
  std::sort(measured.begin(), measured.end(), [](const Measured& a, const Measured& b) { return a.size < b.size; });
  Prediction out;
  const Measured& top = measured.back();
  if (measured.size() >= 2) {
    const Measured& below = measured[measured.size() - 2];
    if (top.size > below.size && below.wall > 0 && top.wall > 0)
      out.exponent = std::log(top.wall / below.wall) / std::log(static_cast<double>(top.size) / below.size);
    out.exponent = std::clamp(out.exponent, 1.0, 3.0);
    out.from.push_back({{"id", below.id}, {"size", below.size}, {"wall_s", below.wall}});
  }
  out.from.push_back({{"id", top.id}, {"size", top.size}, {"wall_s", top.wall}});
  out.seconds = top.wall * std::pow(static_cast<double>(p.system.size) / top.size, out.exponent);
  return out;
}

std::string describePrediction(const Prediction& p) {
  char head[96];
  std::snprintf(head, sizeof head, "predicted %.0f s (∝ size^%.2f from ", p.seconds, p.exponent);
  std::string s = head;
  for (size_t i = 0; i < p.from.size(); ++i) {
    char one[160];
    std::snprintf(one, sizeof one, "%s%s at %.1f s", i ? " and " : "", p.from[i]["id"].get<std::string>().substr(0, p.from[i]["id"].get<std::string>().find('/')).c_str(),
                  p.from[i]["wall_s"].get<double>());
    s += one;
  }
  return s + ")";
}

}  // namespace mlffb
