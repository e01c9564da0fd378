//! Writers: Parquet, CSV and JSON to a file or a (hive-partitioned) folder, atomically.
//!
//! Output is written under a hidden temporary name next to the target and renamed into
//! place only when every file is complete, so a failed or interrupted write never leaves a
//! half-written target behind, and an overwritten target stays intact until the new one
//! is whole.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::{Array, UInt64Array};
use datafusion::common::parsers::CompressionTypeVariant;
use datafusion::config::{CsvOptions, JsonOptions, TableParquetOptions};
use datafusion::dataframe::{DataFrame, DataFrameWriteOptions};

use arrow::datatypes::DataType;
use datafusion::functions::expr_fn::coalesce;
use datafusion::logical_expr::{Expr, cast, ident, lit};

use crate::error::{Error, Result};
use crate::storage::{FileKind, HIVE_NULL, format_of};

/// What to do when the target already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// Replace it, as pandas does (the old output stays intact until the new one is complete).
    #[default]
    Overwrite,
    /// Fail with [`Error::AlreadyExists`].
    ErrorIfExists,
}

/// Options for writing a frame.
///
/// ```
/// use dusk_engine::write::{WriteOptions, WriteMode};
/// let options = WriteOptions::default()
///     .partition_by(["year", "month"])
///     .compression("zstd")
///     .mode(WriteMode::ErrorIfExists);
/// assert_eq!(options.partition_by, vec!["year", "month"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Columns whose values become hive folders (`year=2024/`); they leave the files.
    pub partition_by: Vec<String>,
    /// Compression: for Parquet `snappy`, `zstd`, `gzip`, `lz4`, `brotli` or `none`
    /// (default `zstd`); for CSV and JSON `gzip`, `bzip2`, `xz`, `zstd` or `none` (default).
    pub compression: Option<String>,
    /// Overwrite (default) or fail if the target exists.
    pub mode: WriteMode,
    /// One file (true) or a folder of files (false). By default a target whose name ends
    /// in the format's extension is one file, and anything else (or a partitioned write)
    /// is a folder.
    pub single_file: Option<bool>,
    /// For CSV: the field delimiter (default `,`).
    pub delimiter: Option<u8>,
    /// For CSV: whether to write a header row (default true).
    pub header: Option<bool>,
}

impl WriteOptions {
    /// Sets the hive partition columns.
    pub fn partition_by<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.partition_by = columns
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self
    }
    /// Sets the compression.
    pub fn compression(mut self, compression: impl Into<String>) -> Self {
        self.compression = Some(compression.into());
        self
    }
    /// Sets the write mode.
    pub fn mode(mut self, mode: WriteMode) -> Self {
        self.mode = mode;
        self
    }
    /// Forces one file or a folder.
    pub fn single_file(mut self, single: bool) -> Self {
        self.single_file = Some(single);
        self
    }
    /// Sets the CSV delimiter.
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }
    /// Sets whether CSV output has a header row.
    pub fn header(mut self, header: bool) -> Self {
        self.header = Some(header);
        self
    }
}

/// Runs `frame` and writes its rows to `target` as `kind`; returns the number of rows written.
pub async fn write(
    frame: DataFrame,
    target: &str,
    kind: FileKind,
    options: &WriteOptions,
) -> Result<u64> {
    let columns: Vec<String> = frame
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    for column in &options.partition_by {
        if !columns.contains(column) {
            return Err(Error::column_not_found(column, &columns));
        }
    }
    if !options.partition_by.is_empty() && options.partition_by.len() == columns.len() {
        return Err(Error::invalid_option(
            "partition_by",
            options.partition_by.join(","),
            "fewer columns than the frame has, so that the files keep at least one",
        ));
    }
    let single_file = match options.single_file {
        Some(true) if !options.partition_by.is_empty() => {
            return Err(Error::invalid_option(
                "single_file",
                true,
                "false when partition_by is set",
            ));
        }
        Some(single) => single,
        None => options.partition_by.is_empty() && format_of(target) == Some(kind),
    };

    let mut options = options.clone();
    if options.compression.is_none() && kind != FileKind::Parquet {
        options.compression = compression_of_name(target).map(str::to_string);
    }
    let options = &options;
    let frame = if options.partition_by.is_empty() {
        frame
    } else {
        // DataFusion writes a missing key as 0 or "" (indistinguishable from real values);
        // Dusk writes the folder Hive and pyarrow use for it, and reads it back as missing.
        let exprs: Vec<Expr> = columns
            .iter()
            .map(|c| {
                if options.partition_by.contains(c) {
                    coalesce(vec![cast(ident(c), DataType::Utf8), lit(HIVE_NULL)]).alias(c)
                } else {
                    ident(c)
                }
            })
            .collect();
        frame.select(exprs)?
    };
    match stage(target, options.mode, single_file)? {
        Some(staged) => {
            let rows = run_write(frame, &staged.temp_url(), kind, options, single_file).await?;
            staged.commit()?;
            Ok(rows)
        }
        // Object stores commit each object atomically when its upload completes.
        None => run_write(frame, target, kind, options, single_file).await,
    }
}

/// Output being written under a temporary name, to be moved into place by [`Staged::commit`].
///
/// Dropping it without committing removes the partial output.
#[derive(Debug)]
pub struct Staged {
    temp: Scratch,
    target: PathBuf,
    shown: String,
    mode: WriteMode,
    single_file: bool,
}

/// Prepares an atomic write to the local `target`: checks the mode, creates the parent
/// folder and picks a hidden temporary name beside the target. Returns `None` for
/// object-store URLs, whose objects appear atomically anyway.
pub fn stage(target: &str, mode: WriteMode, single_file: bool) -> Result<Option<Staged>> {
    let Some(target_path) = local_path(target) else {
        return Ok(None);
    };
    if mode == WriteMode::ErrorIfExists && target_path.symlink_metadata().is_ok() {
        return Err(Error::AlreadyExists {
            path: target.to_string(),
        });
    }
    let parent = match target_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| Error::io("cannot create folder", parent.display(), e))?;
    let name = target_path
        .file_name()
        .ok_or_else(|| Error::invalid_option("target", target, "a file or folder name"))?
        .to_string_lossy()
        .into_owned();
    let temp = Scratch::new(parent.join(format!(".dusk-tmp-{}-{name}", unique())));
    Ok(Some(Staged {
        temp,
        target: target_path,
        shown: target.to_string(),
        mode,
        single_file,
    }))
}

impl Staged {
    /// The temporary location to write to: a file path, or a folder path ending in `/`.
    pub fn temp_url(&self) -> String {
        let temp = self.temp.path.to_string_lossy().into_owned();
        if self.single_file {
            temp
        } else {
            format!("{temp}/")
        }
    }

    /// Moves the finished output into place, replacing an existing target if the mode allows.
    pub fn commit(self) -> Result<()> {
        if !self.single_file && !self.temp.path.exists() {
            // A folder write of zero rows writes no files; the target is still an empty folder.
            std::fs::create_dir_all(&self.temp.path)
                .map_err(|e| Error::io("cannot create folder", self.temp.path.display(), e))?;
        }
        commit(&self.temp, &self.target, self.mode, &self.shown)
    }
}

/// Whether DataFusion writes `target` as one file: a name with an extension and no trailing `/`.
pub fn is_single_file_target(target: &str) -> bool {
    if target.ends_with('/') {
        return false;
    }
    let name = target.rsplit('/').next().unwrap_or(target);
    matches!(name.rsplit_once('.'), Some((stem, ext)) if !stem.is_empty() && !ext.is_empty())
}

async fn run_write(
    frame: DataFrame,
    path: &str,
    kind: FileKind,
    options: &WriteOptions,
    single_file: bool,
) -> Result<u64> {
    let write_options = DataFrameWriteOptions::new()
        .with_partition_by(options.partition_by.clone())
        .with_single_file_output(single_file);
    let batches = match kind {
        FileKind::Parquet => {
            let mut parquet = TableParquetOptions::default();
            if let Some(c) = &options.compression {
                parquet.global.compression = Some(parquet_compression(c)?);
            }
            frame
                .write_parquet(path, write_options, Some(parquet))
                .await?
        }
        FileKind::Csv => {
            let mut csv = CsvOptions::default()
                .with_has_header(options.header.unwrap_or(true))
                .with_delimiter(options.delimiter.unwrap_or(b','));
            // Arrow's own formats, spelled out: a plan sent to a cluster carries unset
            // formats as empty strings, which would write every date and time as "".
            csv.date_format = Some("%Y-%m-%d".into());
            csv.datetime_format = Some("%Y-%m-%dT%H:%M:%S%.f".into());
            csv.timestamp_format = Some("%Y-%m-%dT%H:%M:%S%.f".into());
            csv.time_format = Some("%H:%M:%S%.f".into());
            if let Some(c) = &options.compression {
                csv.compression = text_compression(c)?;
            }
            frame.write_csv(path, write_options, Some(csv)).await?
        }
        FileKind::Json => {
            let mut json = JsonOptions::default();
            if let Some(c) = &options.compression {
                json.compression = text_compression(c)?;
            }
            frame.write_json(path, write_options, Some(json)).await?
        }
    };
    Ok(batches
        .iter()
        .filter_map(|b| b.column(0).as_any().downcast_ref::<UInt64Array>())
        .filter(|a| !a.is_empty())
        .map(|a| a.value(0))
        .sum())
}

/// The compression named by a file name's last extension (`.gz`, `.bz2`, `.xz`, `.zst`).
fn compression_of_name(target: &str) -> Option<&'static str> {
    let lower = target.trim_end_matches('/').to_ascii_lowercase();
    [
        (".gz", "gzip"),
        (".bz2", "bzip2"),
        (".xz", "xz"),
        (".zst", "zstd"),
        (".zstd", "zstd"),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext))
    .map(|(_, name)| name)
}

fn parquet_compression(value: &str) -> Result<String> {
    let lower = value.to_ascii_lowercase();
    let name = lower.split('(').next().unwrap_or("");
    match name {
        "none" | "uncompressed" => Ok("uncompressed".into()),
        "snappy" | "lz4" | "lz4_raw" => Ok(lower),
        "zstd" | "gzip" | "brotli" if lower.contains('(') => Ok(lower),
        "zstd" => Ok("zstd(3)".into()),
        "gzip" => Ok("gzip(6)".into()),
        "brotli" => Ok("brotli(4)".into()),
        _ => Err(Error::invalid_option(
            "compression",
            value,
            "snappy, zstd, gzip, lz4, brotli or none for Parquet",
        )),
    }
}

fn text_compression(value: &str) -> Result<CompressionTypeVariant> {
    match value.to_ascii_lowercase().as_str() {
        "none" | "uncompressed" => Ok(CompressionTypeVariant::UNCOMPRESSED),
        "gzip" | "gz" => Ok(CompressionTypeVariant::GZIP),
        "bzip2" | "bz2" => Ok(CompressionTypeVariant::BZIP2),
        "xz" => Ok(CompressionTypeVariant::XZ),
        "zstd" | "zst" => Ok(CompressionTypeVariant::ZSTD),
        _ => Err(Error::invalid_option(
            "compression",
            value,
            "gzip, bzip2, xz, zstd or none for CSV and JSON",
        )),
    }
}

/// The local path of `target`, or `None` for an object-store URL.
fn local_path(target: &str) -> Option<PathBuf> {
    if let Some(rest) = target.strip_prefix("file://") {
        return Some(PathBuf::from(rest));
    }
    match url::Url::parse(target) {
        Ok(url) if url.scheme().len() > 1 => None,
        _ => Some(PathBuf::from(target)),
    }
}

fn unique() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary file or folder, removed on drop unless it was moved into place.
#[derive(Debug)]
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(path: PathBuf) -> Self {
        Scratch { path }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        remove(&self.path);
    }
}

fn remove(path: &Path) {
    let _ = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
}

/// Moves the finished output into place. An existing target is first renamed aside, so
/// that at every moment either the old or the new output is complete under its name.
fn commit(temp: &Scratch, target: &Path, mode: WriteMode, shown: &str) -> Result<()> {
    if target.symlink_metadata().is_ok() {
        if mode == WriteMode::ErrorIfExists {
            return Err(Error::AlreadyExists {
                path: shown.to_string(),
            });
        }
        if target.is_file() && temp.path.is_file() {
            // rename(2) replaces a file atomically.
            return std::fs::rename(&temp.path, target)
                .map_err(|e| Error::io("cannot move output into place at", shown, e));
        }
        let parent = target.parent().unwrap_or(Path::new("."));
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let old = Scratch::new(parent.join(format!(".dusk-old-{}-{name}", unique())));
        std::fs::rename(target, &old.path)
            .map_err(|e| Error::io("cannot move aside the old output at", shown, e))?;
        if let Err(e) = std::fs::rename(&temp.path, target) {
            // Put the old output back; the new one is dropped with `temp`.
            let _ = std::fs::rename(&old.path, target);
            return Err(Error::io("cannot move output into place at", shown, e));
        }
        return Ok(());
    }
    std::fs::rename(&temp.path, target)
        .map_err(|e| Error::io("cannot move output into place at", shown, e))
}
