#!/usr/bin/env bash
# Measures the room display under load, as recorded in docs/PERFORMANCE.md: a teacher's
# full-screen run (in tmux) shares on a loopback port, VIEWERS event streams follow it for
# SECONDS of steady state, then the teacher pauses and resumes once. Reports hara's CPU (% of
# one core, from /proc/PID/task/*/schedstat: the whole process, and the room display's own
# threads) and resident memory without viewers and with them, and how long the pause and the
# resume took to reach the first and the last stream.
#
# Usage: scripts/bench-share.sh [VIEWERS] [SECONDS]     (defaults: 300 60)
# Traffic stays on 127.0.0.1, bounded in count and time (examples/share-viewers.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
viewers=${1:-300}
seconds=${2:-60}
cargo build --release --quiet --bin hara --example share-viewers
bin=$PWD/target/release/hara
client=$PWD/target/release/examples/share-viewers
socket=hara-bench-share-$$
home=$(mktemp -d)
out=$home/viewers.txt
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$home"' EXIT

cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%d", t }'; }
# The room display's threads only: its server (hara-share) and tokio's blocking pool.
share_ns() {
  local t sum=0
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm") in hara-share | tokio-*) sum=$((sum + $(awk '{ print $1 }' "$t/schedstat"))) ;; esac
  done
  echo "$sum"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }
percent() { awk -v c="$1" -v s="$2" 'BEGIN { printf "%.2f", 100 * c / 1e9 / s }'; }

tmux -L "$socket" new-session -d -s b -x 120 -y 40 \
  "env HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_STATE_HOME=$home/state \
   $bin run box-breathing --no-journal --share 127.0.0.1:0; sleep 5"
addr=
for _ in $(seq 100); do
  addr=$(tmux -L "$socket" capture-pane -p -J -t b | grep -o 'http://127\.0\.0\.1:[0-9]*' | head -n1 || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "hara did not print the room's address"; exit 1; }
addr=${addr#http://}
tmux -L "$socket" send-keys -t b Enter
shell=$(tmux -L "$socket" display -p -t b '#{pane_pid}')
pid=$(pgrep -P "$shell" | head -n1)
sleep 8 # past the 5 s countdown, into the breathing

# Without viewers: the full-screen view and an idle server.
quiet=20
c0=$(cpu_ns "$pid"); s0=$(share_ns "$pid"); sleep "$quiet"; c1=$(cpu_ns "$pid"); s1=$(share_ns "$pid")
rss0=$(rss_kb "$pid")

# With viewers: steady state, then a pause and a resume.
"$client" "$addr" "$viewers" $((seconds + 20)) >"$out" &
client_pid=$!
for _ in $(seq 300); do grep -qs '^connected' "$out" && break; sleep 0.1; done
grep '^connected' "$out"
c2=$(cpu_ns "$pid"); s2=$(share_ns "$pid")
sleep "$seconds"
c3=$(cpu_ns "$pid"); s3=$(share_ns "$pid")
rss1=$(rss_kb "$pid")
pause_at=$(now_ms); tmux -L "$socket" send-keys -t b Space
sleep 4
resume_at=$(now_ms); tmux -L "$socket" send-keys -t b Space
wait "$client_pid"

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "box-breathing, full-screen view in tmux, room display on $addr:"
echo "  no viewers (${quiet} s):   whole process CPU $(percent $((c1 - c0)) "$quiet") % of a core, room display threads $(percent $((s1 - s0)) "$quiet") %, RSS $(mb "$rss0") MB"
echo "  $viewers viewers (${seconds} s): whole process CPU $(percent $((c3 - c2)) "$seconds") % of a core, room display threads $(percent $((s3 - s2)) "$seconds") %, RSS $(mb "$rss1") MB ($(awk -v a="$rss1" -v b="$rss0" 'BEGIN { printf "%+.1f", (a - b) / 1024 }') MB)"
# The state messages after each key: the first after the key is its change.
awk -v p="$pause_at" -v r="$resume_at" -v n="$viewers" '
  /^state/ { first = $(NF-4); last = $(NF-2); streams = $NF
    if (!pd && first >= p && (r == 0 || first < r)) { pd = 1; printf "  pause reached the first stream %.1f ms and the last (%d of %d) %.1f ms after the key\n", first - p, streams, n, last - p }
    else if (!rd && first >= r) { rd = 1; printf "  resume reached the first stream %.1f ms and the last (%d of %d) %.1f ms after the key\n", first - r, streams, n, last - r } }
  /^received/ { print "  " $0 }' "$out"
