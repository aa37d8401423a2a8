#pragma once
// The lammps engine: the request's system as a LAMMPS data file, the model and protocol as a
// job file, then `mpirun -np P mlff-bench-lammps job.json` in a work folder; the driver's
// result file becomes the EngineResult (energies per step, LAMMPS's ms/step) and a `lammps`
// section (timing breakdown, processor grid, per-rank owned/ghost atoms and memory, the Eq. 3
// prediction for this grid). Configuration mlff only: an MLFF region inside a classical LAMMPS
// system is not offered (the seed's scaling study runs the whole system with the MLFF).
#include <array>
#include <string>

#include "backends/Engine.hpp"
#include "backends/lammps/LammpsJob.hpp"

namespace mlffb {

struct LammpsSettings {
  std::string mpirun = "mpirun";
  std::string driver;            // mlff-bench-lammps; empty: beside the running executable
  int threadsPerRank = 1;        // OMP_NUM_THREADS of every rank
  std::array<int, 3> grid{0, 0, 0};  // processors; 0: LAMMPS chooses
  bool prune = true;
  bool keepWork = false;
  std::string workRoot;
  static LammpsSettings from(const OptionValues& options);
};

/// The driver program: --lammps-driver, else mlff-bench-lammps beside this executable; empty
/// when there is none.
std::string lammpsDriverPath(const std::string& given);
/// Why the lammps engine cannot run here (no driver built, no mpirun), or empty.
std::string lammpsUnavailableReason(const OptionValues& options);
/// "2x1x1" → {2, 1, 1}; throws std::invalid_argument naming --lammps-grid.
std::array<int, 3> parseGrid(const std::string& text);

class LammpsEngine : public Engine {
 public:
  explicit LammpsEngine(LammpsSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "lammps"; }
  EngineResult run(const EngineRequest& request) override;
  /// One driver run (the tests use it for forces and positions): writes the data and job files
  /// into `dir`, runs `mpirun -np ranks`, returns the result file; throws with the driver's
  /// error line (MdBlowUp when the run blew up).
  lammps::Json runLammpsJob(lammps::Job job, const System& system, int ranks, const std::string& dir) const;

 private:
  LammpsSettings settings_;
};

}  // namespace mlffb
