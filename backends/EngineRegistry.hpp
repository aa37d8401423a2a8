#pragma once
// Engines by name (`run --engine`), registered beside their code (backends/<engine>/). Each
// declares the configurations it runs (mlff, cff, cml), the devices it can drive, whether it
// runs in this process (a live Potential) or another program, its options, and a creator.
#include <functional>
#include <memory>
#include <string>

#include "backends/Engine.hpp"
#include "core/Registry.hpp"

namespace mlffb {

struct EngineEntry : EntryInfo {
  bool inProcess = true;
  /// For an engine that evaluates the model itself from an export (GROMACS NNPot, …): the flavour
  /// whose computation the export reproduces. Its mlff/cml points use that flavour only.
  std::string modelFlavor;
  /// Whether that evaluation is our TorchScript export of the flavour (gromacs: the model needs an
  /// exporter) rather than the package's own model, built by the engine (openmm-ml: TorchANI).
  bool exportsModel = true;
  /// Why this engine cannot run configuration `c` with these engine options on this machine (e.g.
  /// no gmx at --gmx PATH, or a GROMACS without NNPot); empty when it can. When set, the planner
  /// asks it instead of `availability` (which then only describes the default set-up for `list`).
  std::function<std::string(Configuration, const OptionValues&)> unavailableFor;
  /// Engines that spread one system over MPI ranks (`--ranks`); the others run on one.
  bool distributed = false;
  /// Engines that also evaluate single points themselves (`--mode single-point --engine …`).
  bool singlePoint = false;
  std::function<std::unique_ptr<Engine>(const OptionValues&)> create;
};

using EngineRegistry = Registry<EngineEntry>;

/// The entry named `name`; throws std::invalid_argument listing the engines.
const EngineEntry& findEngine(const std::string& name);
/// Creates the engine; throws saying why when it is unavailable.
std::unique_ptr<Engine> createEngine(const std::string& name, const OptionValues& options = {});

}  // namespace mlffb
