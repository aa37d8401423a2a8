#!/usr/bin/python3
"""Figures from mlff-bench reports, like those of De Alwis et al. (the MLFF characterisation study), plus an index page.

usage: plot_report.py --out DIR REPORT.json [REPORT.json ...]

Writes PNG and SVG figures and DIR/index.md + DIR/index.html linking them. A figure whose data
is not in the reports (e.g. kernel throughput without CUPTI) is listed on the page as skipped,
with the reason. Uses Debian's matplotlib (/usr/bin/python3).
"""
import argparse
import html
import json
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STAGES = ["neighbors", "descriptor", "energy", "forces"]


def device_label(report, run):
    env = report["environment"]
    dev = run.get("device", "cpu")
    if dev.startswith("cuda") and env.get("gpus"):
        return env["gpus"][0]["name"]
    return "%s (%d cores)" % (env.get("cpu_model", "CPU"), env.get("cpu_cores", 0))


def ok_runs(reports):
    for name, rep in reports:
        for run in rep["runs"]:
            if run.get("status") == "ok":
                yield name, rep, run


def series_key(run):
    return "%s/%s" % (run["model"]["name"], run["model"]["flavor"])


def interval(run, kind):
    """A run's 95 % interval (lo, hi) of its headline number, or None where the report has none
    (reports before issue 29): kind "ms" is the single-point time per energy + forces
    (measurements.timing.ci95_ms, the interval of stages.total.median_ms), kind "ns_per_day" the MD
    speed (measurements.md.ns_per_day_ci95). Every figure and table takes its intervals from here."""
    m = run.get("measurements", {})
    if kind == "ms":  # an MD run's timing is ms per step, not stages.total
        ci = None if m.get("md") else m.get("timing", {}).get("ci95_ms")
    elif kind == "ns_per_day":
        ci = (m.get("md") or {}).get("ns_per_day_ci95")
    else:
        raise ValueError("unknown interval kind: %s" % kind)
    return (float(ci[0]), float(ci[1])) if ci and len(ci) == 2 else None


def bars(pts):
    """Asymmetric error bars [below, above] of points (x, y, interval) for errorbar(): y − lo and
    hi − y, nothing where a point has no interval; None where none has one (older reports draw as before)."""
    if not any(p[2] for p in pts):
        return None
    # max(0, …): a median just outside its bootstrap interval draws no bar on that side, not a negative one
    return [[max(0.0, y - ci[0]) if ci else 0.0 for _, y, ci in pts],
            [max(0.0, ci[1] - y) if ci else 0.0 for _, y, ci in pts]]


def draw(ax, pts, **kw):
    """ax.plot of points (x, y[, interval]) in x order, with the intervals as error bars in the line's colour."""
    pts = sorted(((p[0], p[1], p[2] if len(p) > 2 else None) for p in pts), key=lambda p: p[:2])
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    line = ax.plot(xs, ys, **kw)[0]
    err = bars(pts)
    if err:
        ax.errorbar(xs, ys, yerr=err, fmt="none", ecolor=line.get_color(), elinewidth=1, capsize=2, alpha=kw.get("alpha"))
    return line


def significant(a, b):
    """Whether two 95 % intervals tell their medians apart: False where they overlap (a ratio of the
    two is not significant), True where they are disjoint, None where either is missing (no verdict)."""
    if not a or not b:
        return None
    return a[1] < b[0] or b[1] < a[0]


def ratio_text(value, sig, fmt="%.2f"):
    """A ratio as tables print it: '1.03 (n.s.)' where the intervals of its two sides overlap."""
    return fmt % value + (" (n.s.)" if sig is False else "")


MARKS = [("†", "the sampling criteria were not met (measurements.timing.met is false: stopped before the noise target)"),
         ("‡", "measured while the machine was contended (measurements.machine_load.why says how)"),
         ("(n.s.)", "not significant: the 95 % intervals of the two sides overlap")]


def noise_note(run):
    """What a table prints after a run's median: ± the relative half-width of its 95 % interval where
    the report has it, † where the criteria were not met, ‡ where the machine was contended; '' for older reports."""
    m = run.get("measurements", {})
    t, load = m.get("timing") or {}, m.get("machine_load") or {}
    note = " ±%.1f %%" % (100 * t["noise"]) if t.get("noise") is not None else ""
    return note + ("†" if t.get("met") is False else "") + ("‡" if load.get("contended") is True else "")


def write_table(path, lines):
    """A markdown table with the footnotes of its marks; None: the table has no rows, and one an
    earlier report left there goes."""
    if lines is None:
        if os.path.exists(path):
            os.remove(path)
        return
    write_text(path, "\n".join(lines + footnotes(lines)) + "\n")


def footnotes(lines):
    """The footnotes of the marks a table's lines use; none for older reports, which carry no marks."""
    body = "\n".join(lines)
    return [line for mark, why in MARKS if mark in body for line in ("", "%s %s" % (mark, why))]  # a paragraph each


def written(path, write):
    """Runs write(); a write that fails (a full disk, a file-size limit, no permission) ends the
    script with one line naming the file and the cause, which mlff-bench reports."""
    try:
        write()
    except OSError as e:
        print("cannot write: %s: %s" % (path, e.strerror or e), file=sys.stderr)
        sys.exit(3)


def write_text(path, text):
    def write():
        with open(path, "w") as f:
            f.write(text)
    written(path, write)


def save(fig, out, stem, made):
    for ext in ("png", "svg"):
        path = os.path.join(out, stem + "." + ext)
        written(path, lambda: fig.savefig(path, dpi=120, bbox_inches="tight"))
    plt.close(fig)
    made.append(stem)


def fig_stage_times(reports, out, made, skipped):
    data = defaultdict(lambda: defaultdict(list))  # series -> stage -> [(atoms, ms)]
    for _, rep, run in ok_runs(reports):
        if run.get("mode") != "single-point" or run["system"].get("kind", "") == "random":
            continue
        if run["system"]["name"].startswith("random"):
            continue
        st = run["measurements"].get("stages", {})
        key = series_key(run) + " " + device_label(rep, run).split(" (")[0]
        for s in STAGES + ["total"]:
            if s in st:
                data[key][s].append((run["system"]["atoms"], st[s]["median_ms"], interval(run, "ms") if s == "total" else None))
    if not data:
        skipped.append(("stage_time_vs_atoms", "no single-point runs on poly-alanine or file systems"))
        return
    n = len(data)
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 4.2), squeeze=False)
    for ax, (key, stages) in zip(axes[0], sorted(data.items())):
        for s in STAGES + ["total"]:
            if stages.get(s):
                draw(ax, stages[s], marker="o", label=s, lw=2 if s == "total" else 1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("atoms")
        ax.set_ylabel("median time per evaluation (ms)")
        ax.set_title(key, fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Stage times vs system size (cf. De Alwis et al. Figs. 3 and 7)")
    save(fig, out, "stage_time_vs_atoms", made)


def fig_neighbors(reports, out, made, skipped):
    data = defaultdict(lambda: defaultdict(list))
    traffic = defaultdict(list)
    for _, rep, run in ok_runs(reports):
        if run.get("mode") != "single-point" or not run["system"]["name"].startswith("random"):
            continue
        nb = run["system"]["mean_neighbors"].get("5.1")
        st = run["measurements"].get("stages", {})
        for s in STAGES:
            if s in st:
                data[series_key(run)][s].append((nb, st[s]["median_ms"]))
        for stage, t in run["measurements"].get("traffic", {}).items():
            traffic[series_key(run) + " " + stage].append((nb, t.get("dram_bytes", 0) / 1e6))
    if not data:
        skipped.append(("stage_time_vs_neighbors", "no runs of the neighbors suite (random workloads)"))
        return
    fig, axes = plt.subplots(1, len(data), figsize=(5.2 * len(data), 4.2), squeeze=False)
    for ax, (key, stages) in zip(axes[0], sorted(data.items())):
        for s, pts in sorted(stages.items()):
            pts = sorted(pts)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=s)
        ax.set_xlabel("mean neighbours within 5.1 Å")
        ax.set_ylabel("median stage time (ms)")
        ax.set_title(key, fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Stage times vs neighbour count (cf. De Alwis et al. Figs. 4 and 8)")
    save(fig, out, "stage_time_vs_neighbors", made)
    if traffic:
        fig, ax = plt.subplots(figsize=(6, 4.2))
        for key, pts in sorted(traffic.items()):
            pts = sorted(pts)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=key)
        ax.set_xlabel("mean neighbours within 5.1 Å")
        ax.set_ylabel("DRAM traffic (MB)")
        ax.legend(fontsize=7)
        save(fig, out, "traffic_vs_neighbors", made)
    else:
        skipped.append(("traffic_vs_neighbors", "no memory-traffic measurements (CUPTI range profiler) in the reports"))


def largest_run_per_series(reports, key):
    """Per series (model/flavour on a device), the run with the most atoms that has `key`."""
    best = {}
    for _, rep, run in ok_runs(reports):
        if not run["measurements"].get(key):
            continue
        series = series_key(run) + " " + device_label(rep, run).split(" (")[0]
        atoms = run["system"].get("atoms", 0)
        if series not in best or atoms > best[series]["system"].get("atoms", 0):
            best[series] = run
    return best


def fig_operators(reports, out, made, skipped):
    best = largest_run_per_series(reports, "operators_by_stage")
    if not best:
        skipped.append(("operator_timings", "no framework operator timings in the reports (run --profile torch-ops on a torch flavour)"))
        return
    fig, axes = plt.subplots(len(best), len(STAGES), figsize=(4.2 * len(STAGES), 3.6 * len(best)), squeeze=False)
    for row, (series, run) in zip(axes, sorted(best.items())):
        by = run["measurements"]["operators_by_stage"]
        for ax, stage in zip(row, STAGES):
            ops = by.get(stage, {}).get("operators", {})
            top = sorted(ops.items(), key=lambda kv: -kv[1]["self_ms"])[:8]
            ax.barh([k for k, _ in top][::-1], [v["self_ms"] for _, v in top][::-1])
            ax.set_title("%s: %s (%d atoms)" % (series, stage, run["system"].get("atoms", 0)), fontsize=8)
            ax.set_xlabel("self time per evaluation (ms)", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("Framework operator self time per stage (cf. De Alwis et al. Figs. 5 and 9)")
    fig.tight_layout()
    save(fig, out, "operator_timings", made)


def fig_kernels(reports, out, made, skipped):
    rows = []
    for _, rep, run in ok_runs(reports):
        m = run["measurements"]
        for k in m.get("kernel_metrics", []) + m.get("kernels", []):
            if "dram_throughput_pct" in k:
                label = "%s [%s] %s" % (k["name"][:38], k.get("stage", "?"), device_label(rep, run).split(" (")[0])
                rows.append((label, k["dram_throughput_pct"], k.get("sm_throughput_pct")))
    if not rows:
        skipped.append(("kernel_throughput", "no per-kernel throughput (cupti-range --cupti-range-mode kernel, or mlff-bench profile ncu) in the reports"))
        return
    rows = sorted(rows, key=lambda r: -r[1])[:20]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.5))
    y = list(range(len(rows)))[::-1]
    ax.barh([v - 0.2 for v in y], [r[1] for r in rows], height=0.4, label="DRAM")
    if any(r[2] is not None for r in rows):
        ax.barh([v + 0.2 for v in y], [r[2] or 0 for r in rows], height=0.4, label="SM")
    ax.set_yticks(y)
    ax.set_yticklabels([r[0] for r in rows], fontsize=7)
    ax.set_xlabel("throughput (% of peak)")
    ax.legend(fontsize=8)
    ax.set_title("Kernel throughput (cf. De Alwis et al. Figs. 6 and 10)")
    save(fig, out, "kernel_throughput", made)


def fig_launches(reports, out, made, skipped):
    best = largest_run_per_series(reports, "launches_per_stage")
    if not best:
        skipped.append(("launches_per_stage", "no kernel launch counts (run --profile cupti-activity on a GPU) in the reports"))
        return
    fig, ax = plt.subplots(figsize=(7, 4.2))
    width = 0.8 / len(best)
    for i, (series, run) in enumerate(sorted(best.items())):
        lps = run["measurements"]["launches_per_stage"]
        vals = [lps.get(s, {}).get("kernels", 0) for s in STAGES]
        ax.bar([x + i * width for x in range(len(STAGES))], vals, width=width, label="%s (%d atoms)" % (series, run["system"].get("atoms", 0)))
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(STAGES))])
    ax.set_xticklabels(STAGES)
    ax.set_ylabel("kernel launches per evaluation")
    ax.set_title("Kernel launches per stage (TorchANI in De Alwis et al.: 60-65 AEV, 77-81 energy, up to 96 forces)", fontsize=9)
    ax.legend(fontsize=7)
    save(fig, out, "launches_per_stage", made)


def fig_roofline(reports, out, made, skipped):
    pts = []
    peaks = set()
    for _, rep, run in ok_runs(reports):
        for stage, r in run["measurements"].get("roofline", {}).items():
            pts.append((series_key(run) + " " + stage, r["intensity_flop_per_byte"], r["achieved_gflops_per_s"]))
            peaks.add((device_label(rep, run).split(" (")[0], r["peak_fp32_gflops_per_s"], r["peak_dram_gb_per_s"]))
    if not pts:
        skipped.append(("roofline", "no roofline placement (needs cupti-range traffic and analytic FLOPs of a CUDA run)"))
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    lo = min(p[1] for p in pts) / 10
    hi = max(p[1] for p in pts) * 10
    for name, fp, bw in sorted(peaks):
        xs = [lo * (hi / lo) ** (i / 100) for i in range(101)]
        ax.plot(xs, [min(fp, x * bw) for x in xs], label="%s roof" % name)
    for label, x, y in pts:
        ax.scatter([x], [y], zorder=3)
        ax.annotate(label, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (analytic FLOP / DRAM byte)")
    ax.set_ylabel("GFLOP/s")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title("Stages on the roofline")
    save(fig, out, "roofline", made)


CONFIG_TITLE = {
    "mlff": ("md_mlffsys_ns_per_day", "MLFFsys: solute alone, MLFF only (cf. De Alwis et al. Fig. 11)"),
    "cml": ("md_cmlsys_ns_per_day", "CMLsys: MLFF solute in classical water (cf. De Alwis et al. Fig. 12)"),
    "cff": ("md_cffsys_ns_per_day", "CFFsys: everything classical (baseline)"),
}


def md_points(reports):
    """Every ok MD run: (report, configuration, series label, system name, simulated atoms, ns/day, engine, device, run)."""
    for name, rep, run in ok_runs(reports):
        md = run["measurements"].get("md")
        if not md:
            continue
        config = run.get("configuration", "mlff")
        model = "classical" if config == "cff" else "%s/%s" % (run["model"]["name"], run["model"]["flavor"])
        device = device_label(rep, run).split(" (")[0]
        label = "%s %s %s" % (run.get("engine"), model, device)
        atoms = md.get("atoms", run["system"]["atoms"])
        yield name, config, label, run["system"]["name"], atoms, md["ns_per_day"], run.get("engine"), device, run


def fig_md(reports, out, made, skipped):
    data = defaultdict(lambda: defaultdict(list))
    for _, config, label, _, atoms, nsday, _, _, run in md_points(reports):
        data[config][label].append((atoms, nsday, interval(run, "ns_per_day")))
    if not data:
        skipped.append(("md_ns_per_day_vs_atoms", "no MD runs in the reports"))
        return
    for config, (stem, title) in CONFIG_TITLE.items():
        if config not in data:
            skipped.append((stem, "no %s MD runs in the reports" % config))
            continue
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for key, pts in sorted(data[config].items()):
            draw(ax, pts, marker="o", label=key)
        if config == "cml":  # the classical baseline of the same solvated systems, for scale
            for key, pts in sorted(data.get("cff", {}).items()):
                draw(ax, pts, marker="s", linestyle="--", alpha=0.6, label=key + " (CFFsys)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("atoms simulated (solvent included)")
        ax.set_ylabel("simulation speed (ns/day)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        save(fig, out, stem, made)
    write_cost_ratio(reports, out)


def cost_ratio_rows(reports):
    """Per report, system and device: CFFsys ns/day over each MLFFsys/CMLsys ns/day (how many times
    more an MLFF step costs than a classical step); the CFF run of the same engine when there is one.
    A row ends with the ratio's significance (significant(); None without intervals) and the two runs."""
    groups = defaultdict(lambda: defaultdict(dict))
    for report, config, label, system, atoms, nsday, engine, device, run in md_points(reports):
        groups[(report, system, device)][engine][config] = (nsday, atoms, label, run)
    def order(key):
        digits = "".join(ch for ch in key[1] if ch.isdigit())
        return (key[0], key[2], int(digits) if digits else 0, key[1])
    rows = []
    for key in sorted(groups, key=order):
        engines = groups[key]
        any_cff = next((c["cff"] for e, c in sorted(engines.items()) if "cff" in c), None)
        for engine, c in sorted(engines.items()):
            cff = c.get("cff") or any_cff
            if not cff:
                continue
            for config in ("mlff", "cml"):
                if config in c:
                    nsday, atoms, label, run = c[config]
                    sig = significant(interval(run, "ns_per_day"), interval(cff[3], "ns_per_day"))
                    rows.append((key[1], label, config, atoms, nsday, cff[2], cff[1], cff[0], cff[0] / nsday, sig, run, cff[3]))
    return rows


def write_cost_ratio(reports, out):
    rows = cost_ratio_rows(reports)
    path = os.path.join(out, "md_cost_ratio.md")
    if not rows:
        return write_table(path, None)
    lines = ["| system | MLFF run | configuration | atoms | ns/day | CFF run | CFF atoms | CFF ns/day | CFF/MLFF cost ratio |",
             "|---:|---|---|---:|---:|---|---:|---:|---:|"]
    for system, label, config, atoms, nsday, cff_label, cff_atoms, cff_nsday, ratio, sig, run, cff_run in rows:
        lines.append("| %s | %s | %s | %d | %s | %s | %d | %s | %s |" % (
            system, label, config, atoms, "%.3g" % nsday + noise_note(run), cff_label, cff_atoms,
            "%.3g" % cff_nsday + noise_note(cff_run), ratio_text(ratio, sig, "%.1f")))
    write_table(path, lines)


def fig_devices(reports, out, made, skipped):
    data = defaultdict(list)
    for _, rep, run in ok_runs(reports):
        st = run["measurements"].get("stages", {})
        if "total" in st:
            data[(device_label(rep, run), series_key(run))].append((run["system"]["atoms"], st["total"]["median_ms"], interval(run, "ms")))
    devices = {k[0] for k in data}
    if len(devices) < 2:
        skipped.append(("cross_device", "needs reports from at least two devices (found %d)" % len(devices)))
        return
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for (dev, key), pts in sorted(data.items()):
        draw(ax, pts, marker="o", label="%s — %s" % (dev, key))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("atoms")
    ax.set_ylabel("energy + forces (ms, median)")
    ax.set_title("Across devices (cf. De Alwis et al. Fig. 13)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, out, "cross_device", made)


def fig_framework_vs_fused(reports, out, made, skipped):
    by = defaultdict(dict)  # (model, device, atoms) -> flavor -> (ms, interval)
    for _, rep, run in ok_runs(reports):
        st = run["measurements"].get("stages", {})
        if "total" in st:
            by[(run["model"]["name"], device_label(rep, run), run["system"]["atoms"])][run["model"]["flavor"]] = (
                st["total"]["median_ms"], interval(run, "ms"))
    pairs = defaultdict(list)  # (model, device) -> [(atoms, (torch ms, interval), (native ms, interval))]
    for (model, dev, atoms), fl in by.items():
        if "torch" in fl and "native" in fl:
            pairs[(model, dev)].append((atoms, fl["torch"], fl["native"]))
    if not pairs:
        skipped.append(("framework_vs_fused", "needs torch and native runs of one model on the same systems"))
        return
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    any_ns = False
    for (model, dev), pts in sorted(pairs.items()):
        pts = sorted(pts, key=lambda p: p[0])
        draw(a1, [(a, t[0], t[1]) for a, t, _ in pts], marker="o", label="%s torch (framework)" % model)
        draw(a1, [(a, n[0], n[1]) for a, _, n in pts], marker="s", label="%s native (fused)" % model)
        line = draw(a2, [(a, t[0] / n[0]) for a, t, n in pts], marker="o", label="%s, %s" % (model, dev.split(" (")[0]))
        # a speed-up whose two intervals overlap is not told apart from noise: a hollow marker and "n.s."
        ns = [(a, t[0] / n[0]) for a, t, n in pts if significant(t[1], n[1]) is False]
        if ns:
            any_ns = True
            a2.plot([p[0] for p in ns], [p[1] for p in ns], "o", mfc="white", mec=line.get_color(), ls="none", gid="n.s.")
            for a, r in ns:
                a2.annotate("n.s.", (a, r), fontsize=7, xytext=(3, 3), textcoords="offset points")
    for ax in (a1, a2):
        ax.set_xscale("log")
        ax.set_xlabel("atoms")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    a1.set_yscale("log")
    a1.set_ylabel("energy + forces (ms, median)")
    a2.set_ylabel("speed-up of native over torch (×)")
    if any_ns:
        a2.set_title("hollow, n.s.: the two 95 % intervals overlap", fontsize=8)
    fig.suptitle("Framework vs fused implementation (cf. De Alwis et al. Fig. 14)")
    save(fig, out, "framework_vs_fused", made)


def crossovers(series):
    """series: {implementation: {atoms: ms}}. Returns (rows, changes): rows = [(atoms, {impl: ms},
    fastest)] over the sizes every implementation ran, and changes = [(atoms_before, atoms_after,
    fastest_before, fastest_after)] where the fastest implementation changes between two
    consecutive such sizes (the crossover lies between them)."""
    common = sorted(set.intersection(*(set(v) for v in series.values()))) if series else []
    rows = []
    for atoms in common:
        times = {impl: pts[atoms] for impl, pts in series.items()}
        rows.append((atoms, times, min(times, key=times.get)))
    changes = [(a[0], b[0], a[2], b[2]) for a, b in zip(rows, rows[1:]) if a[2] != b[2]]
    return rows, changes


def implementation_runs(reports):
    """(model, device, precision) -> implementation -> {atoms: run}, from single-point runs; an
    implementation is the flavour, with the package for peers."""
    groups = defaultdict(lambda: defaultdict(dict))
    for _, rep, run in ok_runs(reports):
        st = run["measurements"].get("stages", {})
        if run.get("mode") != "single-point" or "total" not in st or run["system"]["name"].startswith("random"):
            continue
        m = run["model"]
        impl = m["flavor"] + (" (%s)" % m["peer"] if m.get("peer") else "")
        key = (m["name"], device_label(rep, run).split(" (")[0], run.get("precision", ""))
        groups[key][impl][run["system"]["atoms"]] = run
    return {k: v for k, v in groups.items() if len(v) >= 2}


def implementation_series(reports):
    """(model, device, precision) -> implementation -> {atoms: median ms per energy + forces}."""
    return {k: {impl: {a: r["measurements"]["stages"]["total"]["median_ms"] for a, r in pts.items()} for impl, pts in v.items()}
            for k, v in implementation_runs(reports).items()}


def fastest_significance(runs, atoms, times):
    """Whether the fastest implementation at one size is told apart from the runner-up (significant())."""
    order = sorted(times, key=times.get)
    return significant(interval(runs[order[0]][atoms], "ms"), interval(runs[order[1]][atoms], "ms"))


def fig_implementations(reports, out, made, skipped):
    groups = implementation_runs(reports)
    path = os.path.join(out, "implementations.md")
    if not groups:
        if os.path.exists(path):
            os.remove(path)
        skipped.append(("implementations", "needs single-point runs of two or more implementations of one model"))
        return
    n = len(groups)
    fig, axes = plt.subplots(1, n, figsize=(6 * n, 4.6), squeeze=False)
    lines = []
    for ax, ((model, dev, prec), runs) in zip(axes[0], sorted(groups.items())):
        series = {impl: {a: r["measurements"]["stages"]["total"]["median_ms"] for a, r in pts.items()} for impl, pts in runs.items()}
        for impl, pts in sorted(series.items()):
            draw(ax, [(a, ms, interval(runs[impl][a], "ms")) for a, ms in pts.items()], marker="o", label=impl)
        rows, changes = crossovers(series)
        sig = {a: fastest_significance(runs, a, t) for a, t, _ in rows}
        # a crossover holds only where the fastest is told apart from the runner-up on both sides of it
        ns = {c: sig[c[0]] is False or sig[c[1]] is False for c in changes}
        for c in changes:
            before, after, _, faster = c
            ax.axvline((before * after) ** 0.5, color="grey", ls="--", lw=1)
            ax.annotate("→ %s%s" % (faster.split(" ")[0], " (n.s.)" if ns[c] else ""), ((before * after) ** 0.5, ax.get_ylim()[0]),
                        rotation=90, fontsize=7, va="bottom", ha="right")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("atoms")
        ax.set_ylabel("energy + forces (ms, median)")
        ax.set_title("%s, %s, %s" % (model, dev, prec), fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        impls = sorted(series)
        lines += ["### %s on %s (%s)" % (model, dev, prec), "",
                  "| atoms | " + " | ".join(impls) + " | fastest |", "|---:|" + "---:|" * len(impls) + "---|"]
        lines += ["| %d | %s | %s |" % (a, " | ".join("%.3g" % t[i] + noise_note(runs[i][a]) for i in impls),
                                         f + (" (n.s.)" if sig[a] is False else "")) for a, t, f in rows]
        lines += footnotes(lines[-len(rows):]) if rows else []
        lines.append("")
        if changes:
            lines += ["Crossovers: " + "; ".join("between %d and %d atoms the fastest changes from %s to %s" % c + (" (n.s.)" if ns[c] else "")
                                                 for c in changes), ""]
        elif rows:
            lines += ["No crossover: %s is fastest at every size all of them ran." % rows[0][2], ""]
    fig.suptitle("Implementations of one model: time per call vs atoms; dashed lines: where the fastest changes")
    save(fig, out, "implementations", made)
    write_text(path, "\n".join(lines))


def model_cost_rows(reports):
    """Per single-point run of the model itself (no engine) on a poly-alanine or file system: the model's
    cost profile — ms per energy + forces, µs per atom, the stage split, FLOPs per atom (the model's
    analytic count where it has one, else the GEMM family counted by torch-ops from the operands'
    shapes), GEMM bytes per atom and the five operators of most self time (torch-ops pass); the ms's
    95 % interval ("ci") and what a table prints after it ("note": noise, marks) where the report has them."""
    rows = []
    for _, rep, run in ok_runs(reports):
        m = run["measurements"]
        st = m.get("stages", {})
        if (run.get("mode") != "single-point" or "total" not in st or run["system"]["name"].startswith("random")
                or run.get("engine", "none") != "none"):  # the model's own evaluation, not an engine's
            continue
        atoms = run["system"]["atoms"]
        stages = {k: v["median_ms"] for k, v in st.items() if k != "total"}
        staged = sum(stages.values())
        by_stage = m.get("operators_by_stage", {})
        gemm_flops = sum(v.get("gemm_flops", 0) for v in by_stage.values())
        gemm_bytes = sum(v.get("gemm_bytes", 0) for v in by_stage.values())
        ops = m.get("operators", {})
        op_self = sum(max(0.0, o["self_ms"]) for o in ops.values())
        top = sorted(ops.items(), key=lambda kv: -kv[1]["self_ms"])[:5]
        analytic = m.get("flops", {}).get("total")
        mod = run["model"]
        rows.append({
            "model": "%s/%s" % (mod["name"], mod["flavor"]) + (" (%s)" % mod["peer"] if mod.get("peer") else ""),
            "device": device_label(rep, run).split(" (")[0], "precision": run.get("precision", ""), "atoms": atoms,
            "ms": st["total"]["median_ms"], "us_per_atom": 1000.0 * st["total"]["median_ms"] / atoms,
            "ci": interval(run, "ms"), "note": noise_note(run),
            "split": {k: v / staged for k, v in stages.items()} if staged > 0 else {},
            "flops_per_atom": (analytic / atoms, "analytic") if analytic else ((gemm_flops / atoms, "GEMM") if gemm_flops else None),
            "gemm_bytes_per_atom": gemm_bytes / atoms if gemm_bytes else None,
            "gemm_share": sum(o["self_ms"] for k, o in ops.items() if o.get("flops")) / op_self if op_self > 0 else None,
            "top": [(k, v["self_ms"] / op_self) for k, v in top] if op_self > 0 else [],
        })
    return sorted(rows, key=lambda r: (r["model"], r["device"], r["precision"], r["atoms"]))


def fig_model_costs(reports, out, made, skipped):
    rows = model_cost_rows(reports)
    path = os.path.join(out, "model_costs.md")
    models = sorted({r["model"] for r in rows})
    if len(models) < 2:
        if os.path.exists(path):
            os.remove(path)
        skipped.append(("model_costs", "needs single-point runs of two or more models (run --suite model-costs)"))
        return
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.5))
    labels, left = [], [0.0] * len(rows)
    names = sorted({k for r in rows for k in r["split"]}, key=lambda k: STAGES.index(k) if k in STAGES else len(STAGES))
    for stage in names:
        widths = [100 * r["split"].get(stage, 0) for r in rows]
        ax.barh(range(len(rows)), widths, left=left, label=stage)
        left = [a + b for a, b in zip(left, widths)]
    labels = ["%s, %d atoms (%.3g ms%s)" % (r["model"], r["atoms"], r["ms"], r["note"]) for r in rows]
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("share of the stages' time (%)")
    ax.legend(fontsize=7, ncol=max(1, len(names)), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    fig.suptitle("Where each model's time goes: stage split of one energy + forces", y=1.02)
    save(fig, out, "model_costs", made)
    lines = ["| model | device | precision | atoms | ms per energy+forces | µs per atom | stage split | kFLOP per atom | GEMM KB per atom | GEMM share of operator time | top-5 operators (share of operator self time) |",
             "|---|---|---|---:|---:|---:|---|---:|---:|---:|---|"]
    for r in rows:
        split = " · ".join("%s %.0f%%" % (k, 100 * v) for k, v in sorted(r["split"].items(), key=lambda kv: -kv[1]))
        fpa = "%.1f (%s)" % (r["flops_per_atom"][0] / 1e3, r["flops_per_atom"][1]) if r["flops_per_atom"] else "-"
        bpa = "%.1f" % (r["gemm_bytes_per_atom"] / 1e3) if r["gemm_bytes_per_atom"] else "-"
        share = "%.0f%%" % (100 * r["gemm_share"]) if r["gemm_share"] is not None else "-"
        top = ", ".join("%s %.0f%%" % (k, 100 * v) for k, v in r["top"]) or "- (no torch-ops pass)"
        lines.append("| %s | %s | %s | %d | %s | %.3g | %s | %s | %s | %s | %s |" % (
            r["model"], r["device"], r["precision"], r["atoms"], "%.3g" % r["ms"] + r["note"], r["us_per_atom"], split, fpa, bpa, share, top))
    write_text(path, "\n".join(lines + footnotes(lines)) + "\n")


def scaling_series(reports):
    for name, rep in reports:
        for series in rep.get("scaling", []):
            yield name, rep, series


def fig_scaling(reports, out, made, skipped):
    """Measured speed-up and parallel efficiency vs ranks against Eq. 3 (chemtrain-deploy Figs. 2-3)."""
    series = list(scaling_series(reports))
    if not series:
        skipped.append(("scaling", "no runs over several rank counts (run --suite strong-scaling or weak-scaling)"))
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    top = 1
    for _, rep, s in series:
        pts = s["points"]
        ranks = [p["ranks"] for p in pts]
        top = max(top, max(ranks))
        label = "%s %s %s (%s)" % (s["kind"], s["model"]["name"] + "/" + s["model"]["flavor"], pts[-1]["system"] if s["kind"] == "strong" else "", rep["environment"].get("cpu_model", "CPU").split(" @")[0])
        line = ax1.plot(ranks, [p["speedup"] for p in pts], "o-", label=label + " measured")[0]
        ax2.plot(ranks, [p["efficiency"] for p in pts], "o-", color=line.get_color(), label=label + " measured")
        if all("eq3_speedup" in p for p in pts):
            ax1.plot(ranks, [p["eq3_speedup"] for p in pts], "s--", color=line.get_color(), alpha=0.7, label=label + " Eq. 3")
            ax2.plot(ranks, [p["eq3_efficiency"] for p in pts], "s--", color=line.get_color(), alpha=0.7, label=label + " Eq. 3")
    ax1.plot([1, top], [1, top], ":", color="gray", label="ideal")
    ax1.set_xlabel("MPI ranks")
    ax1.set_ylabel("speed-up")
    ax2.set_xlabel("MPI ranks")
    ax2.set_ylabel("parallel efficiency")
    ax2.set_ylim(0, 1.3)
    ax1.legend(fontsize=6)
    fig.suptitle("Scaling through LAMMPS, measured vs Eq. 3 (cf. chemtrain-deploy Figs. 2-3)")
    save(fig, out, "scaling", made)
    rows = ["| series | system | atoms | ranks | grid | ms/step | speed-up | efficiency | Eq. 3 speed-up | Eq. 3 efficiency | ghost fraction | Pair % | Comm % | max RSS/rank (MiB) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for _, _, s in series:
        for p in s["points"]:
            b = p.get("breakdown_percent", {})
            rows.append("| %s %s | %s | %d | %d | %s | %.1f | %.2f | %.2f | %s | %s | %.2f | %s | %s | %.0f |" % (
                s["kind"], s["model"]["name"], p["system"], p["atoms"], p["ranks"], "x".join(str(g) for g in p.get("grid", [])),
                p["ms_per_step"], p["speedup"], p["efficiency"],
                "%.2f" % p["eq3_speedup"] if "eq3_speedup" in p else "-", "%.2f" % p["eq3_efficiency"] if "eq3_efficiency" in p else "-",
                p["ghost_fraction"], "%.1f" % b["Pair"] if "Pair" in b else "-", "%.1f" % b["Comm"] if "Comm" in b else "-", p["max_rss_mib_per_rank"]))
    write_text(os.path.join(out, "scaling.md"), "\n".join(rows) + "\n")


def timing_rows(reports):
    """Per ok run whose report says how its headline timing was sampled (measurements.timing, issue 29):
    (run label, system, atoms, unit, median as tables print it, 95 % interval, samples, measured s, stopped by)."""
    rows = []
    for _, rep, run in ok_runs(reports):
        t = run["measurements"].get("timing") or {}
        if t.get("median_ms") is None:
            continue
        label = " ".join(x for x in (run.get("engine") if run.get("engine", "none") != "none" else "", run.get("configuration", ""),
                                     series_key(run), device_label(rep, run).split(" (")[0], run.get("precision", "")) if x)
        ci = t.get("ci95_ms")
        rows.append((label, run["system"]["name"], run["system"].get("atoms", 0), t.get("unit", "ms"), "%.3g" % t["median_ms"] + noise_note(run),
                     "%.3g – %.3g" % tuple(ci) if ci else "-", t.get("samples", "-"), "%.1f" % t["measured_s"] if "measured_s" in t else "-",
                     t.get("stopped_by", "-")))
    return rows


def write_timing_table(reports, out):
    """timing.md: how well each point is known; absent for reports without measurements.timing."""
    rows = timing_rows(reports)
    path = os.path.join(out, "timing.md")
    if not rows:
        return write_table(path, None)
    lines = ["| run | system | atoms | unit | median | 95 % interval | samples | measured (s) | stopped by |",
             "|---|---|---:|---|---:|---:|---:|---:|---|"]
    lines += ["| %s | %s | %d | %s | %s | %s | %s | %s | %s |" % r for r in rows]
    write_table(path, lines)


def write_index(out, reports, made, skipped):
    titles = {
        "stage_time_vs_atoms": "Stage times vs system size",
        "stage_time_vs_neighbors": "Stage times vs neighbour count",
        "traffic_vs_neighbors": "Memory traffic vs neighbour count",
        "operator_timings": "Framework operator timings",
        "kernel_throughput": "Kernel throughput",
        "launches_per_stage": "Kernel launches per stage",
        "roofline": "Roofline",
        "md_ns_per_day_vs_atoms": "MD speed vs size per engine",
        "md_mlffsys_ns_per_day": "MLFFsys: ns/day vs atoms (De Alwis et al. Fig. 11)",
        "md_cmlsys_ns_per_day": "CMLsys: ns/day vs atoms (De Alwis et al. Fig. 12)",
        "md_cffsys_ns_per_day": "CFFsys: ns/day vs atoms (baseline)",
        "cross_device": "Across devices",
        "framework_vs_fused": "Framework vs fused",
        "implementations": "Implementations of one model vs size, and where the fastest changes",
        "scaling": "Strong/weak scaling through LAMMPS vs Eq. 3",
        "model_costs": "Where each model's time goes (stage split)",
    }
    md = ["# mlff-bench figures", "", "Reports: " + ", ".join(os.path.basename(n) for n, _ in reports), ""]
    body = ["<h1>mlff-bench figures</h1>", "<p>Reports: %s</p>" % html.escape(", ".join(os.path.basename(n) for n, _ in reports))]
    for stem in made:
        md += ["## " + titles.get(stem, stem), "", "![%s](%s.png) ([SVG](%s.svg))" % (stem, stem, stem), ""]
        body.append('<h2>%s</h2><img src="%s.png" alt="%s"> <a href="%s.svg">SVG</a>' % (html.escape(titles.get(stem, stem)), stem, stem, stem))
    tables = [
        ("md_cost_ratio.md", "MLFF cost relative to the classical force field",
         "CFFsys ns/day divided by the MLFFsys/CMLsys ns/day of the same system on the same device in the same report (the same engine's CFFsys where it ran one)."),
        ("implementations.md", "Implementations: time per energy + forces (ms, median) and crossovers", ""),
        ("model_costs.md", "Per-model cost profile",
         "Stage split of the stages' median times; FLOPs per atom: the model's analytic count, or the GEMM family (mm, addmm, bmm, baddbmm) counted "
         "from the operands' shapes in the torch-ops pass; GEMM bytes: operands and results once each; operator shares of the torch-ops pass's self time."),
        ("timing.md", "How well each point is known",
         "The median of each point's headline timing with its percentile-bootstrap 95 % interval; ± is the interval's relative half-width."),
        ("scaling.md", "Scaling points",
         "Speed-up against the series' smallest rank count (weak scaling: the scaled speed-up P·t(1)/t(P)); Eq. 3 for LAMMPS's processor grid and the model's receptive field."),
    ]
    for stem, heading, intro in tables:
        table = os.path.join(out, stem)
        if not os.path.exists(table):
            continue
        with open(table) as f:
            rows = f.read()
        md += ["## " + heading, ""] + ([intro, ""] if intro else []) + [rows]
        body.append("<h2>%s</h2><pre>%s</pre>" % (html.escape(heading), html.escape(rows)))
    if skipped:
        md += ["## Not drawn", ""] + ["- %s: %s" % (titles.get(s, s), why) for s, why in skipped] + [""]
        body.append("<h2>Not drawn</h2><ul>%s</ul>" % "".join("<li>%s: %s</li>" % (html.escape(titles.get(s, s)), html.escape(w)) for s, w in skipped))
    write_text(os.path.join(out, "index.md"), "\n".join(md))
    write_text(os.path.join(out, "index.html"), "<!doctype html><meta charset='utf-8'><title>mlff-bench figures</title>\n" + "\n".join(body) + "\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("reports", nargs="+")
    a = ap.parse_args(argv)
    reports = []
    for path in a.reports:
        with open(path) as f:
            reports.append((path, json.load(f)))
    os.makedirs(a.out, exist_ok=True)
    made, skipped = [], []
    for fig in (fig_stage_times, fig_neighbors, fig_operators, fig_kernels, fig_launches, fig_roofline, fig_md, fig_devices,
                fig_framework_vs_fused, fig_implementations, fig_model_costs, fig_scaling):
        fig(reports, a.out, made, skipped)
    write_timing_table(reports, a.out)
    write_index(a.out, reports, made, skipped)
    print("%d figures in %s (%d not drawn: see index.md)" % (len(made), a.out, len(skipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
