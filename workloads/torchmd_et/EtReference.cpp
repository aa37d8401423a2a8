#include "workloads/torchmd_et/EtReference.hpp"

#include <cmath>

namespace mlffb::et {
namespace {

double silu(double x) { return x / (1.0 + std::exp(-x)); }

double cosineCutoff(double r, double upper) { return r < upper ? 0.5 * (std::cos(r * M_PI / upper) + 1.0) : 0.0; }

/// y = W x + b for one input vector.
std::vector<double> apply(const Linear& l, const double* x) {
  std::vector<double> y(l.out);
  for (int o = 0; o < l.out; ++o) {
    double s = l.b.empty() ? 0.0 : l.b[o];
    for (int i = 0; i < l.in; ++i) s += l.w[static_cast<size_t>(o) * l.in + i] * x[i];
    y[o] = s;
  }
  return y;
}

std::vector<double> layerNorm(const LayerNorm& n, const double* x, int h) {
  double mean = 0, var = 0;
  for (int c = 0; c < h; ++c) mean += x[c];
  mean /= h;
  for (int c = 0; c < h; ++c) var += (x[c] - mean) * (x[c] - mean);
  var /= h;
  std::vector<double> y(h);
  for (int c = 0; c < h; ++c) y[c] = (x[c] - mean) / std::sqrt(var + kLayerNormEps) * n.weight[c] + n.bias[c];
  return y;
}

}  // namespace

EtReferenceResult etReferenceForward(const EtWeights& w, const std::vector<int>& z, const std::vector<Vec3>& pos,
                                     const std::optional<Box>& box) {
  const EtConfig& c = w.config;
  const int n = static_cast<int>(pos.size()), H = c.hiddenChannels, K = c.numRbf, nh = c.numHeads, hd = H / nh;
  const EdgeList edges = buildEdges(pos, box, c);
  const size_t E = edges.source.size();

  // Edge features.
  std::vector<double> phi(E * K), cut(E);
  std::vector<Vec3> dir(E);
  for (size_t e = 0; e < E; ++e) {
    const double r = edges.dist[e];
    cut[e] = cosineCutoff(r, c.cutoffUpper);
    for (int k = 0; k < K; ++k) {
      const double t = std::exp(w.rbfAlpha * (c.cutoffLower - r)) - w.rbfMeans[k];
      phi[e * K + k] = cut[e] * std::exp(-w.rbfBetas[k] * t * t);
    }
    if (edges.source[e] != edges.target[e]) dir[e] = edges.vec[e] / r;
  }

  // Embedding and neighbour embedding (no self loops).
  std::vector<double> x(static_cast<size_t>(n) * H), m(static_cast<size_t>(n) * H, 0.0);
  for (int i = 0; i < n; ++i)
    for (int ch = 0; ch < H; ++ch) x[i * H + ch] = w.embedding[static_cast<size_t>(z[i]) * H + ch];
  for (size_t e = 0; e < E; ++e) {
    const int j = edges.source[e], i = edges.target[e];
    if (i == j) continue;
    const auto we = apply(w.distanceProj, &phi[e * K]);
    for (int ch = 0; ch < H; ++ch) m[i * H + ch] += w.neighborEmbedding[static_cast<size_t>(z[j]) * H + ch] * we[ch] * cut[e];
  }
  for (int i = 0; i < n; ++i) {
    std::vector<double> cat(2 * H);
    for (int ch = 0; ch < H; ++ch) {
      cat[ch] = x[i * H + ch];
      cat[H + ch] = m[i * H + ch];
    }
    const auto y = apply(w.combine, cat.data());
    for (int ch = 0; ch < H; ++ch) x[i * H + ch] = y[ch];
  }

  std::vector<double> vec(static_cast<size_t>(n) * 3 * H, 0.0);  // [i][axis][channel]
  for (const AttentionLayer& L : w.layers) {
    std::vector<double> q(static_cast<size_t>(n) * H), k(static_cast<size_t>(n) * H), v(static_cast<size_t>(n) * 3 * H);
    std::vector<double> vec1(static_cast<size_t>(n) * 3 * H), vec2(static_cast<size_t>(n) * 3 * H),
        vec3(static_cast<size_t>(n) * 3 * H), vecDot(static_cast<size_t>(n) * H, 0.0);
    for (int i = 0; i < n; ++i) {
      const auto xn = layerNorm(L.norm, &x[i * H], H);
      const auto qi = apply(L.q, xn.data()), ki = apply(L.k, xn.data()), vi = apply(L.v, xn.data());
      std::copy(qi.begin(), qi.end(), q.begin() + i * H);
      std::copy(ki.begin(), ki.end(), k.begin() + i * H);
      std::copy(vi.begin(), vi.end(), v.begin() + static_cast<long>(i) * 3 * H);
      for (int a = 0; a < 3; ++a) {
        const auto p = apply(L.vecProj, &vec[(static_cast<size_t>(i) * 3 + a) * H]);
        for (int ch = 0; ch < H; ++ch) {
          vec1[(static_cast<size_t>(i) * 3 + a) * H + ch] = p[ch];
          vec2[(static_cast<size_t>(i) * 3 + a) * H + ch] = p[H + ch];
          vec3[(static_cast<size_t>(i) * 3 + a) * H + ch] = p[2 * H + ch];
          vecDot[i * H + ch] += p[ch] * p[H + ch];
        }
      }
    }
    std::vector<double> xAgg(static_cast<size_t>(n) * H, 0.0), vecAgg(static_cast<size_t>(n) * 3 * H, 0.0);
    for (size_t e = 0; e < E; ++e) {
      const int j = edges.source[e], i = edges.target[e];
      auto dk = apply(L.dk, &phi[e * K]);
      auto dv = apply(L.dv, &phi[e * K]);
      for (auto& t : dk) t = silu(t);
      for (auto& t : dv) t = silu(t);
      for (int h = 0; h < nh; ++h) {
        double a = 0;
        for (int d = 0; d < hd; ++d) a += q[i * H + h * hd + d] * k[j * H + h * hd + d] * dk[h * hd + d];
        a = silu(a);
        if (!c.vectorCutoff) a *= cut[e];
        for (int d = 0; d < hd; ++d) {
          auto vv = [&](int part) {  // v_j reshaped (heads, 3 hd): [x | vec1 | vec2] per head
            const int idx = h * 3 * hd + part * hd + d;
            double t = v[static_cast<size_t>(j) * 3 * H + idx] * dv[idx];
            return c.vectorCutoff ? t * cut[e] : t;
          };
          const double xm = vv(0), v1 = vv(1), v2 = vv(2);
          const int ch = h * hd + d;
          xAgg[i * H + ch] += xm * a;
          for (int ax = 0; ax < 3; ++ax)
            vecAgg[(static_cast<size_t>(i) * 3 + ax) * H + ch] += vec[(static_cast<size_t>(j) * 3 + ax) * H + ch] * v1 + v2 * dir[e][ax];
        }
      }
    }
    for (int i = 0; i < n; ++i) {
      const auto o = apply(L.o, &xAgg[i * H]);
      for (int ch = 0; ch < H; ++ch) {
        x[i * H + ch] += vecDot[i * H + ch] * o[H + ch] + o[2 * H + ch];
        for (int ax = 0; ax < 3; ++ax) {
          const size_t idx = (static_cast<size_t>(i) * 3 + ax) * H + ch;
          vec[idx] += vec3[idx] * o[ch] + vecAgg[idx];
        }
      }
    }
  }
  EtReferenceResult res;
  res.lastVec = vec;
  // Output LayerNorm and the gated equivariant head.
  for (int i = 0; i < n; ++i) {
    std::vector<double> xi = layerNorm(w.outNorm, &x[i * H], H);
    res.lastScalars.insert(res.lastScalars.end(), xi.begin(), xi.end());
    std::vector<double> vi(vec.begin() + static_cast<long>(i) * 3 * H, vec.begin() + static_cast<long>(i + 1) * 3 * H);
    int width = H;
    for (const GatedBlock& b : w.head) {
      const int out = b.vec2.out;
      std::vector<double> norm1(width, 0.0), v2(3 * out);
      for (int ax = 0; ax < 3; ++ax) {
        const auto p1 = apply(b.vec1, &vi[ax * width]);
        for (int ch = 0; ch < width; ++ch) norm1[ch] += p1[ch] * p1[ch];
        const auto p2 = apply(b.vec2, &vi[ax * width]);
        for (int ch = 0; ch < out; ++ch) v2[ax * out + ch] = p2[ch];
      }
      std::vector<double> cat(2 * width);
      for (int ch = 0; ch < width; ++ch) {
        cat[ch] = xi[ch];
        cat[width + ch] = std::sqrt(norm1[ch]);
      }
      auto hid = apply(b.update1, cat.data());
      for (auto& t : hid) t = silu(t);
      const auto u = apply(b.update2, hid.data());
      xi.assign(u.begin(), u.begin() + out);
      std::vector<double> vnew(3 * out);
      for (int ax = 0; ax < 3; ++ax)
        for (int ch = 0; ch < out; ++ch) vnew[ax * out + ch] = u[out + ch] * v2[ax * out + ch];
      vi = vnew;
      if (b.scalarActivation)
        for (auto& t : xi) t = silu(t);
      width = out;
    }
    res.energy += xi[0];
  }
  return res;
}

namespace {
class EtReferencePotential final : public Potential {
 public:
  explicit EtReferencePotential(EtWeights w) : w_(std::move(w)) {}
  std::string model() const override { return "et"; }
  std::string flavor() const override { return "reference"; }
  Precision precision() const override { return Precision::Float64; }
  double cutoff() const override { return w_.config.cutoffUpper; }
  nlohmann::ordered_json describe() const override { return {{"name", "et"}, {"flavor", "reference"}}; }
  void setSystem(const System& s) override {
    z_ = etAtomicNumbers(s, w_.config);
  }
  EnergyForces compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool) override {
    return {etReferenceForward(w_, z_, pos, box).energy, {}};
  }

 private:
  EtWeights w_;
  std::vector<int> z_;
};
}  // namespace

std::unique_ptr<Potential> makeEtReference(EtWeights weights) { return std::make_unique<EtReferencePotential>(std::move(weights)); }

}  // namespace mlffb::et
