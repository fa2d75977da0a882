#!/bin/bash
# Prepares .gpu/ (git-ignored) for one GPU lease that checks the CUDA path (issue 16): the -dev packages the
# GPU image lacks and the oracle models of ../shared/oracle (7 MB). The bundled weights are not needed there
# and would not fit: move them out of the tree for the call and back after it,
#   mkdir -p /tmp/held && mv resources/models/terse-lm/model.safetensors /tmp/held/lm.safetensors \
#       && mv resources/models/terse-tagger/model.safetensors /tmp/held/tagger.safetensors
# then run the device tool with command "bash scripts/gpu/check_cuda.sh", carry [".gpu"], timeout 600.
set -euo pipefail
. "$(dirname "$0")/prepare_common.sh"
rm -rf .gpu/oracle && cp -r "$SHARED/oracle" .gpu/oracle
travel_size
