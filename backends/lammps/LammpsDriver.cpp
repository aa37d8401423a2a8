// mlff-bench-lammps: the program the lammps engine starts under `mpirun -np P`. It links
// Debian's liblammps, registers `pair_style mlffb` (PairMlffb) and `fix mlffb/trace` in
// LAMMPS's style maps (the 20220106 library has no PLUGIN package, but the maps are public),
// drives LAMMPS through its input interface — read_data, minimize, velocity, run — and has
// rank 0 write a JSON result: per-step energies, LAMMPS's own timing breakdown (Pair, Neigh,
// Comm, Output, Modify, Other; min/avg/max over ranks), what each rank evaluated (owned, ghost
// and kept-ghost atoms), its peak memory, and for single points the energy, per-evaluation
// times and optionally every force.
//
//   mlff-bench-lammps JOB.json      (run in the folder that holds the job's files)
#include <mpi.h>
#include <sys/resource.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "fix.h"
#include "force.h"
#include "input.h"
#include "lammps.h"
#include "library.h"
#include "modify.h"
#include "timer.h"
#include "update.h"
#include "backends/MdRecorder.hpp"
#include "backends/lammps/LammpsJob.hpp"
#include "backends/lammps/PairMlffb.hpp"
#include "core/Subprocess.hpp"
#include "core/Units.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb::lammps {
namespace {

constexpr double kKJPerKcal = units::kKJPerKcal;

/// Per step, after the integrator: this rank's owned-atom potential energy (from the pair
/// style) and kinetic energy, summed over ranks, fed to the run's MD recorder on every rank (the
/// same sums everywhere, so every rank stops together); a blow-up the recorder names stops the run
/// with a LAMMPS error carrying its message.
class FixTrace : public LAMMPS_NS::Fix {
 public:
  FixTrace(LAMMPS_NS::LAMMPS* lmp, int narg, char** arg) : Fix(lmp, narg, arg) { nevery = 1; }
  int setmask() override { return LAMMPS_NS::FixConst::END_OF_STEP; }
  void end_of_step() override {
    PairMlffb* pair = PairMlffb::current();
    double local[2] = {pair ? pair->stats().lastEnergyKJPerMol : 0.0, 0.0};
    double** v = atom->v;
    const int* type = atom->type;
    for (int i = 0; i < atom->nlocal; ++i)
      local[1] += 0.5 * atom->mass[type[i]] * (v[i][0] * v[i][0] + v[i][1] * v[i][1] + v[i][2] * v[i][2]);
    local[1] *= force->mvv2e * kKJPerKcal;
    double sum[2];
    MPI_Allreduce(local, sum, 2, MPI_DOUBLE, MPI_SUM, world);
    const double dof = 3.0 * static_cast<double>(atom->natoms) - 3.0;
    const double temp = dof > 0 ? 2 * sum[1] / kKJPerKcal / (dof * force->boltz) : 0.0;
    if (!recorder) error->all(FLERR, std::string("fix mlffb/trace: no MD recorder"));
    try {
      recorder->record({static_cast<long>(update->ntimestep), sum[0], sum[1], temp, {}, {}});
    } catch (const MdBlowUp& e) {
      error->all(FLERR, std::string(e.what()));
    }
  }

  static LAMMPS_NS::Fix* creator(LAMMPS_NS::LAMMPS* lmp, int narg, char** arg) {
    current = new FixTrace(lmp, narg, arg);
    return current;
  }
  static inline FixTrace* current = nullptr;
  MdRecorder* recorder = nullptr;  // the driver's, set after the fix is made
};

std::string num(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

double maxRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

int threadsPerRank() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

class Driver {
 public:
  Driver(const Job& job, MPI_Comm comm) : job_(job), comm_(comm) {
    MPI_Comm_rank(comm, &rank_);
    MPI_Comm_size(comm, &ranks_);
    const char* args[] = {"mlff-bench-lammps", "-log", "log.lammps", "-nocite"};
    lmp_ = std::make_unique<LAMMPS_NS::LAMMPS>(4, const_cast<char**>(args), comm);
    (*lmp_->force->pair_map)["mlffb"] = &PairMlffb::creator;
    (*lmp_->modify->fix_map)["mlffb/trace"] = &FixTrace::creator;
  }

  Json run() {
    setUp();
    Json out = describe();
    if (job_.mode == "single-point")
      out["single_point"] = singlePoints();
    else
      md(out);
    out["per_rank"] = perRank();
    return out;
  }

 private:
  void cmd(const std::string& line) { lmp_->input->one(line); }
  PairMlffb& pair() { return *PairMlffb::current(); }

  void setUp() {
    cmd("units real");
    cmd("atom_style atomic");
    cmd("atom_modify map array");
    cmd(job_.periodic ? "boundary p p p" : "boundary s s s");
    cmd("newton on");
    if (job_.grid[0] > 0) cmd("processors " + std::to_string(job_.grid[0]) + " " + std::to_string(job_.grid[1]) + " " + std::to_string(job_.grid[2]));
    cmd("read_data " + job_.dataPath);
    cmd("neighbor " + num(job_.md.skinAngstrom) + " bin");
    cmd("neigh_modify every 1 delay 0 check yes");
    const PotentialOptions& o = job_.model.options;
    std::string style = "pair_style mlffb " + job_.model.model + " " + o.flavor + " " + toString(o.precision) + " seed " +
                        std::to_string(o.seed) + " device " + o.device.str();
    for (const auto& [k, v] : o.options) style += " " + k + " " + v;
    cmd(style);
    std::string coeff = "pair_coeff * *";
    for (const auto& s : job_.typeSymbols) coeff += " " + s;
    cmd(coeff);
    pair().setPruning(job_.prune);
    // Ghosts out to the receptive field plus the skin (the style checks it again at init).
    receptiveField_ = pair().potential().receptiveField();
    cmd("comm_modify cutoff " + num(receptiveField_ + job_.md.skinAngstrom + 1e-6));
    cmd("thermo_style custom step pe ke temp fmax");
    cmd("thermo 0");
    cmd("timestep " + num(job_.md.timestepFs));
  }

  Json describe() {
    Json d;
    d["ranks"] = ranks_;
    d["threads_per_rank"] = threadsPerRank();
    d["atoms"] = static_cast<long>(lmp_->atom->natoms);
    d["receptive_field_angstrom"] = receptiveField_;
    d["skin_angstrom"] = job_.md.skinAngstrom;
    d["lammps_version"] = lmp_->version;
    return d;
  }

  /// After the first setup: the processor grid and box LAMMPS chose.
  void geometry(Json& d) {
    d["grid"] = {lmp_->comm->procgrid[0], lmp_->comm->procgrid[1], lmp_->comm->procgrid[2]};
    d["box_angstrom"] = {lmp_->domain->prd[0], lmp_->domain->prd[1], lmp_->domain->prd[2]};
    d["ghost_cutoff_angstrom"] = lmp_->comm->cutghostuser;
  }

  double reducedEnergy() {
    double e = pair().stats().lastEnergyKJPerMol, sum = 0;
    MPI_Allreduce(&e, &sum, 1, MPI_DOUBLE, MPI_SUM, comm_);
    return sum;
  }

  Json singlePoints() {
    Json sp;
    std::vector<double> ms;
    for (int r = 0; r < job_.warmup + job_.repeat; ++r) {
      MPI_Barrier(comm_);
      const double t0 = MPI_Wtime();
      cmd("run 0 post no");
      MPI_Barrier(comm_);
      if (r >= job_.warmup) ms.push_back((MPI_Wtime() - t0) * 1e3);
    }
    sp["energy_kj_mol"] = reducedEnergy();
    sp["evaluation_ms"] = ms;
    geometry(sp);
    if (job_.writeForces) {
      const long n = static_cast<long>(lmp_->atom->natoms);
      std::vector<double> f(3 * n);
      lammps_gather_atoms(lmp_.get(), const_cast<char*>("f"), 1, 3, f.data());
      for (auto& v : f) v *= kKJPerKcal;
      sp["forces_kj_mol_a"] = f;
    }
    return sp;
  }

  void md(Json& out) {
    const MdOptions& m = job_.md;
    Json mini;
    cmd("run 0 post no");
    mini["initial_energy_kj_mol"] = lammps_get_thermo(lmp_.get(), "pe") * kKJPerKcal;
    if (m.minimizeSteps > 0) {
      cmd("min_style cg");
      cmd("min_modify norm max");
      cmd("minimize 0 " + num(m.minimizeToleranceKJPerMolA / kKJPerKcal) + " " + std::to_string(m.minimizeSteps) + " " +
          std::to_string(10 * m.minimizeSteps));
    }
    mini["steps"] = static_cast<long>(lmp_->update->ntimestep);
    mini["final_energy_kj_mol"] = lammps_get_thermo(lmp_.get(), "pe") * kKJPerKcal;
    mini["final_max_force"] = lammps_get_thermo(lmp_.get(), "fmax") * kKJPerKcal;
    mini["norm"] = "max |F| over atoms (min_modify norm max)";
    out["minimization"] = mini;
    cmd("reset_timestep 0");
    cmd("velocity all create " + num(m.temperatureK) + " " + std::to_string(m.seed % 900000000 + 1) + " loop all dist gaussian mom yes rot no");
    cmd("fix integrate all nve");
    if (m.integrator == Integrator::Langevin)
      cmd("fix thermostat all langevin " + num(m.temperatureK) + " " + num(m.temperatureK) + " " + num(1000.0 / m.frictionPerPs) + " " +
          std::to_string(m.seed % 900000000 + 7) + " zero yes");
    MdOptions recorded = m;
    if (rank_ != 0) recorded.tracePath.clear();  // one rank writes the trace
    MdRecorder recorder(recorded);
    cmd("fix trace all mlffb/trace");
    FixTrace::current->recorder = &recorder;
    if (m.warmupSteps > 0) cmd("run " + std::to_string(m.warmupSteps) + " post no");
    pair().resetStats();
    cmd("run " + std::to_string(m.steps));
    geometry(out);
    EngineResult samples;  // the production steps (the recorder leaves the warm-up out)
    recorder.finish(samples);
    FixTrace::current->recorder = nullptr;
    out["trace"] = {{"time_ps", samples.timePs},
                    {"potential_kj_mol", samples.potentialKJPerMol},
                    {"kinetic_kj_mol", samples.kineticKJPerMol},
                    {"temperature_k", samples.temperatureK}};
    out["timing"] = timing(m.steps);
    if (job_.writePositions) {
      const long n = static_cast<long>(lmp_->atom->natoms);
      std::vector<double> x(3 * n);
      lammps_gather_atoms(lmp_.get(), const_cast<char*>("x"), 1, 3, x.data());
      out["positions_angstrom"] = x;
    }
  }

  /// LAMMPS's own breakdown of the last run, as its Finish prints it: min/avg/max over ranks.
  Json timing(int steps) {
    using T = LAMMPS_NS::Timer;
    const std::pair<const char*, T::ttype> parts[] = {{"Pair", T::PAIR}, {"Neigh", T::NEIGH}, {"Comm", T::COMM},
                                                      {"Output", T::OUTPUT}, {"Modify", T::MODIFY}};
    Json t;
    auto stats = [&](double v) {
      double mn, mx, sum;
      MPI_Allreduce(&v, &mn, 1, MPI_DOUBLE, MPI_MIN, comm_);
      MPI_Allreduce(&v, &mx, 1, MPI_DOUBLE, MPI_MAX, comm_);
      MPI_Allreduce(&v, &sum, 1, MPI_DOUBLE, MPI_SUM, comm_);
      return std::array<double, 3>{mn, sum / ranks_, mx};
    };
    const double loop = stats(lmp_->timer->get_wall(T::TOTAL))[1];
    t["loop_s"] = loop;
    t["steps"] = steps;
    t["ms_per_step"] = steps > 0 ? loop / steps * 1e3 : 0.0;
    Json b = Json::object();
    double accounted = 0;
    for (const auto& [name, which] : parts) {
      const double mine = lmp_->timer->get_wall(which);
      accounted += mine;
      const auto s = stats(mine);
      b[name] = {{"min_s", s[0]}, {"avg_s", s[1]}, {"max_s", s[2]}, {"percent", loop > 0 ? 100 * s[1] / loop : 0.0}};
    }
    const auto other = stats(lmp_->timer->get_wall(T::TOTAL) - accounted);
    b["Other"] = {{"min_s", other[0]}, {"avg_s", other[1]}, {"max_s", other[2]}, {"percent", loop > 0 ? 100 * other[1] / loop : 0.0}};
    t["breakdown"] = b;
    const double ns = steps * job_.md.timestepFs * 1e-6;
    t["ns_per_day"] = loop > 0 ? ns / loop * 86400 : 0.0;
    t["atom_steps_per_s"] = loop > 0 ? static_cast<double>(lmp_->atom->natoms) * steps / loop : 0.0;
    return t;
  }

  Json perRank() {
    const PairStats& s = pair().stats();
    const double ev = std::max<double>(1, s.evaluations);
    const int kFields = 8;
    const double mine[kFields] = {s.ownedSum / ev, s.ghostSum / ev, s.keptGhostSum / ev, s.modelSeconds, s.bindSeconds,
                                  static_cast<double>(s.binds), static_cast<double>(s.evaluations), maxRssMiB()};
    std::vector<double> all(static_cast<size_t>(kFields) * ranks_);
    MPI_Gather(mine, kFields, MPI_DOUBLE, all.data(), kFields, MPI_DOUBLE, 0, comm_);
    Json r = Json::array();
    for (int p = 0; p < ranks_; ++p) {
      const double* v = all.data() + static_cast<size_t>(p) * kFields;
      const double evaluated = v[0] + v[2];
      r.push_back({{"rank", p},
                   {"owned_atoms", v[0]},
                   {"ghost_atoms", v[1]},
                   {"evaluated_ghost_atoms", v[2]},
                   {"ghost_fraction", evaluated > 0 ? v[2] / evaluated : 0.0},
                   {"model_s", v[3]},
                   {"rebind_s", v[4]},
                   {"rebinds", v[5]},
                   {"evaluations", v[6]},
                   {"max_rss_mib", v[7]}});
    }
    return r;
  }

  Job job_;
  MPI_Comm comm_;
  int rank_ = 0, ranks_ = 1;
  double receptiveField_ = 0;
  std::unique_ptr<LAMMPS_NS::LAMMPS> lmp_;
};

}  // namespace
}  // namespace mlffb::lammps

int main(int argc, char** argv) {
  mlffb::dieWithParentIfAsked();  // mpirun starts the ranks in their own process groups: they die with it
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc != 2) {
    if (rank == 0) std::fprintf(stderr, "usage: mlff-bench-lammps JOB.json\n");
    MPI_Finalize();
    return 2;
  }
  int code = 0;
  try {
    const auto job = mlffb::lammps::Job::fromJson(mlffb::lammps::Json::parse(mlffb::readFile(argv[1])));
    mlffb::lammps::Json result;
    {
      mlffb::lammps::Driver driver(job, MPI_COMM_WORLD);
      result = driver.run();
    }
    if (rank == 0) mlffb::writeFileAtomically(job.resultPath, result.dump() + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlff-bench-lammps: %s: %s\n", argv[1], e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return code;
}
