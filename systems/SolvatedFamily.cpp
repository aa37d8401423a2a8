// The `solvated` system family: chemtrain-deploy's replicated solvated protein. The 10-residue
// poly-alanine slice (the size of Chignolin) solvated with 1 nm of water (Solvator), its box
// replicated on the near-cubic grid of about size / atoms-per-box copies.
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Solvator.hpp"
#include "systems/SystemFamily.hpp"

namespace mlffb {
namespace {

/// The residues of the poly-alanine slice whose solvated box the copies replicate.
constexpr int kSolvatedSliceResidues = 10;

System buildSolvatedReplicas(const FamilyPoint& p) {
  PolyAlanineOptions o;
  o.seed = p.seed;
  SolvationOptions so;
  so.seed = p.seed;
  const System box = Solvator(so).solvate(PolyAlanineBuilder(o).build(kSolvatedSliceResidues));
  const auto grid = replicaGrid(static_cast<double>(p.size) / static_cast<double>(box.size()));
  System s = replicate(box, grid[0], grid[1], grid[2]);
  s.provenance.builder = "solvated-replicas";
  for (auto& [k, v] : s.provenance.parameters)
    if (k == "residues") k = "slice_residues";  // the record counts the copies' residues
  s.provenance.parameters.emplace_back("requested_atoms", std::to_string(p.size));
  return s;
}

SystemFamilyEntry solvatedFamily() {
  SystemFamilyEntry e;
  e.name = "solvated";
  e.description = "replicated boxes of a 10-residue poly-alanine slice solvated with 1 nm of water";
  e.sizeUnit = "atoms";
  e.sizeHelp = "about so many atoms of a replicated solvated poly-alanine box";
  e.sizeField = "requested_atoms";
  e.build = buildSolvatedReplicas;
  return e;
}

const Registrar<SystemFamilyEntry> kSolvatedFamily{solvatedFamily()};

}  // namespace
}  // namespace mlffb
