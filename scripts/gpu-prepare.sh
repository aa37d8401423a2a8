#!/usr/bin/env bash
# Run on the CPU machine before a GPU slot: gathers into .gpu-carry/ (ignored by git) what the GPU
# node lacks and scripts/gpu-check.sh needs there — the Debian 12 build packages (apt-get download;
# unpacked on the node as dpkg -x would, by gpu_check.py) and one ANI-2x member's real weights —
# checks that the checkout plus that folder fit in what a slot carries (64 MiB), and prints the
# folder to carry (`carry:`) and the command to run on the node. Idempotent: what is there is kept.
#   scripts/gpu-prepare.sh [--weights DIR]   (default: the real ANI-2x weights beside the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
limit_mib=64
carry=.gpu-carry
weights=${MLFFB_ANI2X_WEIGHTS:-../shared/models/ani-2x_8x}
while [ $# -gt 0 ]; do
  case "$1" in
    --weights) weights=$2; shift 2 ;;
    *) echo "mlff-bench: error: gpu-prepare: unknown argument $1 (--weights DIR)" >&2; exit 2 ;;
  esac
done
if ! git check-ignore -q "$carry/"; then
  echo "mlff-bench: error: gpu-prepare: $carry is not ignored by git (.gitignore)" >&2; exit 1
fi

# Build dependencies the node lacks (it has nvcc, CMake, Ninja, PyTorch, gcc; none of our Debian
# packages): header-only JSON and CLI11, GoogleTest, OpenBLAS (and its Fortran runtime), bzip2.
packages=(nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libopenblas-dev libopenblas-pthread-dev
          libopenblas0-pthread libgfortran5 libquadmath0 libbz2-dev libbz2-1.0)
mkdir -p "$carry/debs"
missing=()
for p in "${packages[@]}"; do
  compgen -G "$carry/debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  (cd "$carry/debs" && apt-get download "${missing[@]}" 2>&1 | grep -v "^W: Download is performed unsandboxed") \
    || { echo "mlff-bench: error: gpu-prepare: apt-get download ${missing[*]} failed (run scripts/setup.sh first: it updates apt's lists)" >&2; exit 1; }
fi

# One member of the real ANI-2x ensemble (its networks, the AEV parameters and self energies); on
# the node it stands for all eight, which keeps the cost of the 8-member ensemble.
member=$carry/weights/ani-2x-member0
if [ -d "$weights/train0/networks" ]; then
  if [ ! -d "$member/train0/networks" ]; then
    mkdir -p "$member/train0"
    cp "$weights"/rHCNOSFCl-5.1R_16-3.5A_a8-4.params "$weights"/sae_linfit.dat "$member/"
    [ -f "$weights/LICENSE" ] && cp "$weights/LICENSE" "$member/"
    cp -r "$weights/train0/networks" "$member/train0/"
  fi
else
  echo "gpu-prepare: note: no ANI-2x weights at $weights: the check will use random weights" >&2
fi

# What a slot carries: the files git would send (tracked, and untracked but not ignored) plus the folder.
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s+=$1} END {print s+0}')
carry_bytes=$(du -sb "$carry" | cut -f1)
total=$((tree_bytes + carry_bytes))
awk -v t="$tree_bytes" -v c="$carry_bytes" -v d="$carry" -v l="$limit_mib" 'BEGIN {
  printf "gpu-prepare: checkout %.1f MiB + %s %.1f MiB = %.1f MiB (limit %d MiB)\n", t / 1048576, d, c / 1048576, (t + c) / 1048576, l }'
if [ "$total" -gt $((limit_mib * 1048576)) ]; then
  echo "mlff-bench: error: gpu-prepare: $((total / 1048576)) MiB is more than a slot carries ($limit_mib MiB)" >&2; exit 1
fi
echo "carry: $carry"
echo "run:   OUT=\$OUT scripts/gpu-check.sh      (a rerun on the warm node: --stages bench,profile)"
