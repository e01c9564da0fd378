"""The h2o (db-benchmark) groupby suite: data, the other engines, and the report.

    python bench/h2o.py --rows 1e7 [--na 0|5] [--engines dusk,datafusion,duckdb,polars,pandas,dask]
                        [--timeout 300] [--dusk target/release/dusk-bench]

Generates data to the distributions of db-benchmark's groupby-datagen.R (as issue #4
states them) into bench/data/, runs every engine on the same Parquet file one at a time,
two runs per query (the second is quoted), checks that all engines agree, and writes
bench/results/h2o-groupby[-na5].md and .csv (engine,query,run1_s,run2_s,rows).
Dusk runs in its own process through `dusk-bench h2o-groupby`, both in SQL and with the
DataFrame API. Each engine is limited to this machine's cores.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

QUERIES = {
    "q1": "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1",
    "q2": "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2",
    "q3": "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3",
    "q4": "SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4",
    "q5": "SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6",
    "q6": "SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5",
    "q7": "SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3",
    "q8": "SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS r "
          "FROM x WHERE v3 IS NOT NULL) t WHERE r <= 2",
    "q9": "SELECT id2, id4, power(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4",
    "q10": "SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY id1, id2, id3, id4, id5, id6",
}


def generate(path, n, k, na_pct, seed=108):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    nk = max(n // k, 1)

    def ids(fmt, levels):
        return np.array([fmt % i for i in range(1, levels + 1)], dtype=object)

    id_small = ids("id%03d", k)
    id_large = ids("id%010d", nk)
    cols = {
        "id1": id_small[rng.integers(0, k, n)],
        "id2": id_small[rng.integers(0, k, n)],
        "id3": id_large[rng.integers(0, nk, n)],
        "id4": rng.integers(1, k + 1, n),
        "id5": rng.integers(1, k + 1, n),
        "id6": rng.integers(1, nk + 1, n),
        "v1": rng.integers(1, 6, n),
        "v2": rng.integers(1, 6, n),
        "v3": np.round(rng.uniform(0, 100, n), 4),
    }
    arrays = {}
    for name, values in cols.items():
        mask = rng.random(n) < na_pct / 100 if na_pct else None
        arrays[name] = pa.array(values, mask=mask)
    pq.write_table(pa.table(arrays), path, row_group_size=1 << 20)


def checksum(rows, sums):
    return {"rows": int(rows), "sums": [None if s is None or (isinstance(s, float) and math.isnan(s)) else float(s) for s in sums]}


def numeric_sums(table):
    """Sums of every numeric column of a pyarrow table, as the agreement check."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
            # DuckDB sums integers into DECIMAL(38, 0).
            s = pc.sum(col).as_py()
            out.append(None if s is None else float(s))
    return checksum(table.num_rows, out)


def timed(fn, runs=2):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def run_datafusion(path, q):
    import datafusion

    ctx = datafusion.SessionContext()
    ctx.register_parquet("x", path)
    return timed(lambda: numeric_sums(ctx.sql(QUERIES[q]).to_arrow_table()))


def run_duckdb(path, q):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")
    con.execute(f"CREATE VIEW x AS SELECT * FROM read_parquet('{path}')")
    sql = QUERIES[q].replace("stddev(", "stddev_samp(")
    return timed(lambda: numeric_sums(con.execute(sql).to_arrow_table()))


def run_polars(path, q):
    import polars as pl

    x = pl.scan_parquet(path)
    c = pl.col
    plans = {
        "q1": lambda: x.group_by("id1").agg(c("v1").sum()),
        "q2": lambda: x.group_by("id1", "id2").agg(c("v1").sum()),
        "q3": lambda: x.group_by("id3").agg(c("v1").sum(), c("v3").mean()),
        "q4": lambda: x.group_by("id4").agg(c("v1").mean(), c("v2").mean(), c("v3").mean()),
        "q5": lambda: x.group_by("id6").agg(c("v1").sum(), c("v2").sum(), c("v3").sum()),
        "q6": lambda: x.group_by("id4", "id5").agg(c("v3").median().alias("median_v3"), c("v3").std().alias("sd_v3")),
        "q7": lambda: x.group_by("id3").agg((c("v1").max() - c("v2").min()).alias("range_v1_v2")),
        "q8": lambda: x.drop_nulls("v3").group_by("id6").agg(c("v3").top_k(2).alias("largest2_v3")).explode("largest2_v3"),
        "q9": lambda: x.group_by("id2", "id4").agg((pl.corr("v1", "v2") ** 2).alias("r2")),
        "q10": lambda: x.group_by("id1", "id2", "id3", "id4", "id5", "id6").agg(c("v3").sum(), pl.len().alias("count")),
    }
    return timed(lambda: numeric_sums(plans[q]().collect().to_arrow()))


def run_pandas(path, q, dask=False):
    import pandas as pd
    import pyarrow as pa

    if dask:
        import dask
        import dask.dataframe as dd

        dask.config.set(scheduler="threads", num_workers=os.cpu_count())
        x = dd.read_parquet(path)
    else:
        x = pd.read_parquet(path)

    def go():
        g = {
            "q1": lambda: x.groupby("id1", dropna=False).agg(v1=("v1", "sum")),
            "q2": lambda: x.groupby(["id1", "id2"], dropna=False).agg(v1=("v1", "sum")),
            "q3": lambda: x.groupby("id3", dropna=False).agg(v1=("v1", "sum"), v3=("v3", "mean")),
            "q4": lambda: x.groupby("id4", dropna=False).agg(v1=("v1", "mean"), v2=("v2", "mean"), v3=("v3", "mean")),
            "q5": lambda: x.groupby("id6", dropna=False).agg(v1=("v1", "sum"), v2=("v2", "sum"), v3=("v3", "sum")),
            "q6": lambda: x.groupby(["id4", "id5"], dropna=False).agg(median_v3=("v3", "median"), sd_v3=("v3", "std")),
            "q7": lambda: x.groupby("id3", dropna=False).agg(a=("v1", "max"), b=("v2", "min")).assign(range_v1_v2=lambda d: d.a - d.b)[["range_v1_v2"]],
            "q8": None if dask else (lambda: x.dropna(subset=["v3"]).sort_values("v3", ascending=False)
                                      .groupby("id6").head(2)[["id6", "v3"]].set_index("id6")),
            "q9": None,
            "q10": lambda: x.groupby(["id1", "id2", "id3", "id4", "id5", "id6"], dropna=False).agg(v3=("v3", "sum"), count=("v1", "size")),
        }[q]
        if g is None:
            return None
        r = g()
        if dask:
            r = r.compute()
        return numeric_sums(pa.Table.from_pandas(r.reset_index(), preserve_index=False))

    return timed(go)


def run_dusk(binary, path, runs):
    out = subprocess.run([binary, "h2o-groupby", "--data", path, "--runs", str(runs)],
                         capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def write_csv(suite, results):
    """bench/results/<suite>.csv: engine,query,run1_s,run2_s,rows for (engine, query, times, check)."""
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"{suite}.csv"), "w") as f:
        f.write("engine,query,run1_s,run2_s,rows\n")
        for e, q, t, c in results:
            r1 = f"{t[0]:.4f}" if t else ""
            r2 = f"{t[-1]:.4f}" if t else ""
            f.write(f"{e},{q},{r1},{r2},{c['rows'] if c else ''}\n")


def agree(a, b):
    if a is None or b is None or a["rows"] != b["rows"] or len(a["sums"]) != len(b["sums"]):
        return False
    for x, y in zip(a["sums"], b["sums"]):
        if x is None or y is None:
            if x != y:
                return False
        elif abs(x - y) > 1e-6 * max(1.0, abs(y)):
            return False
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=float, default=1e7)
    p.add_argument("--k", type=int, default=100)
    p.add_argument("--na", type=int, default=0)
    p.add_argument("--engines", default="dusk,datafusion,duckdb,polars,pandas,dask")
    p.add_argument("--dusk", default=os.path.join(ROOT, "target/release/dusk-bench"))
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--suffix", default="")
    args = p.parse_args()
    n = int(args.rows)
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"G1_{n:.0e}_{args.k}_{args.na}.parquet".replace("+", ""))
    if not os.path.exists(path):
        print(f"generating {path}", file=sys.stderr)
        generate(path, n, args.k, args.na)

    engines = args.engines.split(",")
    results = []  # (engine, query, times, checksum)
    if "dusk" in engines:
        for r in run_dusk(args.dusk, path, args.runs):
            results.append((r["engine"], r["query"], r["times"], r["check"]))
    runners = {"datafusion": run_datafusion, "duckdb": run_duckdb, "polars": run_polars,
               "pandas": run_pandas, "dask": lambda pth, q: run_pandas(pth, q, dask=True)}
    for engine in engines:
        if engine == "dusk":
            continue
        for q in QUERIES:
            print(f"{engine} {q}", file=sys.stderr)
            try:
                times, check = runners[engine](path, q)
            except Exception as e:  # an engine that cannot run a query is reported, not fatal
                print(f"  failed: {e}", file=sys.stderr)
                times, check = [], None
            if check is None:
                times = []
            results.append((engine, q, times, check))

    reference = {q: c for e, q, t, c in results if e == "dusk-sql"}
    suite = f"h2o-groupby{args.suffix or ('-na5' if args.na else '')}"
    write_csv(suite, results)
    disagree = [f"{e} {q}: {c} vs dusk-sql {reference[q]}" for e, q, t, c in results
                if c is not None and q in reference and not agree(c, reference[q])]
    names = list(dict.fromkeys(e for e, _, _, _ in results))
    table = {(e, q): t for e, q, t, _ in results}
    lines = [f"# {suite}: {n:,} rows, K={args.k}, {args.na}% NA, {os.cpu_count()} cores", "",
             "Seconds per query (second run); empty = not supported or failed. Ratio = engine / dusk-sql.", "",
             "| query | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for q in QUERIES:
        cells = [f"{table[(e, q)][-1]:.3f}" if table.get((e, q)) else "" for e in names]
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    def total(e):
        ts = [table[(e, q)][-1] for q in QUERIES if table.get((e, q))]
        return ts
    dusk_total = sum(total("dusk-sql")) if total("dusk-sql") else float("nan")
    def cell(e, f):
        return f(total(e)) if total(e) else ""
    lines.append("| queries run | " + " | ".join(str(len(total(e))) for e in names) + " |")
    lines.append("| total | " + " | ".join(cell(e, lambda t: f"{sum(t):.3f}") for e in names) + " |")
    lines.append("| geomean | " + " | ".join(
        cell(e, lambda t: f"{math.exp(sum(math.log(max(x, 1e-9)) for x in t) / len(t)):.3f}") for e in names) + " |")
    lines.append("| total / dusk-sql | " + " | ".join(cell(e, lambda t: f"{sum(t) / dusk_total:.2f}") for e in names) + " |")
    lines.append("")
    lines.append("Totals cover different query sets where an engine skips queries (see 'queries run').")
    lines.append("")
    lines.append("Answers: " + ("all engines agree with dusk-sql." if not disagree else "DISAGREE:\n\n" + "\n".join(f"- {d}" for d in disagree)))
    with open(os.path.join(HERE, "results", f"{suite}.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if disagree:
        sys.exit(1)


if __name__ == "__main__":
    main()
