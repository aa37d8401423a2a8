#!/usr/bin/env python3
"""The GPU check of mlff-bench, sized for a short slot on a borrowed GPU node (scripts/gpu-check.sh).

Stages, each under its own time limit, so a failure or a hang in one leaves the others' results:

  setup        the node (GPU, driver, toolkit, PyTorch, tools), the brought Debian packages unpacked
               (.gpu-carry/, from scripts/gpu-prepare.sh), the brought ANI-2x member's weights
  build        CMake + Ninja of what the check needs, for the node's GPU architecture only, the torch
               flavours against the node's own PyTorch LibTorch (without them if that fails)
  correctness  the CUDA tests (kernel set = CPU set, overflow-grow-retry, chunks, graphs and replays,
               bf16/tf32, device-state MD, the conformance bodies on cuda, torch flavours on cuda)
               and, measured, CUDA vs CPU on a poly-alanine slice and a periodic solvated box
  sanitize     compute-sanitizer memcheck, racecheck and initcheck on one small case each
  bench        single points over poly-alanine slices (native/torch, float32/tf32/bf16, graphs on and
               off), random systems at water's density, MD ns/day of two slices, max atoms per
               flavour stopped by time
  profile      cupti-activity (launches with and without graphs), cupti-range (bytes per stage),
               `mlff-bench profile ncu` on one kernel

Everything measured goes to $OUT as a bundle of at most 8 files (summary.txt, summary.json,
reports.tar.gz, logs.tar.gz); the last thing printed is the one-screen summary, one line per claim
of the GPU issue with pass / fail / skipped / measured and the figure.

--rehearse runs the same stages on a machine without a GPU (CI): the build stage configures with the
brought packages and checks the build targets, then the binaries of scripts/build.sh are used; every
CUDA point is recorded skipped and the summary says so. --full runs the complete reference set
without time limits into results/reference/<gpu>/ (users with a GPU of their own).
"""
import argparse
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARRY = ROOT / ".gpu-carry"
# Seconds per stage; they add up to 7 minutes. Time a stage leaves unused goes to the max-atoms
# search of the bench stage; later stages keep theirs.
STAGES = [("setup", 15), ("build", 140), ("correctness", 50), ("sanitize", 45), ("bench", 140), ("profile", 30)]
TOTAL_LIMIT = sum(limit for _, limit in STAGES)
# No command runs past TOTAL_LIMIT minus this (the summary and the bundle, and a stopped command's grace).
RESERVE = 10
GRACE = 3  # seconds between SIGTERM and SIGKILL for a command stopped at its limit
BUILD_TARGETS = ["mlff-bench", "test_workloads", "test_conformance", "test_backends"]
# What the sanitizers run: one small case through every path of the CUDA kernel set.
SANITIZER_CASE = "AniCuda.SmallCaseThroughEveryPathForTheSanitizers"
# Test names that need the device (the rest of a run checks the kernels on the host).
GPU_TEST = re.compile(r"AniCuda\.|_cuda_|OnCuda")
TEST_RUNS = [  # binary, gtest filter, what it shows
    ("test_workloads", "AniCuda*:AevMath*:AniCudaKernelsOnHost*:DeviceBuffer*:AniNativeStages*",
     "CUDA kernel set = CPU set (random, slices, solvated box), overflow-grow-retry, chunks, graphs and replays, tf32/bf16"),
    ("test_conformance", "*_cuda_*", "conformance bodies on cuda (every flavour x precision: reference, -grad E, invariances, cells)"),
    ("test_backends", "NativeEngine.DeviceResident*", "device-state MD follows the host-state MD"),
]
BUNDLE_MAX_FILES, BUNDLE_MAX_BYTES = 8, 16 << 20


def now():
    return time.monotonic()


class Check:
    """One run of the check: its options, folders, stage results and the summary's claims."""

    def __init__(self, args):
        self.args = args
        self.rehearse = args.rehearse
        self.out = Path(args.out or os.environ.get("OUT", "")).resolve() if (args.out or os.environ.get("OUT")) else None
        self.work = Path(args.work).resolve()
        self.reports = self.work / "reports"
        self.logs = self.work / "logs"
        self.systems = self.work / "systems"
        self.deps = self.work / "deps"
        self.weights = None  # the ANI-2x weights folder made from the brought member
        self.build_dir = Path(args.build_dir).resolve()
        self.bin = self.build_dir / "bin"
        self.env = dict(os.environ)
        self.stages = {}  # name -> {"status", "seconds", "limit", "note"}
        self.claims = []  # {"claim", "status", "figure"}
        self.node = {}
        self.slack = 0.0  # seconds earlier stages left unused: the bench stage's max-atoms search gets them
        self.start = now()

    # ------------------------------------------------------------------ processes
    def run(self, cmd, limit, log, cwd=None, check=False):
        """Runs cmd (a list, no shell) under `limit` seconds in its own process group; output to
        logs/<log>. Returns (exit code or None on timeout, seconds, output text)."""
        path = self.logs / log
        t0 = now()
        if not self.args.full:
            limit = min(limit, self.start + TOTAL_LIMIT - RESERVE - GRACE - t0)  # the check's own deadline holds for every command
        if limit <= 0:
            with open(path, "ab") as f:
                f.write(("$ " + " ".join(str(c) for c in cmd) + "\n[gpu-check: not started: the check's time is spent]\n").encode())
            return None, 0.0, ""
        with open(path, "ab") as f:
            f.write(("$ " + " ".join(str(c) for c in cmd) + "\n").encode())
            f.flush()
            start = f.tell()  # this command's output, in a log several commands share
            try:
                p = subprocess.Popen([str(c) for c in cmd], stdout=f, stderr=subprocess.STDOUT, cwd=cwd or ROOT, env=self.env,
                                     start_new_session=True)
            except FileNotFoundError as e:
                f.write(f"not found: {e}\n".encode())
                return 127, 0.0, f"not found: {cmd[0]}"
            rc = None
            try:
                rc = p.wait(timeout=max(1.0, limit))
            except subprocess.TimeoutExpired:
                # SIGTERM first: mlff-bench run finishes its report on it; then SIGKILL.
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=GRACE)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                f.write(f"\n[gpu-check: stopped after its {limit:.0f} s limit]\n".encode())
            finally:
                try:  # nothing it started outlives it
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        seconds = now() - t0
        with open(path, "rb") as f:
            f.seek(start)
            text = f.read().decode(errors="replace")
        if check and rc != 0:
            raise StageError(f"{cmd[0]} exited {rc} (logs/{log})")
        return rc, seconds, text

    def mlffb(self, *args):
        return [self.bin / "mlff-bench", *args]

    def weight_args(self):
        """ANI-2x's weights for every point: the brought member (standing for all 8), else random ones."""
        return ["--weights", self.weights, "--member", "0"] if self.weights else ["--weights", "random"]

    def slices(self):
        """The 10- and 100-residue poly-alanine slices as PDB files (built once)."""
        if not (self.systems / "polyala-100.pdb").exists():
            self.run(self.mlffb("systems", "build", "--suite", "polyala", "--sizes", "10,100", "--out", self.systems, "--format", "pdb"),
                     20, "systems.log")
        return {n: self.systems / f"polyala-{n}.pdb" for n in (10, 100)}

    # ------------------------------------------------------------------ claims
    def claim(self, name, status, figure):
        self.claims.append({"claim": name, "status": status, "figure": figure})


class StageError(Exception):
    pass


# ====================================================================== stage: setup
def tool_version(cmd, line=-1):
    """One line of what a tool prints (the last by default), or "" when it is missing or hangs."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        return out.splitlines()[line] if out else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def read_deb(path, dest):
    """Unpacks a .deb's data archive into dest (what `dpkg -x` does), with Python alone: an ar
    archive holding data.tar.{xz,gz,zst}."""
    data = path.read_bytes()
    if data[:8] != b"!<arch>\n":
        raise StageError(f"{path.name}: not a Debian package")
    at = 8
    while at + 60 <= len(data):
        name = data[at:at + 16].decode().strip().rstrip("/")
        size = int(data[at + 48:at + 58].decode().strip())
        body = data[at + 60:at + 60 + size]
        if name.startswith("data.tar"):
            mode = {"data.tar.xz": "r:xz", "data.tar.gz": "r:gz", "data.tar": "r:"}.get(name)
            if mode is None:
                raise StageError(f"{path.name}: {name} is not unpackable here")
            with tarfile.open(fileobj=io.BytesIO(body), mode=mode) as t:
                if hasattr(tarfile, "tar_filter"):
                    t.extractall(dest, filter="tar")
                else:
                    t.extractall(dest)
            return
        at += 60 + size + (size & 1)
    raise StageError(f"{path.name}: no data archive")


def stage_setup(c):
    node = c.node
    smi = tool_version(["nvidia-smi", "--query-gpu=name,memory.total,driver_version,compute_cap", "--format=csv,noheader"])
    if smi and not c.rehearse:
        name, memory, driver, cap = [x.strip() for x in smi.split(",")]
        node.update(gpu=name, gpu_memory=memory, driver=driver, compute_capability=cap)
    else:
        node.update(gpu=None, note="no GPU: rehearsal" if c.rehearse else "nvidia-smi found no GPU")
    node["cores"] = os.cpu_count()
    node["nvcc"] = tool_version(["nvcc", "--version"])
    node["cmake"] = tool_version(["cmake", "--version"], line=0) or "not found"
    node["ninja"] = tool_version(["ninja", "--version"]) or "not found"
    node["compute_sanitizer"] = shutil.which("compute-sanitizer") or ""
    node["ncu"] = shutil.which("ncu") or ""
    try:
        torch = subprocess.run([sys.executable, "-c", "import torch;print(torch.__version__);print(torch.utils.cmake_prefix_path);"
                                "print(torch.version.cuda)"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        torch = subprocess.CompletedProcess([], 1)
    if torch.returncode == 0:
        version, prefix, cuda = torch.stdout.split("\n")[:3]
        node.update(torch=version, torch_cmake_prefix=prefix, torch_cuda=cuda)
    else:
        node.update(torch=None)
    # The brought Debian packages, unpacked as dpkg -x would.
    debs = sorted((CARRY / "debs").glob("*.deb"))
    if not debs:
        raise StageError(f"no Debian packages in {CARRY}/debs: run scripts/gpu-prepare.sh on the CPU machine first")
    c.deps.mkdir(parents=True, exist_ok=True)
    for d in debs:
        read_deb(d, c.deps)
    # Absolute links (libbz2.so -> /lib/...) point into the unpacked tree where their target is there.
    for link in [p for p in c.deps.rglob("*") if p.is_symlink()]:
        target = os.readlink(link)
        if target.startswith("/") and (c.deps / target.lstrip("/")).exists():
            link.unlink()
            link.symlink_to(c.deps / target.lstrip("/"))
    node["debs"] = [d.name for d in debs]
    libdirs = [c.deps / "usr/lib/x86_64-linux-gnu", c.deps / "usr/lib/x86_64-linux-gnu/openblas-pthread", c.deps / "lib/x86_64-linux-gnu"]
    cupti = Path("/usr/local/cuda/extras/CUPTI/lib64")
    c.env["LD_LIBRARY_PATH"] = ":".join([str(p) for p in libdirs] + ([str(cupti)] if cupti.is_dir() else [])
                                        + [x for x in [os.environ.get("LD_LIBRARY_PATH", "")] if x])
    # One member's weights stand for the ensemble: trainN → train0 (the same cost; the records say "member 0").
    member = CARRY / "weights" / "ani-2x-member0"
    if (member / "train0" / "networks").is_dir():
        w = c.work / "weights" / "ani-2x-member0x8"
        if w.exists():
            shutil.rmtree(w)
        w.mkdir(parents=True)
        for f in member.iterdir():
            if f.is_file():
                shutil.copy(f, w / f.name)
        for m in range(8):
            (w / f"train{m}").symlink_to(member / "train0", target_is_directory=True)
        c.weights = w
        c.env["MLFFB_ANI2X_WEIGHTS"] = str(w)
        node["weights"] = "ANI-2x member 0 (real weights, MIT) standing for all 8 members"
    else:
        node["weights"] = "random (no ANI-2x member brought)"
    return f"{node.get('gpu') or 'no GPU'}; {len(debs)} packages unpacked; torch {node.get('torch')}"


# ====================================================================== stage: build
def cmake_cache(build):
    cache = {}
    f = build / "CMakeCache.txt"
    if f.exists():
        for line in f.read_text(errors="replace").splitlines():
            m = re.match(r"^([A-Za-z0-9_]+):[A-Z]+=(.*)$", line)
            if m:
                cache[m.group(1)] = m.group(2)
    return cache


def configure_args(c, build, torch):
    deps = c.deps / "usr"
    cap = (c.node.get("compute_capability") or "9.0").strip()
    args = ["cmake", "-S", ROOT, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            f"-DCMAKE_CUDA_ARCHITECTURES={cap.replace('.', '')}",
            f"-DTORCH_CUDA_ARCH_LIST={cap}",  # else torch's CMake runs a GPU-detecting try_run
            f"-DCMAKE_LIBRARY_PATH={deps}/lib/x86_64-linux-gnu/openblas-pthread;{deps}/lib/x86_64-linux-gnu",
            "-DMLFFB_WITH_OPENMM=OFF", "-DMLFFB_WITH_LAMMPS=OFF",
            "-DCMAKE_POLICY_VERSION_MINIMUM=3.5"]  # a CMake 4 on the node still reads the packages' older config files
    prefix = [str(deps)]
    if torch and c.node.get("torch_cmake_prefix"):
        prefix.append(c.node["torch_cmake_prefix"])
    elif not torch:
        args.append("-DMLFFB_WITH_TORCH=OFF")
    args.append("-DCMAKE_PREFIX_PATH=" + ";".join(prefix))
    return args


def stage_build(c, limit):
    deadline = now() + limit
    if c.rehearse:
        # Configure with the brought packages (they must be what CMake finds), check the targets,
        # then use the binaries scripts/build.sh made.
        build = c.work / "build-rehearse"
        shutil.rmtree(build, ignore_errors=True)
        c.run(configure_args(c, build, torch=False), deadline - now(), "build.log", check=True)
        cache = cmake_cache(build)
        found = ("nlohmann_json_DIR", "CLI11_DIR", "GTest_DIR", "BZIP2_INCLUDE_DIR")
        outside = [f"{k}={cache.get(k, 'not set')}" for k in found if not cache.get(k, "").startswith(str(c.deps))]
        blas = cache.get("BLAS_openblas_LIBRARY", "") or cache.get("BLAS_LIBRARIES", "")
        if not blas.startswith(str(c.deps)):
            outside.append(f"BLAS={blas or 'not found'}")
        if outside:
            raise StageError("configured with packages not brought: " + ", ".join(outside))
        rc, _, _ = c.run(["ninja", "-C", build, "-n", *BUILD_TARGETS], deadline - now(), "build.log")
        if rc != 0:
            raise StageError("the build targets are not all there (logs/build.log)")
        if not (c.bin / "mlff-bench").exists():
            raise StageError(f"{c.bin}/mlff-bench missing: run scripts/build.sh before the rehearsal")
        return "configured with the brought packages only; targets checked; binaries of scripts/build.sh"
    notes = []
    for torch in ([True, False] if c.node.get("torch") else [False]):
        build = c.build_dir if torch or not c.node.get("torch") else c.build_dir.with_name(c.build_dir.name + "-notorch")
        rc, secs, _ = c.run(configure_args(c, build, torch), deadline - now(), "build.log")
        if rc == 0:
            rc, secs2, _ = c.run(["cmake", "--build", build, "-j", str(os.cpu_count() or 4), "--target", *BUILD_TARGETS],
                                 deadline - now(), "build.log")
            secs += secs2
        if rc == 0:
            c.bin = build / "bin"
            cache = cmake_cache(build)
            c.node["components"] = {k[len("MLFFB_WITH_"):]: v for k, v in cache.items() if k.startswith("MLFFB_WITH_")}
            c.run(c.mlffb("list"), 20, "list.log")  # what this build can run here, and why not
            notes.append(f"{'with' if torch else 'without'} LibTorch in {secs:.0f} s")
            return "; ".join(notes)
        notes.append(f"{'with' if torch else 'without'} LibTorch failed ({'timeout' if rc is None else f'exit {rc}'})")
        if deadline - now() < 30:
            break
    raise StageError("; ".join(notes) + " (logs/build.log)")


# ====================================================================== stage: correctness
def gtest_counts(report):
    """passed, failed, skipped from a gtest JSON report, and how many of the passed ones needed the device."""
    counts = {"passed": 0, "failed": 0, "skipped": 0, "gpu_passed": 0}
    try:
        doc = json.loads(report.read_text())
    except (OSError, ValueError):
        return None
    for suite in doc.get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("failures"):
                counts["failed"] += 1
            elif t.get("result") == "SKIPPED" or t.get("status") == "NOTRUN":
                counts["skipped"] += 1
            else:
                counts["passed"] += 1
                counts["gpu_passed"] += bool(GPU_TEST.search(f"{t.get('classname', '')}.{t.get('name', '')}"))
    return counts


def stage_correctness(c, limit):
    deadline = now() + limit
    results = {}
    for binary, filt, what in TEST_RUNS:
        report = c.work / f"gtest-{binary}.json"
        report.unlink(missing_ok=True)
        rc, secs, _ = c.run([c.bin / binary, f"--gtest_filter={filt}", f"--gtest_output=json:{report}"],
                            min(deadline - now(), limit * 0.45), f"tests-{binary}.log")
        counts = gtest_counts(report)
        if counts is None or counts["passed"] + counts["failed"] + counts["skipped"] == 0:
            counts = {"passed": 0, "failed": 1, "skipped": 0, "gpu_passed": 0, "note": "no tests ran" if rc is not None else "timeout"}
        counts["seconds"] = round(secs, 1)
        results[binary] = counts
        # Passed only when tests that need the device ran: host-only passes alone say nothing of the GPU.
        status = "fail" if counts["failed"] or rc is None else ("pass" if counts["gpu_passed"] else "skipped")
        c.claim(f"tests: {what}", status, f"{counts['passed']} passed ({counts['gpu_passed']} on the GPU), {counts['failed']} failed, "
                f"{counts['skipped']} skipped ({binary}, {secs:.0f} s{', stopped at its limit' if rc is None else ''})")
    # Measured: CUDA against the CPU in float64, on a slice and a periodic solvated box.
    solv = c.systems / "solvated"
    c.run(c.mlffb("systems", "build", "--suite", "polyala", "--sizes", "10", "--solvate", "--out", solv, "--format", "pdb"), 20, "systems.log")
    cases = [c.slices()[100], solv / "polyala-10-solvated.pdb"]
    evals = {}
    for system in cases:
        ref = eval_point(c, system, "native", "cpu", "float64", deadline)
        if "error" in ref:  # the CPU runs everywhere, a rehearsal too: its failure is the check's own
            raise StageError(f"the CPU reference on {system.name} failed: {ref['error']} (logs/evals.log)")
        # torch float64 on cuda is in the conformance tests; a process each costs seconds on a node
        for flavor, precision in (("native", "float64"), ("native", "float32"), ("torch", "float32")):
            got = eval_point(c, system, flavor, "cuda", precision, deadline)
            evals.setdefault(f"{flavor} {precision}", []).append(compare_eval(got, ref, system.name))
    tolerances = {"float64": (1e-10, 1e-10), "float32": (1e-5, 1e-4)}
    for key, rows in evals.items():
        flavor, precision = key.split()
        etol, ftol = tolerances[precision]
        ok = [r for r in rows if "error" not in r]
        if not ok:
            c.claim(f"CUDA = CPU: ani2x/{flavor} {precision} on cuda vs native float64 on cpu", "skipped", rows[0]["error"])
            continue
        e = max(r["energy_rel"] for r in ok)
        f = max(r["force_rel"] for r in ok)
        status = "pass" if e <= etol and f <= ftol and len(ok) == len(rows) else "fail"
        c.claim(f"CUDA = CPU: ani2x/{flavor} {precision} on cuda vs native float64 on cpu (<= {etol:g} E, {ftol:g} F)", status,
                f"energy {e:.1e}, forces {f:.1e} relative (max over {', '.join(r['system'] for r in ok)})")
    (c.reports / "correctness.json").write_text(json.dumps({"tests": results, "cuda_vs_cpu": evals}, indent=1))
    failed = sum(r["failed"] for r in results.values())
    return f"{failed} test failures"


def eval_point(c, system, flavor, device, precision, deadline):
    out = c.work / "evals" / f"{system.parent.name}-{system.stem}-{flavor}-{device}-{precision}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    args = ["eval", "--model", "ani2x", "--flavor", flavor, "--device", device, "--precision", precision, "--in", system, "--out", out,
            *c.weight_args()]
    rc, _, text = c.run(c.mlffb(*args), max(1.0, min(30, deadline - now())), "evals.log")
    if rc != 0 or not out.exists():
        last = [l for l in text.splitlines() if "error" in l]
        return {"error": last[-1].split("error: ", 1)[-1] if last else f"eval exited {rc}"}
    return json.loads(out.read_text())


def compare_eval(got, ref, name):
    if "error" in got or "error" in ref:
        return {"system": name, "error": got.get("error") or ref.get("error")}
    e, e0 = got["energy"]["kj_mol"], ref["energy"]["kj_mol"]
    f, f0 = got["forces_kj_mol_per_angstrom"], ref["forces_kj_mol_per_angstrom"]
    num = sum((a - b) ** 2 for u, v in zip(f, f0) for a, b in zip(u, v)) ** 0.5
    den = sum(b * b for v in f0 for b in v) ** 0.5
    return {"system": name, "atoms": len(f), "energy_rel": abs(e - e0) / abs(e0), "force_rel": num / den}


# ====================================================================== stage: sanitize
def stage_sanitize(c, limit):
    deadline = now() + limit
    # The case must exist, sanitizer or not (a renamed test would silently check nothing).
    rc, _, text = c.run([c.bin / "test_workloads", f"--gtest_filter={SANITIZER_CASE}", "--gtest_list_tests"], 15, "sanitize.log")
    if SANITIZER_CASE.split(".")[1] not in text:
        raise StageError(f"{SANITIZER_CASE} not found in test_workloads")
    tool = shutil.which("compute-sanitizer")
    if c.rehearse or not tool:
        for t in ("memcheck", "racecheck", "initcheck"):
            c.claim(f"compute-sanitizer {t} clean ({SANITIZER_CASE.split('.')[1]})", "skipped",
                    "rehearsal: no GPU" if c.rehearse else "compute-sanitizer not found")
        return "skipped"
    bad = 0
    for t in ("memcheck", "racecheck", "initcheck"):
        log = f"sanitize-{t}.log"
        cmd = [tool, "--tool", t, "--error-exitcode", "86", "--print-limit", "20"]
        if t == "racecheck":
            cmd += ["--racecheck-report", "all"]
        rc, secs, text = c.run(cmd + [c.bin / "test_workloads", f"--gtest_filter={SANITIZER_CASE}"], max(1.0, min(limit / 3, deadline - now())), log)
        summary = re.findall(r"(?:ERROR|RACECHECK) SUMMARY: .*", text)
        passed = "[  PASSED  ] 1 test" in text
        status = "pass" if rc == 0 and passed else "fail"
        bad += status != "pass"
        figure = (summary[-1] if summary else "no summary") + ("" if rc is not None else " (timeout)") + f", {secs:.0f} s"
        if not passed and rc is not None:
            figure += "; the test itself failed under the tool"
        c.claim(f"compute-sanitizer {t} clean ({SANITIZER_CASE.split('.')[1]})", status, figure)
    return f"{bad} tool(s) reported errors" if bad else "clean"


# ====================================================================== stage: bench
def runs_of(report):
    try:
        return json.loads(Path(report).read_text()).get("runs", [])
    except (OSError, ValueError):
        return []


def bench_runs(c, limit):
    """The benchmark set: (report name, arguments, its share of the stage's time)."""
    w = c.weight_args()
    cuda = ["--device", "cuda"]
    sp = ["--mode", "single-point", "--repeat", "10", "--warmup", "3"]
    search_share = 0.25 * limit + c.slack
    return [
        ("polyala-sp", ["run", "--suite", "polyala", *sp, "--model", "ani2x,et", "--flavor", "native,torch", *cuda,
                        "--precision", "float32,tf32,bf16", "--sizes", "10,100,1000", *w, "--timeout", "30"], 0.30 * limit),
        ("polyala-sp-graph", ["run", "--suite", "polyala", *sp, "--model", "ani2x", "--flavor", "native", *cuda, "--precision", "float32",
                              "--sizes", "10,100,1000", "--cuda-graph", "true", *w, "--timeout", "20"], 0.10 * limit),
        ("random", ["run", "--suite", "neighbors", "--mode", "single-point", "--repeat", "5", "--warmup", "2", "--model", "ani2x",
                    "--flavor", "native,torch", *cuda, "--precision", "float32", "--sizes", "1000,10000,100000,1000000",
                    "--neighbors", "55", *w, "--timeout", "25"], 0.22 * limit),
        ("polyala-md", ["run", "--suite", "polyala", "--mode", "md", "--engine", "native", "--model", "ani2x", "--flavor", "native", *cuda,
                        "--precision", "float32", "--sizes", "10,100", "--steps", "2000", "--warmup-steps", "200", "--minimize-steps", "50",
                        *w, "--timeout", "15"], 0.13 * limit),
        ("max-atoms", ["run", "--suite", "max-atoms", "--systems", "random", "--model", "ani2x", "--flavor", "native,torch", *cuda,
                       "--precision", "float32", "--sizes", "1000", "--search-time", f"{max(5, search_share / 2 - 2):.0f}", *w],
         search_share),
    ]


def stage_bench(c, limit):
    c.reports.mkdir(parents=True, exist_ok=True)
    deadline = now() + limit
    done, refused = [], []
    for name, args, share in bench_runs(c, limit - c.slack):
        report = c.reports / f"{name}.json"
        rc, secs, _ = c.run(c.mlffb(*args, "--out", report, "--force"), max(1.0, min(share, deadline - now())), f"bench-{name}.log")
        runs = runs_of(report)
        ok = sum(r.get("status") == "ok" for r in runs)
        done.append(f"{name} {ok}/{len(runs)} ok in {secs:.0f} s" + ("" if rc is not None else " (stopped at its limit)"))
        if rc not in (None, 0, 1, 128 + signal.SIGTERM):  # 1: a point failed, which the report records
            refused.append(f"{name} exited {rc} (logs/bench-{name}.log)")
    if refused:
        raise StageError("; ".join(refused + done))
    return "; ".join(done)


# ====================================================================== stage: profile
def stage_profile(c, limit):
    deadline = now() + limit
    point = ["--in", c.slices()[100], "--model", "ani2x", "--flavor", "native", "--device", "cuda", "--precision", "float32", "--repeat", "5",
             "--warmup", "2", *c.weight_args()]
    steps = [
        ("profile-activity", ["run", *point, "--profile", "cupti-activity,cupti-range"], 0.35),
        ("profile-activity-graph", ["run", *point, "--cuda-graph", "true", "--profile", "cupti-activity"], 0.25),
    ]
    notes = []
    for name, args, share in steps:
        report = c.reports / f"{name}.json"
        rc, secs, _ = c.run(c.mlffb(*args, "--out", report, "--force"), max(1.0, min(share * limit, deadline - now())), f"{name}.log")
        if rc == 2:
            raise StageError(f"{name}: mlff-bench refused its command line (logs/{name}.log)")
        notes.append(f"{name} {secs:.0f} s")
    ncu = shutil.which("ncu")
    report = c.reports / "profile-ncu.json"
    args = ["profile", "ncu", "--stage", "descriptor", "--kernel", "aevForward", "--launch-count", "1"]
    if c.rehearse or not ncu:
        args.append("--dry-run")  # the command lines are still built and checked
    rc, secs, _ = c.run(c.mlffb(*args, "--", *point, "--out", report, "--force"), max(1.0, deadline - now()), "profile-ncu.log")
    if rc != 0 and "--dry-run" in args:
        raise StageError(f"profile ncu --dry-run exited {rc}: its command lines are wrong (logs/profile-ncu.log)")
    notes.append(f"ncu {'dry run' if '--dry-run' in args else f'exit {rc}'} {secs:.0f} s")
    return "; ".join(notes)


# ====================================================================== summary
def med(run, stage="total"):
    try:
        return run["measurements"]["stages"][stage]["median_ms"]
    except (KeyError, TypeError):
        return None


def summarize_bench(c):
    sp = runs_of(c.reports / "polyala-sp.json")
    graph = runs_of(c.reports / "polyala-sp-graph.json")
    rnd = runs_of(c.reports / "random.json")
    md = runs_of(c.reports / "polyala-md.json")
    ok = lambda rs: [r for r in rs if r.get("status") == "ok"]

    def why_not(rs):
        reasons = sorted({r.get("message", "")[:90] for r in rs if r.get("status") != "ok"})
        return "; ".join(reasons) or "not run"

    # native vs torch at ~10k atoms
    pairs = []
    for rs, sysname in ((sp, "polyala-1000"), (rnd, "random-10000-n55")):
        n = [r for r in ok(rs) if r["id"].startswith(sysname + "/ani2x/native/") and r.get("precision") == "float32"]
        t = [r for r in ok(rs) if r["id"].startswith(sysname + "/ani2x/torch/") and r.get("precision") == "float32"]
        if n and t and med(n[0]) and med(t[0]):
            pairs.append(f"{sysname} ({n[0]['system']['atoms']} atoms): native {med(n[0]):.2f} ms, torch {med(t[0]):.2f} ms, "
                         f"{med(t[0]) / med(n[0]):.1f}x")
    if pairs:
        ratios = [float(p.rsplit(", ", 1)[1][:-1]) for p in pairs]
        c.claim("speed: ani2x native vs torch on the GPU at ~10k atoms (>= 20x)", "pass" if min(ratios) >= 20 else "fail", "; ".join(pairs))
    else:
        c.claim("speed: ani2x native vs torch on the GPU at ~10k atoms (>= 20x)", "skipped", why_not(sp + rnd))
    # network stage vs cuBLAS at >= 100k atoms
    big = [r for r in ok(rnd) if "/ani2x/native/" in r["id"] and r["system"]["atoms"] >= 100000]
    if big:
        fr = [(r["system"]["atoms"], r["measurements"].get("energy_fraction_of_sgemm_rate")) for r in big]
        fr = [(a, f) for a, f in fr if f is not None]
        if fr:
            c.claim("speed: native network GFLOP/s vs cuBLAS GEMM of its shape, from 100k atoms (>= 50 %)",
                    "pass" if min(f for _, f in fr) >= 0.5 else "fail", ", ".join(f"{a} atoms {100 * f:.0f} %" for a, f in fr))
    else:
        c.claim("speed: native network GFLOP/s vs cuBLAS GEMM of its shape, from 100k atoms (>= 50 %)", "skipped", why_not(rnd))
    # graphs on/off
    rows = []
    for size in ("polyala-10", "polyala-100", "polyala-1000"):
        g = [r for r in ok(graph) if r["id"].startswith(size + "/")]
        p = [r for r in ok(sp) if r["id"].startswith(size + "/ani2x/native/") and r.get("precision") == "float32"]
        if g and p and med(g[0]) and med(p[0]):
            rows.append(f"{g[0]['system']['atoms']} atoms {med(p[0]):.3f} -> {med(g[0]):.3f} ms ({med(p[0]) / med(g[0]):.2f}x)")
    c.claim("speed: CUDA graphs vs not, ani2x native float32, 100-10k atoms", "measured" if rows else "skipped",
            "; ".join(rows) if rows else why_not(graph))
    # precision errors
    perr = []
    for r in ok(sp):
        pe = r["measurements"].get("precision_error")
        if "/ani2x/native/" in r["id"] and pe and r.get("precision") in ("tf32", "bf16") and pe.get("status") == "ok":
            perr.append(f"{r['precision']} {r['system']['atoms']} atoms E {pe['energy_rel']:.1e} F {pe['force_rel']:.1e}")
    c.claim("precision: tf32/bf16 native vs float64 on the same structure", "measured" if perr else "skipped",
            "; ".join(perr) if perr else why_not(sp))
    # largest random size reached
    sizes = sorted({r["system"]["atoms"] for r in ok(rnd) if "/ani2x/native/" in r["id"]})
    c.claim("speed: random systems at water's density, native, 1e3 up to the largest in the stage's time",
            "measured" if sizes else "skipped",
            ", ".join(f"{r['system']['atoms']} atoms {med(r):.2f} ms" for r in sorted(ok(rnd), key=lambda r: r['system']['atoms'])
                      if "/ani2x/native/" in r["id"] and med(r)) if sizes else why_not(rnd))
    # MD
    mdrows = [f"{r['system']['atoms']} atoms {r['measurements']['md']['ns_per_day']:.1f} ns/day "
              f"({r['measurements']['md']['ms_per_step']['median']:.3f} ms/step)" for r in ok(md)]  # the schema requires both
    c.claim("MD: ns/day of two slices, native engine, device state, vacuum", "measured" if mdrows else "skipped",
            "; ".join(mdrows) if mdrows else why_not(md))
    # max atoms
    try:
        series = json.loads((c.reports / "max-atoms.json").read_text()).get("max_size", [])
    except (OSError, ValueError):
        series = []
    rows = []
    for s in series:
        if "skipped" in s:
            rows.append(f"{s['flavor']}: skipped ({s['skipped'][:60]})")
            continue
        lo = s.get("largest_ok", {}).get("atoms")
        hi = s.get("smallest_failed")
        rows.append(f"{s['flavor']}: {lo or 'none'} atoms ok" + (f", {hi['atoms']} {hi['status']}" if hi else "")
                    + ("" if s.get("complete") else " (bracket reached in the time given)"))
    live = [s for s in series if "skipped" not in s]
    c.claim("max atoms per flavour on the GPU (random, water's density)", "measured" if live else "skipped", "; ".join(rows) or "not run")


def summarize_profile(c):
    plain = runs_of(c.reports / "profile-activity.json")
    graph = runs_of(c.reports / "profile-activity-graph.json")

    def launches(rs):
        for r in rs:
            m = r.get("measurements", {})
            if "launches_per_sample" in m:
                return m["launches_per_sample"], m.get("launches_per_stage", {})
        return None, None

    a, stages = launches(plain)
    b, gstages = launches(graph)
    def collector_state(rs, name):
        for r in rs:
            col = r.get("measurements", {}).get("collectors", {}).get(name)
            if col:
                return col.get("reason") or col.get("status", "")
            if r.get("status") != "ok":
                return r.get("message", "")[:100]
        return "not run"
    if a is not None and b is not None:
        per = ", ".join(f"{k} {v.get('launch_calls', 0):.0f}" for k, v in (stages or {}).items())
        c.claim("cupti-activity: launch calls per evaluation without / with graphs", "measured",
                f"{a:.0f} / {b:.0f} (without, per stage: {per})")
    else:
        c.claim("cupti-activity: launch calls per evaluation without / with graphs", "skipped", collector_state(plain, "cupti-activity"))
    traffic = None
    for r in plain:
        traffic = r.get("measurements", {}).get("traffic")
    if traffic:
        rows = []
        for stage, t in traffic.items():
            dram = t.get("dram_bytes") or (t.get("dram_read_bytes", 0) + t.get("dram_write_bytes", 0))
            rows.append(f"{stage} DRAM {dram / 1e6:.2f} MB L2 {t.get('l2_bytes', 0) / 1e6:.1f} MB L1 {t.get('l1_bytes', 0) / 1e6:.1f} MB")
        c.claim("cupti-range: DRAM/L2/L1 bytes per stage (polyala-100, per evaluation)", "measured", "; ".join(rows))
    else:
        c.claim("cupti-range: DRAM/L2/L1 bytes per stage (polyala-100, per evaluation)", "skipped", collector_state(plain, "cupti-range"))
    ncu = runs_of(c.reports / "profile-ncu.json")
    km = [k for r in ncu for k in r.get("measurements", {}).get("kernel_metrics", [])]
    tr = [r.get("measurements", {}).get("traffic") for r in ncu if r.get("measurements", {}).get("traffic")]
    log = (c.logs / "profile-ncu.log").read_text(errors="replace") if (c.logs / "profile-ncu.log").exists() else ""
    if km or tr:
        k = km[0] if km else {}
        c.claim("ncu: one kernel (aevForward) through mlff-bench profile ncu", "measured",
                f"{k.get('name', 'descriptor')[:40]}: DRAM {k.get('dram_bytes', 0) / 1e6:.2f} MB, {k.get('gpu_time_ms', 0):.3f} ms" if k
                else json.dumps(tr[0])[:150])
    else:
        c.claim("ncu: one kernel (aevForward) through mlff-bench profile ncu", "skipped",
                "rehearsal: the command lines only (--dry-run)" if c.rehearse else (log.strip().splitlines() or ["not run"])[-1][:120])


def write_summary(c):
    total = now() - c.start
    lines = [f"mlff-bench GPU check ({'rehearsal, no GPU' if c.rehearse else c.node.get('gpu') or 'no GPU'}), "
             f"{total:.0f} s of {TOTAL_LIMIT} s, git {git_revision()}"]
    node = c.node
    lines.append(f"node: {node.get('gpu')} {node.get('gpu_memory', '')} driver {node.get('driver', '-')} cc {node.get('compute_capability', '-')}; "
                 f"{node.get('cores')} cores; torch {node.get('torch')}; {node.get('weights', '')}")
    lines.append("stages: " + ", ".join(f"{k} {v['status']} {v['seconds']:.0f}/{v['limit']:.0f} s" for k, v in c.stages.items()))
    for name, st in c.stages.items():
        if st["status"] not in ("ok",):
            lines.append(f"  {name}: {st['note'][:150]}")
    width = max(len(x["claim"]) for x in c.claims) if c.claims else 0
    width = min(width, 78)
    for x in c.claims:
        lines.append(f"{x['status'].upper():8} {x['claim'][:78]:<{width}}  {x['figure']}")
    counts = {s: sum(x["status"] == s for x in c.claims) for s in ("pass", "fail", "measured", "skipped")}
    lines.append("claims: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    text = "\n".join(lines) + "\n"
    doc = {"schema": "mlff-bench gpu-check 1", "rehearsal": c.rehearse, "node": node, "seconds": round(total, 1),
           "limit_seconds": TOTAL_LIMIT, "git": git_revision(), "stages": c.stages, "claims": c.claims}
    return text, doc


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        return rev + ("+changes" if dirty else "") if rev else "unknown"
    except OSError:
        return "unknown"


BUNDLE = ("summary.txt", "summary.json", "reports.tar.gz", "logs.tar.gz")


def replace_into(path, write):
    """Writes a file through write(tmp_path) next to `path`, then renames it over `path`: never
    half-written, and a link at `path` is replaced, not written through."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def existing_files(folder, names):
    return [n for n in names if (folder / n).exists() or (folder / n).is_symlink()]


def pack(tmp, folder, tail=0):
    """folder's files as folder/... in a .tar.gz (with tail > 0: each file's last `tail` bytes)."""
    with tarfile.open(tmp, "w:gz") as t:
        for f in sorted(folder.rglob("*")) if folder.exists() else []:
            if f.is_file():
                data = f.read_bytes()[-tail:] if tail else f.read_bytes()
                info = tarfile.TarInfo(f"{folder.name}/{f.relative_to(folder)}")
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))


def bundle(c, text, doc):
    """At most 8 files, each at most 16 MiB, no folders: summary.txt, summary.json, reports.tar.gz, logs.tar.gz."""
    c.out.mkdir(parents=True, exist_ok=True)
    replace_into(c.out / "summary.txt", lambda p: p.write_text(text))
    replace_into(c.out / "summary.json", lambda p: p.write_text(json.dumps(doc, indent=1) + "\n"))
    for name, folder in (("reports.tar.gz", c.reports), ("logs.tar.gz", c.logs)):
        def write(tmp, folder=folder):
            pack(tmp, folder)
            if tmp.stat().st_size > BUNDLE_MAX_BYTES:  # the logs are what can grow: keep their ends
                pack(tmp, folder, tail=BUNDLE_MAX_BYTES // 4)
        replace_into(c.out / name, write)
    files = list(c.out.iterdir())
    assert len(files) <= BUNDLE_MAX_FILES, files


# ====================================================================== main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rehearse", action="store_true", help="run every stage on a machine without a GPU (CUDA points skipped)")
    ap.add_argument("--full", action="store_true", help="the complete reference set, no time limits, into results/reference/<gpu>/")
    ap.add_argument("--import", dest="import_dir", metavar="BUNDLE",
                    help="unpack a slot's bundle (summary and reports) into results/reference/<gpu>/ to commit")
    ap.add_argument("--stages", default=",".join(s for s, _ in STAGES), help="stages to run (a rerun on a warm node: build,bench)")
    ap.add_argument("--out", help="bundle folder (default: $OUT)")
    ap.add_argument("--work", default="/tmp/mlffb-gpu-check", help="scratch folder")
    ap.add_argument("--build-dir", default=None, help="build folder (default: build-gpu; with --rehearse, build)")
    ap.add_argument("--force", action="store_true", help="replace a bundle already in the folder (or, with --import, reports already kept)")
    args = ap.parse_args()
    if args.build_dir is None:
        args.build_dir = str(ROOT / ("build" if args.rehearse or args.full else "build-gpu"))
    if args.full:
        return full_reference(args)
    if args.import_dir:
        return import_bundle(Path(args.import_dir), args.force)
    c = Check(args)
    if c.out is None:
        print("mlff-bench: error: gpu-check: name the bundle folder with $OUT or --out", file=sys.stderr)
        return 2
    if (there := existing_files(c.out, BUNDLE)) and not args.force:
        print(f"mlff-bench: error: gpu-check: {c.out} already holds a bundle ({', '.join(there)}): an empty folder, or --force to replace it",
              file=sys.stderr)
        return 2
    wanted = [s for s in args.stages.split(",") if s]
    unknown = [s for s in wanted if s not in dict(STAGES)]
    if unknown:
        print(f"mlff-bench: error: gpu-check: unknown stage {unknown[0]} (stages: {', '.join(s for s, _ in STAGES)})", file=sys.stderr)
        return 2
    for d in (c.reports, c.logs):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    stage_fns = {"setup": lambda c, l: stage_setup(c), "build": stage_build, "correctness": stage_correctness,
                 "sanitize": stage_sanitize, "bench": stage_bench, "profile": stage_profile}
    for name, limit in STAGES:
        if name not in wanted and name != "setup":  # setup is cheap and every stage needs its environment
            c.stages[name] = {"status": "not asked", "seconds": 0, "limit": 0, "note": ""}
            continue
        given = limit + (c.slack if name == "bench" else 0)
        t0 = now()
        print(f"gpu-check: {name} (limit {given:.0f} s)", flush=True)
        try:
            note = stage_fns[name](c, given)
            status = "ok"
        except StageError as e:
            note, status = str(e), "failed"
        except Exception as e:  # a bug in a stage must not cost the others
            note, status = f"{type(e).__name__}: {e}", "failed"
        secs = now() - t0
        if name != "bench":
            c.slack += max(0.0, limit - secs)
        c.stages[name] = {"status": status, "seconds": round(secs, 1), "limit": round(given, 1), "note": note}
        print(f"gpu-check: {name} {status} in {secs:.0f} s: {note}", flush=True)
        if name in ("setup", "build") and status != "ok":
            # Nothing later can run without its environment or binaries.
            for later, _ in STAGES[[s for s, _ in STAGES].index(name) + 1:]:
                c.stages[later] = {"status": "not run", "seconds": 0, "limit": 0, "note": f"{name} failed"}
            break
    for stage, summarize in (("bench", summarize_bench), ("profile", summarize_profile)):
        if c.stages.get(stage, {}).get("status") in ("ok", "failed"):
            try:
                summarize(c)
            except Exception as e:  # the bundle must still be written
                c.claim(f"{stage}: reading its reports", "fail", f"{type(e).__name__}: {e}")
    text, doc = write_summary(c)
    bundle(c, text, doc)
    print(f"gpu-check: bundle in {c.out}: {', '.join(sorted(f.name for f in c.out.iterdir()))}")
    print(text, end="")
    failed = any(x["status"] == "fail" for x in c.claims) or any(s["status"] == "failed" for s in c.stages.values())
    return 1 if failed else 0


def gpu_folder(name):
    """results/reference/<gpu>/: the GPU's name as nvidia-smi gives it, spaces as dashes."""
    return ROOT / "results" / "reference" / re.sub(r"[^A-Za-z0-9_-]", "", name.strip().replace(" ", "-"))


def import_bundle(bundle_dir, force=False):
    """A slot's bundle into results/reference/<gpu>/: summary.txt, summary.json and the reports."""
    try:
        doc = json.loads((bundle_dir / "summary.json").read_text())
    except (OSError, ValueError) as e:
        print(f"mlff-bench: error: gpu-check --import: {bundle_dir}/summary.json: {e}", file=sys.stderr)
        return 2
    gpu = (doc.get("node") or {}).get("gpu")
    if not gpu or doc.get("rehearsal"):
        print(f"mlff-bench: error: gpu-check --import: {bundle_dir} is a rehearsal's bundle (no GPU): nothing to keep", file=sys.stderr)
        return 2
    dest = gpu_folder(gpu)
    files = {f"gpu-check-{name}": (bundle_dir / name).read_bytes() for name in ("summary.txt", "summary.json")}
    with tarfile.open(bundle_dir / "reports.tar.gz") as t:
        for m in t.getmembers():
            name = m.name[len("reports/"):]
            if m.isfile() and m.name.startswith("reports/") and "/" not in name and re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                files[name] = t.extractfile(m).read()
    if (there := existing_files(dest, files)) and not force:
        print(f"mlff-bench: error: gpu-check --import: {dest.relative_to(ROOT)} already holds {', '.join(there)}: --force to replace them",
              file=sys.stderr)
        return 2
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        replace_into(dest / name, lambda p, data=data: p.write_bytes(data))
    print(f"gpu-check: {bundle_dir} imported into {dest.relative_to(ROOT)}")
    return 0


def full_reference(args):
    """The complete reference set, without limits, into results/reference/<gpu>/ (a GPU of one's own)."""
    name = tool_version(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"])
    if not name:
        print("mlff-bench: error: gpu-check --full: nvidia-smi finds no GPU", file=sys.stderr)
        return 2
    out = gpu_folder(name)
    out.mkdir(parents=True, exist_ok=True)
    exe = Path(args.build_dir) / "bin" / "mlff-bench"
    sets = [
        ("polyala-sp", ["--suite", "polyala", "--mode", "single-point", "--model", "ani2x,et", "--flavor", "native,torch",
                        "--precision", "float32,tf32,bf16"]),
        ("polyala-sp-graph", ["--suite", "polyala", "--mode", "single-point", "--model", "ani2x", "--flavor", "native", "--cuda-graph", "true"]),
        ("random", ["--suite", "neighbors", "--model", "ani2x", "--flavor", "native,torch", "--sizes", "1000,10000,100000,1000000",
                    "--neighbors", "55"]),
        ("polyala-md", ["--suite", "polyala", "--mode", "md", "--engine", "native", "--model", "ani2x", "--flavor", "native"]),
        ("max-atoms", ["--suite", "max-atoms", "--model", "ani2x,et"]),
        ("profilers", ["--suite", "polyala", "--mode", "single-point", "--model", "ani2x", "--flavor", "native,torch", "--sizes", "10,100,1000",
                       "--profile", "cupti-activity,cupti-range,torch-ops"]),
    ]
    rc = 0
    for name, extra in sets:
        cmd = [str(exe), "run", "--device", "cuda", *extra, "--out", str(out / f"{name}.json")]
        report = out / f"{name}.json"
        cmd += ["--resume"] if report.exists() else []
        print("$ " + " ".join(cmd), flush=True)
        rc |= subprocess.call(cmd)
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
