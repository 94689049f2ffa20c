#!/usr/bin/env bash
# Runs the whole test suite while a CPU hog keeps every core busy, as a loaded laptop or a
# shared CI machine would: tests must wait for readiness, never for a fixed time, and carry
# no wall-clock budgets. Run it before resolving anything timing-related.
#
# Usage: scripts/test-under-load.sh [cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --no-run --quiet
cores=$(nproc)
hogs=()
for _ in $(seq "$cores"); do
  # A busy loop in a shell of its own: pure CPU, no I/O.
  sh -c 'while :; do :; done' &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null || true' EXIT
echo "running cargo test with $cores busy loops beside it"
cargo test "$@"
