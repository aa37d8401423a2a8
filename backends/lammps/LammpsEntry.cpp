// Registers the lammps engine (LammpsEngine.hpp/.cpp), with what it declares: availability, devices,
// precisions, configurations and its options.
#include "backends/EngineRegistry.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "backends/lammps/LammpsEngine.hpp"

namespace mlffb {

namespace {
const Registrar<EngineEntry> kLammpsEntry{[] {
  EngineEntry e;
  e.name = "lammps";
  e.description = "LAMMPS (Debian's liblammps) under mpirun with domain decomposition over --ranks: pair_style mlffb evaluates the model on each "
                  "rank's atoms plus ghosts out to its receptive field; LAMMPS's Pair/Neigh/Comm timings, per-rank ghosts and memory, Eq. 3";
  e.availability = [] {
    const std::string why = lammpsUnavailableReason({});
    return why.empty() ? Availability::yes() : Availability::no(why);
  };
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu};
    c.precisions = {Precision::Float32, Precision::Float64};
    c.configurations = {Configuration::Mlff};
    return c;
  };
  e.unavailableFor = [](Configuration c, const OptionValues& o) -> std::string {
    if (c != Configuration::Mlff) return "the lammps engine runs configuration mlff only (the whole system with the MLFF)";
    return lammpsUnavailableReason(o);
  };
  e.options = {
      OptionSpec::text("mpirun", "mpirun", "MPI launcher of the lammps engine", "mpirun"),
      OptionSpec::file("lammps-driver", "lammps_driver", "the lammps engine's driver program (default: mlff-bench-lammps beside mlff-bench)"),
      OptionSpec::text("lammps-grid", "lammps_grid", "processor grid PxxPyxPz of the lammps engine (default: LAMMPS chooses)"),
      OptionSpec::boolean("lammps-prune", "lammps_prune", "drop ghosts beyond the receptive field before the model sees them (lammps engine)", "true"),
      classical::engineThreadsOption(),
      OptionSpec::boolean("keep-work", "keep_work", "keep the engine's work folder (gromacs, openmm, lammps engines)"),
      OptionSpec::directory("work-dir", "work_dir", "where the engine's work folders go (gromacs, openmm, lammps engines; default: the temp folder)"),
  };
  e.options[4].defaultText = "1 per rank (lammps)";
  e.inProcess = false;
  e.distributed = true;
  e.singlePoint = true;
  e.create = [](const OptionValues& o) { return std::make_unique<LammpsEngine>(LammpsSettings::from(o)); };
  return e;
}()};
}  // namespace

}  // namespace mlffb
