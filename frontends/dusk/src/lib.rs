//! Dusk: a lazy, pandas-like DataFrame that runs in parallel on Apache DataFusion.
//!
//! - [`Session`] is where everything starts: it reads files ([`Session::read_parquet`],
//!   [`Session::read_csv`], [`Session::read_json`]), registers tables and runs SQL
//!   ([`Session::sql`], [`Session::run_script`]). The backend is chosen when the session
//!   is built and nothing after that depends on it.
//! - [`DataFrame`] is a lazy table with pandas' method names (`query`, `assign`,
//!   `groupby`, `merge`, `sort_values`, `describe`, `to_parquet`, ...). Methods build a
//!   DataFusion logical plan; terminal methods (`collect`, `show`, `len`, `to_*`) run it
//!   on all cores.
//! - [`GroupBy`] aggregates groups of rows; [`Agg`] names an aggregation.
//! - Expressions are DataFusion's [`Expr`]: build them with [`col`] and [`lit`] and any
//!   function in [`datafusion::functions`] / [`datafusion::functions_aggregate`].
//! - [`demo`] generates the taxi-trips dataset used in the README and the tests.
//!
//! ```
//! # #[tokio::main] async fn main() -> dusk::Result<()> {
//! use dusk::{Session, col, lit};
//! let session = Session::local();
//! let trips = session.read_parquet("../../tests/data/trips/").await?;
//! let tips = trips
//!     .filter(col("fare_amount").gt(lit(0)))?
//!     .groupby(["passenger_count"])?
//!     .agg([("avg_tip", "tip_amount", "mean")])?;
//! assert_eq!(tips.columns(), ["passenger_count", "avg_tip"]);
//! # Ok(()) }
//! ```

pub mod demo;
mod describe;
pub mod expr;
mod frame;
mod groupby;
mod missing;
mod reduce;
mod reshape;
mod session;
mod sql;
pub mod tpch;
mod window;

pub use expr::{DtNamespace, ExprExt, StrNamespace};
pub use frame::{DataFrame, How};
pub use groupby::{AGGREGATIONS, Agg, GroupBy};
pub use missing::DropHow;
pub use session::{Session, SessionBuilder};
pub use sql::Statement;
pub use window::Rolling;

pub use dusk_engine::{
    CsvReadOptions, Error, FileKind, JsonReadOptions, ParquetReadOptions, Paths, Result, WriteMode,
    WriteOptions,
};

pub use dusk_engine as engine;
/// Arrow, DataFusion and Dusk's engine, re-exported so that users name the same types.
pub use dusk_engine::{arrow, datafusion};

/// DataFusion's expression type and the two constructors every query needs.
pub use datafusion::logical_expr::{Expr, col, ident, lit};

/// The README's Rust examples, compiled as doctests so that they stay true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
