#include "workloads/ani2x/AniReference.hpp"

#include <cmath>
#include <stdexcept>

#include "core/Units.hpp"

namespace mlffb::ani {
namespace {

struct Neighbor {
  int j;
  Vec3 d;  // r_j (image) − r_i
  double r;
};

double cutoffCosine(double r, double rc) { return r <= rc ? 0.5 * std::cos(kPi * r / rc) + 0.5 : 0.0; }

/// All images of every atom within `rc` of atom i (an atom's own images included, itself not).
std::vector<Neighbor> neighborsOf(int i, const std::vector<Vec3>& pos, const std::optional<Box>& box, double rc) {
  std::vector<Neighbor> out;
  int reach[3] = {0, 0, 0};
  if (box) {
    const Vec3 w = box->widths();
    for (int k = 0; k < 3; ++k) reach[k] = static_cast<int>(std::ceil(rc / w[k])) + 1;
  }
  for (int j = 0; j < static_cast<int>(pos.size()); ++j)
    for (int na = -reach[0]; na <= reach[0]; ++na)
      for (int nb = -reach[1]; nb <= reach[1]; ++nb)
        for (int nc = -reach[2]; nc <= reach[2]; ++nc) {
          if (j == i && na == 0 && nb == 0 && nc == 0) continue;
          Vec3 d = pos[j] - pos[i];
          if (box) d += box->a * na + box->b * nb + box->c * nc;
          const double r = norm(d);
          if (r <= rc) out.push_back({j, d, r});
        }
  return out;
}

double celu(double x) { return x > 0 ? x : kCeluAlpha * (std::exp(x / kCeluAlpha) - 1.0); }

class AniReference final : public Potential {
 public:
  explicit AniReference(AniModelData d) : data_(std::move(d)) {}
  std::string model() const override { return "ani2x"; }
  std::string flavor() const override { return "reference"; }
  Precision precision() const override { return Precision::Float64; }
  double cutoff() const override { return data_.aev.Rcr; }
  nlohmann::ordered_json describe() const override { return {{"name", "ani2x"}, {"flavor", "reference"}}; }
  void setSystem(const System& s) override { species_ = speciesOfSystem(s); }

  EnergyForces compute(const std::vector<Vec3>& unwrapped, const std::optional<Box>& box, bool) override {
    const auto& p = data_.aev;
    // Inside the cell every fractional difference is below 1, so the image loops above reach far enough.
    std::vector<Vec3> pos = unwrapped;
    if (box)
      for (auto& r : pos) r = box->wrap(r);
    double energy = 0;
    for (int i = 0; i < static_cast<int>(pos.size()); ++i) {
      std::vector<double> aev(kAevLength, 0.0);
      const auto nb = neighborsOf(i, pos, box, p.Rcr);
      for (const auto& n : nb)
        for (int k = 0; k < kRadialShifts; ++k)
          aev[species_[n.j] * kRadialShifts + k] +=
              0.25 * std::exp(-p.EtaR * (n.r - p.ShfR[k]) * (n.r - p.ShfR[k])) * cutoffCosine(n.r, p.Rcr);
      std::vector<Neighbor> close;
      for (const auto& n : nb)
        if (n.r <= p.Rca) close.push_back(n);
      for (size_t a = 0; a < close.size(); ++a)
        for (size_t b = a + 1; b < close.size(); ++b) {
          const Neighbor &u = close[a], &v = close[b];
          const double theta = std::acos(0.95 * dot(u.d, v.d) / (u.r * v.r));
          const double fc = cutoffCosine(u.r, p.Rca) * cutoffCosine(v.r, p.Rca);
          const int base = kRadialLength + pairIndex(species_[u.j], species_[v.j]) * kAngularSub;
          for (int s = 0; s < kAngularShifts; ++s)
            for (int z = 0; z < kAngleSections; ++z) {
              const double f1 = std::pow((1.0 + std::cos(theta - p.ShfZ[z])) / 2.0, p.Zeta);
              const double x = 0.5 * (u.r + v.r) - p.ShfA[s];
              aev[base + s * kAngleSections + z] += 2.0 * f1 * std::exp(-p.EtaA * x * x) * fc;
            }
        }
      double mean = 0;
      for (int m = 0; m < kMembers; ++m) {
        std::vector<double> x = aev;
        for (const DenseLayer& L : data_.networks[m][species_[i]]) {
          std::vector<double> y(L.out);
          for (int o = 0; o < L.out; ++o) {
            double acc = L.bias[o];
            for (int q = 0; q < L.in; ++q) acc += L.weight[static_cast<size_t>(o) * L.in + q] * x[q];
            y[o] = L.celu ? celu(acc) : acc;
          }
          x = std::move(y);
        }
        mean += x[0] / kMembers;
      }
      energy += mean + data_.selfEnergy[species_[i]];
    }
    return {energy * units::kKJPerMolPerHartree, {}};
  }

 private:
  AniModelData data_;
  std::vector<int> species_;
};

}  // namespace

std::unique_ptr<Potential> makeAniReference(AniModelData data) { return std::make_unique<AniReference>(std::move(data)); }

}  // namespace mlffb::ani
