#pragma once
// Models × flavours: one registry entry per flavour, registered beside its code
// (workloads/<model>/…Entries.cpp). Each declares its devices, precisions, options (the model's
// hyper-parameters and settings), a creator and what the harness needs to know about the model
// without naming it: weights that make it physical, the GEMM shape that stands for its network
// stage, an independent float64 reference for the conformance tests, and its export as TorchScript.
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/Registry.hpp"
#include "workloads/Potential.hpp"
#include "workloads/WeightsSource.hpp"

namespace torch::jit {
struct Module;  // LibTorch's TorchScript module (an exporter's entries are compiled with LibTorch only)
}

namespace mlffb {

struct ExportRequest;  // workloads/torchscript/ModelExport.hpp

struct ModelEntry : EntryInfo {
  std::string model;   // "ani2x"; "*" for a flavour that serves any model name (torchscript)
  std::string flavor;  // "native", "torch", "torchscript", "torchani", "torchmd-net"
  /// The package whose own implementation this flavour runs ("torchani 2.9.0"); empty for
  /// mlff-bench's own. A peer is planned only when its flavour is asked for (--flavor), in a suite
  /// that holds peers (SuiteSpec::peers: implementations), or when the model has no flavour of
  /// ours; it is named as an option's owner only where no flavour of ours declares the option too.
  std::string peer;
  /// Whether its Potential evaluates a subdomain (setSubdomain: owned + ghost atoms), as
  /// distributed engines (lammps) need.
  bool subdomain = false;
  /// `model` is the name asked for (it matters for "*" entries).
  std::function<std::unique_ptr<Potential>(const std::string& model, const PotentialOptions&)> create;
  /// Option values that make the model a physical potential when the user gave none (e.g. the
  /// real ANI-2x weights when they can be found); empty when there are none.
  std::function<OptionValues()> physicalDefaults;
  /// What to tell the user when physicalDefaults finds nothing.
  std::string physicalDefaultsHint;
  /// The public archive `mlff-bench weights fetch MODEL` gets those weights from (name empty: none).
  WeightsSource weightsSource;
  /// (m, n, k) of a GEMM that stands for the network stage: the BLAS probe measures this shape.
  std::array<int, 3> referenceGemm{0, 0, 0};
  /// The network stage's largest GEMM for a given system (m, n, k), when it depends on the system;
  /// the probes then measure that shape instead of referenceGemm.
  std::function<std::array<int, 3>(const System&)> gemmShapeFor;
  /// An independent plain float64 CPU implementation of the same function (energies only), for
  /// the conformance tests; empty when the model has none.
  std::function<std::unique_ptr<Potential>(const PotentialOptions&)> reference;
  /// How far its float64 results lie from the model's other flavours and reference by design, not
  /// by rounding (relative energy; relative force field, ResultCheck's relativeForceError): a peer
  /// package whose loader rounds the model's constants to float32. Zero: none. The conformance
  /// tests widen their float64 bounds between two flavours to the larger of the two.
  struct Residual {
    double energy = 0, forces = 0;
  } float64Residual;
  /// Why the flavour cannot run a precision on a device kind that its capabilities list both of,
  /// naming the part that lacks it (e.g. a kernel set); empty when it can. Unset: the planner's
  /// own reason from the capabilities.
  std::function<std::string(DeviceKind, Precision)> unsupportedReason;
  /// More to show in `mlff-bench list` (label, text), e.g. the kernel sets of a flavour.
  std::function<std::vector<std::pair<std::string, std::string>>()> details;
  /// The model's export as TorchScript (workloads/torchscript/ModelExport.hpp), declared on the
  /// flavour whose computation it reproduces: registers the model's weights as buffers of `module`
  /// and defines its method atomic_energies_in(self, positions: Tensor (N,3) nm, numbers: Tensor
  /// (N) int, box: Tensor (3,3) nm, pbc: Tensor (3) bool) -> Tensor (N): each atom's energy (kJ/mol,
  /// dtype of positions; the export's energy is their sum), over the methods the export defines first
  /// (check_inputs, and neighbor_pairs(pos Å, box Å, pbc, cutoff Å) → pairs i < j and their shifts).
  /// Checks request.atoms when given; throws std::invalid_argument naming what the model cannot take.
  /// Returns what the export's description says of the model (weights, …), with cutoff_angstrom and
  /// interaction_steps (message-passing steps; the receptive field is their product). Empty: none.
  std::function<nlohmann::ordered_json(torch::jit::Module& module, const ExportRequest& request)> exporter;
};

using ModelRegistry = Registry<ModelEntry>;

/// The entry for model/flavor; throws std::invalid_argument listing what exists.
const ModelEntry& findModel(const std::string& model, const std::string& flavor);
/// The flavours registered for `model` (torchscript entries serve every model but are listed
/// only when asked for by name).
std::vector<const ModelEntry*> flavorsOf(const std::string& model);
/// The flavours a plan runs when none is asked for: flavorsOf(model) without the peers, or the
/// peers when the model has nothing else.
std::vector<const ModelEntry*> defaultFlavorsOf(const std::string& model);
/// Whether any entry is registered for `model`.
bool knownModel(const std::string& model);
/// Creates the flavour `options.flavor` of `model`; throws saying why when it is unavailable.
std::unique_ptr<Potential> createPotential(const std::string& model, const PotentialOptions& options);
/// Fills in the entry's physical defaults for the options the user left unset; false when the
/// entry has physical defaults but none could be found (the model then runs as it is, e.g. with
/// random weights), true otherwise.
bool applyPhysicalDefaults(const ModelEntry& entry, OptionValues& values);
/// Checks every option value the entry declares (type and range) and that no value is given
/// that the entry does not declare; throws std::invalid_argument naming the option.
void checkModelOptions(const ModelEntry& entry, const OptionValues& values);

}  // namespace mlffb
