"""plot_report.py's implementations figure: crossovers found where the fastest implementation
changes (and only there), over the sizes every implementation ran; the table and figure written
for a report with three implementations of one model, none for a report with one. Its per-model
cost table: µs per atom, the stage split, FLOPs per atom (analytic, else the GEMMs torch-ops
counted) and the top operators, from hand-made records whose answers are known. Issue 29's
noise: error bars from the records' 95 % intervals, "n.s." where two compared intervals overlap,
± noise and the †/‡ marks in the tables, and older records without these fields drawing every
figure as before."""
import copy
import json
import os
import sys
import tempfile
import unittest
from unittest import mock

from matplotlib.container import ErrorbarContainer

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


def timed(r, ci, noise=None, met=True, contended=False):
    """r with issue 29's fields: the 95 % interval of its headline number, its noise and load."""
    m = r["measurements"]
    if "md" in m:
        m["md"]["ns_per_day_ci95"] = list(ci)
    else:
        m["timing"] = {"criteria": {"mode": "adaptive"}, "unit": "ms per energy+forces", "samples": 12, "measured_s": 1.5,
                       "median_ms": m["stages"]["total"]["median_ms"], "ci95_ms": list(ci), "met": met, "stopped_by": "criteria"}
        if noise is not None:
            m["timing"]["noise"] = noise
    m["machine_load"] = {"contended": contended, "why": "load average 3 on 2 CPUs" if contended else ""}
    return r


def md_run(engine, config, atoms, nsday):
    model = {"name": "ani2x", "flavor": "native"}
    return {"status": "ok", "mode": "md", "device": "cpu", "precision": "float32", "model": model, "engine": engine,
            "configuration": config, "system": {"name": "polyala-%d" % atoms, "atoms": atoms},
            "measurements": {"md": {"ns_per_day": nsday, "atoms": atoms}}}


def drawn(fig_fn, reports):
    """Runs a figure function; returns {stem: figure} of what it saved (the figures stay inspectable)."""
    figs, save = {}, plot_report.save
    def keep(fig, out, stem, made):
        figs[stem] = fig
        save(fig, out, stem, made)
    with tempfile.TemporaryDirectory() as out, mock.patch.object(plot_report, "save", keep):
        fig_fn(reports, out, [], [])
    return figs


def error_bars(fig):
    """(x, y below, y above) of every error bar drawn on the figure."""
    return {(round(s[0][0], 6), round(s[0][1], 6), round(s[1][1], 6))
            for ax in fig.axes for c in ax.containers if isinstance(c, ErrorbarContainer) for s in c.lines[2][0].get_segments()}


class Intervals(unittest.TestCase):
    def test_interval_of_each_kind(self):
        sp = timed(run("native", 100, 93.1), (92.0, 94.4))
        self.assertEqual(plot_report.interval(sp, "ms"), (92.0, 94.4))
        self.assertIsNone(plot_report.interval(run("native", 100, 93.1), "ms"))  # an older record
        md = timed(md_run("gromacs", "mlff", 100, 10.0), (9.0, 11.0))
        self.assertEqual(plot_report.interval(md, "ns_per_day"), (9.0, 11.0))
        md["measurements"]["timing"] = {"ci95_ms": [1.0, 2.0]}  # ms per step: not an energy + forces time
        self.assertIsNone(plot_report.interval(md, "ms"))

    def test_significance(self):
        self.assertIs(plot_report.significant((1.0, 2.0), (1.9, 3.0)), False)
        self.assertIs(plot_report.significant((1.0, 2.0), (2.1, 3.0)), True)
        self.assertIsNone(plot_report.significant((1.0, 2.0), None))
        self.assertEqual(plot_report.ratio_text(1.034, False), "1.03 (n.s.)")
        self.assertEqual(plot_report.ratio_text(1.034, True), "1.03")
        self.assertEqual(plot_report.ratio_text(1.034, None), "1.03")

    def test_error_bars_are_asymmetric(self):
        self.assertEqual(plot_report.bars([(1, 10.0, (9.0, 10.5)), (2, 20.0, None)]), [[1.0, 0.0], [0.5, 0.0]])
        self.assertIsNone(plot_report.bars([(1, 10.0, None)]))


def noisy_report():
    """torch vs native on two sizes: told apart at 100 atoms, not at 1000 (overlapping intervals)."""
    return {"environment": REPORT["environment"], "runs": [
        timed(run("native", 100, 1.0), (0.9, 1.1), noise=0.1), timed(run("torch", 100, 3.0), (2.8, 3.3), noise=0.083),
        timed(run("native", 1000, 5.0), (4.8, 5.3), noise=0.05, met=False), timed(run("torch", 1000, 5.2), (5.0, 5.5), contended=True)]}


class Noise(unittest.TestCase):
    def test_implementations_table_marks_what_is_not_significant(self):
        with tempfile.TemporaryDirectory() as out:
            plot_report.fig_implementations([("r.json", noisy_report())], out, [], [])
            with open(os.path.join(out, "implementations.md")) as f:
                table = f.read()
        self.assertIn("| 100 | 1 ±10.0 % | 3 ±8.3 % | native |", table)  # disjoint: a plain verdict
        self.assertIn("| 1000 | 5 ±5.0 %† | 5.2‡ | native (n.s.) |", table)  # overlapping: not significant
        self.assertIn("† the sampling criteria were not met", table)
        self.assertIn("‡ measured while the machine was contended", table)
        self.assertIn("(n.s.) not significant", table)

    def test_framework_vs_fused_error_bars_and_hollow_points(self):
        fig = drawn(plot_report.fig_framework_vs_fused, [("r.json", noisy_report())])["framework_vs_fused"]
        bars = error_bars(fig)
        self.assertIn((100, 0.9, 1.1), bars)
        self.assertIn((1000, 5.0, 5.5), bars)
        ratio_ax = fig.axes[1]
        hollow = [l for l in ratio_ax.lines if l.get_gid() == "n.s."]
        self.assertEqual(len(hollow), 1)
        self.assertEqual(list(hollow[0].get_xdata()), [1000])
        self.assertEqual([t.get_text() for t in ratio_ax.texts], ["n.s."])

    def test_every_single_point_figure_draws_the_intervals(self):
        other = copy.deepcopy(noisy_report())
        other["environment"] = {"cpu_model": "Other CPU", "cpu_cores": 4}
        reports = [("r.json", noisy_report()), ("o.json", other)]
        for fn, stem in ((plot_report.fig_stage_times, "stage_time_vs_atoms"), (plot_report.fig_devices, "cross_device"),
                         (plot_report.fig_implementations, "implementations")):
            self.assertIn((100, 2.8, 3.3), error_bars(drawn(fn, reports)[stem]), stem)

    def test_md_error_bars_and_cost_ratio(self):
        rep = {"environment": REPORT["environment"], "runs": [
            timed(md_run("gromacs", "cff", 100, 100.0), (95.0, 105.0)), timed(md_run("gromacs", "mlff", 100, 10.0), (9.0, 11.0)),
            timed(md_run("gromacs", "cff", 200, 50.0), (45.0, 55.0)), timed(md_run("gromacs", "mlff", 200, 48.0), (44.0, 52.0)),
            md_run("gromacs", "cff", 400, 30.0), timed(md_run("gromacs", "mlff", 400, 10.0), (9.0, 11.0))]}
        figs = drawn(plot_report.fig_md, [("r.json", rep)])
        self.assertIn((100, 9.0, 11.0), error_bars(figs["md_mlffsys_ns_per_day"]))
        self.assertIn((200, 45.0, 55.0), error_bars(figs["md_cffsys_ns_per_day"]))
        ratios = [r[8:10] for r in plot_report.cost_ratio_rows([("r.json", rep)])]
        self.assertEqual([s for _, s in ratios], [True, False, None])  # disjoint, overlapping, the CFF run without one
        with tempfile.TemporaryDirectory() as out:
            plot_report.fig_md([("r.json", rep)], out, [], [])
            with open(os.path.join(out, "md_cost_ratio.md")) as f:
                table = f.read()
        self.assertIn("| 10.0 |", table)
        self.assertIn("| 1.0 (n.s.) |", table)
        self.assertIn("| 3.0 |", table)

    def test_model_costs_and_timing_table(self):
        rep = {"environment": REPORT["environment"], "runs": [
            timed(costed("mace", "mace-torch", 100, {"energy": 6.0, "forces": 2.0}), (7.9, 8.3), noise=0.025, contended=True),
            costed("ani2x", "native", 200, {"energy": 1.0, "forces": 1.0})]}
        rows = {r["model"]: r for r in plot_report.model_cost_rows([("r.json", rep)])}
        self.assertEqual(rows["mace/mace-torch"]["ci"], (7.9, 8.3))
        self.assertIsNone(rows["ani2x/native"]["ci"])
        with tempfile.TemporaryDirectory() as out:
            plot_report.fig_model_costs([("r.json", rep)], out, [], [])
            plot_report.write_timing_table([("r.json", rep)], out)
            with open(os.path.join(out, "model_costs.md")) as f:
                costs = f.read()
            with open(os.path.join(out, "timing.md")) as f:
                timing = f.read()
        self.assertIn("| mace/mace-torch | Test CPU | float64 | 100 | 8 ±2.5 %‡ | 80 |", costs)
        self.assertIn("| ani2x/native | Test CPU | float64 | 200 | 2 | 10 |", costs)
        self.assertIn("| mace/mace-torch Test CPU float64 | polyala-100 | 100 | ms per energy+forces | 8 ±2.5 %‡ | 7.9 – 8.3 | 12 | 1.5 | criteria |", timing)
        self.assertNotIn("ani2x", timing)  # an older record: not in the timing table


class OlderReports(unittest.TestCase):
    def reports(self, noisy):
        """Every figure's inputs: single points on two devices, torch vs native, three configurations of MD."""
        runs = [run("native", 100, 1.0), run("torch", 100, 3.0), run("native", 1000, 5.0), run("torch", 1000, 5.2),
                md_run("gromacs", "cff", 100, 100.0), md_run("gromacs", "mlff", 100, 10.0), md_run("gromacs", "cml", 100, 8.0),
                costed("mace", "mace-torch", 100, {"energy": 6.0, "forces": 2.0})]
        if noisy:
            runs = [timed(r, (0.5 * v, 2.0 * v)) for r, v in
                    ((r, r["measurements"]["md"]["ns_per_day"] if "md" in r["measurements"] else r["measurements"]["stages"]["total"]["median_ms"]) for r in runs)]
        other = {"environment": {"cpu_model": "Other CPU", "cpu_cores": 4}, "runs": copy.deepcopy(runs[:4])}
        return [("a.json", {"environment": REPORT["environment"], "runs": runs}), ("b.json", other)]

    def test_every_figure_with_and_without_the_fields(self):
        made = {}
        for noisy in (False, True):
            with tempfile.TemporaryDirectory() as out:
                paths = []
                for name, rep in self.reports(noisy):
                    paths.append(os.path.join(out, name))
                    with open(paths[-1], "w") as f:
                        json.dump(rep, f)
                with mock.patch("sys.stdout"):
                    self.assertEqual(plot_report.main(["--out", os.path.join(out, "fig")] + paths), 0)
                files = sorted(os.listdir(os.path.join(out, "fig")))
                made[noisy] = [f for f in files if f.endswith(".png")]
                text = ""
                for name in (f for f in files if f.endswith(".md")):
                    with open(os.path.join(out, "fig", name)) as f:
                        text += f.read()
                if not noisy:
                    self.assertNotIn("timing.md", files)
                    for mark in ("±", "†", "‡", "n.s."):
                        self.assertNotIn(mark, text)
                else:
                    self.assertIn("timing.md", files)
                    self.assertIn("(n.s.)", text)
        self.assertEqual(made[False], made[True])
        self.assertEqual(made[False], sorted(s + ".png" for s in (
            "stage_time_vs_atoms", "md_mlffsys_ns_per_day", "md_cmlsys_ns_per_day", "md_cffsys_ns_per_day", "cross_device",
            "framework_vs_fused", "implementations", "model_costs")))

    def test_no_error_bars_without_intervals(self):
        reports = self.reports(False)
        for fn in (plot_report.fig_stage_times, plot_report.fig_devices, plot_report.fig_framework_vs_fused,
                   plot_report.fig_implementations, plot_report.fig_md):
            for stem, fig in drawn(fn, reports).items():
                self.assertEqual(error_bars(fig), set(), stem)


if __name__ == "__main__":
    unittest.main()
