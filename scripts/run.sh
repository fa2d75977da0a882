#!/usr/bin/env bash
# Sets up (Debian packages), builds and launches Terse Studio. Extra arguments go to terse-studio.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
exec build/app/gui/terse-studio "$@"
