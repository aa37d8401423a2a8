// ANI-2x's export as TorchScript (see AniExport.hpp): the tensors are the torch flavour's
// (AniTensors), the TorchScript text mirrors AniTorch.cpp operation for operation and is filled
// from the same named constants (AniModel.hpp) and AEV parameters.
#include "workloads/ani2x/AniExport.hpp"

#include <torch/script.h>
#include <torch/torch.h>

#include <sstream>
#include <stdexcept>

#include "core/Units.hpp"
#include "workloads/ani2x/AniTensors.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/torchscript/ModelExport.hpp"
#include "workloads/torchscript/TorchScriptText.hpp"

namespace mlffb::ani {
namespace {

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
    radial = torch.zeros([n * @SPECIES@, @RADIAL_SHIFTS@], dtype=pos.dtype, device=pos.device)
    index12 = atom_index12 * @SPECIES@ + species12.flip([0])
    radial.index_add_(0, index12[0], radial_terms)
    radial.index_add_(0, index12[1], radial_terms)
    radial = radial.reshape(n, @RADIAL_LENGTH@)
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
    angular = torch.zeros([n * @SPECIES_PAIRS@, @ANGULAR_SUB@], dtype=pos.dtype, device=pos.device)
    index = central * @SPECIES_PAIRS@ + self.triu_index.long().index_select(0, species12_[0] * @SPECIES@ + species12_[1])
    angular.index_add_(0, index, angular_terms)
    angular = angular.reshape(n, @ANGULAR_LENGTH@)
    return torch.cat([radial, angular], -1)

def atomic_energies_in(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:
    self.check_inputs(positions, numbers, box, pbc)
    pos = positions.to(self.self_energy.dtype) * @ANGSTROM_PER_NM@
    cell = box.to(pos.dtype) * @ANGSTROM_PER_NM@
    z = numbers.long()
    assert not bool(((z < 0) | (z > @LARGEST_Z@)).any()), "ani2x: an atomic number outside 0..@LARGEST_Z@"
    species = self.species_of_z.long().index_select(0, z)
    assert not bool((species < 0).any()), "ani2x: an atom other than @ELEMENTS@"
    i, j, shift = self.neighbor_pairs(pos, cell, pbc, @RCR@)
    aev = self.compute_aev(species, pos, i, j, shift)
    e = self.networks(species, aev) / @MEMBERS@ + self.self_energy.index_select(0, species)
    return (e * @HARTREE@).to(positions.dtype)
)TS";

std::string elementList() {
  std::string s;
  for (int sp = 0; sp < kSpecies; ++sp) s += std::string(sp ? ", " : "") + kSpeciesSymbols[sp];
  return s;
}

std::string aniSource(const AevParameters& p) {
  return fillTemplate(kAniSource, {{"ETAR", tsFloat(p.EtaR)},
                                   {"ETAA", tsFloat(p.EtaA)},
                                   {"ZETA", tsFloat(p.Zeta)},
                                   {"RCR", tsFloat(p.Rcr)},
                                   {"RCA", tsFloat(p.Rca)},
                                   {"SPECIES", std::to_string(kSpecies)},
                                   {"RADIAL_SHIFTS", std::to_string(kRadialShifts)},
                                   {"RADIAL_LENGTH", std::to_string(kRadialLength)},
                                   {"SPECIES_PAIRS", std::to_string(kSpeciesPairs)},
                                   {"ANGULAR_SUB", std::to_string(kAngularSub)},
                                   {"ANGULAR_LENGTH", std::to_string(kSpeciesPairs * kAngularSub)},
                                   {"ANGSTROM_PER_NM", tsFloat(units::kAngstromPerNm)},
                                   {"LARGEST_Z", std::to_string(kLargestAtomicNumber)},
                                   {"ELEMENTS", elementList()},
                                   {"MEMBERS", tsFloat(kMembers)},
                                   {"HARTREE", tsFloat(units::kKJPerMolPerHartree)}});
}

/// networks(species, aev): per element, the members' layers as batched GEMMs (buffers w_<sp>_<l>);
/// each atom's outputs summed over the members, (N).
std::string networksSource(const AniTensors& t) {
  std::ostringstream s;
  s << "\ndef networks(self, species: Tensor, aev: Tensor) -> Tensor:\n"
       "    atomic = torch.zeros([species.size(0)], dtype=aev.dtype, device=aev.device)\n";
  for (int sp = 0; sp < kSpecies; ++sp) {
    s << "    idx = (species == " << sp << ").nonzero().flatten()\n"
      << "    if idx.size(0) > 0:\n"
      << "        x = aev.index_select(0, idx).unsqueeze(0).expand(" << kMembers << ", -1, -1)\n";
    const auto& layers = t.nets[0][sp];
    for (size_t l = 0; l < layers.size(); ++l) {
      const std::string suffix = std::to_string(sp) + "_" + std::to_string(l);
      std::string y = "torch.baddbmm(self.b_" + suffix + ".unsqueeze(1), x, self.w_" + suffix + ".transpose(1, 2))";
      if (layers[l].celu) y = "torch.celu(" + y + ", " + tsFloat(kCeluAlpha) + ")";
      s << "        x = " << y << "\n";
    }
    s << "        atomic = atomic.index_add(0, idx, x.sum(0).flatten())\n";
  }
  s << "    return atomic\n";
  return s.str();
}

/// The members' layers of element `sp` stacked (one batched GEMM per layer); throws when the
/// members differ in architecture.
void registerStackedNetworks(torch::jit::Module& m, const AniTensors& t, int sp) {
  for (size_t l = 0; l < t.nets[0][sp].size(); ++l) {
    std::vector<torch::Tensor> w, b;
    for (int mem = 0; mem < kMembers; ++mem) {
      const AniTensors::Layer& L = t.nets[mem][sp].at(l);
      if (!L.w.sizes().equals(t.nets[0][sp][l].w.sizes()) || L.celu != t.nets[0][sp][l].celu)
        throw std::invalid_argument("ani2x export: ensemble members differ in the architecture of element " + std::string(kSpeciesSymbols[sp]) +
                                    " (the export stacks them)");
      w.push_back(L.w);
      b.push_back(L.b);
    }
    const std::string suffix = std::to_string(sp) + "_" + std::to_string(l);
    m.register_buffer("w_" + suffix, torch::stack(w));
    m.register_buffer("b_" + suffix, torch::stack(b));
  }
}

}  // namespace

nlohmann::ordered_json exportAni(torch::jit::Module& m, const ExportRequest& rq) {
  const AniModelData data = loadAniModel(optionText(rq.options.options, "weights"), rq.options.seed, aniMemberOption(rq.options));
  if (rq.atoms) (void)speciesOfSystem(*rq.atoms);  // names the first atom ANI-2x cannot take
  const AniTensors t = AniTensors::from(data, TorchRuntime(Device::cpu(), rq.options.precision));
  m.register_buffer("shf_r", t.ShfR);
  m.register_buffer("shf_a", t.ShfA);
  m.register_buffer("shf_z", t.ShfZ);
  m.register_buffer("self_energy", t.selfEnergy);
  m.register_buffer("triu_index", t.triuIndex.reshape({-1}).clone());
  m.register_buffer("species_of_z", t.speciesOfZ);
  for (int sp = 0; sp < kSpecies; ++sp) registerStackedNetworks(m, t, sp);
  m.define(aniSource(data.aev) + networksSource(t));
  return {{"weights", data.weightsSource}, {"cutoff_angstrom", data.aev.Rcr}, {"interaction_steps", 1}};
}

}  // namespace mlffb::ani
