//! Where data lives: turning the paths, globs and folders a user gives into listed files,
//! hive partition columns and one checked schema.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::execution::SessionState;
use futures::{StreamExt, TryStreamExt};
use object_store::ObjectMeta;

use crate::error::{Error, Result};

/// The inputs of a reader: one path, a glob (`data/2024-*.csv`), a folder, or a list of these.
///
/// Converts from `&str`, `String`, `&Path`, `PathBuf` and vectors or arrays of them, so
/// readers take whichever is at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths(Vec<String>);

impl Paths {
    /// The paths as the user gave them.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl From<&str> for Paths {
    fn from(p: &str) -> Self {
        Paths(vec![p.to_string()])
    }
}
impl From<String> for Paths {
    fn from(p: String) -> Self {
        Paths(vec![p])
    }
}
impl From<&String> for Paths {
    fn from(p: &String) -> Self {
        Paths(vec![p.clone()])
    }
}
impl From<&Path> for Paths {
    fn from(p: &Path) -> Self {
        Paths(vec![p.to_string_lossy().into_owned()])
    }
}
impl From<PathBuf> for Paths {
    fn from(p: PathBuf) -> Self {
        Paths::from(p.as_path())
    }
}
impl From<&PathBuf> for Paths {
    fn from(p: &PathBuf) -> Self {
        Paths::from(p.as_path())
    }
}
impl<S: AsRef<str>> From<Vec<S>> for Paths {
    fn from(ps: Vec<S>) -> Self {
        Paths(ps.iter().map(|p| p.as_ref().to_string()).collect())
    }
}
impl<S: AsRef<str>> From<&[S]> for Paths {
    fn from(ps: &[S]) -> Self {
        Paths(ps.iter().map(|p| p.as_ref().to_string()).collect())
    }
}
impl<S: AsRef<str>, const N: usize> From<[S; N]> for Paths {
    fn from(ps: [S; N]) -> Self {
        Paths(ps.iter().map(|p| p.as_ref().to_string()).collect())
    }
}

/// One data file found by listing, with the input it came from.
#[derive(Debug, Clone)]
pub struct ListedFile {
    /// Index into [`Listing::urls`].
    pub url_index: usize,
    /// The object's location and size.
    pub meta: ObjectMeta,
}

/// The result of listing a reader's inputs.
#[derive(Debug, Clone)]
pub struct Listing {
    /// One URL per input path; globs stay globs, folders end in `/`.
    pub urls: Vec<ListingTableUrl>,
    /// Every data file, in path order.
    pub files: Vec<ListedFile>,
    /// The file extension used to pick data files out of folders and globs ("" for any).
    pub extension: String,
}

impl Listing {
    /// A readable name for a listed file: its path as it appears in its store.
    pub fn display(&self, file: &ListedFile) -> String {
        let url = &self.urls[file.url_index];
        if url.scheme() == "file" {
            format!("/{}", file.meta.location)
        } else {
            format!("{}{}", url.object_store().as_str(), file.meta.location)
        }
    }
}

/// True if `path` contains glob characters.
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Lists the data files of `paths`, failing with [`Error::FileNotFound`] or
/// [`Error::NoFilesMatch`] where an input names nothing.
///
/// `extension` (such as ".parquet") picks data files out of folders and globs; a path that
/// names one file is read whatever its extension.
pub async fn list(state: &SessionState, paths: &Paths, extension: &str) -> Result<Listing> {
    if paths.0.is_empty() {
        return Err(Error::invalid_option(
            "paths",
            "[]",
            "at least one path, glob or folder",
        ));
    }
    let mut urls = Vec::with_capacity(paths.0.len());
    let mut all_single_files = true;
    for path in &paths.0 {
        let url = ListingTableUrl::parse(path).map_err(|e| {
            Error::invalid_option("path", path, format!("a path, glob, folder or URL ({e})"))
        })?;
        all_single_files &= !is_glob(path) && !url.is_collection();
        urls.push(url);
    }
    // Explicitly named files are read whatever their extension; folders and globs only
    // contribute files of the format's extension. DataFusion applies one extension to all
    // inputs, so a mix of named files and folders uses the format's.
    let extension = if all_single_files { "" } else { extension };

    let mut files = Vec::new();
    for (url_index, (url, path)) in urls.iter().zip(&paths.0).enumerate() {
        let store = state.runtime_env().object_store(url)?;
        let mut found: Vec<ObjectMeta> = url
            .list_all_files(state, store.as_ref(), extension)
            .await
            .map_err(|e| not_found_or(e, path))?
            .try_collect()
            .await
            .map_err(|e| not_found_or(e, path))?;
        if found.is_empty() {
            return Err(nothing_found(path, url, extension));
        }
        if !is_glob(path) && !url.is_collection() && !extension.is_empty() {
            let named = found
                .iter()
                .any(|m| m.location.as_ref() == url.prefix().as_ref());
            if named && !url.prefix().as_ref().ends_with(extension) {
                return Err(Error::invalid_option(
                    "path",
                    path,
                    format!(
                        "a file ending in '{extension}' when it is read together with folders or globs"
                    ),
                ));
            }
        }
        found.sort_by(|a, b| a.location.cmp(&b.location));
        files.extend(found.into_iter().map(|meta| ListedFile { url_index, meta }));
    }
    Ok(Listing {
        urls,
        files,
        extension: extension.to_string(),
    })
}

fn not_found_or(err: datafusion::error::DataFusionError, path: &str) -> Error {
    match Error::from(err) {
        Error::FileNotFound { .. } => Error::FileNotFound {
            path: path.to_string(),
        },
        other => other,
    }
}

fn nothing_found(path: &str, url: &ListingTableUrl, extension: &str) -> Error {
    let wanted = if extension.is_empty() {
        "files".to_string()
    } else {
        format!("*{extension} files")
    };
    if is_glob(path) {
        Error::NoFilesMatch {
            pattern: path.to_string(),
            detail: (!extension.is_empty()).then(|| format!("looked for {wanted}")),
        }
    } else if url.scheme() == "file" && Path::new(&format!("/{}", url.prefix())).is_dir() {
        Error::NoFilesMatch {
            pattern: path.to_string(),
            detail: Some(format!("the folder holds no {wanted}")),
        }
    } else {
        Error::FileNotFound {
            path: path.to_string(),
        }
    }
}

/// The folder value Hive, Spark, pyarrow and Dusk write for a missing partition key.
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// A hive partition column found in folder names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiveColumn {
    /// The key, e.g. `year` from `year=2024/`.
    pub name: String,
    /// Int64 when every value is an integer, Utf8 otherwise.
    pub data_type: DataType,
    /// Whether some folder holds [`HIVE_NULL`], a missing key.
    pub has_nulls: bool,
}

/// Hive partition columns (`year=2024/month=01/`) found in the folders of the listed files:
/// the leading run of `key=value` folders, which must be the same keys in every file.
pub fn hive_partitions(listing: &Listing) -> Result<Vec<HiveColumn>> {
    let mut keys: Option<(Vec<String>, String)> = None;
    let mut all_int: Vec<bool> = Vec::new();
    let mut nulls: Vec<bool> = Vec::new();
    for file in &listing.files {
        let url = &listing.urls[file.url_index];
        let Some(segments) = url.strip_prefix(&file.meta.location) else {
            continue;
        };
        let segments: Vec<&str> = segments.collect();
        let folders = &segments[..segments.len().saturating_sub(1)];
        // Only the leading run of `key=value` folders is a partitioning, as DataFusion reads
        // it; a `k=v` folder below an ordinary folder is just a name.
        let pairs: Vec<(&str, &str)> = folders
            .iter()
            .map_while(|s| s.split_once('=').filter(|(k, _)| !k.is_empty()))
            .collect();
        let names: Vec<String> = pairs.iter().map(|(k, _)| k.to_string()).collect();
        match &keys {
            None => {
                all_int = vec![true; names.len()];
                nulls = vec![false; names.len()];
                keys = Some((names, listing.display(file)));
            }
            Some((expected, first)) if *expected != names => {
                return Err(Error::SchemaMismatch {
                    column: "hive partition folders".into(),
                    first_file: first.clone(),
                    first: format!("partitions {expected:?}"),
                    second_file: listing.display(file),
                    second: format!("partitions {names:?}"),
                });
            }
            Some(_) => {}
        }
        for (i, (_, value)) in pairs.iter().enumerate() {
            if *value == HIVE_NULL {
                nulls[i] = true;
            } else if value.parse::<i64>().is_err() {
                all_int[i] = false;
            }
        }
    }
    let Some((names, _)) = keys else {
        return Ok(Vec::new());
    };
    Ok(names
        .into_iter()
        .zip(all_int.into_iter().zip(nulls))
        .map(|(name, (int, has_nulls))| HiveColumn {
            name,
            data_type: if int { DataType::Int64 } else { DataType::Utf8 },
            has_nulls,
        })
        .collect())
}

/// How strictly the schemas of several files must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaRule {
    /// Text formats (CSV): the same columns in the same order; types widen, to text if need be.
    SameColumns,
    /// Self-describing formats (JSON): columns may be missing from some files; numbers
    /// widen, other types must agree.
    Union,
    /// Typed formats (Parquet): columns may be missing; numbers widen, other types must agree.
    StrictUnion,
}

/// Infers each file's schema and merges them under `rule`, naming both files and the
/// column when two disagree.
pub async fn infer_schema(
    state: &SessionState,
    listing: &Listing,
    format: &Arc<dyn FileFormat>,
    rule: SchemaRule,
) -> Result<SchemaRef> {
    // Each future owns what it needs, so that the stream does not borrow the listing.
    let mut tasks = Vec::with_capacity(listing.files.len());
    for file in &listing.files {
        let display = listing.display(file);
        let url = listing.urls[file.url_index].clone();
        let meta = file.meta.clone();
        let format = Arc::clone(format);
        tasks.push(async move {
            if meta.size == 0 {
                return Ok::<_, Error>((display, Arc::new(Schema::empty())));
            }
            let store = state.runtime_env().object_store(&url)?;
            let schema = format
                .infer_schema(state, &store, std::slice::from_ref(&meta))
                .await
                .map_err(|e| describe_read_error(e, &display))?;
            Ok((display, schema))
        });
    }
    let per_file: Vec<(String, SchemaRef)> = futures::stream::iter(tasks)
        .buffered(16)
        .try_collect()
        .await?;
    merge_schemas(&per_file, rule)
}

fn describe_read_error(err: datafusion::error::DataFusionError, file: &str) -> Error {
    match Error::from(err) {
        Error::Execution(m) => Error::Execution(format!("cannot read '{file}': {m}")),
        other => other,
    }
}

/// Merges per-file schemas under `rule`; see [`infer_schema`].
pub fn merge_schemas(per_file: &[(String, SchemaRef)], rule: SchemaRule) -> Result<SchemaRef> {
    let non_empty: Vec<&(String, SchemaRef)> = per_file
        .iter()
        .filter(|(_, s)| !s.fields().is_empty())
        .collect();
    let Some((first_file, first)) = non_empty.first() else {
        return Ok(Arc::new(Schema::empty()));
    };
    // Column name -> (position in output, type, file that fixed the type).
    let mut fields: Vec<(String, DataType, String)> = first
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone(), first_file.clone()))
        .collect();
    let mut index: BTreeMap<String, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, (n, _, _))| (n.clone(), i))
        .collect();

    for (file, schema) in &non_empty[1..] {
        if rule == SchemaRule::SameColumns {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            let expected: Vec<&str> = first.fields().iter().map(|f| f.name().as_str()).collect();
            if names != expected {
                let column = expected
                    .iter()
                    .zip(&names)
                    .find(|(a, b)| a != b)
                    .map(|(a, _)| a.to_string())
                    .or_else(|| expected.get(names.len()).map(|s| s.to_string()))
                    .or_else(|| names.get(expected.len()).map(|s| s.to_string()))
                    .unwrap_or_default();
                return Err(Error::SchemaMismatch {
                    column,
                    first_file: first_file.clone(),
                    first: format!("columns [{}]", expected.join(", ")),
                    second_file: file.clone(),
                    second: format!("columns [{}]", names.join(", ")),
                });
            }
        }
        for field in schema.fields() {
            match index.get(field.name()) {
                None => {
                    index.insert(field.name().clone(), fields.len());
                    fields.push((
                        field.name().clone(),
                        field.data_type().clone(),
                        file.clone(),
                    ));
                }
                Some(&i) => {
                    let (name, ty, origin) = &fields[i];
                    let merged = widen(ty, field.data_type(), rule).ok_or_else(|| {
                        Error::SchemaMismatch {
                            column: name.clone(),
                            first_file: origin.clone(),
                            first: ty.to_string(),
                            second_file: file.clone(),
                            second: field.data_type().to_string(),
                        }
                    })?;
                    fields[i].1 = merged;
                }
            }
        }
    }
    Ok(Arc::new(Schema::new(
        fields
            .into_iter()
            .map(|(name, ty, _)| {
                // A text column empty in every sampled row is inferred as Null, and would be
                // read as all-missing, losing later values: read it as text instead.
                let ty = if ty == DataType::Null && rule != SchemaRule::StrictUnion {
                    DataType::Utf8
                } else {
                    ty
                };
                Field::new(name, ty, true)
            })
            .collect::<Vec<_>>(),
    )))
}

/// The type both `a` and `b` convert to without loss, if there is one under `rule`.
fn widen(a: &DataType, b: &DataType, rule: SchemaRule) -> Option<DataType> {
    use DataType::*;
    if a == b {
        return Some(a.clone());
    }
    let text = |t: &DataType| matches!(t, Utf8 | LargeUtf8 | Utf8View);
    match (a, b) {
        (Null, t) | (t, Null) => Some(t.clone()),
        (x, y) if x.is_integer() && y.is_integer() => Some(Int64),
        (x, y) if x.is_numeric() && y.is_numeric() => Some(Float64),
        (x, y) if text(x) && text(y) => Some(Utf8),
        (x, y) if rule == SchemaRule::SameColumns && (text(x) || text(y)) => Some(Utf8),
        _ => None,
    }
}

/// Guesses a file format from a path's extension, looking through compression suffixes.
pub fn format_of(path: &str) -> Option<FileKind> {
    let lower = path.trim_end_matches('/').to_ascii_lowercase();
    let lower = [".gz", ".bz2", ".xz", ".zst", ".zstd"]
        .iter()
        .find_map(|c| lower.strip_suffix(c))
        .unwrap_or(&lower);
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "parquet" | "pq" => Some(FileKind::Parquet),
        "csv" | "tsv" | "txt" => Some(FileKind::Csv),
        "json" | "jsonl" | "ndjson" => Some(FileKind::Json),
        _ => None,
    }
}

/// The file formats Dusk reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Comma- (or otherwise) separated values.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON, one object per line.
    Json,
}

impl FileKind {
    /// The extension of data files of this format, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Csv => ".csv",
            FileKind::Parquet => ".parquet",
            FileKind::Json => ".json",
        }
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Csv => "csv",
            FileKind::Parquet => "parquet",
            FileKind::Json => "json",
        })
    }
}

impl std::str::FromStr for FileKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(FileKind::Csv),
            "parquet" | "pq" => Ok(FileKind::Parquet),
            "json" | "jsonl" | "ndjson" => Ok(FileKind::Json),
            _ => Err(Error::invalid_option("format", s, "csv, parquet or json")),
        }
    }
}

/// Detects the format of `path`: from its extension, or for a folder or glob, from the
/// first data file inside it.
pub async fn detect_format(state: &SessionState, path: &str) -> Result<FileKind> {
    if let Some(kind) = format_of(path) {
        return Ok(kind);
    }
    let listing = list(state, &Paths::from(path), "").await?;
    listing
        .files
        .iter()
        .find_map(|f| format_of(f.meta.location.as_ref()))
        .ok_or_else(|| {
            Error::invalid_option(
                "path",
                path,
                "a .csv, .parquet or .json file, or a folder holding them",
            )
        })
}
