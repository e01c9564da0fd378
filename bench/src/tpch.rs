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
    }
    Ok(())
}
