#!/usr/bin/env bash
# Fuzzes the readers with libFuzzer (clang, with AddressSanitizer and UBSan): the PDB/GRO/XYZ
# readers, the NeuroChem weight reader, the report and journal readers, and the GROMACS topology reader. Builds build-fuzz/,
# then runs each target for SECONDS (default 60) starting from its seed corpus in
# tests/fuzz/corpus/<target>/. An input that crashes, trips a sanitizer, times out or throws an
# undocumented exception is copied into tests/fuzz/corpus/<target>/ as finding-* (the regression
# test replays it in every build from then on) and the script fails.
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
# OpenMM stays out: the readers do not need it, and OpenMM 7.7's headers do not compile with clang
# in C++20 (inline size() of vectors of types they only forward-declare).
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLFFB_FUZZ=ON -DMLFFB_BUILD_TESTS=OFF \
  -DMLFFB_WITH_TORCH=OFF -DMLFFB_WITH_CUDA=OFF -DMLFFB_WITH_OPENMM=OFF -DMLFFB_NATIVE_ARCH=OFF > /tmp/mlffb-fuzz-configure.log 2>&1 || { cat /tmp/mlffb-fuzz-configure.log; exit 1; }
cmake --build build-fuzz -j "$(nproc)" --target fuzz_structure fuzz_neurochem fuzz_reports fuzz_topology
status=0
for target in structure neurochem reports topology; do
  work=$(mktemp -d)  # what the fuzzer adds goes here; the committed seeds stay as they are
  cp tests/fuzz/corpus/$target/* "$work"/
  rm -f build-fuzz/finding-$target-*
  log=build-fuzz/fuzz_$target.log
  if build-fuzz/bin/fuzz_$target "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix=build-fuzz/finding-$target- > "$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz_$target: $runs inputs in ${seconds} s, no finding (corpus grew to $(ls "$work" | wc -l) inputs)"
  else
    status=1
    tail -40 "$log"
    for f in build-fuzz/finding-$target-*; do
      [ -e "$f" ] && cp "$f" "tests/fuzz/corpus/$target/$(basename "$f")" && echo "fuzz_$target: finding saved as tests/fuzz/corpus/$target/$(basename "$f")"
    done
  fi
  rm -rf "$work"
done
exit $status
