// The Equivariant Transformer's weights as LibTorch tensors (see EtTensors.hpp).
#include "workloads/torchmd_et/EtTensors.hpp"

namespace mlffb::et {

namespace {
EtLinearTensors linear(const Linear& l, const TorchRuntime& rt) {
  EtLinearTensors t;
  t.w = rt.fromDoubles(l.w, {l.out, l.in});
  if (!l.b.empty()) t.b = rt.fromDoubles(l.b, {l.out});
  return t;
}

void forEachOf(const std::string& name, const EtLinearTensors& l, const std::function<void(const std::string&, const torch::Tensor&)>& f) {
  f(name + "_w", l.w);
  if (l.b.defined()) f(name + "_b", l.b);
}
}  // namespace

std::string EtTensors::layerName(size_t l) { return std::string("l").append(std::to_string(l)).append("_"); }
std::string EtTensors::headName(size_t b) { return std::string("head").append(std::to_string(b)).append("_"); }

torch::Tensor EtLinearTensors::operator()(const torch::Tensor& x) const {
  return b.defined() ? torch::nn::functional::linear(x, w, b) : torch::nn::functional::linear(x, w);
}

EtTensors EtTensors::from(const EtWeights& w, const TorchRuntime& rt) {
  const EtConfig& c = w.config;
  EtTensors t;
  t.emb1 = rt.fromDoubles(w.embedding, {c.maxZ, c.hiddenChannels});
  t.emb2 = rt.fromDoubles(w.neighborEmbedding, {c.maxZ, c.hiddenChannels});
  t.distanceProj = linear(w.distanceProj, rt);
  t.combine = linear(w.combine, rt);
  for (const auto& L : w.layers)
    t.layers.push_back({rt.fromDoubles(L.norm.weight, {c.hiddenChannels}), rt.fromDoubles(L.norm.bias, {c.hiddenChannels}), linear(L.q, rt),
                        linear(L.k, rt), linear(L.v, rt), linear(L.o, rt), linear(L.vecProj, rt), linear(L.dk, rt), linear(L.dv, rt)});
  t.outW = rt.fromDoubles(w.outNorm.weight, {c.hiddenChannels});
  t.outB = rt.fromDoubles(w.outNorm.bias, {c.hiddenChannels});
  for (const auto& b : w.head)
    t.head.push_back({linear(b.vec1, rt), linear(b.vec2, rt), linear(b.update1, rt), linear(b.update2, rt), b.scalarActivation, b.vec2.out});
  t.means = rt.fromDoubles(w.rbfMeans, {c.numRbf});
  t.betas = rt.fromDoubles(w.rbfBetas, {c.numRbf});
  return t;
}

void EtTensors::forEach(const std::function<void(const std::string&, const torch::Tensor&)>& f) const {
  f("emb1", emb1);
  f("emb2", emb2);
  f("rbf_means", means);
  f("rbf_betas", betas);
  f("out_w", outW);
  f("out_b", outB);
  forEachOf("distance_proj", distanceProj, f);
  forEachOf("combine", combine, f);
  for (size_t l = 0; l < layers.size(); ++l) {
    const Layer& L = layers[l];
    const std::string p = layerName(l);
    f(p + "ln_w", L.lnW);
    f(p + "ln_b", L.lnB);
    for (const auto& [name, lin] : {std::pair{"q", &L.q}, {"k", &L.k}, {"v", &L.v}, {"o", &L.o}, {"vec_proj", &L.vecProj}, {"dk", &L.dk}, {"dv", &L.dv}})
      forEachOf(p + name, *lin, f);
  }
  for (size_t b = 0; b < head.size(); ++b) {
    const Block& B = head[b];
    for (const auto& [name, lin] : {std::pair{"vec1", &B.vec1}, {"vec2", &B.vec2}, {"update1", &B.update1}, {"update2", &B.update2}})
      forEachOf(headName(b) + name, *lin, f);
  }
}

}  // namespace mlffb::et
