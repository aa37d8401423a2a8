// ANI-2x native flavour: the stage driver. It owns what every device shares — the profiler
// ranges of the four stages, the species of the system, self energies, Hartree → kJ/mol and the
// analytic FLOP counts — and hands the work to the kernel set registered for the device.
#include "workloads/ani2x/AniNative.hpp"

#include <stdexcept>

#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniWorkload.hpp"

namespace mlffb {
namespace ani {

const AniKernelSetEntry* aniKernelSetFor(DeviceKind device) {
  for (const auto& e : AniKernelSetRegistry::instance().entries())
    if (e.device == device && e.available()) return &e;
  return nullptr;
}

}  // namespace ani

namespace {
using namespace ani;
using profilers::Range;

class AniNativePotential final : public Potential, public AniNativeStages, public DeviceResident {
 public:
  AniNativePotential(AniModelData data, const PotentialOptions& o, std::unique_ptr<AniKernelSet> kernels)
      : data_(std::move(data)), precision_(o.precision), device_(o.device), kernels_(std::move(kernels)) {
    // A set on a device queues its work: the neighbour and AEV ranges wait for it, or its time
    // would be booked to the energy stage, whose read-back waits (networks() and backward() sync).
    if (kernels_->deviceStream()) sync_ = [this] { kernels_->synchronize(); };
  }

  std::string model() const override { return "ani2x"; }
  std::string flavor() const override { return "native"; }
  Device device() const override { return device_; }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return data_.aev.Rcr; }
  nlohmann::ordered_json describe() const override {
    auto d = describeAni(data_, "native");
    d["hyperparameters"]["aev_active_columns"] = kernels_->counts().aevWidth;
    d["kernel_set"] = toString(device_.kind);
    if (auto k = kernels_->details(); !k.empty()) d["kernel_set_details"] = k;
    return d;
  }
  std::map<std::string, double> stageFlops() const override { return flops_; }
  nlohmann::ordered_json memoryStats() const override { return kernels_->memoryStats(); }
  void resetMemoryStats() override { kernels_->resetMemoryStats(); }

  void setSystem(const System& s) override { bind(s, s.size()); }
  bool supportsSubdomain() const override { return true; }
  void setSubdomain(const System& s, size_t owned) override { bind(s, owned); }

  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    const size_t n = pos.size();
    if (n != species_.size())
      throw std::invalid_argument("ani2x: " + std::to_string(n) + " positions for a system of " + std::to_string(species_.size()) + " atoms");
    EnergyForces out;
    {
      Range r("neighbors", stageSync());
      kernels_->neighbors(pos, box);
    }
    {
      Range r("descriptor", stageSync());
      kernels_->descriptor();
    }
    double energyHa = 0;
    {
      Range r("energy");
      energyHa = kernels_->networks();
    }
    out.energy = (energyHa + selfEnergy_) * units::kKJPerMolPerHartree;
    if (wantForces) {
      Range r("forces");
      kernels_->backward(out.forces);
      for (auto& f : out.forces) f *= units::kKJPerMolPerHartree;
    }
    countFlops(wantForces);
    return out;
  }

  bool acceptsNeighborList() const override { return true; }
  void buildNeighborList(const std::vector<Vec3>& pos, const std::optional<Box>& box, double skin) override {
    kernels_->buildVerletList(pos, box, skin);
  }
  void clearNeighborList() override { kernels_->clearVerletList(); }

  DeviceResident* deviceResident() override { return kernels_->deviceStream() ? this : nullptr; }
  void* stream() const override { return kernels_->deviceStream(); }
  double computeOnDevice(const double* dPositions, const std::optional<Box>& box, double* dForces) override {
    {
      Range r("neighbors", stageSync());
      kernels_->neighborsOnDevice(dPositions, box);
    }
    {
      Range r("descriptor", stageSync());
      kernels_->descriptor();
    }
    double energyHa = 0;
    {
      Range r("energy");
      energyHa = kernels_->networks();
    }
    {
      Range r("forces");
      kernels_->backwardOnDevice(dForces, units::kKJPerMolPerHartree);
    }
    countFlops(true);
    return (energyHa + selfEnergy_) * units::kKJPerMolPerHartree;
  }
  void buildNeighborListOnDevice(const double* dPositions, const std::optional<Box>& box, double skin) override {
    kernels_->buildVerletListOnDevice(dPositions, box, skin);
  }

  void stageNeighbors(const std::vector<Vec3>& pos, const std::optional<Box>& box) override { kernels_->neighbors(pos, box); }
  void stageDescriptor() override { kernels_->descriptor(); }
  double stageNetworks() override { return kernels_->networks(); }
  void stageBackward() override { kernels_->backward(benchForces_); }

 private:
  const std::function<void()>* stageSync() const { return sync_ ? &sync_ : nullptr; }

  /// Atoms 0..centres-1 carry energies (all of them, or a subdomain's owned atoms).
  void bind(const System& s, size_t centres) {
    species_ = speciesOfSystem(s);
    centres_ = std::min(centres, species_.size());
    selfEnergy_ = 0;
    for (size_t i = 0; i < centres_; ++i) selfEnergy_ += data_.selfEnergy[species_[i]];
    kernels_->bind(species_, centres_);
  }

  void countFlops(bool withForces) {
    const AniWorkCounts c = kernels_->counts();
    std::array<long, kSpecies> perSpecies{};
    for (size_t i = 0; i < centres_; ++i) ++perSpecies[species_[i]];
    flops_ = aniStageFlops(c.directedRadialPairs, c.angularTriples, perSpecies, withForces, c.aevWidth);
  }

  AniModelData data_;
  Precision precision_;
  Device device_;
  std::unique_ptr<AniKernelSet> kernels_;
  std::function<void()> sync_;  // the kernel set's synchronize(), for a set on a device
  std::vector<int> species_;
  size_t centres_ = 0;
  double selfEnergy_ = 0;  // Hartree
  std::vector<Vec3> benchForces_;
  std::map<std::string, double> flops_;
};

}  // namespace

std::unique_ptr<Potential> makeAniNative(const PotentialOptions& o) {
  const AniKernelSetEntry* set = aniKernelSetFor(o.device.kind);
  if (!set) throw std::invalid_argument("ani2x native flavour has no kernel set for device '" + o.device.str() + "' in this build");
  AniModelData data = loadAniModel(optionText(o.options, "weights"), o.seed, aniMemberOption(o));
  auto kernels = set->create(data, o);
  return makeAniNative(std::move(data), o, std::move(kernels));
}

std::unique_ptr<Potential> makeAniNative(ani::AniModelData data, const PotentialOptions& o, std::unique_ptr<ani::AniKernelSet> kernels) {
  return std::make_unique<AniNativePotential>(std::move(data), o, std::move(kernels));
}

}  // namespace mlffb
