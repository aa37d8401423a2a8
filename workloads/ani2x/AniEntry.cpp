// Registry entries of ANI-2x: the native flavour (stage driver over the kernel set of each
// device) and the torch flavour (TorchANI's structure in LibTorch). What the harness needs to know
// about ANI-2x lives here: its options, where the real weights are, the GEMM that stands for its
// network stage and its float64 reference.
#include <algorithm>
#include <filesystem>

#include "workloads/ModelRegistry.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/AniNative.hpp"
#include "workloads/ani2x/AniReference.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/ani2x/AniTorch.hpp"
#include "workloads/ani2x/AniExport.hpp"
#include "workloads/torch/TorchSupport.hpp"

namespace mlffb::ani {

std::string defaultAniWeights() {
  namespace fs = std::filesystem;
  if (const char* e = std::getenv("MLFFB_ANI2X_WEIGHTS")) return fs::is_directory(e) ? std::string(e) : std::string();
  const fs::path p = fs::path(MLFFB_SOURCE_DIR).parent_path() / "shared" / "models" / "ani-2x_8x";
  if (fs::is_directory(p)) return p.lexically_normal().string();
  const fs::path fetched = fetchedWeightsFolder("ani-2x_8x");  // `mlff-bench weights fetch ani2x`
  return fs::is_directory(fetched) ? fetched.string() : std::string();
}

WeightsSource aniWeightsSource() {
  WeightsSource w;
  w.name = "ani-2x_8x";
  w.url = "https://github.com/aiqm/ani-model-zoo/archive/ani-2x.zip";  // the archive TorchANI's NeuroChem loader fetches
  w.license = "MIT (ANI model zoo, github.com/aiqm/ani-model-zoo)";
  w.archiveFolder = "ani-model-zoo-ani-2x/resources/ani-2x_8x";
  w.manifest = std::string(MLFFB_SOURCE_DIR) + "/workloads/ani2x/ani-2x_8x.sha256";
  return w;
}

namespace {

std::vector<OptionSpec> aniOptions() {
  OptionSpec weights = OptionSpec::directory("weights", "weights",
                                             "ANI-2x NeuroChem weights folder, or random for random weights from --seed "
                                             "(default: the real ANI-2x weights when they can be found)");
  weights.choices = {"random"};
  weights.input = true;  // its files' content is the model
  return {weights,
          OptionSpec::integer("member", "member", "ANI-2x: evaluate one ensemble member only", 0, kMembers - 1,
                              "all 8 members")};
}

ModelEntry aniEntry(const std::string& flavor, const std::string& description) {
  ModelEntry e;
  e.name = "ani2x/" + flavor;
  e.model = "ani2x";
  e.flavor = flavor;
  e.description = description;
  e.options = aniOptions();
  e.physicalDefaults = [] {
    const std::string w = defaultAniWeights();
    return w.empty() ? OptionValues{} : OptionValues{{"weights", w}};
  };
  e.physicalDefaultsHint =
      "the real ANI-2x weights were not found ($MLFFB_ANI2X_WEIGHTS, ../shared/models/ani-2x_8x beside the source tree, or " +
      fetchedWeightsFolder("ani-2x_8x") + " from `mlff-bench weights fetch ani2x`): "
      "using random weights from --seed; give --weights DIR, or --weights random to choose them on purpose";
  e.weightsSource = aniWeightsSource();
  // The stacked first layer of hydrogen (8 members × 256) over the AEV, for ~1700 H atoms.
  e.referenceGemm = {1700, kMembers * 256, kAevLength};
  // For a system: the most populous element's stacked first layer over the AEV columns present.
  e.gemmShapeFor = [](const System& s) -> std::array<int, 3> {
    const std::vector<int> species = speciesOfSystem(s);
    std::array<int, kSpecies> count{};
    for (int sp : species) ++count[sp];
    const int top = static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
    if (count[top] == 0) return {0, 0, 0};
    return {count[top], kMembers * hiddenWidths(top)[0], static_cast<int>(activeAevColumns(species).size())};
  };
  e.reference = [](const PotentialOptions& o) {
    return makeAniReference(loadAniModel(optionText(o.options, "weights"), o.seed, aniMemberOption(o)));
  };
  return e;
}

const Registrar<ModelEntry> kNative{[] {
  ModelEntry e = aniEntry("native", "ANI-2x: stage driver over per-device kernel sets (CPU: cell list, analytic AEV and "
                                    "backward, stacked-member BLAS GEMMs, OpenMP; CUDA: fused kernels and cuBLAS)");
  e.subdomain = true;  // every kernel set binds centres (owned atoms) apart from neighbours (ghosts)
  // What it runs and its options are its kernel sets' (each declares its own, beside its code).
  e.capabilities = aniNativeCapabilities;
  e.partOptions = aniKernelSetOptions;
  e.unsupportedReason = aniKernelSetLacks;
  e.details = [] {
    std::vector<std::pair<std::string, std::string>> d;
    for (const auto& k : AniKernelSetRegistry::instance().entries())
      d.emplace_back("kernel set " + k.name, k.available() ? k.description + " [" + joinNames(k.capabilities().precisions) + "]"
                                                           : "unavailable: " + k.availability().reason);
    return d;
  };
  e.create = [](const std::string&, const PotentialOptions& o) { return makeAniNative(o); };
  return e;
}()};

const Registrar<ModelEntry> kTorch{[] {
  ModelEntry e = aniEntry("torch", "ANI-2x: LibTorch operator by operator (TorchANI structure), forces by autograd");
  e.availability = torchAvailability;
  e.capabilities = torchCapabilities;
  e.create = [](const std::string&, [[maybe_unused]] const PotentialOptions& o) -> std::unique_ptr<Potential> {
    MLFFB_WITH_TORCH_OR_THROW(return makeAniTorch(o));
  };
  e.exporter = []([[maybe_unused]] torch::jit::Module& m, [[maybe_unused]] const ExportRequest& rq) -> nlohmann::ordered_json {
    MLFFB_WITH_TORCH_OR_THROW(return exportAni(m, rq));
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb::ani
