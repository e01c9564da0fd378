//! Readers: options for CSV, Parquet and JSON, and the scan that turns files into a table.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::catalog::default_table_source::provider_as_source;
use datafusion::catalog::view::ViewTable;
use datafusion::common::GetExt;
use datafusion::common::ScalarValue;
use datafusion::common::parsers::CompressionTypeVariant;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig};
use datafusion::execution::SessionState;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, cast, ident, lit, when};

use crate::error::{Error, Result};
use crate::storage::{self, FileKind, Paths, SchemaRule};

/// The values pandas' `read_csv` treats as missing by default.
pub const PANDAS_NULLS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// Options for reading CSV files.
///
/// The defaults: a header row, `,` between fields, `"` around quoted fields, empty fields
/// read as missing, and types inferred from the first 1000 rows of each file. pandas also
/// reads `NA`, `NULL`, `NaN` and a few more as missing; pass
/// `.null_values(PANDAS_NULLS)` for exactly its set. Empty fields are always missing.
///
/// ```
/// use dusk_engine::read::CsvReadOptions;
/// use arrow::datatypes::DataType;
/// let options = CsvReadOptions::default()
///     .delimiter(b';')
///     .null_values(["", "-"])
///     .dtype("zip", DataType::Utf8)
///     .infer_rows(100);
/// assert_eq!(options.delimiter, b';');
/// ```
#[derive(Debug, Clone)]
pub struct CsvReadOptions {
    /// The byte between fields.
    pub delimiter: u8,
    /// Whether the first row holds column names (otherwise columns are `column_1`, ...).
    pub header: bool,
    /// The byte around quoted fields.
    pub quote: u8,
    /// The escape byte inside quoted fields, if any.
    pub escape: Option<u8>,
    /// Field values read as missing (empty fields always are).
    pub null_values: Vec<String>,
    /// Types for named columns, overriding inference.
    pub dtypes: Vec<(String, DataType)>,
    /// How many rows of each file are read to infer column types.
    pub infer_rows: usize,
    /// Compression of the files; by default guessed from the extension.
    pub compression: Option<String>,
    /// The extension of data files inside folders and globs (default `.csv`).
    pub file_extension: Option<String>,
}

impl Default for CsvReadOptions {
    fn default() -> Self {
        CsvReadOptions {
            delimiter: b',',
            header: true,
            quote: b'"',
            escape: None,
            null_values: vec![String::new()],
            dtypes: Vec::new(),
            infer_rows: 1000,
            compression: None,
            file_extension: None,
        }
    }
}

impl CsvReadOptions {
    /// Sets the field delimiter, e.g. `b'\t'` for TSV.
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }
    /// Sets whether the first row is a header.
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }
    /// Sets the quote byte.
    pub fn quote(mut self, quote: u8) -> Self {
        self.quote = quote;
        self
    }
    /// Sets the escape byte.
    pub fn escape(mut self, escape: u8) -> Self {
        self.escape = Some(escape);
        self
    }
    /// Replaces the missing-value markers.
    pub fn null_values<S: AsRef<str>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.null_values = values.into_iter().map(|s| s.as_ref().to_string()).collect();
        self
    }
    /// Fixes the type of one column instead of inferring it.
    pub fn dtype(mut self, column: impl Into<String>, data_type: DataType) -> Self {
        self.dtypes.push((column.into(), data_type));
        self
    }
    /// Sets how many rows per file are used for type inference.
    pub fn infer_rows(mut self, rows: usize) -> Self {
        self.infer_rows = rows;
        self
    }
    /// Sets the compression (`gzip`, `bzip2`, `xz`, `zstd` or `none`).
    pub fn compression(mut self, compression: impl Into<String>) -> Self {
        self.compression = Some(compression.into());
        self
    }
    /// Sets the extension of data files inside folders and globs.
    pub fn file_extension(mut self, extension: impl Into<String>) -> Self {
        self.file_extension = Some(extension.into());
        self
    }

    /// True if missing-value markers other than the empty field are set.
    fn has_custom_nulls(&self) -> bool {
        self.null_values.iter().any(|v| !v.is_empty())
    }

    fn null_regex(&self) -> Option<String> {
        if self.null_values.is_empty() {
            return None;
        }
        let alternatives: Vec<String> = self.null_values.iter().map(|v| regex::escape(v)).collect();
        Some(format!("^(?:{})$", alternatives.join("|")))
    }
}

/// Options for reading Parquet files.
#[derive(Debug, Clone, Default)]
pub struct ParquetReadOptions {
    /// The extension of data files inside folders and globs (default `.parquet`).
    pub file_extension: Option<String>,
}

/// Options for reading newline-delimited JSON files.
#[derive(Debug, Clone)]
pub struct JsonReadOptions {
    /// How many lines of each file are read to infer column types.
    pub infer_rows: usize,
    /// Compression of the files; by default guessed from the extension.
    pub compression: Option<String>,
    /// The extension of data files inside folders and globs (default `.json`).
    pub file_extension: Option<String>,
}

impl Default for JsonReadOptions {
    fn default() -> Self {
        JsonReadOptions {
            infer_rows: 1000,
            compression: None,
            file_extension: None,
        }
    }
}

/// A reader's format and its options.
#[derive(Debug, Clone)]
pub enum ReadFormat {
    /// CSV with its options.
    Csv(CsvReadOptions),
    /// Parquet with its options.
    Parquet(ParquetReadOptions),
    /// Newline-delimited JSON with its options.
    Json(JsonReadOptions),
}

impl ReadFormat {
    /// The format with default options.
    pub fn default_for(kind: FileKind) -> ReadFormat {
        match kind {
            FileKind::Csv => ReadFormat::Csv(CsvReadOptions::default()),
            FileKind::Parquet => ReadFormat::Parquet(ParquetReadOptions::default()),
            FileKind::Json => ReadFormat::Json(JsonReadOptions::default()),
        }
    }
}

fn parse_compression(value: &str) -> Result<FileCompressionType> {
    let variant = match value.to_ascii_lowercase().as_str() {
        "none" | "uncompressed" | "" => CompressionTypeVariant::UNCOMPRESSED,
        "gzip" | "gz" => CompressionTypeVariant::GZIP,
        "bzip2" | "bz2" => CompressionTypeVariant::BZIP2,
        "xz" => CompressionTypeVariant::XZ,
        "zstd" | "zst" => CompressionTypeVariant::ZSTD,
        _ => {
            return Err(Error::invalid_option(
                "compression",
                value,
                "none, gzip, bzip2, xz or zstd",
            ));
        }
    };
    Ok(FileCompressionType::from(variant))
}

/// The compression implied by a path's last extension.
fn compression_of(path: &str) -> FileCompressionType {
    let lower = path.trim_end_matches('/').to_ascii_lowercase();
    let variant = if lower.ends_with(".gz") {
        CompressionTypeVariant::GZIP
    } else if lower.ends_with(".bz2") {
        CompressionTypeVariant::BZIP2
    } else if lower.ends_with(".xz") {
        CompressionTypeVariant::XZ
    } else if lower.ends_with(".zst") || lower.ends_with(".zstd") {
        CompressionTypeVariant::ZSTD
    } else {
        CompressionTypeVariant::UNCOMPRESSED
    };
    FileCompressionType::from(variant)
}

/// Lists `paths`, checks that their schemas agree and returns a table over all of them,
/// with hive partition folders as extra columns.
pub async fn table(
    state: &SessionState,
    paths: &Paths,
    format: &ReadFormat,
) -> Result<Arc<dyn TableProvider>> {
    let first = paths.as_slice().first().map(String::as_str).unwrap_or("");
    // The compression: as given, else from the path's extension; for a folder or glob
    // without one, the first of plain, gzip, bzip2, xz and zstd files that exist.
    let (explicit, base) = match format {
        ReadFormat::Csv(o) => (
            o.compression.as_deref(),
            o.file_extension.clone().unwrap_or_else(|| ".csv".into()),
        ),
        ReadFormat::Json(o) => (
            o.compression.as_deref(),
            o.file_extension.clone().unwrap_or_else(|| ".json".into()),
        ),
        ReadFormat::Parquet(o) => (
            None,
            o.file_extension
                .clone()
                .unwrap_or_else(|| ".parquet".into()),
        ),
    };
    let candidates: Vec<FileCompressionType> = match (format, explicit) {
        (ReadFormat::Parquet(_), _) => vec![FileCompressionType::UNCOMPRESSED],
        (_, Some(c)) => vec![parse_compression(c)?],
        (_, None) if compression_of(first) != FileCompressionType::UNCOMPRESSED => {
            vec![compression_of(first)]
        }
        (_, None) => [
            CompressionTypeVariant::UNCOMPRESSED,
            CompressionTypeVariant::GZIP,
            CompressionTypeVariant::BZIP2,
            CompressionTypeVariant::XZ,
            CompressionTypeVariant::ZSTD,
        ]
        .into_iter()
        .map(FileCompressionType::from)
        .collect(),
    };
    let mut found = None;
    let mut first_error = None;
    for compression in candidates {
        let extension = format!("{base}{}", compression.get_ext());
        match storage::list(state, paths, &extension).await {
            Ok(listing) => {
                found = Some((listing, compression));
                break;
            }
            Err(e @ Error::NoFilesMatch { .. }) => {
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    let Some((listing, compression)) = found else {
        return Err(first_error.unwrap_or_else(|| Error::Internal("no compression tried".into())));
    };

    let (file_format, rule, dtypes): (Arc<dyn FileFormat>, SchemaRule, _) = match format {
        ReadFormat::Csv(o) => {
            let csv = CsvFormat::default()
                .with_options(state.table_options().csv.clone())
                .with_has_header(o.header)
                .with_delimiter(o.delimiter)
                .with_quote(o.quote)
                .with_escape(o.escape)
                .with_schema_infer_max_rec(o.infer_rows.max(1))
                .with_file_compression_type(compression)
                .with_null_regex(o.null_regex());
            (Arc::new(csv), SchemaRule::SameColumns, o.dtypes.clone())
        }
        ReadFormat::Parquet(_) => {
            let parquet =
                ParquetFormat::default().with_options(state.table_options().parquet.clone());
            (Arc::new(parquet), SchemaRule::StrictUnion, vec![])
        }
        ReadFormat::Json(o) => {
            let json = JsonFormat::default()
                .with_options(state.table_options().json.clone())
                .with_schema_infer_max_rec(o.infer_rows.max(1))
                .with_file_compression_type(compression);
            (Arc::new(json), SchemaRule::Union, vec![])
        }
    };

    let mut schema = storage::infer_schema(state, &listing, &file_format, rule).await?;
    if !dtypes.is_empty() {
        schema = apply_dtypes(&schema, &dtypes)?;
    }
    let mut hive = storage::hive_partitions(&listing)?;
    // A key that the files also hold as a column: the files' own values win, and the
    // folders from that level down are not used as columns.
    if let Some(clash) = hive
        .iter()
        .position(|h| schema.field_with_name(&h.name).is_ok())
    {
        hive.truncate(clash);
    }
    // Folders are parsed as their type by DataFusion, which cannot parse the missing-key
    // marker as a number: such columns are read as text and converted below.
    let partitions: Vec<(String, DataType)> = hive
        .iter()
        .map(|h| {
            let ty = if h.has_nulls {
                DataType::Utf8
            } else {
                h.data_type.clone()
            };
            (h.name.clone(), ty)
        })
        .collect();
    let options = ListingOptions::new(file_format)
        .with_file_extension(listing.extension.clone())
        .with_table_partition_cols(partitions);

    let markers = match format {
        ReadFormat::Csv(o) if o.has_custom_nulls() => Some(o.null_values.clone()),
        _ => None,
    };
    let null_keys = hive.iter().any(|h| h.has_nulls);
    if markers.is_none() && !null_keys {
        let config = ListingTableConfig::new_with_multi_paths(listing.urls.clone())
            .with_listing_options(options)
            .with_schema(schema);
        return Ok(Arc::new(ListingTable::try_new(config)?));
    }

    // DataFusion 55 uses a CSV null regex to infer types but not to read values, so with
    // custom markers the files are read as text, each column becomes missing where it
    // holds a marker, and is then cast to its type.
    let file_schema = match &markers {
        Some(_) => Arc::new(Schema::new(
            schema
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), DataType::Utf8, true))
                .collect::<Vec<_>>(),
        )),
        None => Arc::clone(&schema),
    };
    let config = ListingTableConfig::new_with_multi_paths(listing.urls.clone())
        .with_listing_options(options)
        .with_schema(file_schema);
    let raw: Arc<dyn TableProvider> = Arc::new(ListingTable::try_new(config)?);
    let marker_list: Vec<Expr> = markers.iter().flatten().map(|m| lit(m.as_str())).collect();
    let mut exprs: Vec<Expr> = Vec::new();
    for field in raw.schema().fields() {
        let name = field.name();
        let text = ident(name);
        let expr = if let Ok(typed) = schema.field_with_name(name) {
            if marker_list.is_empty() {
                text
            } else {
                missing_when(text, marker_list.clone(), typed.data_type())?
            }
        } else if let Some(h) = hive.iter().find(|h| h.name == *name && h.has_nulls) {
            missing_when(text, vec![lit(storage::HIVE_NULL)], &h.data_type)?
        } else {
            text
        };
        exprs.push(expr.alias(name));
    }
    let plan = LogicalPlanBuilder::scan("files", provider_as_source(raw), None)?
        .project(exprs)?
        .build()?;
    Ok(Arc::new(ViewTable::new(plan, None)))
}

/// `CASE WHEN text IN (markers) THEN NULL ELSE CAST(text AS data_type) END`.
fn missing_when(text: Expr, markers: Vec<Expr>, data_type: &DataType) -> Result<Expr> {
    let cleaned = when(
        text.clone().in_list(markers, false),
        lit(ScalarValue::Utf8(None)),
    )
    .otherwise(text)?;
    Ok(if data_type == &DataType::Utf8 {
        cleaned
    } else {
        cast(cleaned, data_type.clone())
    })
}

fn apply_dtypes(schema: &SchemaRef, dtypes: &[(String, DataType)]) -> Result<SchemaRef> {
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (name, ty) in dtypes {
        let Some(field) = fields.iter_mut().find(|f| f.name() == name) else {
            let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
            return Err(Error::column_not_found(name, &names));
        };
        *field = Field::new(name, ty.clone(), true);
    }
    Ok(Arc::new(Schema::new(fields)))
}
