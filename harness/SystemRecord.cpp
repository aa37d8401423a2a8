#include "harness/SystemRecord.hpp"

#include <iostream>

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
  if (s.box) {
    const Box& b = *s.box;
    const Vec3 l = b.lengths(), g = b.anglesDeg();
    rec["box"] = {{"vectors", {{b.a.x, b.a.y, b.a.z}, {b.b.x, b.b.y, b.b.z}, {b.c.x, b.c.y, b.c.z}}},
                  {"lengths", {l.x, l.y, l.z}},
                  {"angles", {g.x, g.y, g.z}},
                  {"triclinic", !b.isOrthorhombic()}};
  } else {
    rec["box"] = nullptr;
  }
  rec["radius_of_gyration"] = st.radiusOfGyration;
  rec["solute_extent"] = Json::array({st.soluteExtent.x, st.soluteExtent.y, st.soluteExtent.z});
  rec["mean_neighbors"] = {{"5.1", st.meanNeighborsRadial}, {"3.5", st.meanNeighborsAngular}};
  rec["builder"] = {{"name", s.provenance.builder}, {"parameters", params}};
  rec["seed"] = s.provenance.seed;
  if (!s.provenance.sourceFile.empty()) rec["source_file"] = s.provenance.sourceFile;
  return rec;
}

void printReadNotes(const System& s) {
  std::string dropped, models, frame;
  for (const auto& [k, v] : s.provenance.parameters) {
    if (k == "alternate_locations_dropped") dropped = v;
    if (k == "models_in_file") models = v;
    if (k == "frame") frame = v;
  }
  const std::string file = s.provenance.sourceFile;
  if (!dropped.empty())
    std::cerr << "mlff-bench: note: " << file << ": kept the first alternate location of each residue, dropped " << dropped
              << " atom records of other locations\n";
  if (!models.empty()) std::cerr << "mlff-bench: note: " << file << ": read MODEL " << frame << " of " << models << "\n";
}

}  // namespace mlffb
