#pragma once
// Where the native engine's state lives while it integrates: the host (HostDynamics in
// NativeEngine.cpp, any potential) or a CUDA device (cuda/DeviceDynamics.cu, for potentials that
// offer DeviceResident): positions, velocities and forces stay there between steps, and only what
// the reporting needs (energies, the Verlet-list displacement check, trace frames) comes back.
// The step loop, blow-up detection and traces are written once, against this interface.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "systems/Box.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

class Dynamics {
 public:
  virtual ~Dynamics() = default;
  /// v += F · dt/2 · (force → acceleration) / m, with the forces of the last compute().
  virtual void halfKick(double dt) = 0;
  /// x += v · h.
  virtual void drift(double h) = 0;
  /// Ornstein–Uhlenbeck step of BAOAB: v = c1 v + c2 σ_i ξ (ξ standard normal per component).
  virtual void thermostat(double c1, double c2) = 0;
  /// Largest squared displacement since the last markListOrigin() (Å²).
  virtual double maxDisplacement2() = 0;
  virtual void markListOrigin() = 0;
  virtual void buildNeighborList(const std::optional<Box>& box, double skin) = 0;
  /// Energy (kJ/mol) at the current positions; the forces are kept for halfKick().
  virtual double compute(const std::optional<Box>& box) = 0;
  /// Kinetic energy, kJ/mol.
  virtual double kineticEnergy() = 0;
  /// Host copies (trace frames, blow-up reports).
  virtual std::vector<Vec3> positions() = 0;
  virtual std::vector<Vec3> velocities() = 0;
  virtual const char* where() const = 0;
};

/// Dynamics on the potential's CUDA device, from host positions and velocities and the masses
/// (amu); σ_i of the thermostat from temperatureK; noise from `seed`. Null when this build has no
/// CUDA. Throws what CUDA refuses (out of memory as std::bad_alloc).
std::unique_ptr<Dynamics> makeDeviceDynamics(DeviceResident& potential, const std::vector<Vec3>& positions,
                                             const std::vector<Vec3>& velocities, const std::vector<double>& masses,
                                             double temperatureK, std::uint64_t seed);

}  // namespace mlffb
