//! The command line: flags and subcommands, parsed by clap into validated settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Dusk: fast SQL and DataFrames over CSV, Parquet and JSON files, on all your cores.
#[derive(Debug, Parser)]
#[command(name = "dusk", version, about, long_about = None)]
#[command(after_help = "Examples:
  dusk demo                                  generate trips/ and show the average tip by passenger count
  dusk sql \"SELECT passenger_count, avg(tip_amount) FROM 'trips/*.parquet' GROUP BY 1 ORDER BY 1\"
  dusk head trips/2024-01.parquet -n 5
  dusk convert data.csv out/ --partition-by year")]
pub struct Cli {
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings of the engine, shared by every subcommand.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Memory budget for sorts, aggregations and joins, beyond which they spill to disk
    /// (e.g. 4GB, 512MiB).
    #[arg(long, global = true, env = "DUSK_MEMORY_LIMIT", value_name = "SIZE")]
    pub memory_limit: Option<String>,
    /// Partitions per stage [default: number of cores].
    #[arg(long, global = true, env = "DUSK_PARTITIONS", value_name = "N")]
    pub partitions: Option<usize>,
    /// Folder for spill files [default: the system's temporary folder].
    #[arg(long, global = true, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,
    /// Run on the Ballista cluster whose scheduler is at this address (df://HOST:PORT)
    /// instead of in this process. Paths must be reachable by every executor.
    #[arg(long, global = true, env = "DUSK_CLUSTER", value_name = "URL")]
    pub cluster: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one SQL query and print or save its result.
    #[command(after_help = "Examples:
  dusk sql \"SELECT * FROM 'trips/*.parquet' LIMIT 5\"
  dusk sql \"SELECT payment_type, count(*) FROM t GROUP BY 1\" --table t=trips/
  dusk sql \"SELECT * FROM 'trips/' WHERE fare_amount > 50\" --format csv -o big_fares.csv
  dusk sql \"SELECT * FROM 'data.csv'\" --format json | head")]
    Sql(SqlArgs),
    /// Run a script of SQL statements in order, as a batch job.
    #[command(after_help = "Examples:
  dusk run job.sql
  dusk run job.sql -v          print each statement's time on stderr

A script holds statements separated by ';': CREATE EXTERNAL TABLE, CREATE VIEW,
COPY (SELECT ...) TO 'out.parquet', SET, and queries, whose rows are printed.")]
    Run(RunArgs),
    /// Print the columns and types of a file, glob or folder.
    #[command(after_help = "Examples:
  dusk schema trips/
  dusk schema 'data/2024-*.csv'")]
    Schema(PathArgs),
    /// Print the first rows of a file, glob or folder.
    #[command(after_help = "Examples:
  dusk head trips/2024-01.parquet
  dusk head data.csv -n 20 --format csv")]
    Head(HeadArgs),
    /// Print summary statistics per column (count, mean, std, quartiles; or unique, top, freq).
    #[command(after_help = "Examples:
  dusk describe trips/
  dusk describe data.csv")]
    Describe(PathArgs),
    /// Convert between CSV, Parquet and JSON, optionally into hive-partitioned folders.
    #[command(after_help = "Examples:
  dusk convert data.csv data.parquet
  dusk convert 'raw/*.csv' lake/ --partition-by year,month
  dusk convert trips/ trips.csv.gz --compression gzip")]
    Convert(ConvertArgs),
    /// Run a cluster scheduler, which plans jobs and hands their tasks to executors.
    #[command(after_help = "Examples:
  dusk scheduler                                 listen on 127.0.0.1:50050
  dusk scheduler --bind 0.0.0.0:50050 --external-host sched.internal
  RUST_LOG=debug dusk scheduler                  more detailed logs

Then start executors with `dusk executor --scheduler HOST:PORT`, and run jobs with
`dusk --cluster df://HOST:PORT sql ...` or `dusk::Session::connect(\"df://HOST:PORT\")`.")]
    Scheduler(SchedulerArgs),
    /// Run a cluster executor, which runs tasks for a scheduler.
    #[command(after_help = "Examples:
  dusk executor --scheduler 127.0.0.1:50050
  dusk executor --scheduler 127.0.0.1:50050 --bind 127.0.0.1:50061 --concurrent-tasks 4
  dusk executor --scheduler sched.internal:50050 --bind 0.0.0.0:50051 --external-host worker-1 \\
      --memory-limit 8GB --work-dir /mnt/scratch/dusk

Two executors on one machine need different --bind ports (each also uses the next
port up). Data read by jobs must be reachable from every executor.")]
    Executor(ExecutorArgs),
    /// Generate the demo taxi-trips dataset and show the average tip by passenger count.
    #[command(after_help = "Examples:
  dusk demo
  dusk demo --rows 10000000 --out big_trips")]
    Demo(DemoArgs),
}

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned text table (at most --max-rows rows).
    Table,
    /// CSV with a header row.
    Csv,
    /// Newline-delimited JSON, one object per row.
    Json,
    /// Apache Parquet (needs -o).
    Parquet,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format [default: from -o's extension, else table].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout; it appears only when complete.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rows shown by the table format; 0 shows all.
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub max_rows: usize,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query. Tables are names given with --table, or quoted paths: FROM 'data/*.csv'.
    pub query: String,
    /// Register a file, glob or folder as a table (repeatable).
    #[arg(long = "table", short = 't', value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The SQL script to run.
    pub script: PathBuf,
    /// Register a file, glob or folder as a table (repeatable).
    #[arg(long = "table", short = 't', value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    /// Print each statement and its time on stderr.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathArgs {
    /// A file, a glob ('data/*.csv') or a folder.
    pub path: String,
}

#[derive(Debug, Args)]
pub struct HeadArgs {
    /// A file, a glob ('data/*.csv') or a folder.
    pub path: String,
    /// Number of rows.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub rows: usize,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input: a file, a glob or a folder.
    pub input: String,
    /// Output: a file (format from its extension) or a folder.
    pub output: String,
    /// Columns to partition by, comma separated: output becomes hive folders (col=value/).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub partition_by: Vec<String>,
    /// Output format [default: from the output's extension, else parquet].
    #[arg(long, value_enum)]
    pub to: Option<Format>,
    /// Compression: snappy, zstd, gzip, lz4, none for Parquet; gzip, bzip2, xz, zstd for CSV/JSON.
    #[arg(long)]
    pub compression: Option<String>,
    /// Fail instead of replacing an existing output.
    #[arg(long)]
    pub no_clobber: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the monthly Parquet files.
    #[arg(long, default_value = "trips")]
    pub out: PathBuf,
    /// Number of trips.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Number of monthly files (1-12).
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Seed of the generator; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Regenerate even if the folder already holds data.
    #[arg(long)]
    pub force: bool,
    /// Also write the zone lookup table (pickup_zone, borough) as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub zones: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchedulerArgs {
    /// Address to listen on; loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:50050", value_name = "ADDR")]
    pub bind: std::net::SocketAddr,
    /// Host name clients and executors use to reach this scheduler [default: the bind IP].
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
    /// Seconds without a heartbeat after which an executor counts as lost and its tasks
    /// are run elsewhere.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub executor_timeout: u64,
}

#[derive(Debug, Args)]
pub struct ExecutorArgs {
    /// The scheduler to register with.
    #[arg(long, value_name = "HOST:PORT")]
    pub scheduler: String,
    /// Address of this executor's data service (its control service takes the next port).
    #[arg(long, default_value = "127.0.0.1:50051", value_name = "ADDR")]
    pub bind: std::net::SocketAddr,
    /// Host name other executors fetch shuffle data from [default: the bind IP].
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
    /// Tasks run at once [default: number of cores].
    #[arg(long, value_name = "N")]
    pub concurrent_tasks: Option<usize>,
    /// Folder for shuffle files [default: a temporary folder].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Seconds between heartbeats to the scheduler.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub heartbeat: u64,
}
