#!/bin/bash
# Prepares .gpu/ (git-ignored) for one GPU lease that trains the default LM (resources/models/terse-lm):
# the -dev packages the GPU image lacks (as .debs, unpacked there with dpkg -x), the corpus slice as a token
# file and the held-out text. Everything that travels must fit 64 MiB with the checkout; the slice is sized
# for that. Then run, on the GPU machine, from the repository root: bash scripts/gpu/train_lm.sh
# (the device tool: command "bash scripts/gpu/train_lm.sh", carry [".gpu"], timeout 600).
set -euo pipefail
. "$(dirname "$0")/prepare_common.sh"
cp "$SHARED/corpus/heldout.txt.zst" .gpu/
# Every second document (a slice spread over all sources), 105 MB of text: ~30M tokens, 37 MB gzip.
"$TERSE" train encode --corpus "$SHARED/corpus/train.txt.zst" --tokenizer resources/models/terse-lm \
    --out .gpu/train.tok.gz --keep-every 2 --max-mb 105
# What travels: the working tree (tracked and untracked-not-ignored files) plus .gpu, at most 64 MiB. The
# bundled model alone is 46 MB: move resources/models/terse-lm/model.safetensors out of the tree for the
# call (and back after it) if the total is over.
travel_size
