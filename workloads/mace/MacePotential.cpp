// mace/mace-torch: mace-torch's TorchScript file of its own MACE, made once per precision and
// periodicity (PeerExport, scripts/peers/export_mace.py), loaded and evaluated by the torchscript
// flavour's code (MacePotential.hpp).
#include "workloads/mace/MacePotential.hpp"

#include <torch/script.h>

#include <filesystem>
#include <stdexcept>

#include "systems/Element.hpp"
#include "workloads/peers/PeerExport.hpp"
#include "workloads/peers/PeerFilePotential.hpp"
#include "workloads/torchscript/TorchScriptPotential.hpp"

namespace mlffb {
namespace {

struct MaceSettings {
  std::string preset, modelFile, head;
  std::uint64_t seed = 0;
};

/// An element's symbol, or "Z=53" beyond mlff-bench's element table (which ends at Kr; MACE-OFF
/// takes iodine).
std::string maceElementName(int z) {
  try {
    return elementInfo(z).symbol;
  } catch (const std::exception&) {
    return "Z=" + std::to_string(z);
  }
}

/// The elements of a loaded file's model, as "H C N O …".
std::string maceElements(const torch::Tensor& zTable) {
  std::string s;
  for (int64_t i = 0; i < zTable.numel(); ++i) s += (i ? " " : "") + maceElementName(static_cast<int>(zTable[i].item<int64_t>()));
  return s;
}

/// The module's `numbers` buffer: the system's atomic numbers, (N,) int64 on the module's device;
/// throws naming the first atom whose element the model does not take.
void setMaceNumbers(torch::jit::Module& m, const System& s) {
  const torch::Tensor zIndex = m.attr("z_index").toTensor().cpu();
  std::vector<int64_t> z;
  z.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const int e = s.atoms[i].element;
    if (e < 1 || e >= zIndex.numel() || zIndex[e].item<int64_t>() < 0)
      throw std::invalid_argument("mace/mace-torch: the model does not take element " + maceElementName(e) + " (atom " +
                                  std::to_string(i + 1) + ", " + s.atoms[i].name + " " + s.atoms[i].residueName + " " +
                                  std::to_string(s.atoms[i].residueNumber) + "); its elements: " + maceElements(m.attr("z_table").toTensor().cpu()));
    z.push_back(e);
  }
  const torch::Device device = m.attr("numbers").toTensor().device();
  m.register_buffer("numbers", torch::tensor(z, torch::kLong).to(device));
}

/// Exports (or finds) mace-torch's file for this precision and periodicity.
PeerExportResult maceExport(const MaceSettings& s, Precision precision, bool periodic) {
  const std::string dtype = precision == Precision::Float64 ? "float64" : "float32";
  PeerExportRequest rq;
  rq.what = "mace-" + (s.modelFile.empty() ? "off23-" + s.preset + "-seed" + std::to_string(s.seed) : std::string("file")) + "-" + dtype +
            (periodic ? "-periodic" : "-vacuum");
  rq.script = "peers/export_mace.py";
  rq.args = {"--dtype", dtype, "--periodic", periodic ? "1" : "0"};
  if (s.modelFile.empty()) {
    rq.args.insert(rq.args.end(), {"--preset", s.preset, "--seed", std::to_string(s.seed)});
  } else {
    rq.args.insert(rq.args.end(), {"--model-file", s.modelFile});
    rq.keyPaths = {s.modelFile};
  }
  if (!s.head.empty()) rq.args.insert(rq.args.end(), {"--head", s.head});
  rq.packages = {"mace-torch", "e3nn", "torch"};
  return peerExport(rq);
}

/// The contract's own keys of the file's mlffb.json (the rest repeats the description).
nlohmann::ordered_json subdomainContract(const nlohmann::ordered_json& meta) {
  nlohmann::ordered_json c = nlohmann::ordered_json::object();
  for (const char* key : {"contract", "cutoff_nm", "interaction_steps", "receptive_field_nm"}) c[key] = meta.at(key);
  return c;
}

/// What the records say: the architecture, the weights (random unless a model file), the versions,
/// the file and its export (under "package": the harness sets "peer" to the entry's peer name).
nlohmann::ordered_json maceDescription(const MaceSettings& s, const PeerExportResult* r) {
  nlohmann::ordered_json d = {{"name", "mace"}, {"flavor", "mace-torch"}};
  if (!r) {
    d["hyperparameters"] = {{"preset", s.modelFile.empty() ? s.preset : "from the model file"}};
    d["weights"] = {{"source", s.modelFile.empty() ? "random(seed=" + std::to_string(s.seed) + ")" : s.modelFile}};
    return d;
  }
  d["hyperparameters"] = r->info.value("hyperparameters", nlohmann::ordered_json::object());
  d["hyperparameters"]["head"] = r->info.value("head", "");
  d["weights"] = {{"source", r->info.value("weights", "")}, {"random", r->info.value("random_weights", true)}};
  d["package"] = {{"name", "mace-torch"},
               {"mace-torch", r->info.value("mace-torch", "")},
               {"e3nn", r->info.value("e3nn", "")},
               {"torch", r->info.value("torch", "")},
               {"model_file", r->file},
               {"from_cache", r->cached},
               {"export_seconds", r->info.value("export_seconds", 0.0)},
               {"export_wall_seconds", r->seconds},
               {"subdomain_contract", subdomainContract(r->info.at("subdomain"))}};
  return d;
}

std::unique_ptr<Potential> loadMaceFile(const MaceSettings& s, const PotentialOptions& o, bool periodic) {
  const PeerExportResult r = maceExport(s, o.precision, periodic);
  TorchScriptSource src;
  src.file = r.file;
  src.flavor = "mace-torch";
  src.cutoff = r.info.at("subdomain").value("cutoff_nm", 0.0) * 10.0;
  src.description = maceDescription(s, &r);
  src.bindSystem = setMaceNumbers;
  return makeTorchScriptPotential("mace", src, o);
}

}  // namespace

std::unique_ptr<Potential> makeMacePotential(const PotentialOptions& o) {
  MaceSettings s;
  s.preset = optionText(o.options, "mace_preset", "medium");
  s.modelFile = optionText(o.options, "model_file");
  s.head = optionText(o.options, "mace_head");
  s.seed = o.seed;
  PeerFileSpec spec;
  spec.model = "mace";
  spec.flavor = "mace-torch";
  spec.cutoff = kMaceOffCutoff;
  spec.receptiveField = kMaceOffCutoff * kMaceOffInteractions;
  if (!s.modelFile.empty()) {
    if (!std::filesystem::is_regular_file(s.modelFile)) throw std::invalid_argument(s.modelFile + ": MACE model file not found");
    s.modelFile = std::filesystem::canonical(s.modelFile).string();
    // The architecture is the file's: its cutoff and steps are known once it is exported (the
    // vacuum file now, as every later load of this precision finds it in the cache).
    const nlohmann::ordered_json meta = maceExport(s, o.precision, false).info.at("subdomain");
    spec.cutoff = meta.at("cutoff_nm").get<double>() * 10.0;
    spec.receptiveField = meta.at("receptive_field_nm").get<double>() * 10.0;
  }
  spec.load = [s, o](bool periodic) { return loadMaceFile(s, o, periodic); };
  spec.description = [s] { return maceDescription(s, nullptr); };
  return makePeerFilePotential(std::move(spec), o);
}

}  // namespace mlffb
