"""Computes the expected answers of Dusk's oracle tests with pandas.

Run from the repository root after (re)generating tests/data:

    python3 tests/oracle/generate.py

Each case writes tests/oracle/expected/<case>.csv; the Rust test `oracle` runs the same
question through Dusk's DataFrame API and SQL and compares. pandas is the reference for
semantics: null group keys are dropped, mean of integers is a float, std uses ddof=1,
count counts non-missing values, quantiles interpolate linearly.
"""

import glob
import os

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected")


def trips() -> pd.DataFrame:
    files = sorted(glob.glob(os.path.join(DATA, "trips", "*.parquet")))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def write(name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(os.path.join(OUT, f"{name}.csv"), index=False, float_format="%.12g")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    t = trips()

    # The README's main job: average tip by passenger count.
    write(
        "avg_tip_by_passenger_count",
        t.groupby("passenger_count")["tip_amount"].mean().reset_index(),
    )

    # query() with `and`, as pandas parses it.
    busy = t.query("fare_amount > 0 and passenger_count >= 2")
    write("query_busy_count", pd.DataFrame({"n": [len(busy)]}))

    # Named aggregations per group, sorted by key.
    stats = (
        t.groupby("payment_type")
        .agg(
            trips=("fare_amount", "count"),
            fares=("fare_amount", "sum"),
            avg_tip=("tip_amount", "mean"),
            min_fare=("fare_amount", "min"),
            max_fare=("fare_amount", "max"),
            std_distance=("trip_distance", "std"),
            median_fare=("fare_amount", "median"),
            zones=("pickup_zone", "nunique"),
        )
        .reset_index()
    )
    write("payment_type_stats", stats)

    # Left merge with the zone table, then rows per borough (null borough kept).
    zones = pd.read_csv(os.path.join(DATA, "zones.csv"))
    merged = t.merge(zones, on="pickup_zone", how="left")
    by_borough = merged.groupby("borough", dropna=True).size().reset_index(name="size")
    write("trips_per_borough", by_borough)
    write("merge_left_rows", pd.DataFrame({"n": [len(merged)]}))

    # Sort by two columns with mixed directions, then head.
    top = t.sort_values(["fare_amount", "pickup_datetime"], ascending=[False, True]).head(10)
    write("top_fares", top[["pickup_datetime", "fare_amount", "payment_type"]])

    # describe() of the numeric columns.
    numeric = t[["passenger_count", "trip_distance", "fare_amount", "tip_amount"]]
    described = numeric.describe().reset_index().rename(columns={"index": "statistic"})
    write("describe_numeric", described)

    # CSV: non-missing values per column (pandas' default missing markers).
    csv = pd.read_csv(os.path.join(DATA, "trips.csv"))
    write("csv_count", csv.count().to_frame().T)

    # JSON lines: total fare and zones seen.
    js = pd.read_json(os.path.join(DATA, "trips.json"), lines=True)
    write(
        "json_summary",
        pd.DataFrame(
            {
                "rows": [len(js)],
                "fares": [js["fare_amount"].sum()],
                "zones": [js["pickup_zone"].count()],
            }
        ),
    )


if __name__ == "__main__":
    main()
