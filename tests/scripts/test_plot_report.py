"""plot_report.py's implementations figure: crossovers found where the fastest implementation
changes (and only there), over the sizes every implementation ran; the table and figure written
for a report with three implementations of one model, none for a report with one."""
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


if __name__ == "__main__":
    unittest.main()
