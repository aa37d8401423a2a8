#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: the checks and benchmarks that need one, after scripts/build.sh
# (with PyTorch's LibTorch for the torch flavours on CUDA). Runs the CUDA kernel set's tests and
# the conformance tests on the device, the kernel set's tests under compute-sanitizer (memcheck,
# racecheck, initcheck), then the GPU benchmarks into results/reference/<gpu>/:
#   polyala single points (native vs torch, float32/tf32/bf16, with and without CUDA graphs),
#   random systems at water's density up to 10^6 atoms, MD ns/day of the slices (native engine,
#   vacuum) and the max-atoms search.
# Usage: scripts/gpu-check.sh [tests|sanitize|bench|all] (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
bin=build/bin
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '-' | tr -cd 'A-Za-z0-9_-')
out=results/reference/${gpu:-gpu}
mkdir -p "$out"
if [[ $what == tests || $what == all ]]; then
  $bin/test_workloads --gtest_filter='AniCuda*:AevMath*'
  $bin/test_conformance --gtest_filter='*cuda*'
fi
if [[ $what == sanitize || $what == all ]]; then
  for tool in memcheck racecheck initcheck; do
    compute-sanitizer --tool $tool --error-exitcode 1 $bin/test_workloads \
      --gtest_filter='AniCuda.MatchesTheCpuKernelSet:AniCuda.TinyListCapacitiesGrowAndRetry:AniCuda.ChunksGraphsAndReplaysGiveTheSameResult'
  done
fi
if [[ $what == bench || $what == all ]]; then
  run() { $bin/mlff-bench run --device cuda --force "$@"; }
  run --suite polyala --mode single-point --model ani2x --flavor native,torch --precision float32,tf32,bf16 --out "$out/polyala-ani2x.json"
  run --suite polyala --mode single-point --model ani2x --flavor native --cuda-graph true --out "$out/polyala-ani2x-graph.json"
  run --suite neighbors --model ani2x --flavor native,torch --sizes 1000,10000,100000,1000000 --neighbors 55 \
      --repeat 3 --out "$out/random-ani2x.json"
  run --suite polyala --mode md --engine native --model ani2x --flavor native --out "$out/polyala-md-ani2x.json"
  run --suite max-atoms --model ani2x,et --out "$out/max-atoms.json"
fi
