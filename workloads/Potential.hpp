#pragma once
// A potential energy model: positions (Å) → energy (kJ/mol) and forces (kJ/mol/Å), with its
// stages marked by profilers::Range scopes.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "systems/System.hpp"

namespace mlffb {

enum class Precision { Float32, Float64 };
Precision parsePrecision(const std::string& s);
std::string toString(Precision p);

struct PotentialOptions {
  std::string flavor;
  std::string device = "cpu";  // "cpu" or "cuda" / "cuda:N"
  Precision precision = Precision::Float32;
  std::string weightsDir;      // empty: deterministic random weights from `seed`
  std::uint64_t seed = 42;
  std::map<std::string, std::string> extra;  // model-specific settings
};

struct EnergyForces {
  double energy = 0;          // kJ/mol
  std::vector<Vec3> forces;   // kJ/mol/Å, input atom order
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual std::string model() const = 0;
  virtual std::string flavor() const = 0;
  virtual std::string device() const { return "cpu"; }
  virtual Precision precision() const = 0;
  /// Largest interaction cutoff, Å.
  virtual double cutoff() const = 0;
  virtual std::vector<std::string> stages() const { return {"neighbors", "descriptor", "energy", "forces"}; }
  /// Binds the model to a system's atoms; throws std::invalid_argument naming an unsupported atom.
  virtual void setSystem(const System& s) = 0;
  /// One evaluation; forces only when asked (the `forces` stage is skipped otherwise).
  virtual EnergyForces compute(const std::vector<Vec3>& positions, const std::optional<Vec3>& box,
                               bool wantForces) = 0;
  /// Hyper-parameters and weights provenance for reports.
  virtual nlohmann::ordered_json describe() const = 0;
  /// Analytic floating-point operations of the last compute(), per stage.
  virtual std::map<std::string, double> stageFlops() const { return {}; }
  /// Device memory statistics of the model, if it has any (e.g. CUDA allocator peaks).
  virtual nlohmann::ordered_json memoryStats() const { return nlohmann::ordered_json::object(); }
  /// Resets peak-memory statistics before a measured run.
  virtual void resetMemoryStats() {}

  /// Potentials that can reuse a Verlet list: build candidate pairs within cutoff + skin now;
  /// later compute() calls take their pairs from it (filtered to the cutoff) until the next
  /// build. The caller rebuilds before any atom has moved more than skin / 2.
  virtual bool acceptsNeighborList() const { return false; }
  virtual void buildNeighborList(const std::vector<Vec3>& /*positions*/, const std::optional<Vec3>& /*box*/,
                                 double /*skin*/) {}
  virtual void clearNeighborList() {}
};

}  // namespace mlffb
