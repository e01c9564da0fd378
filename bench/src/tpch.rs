//! TPC-H: the 22 queries on Parquet tables made by `dusk-bench tpch-gen`, in-process or
//! on a cluster, one JSON line per query (driven by bench/tpch.py).

use std::path::Path;
use std::time::Instant;

use dusk::Session;

use crate::h2o::{check, print_line};

/// Writes the eight tables at `scale` into `out`.
pub fn generate(out: &Path, scale: f64) -> dusk::Result<()> {
    dusk::tpch::generate(out, scale)
}

/// Runs the 22 queries `runs` times each, on the local engine or on the cluster at
/// `cluster`, and prints a JSON line for each.
pub async fn run(
    data: &Path,
    runs: usize,
    cluster: Option<&str>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (engine, session) = match cluster {
        Some(url) => ("dusk-cluster", Session::connect(url).await?),
        None => ("dusk-sql", Session::local()),
    };
    dusk::tpch::register(&session, data).await?;
    for (q, sql) in dusk::tpch::QUERIES {
        let mut times = Vec::new();
        let mut answer = String::new();
        for _ in 0..runs {
            let started = Instant::now();
            let batches = session.sql(sql).await?.collect().await?;
            times.push(started.elapsed().as_secs_f64());
            answer = check(&batches);
        }
        print_line(engine, q, &times, &answer);
        if cluster.is_some() {
            continue;
        }
        let mut times = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let Some(frame) = api(&session, q).await? else {
                break;
            };
            let batches = frame.collect().await?;
            times.push(started.elapsed().as_secs_f64());
            answer = check(&batches);
        }
        if !times.is_empty() {
            print_line("dusk-api", q, &times, &answer);
        }
    }
    Ok(())
}

/// Q1, Q3, Q5, Q6 and Q10 written with Dusk's DataFrame API, the way a pandas user would;
/// output columns in the order of the SQL, so the answer check lines up.
pub async fn api(session: &Session, q: &str) -> dusk::Result<Option<dusk::DataFrame>> {
    use dusk::{How, col, lit};
    let table = |name: &'static str| session.table(name);
    let revenue = || col("l_extendedprice") * (lit(1) - col("l_discount"));
    let frame = match q {
        "q1" => table("lineitem")
            .await?
            .query("l_shipdate <= date '1998-12-01' - interval '90' day")?
            .assign([
                ("disc_price", revenue()),
                ("charge", revenue() * (lit(1) + col("l_tax"))),
            ])?
            .groupby(["l_returnflag", "l_linestatus"])?
            .agg([
                ("sum_qty", "l_quantity", "sum"),
                ("sum_base_price", "l_extendedprice", "sum"),
                ("sum_disc_price", "disc_price", "sum"),
                ("sum_charge", "charge", "sum"),
                ("avg_qty", "l_quantity", "mean"),
                ("avg_price", "l_extendedprice", "mean"),
                ("avg_disc", "l_discount", "mean"),
                ("count_order", "l_quantity", "size"),
            ])?,
        "q3" => {
            let customer = table("customer")
                .await?
                .query("c_mktsegment = 'BUILDING'")?;
            let orders = table("orders")
                .await?
                .query("o_orderdate < date '1995-03-15'")?;
            let lineitem = table("lineitem")
                .await?
                .query("l_shipdate > date '1995-03-15'")?;
            customer
                .merge_on(orders, &["c_custkey"], &["o_custkey"], How::Inner, ("", ""))?
                .merge_on(
                    lineitem,
                    &["o_orderkey"],
                    &["l_orderkey"],
                    How::Inner,
                    ("", ""),
                )?
                .assign([("rev", revenue())])?
                .groupby(["l_orderkey", "o_orderdate", "o_shippriority"])?
                .sort(false)
                .agg([("revenue", "rev", "sum")])?
                .sort_values_by(&["revenue", "o_orderdate"], &[false, true])?
                .head(10)?
                .select(["l_orderkey", "revenue", "o_orderdate", "o_shippriority"])?
        }
        "q5" => {
            let region = table("region").await?.query("r_name = 'ASIA'")?;
            let orders = table("orders")
                .await?
                .query("o_orderdate >= date '1994-01-01' and o_orderdate < date '1995-01-01'")?;
            let nations = table("nation").await?.merge_on(
                region,
                &["n_regionkey"],
                &["r_regionkey"],
                How::Inner,
                ("", ""),
            )?;
            let suppliers = table("supplier").await?.merge_on(
                nations,
                &["s_nationkey"],
                &["n_nationkey"],
                How::Inner,
                ("", ""),
            )?;
            table("customer")
                .await?
                .merge_on(orders, &["c_custkey"], &["o_custkey"], How::Inner, ("", ""))?
                .merge_on(
                    table("lineitem").await?,
                    &["o_orderkey"],
                    &["l_orderkey"],
                    How::Inner,
                    ("", ""),
                )?
                .merge_on(
                    suppliers,
                    &["l_suppkey", "c_nationkey"],
                    &["s_suppkey", "s_nationkey"],
                    How::Inner,
                    ("", ""),
                )?
                .assign([("rev", revenue())])?
                .groupby(["n_name"])?
                .sort(false)
                .agg([("revenue", "rev", "sum")])?
                .sort_values(["revenue"], false)?
        }
        "q6" => table("lineitem")
            .await?
            .query(
                "l_shipdate >= date '1994-01-01' and l_shipdate < date '1995-01-01' \
                 and l_discount between 0.05 and 0.07 and l_quantity < 24",
            )?
            .assign([("revenue", col("l_extendedprice") * col("l_discount"))])?
            .select(["revenue"])?
            .sum()?,
        "q10" => {
            let orders = table("orders")
                .await?
                .query("o_orderdate >= date '1993-10-01' and o_orderdate < date '1994-01-01'")?;
            let lineitem = table("lineitem").await?.query("l_returnflag = 'R'")?;
            table("customer")
                .await?
                .merge_on(orders, &["c_custkey"], &["o_custkey"], How::Inner, ("", ""))?
                .merge_on(
                    lineitem,
                    &["o_orderkey"],
                    &["l_orderkey"],
                    How::Inner,
                    ("", ""),
                )?
                .merge_on(
                    table("nation").await?,
                    &["c_nationkey"],
                    &["n_nationkey"],
                    How::Inner,
                    ("", ""),
                )?
                .assign([("rev", revenue())])?
                .groupby([
                    "c_custkey",
                    "c_name",
                    "c_acctbal",
                    "c_phone",
                    "n_name",
                    "c_address",
                    "c_comment",
                ])?
                .sort(false)
                .agg([("revenue", "rev", "sum")])?
                .sort_values(["revenue"], false)?
                .head(20)?
                .select([
                    "c_custkey",
                    "c_name",
                    "revenue",
                    "c_acctbal",
                    "n_name",
                    "c_address",
                    "c_phone",
                    "c_comment",
                ])?
        }
        _ => return Ok(None),
    };
    Ok(Some(frame))
}
