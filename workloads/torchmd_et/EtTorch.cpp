// TorchMD-Net ET, torch flavour: torchmd_et.py in LibTorch operator by operator (see EtTorch.hpp).
#include "workloads/torchmd_et/EtTorch.hpp"

#include <torch/torch.h>

#include <stdexcept>

#include "profilers/Range.hpp"
#include "workloads/torch/TorchRuntime.hpp"
#include "workloads/torchmd_et/EtModel.hpp"
#include "workloads/torchmd_et/EtTensors.hpp"

namespace mlffb {
namespace {
using namespace et;
using profilers::Range;
using torch::Tensor;

class EtTorchPotential final : public Potential, public EtFeatureAccess {
 public:
  EtTorchPotential(EtWeights w, const PotentialOptions& o)
      : w_(std::move(w)), precision_(o.precision), deviceSpec_(o.device), rt_(o.device, o.precision), t_(EtTensors::from(w_, rt_)) {}

  std::string model() const override { return "et"; }
  std::string flavor() const override { return "torch"; }
  Device device() const override { return deviceSpec_; }
  nlohmann::ordered_json memoryStats() const override { return rt_.memoryStats(); }
  void resetMemoryStats() override { rt_.resetMemoryStats(); }
  Precision precision() const override { return precision_; }
  double cutoff() const override { return w_.config.cutoffUpper; }
  nlohmann::ordered_json describe() const override {
    return {{"name", "et"}, {"flavor", "torch"}, {"hyperparameters", w_.config.toJson()},
            {"weights", {{"source", "random(seed=" + std::to_string(w_.seed) + ")"}}}};
  }
  std::map<std::string, double> stageFlops() const override { return flops_; }

  /// The embedding is one message-passing step and each attention layer another, all of
  /// cutoff R: an atom's energy reaches (layers + 1)·R.
  double receptiveField() const override { return (w_.config.numLayers + 1) * w_.config.cutoffUpper; }
  bool supportsSubdomain() const override { return true; }
  void setSubdomain(const System& s, size_t owned) override {
    setSystem(s);
    owned_ = static_cast<int64_t>(std::min(owned, s.size()));
  }

  void setSystem(const System& s) override {
    owned_ = static_cast<int64_t>(s.size());
    const std::vector<int> z = etAtomicNumbers(s, w_.config);
    z_ = rt_.fromIndices(std::vector<int64_t>(z.begin(), z.end()));
  }

  std::vector<double> lastVectorFeatures() const override {
    Tensor t = lastVec_.to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  }

  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) override {
    const int64_t n = static_cast<int64_t>(pos.size());
    if (n != z_.size(0)) throw std::invalid_argument("et: " + std::to_string(n) + " positions for a system of " + std::to_string(z_.size(0)) + " atoms");
    const EtConfig& c = w_.config;
    const int64_t H = c.hiddenChannels, nh = c.numHeads, hd = H / nh;
    Tensor coords = rt_.positions(pos, 1.0, wantForces);

    Tensor src, tgt, shift;
    {
      Range r("neighbors", rt_.sync());
      const EdgeList e = buildEdges(pos, box, c);
      const int64_t E = static_cast<int64_t>(e.source.size());
      std::vector<int64_t> s(e.source.begin(), e.source.end()), t(e.target.begin(), e.target.end());
      std::vector<double> sh(static_cast<size_t>(E) * 3);
      for (int64_t q = 0; q < E; ++q) {  // periodic image shift: edge vector minus raw difference
        const Vec3 raw = pos[e.source[q]] - pos[e.target[q]];
        for (int k = 0; k < 3; ++k) sh[3 * q + k] = e.vec[q][k] - raw[k];
      }
      src = rt_.fromIndices(s);
      tgt = rt_.fromIndices(t);
      shift = rt_.fromDoubles(sh, {E, 3});
    }
    Tensor x, vec;
    const int64_t E = src.size(0);
    {
      Range r("descriptor", rt_.sync());
      // Edge geometry: self loops (the first n edges) have r = 0 and no direction.
      Tensor edgeVec = coords.index_select(0, src) - coords.index_select(0, tgt) + shift;
      Tensor other = edgeVec.slice(0, n, E);
      Tensor otherDist = other.norm(2, -1);
      Tensor dist = torch::cat({torch::zeros({n}, opts()), otherDist});
      Tensor dir = torch::cat({torch::zeros({n, 3}, opts()), other / otherDist.unsqueeze(1)});
      Tensor cut = cosineCutoff(dist);
      Tensor attr = cut.unsqueeze(1) *
                    torch::exp(-t_.betas * (torch::exp(w_.rbfAlpha * (c.cutoffLower - dist.unsqueeze(1))) - t_.means).pow(2));
      // Embedding + neighbour embedding (TorchMD-Net's NeighborEmbedding, self loops removed).
      x = t_.emb1.index_select(0, z_);
      Tensor srcNs = src.slice(0, n, E), tgtNs = tgt.slice(0, n, E);
      Tensor W = t_.distanceProj(attr.slice(0, n, E)) * cut.slice(0, n, E).unsqueeze(1);
      Tensor xNeighbors = t_.emb2.index_select(0, z_).index_select(0, srcNs) * W;
      Tensor agg = torch::zeros({n, H}, opts()).index_add_(0, tgtNs, xNeighbors);
      x = t_.combine(torch::cat({x, agg}, 1));
      vec = torch::zeros({n, 3, H}, opts());
      for (const auto& L : t_.layers) {
        Tensor xn = torch::layer_norm(x, {H}, L.lnW, L.lnB, kLayerNormEps);
        Tensor q = L.q(xn).reshape({-1, nh, hd});
        Tensor k = L.k(xn).reshape({-1, nh, hd});
        Tensor v = L.v(xn).reshape({-1, nh, 3 * hd});
        auto vp = torch::split(L.vecProj(vec), H, -1);
        Tensor vecR = vec.reshape({-1, 3, nh, hd});
        Tensor vecDot = (vp[0] * vp[1]).sum(1);
        Tensor dk = torch::silu(L.dk(attr)).reshape({-1, nh, hd});
        Tensor dv = torch::silu(L.dv(attr)).reshape({-1, nh, 3 * hd});
        // propagate: gather, message, scatter-add at the target atom.
        Tensor qi = q.index_select(0, tgt), kj = k.index_select(0, src), vj = v.index_select(0, src);
        Tensor vecj = vecR.index_select(0, src);
        Tensor attn = torch::silu((qi * kj * dk).sum(-1));
        Tensor c1 = cut.unsqueeze(1);
        if (c.vectorCutoff)
          vj = vj * c1.unsqueeze(2);
        else
          attn = attn * c1;
        vj = vj * dv;
        auto parts = torch::split(vj, hd, 2);
        Tensor xm = parts[0] * attn.unsqueeze(2);
        Tensor vm = vecj * parts[1].unsqueeze(1) + parts[2].unsqueeze(1) * dir.unsqueeze(2).unsqueeze(3);
        Tensor xa = torch::zeros({n, nh, hd}, opts()).index_add_(0, tgt, xm).reshape({-1, H});
        Tensor va = torch::zeros({n, 3, nh, hd}, opts()).index_add_(0, tgt, vm).reshape({-1, 3, H});
        auto o = torch::split(L.o(xa), H, 1);
        x = x + (vecDot * o[1] + o[2]);
        vec = vec + (vp[2] * o[0].unsqueeze(1) + va);
      }
      x = torch::layer_norm(x, {H}, t_.outW, t_.outB, kLayerNormEps);
      lastVec_ = vec.detach();
    }
    Tensor energy;
    {
      Range r("energy", rt_.sync());
      Tensor hx = x, hv = vec;
      for (const auto& b : t_.head) {
        Tensor v1 = torch::norm(b.vec1(hv), 2, {-2});
        Tensor v2 = b.vec2(hv);
        auto u = torch::split(b.update2(torch::silu(b.update1(torch::cat({hx, v1}, -1)))), b.out, -1);
        hx = u[0];
        hv = u[1].unsqueeze(1) * v2;
        if (b.act) hx = torch::silu(hx);
      }
      // Atomic energies of the owned atoms (all of them outside a subdomain).
      energy = (hx + hv.sum() * 0).slice(0, 0, owned_).sum();
    }
    EnergyForces out;
    out.energy = energy.item<double>();
    if (wantForces) {
      Range r("forces", rt_.sync());
      out.forces = TorchRuntime::toVectors(torch::autograd::grad({energy}, {coords})[0], -1.0);
    }
    flops_ = etStageFlops(c, n, E, wantForces);
    return out;
  }

 private:
  torch::TensorOptions opts() const { return rt_.options(); }
  Tensor cosineCutoff(const Tensor& d) const {
    const double u = w_.config.cutoffUpper;
    return 0.5 * (torch::cos(d * (M_PI / u)) + 1.0) * (d < u).to(d.scalar_type());
  }

  EtWeights w_;
  Precision precision_;
  Device deviceSpec_;
  TorchRuntime rt_;
  int64_t owned_ = 0;
  EtTensors t_;
  Tensor z_, lastVec_;
  std::map<std::string, double> flops_;
};

}  // namespace

std::unique_ptr<Potential> makeEtTorch(const PotentialOptions& o) {
  const EtConfig c = EtConfig::fromSettings(o.options);
  return std::make_unique<EtTorchPotential>(randomEtWeights(c, o.seed), o);
}

}  // namespace mlffb
