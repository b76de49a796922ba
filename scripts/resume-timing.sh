#!/bin/bash
# Times a resume: from the command to the first status line that counts live events.
#
#   scripts/resume-timing.sh BINARY KILLED.sqlite
#
# KILLED.sqlite is a workspace whose recording engine was killed with -9 (its -wal beside
# it). It is copied first (a resume appends to the run), then
# `BINARY serve --workspace COPY --resume` runs until events flow, and is stopped.
set -euo pipefail
bin=$(readlink -f "$1")
orig=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$orig" "$dir/w.sqlite"
[ -f "$orig-wal" ] && cp "$orig-wal" "$dir/w.sqlite-wal"
sync
log="$dir/serve.log"
start=$(date +%s.%N)
"$bin" serve --workspace "$dir/w.sqlite" --resume --listen "unix:$dir/s.sock" --log-every 1 > "$log" 2>&1 &
pid=$!
until grep -q "running · [1-9][0-9]* events" "$log"; do
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
end=$(date +%s.%N)
peak=$(grep VmHWM /proc/$pid/status | awk '{print $2}')
kill -INT $pid; wait $pid || true
echo "live after $(echo "$end - $start" | bc) s, peak resident $((peak / 1024)) MiB"
