#!/bin/bash
# Runs on the GPU machine (see prepare_cuda_check.sh): builds engine + CLI against the image's CUDA
# libtorch, then scripts/gpu/check_cuda.py: the oracle decoders' logits on the GPU against HuggingFace's,
# and a 124M GPT-2 (random weights) on 4k tokens in fp32 and bf16, GPU against the machine's CPU cores. The
# log and check_cuda.json come back in $OUT.
set -u
T0=$(date +%s)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
exec > >(tee -a "$OUT/log.txt") 2>&1
el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
. scripts/gpu/build_cuda.sh
python3 scripts/gpu/check_cuda.py /tmp/b/app/cli/terse-engine .gpu/oracle /tmp/cc --device cuda --threads "$(nproc)"
cp /tmp/cc/check_cuda.json "$OUT"/ 2>/dev/null
el end
