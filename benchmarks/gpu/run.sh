#!/usr/bin/env bash
# The GPU part of the benchmark, as one command for a GPU machine lent for a few minutes, with .gpu/ carried
# (node benchmarks/gpu/pack.mjs makes it): every variant on webgpu at batch 1 and 256, training steps at
# batch 32, against PyTorch on CUDA. Results go to $OUT (the device tool's folder) or benchmarks/results.
#   device run:  carry [".gpu"], command "bash benchmarks/gpu/run.sh", timeout 540
# Extra arguments go to the benchmark (--full: every registered variant; needs more than one call's time).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .gpu/env.sh
out=${OUT:-benchmarks/results}
mkdir -p "$out"
node benchmarks/dist/cli.js --gpu --out "$out" "$@" 2>&1 | tee "$out/gpu-run.log"
