#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the library and its tests (build-asan/),
# then the tests under it. A report of either stops the program and fails its test: nothing is
# suppressed. LibTorch and CUDA stay out (they are not built with sanitizers themselves), so the
# torch flavours are not part of this run; so do the OpenMM and LAMMPS engines, whose tests drive
# uninstrumented libraries (OpenMM, liblammps under mpirun) and run in the plain build — keeping CI
# well under the hour. Extra arguments go to ctest (e.g. -R Conformance).
# It is a unity build (each target's sources compiled a few at a time as one translation unit) at
# -O1 with line tables only and without the micro-benchmarks: 5 min to build on 2 cores instead of
# 23 at -O2 -g one file at a time. The release build stays one file at a time, so it still catches
# a file that leans on another's includes; names at file scope must differ between the sources of
# one target (as registrars' names do).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -g1" -DCMAKE_UNITY_BUILD=ON \
      -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON -DMLFFB_SANITIZE=address,undefined \
      -DMLFFB_WITH_TORCH=OFF -DMLFFB_WITH_CUDA=OFF -DMLFFB_WITH_OPENMM=OFF -DMLFFB_WITH_LAMMPS=OFF
cmake --build build-asan -j "$(nproc)"
# handle_segv=0: a worker killed by SIGSEGV (the runner's own crash tests) dies of the signal, as
# without ASan; memory errors are caught before they get that far.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:handle_segv=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# LibTorch is out of this build, so the peers it carries (ani2x/torchani, et/torchmd-net) do not
# exist here by construction: their cross-checks run in the plain build, which CI requires.
export MLFFB_REQUIRE_PEERS=0
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
