// A peer flavour's files, one per periodicity, loaded as the systems ask (PeerFilePotential.hpp).
#include "workloads/peers/PeerFilePotential.hpp"

#include <array>
#include <stdexcept>

namespace mlffb {
namespace {

class PeerFilePotential final : public Potential {
 public:
  PeerFilePotential(PeerFileSpec spec, const PotentialOptions& o) : spec_(std::move(spec)), options_(o) {}

  std::string model() const override { return spec_.model; }
  std::string flavor() const override { return spec_.flavor; }
  Device device() const override { return options_.device; }
  Precision precision() const override { return options_.precision; }
  double cutoff() const override { return spec_.cutoff; }
  double receptiveField() const override { return spec_.receptiveField > 0 ? spec_.receptiveField : spec_.cutoff; }
  std::vector<std::string> stages() const override { return {"energy", "forces"}; }
  nlohmann::ordered_json memoryStats() const override { return last_ ? last_->memoryStats() : nlohmann::ordered_json::object(); }
  void resetMemoryStats() override {
    if (last_) last_->resetMemoryStats();
  }
  nlohmann::ordered_json describe() const override { return last_ ? last_->describe() : spec_.description(); }

  void setSystem(const System& s) override {
    system_ = s;
    subdomain_ = false;
    bound_ = {false, false};
    bind(s.box.has_value());
  }
  /// The vacuum file's per-atom energies (the packages' files carry the subdomain contract).
  bool supportsSubdomain() const override { return true; }
  void setSubdomain(const System& s, size_t owned) override {
    system_ = s;
    bound_ = {true, false};  // the vacuum file is bound here, to the subdomain; the periodic one to nothing
    if (!inner_[0]) inner_[0] = spec_.load(false);
    inner_[0]->setSubdomain(s, owned);
    last_ = inner_[0].get();
    subdomain_ = true;
  }
  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    if (!last_) throw std::logic_error(spec_.model + "/" + spec_.flavor + ": compute before setSystem");
    if (subdomain_ && box) throw std::logic_error(spec_.model + "/" + spec_.flavor + ": a subdomain has no box (explicit ghost atoms)");
    return bind(box.has_value()).compute(pos, box, wantForces);
  }

 private:
  /// The potential of the file for `periodic`, loaded and bound to the system.
  Potential& bind(bool periodic) {
    if (!inner_[periodic]) inner_[periodic] = spec_.load(periodic);
    if (!bound_[periodic]) inner_[periodic]->setSystem(system_);
    bound_[periodic] = true;
    last_ = inner_[periodic].get();
    return *last_;
  }

  PeerFileSpec spec_;
  PotentialOptions options_;
  System system_;
  std::array<std::unique_ptr<Potential>, 2> inner_;  // [periodic]: the vacuum and the periodic file
  std::array<bool, 2> bound_{false, false};
  bool subdomain_ = false;                             // bound to a subdomain (the vacuum file)
  Potential* last_ = nullptr;                          // the one used last (describe, memory)
};

}  // namespace

std::unique_ptr<Potential> makePeerFilePotential(PeerFileSpec spec, const PotentialOptions& options) {
  return std::make_unique<PeerFilePotential>(std::move(spec), options);
}

}  // namespace mlffb
