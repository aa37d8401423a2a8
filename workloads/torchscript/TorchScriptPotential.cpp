#include "workloads/torchscript/TorchScriptPotential.hpp"

#include <torch/autograd.h>
#include <torch/script.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "systems/InputFile.hpp"
#include "workloads/torch/TorchRuntime.hpp"

namespace mlffb {
namespace {
using profilers::Range;

class TorchScriptPotential final : public Potential {
 public:
  TorchScriptPotential(std::string model, TorchScriptSource source, const PotentialOptions& o)
      : model_(std::move(model)), source_(std::move(source)), precision_(o.precision), deviceSpec_(o.device), rt_(o.device, o.precision) {
    const std::string& file = source_.file;
    if (!std::filesystem::exists(file)) throw std::invalid_argument(file + ": model file not found");
    std::istringstream bytes(readInputFile(file, kModelInput));  // the bytes checked are the bytes loaded
    try {
      module_ = torch::jit::load(bytes, rt_.device());
    } catch (const c10::Error& e) {
      throw std::invalid_argument(file + ": not a TorchScript model (" + errorLine(e.what()) + ")");
    }
    module_.eval();
    auto method = module_.find_method("forward");
    if (!method) throw contractError("it has no forward method");
    const auto& args = method->function().getSchema().arguments();
    inputs_ = static_cast<int>(args.size()) - 1;  // without self
    if (inputs_ != 1 && inputs_ != 2)
      throw contractError("its forward takes " + std::to_string(inputs_) + " inputs, not 1 (positions) or 2 (positions, box)");
    if (precision_ == Precision::Float64) module_.to(torch::kFloat64);
  }

  std::string model() const override { return model_; }
  std::string flavor() const override { return source_.flavor; }
  Device device() const override { return deviceSpec_; }
  nlohmann::ordered_json memoryStats() const override { return rt_.memoryStats(); }
  void resetMemoryStats() override { rt_.resetMemoryStats(); }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return source_.cutoff; }
  std::vector<std::string> stages() const override { return {"energy", "forces"}; }
  nlohmann::ordered_json describe() const override {
    nlohmann::ordered_json d = {{"name", model_}, {"flavor", source_.flavor}, {"hyperparameters", {{"inputs", inputs_}}},
                                {"weights", {{"source", std::filesystem::absolute(source_.file).lexically_normal().string()}}}};
    for (const auto& [key, value] : source_.description.items()) d[key] = value;
    return d;
  }
  void setSystem(const System& s) override {
    atoms_ = static_cast<int64_t>(s.size());
    if (source_.bindSystem) source_.bindSystem(module_, s);
  }

  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    const int64_t n = static_cast<int64_t>(pos.size());
    if (inputs_ == 2 && !box) throw contractError("it takes a box, but the system is not periodic");
    torch::Tensor x = rt_.positions(pos, units::kNmPerAngstrom, wantForces);
    std::vector<torch::jit::IValue> in{x};
    if (inputs_ == 2) in.push_back(rt_.box(*box, units::kNmPerAngstrom));
    torch::Tensor energy, forces;
    {
      Range r("energy", rt_.sync());
      torch::jit::IValue outV;
      try {
        outV = module_.forward(in);
      } catch (const std::exception& e) {
        throw contractError("its forward failed on positions of shape (" + std::to_string(n) + ", 3): " + errorLine(e.what()));
      }
      if (outV.isTensor()) {
        energy = outV.toTensor();
      } else if (outV.isTuple() && outV.toTuple()->elements().size() == 2 && outV.toTuple()->elements()[0].isTensor() &&
                 outV.toTuple()->elements()[1].isTensor()) {
        energy = outV.toTuple()->elements()[0].toTensor();
        forces = outV.toTuple()->elements()[1].toTensor();
        if (forces.dim() != 2 || forces.size(0) != n || forces.size(1) != 3)
          throw contractError("its forces output is not an (N,3) tensor");
      } else {
        throw contractError("it returns neither a tensor nor an (energy, forces) tuple");
      }
      if (energy.numel() != 1) throw contractError("its output has " + std::to_string(energy.numel()) + " elements, not one energy");
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
