//! Streaming results to stdout or a file as a table, CSV, JSON or Parquet, with a spinner.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use arrow::array::RecordBatch;
use arrow::error::ArrowError;
use dusk::DataFrame;
use dusk::engine::write::{Staged, WriteMode, stage};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Failure;
use crate::args::{Format, OutputArgs};

/// Where rows go, in which format.
pub struct Sink {
    format: Format,
    target: Target,
    max_rows: usize,
}

enum Target {
    Stdout,
    File { staged: Staged, temp: PathBuf },
}

impl Sink {
    /// The sink described by the output flags.
    pub fn new(args: &OutputArgs) -> Result<Sink, Failure> {
        let format = match (args.format, &args.output) {
            (Some(f), _) => f,
            (None, Some(path)) => format_of(path).unwrap_or(Format::Table),
            (None, None) => Format::Table,
        };
        if format == Format::Parquet && args.output.is_none() && io::stdout().is_terminal() {
            return Err(Failure::from(dusk::Error::invalid_option(
                "--format",
                "parquet",
                "an output file (-o FILE) or a pipe; Parquet is binary",
            )));
        }
        let target = match &args.output {
            None => Target::Stdout,
            Some(path) => {
                let shown = path.to_string_lossy().into_owned();
                let staged = stage(&shown, WriteMode::Overwrite, true)?.ok_or_else(|| {
                    dusk::Error::invalid_option("-o", &shown, "a local file path")
                })?;
                let temp = PathBuf::from(staged.temp_url());
                Target::File { staged, temp }
            }
        };
        Ok(Sink {
            format,
            target,
            max_rows: args.max_rows,
        })
    }

    /// A table on stdout showing at most `max_rows` rows.
    pub fn table(max_rows: usize) -> Sink {
        Sink {
            format: Format::Table,
            target: Target::Stdout,
            max_rows,
        }
    }

    /// A sink of `format` on stdout.
    pub fn stdout(format: Format, max_rows: usize) -> Sink {
        Sink {
            format,
            target: Target::Stdout,
            max_rows,
        }
    }

    /// Runs `frame` and streams its rows into the sink; returns the number of rows.
    pub async fn write(self, frame: DataFrame) -> Result<u64, Failure> {
        let progress = Progress::start();
        let schema = frame.schema();
        let mut stream = frame.execute_stream().await?;
        let (writer, file_target): (Box<dyn Write + Send>, _) = match self.target {
            Target::Stdout => (Box::new(io::stdout()), None),
            Target::File { staged, temp } => {
                let file = File::create(&temp).map_err(|e| io_failure(e, &temp))?;
                (Box::new(file), Some((staged, temp)))
            }
        };
        let closed = Arc::new(AtomicBool::new(false));
        let writer = PipeWatch {
            inner: BufWriter::with_capacity(1 << 16, writer),
            closed: Arc::clone(&closed),
        };
        // Encoders (CSV, Parquet) turn a write error into text; the watch remembers that it
        // was a closed pipe, which is not an error.
        let quiet = |failure: Failure| {
            if closed.load(Ordering::Relaxed) {
                Failure::BrokenPipe
            } else {
                failure
            }
        };
        let mut out = Encoder::new(self.format, writer, schema, self.max_rows)?;
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            let batch = batch.map_err(dusk::Error::from)?;
            rows += batch.num_rows() as u64;
            progress.rows(rows);
            out.push(&batch).map_err(quiet)?;
        }
        progress.finish();
        out.finish(rows).map_err(quiet)?;
        if let Some((staged, _)) = file_target {
            staged.commit()?;
        }
        Ok(rows)
    }
}

/// A writer that records whether the reader closed the pipe.
struct PipeWatch<W: Write> {
    inner: W,
    closed: Arc<AtomicBool>,
}

impl<W: Write> PipeWatch<W> {
    fn watch<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.closed.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl<W: Write> Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.watch(result)
    }
    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.watch(result)
    }
}

fn format_of(path: &Path) -> Option<Format> {
    match dusk::engine::storage::format_of(&path.to_string_lossy())? {
        dusk::FileKind::Csv => Some(Format::Csv),
        dusk::FileKind::Json => Some(Format::Json),
        dusk::FileKind::Parquet => Some(Format::Parquet),
    }
}

/// Encodes batches in one format.
enum Encoder<W: Write + Send> {
    Table {
        out: W,
        shown: Vec<RecordBatch>,
        shown_rows: usize,
        max_rows: usize,
    },
    Csv(arrow::csv::Writer<W>),
    Json(arrow::json::LineDelimitedWriter<W>),
    Parquet(parquet::arrow::ArrowWriter<W>),
}

impl<W: Write + Send> Encoder<W> {
    fn new(
        format: Format,
        out: W,
        schema: arrow::datatypes::SchemaRef,
        max_rows: usize,
    ) -> Result<Self, Failure> {
        Ok(match format {
            Format::Table => Encoder::Table {
                out,
                shown: Vec::new(),
                shown_rows: 0,
                max_rows,
            },
            Format::Csv => Encoder::Csv(
                arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(out),
            ),
            Format::Json => Encoder::Json(arrow::json::LineDelimitedWriter::new(out)),
            Format::Parquet => Encoder::Parquet(
                parquet::arrow::ArrowWriter::try_new(out, schema, None)
                    .map_err(dusk::Error::from)?,
            ),
        })
    }

    fn push(&mut self, batch: &RecordBatch) -> Result<(), Failure> {
        match self {
            Encoder::Table {
                out,
                shown,
                shown_rows,
                max_rows,
            } => {
                if *max_rows == 0 {
                    // Show everything, one table per batch, so memory stays bounded.
                    if batch.num_rows() > 0 {
                        let text =
                            arrow::util::pretty::pretty_format_batches(std::slice::from_ref(batch))
                                .map_err(arrow_failure)?;
                        writeln!(out, "{text}").map_err(stdout_failure)?;
                    }
                } else if *shown_rows < *max_rows {
                    let take = (*max_rows - *shown_rows).min(batch.num_rows());
                    shown.push(batch.slice(0, take));
                    *shown_rows += take;
                }
                Ok(())
            }
            Encoder::Csv(w) => w.write(batch).map_err(arrow_failure),
            Encoder::Json(w) => w.write(batch).map_err(arrow_failure),
            Encoder::Parquet(w) => w.write(batch).map_err(|e| dusk::Error::from(e).into()),
        }
    }

    fn finish(self, total_rows: u64) -> Result<(), Failure> {
        match self {
            Encoder::Table {
                mut out,
                shown,
                shown_rows,
                max_rows,
            } => {
                if max_rows != 0 {
                    let text = arrow::util::pretty::pretty_format_batches(&shown)
                        .map_err(arrow_failure)?;
                    writeln!(out, "{text}").map_err(stdout_failure)?;
                    let plural = if total_rows == 1 { "" } else { "s" };
                    if total_rows as usize > shown_rows {
                        writeln!(
                            out,
                            "{total_rows} row{plural} ({shown_rows} shown; --max-rows 0 shows all)"
                        )
                    } else {
                        writeln!(out, "{total_rows} row{plural}")
                    }
                    .map_err(stdout_failure)?;
                }
                out.flush().map_err(stdout_failure)
            }
            Encoder::Csv(w) => w.into_inner().flush().map_err(stdout_failure),
            Encoder::Json(mut w) => {
                w.finish().map_err(arrow_failure)?;
                w.into_inner().flush().map_err(stdout_failure)
            }
            Encoder::Parquet(w) => {
                let mut inner = w.into_inner().map_err(dusk::Error::from)?;
                inner.flush().map_err(stdout_failure)
            }
        }
    }
}

fn io_failure(e: io::Error, path: &Path) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::from(dusk::Error::io("cannot write", path.display(), e))
    }
}

fn stdout_failure(e: io::Error) -> Failure {
    io_failure(e, Path::new("the output"))
}

fn arrow_failure(e: ArrowError) -> Failure {
    match e {
        ArrowError::IoError(_, io) => stdout_failure(io),
        ArrowError::ExternalError(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => stdout_failure(*io),
            Err(other) => Failure::from(dusk::Error::Execution(other.to_string())),
        },
        other => Failure::from(dusk::Error::from(other)),
    }
}

/// A spinner on stderr showing elapsed time and rows, shown only after a second and only
/// when stderr is a terminal.
pub struct Progress {
    bar: ProgressBar,
    reveal: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Starts timing; the spinner appears after one second if the work is still running.
    pub fn start() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message("0 rows");
        let reveal = io::stderr().is_terminal().then(|| {
            let bar = bar.clone();
            let started = Instant::now();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1).saturating_sub(started.elapsed())).await;
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(100));
            })
        });
        Progress { bar, reveal }
    }

    /// Records the rows produced so far.
    pub fn rows(&self, rows: u64) {
        self.bar.set_message(format!("{rows} rows"));
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(reveal) = &self.reveal {
            reveal.abort();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
