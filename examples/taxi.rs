//! Dusk's main job, end to end: generate the demo taxi trips (if missing), then compute
//! the average tip by passenger count with the DataFrame API and with SQL.
//!
//! Run it with `cargo run --example taxi` (add `-- 10000000` for ten million trips).

use std::path::Path;
use std::time::Instant;

use dusk::demo::{TripsOptions, generate_trips};
use dusk::{Session, col, lit};

#[tokio::main]
async fn main() -> dusk::Result<()> {
    let rows: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            dusk::Error::invalid_option("rows", &arg, "a number of trips, e.g. 1000000")
        })?,
        None => 1_000_000,
    };
    let dir = Path::new("trips");
    if !dir.join("2024-01.parquet").exists() {
        let started = Instant::now();
        generate_trips(
            dir,
            &TripsOptions {
                rows,
                ..TripsOptions::default()
            },
        )?;
        println!(
            "generated {rows} trips in trips/ in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }

    let session = Session::local();

    // The DataFrame API: lazy until show().
    let started = Instant::now();
    let trips = session.read_parquet("trips/").await?;
    let tips = trips
        .filter(col("fare_amount").gt(lit(0)))?
        .groupby(["passenger_count"])?
        .agg([
            ("trips", "fare_amount", "count"),
            ("avg_tip", "tip_amount", "mean"),
        ])?;
    println!("average tip by passenger count (DataFrame API):");
    tips.show().await?;
    println!("in {:.2}s\n", started.elapsed().as_secs_f64());

    // The same question in SQL, with the files as a table.
    let started = Instant::now();
    let sql = session
        .sql(
            "SELECT passenger_count, count(fare_amount) AS trips, avg(tip_amount) AS avg_tip \
             FROM 'trips/*.parquet' WHERE fare_amount > 0 AND passenger_count IS NOT NULL \
             GROUP BY 1 ORDER BY 1",
        )
        .await?;
    println!("the same in SQL:");
    sql.show().await?;
    println!("in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}
