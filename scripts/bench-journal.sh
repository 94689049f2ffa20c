#!/usr/bin/env bash
# Measures the journal's readers on a 200 MB journal (1.29 million entries, 5,000 titles, a
# year of days): `hara stats` (text and --json), `hara log`, `hara export`, and the journal
# view (`hara journal`, in tmux, until its first screen is up), with a release build: wall
# time and peak memory. Nothing here is a test: tests/journal.rs asserts what the view keeps
# (counts and sizes); this script reports what reading costs on this machine.
#
# Usage: scripts/bench-journal.sh [HARA]   (default: builds and uses target/release/hara)
# Needs python3 (to write the journal), GNU time (/usr/bin/time) and tmux.
set -euo pipefail
cd "$(dirname "$0")/.."

hara=${1:-}
if [ -z "$hara" ]; then
  cargo build --release --quiet --bin hara
  hara=$PWD/target/release/hara
fi
hara=$(realpath "$hara")

work=$(mktemp -d)
trap 'tmux -L hara-bench-journal kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/config XDG_DATA_HOME=$work/home/data
export XDG_STATE_HOME=$work/home/state XDG_CACHE_HOME=$work/home/cache
export HARA_JOURNAL=$work/big.jsonl NO_COLOR=1 TZ=Europe/Berlin
unset HARA_CONFIG
mkdir -p "$HOME"

# The same journal as scripts/bench-hostile.sh (case 5): entries over the eleven months
# before the end of November 2026.
python3 - <<'PY'
import json
mib = 1024 * 1024
with open("big.jsonl", "w") as f:
    size, n = 0, 0
    while size < 200 * mib:
        e = {"start": "2026-%02d-%02dT07:%02d:00+01:00" % (1 + n % 11, 1 + n % 28, n % 60),
             "title": "Session %d" % (n % 5000), "source": "builtin:hara-breathing",
             "planned_s": 600, "practised_s": 540, "completed": n % 3 != 0, "steps": 5,
             "note": "a note about how it went, number %d" % n}
        line = json.dumps(e) + "\n"
        f.write(line)
        size += len(line)
        n += 1
PY
printf 'journal: %s bytes, %s entries\n' "$(wc -c <big.jsonl)" "$(wc -l <big.jsonl)"

measure() {
  local label=$1
  shift
  local status=0
  /usr/bin/time -f '%e %M' -o time.txt "$@" >out.txt 2>err.txt </dev/null || status=$?
  read -r secs kb < <(tail -n 1 time.txt)
  printf '%-28s %7.2f s %8d KB  exit %d\n' "$label" "$secs" "$kb" "$status"
}

measure "stats" "$hara" stats
measure "stats --json --weeks 52" "$hara" stats --json --weeks 52
measure "log" "$hara" log
measure "export --csv" "$hara" export --csv

# The view: started under GNU time in a terminal; once its first screen shows, q closes it.
# The time includes waiting for the screen to be seen (polled every 0.1 s).
tmux -L hara-bench-journal new-session -d -x 120 -y 40 \
  "/usr/bin/time -f '%e %M' -o $work/view.txt $hara journal; sleep 30"
for _ in $(seq 600); do
  if tmux -L hara-bench-journal capture-pane -p | grep -q "a year of days"; then break; fi
  sleep 0.1
done
tmux -L hara-bench-journal send-keys q
for _ in $(seq 100); do [ -s view.txt ] && break; sleep 0.1; done
read -r secs kb < <(tail -n 1 view.txt)
printf '%-28s %7.2f s %8d KB  (until q, first screen included)\n' "journal view" "$secs" "$kb"
