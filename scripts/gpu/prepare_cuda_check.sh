#!/bin/bash
# Prepares .gpu/ (git-ignored) for one GPU lease that checks the CUDA path (issue 16): the -dev packages the
# GPU image lacks and the oracle models of ../shared/oracle (7 MB). The bundled weights are not needed there
# and would not fit: `bash scripts/gpu/hold_weights.sh out` moves them out of the tree for the call, then run
# the device tool with command "bash scripts/gpu/check_cuda.sh", carry [".gpu"], timeout 600, and
# `bash scripts/gpu/hold_weights.sh back` after it.
set -euo pipefail
. "$(dirname "$0")/prepare_common.sh"
rm -rf .gpu/oracle && cp -r "$SHARED/oracle" .gpu/oracle
travel_size
