#!/usr/bin/env bash
# Figures of the Lambda functions (make bench calls it; needs make tools):
#   - bootstrap sizes for linux/arm64, stripped, as deployed, beside the
#     hello-world bootstrap of internal/rie/testdata/hello;
#   - cold start (emulator process start to first response) and warm
#     invoke of the send function beside hello, under the emulator, against
#     a moto server seeded with the sample;
#   - each function's peak resident memory (VmHWM of the bootstrap) while
#     it serves its events/ sample.
# Set MOTO_ENDPOINT to reuse a running moto server.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== bootstrap sizes (linux/arm64, -s -w, lambda.norpc)"
for dir in functions/*/ internal/rie/testdata/hello/; do
  name=$(basename "$dir")
  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o "$out/$name" "./$dir"
  printf '%-18s %6.1f MB\n' "$name" "$(echo "$(stat -c %s "$out/$name") / 1048576" | bc -l)"
done

echo "== cold start and warm invoke under the emulator (send vs hello)"
go test -run '^$' -bench . -benchtime "${BENCHTIME:-10x}" ./internal/lambdamain/sample | grep -E '^Benchmark'

echo "== peak resident memory per function (first invoke of its sample event)"
FUNCTION_FIGURES="$out/figures.json" go test -count=1 -run TestFunctionsUnderEmulator ./internal/lambdamain/sample >/dev/null
python3 -c 'import json,sys; [print("%-18s %6.1f MB peak RSS, first invoke %6.1f ms" % (f["function"], f["peakRssKb"]/1024, f["invokeMs"])) for f in json.load(open(sys.argv[1]))]' "$out/figures.json"
