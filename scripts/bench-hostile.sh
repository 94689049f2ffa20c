#!/usr/bin/env bash
# Measures hara on the hostile inputs of issue 11 (docs/limits.md): time and peak memory of
# each reproduction, with a release build. Nothing here is a test: the tests (tests/hostile.rs)
# assert bounded work; this script reports what that work costs on this machine.
#
# Usage: scripts/bench-hostile.sh [HARA]   (default: builds and uses target/release/hara)
# BENCH_TIMEOUT (seconds, default 300) ends any one command that runs longer: an older hara
# takes minutes on some of these, or never ends (exit 124 in the table).
#
# Needs python3 (to write the files) and GNU time (/usr/bin/time) for peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."

hara=${1:-}
if [ -z "$hara" ]; then
  cargo build --release --quiet --bin hara
  hara=$PWD/target/release/hara
fi
hara=$(realpath "$hara")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# A home of its own: nothing of the user's is read or written.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/config XDG_DATA_HOME=$work/home/data
export XDG_STATE_HOME=$work/home/state XDG_CACHE_HOME=$work/home/cache
export HARA_JOURNAL=$work/journal.jsonl NO_COLOR=1
unset HARA_CONFIG
mkdir -p "$HOME"

python3 - <<'EOF'
import json
mib = 1024 * 1024
def write(name, text):
    open(name, "w").write(text[: mib - 100])
# 1. one line of 40,000 ESC [ pairs (the issue's reproduction), and 1 MiB shapes
write("q.toml", 'title="x"\n[[step]]\nduration="' + "\x1b[" * 40000 + '"\n')
write("esc-1m.toml", 'title="x"\n[[step]]\nduration="' + "\x1b[" * (mib // 2) + '"\n')
write("lines-1m.toml", 'title="x"\n[[step]]\nduration=1\n' + "a\n" * (mib // 2))
write("equals-1m.toml", 'title="x"\n[[step]]\nduration=1\n' + "=\n" * (mib // 2))
write("dups-1m.toml", 'title="x"\n[[step]]\nduration=1\n' + "a=1\n" * (mib // 4))
write("keys-1m.toml", 'title="x"\n[[step]]\nduration=1\n' + "".join("k%d=1\n" % i for i in range(200000)))
# 2. a ramp of 1 ms phases, and 430 such steps
ramp = 'breath={from="0.001-0-0.001-0",to="0.002-0-0.002-0"}\n'
write("ramp.toml", 'title="r"\n[[step]]\nduration="1s"\n' + ramp)
write("ramps.toml", 'title="r"\n' + "".join('[[step]]\nduration="%dm"\n' % (1 + i % 3) + ramp for i in range(430)))
# 4. a journal entry with a 70,000-character title
entry = {"start": "2026-11-02T07:30:00+01:00", "title": "T" * 70000, "source": "x",
         "planned_s": 60, "practised_s": 60, "completed": True, "steps": 1}
open("long-title.jsonl", "w").write(json.dumps(entry) + "\n")
# 5. a 200 MB journal
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
EOF

# Runs a command; prints its wall time, peak memory, exit status and bytes of output.
measure() {
  local label=$1
  shift
  local status=0
  /usr/bin/time -f '%e %M' -o time.txt timeout "${BENCH_TIMEOUT:-300}" "$@" \
    >out.txt 2>err.txt </dev/null || status=$?
  read -r secs kb < <(tail -n 1 time.txt)
  printf '%-44s %7.2f s %8d KB  exit %3d  %9d bytes out\n' "$label" "$secs" "$kb" "$status" \
    "$(($(wc -c <out.txt) + $(wc -c <err.txt)))"
}

echo "== 1. diagnostics (hara check)"
for f in q esc-1m lines-1m equals-1m dups-1m keys-1m; do
  measure "check $f.toml" "$hara" check "$f.toml"
done
mkdir -p "$XDG_CONFIG_HOME/hara/sessions"
cp lines-1m.toml "$XDG_CONFIG_HOME/hara/sessions/"
measure "list (with lines-1m.toml)" "$hara" list
rm "$XDG_CONFIG_HOME/hara/sessions/lines-1m.toml"

echo "== 2. ramps"
for fit in 10m 1h 6h; do
  measure "run --fit $fit ramp.toml" "$hara" run --plain --silent --no-journal --fit "$fit" ramp.toml
done
measure "check ramps.toml (430 steps)" "$hara" check ramps.toml

echo "== 3. files that are not regular files (each must end at once, exit 1)"
mkfifo fifo.toml fifo.jsonl
measure "check fifo.toml" timeout 10 "$hara" check fifo.toml
measure "HARA_CONFIG=fifo list" env HARA_CONFIG="$work/fifo.toml" timeout 10 "$hara" list
measure "HARA_CONFIG=/dev/zero list" env HARA_CONFIG=/dev/zero timeout 10 "$hara" list
measure "--journal fifo log" timeout 10 "$hara" --journal fifo.jsonl log
truncate -s 2G sparse.toml
measure "HARA_CONFIG=2 GB sparse file list" env HARA_CONFIG="$work/sparse.toml" timeout 20 "$hara" list
rm sparse.toml

echo "== 4. a 70,000-character title in the journal"
measure "stats" "$hara" --journal long-title.jsonl stats

echo "== 5. a 200 MB journal"
measure "stats" "$hara" --journal big.jsonl stats
measure "log" "$hara" --journal big.jsonl log
measure "export --csv" "$hara" --journal big.jsonl export --csv
