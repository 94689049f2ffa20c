#!/usr/bin/env bash
# The sound figures in docs/PERFORMANCE.md: onsets at a PulseAudio null sink (idle, with a CPU
# hog on both cores, and with the stream paused between sparse knocks), what sound costs in
# the full-screen view, rendering (memory and speed), and the limiter under ten strikes.
#
# Usage: scripts/bench-sound.sh [--quick]   (--quick skips the two 3-minute onset runs)
# Needs: pulseaudio, pulseaudio-utils, libasound2-plugins, sox, tmux, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}
cargo build --release --quiet --bin hara
bin=$PWD/target/release/hara
work=$(mktemp -d)
socket=hara-bench-sound-$$
hogs=()
cleanup() {
  for h in "${hogs[@]}"; do kill "$h" 2>/dev/null || true; done
  tmux -L "$socket" kill-server 2>/dev/null || true
  XDG_RUNTIME_DIR=$work pulseaudio --kill 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A private PulseAudio with a null sink; clients never start a server of their own.
export XDG_RUNTIME_DIR=$work PULSE_CLIENTCONFIG=$work/client.conf
printf 'autospawn = no\n' >"$PULSE_CLIENTCONFIG"
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_STATE_HOME=$work/state
pulseaudio -n --daemonize=yes --exit-idle-time=-1 \
  -L "module-null-sink sink_name=nullsink rate=48000" -L module-native-protocol-unix 2>/dev/null
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done

planned() { # session -> planned bell onsets in seconds, one a line
  "$bin" show "$1" --json | python3 -c '
import json, sys
t = json.load(sys.stdin)
for e in t["events"]:
    if e["event"] == "bell":
        print((t["prepare_ms"] + e["at_ms"]) / 1000)'
}

onsets() { # label, session
  local label=$1 session=$2
  echo "== onsets: $label ($session)"
  # The recorder at a higher priority (where allowed): starved by the hog, it lost sound and
  # made onsets look late that hara had placed right.
  nice -n -10 parec -d nullsink.monitor --format=float32le --rate=48000 --channels=1 >"$work/capture.raw" &
  local rec=$!
  sleep 0.5
  HARA_SOUND_STATS=$work/stats "$bin" run "$session" --plain --no-journal >/dev/null
  sleep 0.5
  kill "$rec"; wait "$rec" 2>/dev/null || true
  echo "hara: $(cat "$work/stats")"
  planned "$session" | python3 scripts/onsets.py "$work/capture.raw" || true
}

if [ "$quick" != --quick ]; then
  onsets "idle machine" scripts/bench-sound.toml
  yes >/dev/null & hogs+=($!)
  yes >/dev/null & hogs+=($!)
  onsets "a CPU hog (yes) on each of the 2 cores" scripts/bench-sound.toml
  kill "${hogs[@]}"; hogs=()
fi
onsets "stream paused between knocks 10 s apart" scripts/bench-sound-sparse.toml

# CPU time summed over the process's threads (schedstat, ns), and its wake-ups (context
# switches) over a window of the run.
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%d", t }'; }
switches() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ { n += $2 } END { printf "%d", n }'; }
cost() { # label, seconds to wait first, seconds to measure, session and flags
  local label=$1 wait=$2 seconds=$3; shift 3
  local s=c$RANDOM
  socket=hara-bench-sound-$$-$s # a server of its own each time: no race with one shutting down
  tmux -L "$socket" new-session -d -s "$s" -x 120 -y 40 \
    "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR PULSE_CLIENTCONFIG=$PULSE_CLIENTCONFIG XDG_CONFIG_HOME=$XDG_CONFIG_HOME $bin run $* --no-journal; sleep 5"
  sleep "$wait"
  local shell pid
  shell=$(tmux -L "$socket" display -p -t "$s" '#{pane_pid}')
  pid=$(pgrep -P "$shell" | head -n1)
  local c0 w0 c1 w1 rss
  c0=$(cpu_ns "$pid"); w0=$(switches "$pid")
  sleep "$seconds"
  c1=$(cpu_ns "$pid"); w1=$(switches "$pid")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  awk -v l="$label" -v c=$((c1 - c0)) -v s="$seconds" -v w=$((w1 - w0)) -v r="$rss" 'BEGIN {
    printf "%-44s CPU %.3f %% of a core, %.1f wake-ups/s, RSS %.1f MiB\n", l, 100 * c / 1e9 / s, w / s, r / 1024 }'
  tmux -L "$socket" kill-server
}
echo "== cost in the full-screen view, 120x40"
cost "box-breathing, tones and bells (30 s)" 7 30 box-breathing --reduce-motion
cost "box-breathing --silent (30 s)" 7 30 box-breathing --reduce-motion --silent
cost "silent sit, nothing due (10 s)" 8 10 scripts/bench-sit.toml
cost "silent sit --silent (10 s)" 8 10 scripts/bench-sit.toml --silent
# A sound bed keeps the stream playing (it never goes quiet): its cost is the line less the
# silent sit's with sound open.
cost "silent sit with a bed: surf (20 s)" 8 20 scripts/bench-bed.toml
cost "silent sit with a bed: rain (20 s)" 8 20 scripts/bench-bed-rain.toml

# The floor under those RSS figures: a program that does nothing but play a sine through the
# same stack with hara's stream settings (examples/sound-floor.rs).
cargo build --release --quiet --example sound-floor
target/release/examples/sound-floor 6 & floor=$!
sleep 4
printf '%-44s RSS %.1f MiB\n' "a sine through the same stack, nothing else" \
  "$(awk '/^VmRSS/ {print $2 / 1024}' "/proc/$floor/status")"
wait "$floor" || echo "(the sine's stream broke: the figure may be low)"

echo "== render: memory and speed"
for session in group-sitting scripts/bench-3h.toml; do
  /usr/bin/time -f "max RSS %M KiB" -o "$work/time" "$bin" render "$session" -o "$work/out.wav" --force
  cat "$work/time"
done
"$bin" render box-breathing -o "$work/full.wav" --force --volume 100 >/dev/null
"$bin" render box-breathing -o "$work/ten.wav" --force --volume 10 >/dev/null
a=$(sox "$work/full.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
b=$(sox "$work/ten.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
awk -v a="$a" -v b="$b" 'BEGIN { printf "--volume 10 against --volume 100: %.1f dB\n", 20 * log(b / a) / log(10) }'

echo "== ten bowls within 2 s (render)"
"$bin" render scripts/bench-ten-bowls.toml -o "$work/ten-bowls.wav" --force --volume 100 >/dev/null
sox "$work/ten-bowls.wav" "$work/busy.wav" trim 0.5 4.5
all=$(sox "$work/busy.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
high=$(sox "$work/busy.wav" -n sinc 4k stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
peak=$(sox "$work/ten-bowls.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
awk -v a="$all" -v h="$high" -v p="$peak" 'BEGIN {
  printf "peak %.1f dBFS; above 4 kHz %.1f dBFS, %.1f dB below the signal\n",
    20 * log(p) / log(10), 20 * log(h) / log(10), 20 * log(h / a) / log(10) }'
