#!/bin/bash
# Prepares .gpu/ (git-ignored) for one GPU lease that trains the default LM (resources/models/terse-lm):
# the -dev packages the GPU image lacks (as .debs, unpacked there with dpkg -x), the held-out text, and as
# much of the training corpus as fits, as zstd text (about 0.28 bytes per byte of text, 1.0 per token:
# smaller than a token file; train_lm.sh encodes it there in seconds). Optionally INIT=MODEL (a folder or
# .gguf, e.g. resources/models/terse-lm): a model to continue from (`terse train lm --init-from`), written
# to .gpu/init.gguf as Q8_0 (it takes its size from the corpus share).
# Then:
#   bash scripts/gpu/hold_weights.sh out    # the bundled weights out of the tree for the call
#   device tool: command "bash scripts/gpu/train_lm.sh", carry [".gpu"], timeout 600
#   bash scripts/gpu/hold_weights.sh back
set -euo pipefail
. "$(dirname "$0")/prepare_common.sh"
cp "$SHARED/corpus/heldout.txt.zst" .gpu/
rm -rf .gpu/init .gpu/init.gguf .gpu/train.tok.gz .gpu/train.txt.zst
if [ -n "${INIT:-}" ]; then
    # As a Q8_0 GGUF (terse export): the bundled LM travels in 25 MB instead of 46 (its continued
    # training starts from weights within half a Q8_0 step of its own).
    case "$INIT" in
    *.gguf) cp "$INIT" .gpu/init.gguf ;;
    *) "$TERSE" export "$INIT" --out .gpu/init.gguf --type q8_0 ;;
    esac
fi
# Room left under 64 MiB once hold_weights.sh has taken the large files out, less a 2 MiB margin.
held=$(du -cb resources/models/*/model.safetensors resources/models/terse-lm/pis_agent.safetensors \
    resources/models/terse-words/word_vectors.safetensors resources/tokenizers 2>/dev/null | tail -1 | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
room=$(( (64 << 20) - (2 << 20) - (tree - held) - $(du -sb .gpu | cut -f1) ))
[ "$room" -gt $((4 << 20)) ] || { echo "prepare_lm: only $((room >> 20)) MiB left for the corpus" >&2; exit 1; }
# Continuing the bundled LM, the slice holds the documents it never saw: it was trained on every second
# document (index % 2 == 0, terse train encode --keep-every 2), so the odd ones. From scratch, all of them.
unseen() {
    if [ -n "${INIT:-}" ]; then
        python3 -c 'import sys
i, wrote, sep = 0, False, b"<|doc|>\n"
try:
    for line in sys.stdin.buffer:
        if line == sep:
            i += 1
            if i % 2 == 1 and wrote:
                sys.stdout.buffer.write(line)
        elif i % 2 == 1:
            sys.stdout.buffer.write(line)
            wrote = True
except BrokenPipeError:
    sys.stderr.close()'
    else
        cat
    fi
}
# The corpus is document-shuffled, so its first bytes are a sample of every source. Text for the room at the
# measured ratio, recompressed; cut again if the guess was over.
text=$(( room * 100 / 29 ))
while :; do
    (set +o pipefail; zstd -dcq "$SHARED/corpus/train.txt.zst" | unseen | head -c "$text" |
        zstd -q -19 -T0 -o .gpu/train.txt.zst -f)
    size=$(stat -c %s .gpu/train.txt.zst)
    [ "$size" -le "$room" ] && break
    text=$(( text * 97 / 100 ))
done
echo "corpus: $((text >> 20)) MiB of text in $((size >> 20)) MiB"
travel_size
echo "(the working tree counts the files hold_weights.sh out moves away: $((held >> 20)) MiB of it)"
