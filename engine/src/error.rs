//! Dusk's one error type: user-facing categories with hints, and the mapping from DataFusion's.

use std::fmt;

use datafusion::error::DataFusionError;

/// The result type of every fallible Dusk operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in Dusk, grouped the way a user thinks about it.
///
/// Each message names the thing at fault (the column, the file, the option) and, where
/// one exists, what would have been valid.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A column name that the frame does not have.
    #[error("column '{name}' not found{}; available columns: {}", did_you_mean(.suggestion), .available.join(", "))]
    ColumnNotFound {
        /// The name the user asked for.
        name: String,
        /// Every column the frame has, in order.
        available: Vec<String>,
        /// The closest available name, if one is close enough to be a likely typo.
        suggestion: Option<String>,
    },

    /// A path without a glob that does not exist.
    #[error("file not found: '{path}'")]
    FileNotFound {
        /// The path or URL as the user gave it.
        path: String,
    },

    /// A glob, or a folder, that matched no data file.
    #[error("no files match '{pattern}'{}", detail_suffix(.detail))]
    NoFilesMatch {
        /// The glob or folder as the user gave it.
        pattern: String,
        /// What was looked for, e.g. "no *.parquet files in this folder".
        detail: Option<String>,
    },

    /// Two input files disagree about a column.
    #[error(
        "schema mismatch in column '{column}': '{first_file}' has {first}, but '{second_file}' has {second}"
    )]
    SchemaMismatch {
        /// The column the files disagree on.
        column: String,
        /// The first file, whose schema was taken as the reference.
        first_file: String,
        /// What the first file has (a type, or "no such column").
        first: String,
        /// The file that disagrees.
        second_file: String,
        /// What the second file has.
        second: String,
    },

    /// An option or argument with a value Dusk cannot use.
    #[error("invalid value '{value}' for {option}: expected {expected}")]
    InvalidOption {
        /// The option's name, e.g. "memory_limit" or "--format".
        option: String,
        /// The value given.
        value: String,
        /// What would have been valid.
        expected: String,
    },

    /// A query or plan that cannot be built: SQL syntax, types that do not fit, unknown tables.
    #[error("{0}")]
    Plan(String),

    /// An output target that exists while the write mode forbids replacing it.
    #[error("'{path}' already exists; use overwrite mode to replace it")]
    AlreadyExists {
        /// The target path.
        path: String,
    },

    /// The query ran out of its memory budget and could not spill.
    #[error(
        "out of memory: {message}. Raise the memory limit (Session::builder().memory_limit(..), or --memory-limit) or lower target partitions"
    )]
    OutOfMemory {
        /// DataFusion's account of which operator ran out.
        message: String,
    },

    /// Reading, writing or computing failed while the query ran.
    #[error("execution failed: {0}")]
    Execution(String),

    /// An operating-system error on a named path.
    #[error("{action} '{path}': {source}")]
    Io {
        /// What Dusk was doing, e.g. "cannot create".
        action: &'static str,
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A cluster that cannot be reached or cannot run the job: the scheduler's address,
    /// executors, or a plan that must run in-process.
    #[error("cluster: {0}")]
    Cluster(String),

    /// A broken invariant inside Dusk.
    #[error("internal error: {0}. This is a bug in Dusk; please report it")]
    Internal(String),
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean '{s}'?)"),
        None => String::new(),
    }
}

fn detail_suffix(detail: &Option<String>) -> String {
    match detail {
        Some(d) => format!(": {d}"),
        None => String::new(),
    }
}

impl Error {
    /// A [`Error::ColumnNotFound`] for `name` with the closest of `available` as a hint.
    pub fn column_not_found<S: AsRef<str>>(name: &str, available: &[S]) -> Self {
        let available: Vec<String> = available.iter().map(|s| s.as_ref().to_string()).collect();
        let suggestion = closest(name, &available);
        Error::ColumnNotFound {
            name: name.to_string(),
            available,
            suggestion,
        }
    }

    /// A [`Error::InvalidOption`].
    pub fn invalid_option(
        option: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidOption {
            option: option.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// An [`Error::Io`] on `path`.
    pub fn io(action: &'static str, path: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_string(),
            source,
        }
    }

    /// Wraps this error so that it can travel through DataFusion APIs and come back intact.
    pub fn into_datafusion(self) -> DataFusionError {
        DataFusionError::External(Box::new(self))
    }
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest(name: &str, candidates: &[String]) -> Option<String> {
    let lower = name.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}

/// Raises an [`Error::Plan`] with a formatted message: `return plan_err!("bad {x}")`.
#[macro_export]
macro_rules! plan_err {
    ($($arg:tt)*) => {
        Err($crate::Error::Plan(format!($($arg)*)))
    };
}

impl From<DataFusionError> for Error {
    fn from(err: DataFusionError) -> Self {
        from_datafusion(err)
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(err: arrow::error::ArrowError) -> Self {
        from_datafusion(DataFusionError::ArrowError(Box::new(err), None))
    }
}

impl From<parquet::errors::ParquetError> for Error {
    fn from(err: parquet::errors::ParquetError) -> Self {
        Error::Execution(err.to_string())
    }
}

fn from_datafusion(err: DataFusionError) -> Error {
    use datafusion::common::SchemaError;
    match err {
        DataFusionError::Context(_, inner) | DataFusionError::Diagnostic(_, inner) => {
            from_datafusion(*inner)
        }
        DataFusionError::Shared(inner) => match std::sync::Arc::try_unwrap(inner) {
            Ok(inner) => from_datafusion(inner),
            Err(shared) => Error::Execution(shared.to_string()),
        },
        DataFusionError::External(boxed) => match boxed.downcast::<Error>() {
            Ok(dusk) => *dusk,
            Err(other) => match other.downcast::<DataFusionError>() {
                Ok(df) => from_datafusion(*df),
                Err(other) => Error::Execution(other.to_string()),
            },
        },
        DataFusionError::SchemaError(schema_err, _) => match *schema_err {
            SchemaError::FieldNotFound {
                field,
                valid_fields,
            } => {
                let mut available: Vec<String> =
                    valid_fields.iter().map(|c| c.name.clone()).collect();
                available.dedup();
                Error::column_not_found(&field.name, &available)
            }
            other => Error::Plan(other.to_string()),
        },
        DataFusionError::ResourcesExhausted(message) => Error::OutOfMemory { message },
        DataFusionError::Plan(m) | DataFusionError::Configuration(m) => Error::Plan(m),
        DataFusionError::NotImplemented(m) => Error::Plan(format!("not supported: {m}")),
        e @ DataFusionError::SQL(..) => Error::Plan(strip_prefix(e.to_string())),
        DataFusionError::Internal(m) => Error::Internal(m),
        DataFusionError::Execution(m) => {
            if m.contains("Resources exhausted") {
                Error::OutOfMemory { message: m }
            } else if m.starts_with("Job ") && m.contains("runtime execution error") {
                // Ballista nests the executor's error as Debug text; keep its message.
                Error::Execution(format!("a task failed on the cluster: {}", innermost(&m)))
            } else if m.starts_with("Job ") && m.ends_with("failed: Cancelled") {
                // Dusk never cancels a job it still reads; its scheduler cancels jobs
                // that wait with no executor registered.
                Error::Cluster(format!(
                    "{m}: the scheduler cancelled it. A Dusk scheduler cancels jobs while no \
                     executors are registered; check that `dusk executor --scheduler ...` \
                     processes are running and can reach it"
                ))
            } else {
                Error::Execution(m)
            }
        }
        DataFusionError::ObjectStore(e) => match *e {
            object_store::Error::NotFound { path, .. } => Error::FileNotFound { path },
            other => Error::Execution(other.to_string()),
        },
        DataFusionError::ArrowError(e, _) => match *e {
            arrow::error::ArrowError::ExternalError(inner) => {
                from_datafusion(DataFusionError::External(inner))
            }
            other => Error::Execution(other.to_string()),
        },
        DataFusionError::Collection(mut errs) if !errs.is_empty() => {
            from_datafusion(errs.swap_remove(0))
        }
        other => Error::Execution(strip_prefix(other.to_string())),
    }
}

/// Drops DataFusion's category prefixes ("Error during planning: ") that mean nothing to a user.
/// The innermost quoted text of a Debug-printed error chain such as
/// `DataFusionError(Shared(External(ArrowError(CastError("Cannot cast ...")))))`, or the
/// whole message when there is none.
fn innermost(message: &str) -> String {
    let Some(start) = message.rfind("(\"") else {
        return message.to_string();
    };
    let rest = &message[start + 2..];
    match rest.find("\")") {
        Some(end) => rest[..end].replace("\\'", "'").replace("\\\"", "\""),
        None => message.to_string(),
    }
}

fn strip_prefix(message: String) -> String {
    const PREFIXES: [&str; 4] = [
        "Error during planning: ",
        "SQL error: ",
        "Execution error: ",
        "External error: ",
    ];
    let mut m = message.as_str();
    while let Some(rest) = PREFIXES.iter().find_map(|p| m.strip_prefix(p)) {
        m = rest;
    }
    m.to_string()
}
