// The TorchScript export: the module is built here with LibTorch's C++ API — the model's part
// (weights registered as buffers, so module.to(device/dtype) moves them, and its energy method) by
// the exporter its registry entry declares (workloads/<model>/…Export.cpp), the rest here: the
// inputs' checks, the neighbour search, each contract's forward, the description, the archive.
// The neighbour search is the same for every model: all pairs in blocks of rows (O(N²) time,
// bounded memory), minimum image through fractional coordinates — exact for a triclinic cell too
// when every periodic width is at least twice the cutoff (a vector shorter than half the widths
// has fractional components below ½), which the module checks (an assertion naming it otherwise).
#include <torch/script.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>
#include <stdexcept>

#include "core/Units.hpp"
#include "workloads/torchscript/ModelExport.hpp"
#include "workloads/torchscript/TorchScriptPotential.hpp"

namespace mlffb {
namespace {

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

/// Over the model's atomic_energies_in(positions, numbers, box, pbc) → (N) kJ/mol: the energy
/// the contracts' forwards return, and the subdomain contract's per-atom energies of an isolated
/// cluster (TorchScriptPotential.hpp's kSubdomainContract).
const char* kEnergies = R"TS(
def energy(self, positions: Tensor, numbers: Tensor, box: Tensor, pbc: Tensor) -> Tensor:
    return self.atomic_energies_in(positions, numbers, box, pbc).sum()

def atomic_energies(self, positions: Tensor, atomic_numbers: Tensor) -> Tensor:
    return self.atomic_energies_in(positions, atomic_numbers, torch.zeros([3, 3], dtype=positions.dtype, device=positions.device), self.pbc_off != 0)
)TS";

/// The subdomain contract's mlffb.json: the model's cutoff and message-passing steps (the
/// exporter's description gives both) and their product, the receptive field.
nlohmann::ordered_json subdomainMetadata(const nlohmann::ordered_json& desc, const std::string& model) {
  const double cutoffNm = desc.at("cutoff_angstrom").get<double>() * units::kNmPerAngstrom;
  const int steps = desc.at("interaction_steps").get<int>();
  return {{"contract", kSubdomainContractName}, {"cutoff_nm", cutoffNm}, {"interaction_steps", steps},
          {"receptive_field_nm", steps * cutoffNm}, {"model", model}, {"producer", "mlff-bench export"}};
}

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

/// The request's checks that every model shares.
void checkRequest(const ExportRequest& rq) {
  const Precision prec = rq.options.precision;
  if (prec != Precision::Float32 && prec != Precision::Float64)
    throw std::invalid_argument("export: precision " + toString(prec) + " (float32 or float64)");
  if (rq.contract == ExportContract::OpenMMTorch && !rq.atoms)
    throw std::invalid_argument("the openmm-torch contract takes positions only: give the structure whose atoms the model is for (--in FILE)");
}

/// What the description says of the contract: precision, inputs, output, neighbour search.
void describeContract(nlohmann::ordered_json& desc, const ExportRequest& rq) {
  desc["precision"] = toString(rq.options.precision);
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
}

}  // namespace

ExportedModel exportTorchScript(const ExportRequest& rq) {
  const ModelEntry& entry = exportEntryOf(rq.model);
  checkRequest(rq);
  torch::jit::Module m("MlffBenchExport");
  // The periodic flags of the openmm-torch forwards. Integer and bool buffers are converted back
  // where used: LibTorch's C++ Module::to(dtype) converts every buffer, not only floating ones.
  m.register_buffer("pbc_on", torch::ones({3}, torch::kBool));
  m.register_buffer("pbc_off", torch::zeros({3}, torch::kBool));
  m.define(kNeighborPairs);  // first: the models' methods call these

  nlohmann::ordered_json desc;
  desc["model"] = rq.model;
  desc["contract"] = toString(rq.contract);
  desc.update(entry.exporter(m, rq));
  m.define(kEnergies);
  desc["subdomain"] = subdomainMetadata(desc, rq.model);
  if (rq.atoms) {
    std::vector<int64_t> z(rq.atoms->size());
    for (size_t i = 0; i < z.size(); ++i) z[i] = rq.atoms->atoms[i].element;
    m.register_buffer("atomic_numbers", torch::tensor(z, torch::kLong));
    desc["atoms"] = z.size();
  }
  m.define(forwardSource(rq.contract, rq.periodic));
  m.eval();
  describeContract(desc, rq);
  std::ostringstream bytes;
  m.save(bytes, {{"mlff_bench.json", desc.dump(2)}, {"mlffb.json", desc["subdomain"].dump(2)}});
  return {bytes.str(), desc};
}

}  // namespace mlffb
