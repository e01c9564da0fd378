//! `dusk-bench`: times the same questions on Dusk (DataFrame API and SQL) and on raw
//! DataFusion, side by side in one run, checks that the answers agree, and writes a
//! Markdown table of seconds and ratios.
//!
//! Suites: `main-job`, the README's question (the average tip by passenger count) on
//! the demo trips; `h2o-groupby` and `tpch`, whose other engines and reports are driven
//! by bench/h2o.py and bench/tpch.py.

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;

mod h2o;
mod tpch;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use dusk::demo::{TripsOptions, generate_trips};
use dusk::{Session, col, lit};

/// Dusk's benchmark programs.
#[derive(Debug, Parser)]
enum Cli {
    /// The README's question on the demo trips: Dusk API, Dusk SQL and raw DataFusion.
    MainJob(Args),
    /// The h2o groupby questions on one Parquet file, in SQL and with the DataFrame API;
    /// prints one JSON line per engine and query (driven by bench/h2o.py).
    H2oGroupby(H2oArgs),
    /// The 22 TPC-H queries on tables made by `tpch-gen`, in-process or on a cluster;
    /// prints one JSON line per query (driven by bench/tpch.py).
    Tpch(TpchArgs),
    /// Writes the eight TPC-H tables as Parquet.
    TpchGen(TpchGenArgs),
}

/// Options of `tpch`.
#[derive(Debug, clap::Args)]
struct TpchArgs {
    /// The folder made by `tpch-gen`.
    #[arg(long)]
    data: PathBuf,
    /// Runs per query.
    #[arg(long, default_value_t = 2)]
    runs: usize,
    /// Run on the cluster whose scheduler is at this address (df://HOST:PORT).
    #[arg(long)]
    cluster: Option<String>,
}

/// Options of `tpch-gen`.
#[derive(Debug, clap::Args)]
struct TpchGenArgs {
    /// Folder to write `<table>.parquet` into.
    #[arg(long)]
    out: PathBuf,
    /// Scale factor (1 = 6 million lineitem rows).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
}

/// Options of `h2o-groupby`.
#[derive(Debug, clap::Args)]
struct H2oArgs {
    /// The Parquet file made by bench/h2o.py.
    #[arg(long)]
    data: String,
    /// Runs per query.
    #[arg(long, default_value_t = 2)]
    runs: usize,
}

/// Options of `main-job`.
#[derive(Debug, clap::Args)]
struct Args {
    /// Folder of trips Parquet files (generated if missing).
    #[arg(long, default_value = "bench/data/trips")]
    data: PathBuf,
    /// Trips to generate when the folder is missing.
    #[arg(long, default_value_t = 10_000_000)]
    rows: usize,
    /// Runs per engine and query; the last one is quoted.
    #[arg(long, default_value_t = 2)]
    runs: usize,
    /// Markdown report to write.
    #[arg(long, default_value = "bench/results/main-job.md")]
    out: PathBuf,
}

const SQL: &str = "SELECT passenger_count, count(fare_amount) AS trips, avg(tip_amount) AS avg_tip \
                   FROM trips WHERE fare_amount > 0 AND passenger_count IS NOT NULL \
                   GROUP BY 1 ORDER BY 1";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Cli::parse() {
        Cli::MainJob(args) => main_job(args).await,
        Cli::H2oGroupby(args) => h2o::run(args.data, args.runs).await,
        Cli::Tpch(args) => tpch::run(&args.data, args.runs, args.cluster.as_deref()).await,
        Cli::TpchGen(args) => Ok(tpch::generate(&args.out, args.scale)?),
    }
}

async fn main_job(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    if !args.data.join("2024-01.parquet").exists() {
        eprintln!("generating {} trips in {}", args.rows, args.data.display());
        generate_trips(
            &args.data,
            &TripsOptions {
                rows: args.rows,
                ..TripsOptions::default()
            },
        )?;
    }
    let path = format!("{}/", args.data.display());
    let mut results: Vec<(&str, Vec<f64>, String)> = Vec::new();

    let session = Session::local();
    let mut times = Vec::new();
    let mut answer = String::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        let batches = session
            .read_parquet(path.as_str())
            .await?
            .filter(col("fare_amount").gt(lit(0)))?
            .groupby(["passenger_count"])?
            .agg([
                ("trips", "fare_amount", "count"),
                ("avg_tip", "tip_amount", "mean"),
            ])?
            .collect()
            .await?;
        times.push(started.elapsed().as_secs_f64());
        answer = render(&batches)?;
    }
    results.push(("dusk (DataFrame API)", times, answer));

    let sql_session = Session::local();
    sql_session.register_path("trips", &path).await?;
    let mut times = Vec::new();
    let mut answer = String::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        let batches = sql_session.sql(SQL).await?.collect().await?;
        times.push(started.elapsed().as_secs_f64());
        answer = render(&batches)?;
    }
    results.push(("dusk (SQL)", times, answer));

    let ctx = SessionContext::new();
    ctx.register_parquet("trips", &path, ParquetReadOptions::default())
        .await?;
    let mut times = Vec::new();
    let mut answer = String::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        let batches = ctx.sql(SQL).await?.collect().await?;
        times.push(started.elapsed().as_secs_f64());
        answer = render(&batches)?;
    }
    results.push(("raw DataFusion (SQL)", times, answer));

    for (engine, _, answer) in &results[1..] {
        if *answer != results[0].2 {
            return Err(format!(
                "{engine} disagrees with Dusk:\n{answer}\nvs\n{}",
                results[0].2
            )
            .into());
        }
    }

    let dusk_time = *results[0].1.last().unwrap_or(&f64::NAN);
    let mut report = format!(
        "# main-job: average tip by passenger count\n\n{} cores, data `{}`, runs per engine: {}; \
         the last run is quoted. Answers agree across engines.\n\n\
         | engine | runs (s) | quoted (s) | ratio to Dusk API |\n|---|---|---|---|\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        args.data.display(),
        args.runs
    );
    for (engine, times, _) in &results {
        let quoted = *times.last().unwrap_or(&f64::NAN);
        let runs: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
        report.push_str(&format!(
            "| {engine} | {} | {quoted:.3} | {:.2} |\n",
            runs.join(", "),
            quoted / dusk_time
        ));
    }
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, &report)?;
    print!("{report}");
    Ok(())
}

/// The answer as text, rounded so that summation order does not matter.
fn render(batches: &[RecordBatch]) -> Result<String, Box<dyn std::error::Error>> {
    let text = pretty_format_batches(batches)?.to_string();
    let rounded: Vec<String> = text
        .split('|')
        .map(|cell| match cell.trim().parse::<f64>() {
            Ok(v) if cell.contains('.') => format!("{v:.9}"),
            _ => cell.trim().to_string(),
        })
        .collect();
    Ok(rounded.join("|"))
}
