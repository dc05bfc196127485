#!/usr/bin/env bash
# `make bench`: every figure the README quotes, measured on this machine.
# Speed is measured here, never asserted in a test. Each part can be run on
# its own: the Go micro-benchmarks below, scripts/bench-functions.sh (the
# Lambda functions under the emulator) and scripts/bench-local.sh (the
# local runtime at 100,000 contacts). BENCH_QUICK=1 skips the last two.
set -euo pipefail
cd "$(dirname "$0")/.."

# gobench PKG PATTERN: run one benchmark on one core, print its lines.
gobench() {
  go test -run '^$' -bench "$2" -benchtime "${BENCHTIME:-2s}" -cpu 1 -count 1 "$1" | grep -E '^Benchmark'
}

echo "== interpreter (internal/asl): 10-state machine, one core"
gobench ./internal/asl '^BenchmarkTenStates$'
echo
echo "== content (internal/content): personalised emails (3 blocks, 10 variables, 10 links), one core"
gobench ./internal/content '^BenchmarkRenderEmail$'
echo
echo "== validate + compile the largest example journey, one core"
gobench ./internal/compile '^BenchmarkValidateCompile$'
echo
echo "== CEL condition over a contact with 50 interactions, one core"
gobench ./internal/segment '^BenchmarkEval$'
echo
echo "== webhooks: Standard Webhooks verify, LinkedIn notification receive, one core"
gobench ./internal/webhook '^BenchmarkVerify$'
gobench ./internal/linkedin '^BenchmarkReceive$'
echo
echo "== stores: memory and embedded (bbolt, no fsync), one core"
gobench ./internal/store/memory '^BenchmarkContact(Get|Upsert)'
gobench ./internal/store/embedded '^Benchmark(ContactUpsert|EnrolmentCreate)$'

if [ -n "${BENCH_QUICK:-}" ]; then exit 0; fi
echo
scripts/bench-functions.sh
echo
scripts/bench-local.sh
