#!/usr/bin/env bash
# Starts terse-studio under Xvfb with the given arguments, waits, and saves a screenshot of the screen.
# usage: scripts/screenshot.sh OUT.png [seconds] -- [terse-studio arguments]
set -euo pipefail
out=$1; shift
wait=${1:-4}; shift || true
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${TERSE_STUDIO:-$here/build/app/gui/terse-studio}
xvfb-run -a -s "-screen 0 1400x900x24" bash -c "
  '$bin' $* &
  pid=\$!
  sleep $wait
  import -window root '$out'
  kill \$pid
"
echo "saved $out"
