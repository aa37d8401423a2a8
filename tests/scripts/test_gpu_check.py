#!/usr/bin/env python3
"""scripts/gpu_check.py's reading of what a GPU slot measured, on reports shaped like a GPU run's: the
rehearsal (no GPU) only reaches the `skipped` branches, so the pass / fail / measured ones are checked
here before any slot depends on them. Also the gtest counting (host-only passes say nothing of the
GPU) and the bundle's limits (at most 8 files, no folders)."""
import json
import sys
import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import gpu_check  # noqa: E402


def record(rid, atoms, total_ms=None, status="ok", **measurements):
    m = dict(measurements)
    if total_ms is not None:
        m["stages"] = {"total": {"median_ms": total_ms, "min_ms": total_ms, "max_ms": total_ms, "samples": 5}}
    return {"id": rid, "status": status, "message": "" if status == "ok" else "no CUDA device visible on this machine",
            "precision": rid.split("/")[-1], "system": {"atoms": atoms}, "measurements": m}


def check_in(tmp):
    args = SimpleNamespace(rehearse=False, full=False, out=str(Path(tmp) / "out"), work=str(Path(tmp) / "work"),
                           build_dir=str(Path(tmp) / "build"))
    c = gpu_check.Check(args)
    c.reports.mkdir(parents=True)
    c.logs.mkdir(parents=True)
    c.node = {"gpu": "NVIDIA H100 80GB HBM3", "cores": 16, "torch": "2.11.0+cu130"}
    return c


def write(c, name, runs, **extra):
    (c.reports / f"{name}.json").write_text(json.dumps({"runs": runs, **extra}))


def gpu_reports(c, torch_ms_10k=60.0, gemm_fraction=0.62):
    sp = "mlff/single-point/cuda"
    write(c, "polyala-sp", [
        record(f"polyala-10/ani2x/native/{sp}/float32", 103, 0.40),
        record(f"polyala-100/ani2x/native/{sp}/float32", 1003, 0.55),
        record(f"polyala-1000/ani2x/native/{sp}/float32", 10003, 2.0),
        record(f"polyala-1000/ani2x/torch/{sp}/float32", 10003, torch_ms_10k),
        record(f"polyala-100/ani2x/native/{sp}/tf32", 1003, 0.5,
               precision_error={"status": "ok", "energy_rel": 3e-6, "force_rel": 4e-4}),
        record(f"polyala-100/ani2x/torch/{sp}/tf32", 1003, status="skipped"),
    ])
    write(c, "polyala-sp-graph", [record(f"polyala-10/ani2x/native/{sp}/float32", 103, 0.20),
                                  record(f"polyala-100/ani2x/native/{sp}/float32", 1003, 0.44)])
    write(c, "random", [
        record(f"random-10000-n55/ani2x/native/{sp}/float32", 10000, 2.5),
        record(f"random-10000-n55/ani2x/torch/{sp}/float32", 10000, 80.0),
        record(f"random-100000-n55/ani2x/native/{sp}/float32", 100000, 20.0, energy_fraction_of_sgemm_rate=gemm_fraction),
        record(f"random-1000000-n55/ani2x/native/{sp}/float32", 1000000, status="timeout"),
    ])
    write(c, "polyala-md", [record("polyala-10/ani2x/native/native/mlff/md/cuda/float32", 103,
                                   md={"ns_per_day": 41.5, "ms_per_step": {"median": 1.04, "p10": 1.0, "p90": 1.1}})])
    write(c, "max-atoms", [], max_size=[
        {"series": "a", "flavor": "native", "largest_ok": {"size": 4096000, "atoms": 4096000},
         "smallest_failed": {"size": 8192000, "atoms": 8192000, "status": "timeout", "message": "..."}, "complete": False},
        {"series": "b", "flavor": "torch", "largest_ok": {"size": 512000, "atoms": 512000},
         "smallest_failed": {"size": 538000, "atoms": 538000, "status": "oom", "message": "..."}, "complete": True}])
    p = "polyala-100/ani2x/native/mlff/single-point/cuda/float32"
    write(c, "profile-activity", [record(p, 1003, 0.6, launches_per_sample=57,
                                         launches_per_stage={"neighbors": {"launch_calls": 9}, "energy": {"launch_calls": 30}},
                                         traffic={"descriptor": {"dram_bytes": 2.5e6, "l2_bytes": 9e6, "l1_bytes": 4e7}})])
    write(c, "profile-activity-graph", [record(p, 1003, 0.45, launches_per_sample=12)])
    write(c, "profile-ncu", [record(p, 1003, 0.6, kernel_metrics=[{"name": "aevForward<float>", "dram_bytes": 1.2e6, "gpu_time_ms": 0.08}])])


class Summary(unittest.TestCase):
    def test_gpu_reports_become_claims_with_their_figures(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = check_in(tmp)
            gpu_reports(c)
            gpu_check.summarize_bench(c)
            gpu_check.summarize_profile(c)
            by = {x["claim"]: x for x in c.claims}
            speed = next(x for k, x in by.items() if k.startswith("speed: ani2x native vs torch"))
            self.assertEqual(speed["status"], "pass")
            self.assertIn("30.0x", speed["figure"])  # 60 / 2 ms at polyala-1000
            self.assertIn("32.0x", speed["figure"])  # 80 / 2.5 ms at 10k random atoms
            gemm = next(x for k, x in by.items() if "cuBLAS" in k)
            self.assertEqual(gemm["status"], "pass")
            self.assertIn("100000 atoms 62 %", gemm["figure"])
            graphs = next(x for k, x in by.items() if "graphs vs not" in k)
            self.assertEqual(graphs["status"], "measured")
            self.assertIn("103 atoms 0.400 -> 0.200 ms (2.00x)", graphs["figure"])
            prec = next(x for k, x in by.items() if k.startswith("precision"))
            self.assertIn("tf32 1003 atoms E 3.0e-06 F 4.0e-04", prec["figure"])
            md = next(x for k, x in by.items() if k.startswith("MD"))
            self.assertIn("103 atoms 41.5 ns/day (1.040 ms/step)", md["figure"])
            mx = next(x for k, x in by.items() if k.startswith("max atoms"))
            self.assertIn("native: 4096000 atoms ok, 8192000 timeout (bracket reached in the time given)", mx["figure"])
            self.assertIn("torch: 512000 atoms ok, 538000 oom", mx["figure"])
            launches = next(x for k, x in by.items() if k.startswith("cupti-activity"))
            self.assertEqual(launches["status"], "measured")
            self.assertTrue(launches["figure"].startswith("57 / 12"), launches["figure"])
            traffic = next(x for k, x in by.items() if k.startswith("cupti-range"))
            self.assertIn("descriptor DRAM 2.50 MB L2 9.0 MB L1 40.0 MB", traffic["figure"])
            ncu = next(x for k, x in by.items() if k.startswith("ncu"))
            self.assertIn("aevForward<float>: DRAM 1.20 MB, 0.080 ms", ncu["figure"])

    def test_a_target_missed_is_a_failure_not_a_figure(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = check_in(tmp)
            gpu_reports(c, torch_ms_10k=20.0, gemm_fraction=0.3)  # 10x, 30 %
            gpu_check.summarize_bench(c)
            by = {x["claim"]: x for x in c.claims}
            self.assertEqual(next(x for k, x in by.items() if k.startswith("speed: ani2x native vs torch"))["status"], "fail")
            self.assertEqual(next(x for k, x in by.items() if "cuBLAS" in k)["status"], "fail")

    def test_no_reports_are_skipped_with_the_reason(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = check_in(tmp)
            sp = "mlff/single-point/cuda"
            write(c, "polyala-sp", [record(f"polyala-1000/ani2x/native/{sp}/float32", 10003, status="skipped")])
            gpu_check.summarize_bench(c)
            gpu_check.summarize_profile(c)
            self.assertTrue(all(x["status"] == "skipped" for x in c.claims), c.claims)
            speed = next(x for x in c.claims if x["claim"].startswith("speed: ani2x native vs torch"))
            self.assertIn("no CUDA device visible", speed["figure"])

    def test_host_only_passes_say_nothing_of_the_gpu(self):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "g.json"
            suite = [{"classname": "AniCudaKernelsOnHost", "name": "FusedAevIsThePlainAev", "status": "RUN", "result": "COMPLETED"},
                     {"classname": "AniCuda", "name": "MatchesTheCpuKernelSet", "status": "RUN", "result": "SKIPPED"},
                     {"classname": "Registry/Conformance", "name": "MatchesTheFloat64Reference/ani2x_native_cuda_float32",
                      "status": "RUN", "result": "COMPLETED"},
                     {"classname": "AniCuda", "name": "TinyListCapacitiesGrowAndRetry", "status": "RUN", "result": "COMPLETED",
                      "failures": [{"failure": "x"}]}]
            report.write_text(json.dumps({"testsuites": [{"testsuite": suite}]}))
            self.assertEqual(gpu_check.gtest_counts(report), {"passed": 2, "failed": 1, "skipped": 1, "gpu_passed": 1})

    def test_the_bundle_is_at_most_eight_files_and_the_summary_ends_the_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = check_in(tmp)
            gpu_reports(c)
            (c.logs / "build.log").write_text("x" * 1000)
            c.stages = {"setup": {"status": "ok", "seconds": 1, "limit": 15, "note": ""}}
            gpu_check.summarize_bench(c)
            text, doc = gpu_check.write_summary(c)
            gpu_check.bundle(c, text, doc)
            files = sorted(p.name for p in c.out.iterdir())
            self.assertEqual(files, ["logs.tar.gz", "reports.tar.gz", "summary.json", "summary.txt"])
            self.assertTrue(all(p.is_file() and p.stat().st_size <= 16 << 20 for p in c.out.iterdir()))
            self.assertIn("NVIDIA H100 80GB HBM3", text.splitlines()[0])
            self.assertTrue(text.splitlines()[-1].startswith("claims: "))
            self.assertEqual(json.loads((c.out / "summary.json").read_text())["claims"], c.claims)
            # A link in the folder is replaced, not written through.
            precious = Path(tmp) / "precious.txt"
            precious.write_text("precious")
            (c.out / "summary.txt").unlink()
            (c.out / "summary.txt").symlink_to(precious)
            gpu_check.bundle(c, text, doc)
            self.assertEqual(precious.read_text(), "precious")
            self.assertFalse((c.out / "summary.txt").is_symlink())
            self.assertEqual(len(list(c.out.iterdir())), 4)  # no temporary left

    def test_a_bundle_is_imported_into_the_gpus_reference_folder(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = check_in(tmp)
            gpu_reports(c)
            text, doc = gpu_check.write_summary(c)
            gpu_check.bundle(c, text, doc)
            root = gpu_check.ROOT
            gpu_check.ROOT = Path(tmp)
            try:
                self.assertEqual(gpu_check.import_bundle(c.out), 0)
            finally:
                gpu_check.ROOT = root
            dest = Path(tmp) / "results/reference/NVIDIA-H100-80GB-HBM3"
            self.assertTrue((dest / "gpu-check-summary.txt").exists())
            self.assertEqual(json.loads((dest / "random.json").read_text())["runs"][2]["system"]["atoms"], 100000)
            gpu_check.ROOT = Path(tmp)
            try:  # what is kept is not replaced without --force
                (dest / "random.json").write_text("kept")
                self.assertEqual(gpu_check.import_bundle(c.out), 2)
                self.assertEqual((dest / "random.json").read_text(), "kept")
                self.assertEqual(gpu_check.import_bundle(c.out, force=True), 0)
                self.assertNotEqual((dest / "random.json").read_text(), "kept")
            finally:
                gpu_check.ROOT = root
            doc["rehearsal"] = True  # a rehearsal's bundle measured nothing: refused
            (c.out / "summary.json").write_text(json.dumps(doc))
            self.assertEqual(gpu_check.import_bundle(c.out), 2)

    def test_no_command_runs_past_the_checks_deadline(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = check_in(tmp)
            rc, secs, text = c.run(["sh", "-c", "echo first"], 30, "shared.log")
            self.assertEqual((rc, text), (0, "first\n"))
            # One second left of the check: a command given 100 s is stopped after about one.
            c.start = gpu_check.now() - gpu_check.TOTAL_LIMIT + gpu_check.RESERVE + gpu_check.GRACE + 1
            rc, secs, text = c.run(["sh", "-c", "echo second; sleep 30"], 100, "shared.log")
            self.assertIsNone(rc)
            self.assertLess(secs, 1 + gpu_check.GRACE + 2)
            self.assertEqual(text.splitlines()[0], "second")  # this command's output only
            c.start -= 5  # spent: not started at all
            self.assertEqual(c.run(["sh", "-c", "echo third"], 100, "shared.log"), (None, 0.0, ""))

    def test_stage_limits_fit_the_slot(self):
        self.assertLessEqual(gpu_check.TOTAL_LIMIT, 7 * 60)


if __name__ == "__main__":
    unittest.main()
