#include "workloads/torchscript/TorchScriptPotential.hpp"

#include <torch/autograd.h>
#include <torch/script.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "systems/InputFile.hpp"
#include "workloads/torch/TorchRuntime.hpp"

namespace mlffb {
namespace {
using profilers::Range;

/// Floating-point parameters and buffers to float64; integer ones (atomic numbers, index tables)
/// stay as they are (torch::jit::Module::to(dtype) would convert them too).
void toFloat64(torch::jit::Module& m) {
  torch::NoGradGuard noGrad;
  for (at::Tensor t : m.parameters())
    if (t.is_floating_point()) t.set_data(t.to(torch::kFloat64));
  for (at::Tensor t : m.buffers())
    if (t.is_floating_point()) t.set_data(t.to(torch::kFloat64));
}

class TorchScriptPotential final : public Potential {
 public:
  TorchScriptPotential(std::string model, TorchScriptSource source, const PotentialOptions& o)
      : model_(std::move(model)), source_(std::move(source)), precision_(o.precision), deviceSpec_(o.device), rt_(o.device, o.precision) {
    const std::string& file = source_.file;
    if (!std::filesystem::exists(file)) throw std::invalid_argument(file + ": model file not found");
    std::istringstream bytes(readInputFile(file, kModelInput));  // the bytes checked are the bytes loaded
    torch::jit::ExtraFilesMap extra{{"mlffb.json", ""}};
    try {
      module_ = torch::jit::load(bytes, rt_.device(), extra);
    } catch (const c10::Error& e) {
      throw std::invalid_argument(file + ": not a TorchScript model (" + errorLine(e.what()) + ")");
    }
    module_.eval();
    readSubdomainContract(extra["mlffb.json"]);
    auto method = module_.find_method("forward");
    if (!method) throw contractError("it has no forward method");
    const auto& args = method->function().getSchema().arguments();
    inputs_ = static_cast<int>(args.size()) - 1;  // without self
    if (inputs_ != 1 && inputs_ != 2)
      throw contractError("its forward takes " + std::to_string(inputs_) + " inputs, not 1 (positions) or 2 (positions, box)");
    if (precision_ == Precision::Float64) toFloat64(module_);
  }

  std::string model() const override { return model_; }
  std::string flavor() const override { return source_.flavor; }
  Device device() const override { return deviceSpec_; }
  nlohmann::ordered_json memoryStats() const override { return rt_.memoryStats(); }
  void resetMemoryStats() override { rt_.resetMemoryStats(); }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return source_.cutoff > 0 ? source_.cutoff : contract_.value("cutoff_nm", 0.0) * units::kAngstromPerNm; }
  double receptiveField() const override {
    return missing_.empty() ? contract_.at("receptive_field_nm").get<double>() * units::kAngstromPerNm : cutoff();
  }
  bool supportsSubdomain() const override { return missing_.empty(); }
  std::vector<std::string> stages() const override { return {"energy", "forces"}; }
  nlohmann::ordered_json describe() const override {
    nlohmann::ordered_json d = {{"name", model_}, {"flavor", source_.flavor}, {"hyperparameters", {{"inputs", inputs_}}},
                                {"weights", {{"source", std::filesystem::absolute(source_.file).lexically_normal().string()}}}};
    d["subdomain"] = missing_.empty() ? contract_ : nlohmann::ordered_json{{"supported", false}, {"missing", missing_}};
    for (const auto& [key, value] : source_.description.items()) d[key] = value;
    return d;
  }
  void setSystem(const System& s) override {
    atoms_ = static_cast<int64_t>(s.size());
    owned_ = -1;
    if (source_.bindSystem) source_.bindSystem(module_, s);
  }
  void setSubdomain(const System& s, size_t owned) override {
    if (!missing_.empty())
      throw std::invalid_argument(source_.file + " cannot evaluate a subdomain (owned + ghost atoms): " + missing_ + " (" + kSubdomainContract + ")");
    if (owned > s.size()) throw std::invalid_argument(source_.file + ": " + std::to_string(owned) + " owned atoms of " + std::to_string(s.size()));
    std::vector<int64_t> z(s.size());
    for (size_t i = 0; i < z.size(); ++i) z[i] = s.atoms[i].element;
    numbers_ = torch::tensor(z, torch::kLong).to(rt_.device());
    atoms_ = static_cast<int64_t>(s.size());
    owned_ = static_cast<int64_t>(owned);
  }

  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    if (inputs_ == 2 && !box && owned_ < 0) throw contractError("it takes a box, but the system is not periodic");
    if (owned_ >= 0 && box) throw std::logic_error(source_.file + ": a subdomain has no box (explicit ghost atoms)");
    if (owned_ >= 0 && static_cast<int64_t>(pos.size()) != atoms_)
      throw std::invalid_argument(source_.file + ": " + std::to_string(pos.size()) + " positions for a subdomain of " + std::to_string(atoms_) + " atoms");
    torch::Tensor x = rt_.positions(pos, units::kNmPerAngstrom, wantForces);
    torch::Tensor energy, forces;
    {
      Range r("energy", rt_.sync());
      if (owned_ >= 0)
        energy = ownedEnergy(x);
      else
        std::tie(energy, forces) = wholeEnergy(x, box);
    }
    EnergyForces out;
    out.energy = energy.item<double>();
    if (wantForces) {
      Range r("forces", rt_.sync());
      torch::Tensor f;
      if (forces.defined()) {
        f = forces.detach();
      } else {
        if (!energy.requires_grad()) throw contractError("its energy does not depend on the positions (no gradient)");
        f = -torch::autograd::grad({energy.sum()}, {x})[0];
      }
      out.forces = TorchRuntime::toVectors(f, units::kNmPerAngstrom);  // kJ/mol/nm → kJ/mol/Å
    }
    return out;
  }

 private:
  /// forward(positions[, box]): the energy, and the forces when the module returns them.
  std::pair<torch::Tensor, torch::Tensor> wholeEnergy(const torch::Tensor& x, const std::optional<Box>& box) {
    const int64_t n = x.size(0);
    std::vector<torch::jit::IValue> in{x};
    if (inputs_ == 2) in.push_back(rt_.box(*box, units::kNmPerAngstrom));
    torch::jit::IValue outV;
    try {
      outV = module_.forward(in);
    } catch (const std::exception& e) {
      throw contractError("its forward failed on positions of shape (" + std::to_string(n) + ", 3): " + errorLine(e.what()));
    }
    torch::Tensor energy, forces;
    if (outV.isTensor()) {
      energy = outV.toTensor();
    } else if (outV.isTuple() && outV.toTuple()->elements().size() == 2 && outV.toTuple()->elements()[0].isTensor() &&
               outV.toTuple()->elements()[1].isTensor()) {
      energy = outV.toTuple()->elements()[0].toTensor();
      forces = outV.toTuple()->elements()[1].toTensor();
      if (forces.dim() != 2 || forces.size(0) != n || forces.size(1) != 3) throw contractError("its forces output is not an (N,3) tensor");
    } else {
      throw contractError("it returns neither a tensor nor an (energy, forces) tuple");
    }
    if (energy.numel() != 1) throw contractError("its output has " + std::to_string(energy.numel()) + " elements, not one energy");
    return {energy, forces};
  }

  /// The sum of atomic_energies(positions, atomic numbers) over the owned atoms (the first owned_).
  torch::Tensor ownedEnergy(const torch::Tensor& x) {
    torch::Tensor e;
    try {
      e = module_.get_method("atomic_energies")({x, numbers_}).toTensor();
    } catch (const std::exception& err) {
      throw std::invalid_argument(source_.file + ": its atomic_energies failed on a subdomain of " + std::to_string(atoms_) +
                                  " atoms: " + errorLine(err.what()));
    }
    if (e.dim() != 1 || e.size(0) != atoms_)
      throw std::invalid_argument(source_.file + ": its atomic_energies returned a tensor of " + std::to_string(e.numel()) +
                                  " elements, not one energy per atom (" + std::to_string(atoms_) + ")");
    return e.slice(0, 0, owned_).sum();
  }

  /// Reads mlffb.json (empty: not in the file) and the atomic_energies method: contract_ holds the
  /// metadata, missing_ what the file lacks for the subdomain contract (empty: nothing).
  void readSubdomainContract(const std::string& text) {
    std::vector<std::string> lacks;
    if (text.empty()) {
      lacks.push_back("it has no mlffb.json");
    } else {
      contract_ = nlohmann::ordered_json::parse(text, nullptr, false);
      if (!contract_.is_object()) {
        lacks.push_back("its mlffb.json is not a JSON object");
      } else if (contract_.value("contract", "") != kSubdomainContractName) {
        lacks.push_back("its mlffb.json's \"contract\" is not \"" + std::string(kSubdomainContractName) + "\"");
      } else {
        for (const char* key : {"cutoff_nm", "interaction_steps", "receptive_field_nm"})
          if (!contract_.contains(key) || !contract_[key].is_number() || contract_[key].get<double>() <= 0)
            lacks.push_back(std::string("its mlffb.json has no positive \"") + key + "\"");
      }
    }
    if (!module_.find_method("atomic_energies")) lacks.push_back("it has no atomic_energies method");
    for (const auto& l : lacks) missing_ += (missing_.empty() ? "" : "; ") + l;
    if (!missing_.empty()) contract_ = nlohmann::ordered_json::object();
  }

  /// The line of a LibTorch error that says what went wrong: the first, or for an error raised
  /// inside TorchScript (a traceback first) the last non-empty one, e.g. "AssertionError: …".
  static std::string errorLine(const std::string& s) {
    if (s.find("The following operation failed in the TorchScript interpreter") == std::string::npos) return s.substr(0, s.find('\n'));
    std::string t = s;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    return t.substr(t.find_last_of('\n') + 1);
  }
  std::invalid_argument contractError(const std::string& what) const {
    return std::invalid_argument(source_.file + " does not follow the OpenMM-Torch contract " + kTorchScriptContract + ": " + what);
  }

  std::string model_;
  TorchScriptSource source_;
  Precision precision_;
  Device deviceSpec_;
  TorchRuntime rt_;
  torch::jit::Module module_;
  int inputs_ = 1;
  int64_t atoms_ = 0;
  nlohmann::ordered_json contract_ = nlohmann::ordered_json::object();  // mlffb.json when it follows the subdomain contract
  std::string missing_;                                  // what the file lacks for it (empty: nothing)
  int64_t owned_ = -1;                                   // ≥ 0: bound to a subdomain of that many owned atoms
  torch::Tensor numbers_;                                // the subdomain's atomic numbers, int64 on the device
};

}  // namespace

std::unique_ptr<Potential> makeTorchScriptPotential(const std::string& model, const PotentialOptions& o) {
  const std::string file = optionText(o.options, "model_file");
  if (file.empty()) throw std::invalid_argument("--flavor torchscript needs --model-file FILE.pt");
  TorchScriptSource source;
  source.file = file;
  return makeTorchScriptPotential(model, source, o);
}

std::unique_ptr<Potential> makeTorchScriptPotential(const std::string& model, const TorchScriptSource& source,
                                                    const PotentialOptions& o) {
  return std::make_unique<TorchScriptPotential>(model, source, o);
}

}  // namespace mlffb
