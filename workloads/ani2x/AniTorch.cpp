// ANI-2x, torch flavour: TorchANI's structure in LibTorch operator by operator (see AniTorch.hpp).
#include "workloads/ani2x/AniTorch.hpp"

#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>

#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniTensors.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/torch/TorchRuntime.hpp"

namespace mlffb {
namespace {
using namespace ani;
using profilers::Range;
using torch::Tensor;
namespace idx = torch::indexing;

class AniTorchPotential final : public Potential {
 public:
  AniTorchPotential(AniModelData data, const PotentialOptions& o)
      : data_(std::move(data)), precision_(o.precision), deviceSpec_(o.device), rt_(o.device, o.precision), device_(rt_.device()),
        t_(AniTensors::from(data_, rt_)) {}

  std::string model() const override { return "ani2x"; }
  std::string flavor() const override { return "torch"; }
  Device device() const override { return deviceSpec_; }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return data_.aev.Rcr; }
  nlohmann::ordered_json describe() const override {
    auto d = describeAni(data_, "torch");
    d["libtorch"] = TORCH_VERSION;
    return d;
  }
  std::map<std::string, double> stageFlops() const override { return flops_; }

  void setSystem(const System& s) override {
    const std::vector<int> sp = speciesOfSystem(s);
    speciesHost_.assign(sp.begin(), sp.end());
    species_ = rt_.fromIndices(speciesHost_);
  }

  nlohmann::ordered_json memoryStats() const override { return rt_.memoryStats(); }
  void resetMemoryStats() override { rt_.resetMemoryStats(); }

  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    const int64_t n = static_cast<int64_t>(pos.size());
    if (n != species_.size(0))
      throw std::invalid_argument("ani2x: " + std::to_string(n) + " positions for a system of " + std::to_string(species_.size(0)) + " atoms");
    Tensor coords = rt_.positions(pos, 1.0, wantForces);
    Tensor cell;
    if (box) cell = rt_.box(*box, 1.0);
    // Periodic: map atoms into the central cell through fractional coordinates, as TorchANI's
    // map2central does (the shift is constant, so the gradient passes through unchanged).
    Tensor work = coords;
    if (box) work = coords - torch::floor(coords.detach().matmul(torch::inverse(cell))).matmul(cell);
    Tensor atomIndex12, shiftValues;
    {
      Range r("neighbors", rt_.sync());
      torch::NoGradGuard ng;
      std::tie(atomIndex12, shiftValues) = box ? neighborPairsPbc(work.detach(), cell) : neighborPairs(work.detach());
    }
    Tensor aev;
    {
      Range r("descriptor", rt_.sync());
      aev = computeAev(work, atomIndex12, shiftValues);
    }
    Tensor energy;
    {
      Range r("energy", rt_.sync());
      energy = ensembleEnergy(aev) + t_.selfEnergy.index_select(0, species_).sum();
    }
    EnergyForces out;
    out.energy = energy.item<double>() * units::kKJPerMolPerHartree;
    if (wantForces) {
      Range r("forces", rt_.sync());
      const Tensor grad = torch::autograd::grad({energy}, {coords})[0];
      out.forces = TorchRuntime::toVectors(grad, -units::kKJPerMolPerHartree);
    }
    flops_ = aniStageFlops(2 * lastPairs_, lastTriples_, speciesCounts(), wantForces);
    return out;
  }

 private:
  std::array<long, kSpecies> speciesCounts() const {
    std::array<long, kSpecies> c{};
    for (auto s : speciesHost_) ++c[s];
    return c;
  }

  Tensor longOpts() const { return torch::empty({0}, torch::TensorOptions().dtype(torch::kLong).device(device_)); }

  /// TorchANI neighbor_pairs_nopbc: all pairs from triu_indices, kept where distance ≤ Rcr.
  std::pair<Tensor, Tensor> neighborPairs(const Tensor& coords) const {
    const int64_t n = coords.size(0);
    Tensor p12 = torch::triu_indices(n, n, 1, torch::TensorOptions().dtype(torch::kLong).device(device_));
    Tensor dist = (coords.index_select(0, p12[0]) - coords.index_select(0, p12[1])).norm(2, -1);
    Tensor inCutoff = (dist <= data_.aev.Rcr).nonzero().flatten();
    Tensor atomIndex12 = p12.index_select(1, inCutoff);
    return {atomIndex12, torch::zeros({atomIndex12.size(1), 3}, coords.options())};
  }

  /// TorchANI compute_shifts + neighbor_pairs for any cell (rows of `cell` are the box vectors).
  std::pair<Tensor, Tensor> neighborPairsPbc(const Tensor& coords, const Tensor& cell) const {
    const int64_t n = coords.size(0);
    auto lopt = torch::TensorOptions().dtype(torch::kLong).device(device_);
    Tensor reciprocal = torch::inverse(cell).t();
    Tensor invDistances = reciprocal.norm(2, -1);
    Tensor repeats = torch::ceil(data_.aev.Rcr * invDistances).to(torch::kLong).cpu();
    auto range = [&](int k) { return torch::arange(1, repeats[k].item<int64_t>() + 1, lopt); };
    Tensor r1 = range(0), r2 = range(1), r3 = range(2), o = torch::zeros({1}, lopt);
    Tensor shifts = torch::cat({torch::cartesian_prod({r1, r2, r3}), torch::cartesian_prod({r1, r2, o}),
                                torch::cartesian_prod({r1, r2, -r3}), torch::cartesian_prod({r1, o, r3}),
                                torch::cartesian_prod({r1, o, o}), torch::cartesian_prod({r1, o, -r3}),
                                torch::cartesian_prod({r1, -r2, r3}), torch::cartesian_prod({r1, -r2, o}),
                                torch::cartesian_prod({r1, -r2, -r3}), torch::cartesian_prod({o, r2, r3}),
                                torch::cartesian_prod({o, r2, o}), torch::cartesian_prod({o, r2, -r3}),
                                torch::cartesian_prod({o, o, r3})});
    Tensor allAtoms = torch::arange(n, lopt);
    Tensor p12Center = torch::triu_indices(n, n, 1, lopt);
    Tensor shiftsCenter = torch::zeros({p12Center.size(1), 3}, lopt);
    Tensor prod = torch::cartesian_prod({torch::arange(shifts.size(0), lopt), allAtoms, allAtoms}).t();
    Tensor shiftsOutside = shifts.index_select(0, prod[0]);
    Tensor shiftsAll = torch::cat({shiftsCenter, shiftsOutside});
    Tensor p12All = torch::cat({p12Center, prod.slice(0, 1, 3)}, 1);
    Tensor shiftValues = shiftsAll.to(coords.scalar_type()).matmul(cell);
    Tensor dist = (coords.index_select(0, p12All[0]) - coords.index_select(0, p12All[1]) + shiftValues).norm(2, -1);
    Tensor inCutoff = (dist <= data_.aev.Rcr).nonzero().flatten();
    return {p12All.index_select(1, inCutoff), shiftValues.index_select(0, inCutoff)};
  }

  /// TorchANI triple_by_molecule: for every central atom, all unordered pairs of its neighbours.
  std::tuple<Tensor, Tensor, Tensor> tripleByMolecule(const Tensor& atomIndex12) const {
    auto lopt = torch::TensorOptions().dtype(torch::kLong).device(device_);
    Tensor ai1 = atomIndex12.reshape({-1});
    auto [sortedAi1, revIndices] = ai1.sort();
    auto [uniqued, inverse, counts] = torch::unique_consecutive(sortedAi1, false, true);
    Tensor pairSizes = torch::div(counts * (counts - 1), 2, "floor");
    Tensor pairIndices = torch::repeat_interleave(pairSizes);
    Tensor centralAtomIndex = uniqued.index_select(0, pairIndices);
    const int64_t m = counts.numel() ? counts.max().item<int64_t>() : 0;  // host sync, as in TorchANI
    const int64_t nc = pairSizes.size(0);
    Tensor intraPair = torch::tril_indices(m, m, -1, lopt).unsqueeze(1).expand({-1, nc, -1});
    Tensor mask = (torch::arange(intraPair.size(2), lopt) < pairSizes.unsqueeze(1)).flatten();
    Tensor sortedLocal12 = intraPair.flatten(1, 2).index({idx::Slice(), mask});
    Tensor cumsum = torch::cat({torch::zeros({1}, lopt), counts.cumsum(0).slice(0, 0, -1)});
    sortedLocal12 = sortedLocal12 + cumsum.index_select(0, pairIndices);
    Tensor local12 = revIndices.index({sortedLocal12});
    const int64_t np = atomIndex12.size(1);
    Tensor sign12 = (local12 < np).to(torch::kInt8) * 2 - 1;
    return {centralAtomIndex, torch::remainder(local12, np), sign12};
  }

  static Tensor cutoffCosine(const Tensor& d, double rc) { return 0.5 * torch::cos(d * (M_PI / rc)) + 0.5; }

  Tensor computeAev(const Tensor& coords, Tensor atomIndex12, Tensor shiftValues) {
    const int64_t n = coords.size(0);
    const auto& p = data_.aev;
    Tensor species12 = species_.index({atomIndex12});
    Tensor sel = coords.index_select(0, atomIndex12.reshape({-1})).view({2, -1, 3});
    Tensor vec = sel[0] - sel[1] + shiftValues;
    Tensor distances = vec.norm(2, -1);
    lastPairs_ = distances.size(0);
    // Radial.
    Tensor radialTerms = 0.25 * torch::exp(-p.EtaR * (distances.unsqueeze(-1) - t_.ShfR).pow(2)) *
                         cutoffCosine(distances, p.Rcr).unsqueeze(-1);
    Tensor radial = torch::zeros({n * kSpecies, kRadialShifts}, coords.options());
    Tensor index12 = atomIndex12 * kSpecies + species12.flip(0);
    radial.index_add_(0, index12[0], radialTerms);
    radial.index_add_(0, index12[1], radialTerms);
    radial = radial.reshape({n, kRadialLength});
    // Angular.
    Tensor closer = (distances <= p.Rca).nonzero().flatten();
    atomIndex12 = atomIndex12.index_select(1, closer);
    species12 = species12.index_select(1, closer);
    vec = vec.index_select(0, closer);
    auto [central, pairIndex12, sign12] = tripleByMolecule(atomIndex12);
    lastTriples_ = central.size(0);
    Tensor species12Small = species12.index({idx::Slice(), pairIndex12});
    Tensor vec12 = vec.index_select(0, pairIndex12.reshape({-1})).view({2, -1, 3}) * sign12.unsqueeze(-1);
    Tensor species12_ = torch::where(sign12 == 1, species12Small[1], species12Small[0]);
    Tensor distances12 = vec12.norm(2, -1);
    Tensor cosAngles = 0.95 * torch::cosine_similarity(vec12[0], vec12[1], -1);
    Tensor angles = torch::acos(cosAngles);
    Tensor fcj12 = cutoffCosine(distances12, p.Rca);
    Tensor factor1 = torch::pow((1 + torch::cos(angles.view({-1, 1, 1}) - t_.ShfZ)) / 2, p.Zeta);
    Tensor factor2 = torch::exp(-p.EtaA * (distances12.sum(0).view({-1, 1, 1}) / 2 - t_.ShfA).pow(2));
    Tensor angularTerms = (2 * factor1 * factor2 * fcj12.prod(0).view({-1, 1, 1})).flatten(1);
    Tensor angular = torch::zeros({n * kSpeciesPairs, kAngularSub}, coords.options());
    Tensor index = central * kSpeciesPairs + t_.triuIndex.index({species12_[0], species12_[1]});
    angular.index_add_(0, index, angularTerms);
    angular = angular.reshape({n, kSpeciesPairs * kAngularSub});
    return torch::cat({radial, angular}, -1);
  }

  /// TorchANI Ensemble of ANIModel: per member, per species: nonzero, index_select, MLP, masked_scatter.
  Tensor ensembleEnergy(const Tensor& aev) {
    Tensor total = torch::zeros({}, aev.options());
    for (int m = 0; m < kMembers; ++m) {
      Tensor output = torch::zeros({aev.size(0)}, aev.options());
      for (int s = 0; s < kSpecies; ++s) {
        Tensor mask = species_ == s;
        Tensor midx = mask.nonzero().flatten();
        if (midx.size(0) == 0) continue;
        Tensor x = aev.index_select(0, midx);
        for (const auto& L : t_.nets[m][s]) {
          x = torch::addmm(L.b, x, L.w.t());
          if (L.celu) x = torch::celu(x, kCeluAlpha);
        }
        output = output.masked_scatter(mask, x.flatten());
      }
      total = total + output.sum();
    }
    return total / kMembers;
  }

  AniModelData data_;
  Precision precision_;
  Device deviceSpec_;
  TorchRuntime rt_;
  torch::Device device_;
  AniTensors t_;
  Tensor species_;
  std::vector<int64_t> speciesHost_;
  long lastPairs_ = 0, lastTriples_ = 0;
  std::map<std::string, double> flops_;
};

}  // namespace

std::unique_ptr<Potential> makeAniTorch(const PotentialOptions& o) {
  AniModelData data = loadAniModel(optionText(o.options, "weights"), o.seed, aniMemberOption(o));
  return std::make_unique<AniTorchPotential>(std::move(data), o);
}

}  // namespace mlffb
