// Registry entries of the TorchMD-Net Equivariant Transformer: the torch flavour (its hyper-parameter
// options, the GEMM that stands for its network work, its float64 loop reference and its export)
// and its peer, TorchMD-Net's own ET on the same weights in the Python worker.
#include "workloads/ModelRegistry.hpp"
#include "workloads/python/PythonWorkerPotential.hpp"
#include "workloads/torch/TorchSupport.hpp"
#include "workloads/torchscript/ModelExport.hpp"
#include "workloads/torchmd_et/EtExport.hpp"
#include "workloads/torchmd_et/EtModel.hpp"
#include "workloads/torchmd_et/EtReference.hpp"
#include "workloads/torchmd_et/EtTorch.hpp"

namespace mlffb::et {
namespace {

/// The hyper-parameter options every ET flavour takes.
std::vector<OptionSpec> etOptions() {
  return {
      OptionSpec::choice("preset", "preset", "ET preset", {"ani1", "md17", "qm9", "spice"}, "ani1"),
      OptionSpec::integer("hidden-channels", "hidden_channels", "ET hidden channels (overrides the preset)", 2, 4096),
      OptionSpec::integer("num-layers", "num_layers", "ET attention layers", 1, 64),
      OptionSpec::integer("num-rbf", "num_rbf", "ET radial basis functions", 1, 1024),
      OptionSpec::integer("num-heads", "num_heads", "ET attention heads", 1, 256),
      OptionSpec::real("cutoff", "cutoff", "ET upper cutoff, Å", 0.5, 50),
      OptionSpec::integer("max-neighbors", "max_neighbors", "ET max_num_neighbors (exceeding it is an error)", 1, 100000),
      OptionSpec::boolean("vector-cutoff", "vector_cutoff", "ET: apply the cutoff to the vector messages", "true"),
  };
}

const Registrar<ModelEntry> kTorch{[] {
  ModelEntry e;
  e.name = "et/torch";
  e.model = "et";
  e.flavor = "torch";
  e.subdomain = true;
  e.description = "TorchMD-Net Equivariant Transformer: LibTorch operator by operator, forces by autograd (random weights from --seed)";
  e.availability = torchAvailability;
  e.capabilities = torchCapabilities;
  e.options = etOptions();
  // The vector projection of one layer: 3 components × 1000 atoms, 128 → 384 channels.
  e.referenceGemm = {3000, 384, 128};
  e.reference = [](const PotentialOptions& o) { return makeEtReference(randomEtWeights(EtConfig::fromSettings(o.options), o.seed)); };
  e.create = [](const std::string&, [[maybe_unused]] const PotentialOptions& o) -> std::unique_ptr<Potential> {
    MLFFB_WITH_TORCH_OR_THROW(return makeEtTorch(o));
  };
  e.exporter = []([[maybe_unused]] torch::jit::Module& m, [[maybe_unused]] const ExportRequest& rq) -> nlohmann::ordered_json {
    MLFFB_WITH_TORCH_OR_THROW(return exportEt(m, rq));
  };
  return e;
}()};

/// TorchMD-Net's own ET in the Python worker, on et/torch's weights for the same options and seed:
/// our export of them (float64) is the file the worker reads (scripts/peers/mlffb_peers.py,
/// torchmdnet_et_from_export: every weight and the radial-basis buffers copied over TorchMD-Net's).
std::unique_ptr<Potential> makeEtTorchmdNet([[maybe_unused]] const PotentialOptions& o) {
  ExportRequest rq;
  rq.model = "et";
  rq.options = o;
  rq.options.precision = Precision::Float64;
  rq.options.device = Device::cpu();
  PythonWorkerSpec s{"et", "torchmd-net", {{"model", "et-torchmd-net"}, {"export", "et-weights.pt"}}, o, {}};
  MLFFB_WITH_TORCH_OR_THROW(s.files["et-weights.pt"] = exportTorchScript(rq).bytes);
  return std::make_unique<PythonWorkerPotential>(std::move(s));
}

const Registrar<ModelEntry> kTorchmdNet{[] {
  ModelEntry e;
  e.name = "et/torchmd-net";
  e.model = "et";
  e.flavor = "torchmd-net";
  e.peer = "TorchMD-Net";
  e.description = "TorchMD-Net 3.1's own Equivariant Transformer in a Python worker, on et/torch's weights for the same --seed";
  e.availability = [] {
    const Availability t = torchAvailability();  // our export carries the weights over
    return t.available ? pythonModulesAvailability({"torch", "torchmdnet"}) : t;
  };
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu, DeviceKind::Cuda};  // the worker's PyTorch decides
    return c;
  };
  e.options = etOptions();
  e.subdomain = true;  // the worker sums the owned atoms' per-atom energies (peer_worker.py's 'D' request)
  e.create = [](const std::string&, const PotentialOptions& o) { return makeEtTorchmdNet(o); };
  return e;
}()};

}  // namespace
}  // namespace mlffb::et
