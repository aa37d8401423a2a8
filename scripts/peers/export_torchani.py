"""TorchANI 2.9's own ANI-2x, exported by TorchANI's TorchScript support for mlff-bench's
`ani2x/torchani` flavour (workloads/peers/TorchaniEntry.cpp).

It builds TorchANI's ANI2x() on mlff-bench's NeuroChem weights (mlffb_peers.torchani_ani2x), wraps
it in a small module with the OpenMM-Torch contract the `torchscript` flavour loads
  forward(positions (N,3) nm)            -> energy kJ/mol       (a structure in vacuum)
  forward(positions (N,3) nm, box (3,3) nm) -> energy kJ/mol    (periodic; rows are cell vectors)
the atomic numbers as a buffer `numbers` (shape (1, N), int64) that the loader sets for each
structure (the C++ flavour does so in setSystem; the file holds none), and the subdomain contract
(README "Subdomain contract": atomic_energies(positions nm, atomic_numbers) -> (N) kJ/mol from
TorchANI's own atomic_energies, and the extra file mlffb.json), runs torch.jit.script() on it
and saves it. One file thus serves every structure of one precision and periodicity. The periodic cell goes to TorchANI as its own `cell` and `pbc` arguments, so TorchANI's neighbour list
(all pairs, or its cell list) finds the images.

Usage: export_torchani.py --weights DIR --data-dir DIR --dtype float32|float64
                          --periodic 0|1 --strategy pyaev|cuaev
                          --neighborlist all_pairs|cell_list --member -1|0..7 --out FILE.pt
Writes FILE.pt and beside it
FILE.json: the versions, what the file computes with and how long the export took. The file is
made on the CPU; LibTorch moves it to the device it loads it on.
"""
import argparse
import importlib.metadata
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TORCHANI_NO_WARN_EXTENSIONS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import mlffb_peers  # noqa: E402


def wrapper_classes():
    """The two wrapper modules (defined here so that importing this file needs no torch)."""
    import torch

    class Vacuum(torch.nn.Module):
        """forward(positions nm) -> energy kJ/mol of the fixed atoms, TorchANI in vacuum."""

        def __init__(self, ani, kj_per_hartree: float):
            super().__init__()
            self.ani = ani
            self.register_buffer("numbers", torch.zeros(1, 0, dtype=torch.long))
            self.kj_per_hartree = kj_per_hartree

        def forward(self, positions: torch.Tensor) -> torch.Tensor:
            coords = (positions * 10.0).unsqueeze(0)  # nm -> Angstrom, one molecule
            energy = self.ani((self.numbers, coords)).energies
            return energy.sum() * self.kj_per_hartree

        @torch.jit.export
        def atomic_energies(self, positions: torch.Tensor, atomic_numbers: torch.Tensor) -> torch.Tensor:
            """The subdomain contract: TorchANI's own per-atom energies (its ensemble's mean network
            output plus the self energy of each atom) of the atoms as an isolated cluster, kJ/mol."""
            coords = (positions * 10.0).unsqueeze(0)
            energies = self.ani.atomic_energies((atomic_numbers.unsqueeze(0), coords)).energies
            return energies[0] * self.kj_per_hartree

    class Periodic(Vacuum):
        """forward(positions nm, box nm) -> energy kJ/mol, TorchANI with its cell and pbc. (The pbc
        flags are made per call: LibTorch's Module::to(dtype) would turn a bool buffer into floats.)"""

        def forward(self, positions: torch.Tensor, box: torch.Tensor) -> torch.Tensor:
            coords = (positions * 10.0).unsqueeze(0)
            pbc = torch.ones(3, dtype=torch.bool, device=positions.device)
            energy = self.ani((self.numbers, coords), cell=box * 10.0, pbc=pbc).energies
            return energy.sum() * self.kj_per_hartree

    return Vacuum, Periodic


def cuaev_library():
    """The path of the cuAEV extension TorchANI loaded, or "" when it has none."""
    from torchani import csrc
    if not csrc.CUAEV_IS_INSTALLED:
        return ""
    for folder in (csrc.internal_path, csrc.external_path):
        candidate = Path(folder) / ("cuaev" + csrc.external_suffix)
        if candidate.exists():
            return str(candidate.resolve())
    return ""


def export(args):
    import torch
    import torchani.units
    start = time.perf_counter()
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    member = None if args.member < 0 else args.member  # None: the 8-member ensemble
    ani = mlffb_peers.torchani_ani2x(args.weights, args.data_dir, dtype=dtype, strategy=args.strategy,
                                     neighborlist=args.neighborlist, model_index=member)
    Vacuum, Periodic = wrapper_classes()
    wrapper = (Periodic if args.periodic else Vacuum)(ani, float(torchani.units.HARTREE_TO_KJOULEMOL))
    scripted = torch.jit.script(wrapper)
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    # The subdomain contract's metadata: ANI-2x's energy of an atom reaches its radial cutoff, once.
    subdomain = mlffb_peers.subdomain_metadata(float(ani.cutoff) / 10.0, 1, model="ani2x", peer="torchani")
    scripted.save(str(tmp), _extra_files={"mlffb.json": json.dumps(subdomain)})
    info = {
        "torchani": importlib.metadata.version("torchani"),
        "torch": torch.__version__,
        "weights": str(Path(args.weights).resolve()),
        "weights_loader": "torchani.neurochem.load_model_from_info_file (TorchANI's NeuroChem loader)",
        "dtype": args.dtype,
        "periodic": bool(args.periodic),
        "aev_strategy": args.strategy,
        "neighborlist": args.neighborlist,
        "member": args.member,
        "cuaev_library": cuaev_library() if args.strategy == "cuaev" else "",
        "export_seconds": time.perf_counter() - start,
    }
    Path(str(out) + ".json").write_text(json.dumps(info, indent=1) + "\n")
    os.replace(tmp, out)  # the .pt last: its presence means both files are complete


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--weights", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--dtype", choices=["float32", "float64"], required=True)
    p.add_argument("--periodic", type=int, choices=[0, 1], default=0)
    p.add_argument("--strategy", choices=["pyaev", "cuaev"], default="pyaev")
    p.add_argument("--neighborlist", choices=["all_pairs", "cell_list"], default="all_pairs")
    p.add_argument("--member", type=int, choices=range(-1, 8), default=-1)
    p.add_argument("--out", required=True)
    export(p.parse_args())


if __name__ == "__main__":
    main()
