"""Energy and forces of structures from mace-torch's own ASE calculator (MACECalculator) in
float64: the reference of the `mace/mace-torch` cross-checks (tests/workloads/MacePeerTest.cpp).
The model is built here, at test time, exactly as the flavour's export builds it
(mlffb_peers.mace_model), and MACE's calculator finds the neighbours itself (mace.data's
get_neighborhood, matscipy's neighbour list).

Usage: mace_eval.py --structure IN.json --out OUT.json
                    (--preset small|medium|large --seed S | --model-file FILE.model) [--threads T]
                    [--save-model FILE.model] [--r-max ANGSTROM]
--save-model also writes the model as a MACE .model file (torch.save of the module, as mace's
training does), for the flavour's --model-file; --r-max builds the preset at another cutoff (a
test's short receptive field).
IN.json: a list of structures {"numbers": [Z, …], "positions": [[x, y, z], …] in Angstrom,
"box": [[a], [b], [c]] in Angstrom (rows are cell vectors) or null}.
OUT.json: {"results": [per structure {"energy": kJ/mol, "forces": [[…]] kJ/mol/Angstrom}],
"mace-torch": version, "torch": version}.
"""
import argparse
import importlib.metadata
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mlffb_peers  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--structure", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--preset", default="medium")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--model-file", default="")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--save-model", default="")
    p.add_argument("--r-max", type=float, default=None)
    args = p.parse_args()
    logging.disable(logging.WARNING)
    import ase
    import torch
    from mace.calculators import MACECalculator
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    model, _ = mlffb_peers.mace_model(args.preset, args.seed, args.model_file, args.r_max)
    if args.save_model:
        torch.save(model, args.save_model)
    calc = MACECalculator(models=model, device="cpu", default_dtype="float64")
    results = []
    for s in json.loads(Path(args.structure).read_text()):
        periodic = s.get("box") is not None
        atoms = ase.Atoms(numbers=s["numbers"], positions=s["positions"], cell=s["box"] if periodic else None,
                          pbc=periodic)
        atoms.calc = calc
        k = mlffb_peers.KJ_PER_MOL_PER_EV
        results.append({"energy": float(atoms.get_potential_energy()) * k,
                        "forces": (atoms.get_forces() * k).tolist()})
    out = {"results": results, "mace-torch": importlib.metadata.version("mace-torch"), "torch": torch.__version__}
    Path(args.out).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
