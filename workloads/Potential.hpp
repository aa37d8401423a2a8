#pragma once
// A potential energy model: positions (Å) → energy (kJ/mol) and forces (kJ/mol/Å), with its
// stages marked by profilers::Range scopes. A periodic box (triclinic, reduced) is honoured by
// every implementation.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/Axes.hpp"
#include "core/Options.hpp"
#include "systems/Box.hpp"
#include "systems/System.hpp"

namespace mlffb {

struct PotentialOptions {
  std::string flavor;
  Device device;
  Precision precision = Precision::Float32;
  std::uint64_t seed = 42;  // random weights, when the model uses them
  OptionValues options;     // the model's own options (declared by its registry entry), by key
};

struct EnergyForces {
  double energy = 0;          // kJ/mol
  std::vector<Vec3> forces;   // kJ/mol/Å, input atom order
};

/// What a potential that computes on a CUDA device offers an engine that keeps its own state there
/// (positions, velocities, forces): evaluations from and into device memory, no host round trip.
class DeviceResident {
 public:
  virtual ~DeviceResident() = default;
  /// The cudaStream_t the potential computes on; the engine orders its kernels on it.
  virtual void* stream() const = 0;
  /// Energy (kJ/mol) of the positions at dPositions (N × 3 doubles, Å, device memory); the forces
  /// (kJ/mol/Å) are written to dForces (N × 3 doubles, device) on stream() before it returns.
  virtual double computeOnDevice(const double* dPositions, const std::optional<Box>& box, double* dForces) = 0;
  /// Potential::buildNeighborList from device positions.
  virtual void buildNeighborListOnDevice(const double* dPositions, const std::optional<Box>& box, double skin) = 0;
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual std::string model() const = 0;
  virtual std::string flavor() const = 0;
  virtual Device device() const { return Device::cpu(); }
  virtual Precision precision() const = 0;
  /// Largest interaction cutoff, Å.
  virtual double cutoff() const = 0;
  virtual std::vector<std::string> stages() const { return {"neighbors", "descriptor", "energy", "forces"}; }
  /// Binds the model to a system's atoms; throws std::invalid_argument naming an unsupported atom.
  virtual void setSystem(const System& s) = 0;
  /// One evaluation; forces only when asked (the `forces` stage is skipped otherwise).
  virtual EnergyForces compute(const std::vector<Vec3>& positions, const std::optional<Box>& box, bool wantForces) = 0;
  /// Hyper-parameters and weights provenance for reports.
  virtual nlohmann::ordered_json describe() const = 0;
  /// Analytic floating-point operations of the last compute(), per stage.
  virtual std::map<std::string, double> stageFlops() const { return {}; }
  /// Device memory peaks since the last reset, the same keys for every flavour on a device
  /// (e.g. cuda_allocated_peak_bytes); empty on the CPU.
  virtual nlohmann::ordered_json memoryStats() const { return nlohmann::ordered_json::object(); }
  /// Resets peak-memory statistics before a measured run.
  virtual void resetMemoryStats() {}

  /// Potentials that can reuse a Verlet list: build candidate pairs within cutoff + skin now;
  /// later compute() calls take their pairs from it (filtered to the cutoff) until the next
  /// build. The caller rebuilds before any atom has moved more than skin / 2.
  virtual bool acceptsNeighborList() const { return false; }
  virtual void buildNeighborList(const std::vector<Vec3>& /*positions*/, const std::optional<Box>& /*box*/,
                                 double /*skin*/) {}
  virtual void clearNeighborList() {}
  /// The device-memory interface when this potential computes on a CUDA device and offers it.
  virtual DeviceResident* deviceResident() { return nullptr; }
  /// A potential that evaluates in another process (a Python worker) can time its framework
  /// operators there (the torch-ops collector): begin, and end returning {stage: {operator:
  /// {calls, self_ms, total_ms[, flops, bytes]}}} summed over the evaluations since begin.
  virtual bool timesOperatorsRemotely() const { return false; }
  virtual void beginRemoteOperators() {}
  virtual nlohmann::ordered_json endRemoteOperators() { return nlohmann::ordered_json::object(); }

  /// Domain decomposition (LAMMPS ranks). How far (Å) the energy of one atom reaches: T·R for a
  /// model of T message-passing steps of cutoff R (ANI-2x: its radial cutoff). A rank that holds
  /// every atom within this distance of its own as ghosts computes its own atoms' energies exactly.
  virtual double receptiveField() const { return cutoff(); }
  /// Whether setSubdomain() is implemented.
  virtual bool supportsSubdomain() const { return false; }
  /// Binds to one rank's subdomain: the system's first `owned` atoms are the rank's own, the rest
  /// are ghosts (explicit images: the system has no box). compute() then returns the sum of the
  /// owned atoms' energies and −∇ of that sum with respect to every atom, ghosts included (their
  /// forces go back to their owners through the engine's reverse communication).
  virtual void setSubdomain(const System& s, size_t owned) {
    (void)s;
    (void)owned;
    throw std::logic_error(model() + "/" + flavor() + " cannot evaluate a subdomain (owned + ghost atoms)");
  }
};

}  // namespace mlffb
