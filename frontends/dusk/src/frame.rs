//! The lazy, pandas-like DataFrame: each method adds to a DataFusion logical plan, and only
//! the terminal methods (`collect`, `show`, `len`, `to_parquet`, ...) run it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Not;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::common::JoinType;
use datafusion::dataframe::DataFrame as DfFrame;
use datafusion::logical_expr::{Expr, SortExpr, ident};
use datafusion::physical_plan::SendableRecordBatchStream;
use dusk_engine::storage::FileKind;
use dusk_engine::write::{self, WriteOptions};
use dusk_engine::{Error, Result};

use crate::groupby::GroupBy;

/// A lazy table of named, typed columns, in the spirit of a pandas or Dask DataFrame.
///
/// Methods that return a `DataFrame` only describe work; nothing is read or computed
/// until a terminal method runs the plan: [`collect`](Self::collect),
/// [`show`](Self::show), [`len`](Self::len), [`to_parquet`](Self::to_parquet) and the
/// like. Frames are immutable: every method consumes `self` and returns a new frame, so
/// clone a frame to branch from it (cloning copies only the plan).
///
/// Column names are checked when a method is called, and a typo is reported with the
/// available columns and the closest match.
#[derive(Clone, Debug)]
pub struct DataFrame {
    inner: DfFrame,
}

/// How [`DataFrame::merge`] pairs rows of the two frames, as pandas' `how=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum How {
    /// Rows whose keys appear in both frames.
    #[default]
    Inner,
    /// Every row of the left frame, with the right frame's columns where keys match.
    Left,
    /// Every row of the right frame, with the left frame's columns where keys match.
    Right,
    /// Every row of both frames, matched where keys match.
    Outer,
    /// The left rows that have a match, with the left columns only.
    Semi,
    /// The left rows without a match, with the left columns only.
    Anti,
    /// Every pairing of a left row with a right row; no keys.
    Cross,
}

impl DataFrame {
    pub(crate) fn new(inner: DfFrame) -> Self {
        DataFrame { inner }
    }

    /// Wraps a DataFusion DataFrame.
    pub fn from_datafusion(inner: DfFrame) -> Self {
        DataFrame { inner }
    }

    /// The session state this frame's plan runs in.
    pub(crate) fn state(&self) -> datafusion::execution::SessionState {
        self.inner.clone().into_parts().0
    }

    /// This frame with the hidden column [`ORDINAL`], which grows with input order (files
    /// in path order, rows in file order), for stable sorts and pandas' "first".
    pub(crate) fn with_ordinal(self) -> Result<Self> {
        use datafusion::logical_expr::{Extension, LogicalPlan};
        let (mut state, plan) = self.inner.into_parts();
        // Round-robin repartitioning deals batches out of order; without it, every
        // partition below the ordinal is a contiguous run of the input. Scans are still
        // split by byte ranges and joins and aggregations still hash-partition.
        state
            .config_mut()
            .options_mut()
            .optimizer
            .enable_round_robin_repartition = false;
        let node = dusk_engine::plan::WithOrdinal::try_new(plan, ORDINAL)?;
        let plan = LogicalPlan::Extension(Extension {
            node: std::sync::Arc::new(node),
        });
        Ok(Self::new(DfFrame::new(state, plan)))
    }

    /// The DataFusion DataFrame underneath.
    pub fn into_datafusion(self) -> DfFrame {
        self.inner
    }

    /// The column names, in order.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let columns = trips.columns();
    /// assert_eq!(columns[..3], ["pickup_datetime", "dropoff_datetime", "passenger_count"]);
    /// # Ok(()) }
    /// ```
    pub fn columns(&self) -> Vec<String> {
        self.inner
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The Arrow schema: column names, types and nullability. Costs no I/O.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// use dusk::arrow::datatypes::DataType;
    /// let schema = trips.schema();
    /// assert_eq!(schema.field_with_name("fare_amount")?.data_type(), &DataType::Float64);
    /// # Ok(()) }
    /// ```
    pub fn schema(&self) -> SchemaRef {
        self.inner.schema().inner().clone()
    }

    /// Fails with [`Error::ColumnNotFound`] unless every name is a column.
    pub(crate) fn check_columns<S: AsRef<str>>(&self, names: &[S]) -> Result<()> {
        let columns = self.columns();
        for name in names {
            if !columns.iter().any(|c| c == name.as_ref()) {
                return Err(Error::column_not_found(name.as_ref(), &columns));
            }
        }
        Ok(())
    }

    /// Keeps the named columns, in the order given (pandas `df[["a", "b"]]`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let fares = trips.select(["fare_amount", "tip_amount"])?;
    /// assert_eq!(fares.columns(), ["fare_amount", "tip_amount"]);
    /// # Ok(()) }
    /// ```
    pub fn select<S: AsRef<str>>(self, columns: impl IntoIterator<Item = S>) -> Result<Self> {
        let columns: Vec<String> = columns
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self.check_columns(&columns)?;
        let exprs: Vec<Expr> = columns.iter().map(ident).collect();
        Ok(Self::new(self.inner.select(exprs)?))
    }

    /// Computes the given expressions as the new columns (SQL `SELECT expr AS name, ...`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// use dusk::{col, lit};
    /// let total = trips.select_exprs([(col("fare_amount") + col("tip_amount")).alias("total")])?;
    /// assert_eq!(total.columns(), ["total"]);
    /// # Ok(()) }
    /// ```
    pub fn select_exprs(self, exprs: impl IntoIterator<Item = Expr>) -> Result<Self> {
        Ok(Self::new(
            self.inner.select(exprs.into_iter().collect::<Vec<_>>())?,
        ))
    }

    /// Keeps the rows where `predicate` is true (rows where it is null are dropped, as a
    /// pandas boolean mask with missing values would be).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// use dusk::{col, lit};
    /// let card = trips.filter(col("payment_type").eq(lit("card")))?;
    /// assert!(card.len().await? > 0);
    /// # Ok(()) }
    /// ```
    pub fn filter(self, predicate: Expr) -> Result<Self> {
        let predicate = self.nan_as_missing(predicate)?;
        Ok(Self::new(self.inner.filter(predicate)?))
    }

    /// Makes comparisons treat NaN as pandas does. DataFusion orders NaN above every
    /// number, so `x > 1` is true for NaN, where pandas says false; `<`, `<=`, `!=`
    /// already agree. So `x > c` and `x >= c` (and `c < x`, `c <= x`) on a float column
    /// become `... AND NOT isnan(x)`, which keeps the comparison visible to Parquet
    /// pruning.
    pub(crate) fn nan_as_missing(&self, expr: Expr) -> Result<Expr> {
        use datafusion::common::tree_node::{Transformed, TreeNode};
        use datafusion::logical_expr::{BinaryExpr, Operator};
        let schema = self.schema();
        let float_column = |e: &Expr| match e {
            Expr::Column(c) => schema
                .field_with_name(&c.name)
                .is_ok_and(|f| f.data_type().is_floating()),
            _ => false,
        };
        let rewritten = expr.transform_up(|e| {
            if let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e {
                let column = match op {
                    Operator::Gt | Operator::GtEq if float_column(left) => {
                        Some(left.as_ref().clone())
                    }
                    Operator::Lt | Operator::LtEq if float_column(right) => {
                        Some(right.as_ref().clone())
                    }
                    _ => None,
                };
                if let Some(column) = column {
                    let not_nan = datafusion::functions::math::isnan()
                        .call(vec![column])
                        .not();
                    return Ok(Transformed::yes(e.and(not_nan)));
                }
            }
            Ok(Transformed::no(e))
        })?;
        Ok(rewritten.data)
    }

    /// Keeps the rows matching a condition written as text, like pandas' `query`.
    ///
    /// The condition is a SQL expression over the columns: `and`, `or`, `not`,
    /// comparisons (`==` is accepted as `=`), arithmetic, `in (...)`, `between`,
    /// `is null` and every SQL function. Quote names that are not plain identifiers with
    /// double quotes.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let busy = trips.query("fare_amount > 0 and passenger_count >= 2")?;
    /// assert!(busy.len().await? > 0);
    /// # Ok(()) }
    /// ```
    pub fn query(self, condition: &str) -> Result<Self> {
        let sql = pandas_equals_to_sql(condition);
        let predicate = self.inner.parse_sql_expr(&sql)?;
        self.filter(predicate)
    }

    /// Adds or replaces several columns at once, like pandas' `assign`. Each expression
    /// sees the columns as they were before the call.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// use dusk::{col, lit};
    /// let trips = trips.assign([
    ///     ("total", col("fare_amount") + col("tip_amount")),
    ///     ("tip_pct", col("tip_amount") / col("fare_amount") * lit(100.0)),
    /// ])?;
    /// assert!(trips.columns().contains(&"tip_pct".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn assign<S: AsRef<str>>(
        self,
        columns: impl IntoIterator<Item = (S, Expr)>,
    ) -> Result<Self> {
        let new: Vec<(String, Expr)> = columns
            .into_iter()
            .map(|(n, e)| (n.as_ref().to_string(), e))
            .collect();
        let mut exprs: Vec<Expr> = Vec::new();
        for name in self.columns() {
            match new.iter().find(|(n, _)| *n == name) {
                Some((n, e)) => exprs.push(e.clone().alias(n)),
                None => exprs.push(ident(&name)),
            }
        }
        let existing = self.columns();
        for (n, e) in &new {
            if !existing.contains(n) {
                exprs.push(e.clone().alias(n));
            }
        }
        Ok(Self::new(self.inner.select(exprs)?))
    }

    /// Adds or replaces one column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// use dusk::col;
    /// let trips = trips.with_column("total", col("fare_amount") + col("tip_amount"))?;
    /// assert_eq!(trips.columns().last().unwrap(), "total");
    /// # Ok(()) }
    /// ```
    pub fn with_column(self, name: &str, expr: Expr) -> Result<Self> {
        self.assign([(name, expr)])
    }

    /// Renames columns, from old name to new name. Naming a column that does not exist is
    /// an error (pandas' `errors="raise"`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let trips = trips.rename([("tip_amount", "tip")])?;
    /// assert!(trips.columns().contains(&"tip".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn rename<A: AsRef<str>, B: AsRef<str>>(
        self,
        mapping: impl IntoIterator<Item = (A, B)>,
    ) -> Result<Self> {
        let mapping: HashMap<String, String> = mapping
            .into_iter()
            .map(|(a, b)| (a.as_ref().to_string(), b.as_ref().to_string()))
            .collect();
        let old: Vec<&String> = mapping.keys().collect();
        self.check_columns(&old)?;
        let exprs: Vec<Expr> = self
            .columns()
            .iter()
            .map(|c| match mapping.get(c) {
                Some(new) => ident(c).alias(new),
                None => ident(c),
            })
            .collect();
        Ok(Self::new(self.inner.select(exprs)?))
    }

    /// Removes columns. Naming a column that does not exist is an error, as in pandas.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let trips = trips.drop(["dropoff_datetime", "pickup_zone"])?;
    /// assert!(!trips.columns().contains(&"pickup_zone".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn drop<S: AsRef<str>>(self, columns: impl IntoIterator<Item = S>) -> Result<Self> {
        let columns: Vec<String> = columns
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self.check_columns(&columns)?;
        let keep: Vec<Expr> = self
            .columns()
            .iter()
            .filter(|c| !columns.contains(c))
            .map(ident)
            .collect();
        Ok(Self::new(self.inner.select(keep)?))
    }

    /// The first `n` rows. After [`sort_values`](Self::sort_values) these are the first
    /// `n` in that order; on an unsorted frame, Dusk (like Dask) returns `n` rows without
    /// promising which, since partitions are read in parallel.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let top = trips.sort_values(["fare_amount"], false)?.head(3)?;
    /// assert_eq!(top.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn head(self, n: usize) -> Result<Self> {
        Ok(Self::new(self.inner.limit(0, Some(n))?))
    }

    /// Sorts by one or more columns, all ascending or all descending. Missing values go
    /// last in both directions, as in pandas' default `na_position="last"`. The sort is
    /// stable, as pandas' `kind="stable"`: rows with equal keys keep their input order
    /// (files in path order, then rows in file order).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let sorted = trips.sort_values(["payment_type", "fare_amount"], true)?;
    /// assert_eq!(sorted.len().await?, 6000);
    /// # Ok(()) }
    /// ```
    pub fn sort_values<S: AsRef<str>>(
        self,
        by: impl IntoIterator<Item = S>,
        ascending: bool,
    ) -> Result<Self> {
        let by: Vec<String> = by.into_iter().map(|c| c.as_ref().to_string()).collect();
        let ascending = vec![ascending; by.len()];
        self.sort_values_by(&by, &ascending)
    }

    /// Sorts by several columns with a direction for each (pandas'
    /// `sort_values(by, ascending=[...])`). Missing values go last.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let sorted = trips.sort_values_by(&["payment_type", "fare_amount"], &[true, false])?;
    /// assert_eq!(sorted.len().await?, 6000);
    /// # Ok(()) }
    /// ```
    pub fn sort_values_by<S: AsRef<str>>(self, by: &[S], ascending: &[bool]) -> Result<Self> {
        self.sort_values_with(by, ascending, "last")
    }

    /// Sorts with pandas' `na_position`: `"last"` (default) or `"first"`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let f = session.sql("SELECT * FROM (VALUES (2), (NULL), (1)) AS t(v)").await?;
    /// let sorted = f.sort_values_with(&["v"], &[true], "first")?.head(1)?;
    /// assert_eq!(sorted.query("v IS NULL")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn sort_values_with<S: AsRef<str>>(
        self,
        by: &[S],
        ascending: &[bool],
        na_position: &str,
    ) -> Result<Self> {
        let nulls_first = match na_position {
            "last" => false,
            "first" => true,
            other => {
                return Err(Error::invalid_option("na_position", other, "last or first"));
            }
        };
        if by.len() != ascending.len() {
            return Err(Error::invalid_option(
                "ascending",
                format!("{} values", ascending.len()),
                format!("one per sort column ({})", by.len()),
            ));
        }
        if by.is_empty() {
            return Err(Error::invalid_option("by", "[]", "at least one column"));
        }
        self.check_columns(by)?;
        // NaN is missing and sorts last, as in pandas (DataFusion orders NaN above numbers).
        let mut sort: Vec<SortExpr> = by
            .iter()
            .zip(ascending)
            .map(|(c, asc)| missing_aware(&self, c.as_ref()).sort(*asc, nulls_first))
            .collect();
        // Stable, as pandas' kind="stable": ties keep their input order.
        sort.push(input_order(true));
        let sorted = self.with_ordinal()?.inner.sort(sort)?;
        Self::new(sorted).drop([ORDINAL])
    }

    /// Groups rows by key columns for aggregation; see [`GroupBy`].
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let tips = trips.groupby(["passenger_count"])?.agg([("tip_amount", "mean")])?;
    /// assert_eq!(tips.columns(), ["passenger_count", "tip_amount"]);
    /// # Ok(()) }
    /// ```
    pub fn groupby<S: AsRef<str>>(self, keys: impl IntoIterator<Item = S>) -> Result<GroupBy> {
        let keys: Vec<String> = keys.into_iter().map(|c| c.as_ref().to_string()).collect();
        if keys.is_empty() {
            return Err(Error::invalid_option(
                "groupby keys",
                "[]",
                "at least one column",
            ));
        }
        self.check_columns(&keys)?;
        Ok(GroupBy::new(self, keys))
    }

    /// Joins with `right` on key columns present in both frames, like pandas'
    /// `merge(right, on=..., how=...)`.
    ///
    /// The output has the key columns once, then the left frame's other columns, then
    /// the right frame's; other columns present in both get the suffixes `_x` and `_y`.
    /// Missing keys never match each other (pandas matches NaN with NaN; SQL does not).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// # let trips = session.read_parquet("../../tests/data/trips/").await?;
    /// # let zones = session.read_csv("../../tests/data/zones.csv", Default::default()).await?;
    /// use dusk::How;
    /// let joined = trips.merge(zones, &["pickup_zone"], How::Left)?;
    /// assert!(joined.columns().contains(&"borough".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn merge<S: AsRef<str>>(self, right: DataFrame, on: &[S], how: How) -> Result<Self> {
        if on.is_empty() && how != How::Cross {
            return Err(Error::invalid_option("on", "[]", "at least one key column"));
        }
        self.merge_on(right, on, on, how, ("_x", "_y"))
    }

    /// Joins on differently named keys (pandas' `merge(left_on=, right_on=, how=,
    /// suffixes=)`). With equal names a key appears once (filled from the right frame
    /// where only it has the row, in right and outer joins); with different names both
    /// key columns are kept, as in pandas.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// use dusk::How;
    /// let a = session.sql("SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS t(id, v)").await?;
    /// let b = session.sql("SELECT * FROM (VALUES (2, 'z'), (3, 'w')) AS t(key, v)").await?;
    /// let joined = a.merge_on(b, &["id"], &["key"], How::Outer, ("_l", "_r"))?;
    /// assert_eq!(joined.columns(), ["id", "v_l", "key", "v_r"]);
    /// assert_eq!(joined.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn merge_on<S: AsRef<str>, T: AsRef<str>>(
        self,
        right: DataFrame,
        left_on: &[S],
        right_on: &[T],
        how: How,
        suffixes: (&str, &str),
    ) -> Result<Self> {
        if left_on.len() != right_on.len() {
            return Err(Error::invalid_option(
                "right_on",
                right_on.len(),
                format!("as many keys as left_on ({})", left_on.len()),
            ));
        }
        self.check_columns(left_on)?;
        right.check_columns(right_on)?;
        let left_keys: Vec<String> = left_on.iter().map(|s| s.as_ref().to_string()).collect();
        let right_keys: Vec<String> = right_on.iter().map(|s| s.as_ref().to_string()).collect();
        // Keys with the same name on both sides are merged into one column.
        let shared: Vec<String> = left_keys
            .iter()
            .zip(&right_keys)
            .filter(|(l, r)| l == r)
            .map(|(l, _)| l.clone())
            .collect();
        let left_cols = self.columns();
        let right_cols = right.columns();

        // Rename every right column to a private name so that the join sees no duplicates,
        // then name the output columns the way pandas does.
        let right_alias = |c: &str| format!("__dusk_right_{c}");
        let right_renamed: Vec<Expr> = right_cols
            .iter()
            .map(|c| ident(c).alias(right_alias(c)))
            .collect();
        let right_frame = right.inner.select(right_renamed)?;
        let join_type = match how {
            How::Inner | How::Cross => JoinType::Inner,
            How::Left => JoinType::Left,
            How::Right => JoinType::Right,
            How::Outer => JoinType::Full,
            How::Semi => JoinType::LeftSemi,
            How::Anti => JoinType::LeftAnti,
        };
        // Join on expressions built with `ident`, which keeps case and dots in names
        // (string keys would be parsed, and lowercased, as SQL identifiers).
        let on: Vec<Expr> = left_keys
            .iter()
            .zip(&right_keys)
            .map(|(l, r)| ident(l).eq(ident(right_alias(r))))
            .collect();
        let joined = if how == How::Cross {
            self.inner.join_on(right_frame, JoinType::Inner, vec![])?
        } else {
            self.inner.join_on(right_frame, join_type, on)?
        };
        if matches!(how, How::Semi | How::Anti) {
            return Ok(Self::new(joined));
        }

        let mut out = Vec::new();
        for c in &left_cols {
            if shared.contains(c) {
                let expr = match how {
                    How::Right => ident(right_alias(c)),
                    How::Outer => datafusion::functions::core::coalesce()
                        .call(vec![ident(c), ident(right_alias(c))]),
                    _ => ident(c),
                };
                out.push(expr.alias(c));
                continue;
            }
            let overlaps = right_cols.contains(c) && !shared.contains(c);
            let name = if overlaps {
                format!("{c}{}", suffixes.0)
            } else {
                c.clone()
            };
            out.push(ident(c).alias(name));
        }
        for c in &right_cols {
            if shared.contains(c) {
                continue;
            }
            let name = if left_cols.contains(c) {
                format!("{c}{}", suffixes.1)
            } else {
                c.clone()
            };
            out.push(ident(right_alias(c)).alias(name));
        }
        Ok(Self::new(joined.select(out)?))
    }

    /// The number of non-missing values in each column, as a one-row frame with the same
    /// column names (pandas' `df.count()`, transposed). For the number of rows use
    /// [`len`](Self::len).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let counts = trips.select(["passenger_count", "fare_amount"])?.count()?;
    /// assert_eq!(counts.columns(), ["passenger_count", "fare_amount"]);
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> Result<Self> {
        use datafusion::functions_aggregate::expr_fn::count;
        let aggs: Vec<Expr> = self
            .columns()
            .iter()
            .map(|c| count(ident(c)).alias(c))
            .collect();
        Ok(Self::new(self.inner.aggregate(vec![], aggs)?))
    }

    /// Runs the plan and returns the number of rows (pandas' `len(df)`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// assert_eq!(trips.len().await?, 6000);
    /// # Ok(()) }
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub async fn len(self) -> Result<usize> {
        Ok(self.inner.count().await?)
    }

    /// The logical and physical plans, as DataFusion would run them, without running them.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let plan = trips.query("fare_amount > 10")?.explain().await?;
    /// assert!(plan.contains("physical_plan"));
    /// # Ok(()) }
    /// ```
    pub async fn explain(self) -> Result<String> {
        let batches = self.inner.explain(false, false)?.collect().await?;
        let mut out = String::new();
        for batch in &batches {
            let kinds = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
            let plans = arrow::compute::cast(batch.column(1), &arrow::datatypes::DataType::Utf8)?;
            let kinds = arrow::array::as_string_array(&kinds);
            let plans = arrow::array::as_string_array(&plans);
            for i in 0..batch.num_rows() {
                let _ = writeln!(out, "{}:\n{}\n", kinds.value(i), plans.value(i));
            }
        }
        Ok(out)
    }

    /// Runs the plan and returns all rows as Arrow record batches.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let batches = trips.head(10)?.collect().await?;
    /// let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    /// assert_eq!(rows, 10);
    /// # Ok(()) }
    /// ```
    pub async fn collect(self) -> Result<Vec<RecordBatch>> {
        Ok(self.inner.collect().await?)
    }

    /// Runs the plan and returns its rows as a stream of record batches, so that results
    /// larger than memory can be consumed piece by piece.
    pub async fn execute_stream(self) -> Result<SendableRecordBatchStream> {
        Ok(self.inner.execute_stream().await?)
    }

    /// Runs the plan and renders every row as a text table.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let frame = session.sql("SELECT 1 AS one, 'a' AS letter").await?;
    /// assert_eq!(frame.to_pretty_string().await?, "\
    /// +-----+--------+
    /// | one | letter |
    /// +-----+--------+
    /// | 1   | a      |
    /// +-----+--------+");
    /// # Ok(()) }
    /// ```
    pub async fn to_pretty_string(self) -> Result<String> {
        let batches = self.collect().await?;
        Ok(arrow::util::pretty::pretty_format_batches(&batches)?.to_string())
    }

    /// Prints the first 20 rows as a table on stdout, with a note when there are more.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// trips.select(["payment_type"])?.head(3)?.show().await?;
    /// # Ok(()) }
    /// ```
    pub async fn show(self) -> Result<()> {
        self.show_limit(20).await
    }

    /// Prints at most `n` rows as a table on stdout, with a note when there are more.
    pub async fn show_limit(self, n: usize) -> Result<()> {
        let batches = self.inner.limit(0, Some(n + 1))?.collect().await?;
        let total: usize = batches.iter().map(|b| b.num_rows()).sum();
        let mut shown = Vec::new();
        let mut left = n;
        for b in batches {
            if left == 0 {
                break;
            }
            let take = left.min(b.num_rows());
            shown.push(b.slice(0, take));
            left -= take;
        }
        println!("{}", arrow::util::pretty::pretty_format_batches(&shown)?);
        if total > n {
            println!("(showing the first {n} rows)");
        }
        Ok(())
    }

    /// Runs the plan and writes Parquet: one file if `path` ends in `.parquet`, else a
    /// folder of files (hive folders with [`WriteOptions::partition_by`]). Returns the
    /// number of rows written. The output appears only when complete.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// # let dir = tempfile::tempdir().unwrap();
    /// use dusk::WriteOptions;
    /// let out = dir.path().join("by_payment");
    /// let rows = trips
    ///     .to_parquet(out.to_str().unwrap(), WriteOptions::default().partition_by(["payment_type"]))
    ///     .await?;
    /// assert_eq!(rows, 6000);
    /// assert!(out.join("payment_type=card").is_dir());
    /// # Ok(()) }
    /// ```
    pub async fn to_parquet(self, path: &str, options: WriteOptions) -> Result<u64> {
        write::write(self.inner, path, FileKind::Parquet, &options).await
    }

    /// Runs the plan and writes CSV with a header row: one file if `path` ends in `.csv`,
    /// else a folder. Returns the number of rows written.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// # let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("fares.csv");
    /// let rows = trips.select(["fare_amount"])?.to_csv(out.to_str().unwrap(), Default::default()).await?;
    /// assert_eq!(rows, 6000);
    /// # Ok(()) }
    /// ```
    pub async fn to_csv(self, path: &str, options: WriteOptions) -> Result<u64> {
        write::write(self.inner, path, FileKind::Csv, &options).await
    }

    /// Runs the plan and writes newline-delimited JSON: one file if `path` ends in
    /// `.json`, else a folder. Returns the number of rows written.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// # let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("fares.json");
    /// let rows = trips.head(5)?.to_json(out.to_str().unwrap(), Default::default()).await?;
    /// assert_eq!(rows, 5);
    /// # Ok(()) }
    /// ```
    pub async fn to_json(self, path: &str, options: WriteOptions) -> Result<u64> {
        write::write(self.inner, path, FileKind::Json, &options).await
    }
}

/// A column as pandas sees it: in float columns NaN is missing, so it becomes null.
/// The hidden column holding each row's input position; see [`DataFrame::with_ordinal`].
pub(crate) const ORDINAL: &str = "__dusk_ordinal";

/// Input order, as a sort key: the tie-breaker that makes Dusk's sorts stable.
pub(crate) fn input_order(ascending: bool) -> SortExpr {
    ident(ORDINAL).sort(ascending, false)
}

pub(crate) fn missing_aware(frame: &DataFrame, column: &str) -> Expr {
    let is_float = frame
        .schema()
        .field_with_name(column)
        .map(|f| f.data_type().is_floating())
        .unwrap_or(false);
    if is_float {
        crate::expr::nan_to_null(ident(column))
    } else {
        ident(column)
    }
}

/// Turns pandas' `==` into SQL's `=` outside quoted text.
fn pandas_equals_to_sql(condition: &str) -> String {
    let mut out = String::with_capacity(condition.len());
    let mut quote: Option<char> = None;
    let mut chars = condition.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '=' && chars.peek() == Some(&'=') => {
                chars.next();
                out.push('=');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}
