// The Equivariant Transformer's export as TorchScript (see EtExport.hpp): the buffers are the
// torch flavour's tensors under their EtTensors names; the TorchScript text mirrors EtTorch.cpp
// operation for operation, unrolled over the layers, with the configuration's values filled in.
#include "workloads/torchmd_et/EtExport.hpp"

#include <torch/script.h>
#include <torch/torch.h>

#include <sstream>

#include "core/Units.hpp"
#include "workloads/torchmd_et/EtTensors.hpp"
#include "workloads/torchscript/ModelExport.hpp"
#include "workloads/torchscript/TorchScriptText.hpp"

namespace mlffb::et {
namespace {

/// torch.linear(x, self.<name>_w[, self.<name>_b]).
std::string linear(const std::string& name, const EtLinearTensors& l, const std::string& x) {
  return "torch.linear(" + x + ", self." + name + "_w" + (l.b.defined() ? ", self." + name + "_b" : std::string()) + ")";
}

/// Inputs, edges within the cutoffs (both directions, self loops first), the max_num_neighbors
/// check, the edge geometry and the neighbour embedding.
std::string embeddingSource(const EtWeights& w, const EtTensors& t) {
  const EtConfig& c = w.config;
  const std::string upper = tsFloat(c.cutoffUpper), lower = tsFloat(c.cutoffLower), toA = tsFloat(units::kAngstromPerNm);
  std::ostringstream s;
  s << "\ndef atomic_energies_in(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:\n"
       "    self.check_inputs(positions, numbers, box, pbc)\n"
       "    pos = positions.to(self.rbf_means.dtype) * " << toA << "\n"
       "    cell = box.to(pos.dtype) * " << toA << "\n"
       "    n = pos.size(0)\n"
       "    z = numbers.long()\n"
       "    assert not bool(((z < " << EtConfig::kMinZ << ") | (z >= " << c.maxZ << ")).any()), \"et: an atomic number outside "
    << EtConfig::kMinZ << ".." << c.maxZ - 1 << "\"\n"
       "    i, j, shift = self.neighbor_pairs(pos, cell, pbc, " << upper << ")\n"
       "    d = pos.index_select(0, j) - pos.index_select(0, i) + shift\n"
       "    r = d.norm(2, -1)\n"
       "    keep = ((r < " << upper << ") & (r >= " << lower << ")).nonzero().flatten()\n"
       "    i = i.index_select(0, keep)\n"
       "    j = j.index_select(0, keep)\n"
       "    d = d.index_select(0, keep)\n"
       "    r = r.index_select(0, keep)\n"
       "    counts = torch.bincount(torch.cat([i, j]), minlength=n)\n"
       "    assert n == 0 or not bool((counts > " << c.maxNeighbors << ").any()), \"et: an atom has more neighbours than max_num_neighbors = "
    << c.maxNeighbors << " (export with a larger --max-neighbors)\"\n"
       "    loops = torch.arange(n, device=pos.device)\n"
       "    src = torch.cat([loops, j, i])\n"
       "    tgt = torch.cat([loops, i, j])\n"
       "    other_dist = torch.cat([r, r])\n"
       "    dist = torch.cat([torch.zeros([n], dtype=pos.dtype, device=pos.device), other_dist])\n"
       "    direction = torch.cat([torch.zeros([n, 3], dtype=pos.dtype, device=pos.device), torch.cat([d, -d]) / other_dist.unsqueeze(1)])\n"
       "    cut = 0.5 * (torch.cos(dist * (3.141592653589793 / " << upper << ")) + 1.0) * (dist < " << upper << ").to(dist.dtype)\n"
       "    attr = cut.unsqueeze(1) * torch.exp(-self.rbf_betas * (torch.exp(" << tsFloat(w.rbfAlpha) << " * (" << lower
    << " - dist.unsqueeze(1))) - self.rbf_means) ** 2)\n"
       "    x = self.emb1.index_select(0, z)\n"
       "    W = " << linear("distance_proj", t.distanceProj, "attr[n:]") << " * cut[n:].unsqueeze(1)\n"
       "    x_neighbors = self.emb2.index_select(0, z).index_select(0, src[n:]) * W\n"
       "    agg = torch.zeros([n, " << c.hiddenChannels << "], dtype=pos.dtype, device=pos.device).index_add_(0, tgt[n:], x_neighbors)\n"
       "    x = " << linear("combine", t.combine, "torch.cat([x, agg], 1)") << "\n"
       "    vec = torch.zeros([n, 3, " << c.hiddenChannels << "], dtype=pos.dtype, device=pos.device)\n"
       "    c1 = cut.unsqueeze(1)\n";
  return s.str();
}

/// Attention layer `l`: message passing over the edges, updates of x and vec.
std::string layerSource(const EtConfig& c, const EtTensors::Layer& L, size_t l) {
  const int H = c.hiddenChannels, nh = c.numHeads, hd = H / nh;
  const std::string p = EtTensors::layerName(l);
  std::ostringstream s;
  s << "    xn = torch.layer_norm(x, [" << H << "], self." << p << "ln_w, self." << p << "ln_b, " << tsFloat(kLayerNormEps) << ")\n"
    << "    q = " << linear(p + "q", L.q, "xn") << ".reshape(-1, " << nh << ", " << hd << ")\n"
    << "    k = " << linear(p + "k", L.k, "xn") << ".reshape(-1, " << nh << ", " << hd << ")\n"
    << "    v = " << linear(p + "v", L.v, "xn") << ".reshape(-1, " << nh << ", " << 3 * hd << ")\n"
    << "    vp = torch.split(" << linear(p + "vec_proj", L.vecProj, "vec") << ", " << H << ", -1)\n"
    << "    vec_r = vec.reshape(-1, 3, " << nh << ", " << hd << ")\n"
    << "    vec_dot = (vp[0] * vp[1]).sum(1)\n"
    << "    dk = torch.silu(" << linear(p + "dk", L.dk, "attr") << ").reshape(-1, " << nh << ", " << hd << ")\n"
    << "    dv = torch.silu(" << linear(p + "dv", L.dv, "attr") << ").reshape(-1, " << nh << ", " << 3 * hd << ")\n"
    << "    qi = q.index_select(0, tgt)\n"
    << "    kj = k.index_select(0, src)\n"
    << "    vj = v.index_select(0, src)\n"
    << "    vecj = vec_r.index_select(0, src)\n"
    << "    attn = torch.silu((qi * kj * dk).sum(-1))\n"
    << (c.vectorCutoff ? "    vj = vj * c1.unsqueeze(2)\n" : "    attn = attn * c1\n")
    << "    vj = vj * dv\n"
    << "    parts = torch.split(vj, " << hd << ", 2)\n"
    << "    xm = parts[0] * attn.unsqueeze(2)\n"
    << "    vm = vecj * parts[1].unsqueeze(1) + parts[2].unsqueeze(1) * direction.unsqueeze(2).unsqueeze(3)\n"
    << "    xa = torch.zeros([n, " << nh << ", " << hd << "], dtype=pos.dtype, device=pos.device).index_add_(0, tgt, xm).reshape(-1, " << H << ")\n"
    << "    va = torch.zeros([n, 3, " << nh << ", " << hd << "], dtype=pos.dtype, device=pos.device).index_add_(0, tgt, vm).reshape(-1, 3, " << H << ")\n"
    << "    o = torch.split(" << linear(p + "o", L.o, "xa") << ", " << H << ", 1)\n"
    << "    x = x + (vec_dot * o[1] + o[2])\n"
    << "    vec = vec + (vp[2] * o[0].unsqueeze(1) + va)\n";
  return s.str();
}

/// The output LayerNorm and the gated equivariant head; the atoms' energies (N).
std::string headSource(const EtConfig& c, const EtTensors& t) {
  std::ostringstream s;
  s << "    hx = torch.layer_norm(x, [" << c.hiddenChannels << "], self.out_w, self.out_b, " << tsFloat(kLayerNormEps) << ")\n"
    << "    hv = vec\n";
  for (size_t b = 0; b < t.head.size(); ++b) {
    const EtTensors::Block& B = t.head[b];
    const std::string p = EtTensors::headName(b);
    s << "    v1 = torch.norm(" << linear(p + "vec1", B.vec1, "hv") << ", 2, [-2])\n"
      << "    v2 = " << linear(p + "vec2", B.vec2, "hv") << "\n"
      << "    u = torch.split(" << linear(p + "update2", B.update2, "torch.silu(" + linear(p + "update1", B.update1, "torch.cat([hx, v1], -1)") + ")")
      << ", " << B.out << ", -1)\n"
      << "    hx = u[0]\n"
      << "    hv = u[1].unsqueeze(1) * v2\n";
    if (B.act) s << "    hx = torch.silu(hx)\n";
  }
  s << "    return (hx + hv.sum() * 0).sum(-1).to(positions.dtype)\n";
  return s.str();
}

}  // namespace

nlohmann::ordered_json exportEt(torch::jit::Module& m, const ExportRequest& rq) {
  const EtConfig c = EtConfig::fromSettings(rq.options.options);
  if (rq.atoms) (void)etAtomicNumbers(*rq.atoms, c);  // names the first atom the ET cannot take
  const EtWeights w = randomEtWeights(c, rq.options.seed);
  const EtTensors t = EtTensors::from(w, TorchRuntime(Device::cpu(), rq.options.precision));
  t.forEach([&](const std::string& name, const torch::Tensor& v) { m.register_buffer(name, v); });
  std::string src = embeddingSource(w, t);
  for (size_t l = 0; l < t.layers.size(); ++l) src += layerSource(c, t.layers[l], l);
  m.define(src + headSource(c, t));
  return {{"weights", "random(seed=" + std::to_string(rq.options.seed) + ")"}, {"hyperparameters", c.toJson()}, {"cutoff_angstrom", c.cutoffUpper},
          {"interaction_steps", c.numLayers + 1}};  // the neighbour embedding is a message-passing step too
}

}  // namespace mlffb::et
