// The test-only Lennard-Jones model (see LennardJonesTestModel.hpp): its torch flavour, its
// exporter and their registry entries. Nothing outside this file names it.
#include "LennardJonesTestModel.hpp"

#include <torch/script.h>
#include <torch/torch.h>

#include "workloads/ModelRegistry.hpp"
#include "workloads/torch/TorchRuntime.hpp"
#include "workloads/torch/TorchSupport.hpp"
#include "workloads/torchscript/ModelExport.hpp"
#include "workloads/torchscript/TorchScriptText.hpp"

namespace mlffb::test {
namespace {
using torch::Tensor;

LennardJonesParameters parametersOf(const OptionValues& o) {
  LennardJonesParameters p;
  p.epsilon = optionDouble(o, "lj_epsilon", p.epsilon);
  p.sigma = optionDouble(o, "lj_sigma", p.sigma);
  return p;
}

/// Pair energies of squared distances r2 (the export's TorchScript writes the same formula).
Tensor pairEnergy(const Tensor& r2, const LennardJonesParameters& p) {
  const Tensor s6 = (p.sigma * p.sigma / r2).pow(3);
  return 4 * p.epsilon * (s6 * s6 - s6);
}

class LennardJonesTorch final : public Potential {
 public:
  LennardJonesTorch(std::string model, const PotentialOptions& o)
      : model_(std::move(model)), p_(parametersOf(o.options)), precision_(o.precision), rt_(o.device, o.precision) {}
  std::string model() const override { return model_; }
  std::string flavor() const override { return "torch"; }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return p_.cutoff; }
  void setSystem(const System& s) override { atoms_ = s.size(); }
  nlohmann::ordered_json describe() const override { return {{"name", model_}, {"epsilon", p_.epsilon}, {"sigma", p_.sigma}}; }

  /// All pairs i < j, minimum image through fractional coordinates when periodic.
  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    const Tensor x = rt_.positions(pos, 1.0, wantForces);
    const Tensor ij = torch::triu_indices(atoms_, atoms_, 1);
    Tensor d = x.index_select(0, ij[1]) - x.index_select(0, ij[0]);
    if (box) {
      const Tensor cell = rt_.box(*box, 1.0);
      d = d - torch::round(d.detach().matmul(torch::inverse(cell))).matmul(cell);
    }
    const Tensor r2 = (d * d).sum(-1);
    const Tensor inside = (r2 < p_.cutoff * p_.cutoff).nonzero().flatten();
    const Tensor energy = pairEnergy(r2.index_select(0, inside), p_).sum();
    EnergyForces out;
    out.energy = energy.item<double>();
    if (wantForces) out.forces = TorchRuntime::toVectors(torch::autograd::grad({energy}, {x})[0], -1.0);
    return out;
  }

 private:
  std::string model_;
  LennardJonesParameters p_;
  Precision precision_;
  TorchRuntime rt_;
  int64_t atoms_ = 0;
};

const char* kEnergySource = R"TS(
def atomic_energies_in(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:
    self.check_inputs(positions, numbers, box, pbc)
    pos = positions.to(self.dtype_marker.dtype) * 10.0
    i, j, shift = self.neighbor_pairs(pos, box.to(pos.dtype) * 10.0, pbc, @CUTOFF@)
    d = pos.index_select(0, j) - pos.index_select(0, i) + shift
    s6 = (@SIGMA2@ / (d * d).sum(-1)) ** 3
    half = 2.0 * @EPSILON@ * (s6 * s6 - s6)
    atomic = torch.zeros([pos.size(0)], dtype=pos.dtype, device=pos.device)
    return atomic.index_add(0, i, half).index_add(0, j, half).to(positions.dtype)
)TS";

nlohmann::ordered_json exportLennardJones(torch::jit::Module& m, const ExportRequest& rq) {
  const LennardJonesParameters p = parametersOf(rq.options.options);
  // No weights: one buffer carries the precision the export computes in.
  m.register_buffer("dtype_marker", TorchRuntime(Device::cpu(), rq.options.precision).fromDoubles({0.0}, {1}));
  m.define(fillTemplate(kEnergySource, {{"CUTOFF", tsFloat(p.cutoff)}, {"SIGMA2", tsFloat(p.sigma * p.sigma)}, {"EPSILON", tsFloat(p.epsilon)}}));
  return {{"weights", "none (parameters)"}, {"cutoff_angstrom", p.cutoff}, {"interaction_steps", 1}};
}

ModelEntry lennardJonesEntry(const std::string& model) {
  ModelEntry e;
  e.name = model + "/torch";
  e.model = model;
  e.flavor = "torch";
  e.description = "test-only Lennard-Jones pair potential in LibTorch";
  e.availability = torchAvailability;
  e.capabilities = torchCapabilities;
  e.options = {OptionSpec::real("lj-epsilon", "lj_epsilon", "test-lj: well depth, kJ/mol", 0, 100),
               OptionSpec::real("lj-sigma", "lj_sigma", "test-lj: σ, Å", 0.5, 10)};
  e.create = [](const std::string& m, const PotentialOptions& o) { return std::make_unique<LennardJonesTorch>(m, o); };
  return e;
}

const Registrar<ModelEntry> kWithExport{[] {
  ModelEntry e = lennardJonesEntry("test-lj");
  e.exporter = exportLennardJones;
  return e;
}()};

const Registrar<ModelEntry> kWithoutExport{lennardJonesEntry("test-lj-noexport")};

}  // namespace
}  // namespace mlffb::test
