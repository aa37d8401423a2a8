#include "backends/lammps/PairMlffb.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neighbor.h"
#include "core/Units.hpp"
#include "systems/Element.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb::lammps {
namespace {
PairMlffb* gCurrent = nullptr;
constexpr double kKcalPerKJ = 1.0 / units::kKJPerKcal;  // units real: kcal/mol
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
/// Why a potential cannot evaluate a subdomain: its setSubdomain's own refusal (a TorchScript
/// file's names the file and what it lacks; the default names the model and flavour).
std::string subdomainRefusal(Potential& p) {
  try {
    p.setSubdomain(System{}, 0);
  } catch (const std::exception& e) {
    return e.what();
  }
  return p.model() + "/" + p.flavor() + " cannot evaluate a subdomain (owned + ghost atoms)";
}
}  // namespace

PairMlffb::PairMlffb(LAMMPS_NS::LAMMPS* lmp) : Pair(lmp) {
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  gCurrent = this;
}

PairMlffb::~PairMlffb() {
  if (gCurrent == this) gCurrent = nullptr;
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

LAMMPS_NS::Pair* PairMlffb::creator(LAMMPS_NS::LAMMPS* lmp) { return new PairMlffb(lmp); }
PairMlffb* PairMlffb::current() { return gCurrent; }

void PairMlffb::allocate() {
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  for (int i = 1; i <= n; ++i)
    for (int j = i; j <= n; ++j) setflag[i][j] = 0;
}

void PairMlffb::settings(int narg, char** arg) {
  if (narg < 3 || (narg - 3) % 2 != 0)
    error->all(FLERR, std::string("pair_style mlffb: expected MODEL FLAVOR PRECISION [key value ...]"));
  PotentialOptions o;
  o.flavor = arg[1];
  try {
    o.precision = parsePrecision(arg[2]);
    for (int k = 3; k < narg; k += 2) {
      const std::string key = arg[k];
      if (key == "seed")
        o.seed = std::stoull(arg[k + 1]);
      else if (key == "device")
        o.device = Device::parse(arg[k + 1]);
      else
        o.options[key] = arg[k + 1];
    }
    checkModelOptions(findModel(arg[0], o.flavor), o.options);
    potential_ = createPotential(arg[0], o);
  } catch (const std::exception& e) {
    error->all(FLERR, std::string("pair_style mlffb: ") + e.what());
  }
  if (!potential_->supportsSubdomain())
    error->all(FLERR, "pair_style mlffb: " + subdomainRefusal(*potential_) +
                          "; use a flavour that can (e.g. ani2x/native, et/torch, a TorchScript file with the subdomain contract)");
  receptiveField_ = potential_->receptiveField();
}

void PairMlffb::coeff(int narg, char** arg) {
  if (!allocated) allocate();
  const int n = atom->ntypes;
  if (narg != 2 + n || std::string(arg[0]) != "*" || std::string(arg[1]) != "*")
    error->all(FLERR, "pair_coeff for mlffb: expected * * followed by one element symbol per atom type (" + std::to_string(n) + ")");
  typeElement_.assign(n + 1, 0);
  for (int t = 1; t <= n; ++t) {
    typeElement_[t] = elementFromSymbol(arg[1 + t]);
    if (typeElement_[t] == 0) error->all(FLERR, std::string("pair_coeff for mlffb: unknown element '") + arg[1 + t] + "'");
  }
  for (int i = 1; i <= n; ++i)
    for (int j = i; j <= n; ++j) setflag[i][j] = 1;
}

void PairMlffb::init_style() {
  if (!potential_) error->all(FLERR, std::string("pair_style mlffb: no model (pair_style line missing)"));
  if (force->newton_pair == 0) error->all(FLERR, std::string("pair_style mlffb requires newton pair on (ghost forces go back to their owners)"));
  // The ghost shell must cover the receptive field plus the skin (atoms move up to skin/2 each
  // between reneighbourings): init_one() reports the receptive field as this style's cutoff, so
  // LAMMPS's ghost cutoff (cutoff + skin, or a larger comm_modify cutoff) always does.
  // No LAMMPS neighbour list: the model finds neighbours itself among owned and ghost atoms.
  lastBindStep_ = -1;
}

double PairMlffb::init_one(int, int) {
  // The largest cutoff LAMMPS knows for this style: the receptive field, so that its default
  // ghost cutoff (cutoff + skin) is already enough.
  return receptiveField_;
}

/// Owned atoms first, then the ghosts within the receptive field + skin of this rank's subdomain
/// (all ghosts when pruning is off or the box is triclinic), as the model's subdomain system.
void PairMlffb::bindSubdomain() {
  const auto t0 = Clock::now();
  const int nlocal = atom->nlocal, nall = atom->nlocal + atom->nghost;
  double** x = atom->x;
  const int* type = atom->type;
  kept_.clear();
  for (int i = 0; i < nlocal; ++i) kept_.push_back(i);
  const double reach = receptiveField_ + neighbor->skin;
  const bool prune = prune_ && !domain->triclinic;
  for (int i = nlocal; i < nall; ++i) {
    if (prune) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) {
        const double lo = domain->sublo[k] - x[i][k], hi = x[i][k] - domain->subhi[k];
        const double out = std::max({lo, hi, 0.0});
        d2 += out * out;
      }
      if (d2 > reach * reach) continue;
    }
    kept_.push_back(i);
  }
  keptOwned_ = nlocal;
  System s;
  s.atoms.resize(kept_.size());
  s.positions.resize(kept_.size());
  for (size_t q = 0; q < kept_.size(); ++q) {
    const int i = kept_[q];
    s.atoms[q].element = typeElement_[type[i]];
    s.positions[q] = {x[i][0], x[i][1], x[i][2]};
  }
  try {
    potential_->setSubdomain(s, static_cast<size_t>(nlocal));
  } catch (const std::exception& e) {
    error->one(FLERR, std::string("pair_style mlffb: ") + e.what());
  }
  lastBindStep_ = neighbor->ncalls;
  lastNall_ = nall;
  ++stats_.binds;
  stats_.bindSeconds += since(t0);
}

void PairMlffb::compute(int eflag, int vflag) {
  ev_init(eflag, vflag);
  // Ghosts are exchanged (and atoms migrate) only when LAMMPS rebuilds its neighbour
  // information; in between the same atoms move, so the subdomain is rebound only then.
  if (neighbor->ncalls != lastBindStep_ || atom->nlocal + atom->nghost != lastNall_ || keptOwned_ != atom->nlocal) bindSubdomain();
  double** x = atom->x;
  double** f = atom->f;
  positions_.resize(kept_.size());
  for (size_t q = 0; q < kept_.size(); ++q) positions_[q] = {x[kept_[q]][0], x[kept_[q]][1], x[kept_[q]][2]};
  const auto t0 = Clock::now();
  EnergyForces ef;
  try {
    ef = potential_->compute(positions_, std::nullopt, true);
  } catch (const std::exception& e) {
    error->one(FLERR, std::string("pair_style mlffb: ") + e.what());
  }
  stats_.modelSeconds += since(t0);
  if (!std::isfinite(ef.energy)) error->one(FLERR, std::string("pair_style mlffb: the model returned a non-finite energy"));
  for (size_t q = 0; q < kept_.size(); ++q) {
    const Vec3& g = ef.forces[q];
    if (!std::isfinite(g.x) || !std::isfinite(g.y) || !std::isfinite(g.z))
      error->one(FLERR, "pair_style mlffb: non-finite force on atom " + std::to_string(atom->tag[kept_[q]]));
    f[kept_[q]][0] += g.x * kKcalPerKJ;
    f[kept_[q]][1] += g.y * kKcalPerKJ;
    f[kept_[q]][2] += g.z * kKcalPerKJ;
  }
  if (eflag_global) eng_vdwl += ef.energy * kKcalPerKJ;
  stats_.lastEnergyKJPerMol = ef.energy;
  ++stats_.evaluations;
  stats_.ownedSum += keptOwned_;
  stats_.ghostSum += atom->nghost;
  stats_.keptGhostSum += static_cast<double>(kept_.size()) - keptOwned_;
  if (vflag_fdotr) virial_fdotr_compute();
}

}  // namespace mlffb::lammps
