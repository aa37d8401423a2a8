#!/usr/bin/env bash
# Installs the Debian 12 packages mlff-bench builds and tests with (clang and its runtime for the
# fuzz targets of scripts/fuzz.sh, GROMACS for the gromacs engine and its tests, OpenMM for the openmm
# engine, LAMMPS with OpenMPI for the lammps engine). Idempotent; runs as root or
# through sudo. The CUDA toolkit is not a Debian package: when /usr/local/cuda exists it is used,
# otherwise CUDA components are simply off.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git pkg-config
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev libbz2-dev libtorch-dev libssl-dev
  python3-jsonschema python3-matplotlib python3-numpy
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

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
