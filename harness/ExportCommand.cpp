// `mlff-bench export`: a model as a TorchScript file for GROMACS NNPot or OpenMM-Torch.
#include "harness/ExportCommand.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

#include "harness/CheckedOptions.hpp"
#include "harness/CommandSupport.hpp"
#include "harness/Plan.hpp"
#include "systems/AtomicFile.hpp"
#include "workloads/torchscript/ModelExport.hpp"

namespace mlffb {
namespace fs = std::filesystem;

void addExportCommand(CLI::App& app) {
  auto options = std::make_shared<OptionValues>();
  auto model = std::make_shared<std::string>();
  auto contract = std::make_shared<std::string>("nnpot");
  auto precision = std::make_shared<std::string>("float32");
  auto seed = std::make_shared<std::uint64_t>(42);
  auto pbc = std::make_shared<std::string>("auto");
  auto frame = std::make_shared<int>(1);
  auto minDistance = std::make_shared<double>(0.5);
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* e = app.add_subcommand(
      "export",
      "Write a model as TorchScript for GROMACS NNPot (forward(positions nm, atomic numbers, box nm, pbc) -> kJ/mol) "
      "or OpenMM-Torch (forward(positions nm[, box nm]) -> kJ/mol, the atoms of --in inside)");
  e->add_option("--model", *model, "Model to export (" + exportableModelList() + ")")->required();
  e->add_option("--contract", *contract, "nnpot (GROMACS 2025+) or openmm-torch (TorchForce) [default: nnpot]");
  e->add_option("--out", *out, "TorchScript file to write")->required();
  e->add_option("--in", *in, "Structure whose atoms the model is for (required by openmm-torch; checked for nnpot)");
  e->add_option("--precision", *precision, "float32 or float64: the dtype the model computes in [default: float32]");
  addChecked(e, seedSpec("Seed of random weights (et; ani2x with --weights random)"), *seed);
  e->add_option("--pbc", *pbc, "openmm-torch: auto (forward takes the box when --in has a cell), on, off");
  addChecked(e, frameSpec(), *frame);
  addChecked(e, minDistanceSpec(), *minDistance);
  e->add_flag("--force", *force, "Replace --out if it exists");
  addCatalogOptions(e, *options, {"model"});
  e->callback([=] {
    ExportRequest rq;
    rq.model = *model;
    rq.contract = usage([&] { return parseExportContract(*contract); }, "--contract");
    rq.options.precision = usage([&] { return parsePrecision(*precision); }, "--precision");
    if (rq.options.precision != Precision::Float32 && rq.options.precision != Precision::Float64)
      throw UsageError("--precision: an export computes in float32 or float64");
    rq.options.seed = *seed;
    rq.options.options = *options;
    // The model's options are those of the entry that declares its exporter (the flavour the
    // export mirrors).
    const ModelEntry entry = usage([&]() -> const ModelEntry& { return exportEntryOf(*model); }, "--model");
    requireDeclaredOptions(entry, rq.options.options);
    const PbcMode pbcMode = usage([&] { return parsePbcMode(*pbc); }, "--pbc");
    if (rq.contract == ExportContract::OpenMMTorch && in->empty())
      throw UsageError("--contract openmm-torch: give the structure the model is for with --in (OpenMM-Torch passes no atomic numbers)");
    if (rq.contract == ExportContract::NNPot && *pbc != "auto")
      throw UsageError("--pbc: the nnpot contract takes the box and pbc flags from GROMACS at run time");
    const auto outFolder = requireOutputPath(*out, *in, *force);
    std::optional<System> atoms;
    if (!in->empty()) {
      atoms = readStructure(*in, *frame, pbcMode, *minDistance);
      rq.atoms = &*atoms;
      rq.periodic = atoms->box.has_value();
    }
    if (!entry.available()) throw std::runtime_error("cannot export " + *model + ": " + entry.availability().reason);
    const bool physical = applyPhysicalDefaults(entry, rq.options.options);
    ExportedModel m;
    try {
      m = exportTorchScript(rq);
    } catch (const std::invalid_argument& err) {
      throw std::runtime_error(std::string("cannot export ") + *model + (in->empty() ? "" : " for " + *in) + ": " + err.what());
    }
    writeFileAtomically(*out, m.bytes);
    Json d = m.description;
    d["file"] = fs::absolute(*out).lexically_normal().string();
    d["bytes"] = m.bytes.size();
    if (rq.contract == ExportContract::NNPot) d["gromacs_mdp"] = nnpotMdp(d["file"].get<std::string>(), "<the MLFF atoms' group>");
    std::cout << d.dump(2) << "\n";
    if (!physical) std::cerr << "mlff-bench: note: " << entry.name << ": " << entry.physicalDefaultsHint << "\n";
    std::cerr << "mlff-bench: wrote " << *out << " (" << *model << ", " << toString(rq.contract) << " contract, "
              << toString(rq.options.precision) << ", weights " << m.description.value("weights", std::string("?")) << ")\n";
  });
}

}  // namespace mlffb
