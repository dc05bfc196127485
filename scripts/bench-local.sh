#!/usr/bin/env bash
# The local runtime's figures, for `make bench`:
#   1. a simulation of SIM_CONTACTS (100,000) contacts through the welcome
#      journey over 30 virtual days with scripted opens, clicks and
#      approvals (wall time, contacts per second, peak RSS);
#   2. the dev server's memory with WAITING (100,000) contacts waiting in
#      the welcome journey, data in the embedded store on disk;
#   3. executions per second of 10,000 contacts through each compiled
#      example journey on the engine alone (the largest is quoted).
# Speed is measured, never asserted. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
SIM_CONTACTS=${SIM_CONTACTS:-100000}
WAITING=${WAITING:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o build/journeys ./cmd/journeys

echo "== journeys run welcome: $SIM_CONTACTS contacts, 30 virtual days"
build/journeys run welcome --generate "$SIM_CONTACTS" --until 30d \
  --events internal/local/sim/testdata/welcome.events.yaml >"$tmp/run.out" 2>"$tmp/run.err"
sim=$(grep '^simulated' "$tmp/run.err")
echo "$sim"
grep -E '^(at the end|goal)' "$tmp/run.out"

echo "== dev server with $WAITING contacts waiting in the welcome journey"
go test ./internal/local/devserver -run '^$' -bench '^BenchmarkWaiting$' -benchtime 1x -timeout 60m \
  -waiting "$WAITING" >"$tmp/dev.out"
dev=$(grep '^BenchmarkWaiting' "$tmp/dev.out")
echo "$dev"

echo "== the engine: 10,000 contacts through each compiled example journey"
go test ./internal/local -run '^$' -bench '^BenchmarkExampleJourneys$' -benchtime 1x -timeout 30m >"$tmp/engine.out"
grep '^BenchmarkExampleJourneys' "$tmp/engine.out"
largest=$(grep '^BenchmarkExampleJourneys' "$tmp/engine.out" | sed -E 's/.*states=([0-9]+)-[0-9]+ .*/\1 &/' | sort -n | tail -1 | cut -d' ' -f2-)

metric() { # metric LINE UNIT: the number before UNIT in a benchmark line
  echo "$1" | grep -oE "[0-9.]+ $2" | cut -d' ' -f1
}
echo
echo "== local runtime figures"
printf '%-58s %s\n' "simulation, welcome, $SIM_CONTACTS contacts, 30 days:" "$(echo "$sim" | sed -E 's/^simulated [0-9]+ contacts over 30d in //')"
printf '%-58s %s MiB heap, %s MiB peak RSS; at the end %s MiB anonymous + %s MiB of mapped store file (%s waiting)\n' \
  "dev server, $WAITING contacts waiting:" "$(metric "$dev" heap-MB)" "$(metric "$dev" peak-RSS-MB)" \
  "$(metric "$dev" anon-RSS-MB)" "$(metric "$dev" file-RSS-MB)" "$(metric "$dev" waiting)"
printf '%-58s %s B of heap as enrolled, %s B once restored after a restart, %s B of store file\n' \
  "dev server, per waiting execution:" "$(metric "$dev" heap-B/waiting)" "$(metric "$dev" restored-heap-B/waiting)" \
  "$(metric "$dev" store-B/waiting)"
printf '%-58s %s MiB peak RSS\n' "dev server restarted with them waiting (restored):" "$(metric "$dev" restored-peak-RSS-MB)"
printf '%-58s %s executions/s (%s)\n' "engine, 10,000 contacts, largest example journey:" \
  "$(metric "$largest" executions/s)" "$(echo "$largest" | sed -E 's/^BenchmarkExampleJourneys\/([^ ]+)-[0-9]+ .*/\1/')"
