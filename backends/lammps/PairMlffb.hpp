#pragma once
// `pair_style mlffb`: any mlff-bench Potential as a LAMMPS pair style, with LAMMPS's domain
// decomposition (the pair_allegro / chemtrain-deploy pattern, `newton on`):
//
//   pair_style mlffb MODEL FLAVOR PRECISION [key value …]   e.g. mlffb ani2x native float64 weights /m/ani-2x_8x
//   pair_coeff * * H C N O                                  element of each atom type
//
// Each rank evaluates its own atoms plus the ghosts LAMMPS sends it (the ghost shell must reach
// the model's receptive field T·R: `comm_modify cutoff` ≥ T·R + skin, checked at init). Ghosts
// farther than T·R + skin from the rank's subdomain are pruned once per reneighbouring (they
// cannot reach an owned atom before the next one). The model returns the owned atoms' energies
// and forces on owned and ghost atoms; LAMMPS sums the ghost forces back onto their owners.
// Debian's liblammps-dev ships no neigh_request.h, so the style asks for no LAMMPS neighbour
// list: the model searches neighbours itself over owned + kept ghosts.
//
// The style is plain LAMMPS code: a user's own LAMMPS build takes it by compiling this file
// with the LAMMPS sources (or registering `PairMlffb::creator` in `force->pair_map`, as
// mlff-bench-lammps does) and linking the mlff-bench workload libraries.
#include <memory>
#include <string>
#include <vector>

#include "pair.h"
#include "workloads/Potential.hpp"

namespace mlffb::lammps {

/// What one rank's pair style saw, for the report.
struct PairStats {
  long evaluations = 0;
  long binds = 0;                 // reneighbourings (subdomain rebinds)
  double ownedSum = 0, ghostSum = 0, keptGhostSum = 0;  // summed over evaluations
  double modelSeconds = 0;        // inside Potential::compute
  double bindSeconds = 0;         // pruning and setSubdomain
  double lastEnergyKJPerMol = 0;  // this rank's owned atoms
};

class PairMlffb : public LAMMPS_NS::Pair {
 public:
  explicit PairMlffb(LAMMPS_NS::LAMMPS* lmp);
  ~PairMlffb() override;
  void compute(int eflag, int vflag) override;
  void settings(int narg, char** arg) override;
  void coeff(int narg, char** arg) override;
  void init_style() override;
  double init_one(int i, int j) override;

  static LAMMPS_NS::Pair* creator(LAMMPS_NS::LAMMPS* lmp);
  /// The style of the running LAMMPS instance (the driver reads its statistics).
  static PairMlffb* current();

  const PairStats& stats() const { return stats_; }
  void resetStats() { stats_ = {}; }
  Potential& potential() { return *potential_; }
  /// Whether ghosts beyond the receptive field are dropped before evaluation (default on).
  void setPruning(bool on) { prune_ = on; }

 private:
  void allocate();
  void bindSubdomain();

  std::unique_ptr<Potential> potential_;
  std::vector<int> typeElement_;  // atomic number per LAMMPS type (1-based)
  std::vector<int> kept_;         // LAMMPS indices evaluated: owned first, then kept ghosts
  int keptOwned_ = 0;
  long lastBindStep_ = -1;
  int lastNall_ = -1;
  bool prune_ = true;
  double receptiveField_ = 0;
  std::vector<Vec3> positions_;
  PairStats stats_;
};

}  // namespace mlffb::lammps
