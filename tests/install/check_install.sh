#!/bin/bash
# Issue 19: `cmake --install` to a temporary prefix gives a Terse that runs from there: the CLI compresses with
# the bundled models found relative to the binary (never the source tree), the install can be moved, and
# terse-studio opens, compresses a sample with the bundled tagger and saves the run.
# usage: check_install.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'if [ -n "${studio:-}" ]; then kill "$studio" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/terse libexec/terse/terse-engine libexec/terse/libterse-engine-module.so share/terse/models/terse-lm/config.json share/terse/models/terse-tagger/config.json \
         share/terse/tokenizers/cl100k_base.tiktoken share/terse/samples/meeting_notes.txt; do
  [ -e "$tmp/prefix/$f" ] || fail "$f is not installed"
done

# Moved elsewhere (relocatable), run from an unrelated directory with no TERSE_* variables.
mv "$tmp/prefix" "$tmp/moved"
cd "$tmp"
unset TERSE_RESOURCES_DIR
"$tmp/moved/bin/terse" models >"$tmp/models.txt" || fail "terse models"
grep -q "$tmp/moved/share/terse/models/terse-lm" "$tmp/models.txt" || { cat "$tmp/models.txt"; fail "terse-lm not found in the moved prefix"; }
if grep -q "/resources/models/" "$tmp/models.txt"; then cat "$tmp/models.txt"; fail "the installed CLI used the source tree"; fi

sample="$tmp/moved/share/terse/samples/meeting_notes.txt"
for method in llmlingua2 selective_context; do
  "$tmp/moved/bin/terse" compress --method "$method" --rate 0.5 --json "$sample" >"$tmp/$method.json" \
    || fail "terse compress --method $method"
  grep -q '"compressed_text"' "$tmp/$method.json" || fail "$method: no compressed text"
  grep -q "$tmp/moved/share/terse/models/" "$tmp/$method.json" || fail "$method: not the installed model"
done
echo "CLI: compressed with the installed models from $tmp/moved"
# The front runs the quick verbs without libtorch (issue 16); the model verbs went through terse-engine.
if ldd "$tmp/moved/bin/terse" | grep -q libtorch; then fail "bin/terse links libtorch"; fi
"$tmp/moved/bin/terse" tokenize --count --tokenizer "$tmp/moved/share/terse/models/terse-lm" "$sample" >/dev/null \
  || fail "terse tokenize from the install"
# The model verbs' help pages (the verb's, its subcommands', each method's) come from the front alone,
# recorded at build time: the same text as terse-engine's, without it.
engine="$tmp/moved/libexec/terse/terse-engine"
subcommands() { "$engine" "$1" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [^ ]/ {print $1} on && !/^ / {on = 0}'; }
requests=(compress score train eval models bench export)
for verb in train eval; do
  for sub in $(subcommands "$verb"); do requests+=("$verb $sub"); done
done
for method in $("$engine" compress --help | sed -n 's/^Methods: //p'); do requests+=("compress --method $method"); done
[ "${#requests[@]}" -ge 25 ] || fail "only ${#requests[@]} help pages found: ${requests[*]}"
for i in "${!requests[@]}"; do
  # shellcheck disable=SC2086 # a request is words
  OMP_WAIT_POLICY=PASSIVE "$engine" ${requests[$i]} --help >"$tmp/help-engine-$i.txt" || fail "terse-engine ${requests[$i]} --help"
done
mv "$tmp/moved/libexec/terse/terse-engine" "$tmp/engine-away"
for i in "${!requests[@]}"; do
  # shellcheck disable=SC2086
  "$tmp/moved/bin/terse" ${requests[$i]} --help >"$tmp/help-front-$i.txt" || fail "terse ${requests[$i]} --help without terse-engine"
  cmp -s "$tmp/help-engine-$i.txt" "$tmp/help-front-$i.txt" || { diff "$tmp/help-engine-$i.txt" "$tmp/help-front-$i.txt"; fail "terse ${requests[$i]} --help is not terse-engine's"; }
done
for i in "${!requests[@]}"; do [ "${requests[$i]}" = "compress --method dac" ] && dac=$i; done
"$tmp/moved/bin/terse" compress --method=dac -h | cmp -s - "$tmp/help-engine-${dac:?no dac method}.txt" \
  || fail "terse compress --method=dac -h is not terse-engine's compress --method dac --help"
echo "CLI: ${#requests[@]} help pages of the model verbs from the front alone"
if "$tmp/moved/bin/terse" compress --method random --rate 0.5 "$sample" >/dev/null 2>"$tmp/noengine.txt"; then
  fail "compress without terse-engine succeeded"
fi
grep -q "the model engine cannot start: .terse-engine. is missing" "$tmp/noengine.txt" || { cat "$tmp/noengine.txt"; fail "no message for a missing engine"; }
mv "$tmp/engine-away" "$tmp/moved/libexec/terse/terse-engine"
# Without its share/terse the installed binary has no bundled models; it never falls back to the source tree.
mv "$tmp/moved/share/terse" "$tmp/share-away"
"$tmp/moved/bin/terse" models >"$tmp/models-none.txt" 2>&1 || true
if grep -q "/resources/models/" "$tmp/models-none.txt"; then cat "$tmp/models-none.txt"; fail "an installed binary used the source tree"; fi
mv "$tmp/share-away" "$tmp/moved/share/terse"

# The app: opens offscreen, compresses the sample with the preselected method and saves the run.
if [ -x "$tmp/moved/bin/terse-studio" ]; then
  export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
  # Without a display: --version and --help answer, and a start says why no window opens (exit 1, not
  # Qt's abort).
  nodisplay=(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM)
  [ "$("${nodisplay[@]}" "$tmp/moved/bin/terse-studio" --version 2>/dev/null)" = "Terse Studio $(sed -n 's/^terse //p' <("$tmp/moved/bin/terse" --version))" ] \
    || fail "terse-studio --version without a display"
  "${nodisplay[@]}" "$tmp/moved/bin/terse-studio" --help 2>/dev/null | grep -q -- "--method <name>" || fail "terse-studio --help without a display"
  set +e
  "${nodisplay[@]}" "$tmp/moved/bin/terse-studio" "$sample" >/dev/null 2>"$tmp/studio-nodisplay.txt"
  code=$?
  set -e
  [ "$code" = 1 ] || { cat "$tmp/studio-nodisplay.txt"; fail "terse-studio without a display: exit $code, not 1"; }
  grep -q "terse-studio: cannot open a window: no usable display (DISPLAY not set, WAYLAND_DISPLAY not set)" "$tmp/studio-nodisplay.txt" \
    || { cat "$tmp/studio-nodisplay.txt"; fail "no message for a start without a display"; }
  export QT_QPA_PLATFORM=offscreen
  # Issue 16: the app links no libtorch; it opens the engine module (installed beside it) after its window.
  if ldd "$tmp/moved/libexec/terse/terse-studio-app" | grep -q libtorch; then fail "terse-studio-app links libtorch"; fi
  # Without the module the window still opens and says why nothing can be compressed.
  mv "$tmp/moved/libexec/terse/libterse-engine-module.so" "$tmp/module-away"
  "$tmp/moved/bin/terse-studio" "$sample" >"$tmp/studio-nomodule.log" 2>&1 &
  studio=$!
  for _ in $(seq 1 60); do
    grep -q "the model engine is missing: no libterse-engine-module.so" "$tmp/studio-nomodule.log" && break
    kill -0 "$studio" 2>/dev/null || { cat "$tmp/studio-nomodule.log"; fail "terse-studio exited without its engine module"; }
    sleep 0.5
  done
  grep -q "the model engine is missing: no libterse-engine-module.so" "$tmp/studio-nomodule.log" \
    || { cat "$tmp/studio-nomodule.log"; fail "no message for a missing engine module"; }
  kill -0 "$studio" 2>/dev/null || fail "terse-studio exited without its engine module"
  kill "$studio"; wait "$studio" 2>/dev/null || true
  mv "$tmp/module-away" "$tmp/moved/libexec/terse/libterse-engine-module.so"
  echo "app: opens without the engine module and names it"

  "$tmp/moved/bin/terse-studio" --run "$sample" >"$tmp/studio.log" 2>&1 &
  studio=$!
  db="$tmp/data/terse/sessions.sqlite3"
  for _ in $(seq 1 240); do
    if [ -e "$db" ] && "$tmp/moved/bin/terse" sessions show 1 --db "$db" 2>/dev/null | grep -q "llmlingua2"; then
      kill "$studio"; wait "$studio" 2>/dev/null || true
      echo "app: started from the install, compressed the sample and saved the run"
      exit 0
    fi
    kill -0 "$studio" 2>/dev/null || { cat "$tmp/studio.log"; fail "terse-studio exited"; }
    sleep 0.5
  done
  cat "$tmp/studio.log"
  fail "terse-studio saved no run within 120 s"
fi
