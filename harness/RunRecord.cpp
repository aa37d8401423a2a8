#include "harness/RunRecord.hpp"

namespace mlffb {

Json startedRecord(const Point& p, const Json& systemSection) {
  Json rec;
  rec["id"] = p.id();
  rec["system"] = systemSection;
  rec["model"] = {{"name", p.model}, {"flavor", p.flavor}};
  rec["engine"] = p.engineName();
  rec["configuration"] = toString(p.configuration);
  rec["mode"] = toString(p.mode);
  rec["device"] = p.device.str();
  rec["precision"] = toString(p.precision);
  if (p.ranks > 0) {
    rec["ranks"] = p.ranks;
    rec["scaling"] = p.weakScaling ? "weak" : "strong";
    if (p.weakScaling) rec["size_per_rank"] = p.system.size / p.ranks;
  }
  rec["status"] = "error";
  rec["message"] = "did not finish";
  rec["measurements"] = Json::object();
  return rec;
}

Json skippedRecord(const Point& p) {
  Json rec = startedRecord(p, p.system.summary());
  setStatus(rec, "skipped", p.skipReason);
  return rec;
}

void setStatus(Json& rec, const std::string& status, const std::string& message) {
  rec["status"] = status;
  rec["message"] = message.substr(0, message.find('\n'));
}

}  // namespace mlffb
