#!/usr/bin/env bash
# Builds Dusk in release mode and runs a benchmark suite, writing bench/results/<suite>.md.
#   bench/run.sh main-job [--rows N] [--runs N]
# Suites: main-job (the README's question on the demo trips; Dusk vs raw DataFusion).
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-main-job}"
shift || true
case "$suite" in
  main-job)
    cargo build --release -q -p dusk-bench
    target/release/dusk-bench --out "bench/results/$suite.md" "$@"
    ;;
  *)
    echo "unknown suite '$suite'; available: main-job" >&2
    exit 2
    ;;
esac
