"""TPC-H: the 22 queries on the same Parquet tables in Dusk (in-process and on a local
cluster of one scheduler and two executors), raw DataFusion and DuckDB.

    python bench/tpch.py --scale 1 [--engines dusk,dusk-cluster,datafusion,duckdb] [--runs 2]
                         [--dusk-bench target/release/dusk-bench] [--dusk target/release/dusk]

Generates the tables with `dusk-bench tpch-gen` (the tpchgen crates: dbgen's rows) into
bench/data/tpch-sf<scale>/, runs each engine one at a time, two runs per query (the second
is quoted), checks every engine's answers against DuckDB's (rows and the sum of every
numeric column; against dusk-sql when DuckDB is not run), and writes
bench/results/tpch-sf<scale>.md and .csv (engine,query,run1_s,run2_s,rows). The cluster
runs as real processes on 127.0.0.1, each executor with half of this machine's cores.
"""

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time

from h2o import agree, numeric_sums, timed, write_csv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
QUERY_DIR = os.path.join(ROOT, "tests", "tpch", "queries")
TABLES = ["nation", "region", "part", "supplier", "partsupp", "customer", "orders", "lineitem"]
QUERIES = [f"q{i}" for i in range(1, 23)]


def sql(q):
    with open(os.path.join(QUERY_DIR, f"{q}.sql")) as f:
        return f.read().strip().rstrip(";")


def run_datafusion(data, q, runs):
    import datafusion

    ctx = datafusion.SessionContext()
    for t in TABLES:
        ctx.register_parquet(t, os.path.join(data, f"{t}.parquet"))
    return timed(lambda: numeric_sums(ctx.sql(sql(q)).to_arrow_table()), runs)


def run_duckdb(data, q, runs):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")
    for t in TABLES:
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{os.path.join(data, t + '.parquet')}')")
    return timed(lambda: numeric_sums(con.execute(sql(q)).to_arrow_table()), runs)


def free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def wait_for(port, proc, log):
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"a cluster process exited early; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"a cluster process did not listen on {port}; see {log}")


def run_dusk_bench(binary, data, runs, cluster=None):
    cmd = [binary, "tpch", "--data", data, "--runs", str(runs)]
    if cluster:
        cmd += ["--cluster", cluster]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def run_cluster(dusk, bench, data, runs):
    """A scheduler and two executors as processes on loopback, killed afterwards."""
    logs = tempfile.mkdtemp(prefix="dusk-cluster-")
    procs = []
    try:
        port = free_port()
        log = os.path.join(logs, "scheduler.log")
        procs.append(subprocess.Popen([dusk, "scheduler", "--bind", f"127.0.0.1:{port}"],
                                      stdout=open(log, "w"), stderr=subprocess.STDOUT))
        wait_for(port, procs[-1], log)
        slots = max(1, (os.cpu_count() or 2) // 2)
        for i in range(2):
            p = free_port()
            log = os.path.join(logs, f"executor{i}.log")
            procs.append(subprocess.Popen(
                [dusk, "executor", "--scheduler", f"127.0.0.1:{port}", "--bind", f"127.0.0.1:{p}",
                 "--concurrent-tasks", str(slots), "--work-dir", os.path.join(logs, f"work{i}")],
                stdout=open(log, "w"), stderr=subprocess.STDOUT))
            wait_for(p, procs[-1], log)
        return run_dusk_bench(bench, data, runs, cluster=f"df://127.0.0.1:{port}")
    finally:
        for p in procs:
            p.kill()
            p.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--engines", default="dusk,dusk-cluster,datafusion,duckdb")
    p.add_argument("--dusk-bench", default=os.path.join(ROOT, "target/release/dusk-bench"))
    p.add_argument("--dusk", default=os.path.join(ROOT, "target/release/dusk"))
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--suffix", default="")
    args = p.parse_args()
    scale = f"{args.scale:g}"
    data = os.path.join(HERE, "data", f"tpch-sf{scale}")
    if not os.path.exists(os.path.join(data, "lineitem.parquet")):
        print(f"generating TPC-H SF {scale} in {data}", file=sys.stderr)
        subprocess.run([args.dusk_bench, "tpch-gen", "--out", data, "--scale", scale], check=True)

    engines = args.engines.split(",")
    results = []  # (engine, query, times, checksum)
    if "dusk" in engines:
        print("dusk", file=sys.stderr)
        for r in run_dusk_bench(args.dusk_bench, data, args.runs):
            results.append((r["engine"], r["query"], r["times"], r["check"]))
    if "dusk-cluster" in engines:
        print("dusk-cluster", file=sys.stderr)
        for r in run_cluster(args.dusk, args.dusk_bench, data, args.runs):
            results.append((r["engine"], r["query"], r["times"], r["check"]))
    runners = {"datafusion": run_datafusion, "duckdb": run_duckdb}
    for engine in engines:
        if engine not in runners:
            continue
        for q in QUERIES:
            print(f"{engine} {q}", file=sys.stderr)
            try:
                times, check = runners[engine](data, q, args.runs)
            except Exception as e:  # reported, not fatal
                print(f"  failed: {e}", file=sys.stderr)
                times, check = [], None
            results.append((engine, q, times, check))

    ref_engine = "duckdb" if "duckdb" in engines else "dusk-sql"
    reference = {q: c for e, q, t, c in results if e == ref_engine and c is not None}
    suite = f"tpch-sf{scale}{args.suffix}"
    write_csv(suite, results)
    disagree = [f"{e} {q}: {c} vs {ref_engine} {reference.get(q)}" for e, q, t, c in results
                if c is None or q not in reference or not agree(c, reference[q])]
    names = list(dict.fromkeys(e for e, _, _, _ in results))
    table = {(e, q): t for e, q, t, _ in results}

    def seconds(e):
        return [table[(e, q)][-1] for q in QUERIES if table.get((e, q))]

    def geomean(ts):
        return math.exp(sum(math.log(max(x, 1e-9)) for x in ts) / len(ts))

    base = seconds("dusk-sql")
    lines = [f"# {suite}: TPC-H scale factor {scale}, {os.cpu_count()} cores", "",
             "Seconds per query (second run); empty = failed. Ratios are to dusk-sql (in-process);",
             "dusk-cluster is one scheduler and two executors on this machine.", "",
             "| query | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for q in QUERIES:
        cells = [f"{table[(e, q)][-1]:.3f}" if table.get((e, q)) else "" for e in names]
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    lines.append("| total | " + " | ".join(f"{sum(seconds(e)):.3f}" if seconds(e) else "" for e in names) + " |")
    lines.append("| geomean | " + " | ".join(f"{geomean(seconds(e)):.3f}" if seconds(e) else "" for e in names) + " |")
    if base:
        lines.append("| geomean / dusk-sql | " + " | ".join(
            f"{geomean(seconds(e)) / geomean(base):.2f}" if seconds(e) else "" for e in names) + " |")
    lines.append("")
    lines.append(f"Answers: " + (f"every engine agrees with {ref_engine} on every query." if not disagree
                                 else "DISAGREE or FAILED:\n\n" + "\n".join(f"- {d}" for d in disagree)))
    with open(os.path.join(HERE, "results", f"{suite}.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if disagree:
        sys.exit(1)


if __name__ == "__main__":
    main()
