#!/usr/bin/env bash
# Runs every test with the real local services they need: a moto server on a
# free loopback port (DynamoDB and Step Functions APIs), stopped on exit even
# when a test fails. Called by `make test`, after `make tools build-host`.
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t moto.XXXXXX.log)
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then echo "moto server did not start:"; cat "$log"; exit 1; fi
  sleep 0.1
done
export MOTO_ENDPOINT="http://127.0.0.1:$port"
echo "moto server on $MOTO_ENDPOINT"

# The whole suite, then the packages whose promises are about concurrency
# again under the race detector.
go test -count=1 -timeout 15m ./...
race_pkgs=$(go list ./internal/... | grep -E '/internal/(asl|store/embedded|store/memory|handler|local|leads|intake|approval|queue)$' || true)
if [ -n "$race_pkgs" ]; then
  go test -count=1 -race -short -timeout 15m $race_pkgs
fi
