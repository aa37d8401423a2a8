"""plot_report.py's implementations figure: crossovers found where the fastest implementation
changes (and only there), over the sizes every implementation ran; the table and figure written
for a report with three implementations of one model, none for a report with one. Its per-model
cost table: µs per atom, the stage split, FLOPs per atom (analytic, else the GEMMs torch-ops
counted) and the top operators, from hand-made records whose answers are known."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import plot_report  # noqa: E402


def run(flavor, atoms, ms, peer=None):
    model = {"name": "ani2x", "flavor": flavor}
    if peer:
        model["peer"] = peer
    return {"status": "ok", "mode": "single-point", "device": "cpu", "precision": "float64", "model": model,
            "system": {"name": "polyala-%d" % atoms, "atoms": atoms},
            "measurements": {"stages": {"total": {"median_ms": ms}}}}


REPORT = {"environment": {"cpu_model": "Test CPU", "cpu_cores": 2}, "runs": [
    run("native", 100, 1.0), run("native", 1000, 5.0), run("native", 10000, 40.0),
    run("torch", 100, 3.0), run("torch", 1000, 4.0), run("torch", 10000, 30.0),
    run("torchani", 100, 2.0, "torchani 2.9.0"), run("torchani", 1000, 6.0, "torchani 2.9.0"),
]}


class Crossovers(unittest.TestCase):
    def test_changes_only_where_the_fastest_changes(self):
        rows, changes = plot_report.crossovers({"a": {1: 1.0, 2: 2.0, 3: 3.0, 4: 9.0}, "b": {1: 2.0, 2: 3.0, 3: 2.5, 4: 8.0}})
        self.assertEqual([r[2] for r in rows], ["a", "a", "b", "b"])
        self.assertEqual(changes, [(2, 3, "a", "b")])

    def test_only_sizes_every_implementation_ran(self):
        rows, changes = plot_report.crossovers({"a": {1: 1.0, 2: 5.0}, "b": {2: 1.0, 3: 1.0}})
        self.assertEqual([r[0] for r in rows], [2])
        self.assertEqual(changes, [])

    def test_figure_and_table(self):
        with tempfile.TemporaryDirectory() as out:
            made, skipped = [], []
            plot_report.fig_implementations([("r.json", REPORT)], out, made, skipped)
            self.assertEqual(made, ["implementations"])
            self.assertTrue(os.path.exists(os.path.join(out, "implementations.png")))
            with open(os.path.join(out, "implementations.md")) as f:
                table = f.read()
            self.assertIn("torchani (torchani 2.9.0)", table)
            self.assertIn("between 100 and 1000 atoms the fastest changes from native to torch", table)
            one = {"environment": REPORT["environment"], "runs": [r for r in REPORT["runs"] if r["model"]["flavor"] == "native"]}
            made, skipped = [], []
            plot_report.fig_implementations([("r.json", one)], out, made, skipped)
            self.assertEqual(made, [])
            self.assertFalse(os.path.exists(os.path.join(out, "implementations.md")))


def costed(model, flavor, atoms, stages, ops=None, by_stage=None, flops=None):
    r = run(flavor, atoms, sum(stages.values()))
    r["model"]["name"] = model
    r["measurements"]["stages"].update({k: {"median_ms": v} for k, v in stages.items()})
    if ops:
        r["measurements"]["operators"] = ops
        r["measurements"]["operators_by_stage"] = by_stage
    if flops:
        r["measurements"]["flops"] = {"total": flops}
    return r


class ModelCosts(unittest.TestCase):
    OPS = {"aten::mm": {"calls": 2, "self_ms": 6.0, "total_ms": 6.0, "flops": 4e6, "bytes": 2e5},
           "aten::mul": {"calls": 9, "self_ms": 3.0, "total_ms": 3.0}, "aten::add": {"calls": 1, "self_ms": 1.0, "total_ms": 1.0}}
    BY_STAGE = {"energy": {"stage_ms": 8, "operators_self_ms": 7, "gemm_flops": 3e6, "gemm_bytes": 1.5e5, "operators": {}},
                "forces": {"stage_ms": 4, "operators_self_ms": 3, "gemm_flops": 1e6, "gemm_bytes": 0.5e5, "operators": {}}}

    def test_rows(self):
        rep = {"environment": REPORT["environment"], "runs": [
            costed("mace", "mace-torch", 100, {"energy": 6.0, "forces": 2.0}, self.OPS, self.BY_STAGE),
            costed("ani2x", "native", 200, {"energy": 1.0, "forces": 1.0}, flops=8e6),
            dict(costed("et", "torch", 300, {}), engine="lammps")]}  # through an engine: not the model's own cost
        rows = {r["model"]: r for r in plot_report.model_cost_rows([("r.json", rep)])}
        self.assertEqual(sorted(rows), ["ani2x/native", "mace/mace-torch"])
        mace = rows["mace/mace-torch"]
        self.assertAlmostEqual(mace["us_per_atom"], 80.0)
        self.assertAlmostEqual(mace["split"]["energy"], 0.75)
        self.assertEqual(mace["flops_per_atom"], (4e4, "GEMM"))
        self.assertAlmostEqual(mace["gemm_bytes_per_atom"], 2e3)
        self.assertAlmostEqual(mace["gemm_share"], 0.6)
        self.assertEqual([k for k, _ in mace["top"]], ["aten::mm", "aten::mul", "aten::add"])
        self.assertEqual(rows["ani2x/native"]["flops_per_atom"], (4e4, "analytic"))
        self.assertEqual(rows["ani2x/native"]["top"], [])
        with tempfile.TemporaryDirectory() as out:
            made, skipped = [], []
            plot_report.fig_model_costs([("r.json", rep)], out, made, skipped)
            self.assertEqual(made, ["model_costs"])
            with open(os.path.join(out, "model_costs.md")) as f:
                table = f.read()
            self.assertIn("| mace/mace-torch | Test CPU | float64 | 100 | 8 | 80 | energy 75% · forces 25% | 40.0 (GEMM) | 2.0 | 60% | aten::mm 60%, aten::mul 30%, aten::add 10% |", table)


if __name__ == "__main__":
    unittest.main()
