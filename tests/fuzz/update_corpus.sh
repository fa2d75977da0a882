#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on its committed corpus plus freshly generated seeds, then
# minimises everything into tests/fuzz/corpus/<target>/ (-merge=1, then a set cover over edges, so the folder stays
# small: at most TERSE_FUZZ_CORPUS_FILES=50 files). Usage: tests/fuzz/update_corpus.sh [BUILD_DIR=build-fuzz] [SECONDS=60] [TARGET...]
# Crash reproducers land in BUILD_DIR/fuzz-artifacts/<target>/; logs in BUILD_DIR/fuzz-logs/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build-fuzz}" && pwd)
seconds=${2:-60}
max_files=${TERSE_FUZZ_CORPUS_FILES:-50}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(tokenizer safetensors gguf llama2c model_config jsonl_batch session_import)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tests/fuzz/fuzz_make_seeds" "$work/seeds" >/dev/null
mkdir -p "$work/empty"
mkdir -p "$build/fuzz-logs"
for t in "${targets[@]}"; do
  corpus="$root/tests/fuzz/corpus/$t"
  mkdir -p "$corpus" "$work/run/$t" "$work/seeds/$t" "$build/fuzz-artifacts/$t"
  echo "== fuzz_$t: ${seconds}s"
  nice -n 10 "$build/tests/fuzz/fuzz_$t" "$work/run/$t" "$corpus" "$work/seeds/$t" \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$t/" 2>"$build/fuzz-logs/$t.log" || {
      echo "fuzz_$t stopped with a finding, see $build/fuzz-logs/$t.log"; tail -40 "$build/fuzz-logs/$t.log"; exit 1; }
  grep -E "(DONE +cov|^stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" \
    "$build/fuzz-logs/$t.log" || true
  # Minimise the old corpus, the seeds and the new finds together: libFuzzer's merge computes what
  # each file covers, then a greedy set cover over edges keeps at most $max_files files.
  "$build/tests/fuzz/fuzz_$t" -merge=1 -merge_control_file="$work/$t.mcf" -rss_limit_mb=4096 "$work/empty" \
    "$corpus" "$work/seeds/$t" "$work/run/$t" 2>"$build/fuzz-logs/$t.merge.log"
  mkdir -p "$work/keep/$t"
  python3 - "$work/$t.mcf" "$work/keep/$t" "$max_files" <<'PY'
import hashlib, os, shutil, sys
mcf, out, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(mcf, encoding="utf-8", errors="replace").read().splitlines()
n = int(lines[0])
files = lines[2:2 + n]
cov = {}
for l in lines[2 + n:]:
    p = l.split()
    if p and p[0] == "COV":
        cov[int(p[1])] = set(p[2:])
sizes = {i: os.path.getsize(files[i]) for i in cov}
covered, keep = set(), []
while len(keep) < cap:
    best = max(cov, key=lambda i: (len(cov[i] - covered), -sizes[i]), default=None)
    if best is None or not cov[best] - covered:
        break
    keep.append(best)
    covered |= cov.pop(best)
for i in keep:
    data = open(files[i], "rb").read()
    open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb").write(data)
print(f"   kept {len(keep)} files covering {len(covered)} edges")
PY
  rm -rf "$corpus" && cp -r "$work/keep/$t" "$corpus"
  echo "   corpus: $(ls "$corpus" | wc -l) files, $(du -sk "$corpus" | cut -f1) KiB"
done
