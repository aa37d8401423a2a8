#!/usr/bin/env bash
# One line a person reads in every CI log: native ANI-2x float32 at 3,403 atoms (polyala-340, real
# weights when present) — its energy + forces time and the network stage's share of the sgemm rate
# measured in the same worker process (`energy_fraction_of_sgemm_rate`). A regression such as the
# CELU losing its vector exp (0.8 → 0.5 of sgemm) shows here. Not a pass/fail check: these machines
# are shared and noisy (a timed test would be flaky), so a fraction under 0.7 prints a warning only.
#   scripts/perf-line.sh [BUILD_DIR]      (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build}/bin/mlff-bench"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$bin" run --suite polyala --sizes 340 --model ani2x --flavor native --mode single-point --repeat 5 --warmup 1 \
     --out "$tmp/perf.json" >"$tmp/log" 2>&1; then
  echo "perf: the polyala-340 point failed:"; tail -5 "$tmp/log"; exit 1
fi
python3 - "$tmp/perf.json" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
run = report["runs"][0]
m = run["measurements"]
frac = m.get("energy_fraction_of_sgemm_rate")
sgemm = m.get("sgemm_reference", {}).get("gflops_per_s")
st = m["stages"]
line = (f"perf {sys.argv[2]}: polyala-340 ({run['system']['atoms']} atoms) native ANI-2x float32, {m.get('threads', '?')} threads, "
        f"weights {run['model'].get('weights', {}).get('source', '?')}: "
        f"energy+forces {st['total']['median_ms']:.0f} ms (energy {st['energy']['median_ms']:.0f}, forces {st['forces']['median_ms']:.0f}); "
        f"energy stage {frac:.2f} of the sgemm rate ({sgemm:.0f} GFLOP/s in the same process)")
print(line)
if frac is not None and frac < 0.7:
    print(f"perf: WARNING: the energy stage ran at {frac:.2f} of sgemm (expected about 0.8 on a quiet machine): "
          "a compile flag lost, or a busy host (compare the sgemm rate with other runs)")
PY
