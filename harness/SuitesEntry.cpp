// Registers the built-in suites: De Alwis et al.'s poly-alanine slices (single point and MD), MD
// only, the implementations of one model side by side (ours and the packages'), the models' cost
// profiles, the random workloads of controlled neighbourhood size, the largest systems (max-atoms)
// and the LAMMPS strong and weak scaling of local against message-passing models.
#include <algorithm>
#include <stdexcept>
#include <thread>

#include "harness/Suites.hpp"
#include "systems/RandomSystemBuilder.hpp"

namespace mlffb {

namespace {

SuiteEntry polyala() {
  SuiteEntry e;
  e.name = "polyala";
  e.description = "folded poly-alanine slices 10..100 (step 10), 200..1000 (step 100): single-point stages and MD";
  e.spec.sizes = polyalaSizes();
  e.spec.modes = {"single-point", "md"};
  e.spec.quickSizes = {10, 50, 100};
  e.spec.quickMdSizes = {10};
  return e;
}

const Registrar<SuiteEntry> kPolyala{polyala()};

const Registrar<SuiteEntry> kPolyalaMd{[] {
  SuiteEntry e = polyala();
  e.name = "polyala-md";
  e.description = "poly-alanine slices through MD engines: minimise, then 1000 steps of 0.5 fs (ns/day); MLFFsys (native, OpenMM, "
                  "openmm-ml, GROMACS NNPot), CMLsys (OpenMM, openmm-ml, GROMACS NNPot) and CFFsys (OpenMM, GROMACS): De Alwis et al.'s Figs. 11-12";
  e.spec.modes = {"md"};
  e.spec.engines = {"native", "openmm", "openmm-ml", "gromacs"};
  e.spec.configurations = {"mlff", "cml", "cff"};
  return e;
}()};

const Registrar<SuiteEntry> kImplementations{[] {
  SuiteEntry e = polyala();
  e.name = "implementations";
  e.description = "which implementation of one model is fastest at which size: ANI-2x native / torch / TorchANI and ET ours / "
                  "TorchMD-Net on the poly-alanine slices, single point and MD; the report's figure plots time per call "
                  "against atoms for each and names the sizes where the fastest changes";
  e.spec.peers = true;
  return e;
}()};

const Registrar<SuiteEntry> kNeighbors{[] {
  SuiteEntry e;
  e.name = "neighbors";
  e.description = "random workloads of 5000 atoms with 10..100 neighbours within 5.1 Å (De Alwis et al.'s Figs. 4 and 8)";
  e.spec.systems = {"random"};
  e.spec.sizes = {5000};
  e.spec.quickSizes = {2000};
  for (int m = 10; m <= 100; m += 10) e.spec.neighbors.push_back(m);
  e.spec.quickNeighbors = {10, 50, 100};
  return e;
}()};

const Registrar<SuiteEntry> kMaxAtoms{[] {
  SuiteEntry e;
  e.name = "max-atoms";
  e.description = "the largest system each flavour evaluates (energy + forces) on each GPU, of two kinds: random at water's "
                  "density (55 neighbours within 5.1 Å) and a solvated 10-residue poly-alanine slice's box replicated; sizes "
                  "double from 1000 atoms, then bisect; each probe in its own worker, so running out of memory is a result "
                  "(Fuchs et al.'s chemtrain-deploy, Table 2)";
  e.spec.systems = {"random", "solvated"};
  e.spec.sizes = {1000};
  e.spec.neighbors = {kWaterNeighbors};
  e.spec.models = SuiteSpec::everyModel();
  e.spec.devices = {"cuda"};
  e.spec.repeat = 1;
  e.spec.adaptive = false;
  e.spec.warmup = 0;
  e.spec.sizeSearch = true;
  e.spec.searchLimit = 64000000;
  e.spec.quickSearchLimit = 16000;
  return e;
}()};

const Registrar<SuiteEntry> kModelCosts{[] {
  SuiteEntry e;
  e.name = "model-costs";
  e.description = "where each model's time goes: ANI-2x, ET, TensorNet and MACE on poly-alanine slices of 100 and 1000 residues, "
                  "single point, stage times and a torch-ops pass (operator self times, GEMM FLOPs and bytes per atom from the "
                  "operands' shapes); the report's model_costs table";
  e.spec.sizes = {100, 1000};
  e.spec.quickSizes = {10, 100};
  e.spec.models = SuiteSpec::everyModel();
  e.spec.profile = {"torch-ops"};
  e.spec.repeat = 3;
  // TorchScript's profiling executor specialises a file's graph over its first calls (MACE's first
  // three are several times slower): they are warm-up, not the model's cost.
  e.spec.warmup = 3;
  return e;
}()};

/// 1, 2, 4, … up to the cores of this machine (and the cores themselves when not a power of two).
std::vector<int> rankCounts() {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int> r;
  for (int p = 1; p <= cores; p *= 2) r.push_back(p);
  if (r.back() != cores) r.push_back(cores);
  return r;
}

/// chemtrain-deploy's model comparison (its Figs. 2-4, Eq. 3): a strictly local model against
/// message-passing ones, whose ghost shells are as deep as their receptive fields, on water and on
/// the replicated solvated slice.
SuiteEntry scaling(const std::string& name, bool weak) {
  SuiteEntry e;
  e.name = name;
  e.spec.systems = {"water", "solvated"};
  e.spec.models = SuiteSpec::everyModel();
  e.spec.engines = {"lammps"};
  e.spec.modes = {"md"};
  e.spec.ranks = rankCounts();
  e.spec.weakScaling = weak;
  e.spec.mdSteps = 50;
  e.spec.mdWarmupSteps = 5;
  e.spec.minimizeSteps = 50;  // the lattice-built water only needs its worst contacts relaxed
  e.spec.quickMinimizeSteps = 0;
  return e;
}

const Registrar<SuiteEntry> kStrong{[] {
  SuiteEntry e = scaling("strong-scaling", false);
  e.description = "ANI-2x (local) against ET, TensorNet and MACE (message passing) through LAMMPS over 1, 2, 4, … ranks up to the "
                  "cores, on one water box (3334 molecules, 10k atoms) and one replicated solvated slice (10k atoms): speed-up and "
                  "parallel efficiency against Eq. 3 with each model's receptive field (Fuchs et al.'s chemtrain-deploy, Figs. 2-4)";
  e.spec.sizes = {3334};
  e.spec.familySizes = {{"solvated", {10000}}};
  e.spec.quickSizes = {1000};
  e.spec.quickFamilySizes = {{"solvated", {3000}}};
  return e;
}()};

const Registrar<SuiteEntry> kWeak{[] {
  SuiteEntry e = scaling("weak-scaling", true);
  e.description = "ANI-2x, ET, TensorNet and MACE through LAMMPS on water (1000 molecules per rank) and replicated solvated slices "
                  "(3000 atoms per rank) over 1, 2, 4, … ranks up to the cores (size × ranks): time per step and efficiency against Eq. 3";
  e.spec.sizes = {1000};
  e.spec.familySizes = {{"solvated", {3000}}};
  e.spec.quickSizes = {300};
  e.spec.quickFamilySizes = {{"solvated", {900}}};
  return e;
}()};

}  // namespace
}  // namespace mlffb
