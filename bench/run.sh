#!/usr/bin/env bash
# Builds Dusk in release mode and runs a benchmark suite, writing bench/results/<suite>.md.
#   bench/run.sh main-job [--rows N] [--runs N]
# Suites: main-job (the README's question on the demo trips; Dusk vs raw DataFusion),
# h2o-groupby[-na5] (db-benchmark's 10 groupby questions; Dusk vs DataFusion, DuckDB,
# Polars, pandas, Dask), tpch-sf1 (the 22 TPC-H queries; Dusk in-process and on a local
# cluster of one scheduler and two executors, DataFusion, DuckDB), tiny (CI: small data,
# Dusk, a Dusk cluster and DataFusion, answers checked).
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-main-job}"
release="${CARGO_TARGET_DIR:-target}/release"
shift || true
case "$suite" in
  main-job)
    cargo build --release -q -p dusk-bench
    "$release/dusk-bench" main-job --out "bench/results/$suite.md" "$@"
    ;;
  h2o-groupby|h2o-groupby-na5)
    cargo build --release -q -p dusk-bench
    [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q duckdb polars pandas pyarrow "dask[dataframe]" datafusion numpy
    na=0; [ "$suite" = h2o-groupby-na5 ] && na=5
    bench/.venv/bin/python bench/h2o.py --na "$na" --dusk "$release/dusk-bench" "$@"
    ;;
  tpch-sf1)
    cargo build --release -q -p dusk-bench -p dusk-cli
    [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q duckdb pyarrow numpy datafusion
    bench/.venv/bin/python bench/tpch.py --scale 1 --dusk-bench "$release/dusk-bench" --dusk "$release/dusk" "$@"
    ;;
  tiny)
    # CI's check that the harness still works: small data, Dusk and raw DataFusion only,
    # answers compared; a debug build is enough.
    cargo build -q -p dusk-bench -p dusk-cli
    [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q pyarrow numpy datafusion
    bin="${CARGO_TARGET_DIR:-target}/debug"
    bench/.venv/bin/python bench/h2o.py --rows 20000 --engines dusk,datafusion --runs 1 --suffix=-tiny \
      --dusk "$bin/dusk-bench" "$@"
    bench/.venv/bin/python bench/tpch.py --scale 0.01 --engines dusk,dusk-cluster,datafusion --runs 1 \
      --suffix=-tiny --dusk-bench "$bin/dusk-bench" --dusk "$bin/dusk"
    ;;
  *)
    echo "unknown suite '$suite'; available: main-job, h2o-groupby, h2o-groupby-na5, tpch-sf1, tiny" >&2
    exit 2
    ;;
esac
