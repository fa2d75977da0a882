#!/bin/bash
# Runs on the GPU machine (CUDA image with PyTorch, CMake, ninja, g++; no Debian packages, no network):
# builds engine + CLI against the image's CUDA libtorch, trains the default LM for the time left, and puts
# config.json, the weights in 15 MiB parts (the device tool returns files of at most 16 MiB) and the log in
# $OUT. Reassemble here: cat model.safetensors.part* > model.safetensors; sha256sum -c model.sha256.
set -u
T0=$(date +%s)
BUDGET=${BUDGET:-560}          # seconds from start to the end of training (the command's limit is 600)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
exec > >(tee -a "$OUT/log.txt") 2>&1
el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
. scripts/gpu/build_cuda.sh
M=/tmp/terse-lm
LEFT=$(( BUDGET - ($(date +%s) - T0) - 45 ))
el "training for $LEFT s"
/tmp/b/app/cli/terse train lm --tokens .gpu/train.tok.gz --heldout .gpu/heldout.txt.zst \
    --tokenizer resources/models/terse-lm --out $M --hidden 512 --layers 6 --heads 8 --kv-heads 8 \
    --intermediate 1376 --seq-len 512 --max-positions 512 --batch 64 --steps 100000 --warmup 300 --lr 2e-3 \
    --seed 1234 --eval-every 3000 --eval-mb 1 --checkpoint-every 3000 --device cuda --max-seconds $LEFT 2>&1 |
    stdbuf -o0 tr '\r' '\n' |
    awk '(NR%200==1 || /steps fit|trained|held-out|wrote|rror|diverged/) {print; fflush()}'
[ -f $M/model.safetensors ] || { el "no model written"; exit 1; }
cp $M/config.json "$OUT"/
(cd "$OUT" && split -b 15M -d $M/model.safetensors model.safetensors.part &&
    (cd $M && sha256sum model.safetensors) > model.sha256)
ls -la "$OUT"; el end
