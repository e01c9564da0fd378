//! Dusk's engine: everything below the user-facing frontends.
//!
//! - [`Session`] is the one entry point. It is built once ([`Session::local`] or
//!   [`Session::builder`]) and picks the execution backend; everything after that drives
//!   the same DataFusion [`SessionContext`](datafusion::prelude::SessionContext).
//! - [`storage`] turns user paths (files, globs, folders, hive partitions) into listed
//!   files and one checked schema; [`read`] turns those into tables for CSV, Parquet and
//!   JSON, and [`write`] writes results back, atomically.
//! - [`Error`] is the one error type, with user-facing variants and hints.
//!
//! The frontends (the `dusk` DataFrame crate, SQL, the `dusk` command) depend on this
//! crate; it never depends on them.

pub mod cluster;
pub mod error;
pub mod ordered_store;
pub mod plan;
pub mod read;
pub mod session;
pub mod size;
pub mod storage;
mod url_table;
pub mod write;

pub use error::{Error, Result};
pub use read::{CsvReadOptions, JsonReadOptions, ParquetReadOptions, ReadFormat};
pub use session::{Backend, Session, SessionBuilder};
pub use storage::{FileKind, Paths};
pub use write::{WriteMode, WriteOptions};

/// The DataFusion and Arrow versions Dusk is built on, re-exported so that users name
/// the exact same types.
pub use arrow;
pub use datafusion;
