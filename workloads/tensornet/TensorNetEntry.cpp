// Registry entry of TensorNet (TorchMD-Net's most used model): TorchMD-Net 3.1's own, evaluated in
// the Python worker with a published preset (the TorchMD-Net repository's example configurations,
// scripts/peers/mlffb_peers.py TENSORNET_PRESETS), or one with its sizes changed (--tensornet-channels,
// -layers, -rbf, -cutoff), and TorchMD-Net's random initialisation from --seed.
#include "workloads/ModelRegistry.hpp"
#include "workloads/python/PythonWorkerPotential.hpp"

namespace mlffb {
namespace {

const Registrar<ModelEntry> kTensorNetTorchmdNet{[] {
  ModelEntry e;
  e.name = "tensornet/torchmd-net";
  e.model = "tensornet";
  e.flavor = "torchmd-net";
  e.peer = "TorchMD-Net";
  e.description = "TorchMD-Net 3.1's TensorNet in a Python worker: a published preset, random weights from --seed";
  e.availability = [] { return pythonModulesAvailability({"torch", "torchmdnet"}); };
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu, DeviceKind::Cuda};  // the worker's PyTorch decides
    return c;
  };
  e.options = {
      OptionSpec::choice("tensornet-preset", "tensornet_preset", "TensorNet preset (TorchMD-Net's example configurations)",
                         {"ani1x", "ani2x", "spice"}, "ani1x"),
      OptionSpec::integer("tensornet-max-neighbors", "tensornet_max_neighbors", "TensorNet max_num_neighbors", 1, 100000, "128"),
      OptionSpec::integer("tensornet-channels", "tensornet_channels", "TensorNet embedding_dimension, over the preset's", 1, 4096, "the preset's"),
      OptionSpec::integer("tensornet-layers", "tensornet_layers", "TensorNet num_layers, over the preset's", 0, 64, "the preset's"),
      OptionSpec::integer("tensornet-rbf", "tensornet_rbf", "TensorNet num_rbf, over the preset's", 1, 1024, "the preset's"),
      OptionSpec::positive("tensornet-cutoff", "tensornet_cutoff", "TensorNet cutoff_upper (Å), over the preset's", 100, "the preset's"),
  };
  e.subdomain = true;  // the worker sums the owned atoms' energies (peer_worker.py's 'D' request)
  e.create = [](const std::string&, const PotentialOptions& o) -> std::unique_ptr<Potential> {
    nlohmann::ordered_json w{{"model", "tensornet"},
                             {"seed", o.seed},
                             {"preset", optionText(o.options, "tensornet_preset", "ani1x")},
                             {"max_num_neighbors", optionInt(o.options, "tensornet_max_neighbors", 128)},
                             {"overrides", nlohmann::ordered_json::object()}};
    for (const auto& [option, key] : {std::pair{"tensornet_channels", "embedding_dimension"}, {"tensornet_layers", "num_layers"}, {"tensornet_rbf", "num_rbf"}})
      if (o.options.count(option)) w["overrides"][key] = optionInt(o.options, option, 0);
    if (o.options.count("tensornet_cutoff")) w["overrides"]["cutoff_upper"] = optionDouble(o.options, "tensornet_cutoff", 0);
    return std::make_unique<PythonWorkerPotential>(PythonWorkerSpec{"tensornet", "torchmd-net", w, o, {}});
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb
