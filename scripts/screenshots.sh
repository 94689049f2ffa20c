#!/usr/bin/env bash
# Makes the screenshots in docs/images/ in a real xterm under Xvfb, as a projector shows
# them: 1920×1080 and an 18 pt DejaVu Sans Mono (about 127×35 cells). Run it again after a
# change to the views, and look at every picture it makes.
#
# Needs: xvfb xterm imagemagick fonts-dejavu-core xdotool (Debian packages).
# Usage: scripts/screenshots.sh [OUT_DIR]   (default docs/images)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/images}
mkdir -p "$out"
cargo build --release --quiet --bin hara
bin=$PWD/target/release/hara
display=:97
Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null || true; pkill -f "xterm -class hara-shot" 2>/dev/null || true; rm -rf "$home"' EXIT
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# shot NAME SECONDS KEYS XTERM-ARGS -- HARA-ARGS: starts hara in a maximized xterm, presses
# KEYS (xdotool key names, space separated; "-" for none) once it is up, waits until SECONDS
# after the start, and photographs the whole screen.
shot() {
  local name=$1 at=$2 keys=$3; shift 3
  local xargs=()
  while [ "$1" != "--" ]; do xargs+=("$1"); shift; done
  shift
  HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data \
    XDG_STATE_HOME=$home/state XDG_CACHE_HOME=$home/cache \
    xterm -class hara-shot -maximized -fa 'DejaVu Sans Mono' -fs 18 "${xargs[@]}" \
    -e "$bin" run "$@" --silent --no-journal &
  local term=$!
  local started=$(date +%s.%N)
  sleep 1.5
  if [ "$keys" != "-" ]; then
    local win
    win=$(xdotool search --class hara-shot | head -n1)
    for k in $keys; do xdotool key --window "$win" "$k"; sleep 0.3; done
  fi
  local left
  left=$(awk -v a="$at" -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { d = a - (n - s); print (d > 0 ? d : 0) }')
  sleep "$left"
  import -window root "$out/$name.png"
  kill $term 2>/dev/null || true
  wait $term 2>/dev/null || true
  echo "$out/$name.png"
}

fixture=tests/fixtures/valid/languages.toml
dark=(-bg '#1a1816' -fg '#e8e0d0')
shot session 9 - "${dark[@]}" -- box-breathing
shot projection 9 - "${dark[@]}" -- box-breathing --project
shot projection-german 9 - "${dark[@]}" -- "$fixture" --project
shot projection-japanese 40 - "${dark[@]}" -- "$fixture" --project
# A white-background xterm: the contrast theme makes the whole window black, border too.
shot projection-contrast 9 - -bg white -fg black -- box-breathing --project --theme contrast
# No ghosts: right after a cue change, and after leaving and entering projection.
shot projection-after-cue-change 15 - "${dark[@]}" -- "$fixture" --project
shot projection-after-p-toggle 8 "p p" "${dark[@]}" -- "$fixture" --project
