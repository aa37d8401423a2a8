#pragma once
// The work of ANI-2x's native flavour on one kind of device, behind the stage driver
// (AniNative.cpp, which owns the ranges, species, units and FLOP counts). Kernel sets register
// per device kind beside their code — the CPU set in cpu/, a CUDA set in its own folder — the
// OpenMM habit of one Kernel per Platform: the driver never branches on the device.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/Registry.hpp"
#include "systems/Box.hpp"
#include "workloads/Potential.hpp"
#include "workloads/ani2x/AniModel.hpp"

namespace mlffb::ani {

/// What the last evaluation processed, for the analytic FLOP counts.
struct AniWorkCounts {
  long directedRadialPairs = 0;  // i→j and j→i both counted
  long angularTriples = 0;       // unordered neighbour pairs (j, k) of each centre i within Rca
  int aevWidth = kAevLength;     // AEV columns the first layer multiplies
};

class AniKernelSet {
 public:
  virtual ~AniKernelSet() = default;
  /// Binds to a system: the species index (0..6) of every atom. The first `centres` atoms get
  /// AEVs, energies and backward passes (all atoms when centres ≥ size); the rest are neighbours
  /// only (a subdomain's ghosts), still receiving forces.
  virtual void bind(const std::vector<int>& species, size_t centres) = 0;
  /// Pairs within the radial cutoff (minimum image when periodic), from the Verlet list when one
  /// was built.
  virtual void neighbors(const std::vector<Vec3>& positions, const std::optional<Box>& box) = 0;
  virtual void descriptor() = 0;
  /// Σ over atoms of the ensemble-mean network output, in Hartree (self energies excluded).
  virtual double networks() = 0;
  /// −∂(networks())/∂positions in Hartree/Å, from the last networks() call.
  virtual void backward(std::vector<Vec3>& forcesHartreePerA) = 0;
  virtual AniWorkCounts counts() const = 0;
  /// Candidate pairs within cutoff + skin; neighbors() filters them until the next build.
  virtual void buildVerletList(const std::vector<Vec3>& positions, const std::optional<Box>& box, double skin) = 0;
  virtual void clearVerletList() = 0;
  /// Device memory peaks (empty on the CPU) and their reset.
  virtual nlohmann::ordered_json memoryStats() const { return nlohmann::ordered_json::object(); }
  virtual void resetMemoryStats() {}
  /// Kernel sets on a device: positions from device memory (N × 3 doubles, Å) instead of the host
  /// vector, and −∂E/∂x · scale written to device memory instead of the host vector. deviceStream()
  /// is null for sets that have no device (then the *OnDevice calls are never made).
  virtual void* deviceStream() const { return nullptr; }
  /// Waits until the set's queued device work is done (nothing to wait for on the CPU): the driver
  /// calls it before a stage's range ends, so asynchronous work is timed in its own stage.
  virtual void synchronize() {}
  virtual void neighborsOnDevice(const double* /*dPositions*/, const std::optional<Box>& /*box*/) {
    throw std::logic_error("this kernel set has no device");
  }
  virtual void buildVerletListOnDevice(const double* /*dPositions*/, const std::optional<Box>& /*box*/, double /*skin*/) {
    throw std::logic_error("this kernel set has no device");
  }
  virtual void backwardOnDevice(double* /*dForces*/, double /*scale*/) { throw std::logic_error("this kernel set has no device"); }
  /// What the kernel set chose and grew to (list capacities, chunks, graphs), for the record's model section.
  virtual nlohmann::ordered_json details() const { return nlohmann::ordered_json::object(); }
  /// Where this set's stages hold more or less than their names say (stage → what), from what it
  /// has done so far: e.g. on a device with several chunks the AEV is computed inside `energy` and
  /// `forces`, and a list overflow re-runs neighbours and AEV inside `energy`. Empty when every
  /// stage holds exactly its own work.
  virtual nlohmann::ordered_json stageNotes() const { return nlohmann::ordered_json::object(); }
};

/// Creates a kernel set for the model in the run's precision on its device, with the run's
/// options (a kernel set's own, e.g. cuda_graph, come through there).
using AniKernelFactory = std::function<std::unique_ptr<AniKernelSet>(const AniModelData&, const PotentialOptions&)>;

/// A kernel set declares what it runs itself: its device kind (capabilities().devices, one kind),
/// its precisions (capabilities().precisions) and its own options (options: the run's values
/// reach create() through PotentialOptions). The native flavour's capabilities and options are the
/// union of its sets' (aniNativeCapabilities, aniKernelSetOptions).
struct AniKernelSetEntry : EntryInfo {
  AniKernelFactory create;
};
using AniKernelSetRegistry = Registry<AniKernelSetEntry>;

/// The available kernel set registered for a device kind, or nullptr.
const AniKernelSetEntry* aniKernelSetFor(DeviceKind device);
/// The union over the available kernel sets: their devices and precisions, a precision that only
/// some sets have restricted to their devices.
Capabilities aniNativeCapabilities();
/// Every registered kernel set's options (available or not: the option exists wherever its code does).
std::vector<OptionSpec> aniKernelSetOptions();
/// Why the native flavour cannot run `precision` on `device`, naming the kernel set that lacks
/// it; empty when it can (or when no set is there for the device: the device check says so).
std::string aniKernelSetLacks(DeviceKind device, Precision precision);

}  // namespace mlffb::ani
