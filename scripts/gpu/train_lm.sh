#!/bin/bash
# Runs on the GPU machine (CUDA image with PyTorch, CMake, ninja, g++; no Debian packages, no network):
# builds engine + CLI against the image's CUDA libtorch, encodes the carried corpus text, trains the default
# LM for the time left (from scratch, or on from .gpu/init.gguf when prepare_lm.sh was given INIT), and puts
# config.json, the weights in 15 MiB parts (the device tool returns files of at most 16 MiB) and the log in
# $OUT. Reassemble here: cat model.safetensors.part* > model.safetensors; sha256sum -c model.sha256.
# A rerun on the same warm machine resumes from the checkpoint in /tmp/terse-lm.
# Here, without a GPU, the same steps run as a short check: NO_BUILD=1 BIN=build/app/cli/terse DEVICE=cpu
# BUDGET=150 BATCH=2 EVAL_MB=0.05 bash scripts/gpu/train_lm.sh
set -u
T0=$(date +%s)
BUDGET=${BUDGET:-560}          # seconds from start to the end of training (the command's limit is 600)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
DEVICE=${DEVICE:-cuda}
exec > >(tee -a "$OUT/log.txt") 2>&1
el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }
if [ -z "${NO_BUILD:-}" ]; then . scripts/gpu/build_cuda.sh; fi
BIN=${BIN:-/tmp/b/app/cli/terse-engine}
M=${MODEL_OUT:-/tmp/terse-lm}
# Named after the carried corpus (its size and time), so a token file of another slice is never reused.
TOK=/tmp/train-$(stat -c %s-%Y .gpu/train.txt.zst .gpu/train.tok.gz 2>/dev/null | head -1).tok.gz
if [ ! -s $TOK ]; then
    if [ -f .gpu/train.txt.zst ]; then
        "$BIN" train encode --corpus .gpu/train.txt.zst --tokenizer resources/models/terse-lm --out $TOK \
            || { el "encoding failed"; exit 1; }
    else
        cp .gpu/train.tok.gz $TOK || { el "no corpus in .gpu (run scripts/gpu/prepare_lm.sh here)"; exit 1; }
    fi
fi
el encoded
# From scratch: the recipe of resources/models/terse-lm/MODEL.md. On from a model: its architecture, a
# third of the peak learning rate and a short warm-up (AdamW's moments start at zero).
if [ -f .gpu/init.gguf ]; then
    ARCH="--init-from .gpu/init.gguf --tokenizer resources/models/terse-lm --lr ${LR:-7e-4} --warmup 100"
else
    ARCH="--tokenizer resources/models/terse-lm --hidden 512 --layers 6 --heads 8 --kv-heads 8 \
        --intermediate 1376 --max-positions 512 --lr ${LR:-2e-3} --warmup 300"
fi
LEFT=$(( BUDGET - ($(date +%s) - T0) - 45 ))
el "training for $LEFT s"
# shellcheck disable=SC2086
"$BIN" train lm --tokens $TOK --heldout .gpu/heldout.txt.zst --out $M $ARCH --seq-len 512 --batch ${BATCH:-64} \
    --steps 100000 --seed 1234 --eval-every 3000 --eval-mb ${EVAL_MB:-1} --checkpoint-every 3000 --device "$DEVICE" \
    --max-seconds $LEFT 2>&1 |
    stdbuf -o0 tr '\r' '\n' |
    awk '(NR%200==1 || /steps fit|trained|held-out|wrote|rror|diverged|note/) {print; fflush()}'
[ -f $M/model.safetensors ] || { el "no model written"; exit 1; }
cp $M/config.json "$OUT"/
(cd "$OUT" && split -b 15M -d $M/model.safetensors model.safetensors.part &&
    (cd $M && sha256sum model.safetensors) > model.sha256)
ls -la "$OUT"; el end
