// ani2x/torchani: TorchANI's TorchScript file of its own ANI-2x, made once per precision and
// periodicity (PeerExport), loaded and evaluated by the torchscript flavour's code.
#include "workloads/peers/TorchaniPotential.hpp"

#include <dlfcn.h>
#include <torch/script.h>

#include <array>
#include <filesystem>
#include <stdexcept>

#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/peers/PeerExport.hpp"
#include "workloads/torchscript/TorchScriptPotential.hpp"

namespace mlffb {
namespace {

struct TorchaniSettings {
  std::string weights, strategy, neighborlist;
  int member = -1;
};

/// The module's `numbers` buffer: the system's atomic numbers, (1, N) int64 on the module's device.
void setNumbers(torch::jit::Module& m, const System& s) {
  (void)ani::speciesOfSystem(s);  // throws naming an atom ANI-2x cannot take
  std::vector<int64_t> z;
  z.reserve(s.size());
  for (const auto& a : s.atoms) z.push_back(a.element);
  const torch::Device device = m.attr("numbers").toTensor().device();
  m.register_buffer("numbers", torch::tensor(z, torch::kLong).view({1, -1}).to(device));
}

/// cuAEV is a shared library of TorchScript custom classes that a file made with it refers to by
/// name: it must be loaded into this process before the file.
void loadCuaev(const std::string& library) {
  if (library.empty()) return;
  if (!dlopen(library.c_str(), RTLD_NOW | RTLD_GLOBAL))
    throw std::runtime_error("ani2x/torchani: cannot load TorchANI's cuAEV extension " + library + ": " + dlerror());
}

class TorchaniPotential final : public Potential {
 public:
  TorchaniPotential(TorchaniSettings settings, const PotentialOptions& o) : s_(std::move(settings)), options_(o) {}

  std::string model() const override { return "ani2x"; }
  std::string flavor() const override { return "torchani"; }
  Device device() const override { return options_.device; }
  Precision precision() const override { return options_.precision; }
  double cutoff() const override { return kCutoff; }
  std::vector<std::string> stages() const override { return {"energy", "forces"}; }
  nlohmann::ordered_json memoryStats() const override { return last_ ? last_->memoryStats() : nlohmann::ordered_json::object(); }
  void resetMemoryStats() override {
    if (last_) last_->resetMemoryStats();
  }
  nlohmann::ordered_json describe() const override { return last_ ? last_->describe() : description(nullptr); }

  /// The file of the system's periodicity is loaded now; the other one when a compute() asks for it
  /// (a box given for a system bound without one, or none for a periodic one).
  void setSystem(const System& s) override {
    system_ = s;
    subdomain_ = false;
    bound_ = {false, false};
    bind(s.box.has_value());
  }
  /// The vacuum file's per-atom energies (export_torchani.py writes the subdomain contract).
  bool supportsSubdomain() const override { return true; }
  void setSubdomain(const System& s, size_t owned) override {
    system_ = s;
    bound_ = {true, false};  // the vacuum file is bound here, to the subdomain; the periodic one to nothing
    if (!inner_[0]) inner_[0] = load(false);
    inner_[0]->setSubdomain(s, owned);
    last_ = inner_[0].get();
    subdomain_ = true;
  }
  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    if (!last_) throw std::logic_error("ani2x/torchani: compute before setSystem");
    if (subdomain_ && box) throw std::logic_error("ani2x/torchani: a subdomain has no box (explicit ghost atoms)");
    return bind(box.has_value()).compute(pos, box, wantForces);
  }

 private:
  static constexpr double kCutoff = 5.1;  // Å, ANI-2x's radial cutoff (TorchANI's neighbour list)

  /// The potential of the file for `periodic`, loaded and bound to the system.
  Potential& bind(bool periodic) {
    if (!inner_[periodic]) inner_[periodic] = load(periodic);
    if (!bound_[periodic]) inner_[periodic]->setSystem(system_);
    bound_[periodic] = true;
    last_ = inner_[periodic].get();
    return *last_;
  }

  /// Exports (or finds) TorchANI's file for this precision and periodicity and loads it.
  std::unique_ptr<Potential> load(bool periodic) {
    const std::string dtype = options_.precision == Precision::Float64 ? "float64" : "float32";
    PeerExportRequest rq;
    rq.what = "torchani-ani2x-" + dtype + (periodic ? "-periodic" : "-vacuum") + (s_.member >= 0 ? "-member" + std::to_string(s_.member) : "");
    rq.script = "peers/export_torchani.py";
    rq.args = {"--weights", s_.weights, "--data-dir", "data", "--dtype", dtype, "--periodic", periodic ? "1" : "0",
               "--strategy", s_.strategy, "--neighborlist", s_.neighborlist, "--member", std::to_string(s_.member)};
    rq.keyFolders = {s_.weights};
    rq.packages = {"torchani", "torch"};
    const PeerExportResult r = peerExport(rq);
    loadCuaev(r.info.value("cuaev_library", ""));
    TorchScriptSource src;
    src.file = r.file;
    src.flavor = "torchani";
    src.cutoff = kCutoff;
    src.description = description(&r);
    src.bindSystem = setNumbers;
    return makeTorchScriptPotential("ani2x", src, options_);
  }

  /// What the records say: the weights and their loader, the versions, the file and its export.
  nlohmann::ordered_json description(const PeerExportResult* r) const {
    nlohmann::ordered_json d = {
        {"name", "ani2x"},
        {"flavor", "torchani"},
        {"hyperparameters", {{"aev_strategy", s_.strategy}, {"neighborlist", s_.neighborlist}, {"member", s_.member}}},
        {"weights", {{"source", s_.weights}, {"loader", "TorchANI's NeuroChem loader (torchani.neurochem), ANI2x() on its state dict"}}}};
    if (!r) return d;
    d["peer"] = {{"package", "torchani"},
                 {"torchani", r->info.value("torchani", "")},
                 {"torch", r->info.value("torch", "")},
                 {"model_file", r->file},
                 {"from_cache", r->cached},
                 {"export_seconds", r->info.value("export_seconds", 0.0)},
                 {"export_wall_seconds", r->seconds},
                 {"cuaev_library", r->info.value("cuaev_library", "")}};
    return d;
  }

  TorchaniSettings s_;
  PotentialOptions options_;
  System system_;
  std::array<std::unique_ptr<Potential>, 2> inner_;  // [periodic]: the vacuum and the periodic file
  std::array<bool, 2> bound_{false, false};
  Potential* last_ = nullptr;                          // the one used last (describe, memory)
  bool subdomain_ = false;                             // bound by setSubdomain (the vacuum file)
};

}  // namespace

std::unique_ptr<Potential> makeTorchaniPotential(const PotentialOptions& o) {
  TorchaniSettings s;
  s.weights = optionText(o.options, "weights");
  if (s.weights.empty() || !std::filesystem::is_directory(s.weights))
    throw std::invalid_argument("ani2x/torchani runs TorchANI on the real ANI-2x NeuroChem weights: --weights DIR" +
                                (s.weights.empty() ? std::string(" (none found)") : " (" + s.weights + " is not a folder)"));
  s.weights = std::filesystem::canonical(s.weights).string();
  s.member = ani::aniMemberOption(o);
  s.strategy = optionText(o.options, "aev_strategy", "pyaev");
  s.neighborlist = optionText(o.options, "neighborlist", "all_pairs");
  if (s.strategy == "cuaev" && o.device.kind != DeviceKind::Cuda)
    throw std::invalid_argument("ani2x/torchani: --aev-strategy cuaev runs on a CUDA device only");
  return std::make_unique<TorchaniPotential>(std::move(s), o);
}

}  // namespace mlffb
