#include "workloads/torchscript/TorchScriptPotential.hpp"

#include <torch/cuda.h>
#include <torch/autograd.h>
#include <torch/script.h>

#include <filesystem>
#include <stdexcept>

#include "profilers/Range.hpp"

namespace mlffb {
namespace {
using profilers::Range;

class TorchScriptPotential final : public Potential {
 public:
  TorchScriptPotential(std::string model, const std::string& file, const PotentialOptions& o)
      : model_(std::move(model)), file_(file), precision_(o.precision), device_(o.device), deviceName_(o.device) {
    if (!std::filesystem::is_regular_file(file)) throw std::invalid_argument(file + ": model file not found");
    if (device_.is_cuda() && !torch::cuda::is_available())
      throw std::invalid_argument("device '" + o.device + "' asked for, but LibTorch sees no CUDA device");
    try {
      module_ = torch::jit::load(file, device_);
    } catch (const c10::Error& e) {
      throw std::invalid_argument(file + ": not a TorchScript model (" + firstLine(e.what()) + ")");
    }
    module_.eval();
    auto method = module_.find_method("forward");
    if (!method) throw contractError("it has no forward method");
    const auto& args = method->function().getSchema().arguments();
    inputs_ = static_cast<int>(args.size()) - 1;  // without self
    if (inputs_ != 1 && inputs_ != 2)
      throw contractError("its forward takes " + std::to_string(inputs_) + " inputs, not 1 (positions) or 2 (positions, box)");
    dtype_ = precision_ == Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
    if (precision_ == Precision::Float64) module_.to(torch::kFloat64);
    if (device_.is_cuda()) sync_ = [] { torch::cuda::synchronize(); };
  }

  std::string model() const override { return model_; }
  std::string flavor() const override { return "torchscript"; }
  std::string device() const override { return deviceName_; }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return 0; }
  std::vector<std::string> stages() const override { return {"energy", "forces"}; }
  nlohmann::ordered_json describe() const override {
    return {{"name", model_}, {"flavor", "torchscript"}, {"hyperparameters", {{"inputs", inputs_}}},
            {"weights", {{"source", std::filesystem::absolute(file_).lexically_normal().string()}}}};
  }
  void setSystem(const System& s) override { atoms_ = static_cast<int64_t>(s.size()); }

  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Vec3>& box, bool wantForces) override {
    const int64_t n = static_cast<int64_t>(pos.size());
    if (inputs_ == 2 && !box) throw contractError("it takes a box, but the system is not periodic");
    std::vector<double> flat(static_cast<size_t>(n) * 3);
    for (int64_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) flat[3 * i + k] = pos[i][k] * 0.1;  // Å → nm
    torch::Tensor x = torch::from_blob(flat.data(), {n, 3}, torch::kFloat64).to(torch::TensorOptions().dtype(dtype_).device(device_));
    x.requires_grad_(wantForces);
    std::vector<torch::jit::IValue> in{x};
    if (inputs_ == 2)
      in.push_back(torch::diag(torch::tensor({box->x * 0.1, box->y * 0.1, box->z * 0.1}, torch::kFloat64)).to(x.options().requires_grad(false)));
    torch::Tensor energy, forces;
    {
      Range r("energy", &sync_);
      torch::jit::IValue outV;
      try {
        outV = module_.forward(in);
      } catch (const std::exception& e) {
        throw contractError("its forward failed on positions of shape (" + std::to_string(n) + ", 3): " + firstLine(e.what()));
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
      Range r("forces", &sync_);
      torch::Tensor f;
      if (forces.defined()) {
        f = forces.detach();
      } else {
        if (!energy.requires_grad()) throw contractError("its energy does not depend on the positions (no gradient)");
        f = -torch::autograd::grad({energy.sum()}, {x})[0];
      }
      f = f.to(torch::kCPU, torch::kFloat64).contiguous();
      const double* fp = f.data_ptr<double>();
      out.forces.resize(n);
      for (int64_t i = 0; i < n; ++i) out.forces[i] = Vec3{fp[3 * i], fp[3 * i + 1], fp[3 * i + 2]} * 0.1;  // /nm → /Å
    }
    return out;
  }

 private:
  static std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }
  std::invalid_argument contractError(const std::string& what) const {
    return std::invalid_argument(file_ + " does not follow the OpenMM-Torch contract " + kTorchScriptContract + ": " + what);
  }

  std::string model_, file_;
  Precision precision_;
  torch::Device device_;
  std::string deviceName_;
  torch::Dtype dtype_;
  torch::jit::Module module_;
  int inputs_ = 1;
  int64_t atoms_ = 0;
  std::function<void()> sync_;
};

}  // namespace

Potential* makeTorchScriptPotential(const std::string& model, const PotentialOptions& o) {
  auto it = o.extra.find("model_file");
  if (it == o.extra.end() || it->second.empty())
    throw std::invalid_argument("--flavor torchscript needs --model-file FILE.pt");
  return new TorchScriptPotential(model, it->second, o);
}

}  // namespace mlffb
