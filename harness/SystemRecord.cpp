#include "harness/SystemRecord.hpp"

#include "systems/StructureStats.hpp"

namespace mlffb {

Json systemRecord(const System& s, const std::string& file) {
  const StructureStats st = computeStats(s);
  Json params = Json::object();
  for (const auto& [k, v] : s.provenance.parameters) params[k] = v;
  Json rec;
  rec["file"] = file;
  rec["name"] = s.name;
  int residues = s.soluteResidues();  // builders record the residues a slice was asked for
  for (const auto& [k, v] : s.provenance.parameters)
    if (k == "residues") residues = std::stoi(v);
  rec["residues"] = residues;
  rec["atoms"] = s.size();
  rec["solute_atoms"] = s.soluteCount();
  rec["solvent_atoms"] = s.solventCount();
  rec["box"] = s.box ? Json::array({s.box->x, s.box->y, s.box->z}) : Json(nullptr);
  rec["radius_of_gyration"] = st.radiusOfGyration;
  rec["solute_extent"] = Json::array({st.soluteExtent.x, st.soluteExtent.y, st.soluteExtent.z});
  rec["mean_neighbors"] = {{"5.1", st.meanNeighborsRadial}, {"3.5", st.meanNeighborsAngular}};
  rec["builder"] = {{"name", s.provenance.builder}, {"parameters", params}};
  rec["seed"] = s.provenance.seed;
  if (!s.provenance.sourceFile.empty()) rec["source_file"] = s.provenance.sourceFile;
  return rec;
}

}  // namespace mlffb
