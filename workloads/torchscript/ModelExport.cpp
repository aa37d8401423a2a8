// The TorchScript export: the module is built here with LibTorch's C++ API — weights registered
// as buffers (so module.to(device/dtype) moves them), the computation compiled from TorchScript
// source that this file writes (constants inlined, layers unrolled) — and saved to bytes.
// The computation mirrors the torch flavours (workloads/ani2x/AniTorch.cpp, workloads/torchmd_et/
// EtTorch.cpp) operation for operation; only the neighbour search differs: all pairs in blocks of
// rows (O(N²) time, bounded memory), minimum image through fractional coordinates — exact for a
// triclinic cell too when every periodic width is at least twice the cutoff (a vector shorter
// than half the widths has fractional components below ½), which the module checks (an
// assertion naming it otherwise).
#include <torch/script.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "core/Units.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/torchmd_et/EtModel.hpp"
#include "workloads/torchscript/ModelExport.hpp"

namespace mlffb {
namespace {

/// A float literal TorchScript reads as a float (never as an int).
std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

/// Pairs i < j with r = pos[j] − pos[i] + shift within `cutoff` (positions and box in Å).
const char* kNeighborPairs = R"TS(
def neighbor_pairs(self, pos: Tensor, box: Tensor, pbc: Tensor, cutoff: float) -> Tuple[Tensor, Tensor, Tensor]:
    n = pos.size(0)
    dev = pos.device
    p = pos.detach()
    cell = box.detach().to(p.dtype)
    periodic = bool(pbc.any())
    mask = pbc.to(p.dtype)
    inv = torch.zeros([3, 3], dtype=p.dtype, device=dev)
    if periodic:
        volume = float(torch.det(cell).abs())
        assert volume > 0.0, "mlff-bench export: pbc is set but the box has no volume"
        widths = volume / torch.stack([torch.cross(cell[1], cell[2], 0).norm(), torch.cross(cell[2], cell[0], 0).norm(), torch.cross(cell[0], cell[1], 0).norm()])
        assert not bool(((widths < 2.0 * cutoff) & pbc).any()), "mlff-bench export: a periodic width of the box is less than twice the model's cutoff"
        inv = torch.inverse(cell)
    firsts: List[Tensor] = []
    seconds: List[Tensor] = []
    shifts: List[Tensor] = []
    block = max(1, 2097152 // max(n, 1))
    cols = torch.arange(n, device=dev)
    start = 0
    while start < n:
        stop = min(n, start + block)
        rows = torch.arange(start, stop, device=dev)
        d = p.unsqueeze(0) - p[start:stop].unsqueeze(1)
        upper = cols.unsqueeze(0) > rows.unsqueeze(1)
        base = torch.zeros_like(d)
        if periodic:
            base = torch.matmul(-torch.round(torch.matmul(d, inv)) * mask, cell)
        e = d + base
        sel = ((e * e).sum(-1) <= cutoff * cutoff) & upper
        ij = sel.nonzero()
        firsts.append(ij[:, 0] + start)
        seconds.append(ij[:, 1])
        shifts.append(base[sel])
        start = stop
    if len(firsts) == 0:
        none = torch.zeros([0], dtype=cols.dtype, device=dev)
        return none, none, torch.zeros([0, 3], dtype=pos.dtype, device=dev)
    return torch.cat(firsts), torch.cat(seconds), torch.cat(shifts).to(pos.dtype)

def check_inputs(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor):
    assert positions.dim() == 2 and positions.size(1) == 3, "mlff-bench export: positions must be an (N, 3) tensor"
    assert numbers.dim() == 1 and numbers.size(0) == positions.size(0), "mlff-bench export: atomic numbers must be an (N) tensor, one per position"
    assert box.dim() == 2 and box.size(0) == 3 and box.size(1) == 3, "mlff-bench export: the box must be a 3x3 tensor"
    assert pbc.numel() == 3, "mlff-bench export: pbc must hold three flags"
)TS";

/// The forward of each contract, over energy(positions, numbers, box, pbc).
std::string forwardSource(ExportContract c, bool periodic) {
  if (c == ExportContract::NNPot)
    return "\ndef forward(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:\n"
           "    return self.energy(positions, numbers, box, pbc.reshape(-1) != 0)\n";
  if (periodic)
    return "\ndef forward(self, positions: Tensor, box: Tensor) -> Tensor:\n"
           "    return self.energy(positions, self.atomic_numbers, box, self.pbc_on != 0)\n";
  return "\ndef forward(self, positions: Tensor) -> Tensor:\n"
         "    return self.energy(positions, self.atomic_numbers, torch.zeros([3, 3], dtype=positions.dtype, device=positions.device), self.pbc_off != 0)\n";
}

torch::Tensor fromDoubles(const std::vector<double>& v, std::vector<int64_t> shape, torch::Dtype dtype) {
  return torch::tensor(v, torch::kFloat64).reshape(shape).to(dtype).clone();
}

// ---------------------------------------------------------------------------------------------
// ANI-2x: TorchANI's AEV (as AniTorch), the 8 members of each element network stacked (one
// batched GEMM per layer), self energies; energy in Hartree × kJ/mol per Hartree.

const char* kAniSource = R"TS(
def cutoff_cosine(self, d: Tensor, rc: float) -> Tensor:
    return 0.5 * torch.cos(d * (3.141592653589793 / rc)) + 0.5

def triple_by_molecule(self, atom_index12: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    ai1 = atom_index12.reshape(-1)
    sorted_ai1, rev_indices = ai1.sort()
    uniqued, inverse, counts = torch.unique_consecutive(sorted_ai1, return_inverse=True, return_counts=True)
    pair_sizes = torch.div(counts * (counts - 1), 2, rounding_mode="floor")
    pair_indices = torch.repeat_interleave(pair_sizes)
    central = uniqued.index_select(0, pair_indices)
    m = 0
    if counts.numel() > 0:
        m = int(counts.max())
    nc = pair_sizes.size(0)
    intra = torch.tril_indices(m, m, -1, device=ai1.device).unsqueeze(1).expand(-1, nc, -1)
    mask = (torch.arange(intra.size(2), device=ai1.device) < pair_sizes.unsqueeze(1)).flatten()
    sorted_local = intra.flatten(1, 2)[:, mask]
    starts = torch.cat([torch.zeros_like(counts[:1]), counts.cumsum(0)[:-1]])
    sorted_local = sorted_local + starts.index_select(0, pair_indices)
    local12 = rev_indices[sorted_local]
    npairs = atom_index12.size(1)
    sign12 = (local12 < npairs).to(ai1.dtype) * 2 - 1
    return central, torch.remainder(local12, npairs), sign12

def compute_aev(self, species: Tensor, pos: Tensor, i: Tensor, j: Tensor, shift: Tensor) -> Tensor:
    n = species.size(0)
    atom_index12 = torch.stack([i, j])
    species12 = torch.stack([species.index_select(0, i), species.index_select(0, j)])
    vec = pos.index_select(0, i) - pos.index_select(0, j) - shift
    distances = vec.norm(2, -1)
    radial_terms = 0.25 * torch.exp(-@ETAR@ * (distances.unsqueeze(-1) - self.shf_r) ** 2) * self.cutoff_cosine(distances, @RCR@).unsqueeze(-1)
    radial = torch.zeros([n * 7, 16], dtype=pos.dtype, device=pos.device)
    index12 = atom_index12 * 7 + species12.flip([0])
    radial.index_add_(0, index12[0], radial_terms)
    radial.index_add_(0, index12[1], radial_terms)
    radial = radial.reshape(n, 112)
    closer = (distances <= @RCA@).nonzero().flatten()
    atom_index12 = atom_index12.index_select(1, closer)
    species12 = species12.index_select(1, closer)
    vec = vec.index_select(0, closer)
    central, pair_index12, sign12 = self.triple_by_molecule(atom_index12)
    species12_small = species12[:, pair_index12]
    vec12 = vec.index_select(0, pair_index12.reshape(-1)).view(2, -1, 3) * sign12.unsqueeze(-1).to(vec.dtype)
    species12_ = torch.where(sign12 == 1, species12_small[1], species12_small[0])
    distances12 = vec12.norm(2, -1)
    cos_angles = 0.95 * torch.cosine_similarity(vec12[0], vec12[1], -1)
    angles = torch.acos(cos_angles)
    fcj12 = self.cutoff_cosine(distances12, @RCA@)
    factor1 = ((1 + torch.cos(angles.view(-1, 1, 1) - self.shf_z)) / 2) ** @ZETA@
    factor2 = torch.exp(-@ETAA@ * (distances12.sum(0).view(-1, 1, 1) / 2 - self.shf_a) ** 2)
    angular_terms = (2 * factor1 * factor2 * fcj12.prod(0).view(-1, 1, 1)).flatten(1)
    angular = torch.zeros([n * 28, 32], dtype=pos.dtype, device=pos.device)
    index = central * 28 + self.triu_index.long().index_select(0, species12_[0] * 7 + species12_[1])
    angular.index_add_(0, index, angular_terms)
    angular = angular.reshape(n, 896)
    return torch.cat([radial, angular], -1)

def energy(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:
    self.check_inputs(positions, numbers, box, pbc)
    pos = positions.to(self.self_energy.dtype) * 10.0
    cell = box.to(pos.dtype) * 10.0
    z = numbers.long()
    assert not bool(((z < 0) | (z > 118)).any()), "ani2x: an atomic number outside 0..118"
    species = self.species_of_z.long().index_select(0, z)
    assert not bool((species < 0).any()), "ani2x: an atom other than H, C, N, O, S, F, Cl"
    i, j, shift = self.neighbor_pairs(pos, cell, pbc, @RCR@)
    aev = self.compute_aev(species, pos, i, j, shift)
    e = self.networks(species, aev) / @MEMBERS@ + self.self_energy.index_select(0, species).sum()
    return (e * @HARTREE@).to(positions.dtype)
)TS";

std::string aniNetworksSource(const ani::AniModelData& d) {
  std::ostringstream s;
  s << "\ndef networks(self, species: Tensor, aev: Tensor) -> Tensor:\n"
       "    total = torch.zeros([1], dtype=aev.dtype, device=aev.device)\n";
  for (int sp = 0; sp < ani::kSpecies; ++sp) {
    s << "    idx = (species == " << sp << ").nonzero().flatten()\n"
      << "    if idx.size(0) > 0:\n"
      << "        x = aev.index_select(0, idx).unsqueeze(0).expand(" << ani::kMembers << ", -1, -1)\n";
    const auto& layers = d.networks[0][sp];
    for (size_t l = 0; l < layers.size(); ++l) {
      const std::string w = "self.w_" + std::to_string(sp) + "_" + std::to_string(l), b = "self.b_" + std::to_string(sp) + "_" + std::to_string(l);
      std::string y = "torch.baddbmm(" + b + ".unsqueeze(1), x, " + w + ".transpose(1, 2))";
      if (layers[l].celu) y = "torch.celu(" + y + ", " + num(ani::kCeluAlpha) + ")";
      s << "        x = " << y << "\n";
    }
    s << "        total = total + x.sum()\n";
  }
  s << "    return total.sum()\n";
  return s.str();
}

void buildAni(torch::jit::Module& m, const ani::AniModelData& d, torch::Dtype dtype) {
  const auto& p = d.aev;
  m.register_buffer("shf_r", fromDoubles(std::vector<double>(p.ShfR.begin(), p.ShfR.end()), {ani::kRadialShifts}, dtype));
  m.register_buffer("shf_a", fromDoubles(std::vector<double>(p.ShfA.begin(), p.ShfA.end()), {ani::kAngularShifts, 1}, dtype));
  m.register_buffer("shf_z", fromDoubles(std::vector<double>(p.ShfZ.begin(), p.ShfZ.end()), {1, ani::kAngleSections}, dtype));
  m.register_buffer("self_energy", fromDoubles(std::vector<double>(d.selfEnergy.begin(), d.selfEnergy.end()), {ani::kSpecies}, dtype));
  std::vector<int64_t> triu(ani::kSpecies * ani::kSpecies), zmap(119, -1);
  for (int a = 0; a < ani::kSpecies; ++a)
    for (int b = 0; b < ani::kSpecies; ++b) triu[a * ani::kSpecies + b] = ani::pairIndex(a, b);
  for (int z = 0; z < 119; ++z) zmap[z] = ani::speciesOf(z);
  m.register_buffer("triu_index", torch::tensor(triu, torch::kLong));
  m.register_buffer("species_of_z", torch::tensor(zmap, torch::kLong));
  for (int sp = 0; sp < ani::kSpecies; ++sp) {
    const auto& arch = d.networks[0][sp];
    for (size_t l = 0; l < arch.size(); ++l) {
      std::vector<double> w, b;
      for (int mem = 0; mem < ani::kMembers; ++mem) {
        const ani::DenseLayer& L = d.networks[mem][sp][l];
        if (L.in != arch[l].in || L.out != arch[l].out || L.celu != arch[l].celu)
          throw std::invalid_argument("ani2x export: ensemble members differ in the architecture of element " +
                                      std::string(ani::kSpeciesSymbols[sp]) + " (the export stacks them)");
        w.insert(w.end(), L.weight.begin(), L.weight.end());
        b.insert(b.end(), L.bias.begin(), L.bias.end());
      }
      const std::string suffix = std::to_string(sp) + "_" + std::to_string(l);
      m.register_buffer("w_" + suffix, fromDoubles(w, {ani::kMembers, arch[l].out, arch[l].in}, dtype));
      m.register_buffer("b_" + suffix, fromDoubles(b, {ani::kMembers, arch[l].out}, dtype));
    }
  }
  std::string src = kAniSource;
  src = replaceAll(src, "@ETAR@", num(p.EtaR));
  src = replaceAll(src, "@ETAA@", num(p.EtaA));
  src = replaceAll(src, "@ZETA@", num(p.Zeta));
  src = replaceAll(src, "@RCR@", num(p.Rcr));
  src = replaceAll(src, "@RCA@", num(p.Rca));
  src = replaceAll(src, "@MEMBERS@", num(ani::kMembers));
  src = replaceAll(src, "@HARTREE@", num(units::kKJPerMolPerHartree));
  m.define(src + aniNetworksSource(d));
}

// ---------------------------------------------------------------------------------------------
// TorchMD-Net Equivariant Transformer, as EtTorch: edges j → i both ways plus self loops first,
// neighbour embedding, the attention layers, the gated equivariant head; energy as the sum.

std::string linear(const std::string& name, const et::Linear& l, const std::string& x) {
  return l.b.empty() ? "torch.linear(" + x + ", self." + name + "_w)" : "torch.linear(" + x + ", self." + name + "_w, self." + name + "_b)";
}

void registerLinear(torch::jit::Module& m, const std::string& name, const et::Linear& l, torch::Dtype dtype) {
  m.register_buffer(name + "_w", fromDoubles(l.w, {l.out, l.in}, dtype));
  if (!l.b.empty()) m.register_buffer(name + "_b", fromDoubles(l.b, {l.out}, dtype));
}

void buildEt(torch::jit::Module& m, const et::EtWeights& w, torch::Dtype dtype) {
  const et::EtConfig& c = w.config;
  const int H = c.hiddenChannels, nh = c.numHeads, hd = H / nh;
  m.register_buffer("emb1", fromDoubles(w.embedding, {c.maxZ, H}, dtype));
  m.register_buffer("emb2", fromDoubles(w.neighborEmbedding, {c.maxZ, H}, dtype));
  m.register_buffer("rbf_means", fromDoubles(w.rbfMeans, {c.numRbf}, dtype));
  m.register_buffer("rbf_betas", fromDoubles(w.rbfBetas, {c.numRbf}, dtype));
  m.register_buffer("out_w", fromDoubles(w.outNorm.weight, {H}, dtype));
  m.register_buffer("out_b", fromDoubles(w.outNorm.bias, {H}, dtype));
  registerLinear(m, "distance_proj", w.distanceProj, dtype);
  registerLinear(m, "combine", w.combine, dtype);
  std::ostringstream s;
  const std::string upper = num(c.cutoffUpper), lower = num(c.cutoffLower);
  s << "\ndef energy(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:\n"
       "    self.check_inputs(positions, numbers, box, pbc)\n"
       "    pos = positions.to(self.rbf_means.dtype) * 10.0\n"
       "    cell = box.to(pos.dtype) * 10.0\n"
       "    n = pos.size(0)\n"
       "    z = numbers.long()\n"
       "    assert not bool(((z < 1) | (z >= " << c.maxZ << ")).any()), \"et: an atomic number outside 1.." << c.maxZ - 1 << "\"\n"
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
       "    attr = cut.unsqueeze(1) * torch.exp(-self.rbf_betas * (torch.exp(" << num(w.rbfAlpha) << " * (" << lower
    << " - dist.unsqueeze(1))) - self.rbf_means) ** 2)\n"
       "    x = self.emb1.index_select(0, z)\n"
       "    W = " << linear("distance_proj", w.distanceProj, "attr[n:]") << " * cut[n:].unsqueeze(1)\n"
       "    x_neighbors = self.emb2.index_select(0, z).index_select(0, src[n:]) * W\n"
       "    agg = torch.zeros([n, " << H << "], dtype=pos.dtype, device=pos.device).index_add_(0, tgt[n:], x_neighbors)\n"
       "    x = " << linear("combine", w.combine, "torch.cat([x, agg], 1)") << "\n"
       "    vec = torch.zeros([n, 3, " << H << "], dtype=pos.dtype, device=pos.device)\n"
       "    c1 = cut.unsqueeze(1)\n";
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const et::AttentionLayer& L = w.layers[l];
    const std::string p = "l" + std::to_string(l) + "_";
    m.register_buffer(p + "ln_w", fromDoubles(L.norm.weight, {H}, dtype));
    m.register_buffer(p + "ln_b", fromDoubles(L.norm.bias, {H}, dtype));
    registerLinear(m, p + "q", L.q, dtype);
    registerLinear(m, p + "k", L.k, dtype);
    registerLinear(m, p + "v", L.v, dtype);
    registerLinear(m, p + "o", L.o, dtype);
    registerLinear(m, p + "vec_proj", L.vecProj, dtype);
    registerLinear(m, p + "dk", L.dk, dtype);
    registerLinear(m, p + "dv", L.dv, dtype);
    s << "    xn = torch.layer_norm(x, [" << H << "], self." << p << "ln_w, self." << p << "ln_b, 1e-05)\n"
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
  }
  s << "    hx = torch.layer_norm(x, [" << H << "], self.out_w, self.out_b, 1e-05)\n"
    << "    hv = vec\n";
  for (int b = 0; b < 2; ++b) {
    const et::GatedBlock& B = w.head[b];
    const std::string p = "head" + std::to_string(b) + "_";
    registerLinear(m, p + "vec1", B.vec1, dtype);
    registerLinear(m, p + "vec2", B.vec2, dtype);
    registerLinear(m, p + "update1", B.update1, dtype);
    registerLinear(m, p + "update2", B.update2, dtype);
    s << "    v1 = torch.norm(" << linear(p + "vec1", B.vec1, "hv") << ", 2, [-2])\n"
      << "    v2 = " << linear(p + "vec2", B.vec2, "hv") << "\n"
      << "    u = torch.split(" << linear(p + "update2", B.update2, "torch.silu(" + linear(p + "update1", B.update1, "torch.cat([hx, v1], -1)") + ")")
      << ", " << B.vec2.out << ", -1)\n"
      << "    hx = u[0]\n"
      << "    hv = u[1].unsqueeze(1) * v2\n";
    if (B.scalarActivation) s << "    hx = torch.silu(hx)\n";
  }
  s << "    return (hx + hv.sum() * 0).sum().to(positions.dtype)\n";
  m.define(s.str());
}

}  // namespace

ExportedModel exportTorchScript(const ExportRequest& rq) {
  const Precision prec = rq.options.precision;
  if (prec != Precision::Float32 && prec != Precision::Float64)
    throw std::invalid_argument("export: precision " + toString(prec) + " (float32 or float64)");
  const torch::Dtype dtype = prec == Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
  if (rq.contract == ExportContract::OpenMMTorch && !rq.atoms)
    throw std::invalid_argument("the openmm-torch contract takes positions only: give the structure whose atoms the model is for (--in FILE)");

  torch::jit::Module m("MlffBenchExport");
  // The periodic flags of the openmm-torch forwards. Integer and bool buffers are converted back
  // where used: LibTorch's C++ Module::to(dtype) converts every buffer, not only floating ones.
  m.register_buffer("pbc_on", torch::ones({3}, torch::kBool));
  m.register_buffer("pbc_off", torch::zeros({3}, torch::kBool));

  m.define(kNeighborPairs);  // first: the models' methods call these

  nlohmann::ordered_json desc;
  desc["model"] = rq.model;
  desc["contract"] = toString(rq.contract);
  if (rq.model == "ani2x") {
    const ani::AniModelData data = ani::loadAniModel(optionText(rq.options.options, "weights"), rq.options.seed, ani::aniMemberOption(rq.options));
    if (rq.atoms) (void)ani::speciesOfSystem(*rq.atoms);  // names the first atom ANI-2x cannot take
    buildAni(m, data, dtype);
    desc["weights"] = data.weightsSource;
    desc["cutoff_angstrom"] = data.aev.Rcr;
  } else if (rq.model == "et") {
    const et::EtConfig c = et::EtConfig::fromSettings(rq.options.options);
    if (rq.atoms)
      for (size_t i = 0; i < rq.atoms->size(); ++i)
        if (rq.atoms->atoms[i].element <= 0 || rq.atoms->atoms[i].element >= c.maxZ)
          throw std::invalid_argument("ET: atom " + std::to_string(i + 1) + " has atomic number " + std::to_string(rq.atoms->atoms[i].element) +
                                      " outside 1.." + std::to_string(c.maxZ - 1));
    buildEt(m, et::randomEtWeights(c, rq.options.seed), dtype);
    desc["weights"] = "random(seed=" + std::to_string(rq.options.seed) + ")";
    desc["hyperparameters"] = c.toJson();
    desc["cutoff_angstrom"] = c.cutoffUpper;
  } else {
    throw std::invalid_argument("export: unknown model '" + rq.model + "' (ani2x, et)");
  }
  if (rq.atoms) {
    std::vector<int64_t> z(rq.atoms->size());
    for (size_t i = 0; i < z.size(); ++i) z[i] = rq.atoms->atoms[i].element;
    m.register_buffer("atomic_numbers", torch::tensor(z, torch::kLong));
    desc["atoms"] = z.size();
  }
  m.define(forwardSource(rq.contract, rq.periodic));
  m.eval();

  desc["precision"] = toString(prec);
  if (rq.contract == ExportContract::NNPot) {
    desc["inputs"] = {"positions (N,3) nm", "atomic numbers (N) int", "box (3,3) nm, rows a b c", "pbc (3) bool"};
  } else {
    desc["inputs"] = rq.periodic ? nlohmann::ordered_json{"positions (N,3) nm", "box (3,3) nm, rows a b c"}
                                 : nlohmann::ordered_json{"positions (N,3) nm"};
    desc["periodic"] = rq.periodic;
  }
  desc["output"] = "energy, kJ/mol (forces = -d energy / d positions, kJ/mol/nm)";
  desc["neighbour_search"] = "all pairs in row blocks, minimum image by fractional coordinates (any cell); periodic widths must be >= 2 cutoffs";
  desc["libtorch"] = TORCH_VERSION;
  std::ostringstream bytes;
  m.save(bytes, {{"mlff_bench.json", desc.dump(2)}});
  return {bytes.str(), desc};
}

}  // namespace mlffb
