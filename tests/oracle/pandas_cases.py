"""The pandas-semantics oracle: datasets, cases, and pandas' answers.

Run from the repository root (needs pandas and pyarrow):

    python3 tests/oracle/pandas_cases.py

It writes tests/oracle/pandas/data/*.parquet (the inputs), tests/oracle/pandas/cases.json
(each case: a dataset and a pipeline of operations with their arguments) and
tests/oracle/pandas/expected/<case>.csv (pandas' result). The Rust test
`pandas_oracle` runs every pipeline through Dusk and compares, ignoring row order where
pandas does not define it, with floats compared to a relative tolerance.
"""

import json
import math
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "pandas")
NAN = float("nan")


def write_parquet(name, columns):
    """Writes columns with NaN kept as NaN (pandas would turn it into null)."""
    arrays = {}
    for col, (values, typ) in columns.items():
        arrays[col] = pa.array(values, type=typ, from_pandas=False)
    pq.write_table(pa.table(arrays), os.path.join(OUT, "data", f"{name}.parquet"))


def datasets():
    small_t = pd.to_datetime(
        [
            "2024-01-01 00:15", "2024-01-01 01:45", "2024-01-02 23:59", "2024-01-03 08:00",
            "2024-01-03 08:30", "2024-01-05 12:00", "2024-01-06 06:06", "2024-01-06 18:00",
            "2024-01-07 00:00", "2024-01-08 09:10", "2024-01-08 09:20", "2024-01-09 23:00",
        ]
    )
    small = {
        "k": (["a", "b", None, "a", "c", "b", "a", None, "Zürich", "東京", "a", "b"], pa.string()),
        "g": ([1, 2, 1, None, 2, 1, 3, 3, 1, 2, None, 1], pa.int64()),
        "x": ([1.5, NAN, 3.0, None, 2.5, 2.5, -1.0, 4.0, 0.5, NAN, 2.5, 10.0], pa.float64()),
        "y": ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120], pa.int64()),
        "s": (["  Apple ", "banana", "Cherry", None, "apple pie", "BANANA", "kiwi", "Äpfel",
               "melon", None, "fig", "date"], pa.string()),
        "t": (list(small_t.to_pydatetime()), pa.timestamp("us")),
        "n": (list(range(12)), pa.int64()),
    }
    rng = np.random.default_rng(7)
    m = 500
    keys = np.array(["p", "q", "r", "s", "t", "ü", None], dtype=object)
    k = [keys[i] for i in rng.integers(0, len(keys), m)]
    g = [None if rng.random() < 0.05 else int(v) for v in rng.integers(1, 6, m)]
    x = []
    for v in rng.normal(5, 3, m):
        u = rng.random()
        x.append(NAN if u < 0.04 else (None if u < 0.08 else round(float(v), 3)))
    y = [int(v) for v in rng.integers(0, 1000, m)]
    words = ["alpha", "Beta", " gamma ", "delta x", "EPSILON", "zeta", "eta", None]
    s = [words[i] for i in rng.integers(0, len(words), m)]
    base = pd.Timestamp("2024-03-01")
    t = [(base + pd.Timedelta(minutes=int(v))).to_pydatetime() for v in rng.integers(0, 60 * 24 * 10, m)]
    medium = {
        "k": (k, pa.string()), "g": (g, pa.int64()), "x": (x, pa.float64()), "y": (y, pa.int64()),
        "s": (s, pa.string()), "t": (t, pa.timestamp("us")), "n": (list(range(m)), pa.int64()),
    }
    lookup = {
        "k": (["a", "b", "q", "r", "ü", "zz"], pa.string()),
        "label": (["A", "B", "Q", "R", "Ü", "ZZ"], pa.string()),
        "y": ([1, 2, 3, 4, 5, 6], pa.int64()),
    }
    return {"small": small, "medium": medium, "lookup": lookup}


def load(name):
    return pq.read_table(os.path.join(OUT, "data", f"{name}.parquet")).to_pandas()


NUM = ["g", "x", "y", "n"]


def cases():
    """Every case: (name, dataset, [ops], ordered)."""
    out = []

    def add(name, ops, ordered=False, data=("small", "medium")):
        for d in data:
            out.append((f"{name}_{d}", d, ops, ordered))

    add("select", [["select", {"cols": ["k", "y"]}]])
    for i, q in enumerate(["x > 1", "y >= 50 and x < 3", "k == 'a'", "y > 100 or g == 1"]):
        add(f"query{i}", [["query", {"expr": q}]])
    add("sort_x_head", [["sort_values", {"by": ["x", "n"], "ascending": [True, True]}], ["head", {"n": 5}]], True)
    add("sort_x_desc_head", [["sort_values", {"by": ["x", "n"], "ascending": [False, True]}], ["head", {"n": 5}]], True)
    add("sort_k_y", [["sort_values", {"by": ["k", "y", "n"], "ascending": [True, False, True]}]], True)
    # Stable sorts: ties keep their input order, as pandas' kind="stable".
    add("sort_k_stable", [["sort_values", {"by": ["k"], "ascending": [True]}]], True)
    add("sort_g_desc_stable", [["sort_values", {"by": ["g"], "ascending": [False]}]], True)
    add("sort_after_filter_stable", [["query", {"expr": "y > 20"}], ["sort_values", {"by": ["g", "k"], "ascending": [True, False]}]], True)
    add("tail", [["tail", {"n": 4, "order_by": ["n"]}]], True)
    add("nlargest_x", [["nlargest", {"n": 3, "cols": ["x", "n"]}]], True)
    add("nsmallest_x", [["nsmallest", {"n": 3, "cols": ["x", "n"]}]], True)
    add("nlargest_y", [["nlargest", {"n": 4, "cols": ["y"]}]], True)
    # Ties: pandas' keep="first" takes the earlier rows.
    add("nlargest_g_ties", [["nlargest", {"n": 3, "cols": ["g"]}]], True)
    add("nsmallest_g_ties", [["nsmallest", {"n": 3, "cols": ["g"]}]], True)
    add("nsmallest_y", [["nsmallest", {"n": 4, "cols": ["y"]}]], True)
    add("isin", [["isin", {"col": "k", "values": ["a", "ü", "p"]}]])
    add("between", [["between", {"col": "y", "low": 30, "high": 80}]])
    add("where", [["where", {"col": "x", "gt": 2.0}]])
    add("mask", [["mask", {"col": "x", "gt": 2.0}]])
    add("assign", [["assign", {"name": "z", "expr": "x * 2 + y"}]])
    add("astype", [["astype", {"col": "y", "type": "float64"}]])
    for op, args in [("lower", {}), ("upper", {}), ("strip", {}), ("contains", {"pat": "an"}),
                     ("startswith", {"pat": "b"}), ("endswith", {"pat": "e"}),
                     ("replace", {"pat": "a", "repl": "A"}), ("len", {}), ("slice", {"start": 1, "stop": 3})]:
        add(f"str_{op}", [["str", {"col": "s", "method": op, **args}]])
    for op, args in [("year", {}), ("month", {}), ("day", {}), ("hour", {}), ("dayofweek", {}),
                     ("date", {}), ("floor", {"freq": "1h"})]:
        add(f"dt_{op}", [["dt", {"col": "t", "method": op, **args}]])
    add("clip", [["clip", {"col": "x", "low": 0.0, "high": 3.0}]])
    add("round", [["round", {"col": "x", "decimals": 0}]])
    add("abs", [["abs", {"col": "x"}]])
    add("map", [["map", {"col": "k", "mapping": {"a": "first", "b": "second", "p": "pe"}}]])
    add("cut", [["cut", {"col": "x", "bins": [-5.0, 0.0, 2.0, 5.0, 20.0]}]])
    add("isna", [["isna", {}]])
    add("notna", [["notna", {}]])
    add("fillna_scalar", [["select", {"cols": NUM}], ["fillna", {"value": 0}]])
    add("fillna_map", [["fillna_map", {"values": {"x": -1.0, "s": "?"}}]])
    add("ffill", [["ffill", {"order_by": ["n"], "by": []}]])
    add("bfill", [["bfill", {"order_by": ["n"], "by": []}]])
    add("ffill_by_k", [["dropna", {"how": "any", "subset": ["k"]}], ["ffill", {"order_by": ["n"], "by": ["k"]}]])
    add("dropna_any", [["dropna", {"how": "any"}]])
    add("dropna_all", [["select", {"cols": ["x", "s"]}], ["dropna", {"how": "all"}]])
    add("dropna_subset", [["dropna", {"how": "any", "subset": ["x", "g"]}]])
    add("dropna_thresh", [["dropna", {"how": "any", "thresh": 6}]])
    for f in ["sum", "mean", "min", "max", "count", "std", "var", "median", "nunique"]:
        add(f"reduce_{f}", [["select", {"cols": NUM}], ["reduce", {"func": f}]], True)
    add("quantile", [["select", {"cols": NUM}], ["quantile", {"qs": [0.1, 0.5, 0.9]}]], True)
    add("value_counts", [["value_counts", {"cols": ["k"]}]])
    add("value_counts_normalize", [["value_counts", {"cols": ["k"], "normalize": True}]])
    add("value_counts_keep_na", [["value_counts", {"cols": ["k"], "dropna": False}]])
    add("value_counts_two", [["value_counts", {"cols": ["k", "g"]}]])
    add("corr", [["select", {"cols": ["x", "y", "n"]}], ["corr", {}]])
    add("cov", [["select", {"cols": ["x", "y", "n"]}], ["cov", {}]])
    add("mode", [["mode", {"col": "k"}]], True)
    add("groupby_agg", [["groupby_agg", {"keys": ["k"], "aggs": [["x_mean", "x", "mean"], ["y_max", "y", "max"], ["s_count", "s", "count"]]}]], True)
    add("groupby_agg_two_keys", [["groupby_agg", {"keys": ["k", "g"], "aggs": [["y_sum", "y", "sum"]]}]], True)
    add("groupby_agg_keep_na", [["groupby_agg", {"keys": ["k"], "dropna": False, "aggs": [["y_sum", "y", "sum"], ["n", "y", "size"]]}]])
    add("groupby_agg_int_key", [["groupby_agg", {"keys": ["g"], "aggs": [["x_std", "x", "std"], ["x_med", "x", "median"], ["k_nunique", "k", "nunique"]]}]], True)
    for f in ["sum", "mean", "min", "max", "count", "size", "std", "var", "median", "nunique", "first", "last"]:
        add(f"groupby_{f}", [["select", {"cols": ["k", "x", "y"]}], ["groupby_shortcut", {"keys": ["k"], "func": f}]], True)
    add("groupby_quantile", [["select", {"cols": ["k", "x", "y"]}], ["groupby_quantile", {"keys": ["k"], "q": 0.5}]], True)
    add("groupby_head", [["groupby_head", {"keys": ["k"], "n": 2, "order_by": ["n"]}]])
    add("groupby_head_input_order", [["groupby_head", {"keys": ["k"], "n": 2, "order_by": []}]], True)
    add("groupby_agg_first_last", [["groupby_agg", {"keys": ["g"], "aggs": [["x_first", "x", "first"], ["s_last", "s", "last"]]}]], True)
    add("groupby_nlargest", [["groupby_nlargest", {"keys": ["k"], "n": 2, "col": "y"}]])
    add("groupby_nsmallest", [["groupby_nsmallest", {"keys": ["k"], "n": 2, "col": "y"}]])
    add("groupby_cumsum", [["groupby_cumsum", {"keys": ["k"], "cols": ["y"], "order_by": ["n"]}]])
    add("groupby_cumcount", [["groupby_cumcount", {"keys": ["k"], "order_by": ["n"]}]])
    add("groupby_rank", [["groupby_rank", {"keys": ["k"], "col": "x", "method": "average"}]])
    add("groupby_shift", [["groupby_shift", {"keys": ["k"], "col": "y", "n": 1, "order_by": ["n"]}]])
    add("groupby_diff", [["groupby_diff", {"keys": ["k"], "col": "y", "n": 1, "order_by": ["n"]}]])
    add("groupby_transform", [["groupby_transform", {"keys": ["k"], "col": "y", "func": "mean"}]])
    for how in ["inner", "left", "right", "outer", "semi", "anti"]:
        add(f"merge_{how}", [["dropna", {"how": "any", "subset": ["k"]}], ["merge", {"other": "lookup", "on": ["k"], "how": how}]])
    add("merge_cross", [["select", {"cols": ["n"]}], ["head_sorted", {"n": 3, "order_by": ["n"]}], ["merge", {"other": "lookup", "on": [], "how": "cross"}]], data=("small",))
    add("merge_left_on", [["dropna", {"how": "any", "subset": ["k"]}], ["rename", {"map": {"k": "key"}}],
                          ["merge_on", {"other": "lookup", "left_on": ["key"], "right_on": ["k"], "how": "inner", "suffixes": ["_l", "_r"]}]])
    add("concat", [["concat_self", {"query": "y > 50"}]])
    add("drop_duplicates_first", [["drop_duplicates", {"subset": ["k"], "keep": "first", "order_by": ["n"]}]])
    add("drop_duplicates_last", [["drop_duplicates", {"subset": ["k"], "keep": "last", "order_by": ["n"]}]])
    add("drop_duplicates_none", [["drop_duplicates", {"subset": ["k", "g"], "keep": "none", "order_by": ["n"]}]])
    add("drop_duplicates_all", [["select", {"cols": ["k", "g"]}], ["drop_duplicates", {"subset": [], "keep": "first", "order_by": []}]])
    add("drop_duplicates_first_input_order", [["drop_duplicates", {"subset": ["k"], "keep": "first", "order_by": []}]])
    add("drop_duplicates_last_input_order", [["drop_duplicates", {"subset": ["g"], "keep": "last", "order_by": []}]])
    add("duplicated", [["duplicated", {"subset": ["k"], "keep": "first", "order_by": ["n"]}]])
    add("pivot_table", [["pivot_table", {"index": ["k"], "columns": "g", "values": "y", "aggfunc": "sum"}]])
    add("melt", [["melt", {"id_vars": ["n"], "value_vars": ["x", "y"]}]])
    add("explode", [["explode_split", {"col": "s", "sep": " "}]], data=("small",))
    for method in ["average", "min", "max", "dense"]:
        add(f"rank_{method}", [["rank", {"col": "x", "method": method}]])
    # "first" breaks ties by input order.
    add("rank_first", [["rank", {"col": "y", "method": "first"}]], data=("small",))
    add("rank_first_ties", [["rank", {"col": "g", "method": "first"}]])
    add("cumsum", [["cumsum", {"cols": ["y", "x"], "order_by": ["n"]}]])
    add("cummax", [["cummax", {"cols": ["x"], "order_by": ["n"]}]])
    add("rolling_mean", [["rolling", {"n": 3, "cols": ["x"], "func": "mean", "order_by": ["n"], "by": []}]])
    add("rolling_sum_by", [["rolling", {"n": 2, "cols": ["y"], "func": "sum", "order_by": ["n"], "by": ["k"]}]])
    add("rolling_max", [["rolling", {"n": 3, "cols": ["y"], "func": "max", "order_by": ["n"], "by": []}]])
    add("rolling_std", [["rolling", {"n": 3, "cols": ["y"], "func": "std", "order_by": ["n"], "by": []}]])
    add("resample", [["resample", {"freq": "1D", "on": "t", "aggs": [["y", "y", "sum"], ["x", "x", "mean"]]}]], True)
    # Hourly bins leave many empty: they are there, with sum and count 0.
    add("resample_empty_bins", [["resample", {"freq": "6h", "on": "t", "aggs": [["y", "y", "sum"], ["c", "x", "count"], ["m", "y", "max"]]}]], True)
    # Dask's partition methods change the layout, never the answer.
    add("repartition", [["repartition", {"n": 3}], ["select", {"cols": NUM}], ["reduce", {"func": "sum"}]], True)
    add("repartition_by_groupby", [["repartition_by", {"cols": ["k"], "n": 2}], ["groupby_agg", {"keys": ["k"], "aggs": [["y_sum", "y", "sum"]]}]], True)
    return out


def run(df, ops, data):
    for op, a in ops:
        df = apply(df, op, a, data)
    return df


def missing_last(df, by, ascending):
    return df.sort_values(by, ascending=ascending, na_position="last", kind="stable")


def apply(df, op, a, data):
    if op == "select":
        return df[a["cols"]]
    if op in ("repartition", "repartition_by"):
        return df
    if op == "query":
        return df.query(a["expr"])
    if op == "sort_values":
        return missing_last(df, a["by"], a["ascending"])
    if op == "head":
        return df.head(a["n"])
    if op == "head_sorted":
        return df.sort_values(a["order_by"]).head(a["n"])
    if op == "tail":
        return df.sort_values(a["order_by"]).tail(a["n"])
    if op == "nlargest":
        return df.dropna(subset=a["cols"]).nlargest(a["n"], a["cols"])
    if op == "nsmallest":
        return df.dropna(subset=a["cols"]).nsmallest(a["n"], a["cols"])
    if op == "isin":
        return df[df[a["col"]].isin(a["values"])]
    if op == "between":
        return df[df[a["col"]].between(a["low"], a["high"])]
    if op == "where":
        return df.assign(**{a["col"]: df[a["col"]].where(df[a["col"]] > a["gt"])})
    if op == "mask":
        return df.assign(**{a["col"]: df[a["col"]].mask(df[a["col"]] > a["gt"])})
    if op == "assign":
        return df.assign(**{a["name"]: df.eval(a["expr"])})
    if op == "astype":
        return df.astype({a["col"]: a["type"]})
    if op == "str":
        s = df[a["col"]].str
        m = a["method"]
        r = {
            "lower": lambda: s.lower(), "upper": lambda: s.upper(), "strip": lambda: s.strip(),
            "contains": lambda: s.contains(a.get("pat")), "startswith": lambda: s.startswith(a.get("pat")),
            "endswith": lambda: s.endswith(a.get("pat")),
            "replace": lambda: s.replace(a.get("pat"), a.get("repl"), regex=False),
            "len": lambda: s.len(), "slice": lambda: s.slice(a.get("start"), a.get("stop")),
        }[m]()
        return df.assign(result=r)
    if op == "dt":
        d = df[a["col"]].dt
        m = a["method"]
        r = {
            "year": lambda: d.year, "month": lambda: d.month, "day": lambda: d.day, "hour": lambda: d.hour,
            "dayofweek": lambda: d.day_of_week, "date": lambda: pd.to_datetime(d.date).dt.strftime("%Y-%m-%d"),
            "floor": lambda: d.floor(a.get("freq")),
        }[m]()
        return df.assign(result=r)
    if op == "clip":
        return df.assign(**{a["col"]: df[a["col"]].clip(a["low"], a["high"])})
    if op == "round":
        return df.assign(**{a["col"]: df[a["col"]].round(a["decimals"])})
    if op == "abs":
        return df.assign(**{a["col"]: df[a["col"]].abs()})
    if op == "map":
        return df.assign(**{a["col"]: df[a["col"]].map(a["mapping"])})
    if op == "cut":
        bins = pd.cut(df[a["col"]], a["bins"])
        return df.assign(**{a["col"] + "_bin": bins.astype(str).replace("nan", None)})
    if op == "isna":
        return df.isna()
    if op == "notna":
        return df.notna()
    if op == "fillna":
        return df.fillna(a["value"])
    if op == "fillna_map":
        return df.fillna(a["values"])
    if op in ("ffill", "bfill"):
        ordered = df.sort_values(a["order_by"])
        others = [c for c in df.columns if c not in a["order_by"] + a["by"]]
        if a["by"]:
            filled = getattr(ordered.groupby(a["by"])[others], op)()
        else:
            filled = getattr(ordered[others], op)()
        return ordered[a["order_by"] + a["by"]].join(filled)[list(df.columns)]
    if op == "dropna":
        if "thresh" in a:
            return df.dropna(thresh=a["thresh"])
        return df.dropna(how=a["how"], subset=a.get("subset"))
    if op == "reduce":
        f = a["func"]
        r = getattr(df, f)() if f != "count" else df.count()
        return r.to_frame().T
    if op == "quantile":
        r = df.quantile(a["qs"], numeric_only=True)
        r.index.name = "quantile"
        return r.reset_index()
    if op == "value_counts":
        r = df.value_counts(a["cols"], normalize=a.get("normalize", False), dropna=a.get("dropna", True))
        return r.reset_index()
    if op in ("corr", "cov"):
        r = getattr(df, op)()
        r.index.name = "column"
        return r.reset_index()
    if op == "mode":
        return df[a["col"]].mode().to_frame()
    if op == "groupby_agg":
        named = {out: (c, f) for out, c, f in a["aggs"]}
        return df.groupby(a["keys"], dropna=a.get("dropna", True)).agg(**named).reset_index()
    if op == "groupby_shortcut":
        g = df.groupby(a["keys"])
        f = a["func"]
        if f == "size":
            return g.size().reset_index(name="size")
        if f in ("mean", "std", "var", "median", "sum"):
            return getattr(g, f)(numeric_only=True).reset_index()
        return getattr(g, f)().reset_index()
    if op == "groupby_quantile":
        return df.groupby(a["keys"]).quantile(a["q"], numeric_only=True).reset_index()
    if op == "groupby_head":
        d = df.dropna(subset=a["keys"])
        if a["order_by"]:
            d = d.sort_values(a["order_by"])
        return d.groupby(a["keys"]).head(a["n"])
    if op in ("groupby_nlargest", "groupby_nsmallest"):
        d = df.dropna(subset=a["keys"] + [a["col"]])
        asc = op == "groupby_nsmallest"
        d = d.sort_values([a["col"], "n"], ascending=[asc, True], kind="stable")
        return d.groupby(a["keys"]).head(a["n"])
    if op == "groupby_cumsum":
        d = df.sort_values(a["order_by"])
        c = d.groupby(a["keys"])[a["cols"]].cumsum()
        return d.assign(**{col: c[col] for col in a["cols"]}).dropna(subset=a["keys"])
    if op == "groupby_cumcount":
        d = df.sort_values(a["order_by"]).dropna(subset=a["keys"])
        return d.assign(cumcount=d.groupby(a["keys"]).cumcount())
    if op == "groupby_rank":
        d = df.dropna(subset=a["keys"])
        return d.assign(**{a["col"] + "_rank": d.groupby(a["keys"])[a["col"]].rank(method=a["method"])})
    if op in ("groupby_shift", "groupby_diff"):
        d = df.sort_values(a["order_by"]).dropna(subset=a["keys"])
        g = d.groupby(a["keys"])[a["col"]]
        r = g.shift(a["n"]) if op == "groupby_shift" else g.diff(a["n"])
        return d.assign(**{a["col"] + ("_shift" if op == "groupby_shift" else "_diff"): r})
    if op == "groupby_transform":
        d = df.dropna(subset=a["keys"])
        return d.assign(**{f"{a['col']}_{a['func']}": d.groupby(a["keys"])[a["col"]].transform(a["func"])})
    if op == "merge":
        other = load(a["other"])
        how = a["how"]
        if how == "semi":
            return df[df[a["on"][0]].isin(other[a["on"][0]])]
        if how == "anti":
            return df[~df[a["on"][0]].isin(other[a["on"][0]])]
        if how == "cross":
            return df.merge(other, how="cross")
        return df.merge(other, on=a["on"], how=how)
    if op == "merge_on":
        other = load(a["other"])
        return df.merge(other, left_on=a["left_on"], right_on=a["right_on"], how=a["how"], suffixes=tuple(a["suffixes"]))
    if op == "rename":
        return df.rename(columns=a["map"])
    if op == "concat_self":
        return pd.concat([df, df.query(a["query"])[["k", "y"]]], ignore_index=True)
    if op == "drop_duplicates":
        keep = {"first": "first", "last": "last", "none": False}[a["keep"]]
        d = df.sort_values(a["order_by"]) if a["order_by"] else df
        return d.drop_duplicates(subset=a["subset"] or None, keep=keep)
    if op == "duplicated":
        d = df.sort_values(a["order_by"])
        return d.assign(duplicated=d.duplicated(subset=a["subset"], keep=a["keep"]))
    if op == "pivot_table":
        r = pd.pivot_table(df, index=a["index"], columns=a["columns"], values=a["values"], aggfunc=a["aggfunc"])
        r.columns = [str(int(c)) if isinstance(c, float) else str(c) for c in r.columns]
        return r.reset_index()
    if op == "melt":
        return df.melt(id_vars=a["id_vars"], value_vars=a["value_vars"])
    if op == "explode_split":
        d = df[["n", a["col"]]].dropna()
        return d.assign(**{a["col"]: d[a["col"]].str.split(a["sep"])}).explode(a["col"])
    if op == "rank":
        return df.assign(**{a["col"] + "_rank": df[a["col"]].rank(method=a["method"])})
    if op in ("cumsum", "cummax"):
        d = df.sort_values(a["order_by"])
        return d.assign(**{c: getattr(d[c], op)() for c in a["cols"]})
    if op == "rolling":
        d = df.sort_values(a["order_by"])
        name = f"{a['cols'][0]}_{a['func']}"
        if a["by"]:
            d = d.dropna(subset=a["by"])
            r = d.groupby(a["by"])[a["cols"][0]].rolling(a["n"]).agg(a["func"]).reset_index(level=0, drop=True)
        else:
            r = getattr(d[a["cols"][0]].rolling(a["n"]), a["func"])()
        return d.assign(**{name: r})
    if op == "resample":
        named = {out: (c, f) for out, c, f in a["aggs"]}
        return df.resample(a["freq"], on=a["on"]).agg(**named).reset_index()
    raise ValueError(op)


def main():
    os.makedirs(os.path.join(OUT, "data"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    for name, columns in datasets().items():
        write_parquet(name, columns)
    all_cases = cases()
    for name, data, ops, ordered in all_cases:
        result = run(load(data), ops, data)
        result.to_csv(os.path.join(OUT, "expected", f"{name}.csv"), index=False, float_format="%.15g")
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(
            [{"name": n, "data": d, "ops": o, "ordered": ordered} for n, d, o, ordered in all_cases],
            f, indent=1, ensure_ascii=False,
        )
    print(f"{len(all_cases)} cases")


if __name__ == "__main__":
    main()
