"""Energy and forces of structures from TorchANI 2.9 in Python: the reference of mlff-bench's
ANI-2x cross-checks (tests/workloads/TorchaniPeerTest.cpp) and the "TorchANI called directly"
timings.

Usage: torchani_eval.py --structure IN.json --out OUT.json --eval WHAT [--eval WHAT …]
                        [--weights DIR] [--dtype float64] [--repeats N] [--threads T]
IN.json: a list of structures {"numbers": [Z, …], "positions": [[x, y, z], …] in Angstrom,
"box": [[a], [b], [c]] in Angstrom (rows are cell vectors) or null}.
WHAT:
  torchani        TorchANI's ANI2x() on the NeuroChem weights, as TorchANI builds it (its loader
                  rounds the AEV constants and self energies to float32);
  torchani-exact  the same with those constants in float64 as the files write them
                  (mlffb_peers.use_exact_constants): mlff-bench's function exactly;
  file:PATH       a TorchScript file of the ani2x/torchani flavour (export_torchani.py): numbers
                  buffer set, forward(positions nm[, box nm]); null for the structures whose
                  periodicity is not the file's;
  export:PATH     a file of `mlff-bench export` (nnpot contract): forward(positions nm, numbers,
                  box nm, pbc).
OUT.json: {"results": {WHAT: [per structure {"energy": kJ/mol, "forces": [[…]] kJ/mol/Angstrom,
"ms": [per timed evaluation]}, …]}, "threads": T, "torchani": version, "torch": version}.
With --repeats N the energy+forces evaluation runs N more times after two warm-ups, timed.
"""
import argparse
import importlib.metadata
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TORCHANI_NO_WARN_EXTENSIONS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import mlffb_peers  # noqa: E402


def torchani_maker(what, weights, dtype):
    """make(numbers, box Angstrom or None) -> a function of positions (Angstrom, requires_grad)
    returning TorchANI's energy in kJ/mol."""
    import torch
    import torchani.units
    with tempfile.TemporaryDirectory() as data:
        ani = mlffb_peers.torchani_ani2x(weights, data, dtype=dtype)
    if what == "torchani-exact":
        mlffb_peers.use_exact_constants(ani, weights)

    def make(numbers, box):
        pbc = None if box is None else torch.ones(3, dtype=torch.bool)
        return lambda x: ani((numbers.view(1, -1), x.unsqueeze(0)), cell=box, pbc=pbc).energies.sum() \
            * torchani.units.HARTREE_TO_KJOULEMOL
    return make


def file_maker(what, dtype):
    """The same for a TorchScript file (file:PATH or export:PATH); make returns None for a structure
    the file cannot take (a flavour file of the other periodicity)."""
    import torch
    kind, _, path = what.partition(":")
    module = torch.jit.load(path)
    module.to(dtype)
    if kind == "export":
        def make_export(numbers, box):
            cell = torch.zeros(3, 3, dtype=dtype) if box is None else box / 10.0
            pbc = torch.full((3,), box is not None, dtype=torch.bool)
            return lambda x: module(x / 10.0, numbers, cell, pbc)
        return make_export
    periodic = len(module.forward.schema.arguments) == 3  # self, positions, box

    def make_file(numbers, box):
        if periodic != (box is not None):
            return None
        module.numbers = numbers.view(1, -1)
        return (lambda x: module(x / 10.0, box / 10.0)) if periodic else (lambda x: module(x / 10.0))
    return make_file


def energy_forces(f, positions):
    import torch
    x = positions.clone().requires_grad_(True)
    energy = f(x)
    (grad,) = torch.autograd.grad(energy, x)
    return energy.item(), (-grad).tolist()


def evaluate(make, structure, dtype, repeats):
    """Energy and forces of one structure, and the ms of each of `repeats` timed evaluations."""
    import torch
    numbers = torch.tensor(structure["numbers"], dtype=torch.long)
    positions = torch.tensor(structure["positions"], dtype=dtype)
    box = None if structure.get("box") is None else torch.tensor(structure["box"], dtype=dtype)
    f = make(numbers, box)
    if f is None:
        return None
    energy, forces = energy_forces(f, positions)
    times = []
    for i in range(repeats + (2 if repeats else 0)):
        start = time.perf_counter()
        energy_forces(f, positions)
        if i >= 2:
            times.append((time.perf_counter() - start) * 1000.0)
    return {"energy": energy, "forces": forces, "ms": times}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--structure", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--eval", action="append", required=True)
    p.add_argument("--weights")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    p.add_argument("--repeats", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args()
    import torch
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    structures = json.loads(Path(args.structure).read_text())
    results = {}
    for what in args.eval:
        if what in ("torchani", "torchani-exact"):
            make = torchani_maker(what, args.weights, dtype)
        else:
            make = file_maker(what, dtype)
        results[what] = [evaluate(make, s, dtype, args.repeats) for s in structures]
    out = {"results": results, "threads": torch.get_num_threads(),
           "torchani": importlib.metadata.version("torchani"), "torch": torch.__version__}
    Path(args.out).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
