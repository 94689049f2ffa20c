#!/usr/bin/env bash
# Measures hara's timing, as recorded in docs/PERFORMANCE.md.
#
# 1. A real 10-minute session in plain mode with --timing-log: how late each event was
#    delivered on this machine (worst and median).
# 2. An 8-hour session on the manual clock (examples/drift.rs): lateness and drift, in well
#    under a second.
#
# Usage: scripts/bench-timing.sh [--quick]   (--quick runs the real session at 10x speed)
set -euo pipefail
cd "$(dirname "$0")/.."

speed=1
[ "${1:-}" = "--quick" ] && speed=10

cargo build --release --quiet --bin hara --example drift
log=target/bench-timing.tsv

echo "== real clock: scripts/bench-10min.toml at speed $speed (takes $((603 / speed)) s; log in $log)"
./target/release/hara run scripts/bench-10min.toml --plain --speed "$speed" --timing-log "$log" >/dev/null
# Lateness on the session clock is real lateness times the speed.
tail -n +3 "$log" | cut -f3 | sort -g | awk -v speed="$speed" '
  { late[NR] = $1 / speed }
  END {
    printf "%d events; lateness worst %.3f ms, median %.3f ms, 99th percentile %.3f ms\n",
      NR, late[NR], late[int((NR + 1) / 2)], late[int(NR * 0.99 + 0.5)]
  }'

echo "== manual clock: scripts/bench-8h.toml"
./target/release/examples/drift scripts/bench-8h.toml
