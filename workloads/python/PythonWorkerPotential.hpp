#pragma once
// A Potential evaluated by a long-lived Python worker (scripts/peers/peer_worker.py, run by the
// project's .venv interpreter): for the peers whose package TorchScript cannot carry to C++
// (TorchMD-Net 3.1's models call warp-lang kernels registered as Python custom ops). The worker
// is started as core/Subprocess starts programs (it dies with its parent) and answers over one
// socket in peer_worker.py's binary protocol: positions and box as float64 in, energy, forces and
// the worker's own wall time of the model call out, so the protocol's cost is known apart.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/Registry.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

struct PythonWorkerSpec {
  std::string model, flavor;         // the registry's names (et, torchmd-net)
  nlohmann::ordered_json worker;     // peer_worker.py's SPEC without dtype and device (filled in here)
  PotentialOptions options;          // device, precision, seed, the entry's options
  /// Files written into the worker's own folder (its working directory, removed with it) before it
  /// starts, by name: what its SPEC names by a relative path (an export file).
  std::map<std::string, std::string> files;
};

/// Whether the project's Python environment imports `modules`, with the reason when not.
Availability pythonModulesAvailability(const std::vector<std::string>& modules);

/// What the worker measured of its last call, and what the round trip took here.
struct WorkerCallTimes {
  double modelSeconds = 0;      // the model call inside the worker
  double roundTripSeconds = 0;  // request written to reply read, here
};

class PythonWorkerPotential final : public Potential {
 public:
  /// Starts the worker and reads its description (which must give hyperparameters.cutoff_upper
  /// and num_layers); throws std::runtime_error with the worker's
  /// one-line reason when it cannot set the model up.
  explicit PythonWorkerPotential(PythonWorkerSpec spec);
  ~PythonWorkerPotential() override;

  std::string model() const override { return spec_.model; }
  std::string flavor() const override { return spec_.flavor; }
  Device device() const override { return spec_.options.device; }
  Precision precision() const override { return spec_.options.precision; }
  /// The worker's hyperparameters.cutoff_upper (Å).
  double cutoff() const override;
  /// A message-passing model of L layers after an embedding step, each of the cutoff: (L + 1)·cutoff.
  /// Both TorchMD-Net models the worker runs have one: the ET's neighbour embedding and TensorNet's
  /// TensorEmbedding each sum over the neighbours within the cutoff before the first layer.
  double receptiveField() const override;
  std::vector<std::string> stages() const override { return {"worker_call"}; }
  void setSystem(const System& s) override;
  /// The worker sums the owned atoms' per-atom energies (peer_worker.py's 'D' request).
  bool supportsSubdomain() const override { return true; }
  void setSubdomain(const System& s, size_t owned) override;
  EnergyForces compute(const std::vector<Vec3>& positions, const std::optional<Box>& box, bool wantForces) override;
  /// The worker times its PyTorch operators itself (peer_worker.py 'P'/'Q'), handed to torch-ops
  /// under the worker_call stage.
  bool timesOperatorsRemotely() const override { return true; }
  void beginRemoteOperators() override;
  nlohmann::ordered_json endRemoteOperators() override;
  /// The worker's description (package versions, hyper-parameters, weights) and the call times so far.
  nlohmann::ordered_json describe() const override;

  const WorkerCallTimes& lastCall() const { return last_; }

 private:
  struct Worker;
  /// One reply's payload; throws with the worker's error line (or its log's last line if it died).
  std::string readReply(const std::string& request);
  void send(const std::string& bytes, const std::string& request);
  /// Binds the atoms: request 'S' (the whole system) or 'D' (a subdomain of `owned` own atoms).
  void bind(const System& s, char kind, size_t owned);

  PythonWorkerSpec spec_;
  std::unique_ptr<Worker> worker_;
  nlohmann::ordered_json description_;
  double cutoff_ = 0;
  int layers_ = 0;
  size_t atoms_ = 0;
  WorkerCallTimes last_;
  WorkerCallTimes total_;
  long calls_ = 0;
};

}  // namespace mlffb
