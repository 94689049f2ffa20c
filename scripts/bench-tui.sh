#!/usr/bin/env bash
# Measures what the full-screen view costs while a breathing session runs, as recorded in
# docs/PERFORMANCE.md: CPU (% of one core), resident memory, and bytes written to the
# terminal per second, over 30 s of steady state, in a real terminal (tmux).
#
# Usage: scripts/bench-tui.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
cargo build --release --quiet --bin hara
bin=$PWD/target/release/hara
socket=hara-bench-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
tick=$(getconf CLK_TCK)

measure() { # label, width, height, extra args
  local label=$1 w=$2 h=$3; shift 3
  local session=b$RANDOM
  tmux -L "$socket" new-session -d -s "$session" -x "$w" -y "$h" "$bin run box-breathing $*; sleep 5"
  sleep 7 # past the 5 s countdown, into the breathing
  local shell pid
  shell=$(tmux -L "$socket" display -p -t "$session" '#{pane_pid}')
  pid=$(pgrep -P "$shell" | head -n1)
  read -r cpu0 < <(awk '{print $14 + $15}' "/proc/$pid/stat")
  w0=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
  sleep "$seconds"
  read -r cpu1 < <(awk '{print $14 + $15}' "/proc/$pid/stat")
  w1=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  awk -v l="$label" -v c=$((cpu1 - cpu0)) -v t="$tick" -v s="$seconds" -v b=$((w1 - w0)) -v r="$rss" 'BEGIN {
    printf "%-28s CPU %.2f %% of a core, RSS %.1f MB, %.0f bytes/s to the terminal\n",
      l, 100 * c / t / s, r / 1024, b / s }'
  tmux -L "$socket" kill-session -t "$session"
}

echo "box-breathing, ${seconds} s of steady state each:"
measure "120x40 standard view" 120 40
measure "200x60 projection" 200 60 --project
measure "120x40 reduced motion" 120 40 --reduce-motion
