#!/usr/bin/env bash
# The GPU check, sized for a 15-minute slot on a borrowed GPU node (at most 7 minutes, in stages
# with their own time limits; scripts/gpu_check.py says what each does). Prepare on the CPU machine
# first (scripts/gpu-prepare.sh), then on the node:
#   OUT=DIR scripts/gpu-check.sh                  the check; the bundle and summary go to DIR
#   OUT=DIR scripts/gpu-check.sh --stages bench   a rerun of some stages on the same (warm) node
#   OUT=DIR scripts/gpu-check.sh --rehearse       the same stages on a machine without a GPU (CI)
#   scripts/gpu-check.sh --full                   a GPU of one's own: the complete reference set,
#                                                 no time limits, into results/reference/<gpu>/
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/gpu_check.py "$@"
