"""mace-torch's own MACE, compiled by mace's TorchScript route for mlff-bench's `mace/mace-torch`
flavour (workloads/mace/MaceEntry.cpp).

It builds a MACE model (mlffb_peers.mace_model: MACE-OFF23's small, medium or large architecture
with random weights from --seed, or the user's --model-file), wraps it in a module of ours with the
OpenMM-Torch contract the `torchscript` flavour loads
  forward(positions (N,3) nm)               -> energy kJ/mol     (a structure in vacuum)
  forward(positions (N,3) nm, box (3,3) nm) -> energy kJ/mol     (periodic; rows are cell vectors)
with the atomic numbers in a buffer `numbers` ((N,) int64) that the loader sets for each structure
(the C++ flavour does so in setSystem; the file holds none), and with the subdomain contract's
  atomic_energies(positions (N,3) nm, atomic_numbers (N,) int64) -> (N,) kJ/mol
(MACE's node energies of the atoms as an isolated cluster; their sum is forward()'s energy in
vacuum) and the `mlffb.json` extra file (the contract's name, cutoff, message-passing steps and
receptive field). The module finds the neighbour pairs itself (all pairs in blocks; periodic cells,
triclinic included, with every image within the cutoff) and calls MACE with the data dict MACE's
own calculator builds (positions, one-hot node_attrs over the model's element table, edge_index,
shifts, unit_shifts, cell, batch, ptr, head). It is compiled with e3nn.util.jit.compile, as
mace/cli/create_lammps_model.py compiles MACE, and saved. One file serves every structure of one
precision and periodicity.

Usage: export_mace.py --dtype float32|float64 --periodic 0|1
                      (--preset small|medium|large --seed S | --model-file FILE.model)
                      [--head NAME] --out FILE.pt
Writes FILE.pt and beside it FILE.pt.json: the versions, the model's description and how long the
export took. The file is made on the CPU; LibTorch moves it to the device it loads it on.
"""
import argparse
import copy
import importlib.metadata
import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

import mace  # noqa: F401  (before e3nn: it lets e3nn load its constants under torch 2.6+'s torch.load)
import torch
from e3nn.util import jit
from e3nn.util.jit import compile_mode
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mlffb_peers  # noqa: E402

SUBDOMAIN_CONTRACT = "mlffb-subdomain/1"


@compile_mode("script")
class Vacuum(torch.nn.Module):
    """forward(positions nm) -> energy kJ/mol of the atoms in `numbers`, MACE in vacuum."""

    def __init__(self, model, head: int, kj_per_ev: float):
        super().__init__()
        self.model = model
        for p in self.model.parameters():
            p.requires_grad_(False)
        zs = model.atomic_numbers.to(torch.long)
        index = torch.full((119,), -1, dtype=torch.long)  # atomic number -> row of MACE's one-hot
        index[zs] = torch.arange(zs.numel())
        self.register_buffer("z_index", index)
        self.register_buffer("z_table", zs.clone())  # the elements the model takes (read by the C++ flavour)
        self.register_buffer("numbers", torch.zeros(0, dtype=torch.long))
        self.register_buffer("head", torch.tensor([head], dtype=torch.long))
        self.r_max = float(model.r_max)
        self.num_elements = int(zs.numel())
        self.kj_per_ev = kj_per_ev

    def node_attrs(self, numbers: Tensor, dtype: torch.dtype) -> Tensor:
        """MACE's one-hot of the atoms' elements over its element table."""
        rows = self.z_index.to(torch.long)[numbers.to(torch.long).clamp(0, 118)]
        assert bool(((rows >= 0) & (numbers >= 0) & (numbers <= 118)).all()), \
            "mace/mace-torch: an atom's element is not one of the model's elements (z_table)"
        return torch.nn.functional.one_hot(rows, self.num_elements).to(dtype)

    def edges(self, pos: Tensor, cell: Tensor, periodic: bool) -> Tuple[Tensor, Tensor]:
        """MACE's edges (sender i, receiver j) with every periodic image of j closer than r_max
        to i: edge_index (2, E) and unit_shifts n (E, 3), so that the edge vector is
        pos[j] - pos[i] + n @ cell. Positions and cell in Angstrom. Exact for any cell: an image
        within r_max lies within floor(1/2 + r_max / width) cells (per axis) of the one that
        rounding the fractional separation picks."""
        n = pos.size(0)
        dev = pos.device
        p = pos.detach()
        c = cell.detach().to(p.dtype)
        grid = torch.zeros([1, 3], dtype=p.dtype, device=dev)
        inv = torch.zeros([3, 3], dtype=p.dtype, device=dev)
        if periodic:
            volume = float(torch.det(c).abs())
            assert volume > 0.0, "mace/mace-torch: the periodic box has no volume"
            areas = torch.stack([torch.linalg.cross(c[1], c[2]).norm(), torch.linalg.cross(c[2], c[0]).norm(),
                                 torch.linalg.cross(c[0], c[1]).norm()])
            reach = torch.floor(0.5 + self.r_max * areas / volume).to(torch.long)
            r0 = torch.arange(-int(reach[0]), int(reach[0]) + 1, device=dev)
            r1 = torch.arange(-int(reach[1]), int(reach[1]) + 1, device=dev)
            r2 = torch.arange(-int(reach[2]), int(reach[2]) + 1, device=dev)
            mesh = torch.meshgrid([r0, r1, r2], indexing="ij")
            grid = torch.stack([mesh[0].reshape(-1), mesh[1].reshape(-1), mesh[2].reshape(-1)], 1).to(p.dtype)
            inv = torch.linalg.inv(c)
        images = grid.size(0)
        senders: List[Tensor] = []
        receivers: List[Tensor] = []
        units: List[Tensor] = []
        block = max(1, 4194304 // max(n * images, 1))  # rows per block: ~4M candidate vectors
        cols = torch.arange(n, device=dev)
        start = 0
        while start < n:
            stop = min(n, start + block)
            rows = torch.arange(start, stop, device=dev)
            d = p.unsqueeze(0) - p[start:stop].unsqueeze(1)  # (rows, n, 3): pos[j] - pos[i]
            base = torch.zeros_like(d)
            if periodic:
                base = -torch.round(torch.matmul(d, inv))
            cand = base.unsqueeze(2) + grid.view(1, 1, images, 3)  # (rows, n, images, 3) unit shifts
            v = d.unsqueeze(2) + torch.matmul(cand, c)
            close = (v * v).sum(-1) < self.r_max * self.r_max
            itself = (rows.view(-1, 1, 1) == cols.view(1, -1, 1)) & (cand == 0).all(-1)
            sel = close & ~itself
            ijk = sel.nonzero()
            senders.append(ijk[:, 0] + start)
            receivers.append(ijk[:, 1])
            units.append(cand[sel])
            start = stop
        if len(senders) == 0:
            return torch.zeros([2, 0], dtype=torch.long, device=dev), torch.zeros([0, 3], dtype=pos.dtype, device=dev)
        return torch.stack([torch.cat(senders), torch.cat(receivers)]), torch.cat(units).to(pos.dtype)

    def run(self, positions: Tensor, numbers: Tensor, box: Tensor, periodic: bool) -> Dict[str, Tensor]:
        """MACE's outputs for positions and box in nm (box: zeros in vacuum), energies in kJ/mol:
        energy (1,) and node_energy (N,)."""
        pos = positions * 10.0  # nm -> Angstrom (the graph keeps the gradient)
        cell = box.to(pos.dtype) * 10.0
        edge_index, unit_shifts = self.edges(pos, cell, periodic)
        n = pos.size(0)
        data: Dict[str, Tensor] = {
            "positions": pos,
            "node_attrs": self.node_attrs(numbers, pos.dtype),
            "edge_index": edge_index,
            "shifts": torch.matmul(unit_shifts, cell.detach()),
            "unit_shifts": unit_shifts,
            "cell": cell.detach(),
            "batch": torch.zeros(n, dtype=torch.long, device=pos.device),
            "ptr": torch.tensor([0, n], dtype=torch.long, device=pos.device),
            "head": self.head.to(torch.long),
        }
        out = self.model(data, training=False, compute_force=False)
        energy = out["energy"]
        node_energy = out["node_energy"]
        assert energy is not None and node_energy is not None, "mace/mace-torch: MACE returned no energy"
        return {"energy": energy.to(positions.dtype) * self.kj_per_ev,
                "node_energy": node_energy.to(positions.dtype) * self.kj_per_ev}

    def forward(self, positions: Tensor) -> Tensor:
        zero = torch.zeros([3, 3], dtype=positions.dtype, device=positions.device)
        return self.run(positions, self.numbers, zero, False)["energy"].sum()

    @torch.jit.export
    def atomic_energies(self, positions: Tensor, atomic_numbers: Tensor) -> Tensor:
        """The subdomain contract: MACE's node energies (kJ/mol) of these atoms as an isolated
        cluster, in the dtype of positions; they sum to forward()'s energy in vacuum."""
        zero = torch.zeros([3, 3], dtype=positions.dtype, device=positions.device)
        return self.run(positions, atomic_numbers.to(torch.long), zero, False)["node_energy"]

@compile_mode("script")
class Periodic(Vacuum):
    """forward(positions nm, box nm) -> energy kJ/mol, MACE with the images of the cell."""

    def forward(self, positions: Tensor, box: Tensor) -> Tensor:
        return self.run(positions, self.numbers, box, True)["energy"].sum()



def head_index(model, head):
    """The index of `head` among the model's heads (default: the last, as mace's LAMMPS export)."""
    heads = list(getattr(model, "heads", None) or ["Default"])
    if head is None:
        return len(heads) - 1, heads[-1]
    if head not in heads:
        raise ValueError(f"the model has no head '{head}' (heads: {', '.join(heads)})")
    return heads.index(head), head


def subdomain_metadata(model, desc):
    """The `mlffb.json` extra file of the subdomain contract: one atom's energy reaches
    num_interactions message-passing steps of r_max."""
    cutoff_nm = float(model.r_max) / 10.0
    steps = int(model.num_interactions)
    return {"contract": SUBDOMAIN_CONTRACT, "cutoff_nm": cutoff_nm, "interaction_steps": steps,
            "receptive_field_nm": cutoff_nm * steps, "model": "mace", "peer": "mace-torch",
            "hyperparameters": desc["hyperparameters"], "weights": desc["weights"]}


def export(args):
    start = time.perf_counter()
    model, desc = mlffb_peers.mace_model(args.preset, args.seed, args.model_file)
    if args.dtype == "float32":
        model = copy.deepcopy(model).float()  # the float64 weights rounded once
    index, head = head_index(model, args.head)
    wrapper = (Periodic if args.periodic else Vacuum)(model, index, mlffb_peers.KJ_PER_MOL_PER_EV)
    compiled = jit.compile(wrapper)
    meta = subdomain_metadata(model, desc)
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    torch.jit.save(compiled, str(tmp), _extra_files={"mlffb.json": json.dumps(meta)})
    info = {
        "mace-torch": importlib.metadata.version("mace-torch"),
        "e3nn": importlib.metadata.version("e3nn"),
        "torch": torch.__version__,
        "dtype": args.dtype,
        "periodic": bool(args.periodic),
        "head": head,
        "hyperparameters": desc["hyperparameters"],
        "weights": desc["weights"],
        "random_weights": not args.model_file,
        "subdomain": meta,
        "export_seconds": time.perf_counter() - start,
    }
    Path(str(out) + ".json").write_text(json.dumps(info, indent=1) + "\n")
    os.replace(tmp, out)  # the .pt last: its presence means both files are complete


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dtype", choices=["float32", "float64"], required=True)
    p.add_argument("--periodic", type=int, choices=[0, 1], default=0)
    p.add_argument("--preset", choices=sorted(mlffb_peers.MACE_OFF23_HIDDEN_IRREPS), default="medium")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--model-file", default="", help="a MACE .model file (its weights instead of random ones)")
    p.add_argument("--head", default=None, help="the head of a multi-head model (default: the last)")
    p.add_argument("--out", required=True)
    export(p.parse_args())


if __name__ == "__main__":
    main()
