#!/usr/bin/env bash
# Measures what the full-screen view costs while a breathing session runs, as recorded in
# docs/PERFORMANCE.md: CPU (% of one core), resident memory, and bytes written to the
# terminal per second, over 30 s of steady state, in a real terminal (tmux).
#
# Spoken guidance: start-up of a speaking session with the speech cache cold (every start in
# a new, empty cache: eSpeak NG runs in the background as the view starts) and warm, and the
# CPU of a speaking session between its words against the same session with --no-speak.
#
# Usage: scripts/bench-tui.sh [SECONDS] [speech]   ("speech": only the spoken-guidance cases)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
only=${2:-}
# What is run (a session name or file), how long to wait before measuring, and the speech
# cache: SESSION, WAIT, CACHE (a folder), or COLD_CACHE=1 for a new empty one each start.
SESSION=box-breathing WAIT=7 CACHE= COLD_CACHE=
cargo build --release --quiet --bin hara
bin=$PWD/target/release/hara
socket=hara-bench-$$
# On any exit: the terminals, and the private sound server if one was started.
trap 'tmux -L "$socket" kill-server 2>/dev/null || true
  [ -n "${runtime:-}" ] && XDG_RUNTIME_DIR=$runtime pulseaudio --kill 2>/dev/null || true' EXIT
runtime=
# A session that outlives the measured ones, so the tmux server is not exiting (as it does
# when its last session ends) just as the next one starts.
keep_server() { tmux -L "$socket" new-session -d -s keep "sleep 100000"; }
keep_server
# CPU time in nanoseconds, summed over the process's threads (schedstat is exact, unlike
# the 10 ms ticks of /proc/PID/stat).
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%d", t }'; }

# The environment a run gets: the sound server's, and the speech cache's.
run_env() {
  local cache=$CACHE
  [ -n "$COLD_CACHE" ] && cache=$(mktemp -d)
  printf 'XDG_RUNTIME_DIR=%s PULSE_CLIENTCONFIG=%s %s' "${XDG_RUNTIME_DIR:-}" \
    "${PULSE_CLIENTCONFIG:-}" "${cache:+XDG_CACHE_HOME=$cache}"
}

measure() { # label, width, height, extra args
  local label=$1 w=$2 h=$3; shift 3
  local session=b$RANDOM
  tmux -L "$socket" new-session -d -s "$session" -x "$w" -y "$h" \
    "$(run_env) $bin run $SESSION --no-journal $*; sleep 5"
  sleep "$WAIT" # past the 5 s countdown, into the breathing
  local shell pid
  shell=$(tmux -L "$socket" display -p -t "$session" '#{pane_pid}')
  pid=$(pgrep -P "$shell" | head -n1)
  cpu0=$(cpu_ns "$pid")
  w0=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
  sleep "$seconds"
  cpu1=$(cpu_ns "$pid")
  w1=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  awk -v l="$label" -v c=$((cpu1 - cpu0)) -v s="$seconds" -v b=$((w1 - w0)) -v r="$rss" 'BEGIN {
    printf "%-28s CPU %.2f %% of a core, RSS %.1f MB, %.0f bytes/s to the terminal\n",
      l, 100 * c / 1e9 / s, r / 1024, b / s }'
  tmux -L "$socket" kill-session -t "$session"
}

# Start-up: from exec to the first frame on the terminal (the first write of more than 200
# bytes to stdout), from strace's timestamps; the median of 10 starts.
startup() { # label, extra args
  local label=$1; shift
  local times=()
  for i in $(seq 10); do
    local log session=s$RANDOM
    log=$(mktemp)
    tmux -L "$socket" new-session -d -s "$session" -x 120 -y 40 \
      "$(run_env) strace -f --seccomp-bpf -ttt -e trace=execve,write -s 0 -o $log $bin run $SESSION --no-journal $*"
    for _ in $(seq 100); do
      grep -qE 'write\(1, .*= [0-9]{3,}' "$log" 2>/dev/null && break
      sleep 0.05
    done
    tmux -L "$socket" kill-session -t "$session"
    times+=("$(awk '/execve\(/ && !t { t = $2 } /write\(1, / && $NF > 200 && !f { f = $2 } END { printf "%.1f", (f - t) * 1000 }' "$log")")
    rm -f "$log"
  done
  printf '%-28s start-up to the first frame: median %s ms (10 starts: %s)\n' "$label" \
    "$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (a[5] + a[6]) / 2 }')" "${times[*]}"
}

# A speaking session: its start-up with the cache cold and warm, and its CPU between words.
speech() {
  local spoken=$PWD/scripts/bench-speech.toml warm
  warm=$(mktemp -d)
  XDG_CACHE_HOME=$warm "$bin" render "$spoken" -o "$warm/warm.wav" >/dev/null
  SESSION=$spoken COLD_CACHE=1 startup "speaking, cache cold$1"
  SESSION=$spoken CACHE=$warm startup "speaking, cache warm$1"
  echo "scripts/bench-speech.toml, from 12 s (its words are over by 10 s), ${seconds} s each:"
  SESSION=$spoken CACHE=$warm WAIT=17 measure "120x40 speaking, between words" 120 40
  SESSION=$spoken CACHE=$warm WAIT=17 measure "120x40 the same, --no-speak" 120 40 --no-speak
}

if [ "$only" != speech ]; then
  startup "--silent" --silent
  startup "sound (no server)"
  echo "box-breathing, ${seconds} s of steady state each:"
  measure "120x40 standard view" 120 40
  measure "200x60 projection" 200 60 --project
  measure "120x40 reduced motion" 120 40 --reduce-motion
fi
if ! command -v pulseaudio >/dev/null; then
  speech " (no server)"
else
  # With a sound device: a private PulseAudio null sink, so bells and breath tones play.
  runtime=$(mktemp -d)
  export XDG_RUNTIME_DIR=$runtime PULSE_CLIENTCONFIG=$runtime/client.conf
  printf 'autospawn = no\n' >"$PULSE_CLIENTCONFIG"
  pulseaudio -n --daemonize=yes --exit-idle-time=-1 -L "module-null-sink sink_name=nullsink rate=48000" \
    -L module-native-protocol-unix 2>/dev/null
  tmux -L "$socket" kill-server 2>/dev/null || true
  sleep 1
  keep_server
  if [ "$only" != speech ]; then
    startup "sound (PulseAudio)"
    measure "120x40 with sound playing" 120 40
  fi
  speech " (PulseAudio)"
  pulseaudio --kill 2>/dev/null || true
  unset XDG_RUNTIME_DIR PULSE_CLIENTCONFIG
fi
