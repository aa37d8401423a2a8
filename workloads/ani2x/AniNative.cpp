// ANI-2x native flavour: the stage driver. It owns what every device shares — the profiler
// ranges of the four stages, the species of the system, self energies, Hartree → kJ/mol and the
// analytic FLOP counts — and hands the work to the kernel set registered for the device.
#include "workloads/ani2x/AniNative.hpp"

#include <algorithm>
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
    if (e.available() && e.capabilities().supports(device)) return &e;
  return nullptr;
}

Capabilities aniNativeCapabilities() {
  Capabilities all;
  all.devices.clear();
  all.precisions.clear();
  std::vector<std::pair<Precision, DeviceKind>> where;  // every (precision, device) some set runs
  for (const auto& e : AniKernelSetRegistry::instance().entries()) {
    if (!e.available()) continue;
    const Capabilities c = e.capabilities();
    for (DeviceKind d : c.devices) {
      if (!all.supports(d)) all.devices.push_back(d);
      for (Precision p : c.precisions) {
        if (!all.supports(p)) all.precisions.push_back(p);
        where.emplace_back(p, d);
      }
    }
  }
  for (Precision p : all.precisions) {
    const bool everywhere = std::all_of(all.devices.begin(), all.devices.end(), [&](DeviceKind d) {
      return std::find(where.begin(), where.end(), std::make_pair(p, d)) != where.end();
    });
    if (!everywhere)
      for (const auto& [q, d] : where)
        if (q == p) all.precisionOnlyOn.emplace_back(q, d);
  }
  return all;
}

std::vector<OptionSpec> aniKernelSetOptions() {
  std::vector<OptionSpec> out;
  for (const auto& e : AniKernelSetRegistry::instance().entries()) out.insert(out.end(), e.options.begin(), e.options.end());
  return out;
}

std::string aniKernelSetLacks(DeviceKind device, Precision precision) {
  const AniKernelSetEntry* set = aniKernelSetFor(device);
  if (!set) return "";
  const Capabilities c = set->capabilities();
  if (c.supports(precision)) return "";
  std::string others;
  for (const auto& e : AniKernelSetRegistry::instance().entries())
    if (e.available() && e.capabilities().supports(precision)) others += (others.empty() ? "" : ", ") + e.name;
  return "its " + set->name + " kernel set has no " + toString(precision) + " (it has: " + joinNames(c.precisions) + ")" +
         (others.empty() ? "" : "; kernel sets with " + toString(precision) + ": " + others);
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
    if (auto notes = kernels_->stageNotes(); !notes.empty()) d["stage_notes"] = notes;
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
    const std::function<void()> backward = [&] {
      kernels_->backward(out.forces);
      for (auto& f : out.forces) f *= units::kKJPerMolPerHartree;
    };
    out.energy = evaluate([&] { kernels_->neighbors(pos, box); }, wantForces ? &backward : nullptr);
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
    const std::function<void()> backward = [&] { kernels_->backwardOnDevice(dForces, units::kKJPerMolPerHartree); };
    return evaluate([&] { kernels_->neighborsOnDevice(dPositions, box); }, &backward);
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

  /// The stage sequence, written once for host- and device-resident evaluation: `neighbors`
  /// (from host or device positions), `descriptor`, `energy` and, when asked, `forces` (into host
  /// or device memory), each a range. Returns the energy in kJ/mol.
  double evaluate(const std::function<void()>& neighbors, const std::function<void()>* forces) {
    {
      Range r("neighbors", stageSync());
      neighbors();
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
    if (forces) {
      Range r("forces");
      (*forces)();
    }
    countFlops(forces != nullptr);
    return (energyHa + selfEnergy_) * units::kKJPerMolPerHartree;
  }

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
