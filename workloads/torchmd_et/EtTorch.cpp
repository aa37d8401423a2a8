#include "workloads/torchmd_et/EtTorch.hpp"

#include <torch/torch.h>

#include <stdexcept>

#include "profilers/Range.hpp"
#include "workloads/torch/TorchRuntime.hpp"
#include "workloads/torchmd_et/EtModel.hpp"

namespace mlffb {
namespace {
using namespace et;
using profilers::Range;
using torch::Tensor;

struct TLinear {
  Tensor w, b;  // b undefined: no bias
  Tensor operator()(const Tensor& x) const { return b.defined() ? torch::nn::functional::linear(x, w, b) : torch::nn::functional::linear(x, w); }
};

class EtTorchPotential final : public Potential, public EtFeatureAccess {
 public:
  EtTorchPotential(EtWeights w, const PotentialOptions& o)
      : w_(std::move(w)), precision_(o.precision), deviceSpec_(o.device), rt_(o.device, o.precision) {
    const EtConfig& c = w_.config;
    emb1_ = tensor(w_.embedding, {c.maxZ, c.hiddenChannels});
    emb2_ = tensor(w_.neighborEmbedding, {c.maxZ, c.hiddenChannels});
    distanceProj_ = lin(w_.distanceProj);
    combine_ = lin(w_.combine);
    for (const auto& L : w_.layers)
      layers_.push_back({tensor(L.norm.weight, {c.hiddenChannels}), tensor(L.norm.bias, {c.hiddenChannels}), lin(L.q), lin(L.k), lin(L.v),
                         lin(L.o), lin(L.vecProj), lin(L.dk), lin(L.dv)});
    outW_ = tensor(w_.outNorm.weight, {c.hiddenChannels});
    outB_ = tensor(w_.outNorm.bias, {c.hiddenChannels});
    for (const auto& b : w_.head) head_.push_back({lin(b.vec1), lin(b.vec2), lin(b.update1), lin(b.update2), b.scalarActivation, b.vec2.out});
    means_ = tensor(w_.rbfMeans, {c.numRbf});
    betas_ = tensor(w_.rbfBetas, {c.numRbf});
  }

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
    std::vector<int64_t> z(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.atoms[i].element <= 0 || s.atoms[i].element >= w_.config.maxZ)
        throw std::invalid_argument("ET: atom " + std::to_string(i + 1) + " has atomic number " +
                                    std::to_string(s.atoms[i].element) + " outside 1.." + std::to_string(w_.config.maxZ - 1));
      z[i] = s.atoms[i].element;
    }
    z_ = rt_.fromIndices(z);
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
                    torch::exp(-betas_ * (torch::exp(w_.rbfAlpha * (c.cutoffLower - dist.unsqueeze(1))) - means_).pow(2));
      // Embedding + neighbour embedding (TorchMD-Net's NeighborEmbedding, self loops removed).
      x = emb1_.index_select(0, z_);
      Tensor srcNs = src.slice(0, n, E), tgtNs = tgt.slice(0, n, E);
      Tensor W = distanceProj_(attr.slice(0, n, E)) * cut.slice(0, n, E).unsqueeze(1);
      Tensor xNeighbors = emb2_.index_select(0, z_).index_select(0, srcNs) * W;
      Tensor agg = torch::zeros({n, H}, opts()).index_add_(0, tgtNs, xNeighbors);
      x = combine_(torch::cat({x, agg}, 1));
      vec = torch::zeros({n, 3, H}, opts());
      for (const auto& L : layers_) {
        Tensor xn = torch::layer_norm(x, {H}, L.lnW, L.lnB, 1e-5);
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
      x = torch::layer_norm(x, {H}, outW_, outB_, 1e-5);
      lastVec_ = vec.detach();
    }
    Tensor energy;
    {
      Range r("energy", rt_.sync());
      Tensor hx = x, hv = vec;
      for (const auto& b : head_) {
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
  struct Layer {
    Tensor lnW, lnB;
    TLinear q, k, v, o, vecProj, dk, dv;
  };
  struct Block {
    TLinear vec1, vec2, update1, update2;
    bool act;
    int64_t out;
  };
  torch::TensorOptions opts() const { return rt_.options(); }
  Tensor tensor(const std::vector<double>& v, std::vector<int64_t> shape) const { return rt_.fromDoubles(v, std::move(shape)); }
  TLinear lin(const Linear& l) const {
    TLinear t;
    t.w = tensor(l.w, {l.out, l.in});
    if (!l.b.empty()) t.b = tensor(l.b, {l.out});
    return t;
  }
  Tensor cosineCutoff(const Tensor& d) const {
    const double u = w_.config.cutoffUpper;
    return 0.5 * (torch::cos(d * (M_PI / u)) + 1.0) * (d < u).to(d.scalar_type());
  }

  EtWeights w_;
  Precision precision_;
  Device deviceSpec_;
  TorchRuntime rt_;
  int64_t owned_ = 0;
  Tensor emb1_, emb2_, outW_, outB_, means_, betas_, z_, lastVec_;
  TLinear distanceProj_, combine_;
  std::vector<Layer> layers_;
  std::vector<Block> head_;
  std::map<std::string, double> flops_;
};

}  // namespace

std::unique_ptr<Potential> makeEtTorch(const PotentialOptions& o) {
  const EtConfig c = EtConfig::fromSettings(o.options);
  return std::make_unique<EtTorchPotential>(randomEtWeights(c, o.seed), o);
}

}  // namespace mlffb
