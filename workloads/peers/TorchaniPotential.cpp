// ani2x/torchani: TorchANI's TorchScript file of its own ANI-2x, made once per precision and
// periodicity (PeerExport), loaded and evaluated by the torchscript flavour's code.
#include "workloads/peers/TorchaniPotential.hpp"

#include <dlfcn.h>
#include <torch/script.h>

#include <filesystem>
#include <stdexcept>

#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/peers/PeerExport.hpp"
#include "workloads/peers/PeerFilePotential.hpp"
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

constexpr double kTorchaniCutoff = 5.1;  // Å, ANI-2x's radial cutoff (TorchANI's neighbour list)

/// What the records say: the weights and their loader, the versions, the file and its export.
nlohmann::ordered_json torchaniDescription(const TorchaniSettings& s, const PeerExportResult* r) {
  nlohmann::ordered_json d = {
      {"name", "ani2x"},
      {"flavor", "torchani"},
      {"hyperparameters", {{"aev_strategy", s.strategy}, {"neighborlist", s.neighborlist}, {"member", s.member}}},
      {"weights", {{"source", s.weights}, {"loader", "TorchANI's NeuroChem loader (torchani.neurochem), ANI2x() on its state dict"}}}};
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

/// Exports (or finds) TorchANI's file for this precision and periodicity and loads it.
std::unique_ptr<Potential> loadTorchaniFile(const TorchaniSettings& s, const PotentialOptions& o, bool periodic) {
  const std::string dtype = o.precision == Precision::Float64 ? "float64" : "float32";
  PeerExportRequest rq;
  rq.what = "torchani-ani2x-" + dtype + (periodic ? "-periodic" : "-vacuum") + (s.member >= 0 ? "-member" + std::to_string(s.member) : "");
  rq.script = "peers/export_torchani.py";
  rq.args = {"--weights", s.weights, "--data-dir", "data", "--dtype", dtype, "--periodic", periodic ? "1" : "0",
             "--strategy", s.strategy, "--neighborlist", s.neighborlist, "--member", std::to_string(s.member)};
  rq.keyPaths = {s.weights};
  rq.packages = {"torchani", "torch"};
  const PeerExportResult r = peerExport(rq);
  loadCuaev(r.info.value("cuaev_library", ""));
  TorchScriptSource src;
  src.file = r.file;
  src.flavor = "torchani";
  src.cutoff = kTorchaniCutoff;
  src.description = torchaniDescription(s, &r);
  src.bindSystem = setNumbers;
  return makeTorchScriptPotential("ani2x", src, o);
}

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
  PeerFileSpec spec;
  spec.model = "ani2x";
  spec.flavor = "torchani";
  spec.cutoff = kTorchaniCutoff;
  spec.load = [s, o](bool periodic) { return loadTorchaniFile(s, o, periodic); };
  spec.description = [s] { return torchaniDescription(s, nullptr); };
  return makePeerFilePotential(std::move(spec), o);
}

}  // namespace mlffb
