#!/usr/bin/env bash
# Installs the Debian 12 packages mlff-bench builds and tests with (clang and its runtime for the
# fuzz targets of scripts/fuzz.sh, GROMACS for the gromacs engine and its tests, OpenMM for the openmm
# engine, LAMMPS with OpenMPI for the lammps engine). Idempotent; runs as root or
# through sudo. The CUDA toolkit is not a Debian package: when /usr/local/cuda exists it is used,
# otherwise CUDA components are simply off.
# Then the Python environment `.venv` inside the checkout (git ignores it), from PyPI, pinned to the
# last version by scripts/python-requirements.txt: torch 2.11.0 (whose LibTorch the C++ torch flavours
# build against), TorchANI, TorchMD-Net, OpenMM with openmm-torch and openmm-ml (the peer flavours
# and the openmm-ml engine). Redone only when that file changes. Without PyPI the suite still builds
# and runs (LibTorch from Debian when installed, the peers skipped with the reason) unless
# MLFFB_REQUIRE_PEERS=1 (CI), which makes a failed environment a failed set-up.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

packages=(
  build-essential cmake ninja-build git pkg-config
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev libbz2-dev libssl-dev
  python3-jsonschema python3-matplotlib python3-numpy python3-venv
  clang libclang-rt-14-dev libomp-14-dev
  gromacs libopenmm-dev libopenmm-plugins
  liblammps-dev lammps openmpi-bin libopenmpi-dev libfmt-dev
)

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup.sh: run as root or install sudo" >&2; exit 1
  fi
else
  SUDO=
fi

install_debian_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup.sh: all ${#packages[@]} packages already installed"
    return
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Every package pinned, dependencies included (--no-deps: the file is the whole environment;
# torchmd-net 3.1 asks for setuptools>=82 while torch 2.11 asks for <82, and the model code runs
# with either, checked by the cross-check tests).
create_python_environment() {
  local venv="$root/.venv" lock="$root/scripts/python-requirements.txt"
  local stamp="$venv/.mlffb-requirements.sha256" want
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "setup.sh: Python environment $venv up to date"
    return
  fi
  echo "setup.sh: creating the Python environment $venv from $lock"
  rm -f "$stamp"
  # (called under `if`, where errexit is off: each step says its own failure)
  "${MLFFB_PYTHON_BASE:-python3}" -m venv "$venv" || return 1
  "$venv/bin/python3" -m pip install -q --no-deps --require-virtualenv -r "$lock" || return 1
  "$venv/bin/python3" -W ignore -c "import torch, torchani, torchmdnet, openmm, openmmtorch, openmmml, mace.modules" || return 1
  echo "$want" > "$stamp" || return 1
}

install_debian_packages
if ! create_python_environment; then
  if [ "${MLFFB_REQUIRE_PEERS:-0}" = 1 ]; then
    echo "setup.sh: the Python environment could not be created (MLFFB_REQUIRE_PEERS=1)" >&2
    exit 1
  fi
  echo "setup.sh: warning: no Python environment; the peer flavours and the openmm-ml engine will be skipped" >&2
fi
