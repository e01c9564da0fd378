#!/usr/bin/env bash
# Builds Dusk in release mode and runs a benchmark suite, writing bench/results/<suite>.md.
#   bench/run.sh main-job [--rows N] [--runs N]
# Suites: main-job (the README's question on the demo trips; Dusk vs raw DataFusion),
# h2o-groupby[-na5] (db-benchmark's 10 groupby questions; Dusk vs DataFusion, DuckDB,
# Polars, pandas, Dask), tiny (CI: small data, Dusk and DataFusion, answers checked).
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-main-job}"
shift || true
case "$suite" in
  main-job)
    cargo build --release -q -p dusk-bench
    target/release/dusk-bench main-job --out "bench/results/$suite.md" "$@"
    ;;
  h2o-groupby|h2o-groupby-na5)
    cargo build --release -q -p dusk-bench
    [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q duckdb polars pandas pyarrow "dask[dataframe]" datafusion numpy
    na=0; [ "$suite" = h2o-groupby-na5 ] && na=5
    bench/.venv/bin/python bench/h2o.py --na "$na" --dusk target/release/dusk-bench "$@"
    ;;
  tiny)
    # CI's check that the harness still works: small data, Dusk and raw DataFusion only,
    # answers compared; a debug build is enough.
    cargo build -q -p dusk-bench
    [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q pyarrow numpy datafusion
    bench/.venv/bin/python bench/h2o.py --rows 20000 --engines dusk,datafusion --runs 1 --suffix=-tiny \
      --dusk "${CARGO_TARGET_DIR:-target}/debug/dusk-bench" "$@"
    ;;
  *)
    echo "unknown suite '$suite'; available: main-job, h2o-groupby, h2o-groupby-na5, tiny" >&2
    exit 2
    ;;
esac
