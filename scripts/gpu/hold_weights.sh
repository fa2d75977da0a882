#!/bin/bash
# Moves the checkout's large files out of the working tree for a GPU lease, and back after it: what travels
# is the working tree plus the carried .gpu, at most 64 MiB, and the bundled weights and tokenizer test files
# (about 87 MB) are not needed there. `bash scripts/gpu/hold_weights.sh out` before the device call,
# `bash scripts/gpu/hold_weights.sh back` after it (also after a failed call). Idempotent. The files are
# tracked, so `git checkout -- resources` brings them back too if the held copies are lost.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
HELD=${HELD:-/tmp/terse-held}
FILES="resources/models/terse-lm/model.safetensors resources/models/terse-lm/pis_agent.safetensors
resources/models/terse-tagger/model.safetensors resources/models/terse-words/word_vectors.safetensors
resources/tokenizers"
case "${1:-}" in
out)
    for f in $FILES; do
        [ -e "$f" ] || continue
        mkdir -p "$HELD/$(dirname "$f")" && mv "$f" "$HELD/$f"
    done
    echo "held in $HELD; bring back with: bash scripts/gpu/hold_weights.sh back" ;;
back)
    for f in $FILES; do
        [ -e "$HELD/$f" ] || continue
        [ -e "$f" ] && { echo "hold_weights: $f exists in the tree; $HELD/$f left where it is" >&2; continue; }
        mv "$HELD/$f" "$f"
    done
    git status --short resources ;;
*) echo "usage: hold_weights.sh out|back" >&2; exit 2 ;;
esac
