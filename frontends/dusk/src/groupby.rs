//! Group-by: split rows by key columns, aggregate each group, combine into one frame.

use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{Expr, ident, lit};
use dusk_engine::{Error, Result};

use crate::frame::{DataFrame, ORDINAL, input_order};

/// The aggregations [`GroupBy::agg`] accepts by name, as in pandas.
pub const AGGREGATIONS: &[&str] = &[
    "sum", "mean", "min", "max", "count", "size", "std", "var", "median", "nunique", "first",
    "last",
];

/// One aggregation for [`GroupBy::agg`].
///
/// Build it from a tuple, like the arguments of pandas' `agg`:
/// - `("tip_amount", "mean")`: the mean of a column, named after the column (pandas'
///   `agg({"tip_amount": "mean"})`);
/// - `("avg_tip", "tip_amount", "mean")`: the same, named `avg_tip` (pandas' named
///   aggregation `agg(avg_tip=("tip_amount", "mean"))`);
/// - any DataFusion aggregate expression, e.g. `sum(col("fare_amount")).alias("fares")`.
#[derive(Debug, Clone)]
pub enum Agg {
    /// A named function of a column; the output is named `output` or after the column.
    Named {
        /// The output column name, or `None` to use the input column's name.
        output: Option<String>,
        /// The input column.
        column: String,
        /// One of [`AGGREGATIONS`].
        func: String,
    },
    /// A DataFusion aggregate expression.
    Expr(Expr),
}

impl From<(&str, &str)> for Agg {
    fn from((column, func): (&str, &str)) -> Self {
        Agg::Named {
            output: None,
            column: column.to_string(),
            func: func.to_string(),
        }
    }
}

impl From<(&str, &str, &str)> for Agg {
    fn from((output, column, func): (&str, &str, &str)) -> Self {
        Agg::Named {
            output: Some(output.to_string()),
            column: column.to_string(),
            func: func.to_string(),
        }
    }
}

impl From<Expr> for Agg {
    fn from(expr: Expr) -> Self {
        Agg::Expr(expr)
    }
}

/// Rows grouped by key columns, waiting for an aggregation; made by [`DataFrame::groupby`].
///
/// As in pandas, rows with a missing key are dropped unless [`dropna(false)`](Self::dropna)
/// is set, and the result is sorted by the keys unless [`sort(false)`](Self::sort) is set
/// (unsorted output comes in no defined order, which is cheaper on large results).
#[derive(Debug, Clone)]
pub struct GroupBy {
    frame: DataFrame,
    keys: Vec<String>,
    dropna: bool,
    sort: bool,
}

impl GroupBy {
    pub(crate) fn new(frame: DataFrame, keys: Vec<String>) -> Self {
        GroupBy {
            frame,
            keys,
            dropna: true,
            sort: true,
        }
    }

    /// Whether rows with a missing key are dropped (default true, as in pandas).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let with_nulls = trips.clone().groupby(["passenger_count"])?.dropna(false).size()?;
    /// let without = trips.groupby(["passenger_count"])?.size()?;
    /// assert_eq!(with_nulls.len().await?, without.len().await? + 1);
    /// # Ok(()) }
    /// ```
    pub fn dropna(mut self, dropna: bool) -> Self {
        self.dropna = dropna;
        self
    }

    /// Whether the result is sorted by the keys (default true, as in pandas).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let sizes = f.groupby(["k"])?.sort(false).size()?;
    /// assert_eq!(sizes.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn sort(mut self, sort: bool) -> Self {
        self.sort = sort;
        self
    }

    /// Aggregates each group: one output row per group, the keys first, then one column
    /// per aggregation. See [`Agg`] for the forms an aggregation can take; the function
    /// names are those of pandas: `sum`, `mean`, `min`, `max`, `count` (non-missing
    /// values), `size` (rows), `std` and `var` (ddof 1), `median`, `nunique`, `first`, `last`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let stats = trips
    ///     .groupby(["payment_type"])?
    ///     .agg([("trips", "fare_amount", "count"), ("avg_tip", "tip_amount", "mean")])?;
    /// assert_eq!(stats.columns(), ["payment_type", "trips", "avg_tip"]);
    /// # Ok(()) }
    /// ```
    pub fn agg<A: Into<Agg>>(self, aggregations: impl IntoIterator<Item = A>) -> Result<DataFrame> {
        let aggs: Vec<Agg> = aggregations.into_iter().map(Into::into).collect();
        if aggs.is_empty() {
            return Err(Error::invalid_option(
                "agg",
                "[]",
                "at least one aggregation",
            ));
        }
        let columns = self.frame.columns();
        let frame_ref = self.frame.clone();
        // A column aggregated twice gets `column_func` names, like pandas' flattened MultiIndex.
        let repeated = |c: &str| {
            aggs.iter()
                .filter(|a| matches!(a, Agg::Named { column, output: None, .. } if column == c))
                .count()
                > 1
        };
        let mut exprs = Vec::with_capacity(aggs.len());
        for a in &aggs {
            let expr = match a {
                Agg::Named {
                    output,
                    column,
                    func,
                } => {
                    if !columns.contains(column) {
                        return Err(Error::column_not_found(column, &columns));
                    }
                    let name = match output {
                        Some(o) => o.clone(),
                        None if repeated(column) => format!("{column}_{func}"),
                        None => column.clone(),
                    };
                    aggregate(&frame_ref, column, func)?.alias(name)
                }
                Agg::Expr(e) => e.clone(),
            };
            exprs.push(expr);
        }
        self.aggregate(exprs)
    }

    fn aggregate(self, aggs: Vec<Expr>) -> Result<DataFrame> {
        let keys: Vec<Expr> = self.keys.iter().map(ident).collect();
        let in_order = aggs
            .iter()
            .any(|a| a.column_refs().iter().any(|c| c.name == ORDINAL));
        let frame = if in_order {
            self.frame.with_ordinal()?
        } else {
            self.frame
        };
        let mut frame = frame.into_datafusion();
        if self.dropna {
            for k in &self.keys {
                frame = frame.filter(ident(k).is_not_null())?;
            }
        }
        let mut frame = frame.aggregate(keys, aggs)?;
        if self.sort {
            let order = self
                .keys
                .iter()
                .map(|k| ident(k).sort(true, false))
                .collect();
            frame = frame.sort(order)?;
        }
        Ok(DataFrame::from_datafusion(frame))
    }

    fn all_columns(self, func: &str) -> Result<DataFrame> {
        let columns: Vec<String> = self
            .frame
            .columns()
            .into_iter()
            .filter(|c| !self.keys.contains(c))
            .collect();
        let specs: Vec<Agg> = columns
            .iter()
            .map(|c| Agg::from((c.as_str(), func)))
            .collect();
        self.agg(specs)
    }

    /// The sum of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let sums = f.select(["k", "y"])?.groupby(["k"])?.sum()?;
    /// assert_eq!(sums.query("k = 'a' and y = 40")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn sum(self) -> Result<DataFrame> {
        self.all_columns("sum")
    }

    /// The mean of every non-key column per group (a float, also for integer columns).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let means = trips.select(["payment_type", "tip_amount"])?.groupby(["payment_type"])?.mean()?;
    /// assert_eq!(means.columns(), ["payment_type", "tip_amount"]);
    /// # Ok(()) }
    /// ```
    pub fn mean(self) -> Result<DataFrame> {
        self.all_columns("mean")
    }

    /// The minimum of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let m = f.select(["k", "y"])?.groupby(["k"])?.min()?;
    /// assert_eq!(m.query("k = 'a' and y = 10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn min(self) -> Result<DataFrame> {
        self.all_columns("min")
    }

    /// The maximum of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let m = f.select(["k", "y"])?.groupby(["k"])?.max()?;
    /// assert_eq!(m.query("k = 'a' and y = 30")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn max(self) -> Result<DataFrame> {
        self.all_columns("max")
    }

    /// The number of non-missing values of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let c = f.select(["k", "x"])?.groupby(["k"])?.count()?;
    /// assert_eq!(c.query("k = 'b' and x = 0")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> Result<DataFrame> {
        self.all_columns("count")
    }

    /// The sample standard deviation (ddof 1) of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let s = f.select(["k", "y"])?.groupby(["k"])?.std()?;
    /// assert_eq!(s.query("k = 'a' and y > 14.14 and y < 14.15")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn std(self) -> Result<DataFrame> {
        self.all_columns("std")
    }
    /// The sample variance (ddof 1) of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let v = f.select(["k", "y"])?.groupby(["k"])?.var()?;
    /// assert_eq!(v.query("k = 'a' and y = 200")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn var(self) -> Result<DataFrame> {
        self.all_columns("var")
    }
    /// The median of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let m = f.select(["k", "y"])?.groupby(["k"])?.median()?;
    /// assert_eq!(m.query("k = 'a' and y = 20")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn median(self) -> Result<DataFrame> {
        self.all_columns("median")
    }
    /// The first present value of every non-key column per group (in no defined order:
    /// a parallel frame has no row order; sort within groups with `head` for that).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let first = f.select(["k", "s"])?.groupby(["k"])?.first()?;
    /// assert_eq!(first.query("k = 'a' and s = ' Apple '")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn first(self) -> Result<DataFrame> {
        self.all_columns("first")
    }
    /// The last present value of every non-key column per group (see `first`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let last = f.select(["k", "g"])?.groupby(["k"])?.last()?;
    /// assert_eq!(last.query("k = 'b' and g = 2")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn last(self) -> Result<DataFrame> {
        self.all_columns("last")
    }
    /// The number of distinct present values of every non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let n = f.select(["k", "g"])?.groupby(["k"])?.nunique()?;
    /// assert_eq!(n.query("k = 'a' and g = 2")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn nunique(self) -> Result<DataFrame> {
        self.all_columns("nunique")
    }
    /// The `q` quantile (linear interpolation) of every numeric non-key column per group.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let q = f.select(["k", "y"])?.groupby(["k"])?.quantile(0.5)?;
    /// assert_eq!(q.query("k = 'a' and y = 20")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn quantile(self, q: f64) -> Result<DataFrame> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::invalid_option("q", q, "a value between 0 and 1"));
        }
        let schema = self.frame.schema();
        let exprs: Vec<Expr> = schema
            .fields()
            .iter()
            .filter(|f| f.data_type().is_numeric() && !self.keys.contains(f.name()))
            .map(|f| {
                let x = datafusion::logical_expr::cast(
                    crate::frame::missing_aware(&self.frame, f.name()),
                    arrow::datatypes::DataType::Float64,
                );
                agg::percentile_cont(x.sort(true, false), lit(q)).alias(f.name())
            })
            .collect();
        self.aggregate(exprs)
    }

    fn ranked(&self, order_by: Vec<datafusion::logical_expr::SortExpr>) -> Result<Expr> {
        use datafusion::logical_expr::ExprFunctionExt;
        Ok(datafusion::functions_window::expr_fn::row_number()
            .partition_by(self.keys.iter().map(ident).collect())
            .order_by(order_by)
            .build()?)
    }

    fn keep_first(
        self,
        n: usize,
        order_by: Vec<datafusion::logical_expr::SortExpr>,
        present: Option<Expr>,
    ) -> Result<DataFrame> {
        // Ties, and everything when no order is given, go by input order (pandas).
        let mut order_by = order_by;
        let by_input_order = order_by.is_empty();
        order_by.push(input_order(true));
        let position = self.ranked(order_by.clone())?;
        let mut frame = self.frame.clone();
        let columns = frame.columns();
        frame = frame.with_ordinal()?;
        if self.dropna {
            for k in &self.keys {
                frame = frame.filter(ident(k).is_not_null())?;
            }
        }
        if let Some(p) = present {
            frame = frame.filter(p)?;
        }
        let frame = frame
            .with_column("__dusk_position", position)?
            .filter(ident("__dusk_position").lt_eq(lit(n as u64)))?;
        let mut sort: Vec<_> = if by_input_order {
            // pandas' groupby().head(n) keeps the rows in their input order.
            vec![]
        } else {
            self.keys
                .iter()
                .map(|k| ident(k).sort(true, false))
                .collect()
        };
        sort.extend(order_by);
        let frame = frame.into_datafusion().sort(sort)?;
        DataFrame::from_datafusion(frame).select(columns)
    }

    /// The first `n` rows of each group. With an empty `order_by`, first in input
    /// order, and the rows stay in input order: pandas' `groupby(..).head(n)`. With
    /// `order_by`, first in that order (ties in input order), and the output is sorted by
    /// the keys, then that order (pandas' `sort_values(order_by).groupby(..).head(n)`,
    /// sorted by the keys).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let firsts = f.groupby(["k"])?.head(1, &["y"])?;
    /// assert_eq!(firsts.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn head<S: AsRef<str>>(self, n: usize, order_by: &[S]) -> Result<DataFrame> {
        let names: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        self.frame.check_columns(&names)?;
        let order = names.iter().map(|c| ident(c).sort(true, false)).collect();
        self.keep_first(n, order, None)
    }

    /// The `n` rows with the largest `column` in each group, largest first (pandas'
    /// `groupby(..)[column].nlargest(n)`, with the whole rows).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let top = f.groupby(["k"])?.nlargest(1, "y")?;
    /// assert_eq!(top.query("y = 30 or y = 20")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn nlargest(self, n: usize, column: &str) -> Result<DataFrame> {
        self.frame.check_columns(&[column])?;
        let present = crate::frame::missing_aware(&self.frame, column).is_not_null();
        self.keep_first(n, vec![ident(column).sort(false, false)], Some(present))
    }

    /// The `n` rows with the smallest `column` in each group, smallest first.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let low = f.groupby(["k"])?.nsmallest(1, "y")?;
    /// assert_eq!(low.query("y = 10 or y = 20")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn nsmallest(self, n: usize, column: &str) -> Result<DataFrame> {
        self.frame.check_columns(&[column])?;
        let present = crate::frame::missing_aware(&self.frame, column).is_not_null();
        self.keep_first(n, vec![ident(column).sort(true, false)], Some(present))
    }

    /// Running sums of `columns` within each group, in the order of `order_by`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.groupby(["k"])?.cumsum(&["y"], &["t"])?;
    /// assert_eq!(r.query("k = 'a' and y = 40")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn cumsum<S: AsRef<str>, O: AsRef<str>>(
        self,
        columns: &[S],
        order_by: &[O],
    ) -> Result<DataFrame> {
        let keys = self.keys.clone();
        self.frame.cumulative(
            columns,
            order_by,
            &keys,
            datafusion::functions_aggregate::sum::sum_udaf(),
        )
    }

    /// The position of each row within its group (0-based) in the order of `order_by`,
    /// as a new column `cumcount`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.groupby(["k"])?.cumcount(&["t"])?;
    /// assert_eq!(r.query("cumcount = 1")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn cumcount<O: AsRef<str>>(self, order_by: &[O]) -> Result<DataFrame> {
        let names: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        self.frame.check_columns(&names)?;
        let position = self.ranked(names.iter().map(|c| ident(c).sort(true, false)).collect())?;
        let expr =
            datafusion::logical_expr::cast(position, arrow::datatypes::DataType::Int64) - lit(1i64);
        self.frame.with_column("cumcount", expr)
    }

    /// Ranks of `column` within each group (see [`DataFrame::rank`]).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.groupby(["k"])?.rank("y", "min", false)?;
    /// assert_eq!(r.query("y = 30 and y_rank = 1")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn rank(self, column: &str, method: &str, ascending: bool) -> Result<DataFrame> {
        let keys = self.keys.clone();
        self.frame.rank_by(column, method, ascending, &keys)
    }

    /// `column`'s value `n` rows earlier in the group (later if negative), in the order
    /// of `order_by`, as `{column}_shift` (pandas' `shift`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.groupby(["k"])?.shift("y", 1, &["t"])?;
    /// assert_eq!(r.query("y = 30 and y_shift = 10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn shift<O: AsRef<str>>(self, column: &str, n: i64, order_by: &[O]) -> Result<DataFrame> {
        let expr = self.shifted(column, n, order_by)?;
        self.frame.with_column(&format!("{column}_shift"), expr)
    }

    /// `column` minus its value `n` rows earlier in the group, as `{column}_diff`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.groupby(["k"])?.diff("y", 1, &["t"])?;
    /// assert_eq!(r.query("y_diff = 20")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn diff<O: AsRef<str>>(self, column: &str, n: i64, order_by: &[O]) -> Result<DataFrame> {
        let previous = self.shifted(column, n, order_by)?;
        let value = crate::frame::missing_aware(&self.frame, column);
        self.frame
            .with_column(&format!("{column}_diff"), value - previous)
    }

    fn shifted<O: AsRef<str>>(&self, column: &str, n: i64, order_by: &[O]) -> Result<Expr> {
        use datafusion::logical_expr::ExprFunctionExt;
        let names: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        self.frame.check_columns(&names)?;
        self.frame.check_columns(&[column])?;
        let value = crate::frame::missing_aware(&self.frame, column);
        let f = if n >= 0 {
            datafusion::functions_window::expr_fn::lag(value, Some(n), None)
        } else {
            datafusion::functions_window::expr_fn::lead(value, Some(-n), None)
        };
        Ok(f.partition_by(self.keys.iter().map(ident).collect())
            .order_by(names.iter().map(|c| ident(c).sort(true, false)).collect())
            .build()?)
    }

    /// Each row's group aggregate of `column` as a new column `{column}_{func}` (pandas'
    /// `groupby(..)[column].transform(func)`), e.g. to subtract the group mean.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.groupby(["k"])?.transform("y", "mean")?;
    /// let centred = r.with_column("d", dusk::col("y") - dusk::col("y_mean"))?;
    /// assert_eq!(centred.query("d = -10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn transform(self, column: &str, func: &str) -> Result<DataFrame> {
        use datafusion::logical_expr::ExprFunctionExt;
        self.frame.check_columns(&[column])?;
        let value = crate::frame::missing_aware(&self.frame, column);
        let udaf = match func {
            "sum" => datafusion::functions_aggregate::sum::sum_udaf(),
            "mean" => datafusion::functions_aggregate::average::avg_udaf(),
            "min" => datafusion::functions_aggregate::min_max::min_udaf(),
            "max" => datafusion::functions_aggregate::min_max::max_udaf(),
            "count" => datafusion::functions_aggregate::count::count_udaf(),
            "std" => datafusion::functions_aggregate::stddev::stddev_udaf(),
            _ => {
                return Err(Error::invalid_option(
                    "transform",
                    func,
                    "sum, mean, min, max, count or std",
                ));
            }
        };
        let expr = crate::window::over(udaf, vec![value])
            .partition_by(self.keys.iter().map(ident).collect())
            .window_frame(crate::window::whole_partition())
            .build()?;
        self.frame.with_column(&format!("{column}_{func}"), expr)
    }

    /// The number of rows per group, in a column named `size`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let sizes = trips.groupby(["payment_type"])?.size()?;
    /// assert_eq!(sizes.columns(), ["payment_type", "size"]);
    /// # Ok(()) }
    /// ```
    pub fn size(self) -> Result<DataFrame> {
        self.aggregate(vec![agg::count(lit(1)).alias("size")])
    }
}

/// The aggregate expression for a pandas aggregation name over `column`.
fn aggregate(frame: &DataFrame, column: &str, func: &str) -> Result<Expr> {
    // pandas skips NaN like a missing value.
    let c = crate::frame::missing_aware(frame, column);
    Ok(match func {
        // pandas: the sum of nothing (or of only missing values) is 0.
        "sum" => datafusion::functions::core::coalesce().call(vec![agg::sum(c), lit(0)]),
        "mean" | "avg" => agg::avg(c),
        "min" => agg::min(c),
        "max" => agg::max(c),
        "count" => agg::count(c),
        "size" => agg::count(lit(1)),
        "std" => agg::stddev(c),
        "var" => agg::var_sample(c),
        "median" => agg::median(c),
        "nunique" => agg::count_distinct(c),
        // pandas' first/last: the first/last present value in input order.
        "first" => agg::first_value(c.clone(), vec![input_order(true)]).filter_nulls(),
        "last" => agg::last_value(c.clone(), vec![input_order(true)]).filter_nulls(),
        _ => {
            return Err(Error::invalid_option(
                "aggregation",
                func,
                AGGREGATIONS.join(", "),
            ));
        }
    })
}

trait FilterNulls {
    fn filter_nulls(self) -> Expr;
}

impl FilterNulls for Expr {
    /// pandas' `first`/`last` skip missing values; DataFusion's take the row as it is.
    fn filter_nulls(self) -> Expr {
        use datafusion::logical_expr::ExprFunctionExt;
        let Expr::AggregateFunction(ref f) = self else {
            return self;
        };
        let arg = f.params.args[0].clone();
        self.clone()
            .filter(arg.is_not_null())
            .build()
            .unwrap_or(self)
    }
}
