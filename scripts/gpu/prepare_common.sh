# Sourced by the scripts/gpu/prepare_*.sh scripts (here, before a GPU lease): the repository root as the
# working directory, .gpu/ git-ignored, and the -dev packages the GPU image lacks as .debs in .gpu/deb
# (unpacked there by build_cuda.sh with dpkg -x).
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SHARED=${SHARED:-../shared}
TERSE=${TERSE:-build/app/cli/terse}
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
mkdir -p .gpu/deb
(cd .gpu/deb && apt-get download libsqlite3-dev libsqlite3-0 nlohmann-json3-dev libcli11-dev libpcre2-dev libpcre2-8-0 \
    libzstd-dev libzstd1 zlib1g-dev zlib1g libicu-dev libicu72)
# What travels is the working tree (tracked and untracked-not-ignored files) plus .gpu, at most 64 MiB.
travel_size() {
    local tree gpu
    tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
    gpu=$(du -sb .gpu | cut -f1)
    echo "working tree $((tree >> 20)) MiB + .gpu $((gpu >> 20)) MiB = $(((tree + gpu) >> 20)) MiB (limit 64)"
}
