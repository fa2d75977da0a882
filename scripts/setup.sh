#!/usr/bin/env bash
# Installs every Debian 12 package Terse needs to build, test and run. Idempotent; only Debian packages.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config git zstd clang-format
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6
  qt6-svg-dev libgl-dev libqcustomplot-dev
  libtorch-dev libopenblas0-openmp libtcmalloc-minimal4
  libsqlite3-dev libpcre2-dev nlohmann-json3-dev libcli11-dev libzstd-dev zlib1g-dev
  libicu-dev python3-dev pybind11-dev python3-distributed python3-pytest
  xvfb xauth imagemagick fonts-dejavu-core fonts-noto-cjk fonts-tlwg-loma-otf
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# libtorch's fp32 BLAS: make sure the OpenMP OpenBLAS is the selected libblas.so.3 alternative.
alt=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas-openmp | head -1 || true)
if [ -n "$alt" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt" >/dev/null || true
fi
echo "setup: all packages present"
