//! The `dusk` command: parse flags, build the session, run one subcommand, map errors to
//! exit codes (0 success, 1 error, 2 usage), and end quietly on a closed pipe.

mod args;
mod cluster;
mod output;

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use dusk::engine::storage::format_of;
use dusk::{Error, FileKind, Session, WriteMode, WriteOptions};

use args::{Cli, Command, ConvertArgs, DemoArgs, EngineArgs, Format, HeadArgs, RunArgs, SqlArgs};
use output::{Progress, Sink};

/// Why a command stopped early.
pub enum Failure {
    /// An error to report.
    Error(Error),
    /// The reader of stdout went away (`dusk sql ... | head`): not an error.
    BrokenPipe,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dusk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = run(cli) => Some(result),
            // Dropping the running command removes its unfinished output files.
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    match outcome {
        Some(Ok(())) | Some(Err(Failure::BrokenPipe)) => ExitCode::SUCCESS,
        Some(Err(Failure::Error(e))) => {
            // One line, whatever the message holds.
            let message = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("dusk: error: {message}");
            ExitCode::FAILURE
        }
        None => {
            eprintln!("dusk: interrupted");
            ExitCode::from(130)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let engine = &cli.engine;
    match cli.command {
        Command::Sql(args) => sql(session(engine, None).await?, args).await,
        Command::Run(args) => run_script(session(engine, None).await?, args).await,
        Command::Schema(args) => schema(session(engine, None).await?, &args.path).await,
        Command::Head(args) => head(session(engine, Some(1)).await?, args).await,
        Command::Describe(args) => describe(session(engine, None).await?, &args.path).await,
        Command::Convert(args) => convert(session(engine, None).await?, args).await,
        Command::Demo(args) => demo(session(engine, None).await?, args).await,
        Command::Scheduler(args) => cluster::scheduler(args).await,
        Command::Executor(args) => cluster::executor(engine, args).await,
    }
}

/// The session the flags describe; `partitions` overrides them (head reads in file order).
async fn session(engine: &EngineArgs, partitions: Option<usize>) -> Result<Session, Failure> {
    let mut builder = Session::builder();
    if let Some(n) = partitions.or(engine.partitions) {
        builder = builder.target_partitions(n);
    }
    if let Some(limit) = &engine.memory_limit {
        builder = builder.memory_limit(limit);
    }
    if let Some(dir) = &engine.spill_dir {
        builder = builder.spill_dir(dir);
    }
    match &engine.cluster {
        Some(url) => Ok(builder.connect(url).await?),
        None => Ok(builder.build()?),
    }
}

async fn register_tables(session: &Session, tables: &[String]) -> Result<(), Failure> {
    for spec in tables {
        let Some((name, path)) = spec.split_once('=') else {
            return Err(Error::invalid_option(
                "--table",
                spec,
                "NAME=PATH, e.g. trips=data/trips/",
            )
            .into());
        };
        session.register_path(name.trim(), path.trim()).await?;
    }
    Ok(())
}

async fn sql(session: Session, args: SqlArgs) -> Result<(), Failure> {
    register_tables(&session, &args.tables).await?;
    let sink = Sink::new(&args.output)?;
    let frame = session.sql(&args.query).await?;
    sink.write(frame).await?;
    Ok(())
}

async fn run_script(session: Session, args: RunArgs) -> Result<(), Failure> {
    register_tables(&session, &args.tables).await?;
    let text = std::fs::read_to_string(&args.script)
        .map_err(|e| Error::io("cannot read script", args.script.display(), e))?;
    let statements = session.parse_script(&text)?;
    let queries = statements.iter().filter(|s| s.returns_rows()).count();
    if args.output.output.is_some() && queries > 1 {
        return Err(Error::invalid_option(
            "-o",
            args.output.output.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            format!(
                "a script with one query (this one has {queries}); write the others with COPY (...) TO 'file'"
            ),
        )
        .into());
    }
    let total = Instant::now();
    for (i, statement) in statements.into_iter().enumerate() {
        let started = Instant::now();
        let shown = statement.to_string();
        let returns_rows = statement.returns_rows();
        let failed =
            |e: Error| Failure::from(Error::Plan(format!("statement {} failed: {e}", i + 1)));
        let frame = session.execute(statement).await.map_err(failed)?;
        if returns_rows {
            let sink = match (args.output.format, &args.output.output) {
                (None, None) => Sink::table(args.output.max_rows),
                _ => Sink::new(&args.output)?,
            };
            match sink.write(frame).await {
                Err(Failure::Error(e)) => return Err(failed(e)),
                other => other?,
            };
        } else {
            // Statements run for their effect (COPY, CREATE, ...) still have to run to the end.
            let progress = Progress::start();
            frame.collect().await.map_err(failed)?;
            progress.finish();
        }
        if args.verbose {
            eprintln!(
                "[{:>8.3}s] {}",
                started.elapsed().as_secs_f64(),
                one_line(&shown)
            );
        }
    }
    if args.verbose {
        eprintln!("[{:>8.3}s] total", total.elapsed().as_secs_f64());
    }
    Ok(())
}

fn one_line(sql: &str) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 100 {
        format!("{}...", line.chars().take(97).collect::<String>())
    } else {
        line
    }
}

async fn schema(session: Session, path: &str) -> Result<(), Failure> {
    let frame = session.read_path(path).await?;
    let schema = frame.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    let nullable: Vec<bool> = schema.fields().iter().map(|f| f.is_nullable()).collect();
    let batch = arrow::array::RecordBatch::try_from_iter([
        (
            "column",
            std::sync::Arc::new(arrow::array::StringArray::from(names)) as _,
        ),
        (
            "type",
            std::sync::Arc::new(arrow::array::StringArray::from(types)) as _,
        ),
        (
            "nullable",
            std::sync::Arc::new(arrow::array::BooleanArray::from(nullable)) as _,
        ),
    ])
    .map_err(Error::from)?;
    print_table(&[batch])
}

fn print_table(batches: &[arrow::array::RecordBatch]) -> Result<(), Failure> {
    let text = arrow::util::pretty::pretty_format_batches(batches).map_err(Error::from)?;
    let mut out = std::io::stdout();
    writeln!(out, "{text}")
        .and_then(|_| out.flush())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Failure::BrokenPipe
            } else {
                Failure::from(Error::io("cannot write", "stdout", e))
            }
        })
}

async fn head(session: Session, args: HeadArgs) -> Result<(), Failure> {
    let frame = session.read_path(&args.path).await?.head(args.rows)?;
    Sink::stdout(args.format, args.rows.max(1))
        .write(frame)
        .await?;
    Ok(())
}

async fn describe(session: Session, path: &str) -> Result<(), Failure> {
    let progress = Progress::start();
    let summary = session.read_path(path).await?.describe_all().await?;
    progress.finish();
    print_table(&summary.collect().await?)
}

async fn convert(session: Session, args: ConvertArgs) -> Result<(), Failure> {
    let frame = session.read_path(&args.input).await?;
    let kind = match args.to {
        Some(Format::Csv) => FileKind::Csv,
        Some(Format::Json) => FileKind::Json,
        Some(Format::Parquet) => FileKind::Parquet,
        Some(Format::Table) => {
            return Err(Error::invalid_option("--to", "table", "csv, json or parquet").into());
        }
        None => format_of(&args.output).unwrap_or(FileKind::Parquet),
    };
    let mut options = WriteOptions::default().partition_by(&args.partition_by);
    if let Some(c) = &args.compression {
        options = options.compression(c);
    }
    if args.no_clobber {
        options = options.mode(WriteMode::ErrorIfExists);
    }
    let progress = Progress::start();
    let rows = match kind {
        FileKind::Parquet => frame.to_parquet(&args.output, options).await?,
        FileKind::Csv => frame.to_csv(&args.output, options).await?,
        FileKind::Json => frame.to_json(&args.output, options).await?,
    };
    progress.finish();
    eprintln!("wrote {rows} rows to {} ({kind})", args.output);
    Ok(())
}

async fn demo(session: Session, args: DemoArgs) -> Result<(), Failure> {
    let has_data = std::fs::read_dir(&args.out)
        .map(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "parquet")))
        })
        .unwrap_or(false);
    if has_data && !args.force {
        eprintln!(
            "using the trips already in {}/ (--force regenerates them)",
            args.out.display()
        );
    } else {
        if args.force {
            // Months from an earlier, longer run would otherwise be read with the new ones.
            for entry in std::fs::read_dir(&args.out).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("2024-") && name.ends_with(".parquet") {
                    std::fs::remove_file(entry.path())
                        .map_err(|e| Error::io("cannot remove", entry.path().display(), e))?;
                }
            }
        }
        let started = Instant::now();
        let options = dusk::demo::TripsOptions {
            rows: args.rows,
            months: args.months,
            seed: args.seed,
        };
        let files = dusk::demo::generate_trips(&args.out, &options)?;
        eprintln!(
            "generated {} trips in {} files under {}/ in {:.1}s",
            args.rows,
            files.len(),
            args.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(path) = &args.zones {
        dusk::demo::write_zones(path)?;
    }
    let started = Instant::now();
    let trips = session.read_parquet(&args.out).await?;
    let tips = trips.groupby(["passenger_count"])?.agg([
        ("trips", "tip_amount", "size"),
        ("avg_tip", "tip_amount", "mean"),
    ])?;
    eprintln!("average tip by passenger count:");
    print_table(&tips.collect().await?)?;
    eprintln!("computed in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}
