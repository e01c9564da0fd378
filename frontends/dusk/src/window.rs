//! Ordered computations: window helpers, `rolling`, `resample`, cumulative sums and ranks.

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::common::scalar::ScalarValue as Sv;
use datafusion::functions_aggregate::{average, count, min_max, stddev, sum};
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    AggregateUDF, Expr, ExprFunctionExt, SortExpr, WindowFrame, WindowFrameBound, WindowFrameUnits,
    WindowFunctionDefinition, ident, lit, when,
};
use dusk_engine::{Error, Result};

use crate::frame::DataFrame;

/// An aggregate function evaluated as a window.
pub(crate) fn over(udaf: Arc<AggregateUDF>, args: Vec<Expr>) -> Expr {
    Expr::from(WindowFunction::new(
        WindowFunctionDefinition::AggregateUDF(udaf),
        args,
    ))
}

/// `ROWS BETWEEN preceding PRECEDING AND CURRENT ROW` (`None`: unbounded).
pub(crate) fn rows_up_to_current(preceding: Option<u64>) -> WindowFrame {
    let start = match preceding {
        Some(n) => WindowFrameBound::Preceding(Sv::UInt64(Some(n))),
        None => WindowFrameBound::Preceding(Sv::UInt64(None)),
    };
    WindowFrame::new_bounds(WindowFrameUnits::Rows, start, WindowFrameBound::CurrentRow)
}

/// The whole partition as the frame.
pub(crate) fn whole_partition() -> WindowFrame {
    WindowFrame::new_bounds(
        WindowFrameUnits::Rows,
        WindowFrameBound::Preceding(Sv::UInt64(None)),
        WindowFrameBound::Following(Sv::UInt64(None)),
    )
}

/// Ascending sort expressions for `columns`, missing values last.
pub(crate) fn order(columns: &[String]) -> Vec<SortExpr> {
    columns.iter().map(|c| ident(c).sort(true, false)).collect()
}

/// A pandas frequency ("1h", "15min", "30s", "1d", "2D", "1W") as an interval.
pub(crate) fn freq_to_interval(freq: &str) -> Result<ScalarValue> {
    let f = freq.trim();
    let split = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
    let (n, unit) = f.split_at(split);
    let n: i64 = if n.is_empty() {
        1
    } else {
        n.parse().unwrap_or(0)
    };
    let nanos: i64 = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" | "L" => 1_000_000,
        "s" | "S" => 1_000_000_000,
        "min" | "T" => 60_000_000_000,
        "h" | "H" => 3_600_000_000_000,
        "d" | "D" => 86_400_000_000_000,
        "W" | "w" => 7 * 86_400_000_000_000,
        _ => 0,
    };
    if n <= 0 || nanos == 0 {
        return Err(Error::invalid_option(
            "freq",
            freq,
            "a pandas frequency such as 30s, 15min, 1h, 1D or 1W",
        ));
    }
    Ok(ScalarValue::new_interval_mdn(0, 0, n * nanos))
}

/// The aggregations `rolling` and `resample` offer.
const ROLLING: &[&str] = &["mean", "sum", "min", "max", "std", "count"];

fn window_udaf(func: &str) -> Result<Arc<AggregateUDF>> {
    Ok(match func {
        "mean" => average::avg_udaf(),
        "sum" => sum::sum_udaf(),
        "min" => min_max::min_udaf(),
        "max" => min_max::max_udaf(),
        "std" => stddev::stddev_udaf(),
        "count" => count::count_udaf(),
        _ => {
            return Err(Error::invalid_option(
                "window aggregation",
                func,
                ROLLING.join(", "),
            ));
        }
    })
}

/// Rows in a moving window of `n` rows, in a given order; made by [`DataFrame::rolling`].
#[derive(Debug, Clone)]
pub struct Rolling {
    frame: DataFrame,
    window: u64,
    order_by: Vec<String>,
    by: Vec<String>,
}

impl Rolling {
    /// Restarts the window in each group of `keys` (pandas' `groupby(keys).rolling(n)`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let per_key = f.rolling(2, ["y"])?.by(["k"])?.sum(&["y"])?;
    /// assert_eq!(per_key.query("y_sum = 40")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn by<S: AsRef<str>>(mut self, keys: impl IntoIterator<Item = S>) -> Result<Self> {
        self.by = keys.into_iter().map(|k| k.as_ref().to_string()).collect();
        self.frame.check_columns(&self.by)?;
        Ok(self)
    }

    /// Adds `column_func` columns holding `func` (mean, sum, min, max, std, count) of the
    /// last `n` rows of each column; missing where fewer than `n` values are present, as
    /// pandas' default `min_periods = n`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rolling(2, ["y"])?.agg(&["y"], "max")?;
    /// assert_eq!(r.query("y_max = 30")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn agg<S: AsRef<str>>(self, columns: &[S], func: &str) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self.frame.check_columns(&names)?;
        let udaf = window_udaf(func)?;
        let frame = rows_up_to_current(Some(self.window - 1));
        let partition: Vec<Expr> = self.by.iter().map(ident).collect();
        let sort = order(&self.order_by);
        let mut out = self.frame.clone();
        for c in &names {
            let value = crate::frame::missing_aware(&self.frame, c);
            let agg = over(Arc::clone(&udaf), vec![value.clone()])
                .partition_by(partition.clone())
                .order_by(sort.clone())
                .window_frame(frame.clone())
                .build()?;
            let present = over(count::count_udaf(), vec![value])
                .partition_by(partition.clone())
                .order_by(sort.clone())
                .window_frame(frame.clone())
                .build()?;
            let expr = if func == "count" {
                agg
            } else {
                when(present.gt_eq(lit(self.window as i64)), agg).end()?
            };
            out = out.with_column(&format!("{c}_{func}"), expr)?;
        }
        Ok(out)
    }
    /// Moving mean.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rolling(2, ["y"])?.mean(&["y"])?;
    /// assert_eq!(r.query("y_mean = 25")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn mean<S: AsRef<str>>(self, columns: &[S]) -> Result<DataFrame> {
        self.agg(columns, "mean")
    }
    /// Moving sum.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rolling(3, ["y"])?.sum(&["y"])?;
    /// assert_eq!(r.query("y_sum = 60")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn sum<S: AsRef<str>>(self, columns: &[S]) -> Result<DataFrame> {
        self.agg(columns, "sum")
    }
    /// Moving minimum.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rolling(2, ["y"])?.min(&["y"])?;
    /// assert_eq!(r.query("y_min = 20")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn min<S: AsRef<str>>(self, columns: &[S]) -> Result<DataFrame> {
        self.agg(columns, "min")
    }
    /// Moving maximum.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rolling(2, ["y"])?.max(&["y"])?;
    /// assert_eq!(r.query("y_max = 20")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn max<S: AsRef<str>>(self, columns: &[S]) -> Result<DataFrame> {
        self.agg(columns, "max")
    }
    /// Moving standard deviation (ddof 1).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rolling(3, ["y"])?.std(&["y"])?;
    /// assert_eq!(r.query("y_std = 10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn std<S: AsRef<str>>(self, columns: &[S]) -> Result<DataFrame> {
        self.agg(columns, "std")
    }
}

impl DataFrame {
    /// A moving window over the last `n` rows in the order of `order_by`, for
    /// `.mean(..)`, `.sum(..)`, `.min(..)`, `.max(..)`, `.std(..)`; `.by(keys)` restarts it
    /// per group. pandas rolls in row order; a parallel frame has none, so the order is
    /// named.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let frame = session.sql("SELECT * FROM (VALUES (1, 1.0), (2, 2.0), (3, 6.0)) AS t(i, x)").await?;
    /// let rolled = frame.rolling(2, ["i"])?.mean(&["x"])?.sort_values(["i"], true)?;
    /// assert_eq!(rolled.columns(), ["i", "x", "x_mean"]);
    /// # Ok(()) }
    /// ```
    pub fn rolling<S: AsRef<str>>(
        self,
        n: u64,
        order_by: impl IntoIterator<Item = S>,
    ) -> Result<Rolling> {
        if n == 0 {
            return Err(Error::invalid_option("rolling window", 0, "at least 1 row"));
        }
        let order_by: Vec<String> = order_by
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self.check_columns(&order_by)?;
        Ok(Rolling {
            frame: self,
            window: n,
            order_by,
            by: Vec::new(),
        })
    }

    /// Groups rows into time bins of `freq` ("1h", "15min", "1D") on the timestamp column
    /// `on` and aggregates each bin: pandas' `resample(freq, on=on).agg(...)`. The output's
    /// first column, named `on`, holds each bin's start; bins are sorted, and every bin
    /// from the first to the last is there, as in pandas: a bin without rows has 0 for
    /// `sum`, `count` and `size`, and missing values for the other aggregations.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let daily = trips.resample("1D", "pickup_datetime", [("fare_amount", "sum")])?;
    /// assert_eq!(daily.len().await?, 31 + 29 + 31);
    /// # Ok(()) }
    /// ```
    pub fn resample<A: Into<crate::groupby::Agg>>(
        self,
        freq: &str,
        on: &str,
        aggregations: impl IntoIterator<Item = A>,
    ) -> Result<DataFrame> {
        use datafusion::functions_aggregate::expr_fn::{max, min};
        use datafusion::functions_nested::expr_fn::gen_series;
        self.check_columns(&[on])?;
        let aggregations: Vec<crate::groupby::Agg> =
            aggregations.into_iter().map(Into::into).collect();
        let interval = freq_to_interval(freq)?;
        let bin = datafusion::functions::datetime::date_bin().call(vec![
            lit(interval.clone()),
            ident(on),
            lit(ScalarValue::TimestampNanosecond(Some(0), None)),
        ]);
        let data_type = self.schema().field_with_name(on)?.data_type().clone();
        let bin = datafusion::logical_expr::cast(bin, data_type.clone());
        let binned = self.with_column(on, bin)?;
        let aggregated = binned.groupby([on])?.agg(aggregations.clone())?;
        let columns = aggregated.columns();

        // Every bin between the first and the last, joined with the bins that have rows.
        const BIN: &str = "__dusk_bin";
        let bins = aggregated
            .clone()
            .into_datafusion()
            .aggregate(
                vec![],
                vec![min(ident(on)).alias("lo"), max(ident(on)).alias("hi")],
            )?
            .select(vec![
                gen_series(ident("lo"), ident("hi"), lit(interval)).alias(BIN),
            ])?
            .unnest_columns_with_options(
                &[BIN],
                datafusion::common::UnnestOptions::new().with_preserve_nulls(false),
            )?;
        let bins = bins.select(vec![
            datafusion::logical_expr::cast(ident(BIN), data_type).alias(BIN),
        ])?;
        let joined = bins.join_on(
            aggregated.into_datafusion(),
            datafusion::common::JoinType::Left,
            [ident(BIN).eq(ident(on))],
        )?;
        let mut exprs = vec![ident(BIN).alias(on)];
        for (name, a) in columns.iter().skip(1).zip(&aggregations) {
            let counts = matches!(a, crate::groupby::Agg::Named { func, .. }
                if matches!(func.as_str(), "sum" | "count" | "size"));
            let value = if counts {
                datafusion::functions::core::coalesce().call(vec![ident(name), lit(0)])
            } else {
                ident(name)
            };
            exprs.push(value.alias(name));
        }
        let out = joined
            .select(exprs)?
            .sort(vec![ident(on).sort(true, false)])?;
        Ok(DataFrame::from_datafusion(out))
    }

    /// Running sums of `columns` in the order of `order_by` (pandas' `cumsum`, which skips
    /// missing values and leaves them missing).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.cumsum(&["y"], &["t"])?;
    /// assert_eq!(r.query("y = 60")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn cumsum<S: AsRef<str>, O: AsRef<str>>(
        self,
        columns: &[S],
        order_by: &[O],
    ) -> Result<DataFrame> {
        self.cumulative(columns, order_by, &[], sum::sum_udaf())
    }

    /// Running maxima of `columns` in the order of `order_by` (pandas' `cummax`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.cummax(&["x"], &["t"])?;
    /// assert_eq!(r.query("x = 3.0")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn cummax<S: AsRef<str>, O: AsRef<str>>(
        self,
        columns: &[S],
        order_by: &[O],
    ) -> Result<DataFrame> {
        self.cumulative(columns, order_by, &[], min_max::max_udaf())
    }

    pub(crate) fn cumulative<S: AsRef<str>, O: AsRef<str>>(
        self,
        columns: &[S],
        order_by: &[O],
        by: &[String],
        udaf: Arc<AggregateUDF>,
    ) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        let order_by: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&names)?;
        self.check_columns(&order_by)?;
        let mut out = self.clone();
        for c in &names {
            let value = crate::frame::missing_aware(&self, c);
            let running = over(Arc::clone(&udaf), vec![value.clone()])
                .partition_by(by.iter().map(ident).collect())
                .order_by(order(&order_by))
                .window_frame(rows_up_to_current(None))
                .build()?;
            // pandas leaves a missing value missing in the running result.
            let expr = when(value.is_null(), lit(ScalarValue::Null)).otherwise(running)?;
            out = out.with_column(c, expr)?;
        }
        Ok(out)
    }

    /// Ranks of `column` as a new column `{column}_rank` (Float64, 1-based), as pandas'
    /// `rank(method, ascending)`: `average` (default), `min`, `max`, `first` (ties in
    /// input order), `dense`. Missing values get a missing rank.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.rank("k", "average", true)?;
    /// assert_eq!(r.query("k_rank = 1.5")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn rank(self, column: &str, method: &str, ascending: bool) -> Result<DataFrame> {
        self.rank_by(column, method, ascending, &[])
    }

    pub(crate) fn rank_by(
        self,
        column: &str,
        method: &str,
        ascending: bool,
        by: &[String],
    ) -> Result<DataFrame> {
        use datafusion::functions_window::expr_fn::{dense_rank, rank, row_number};
        self.check_columns(&[column])?;
        let value = crate::frame::missing_aware(&self, column);
        let mut partition: Vec<Expr> = by.iter().map(ident).collect();
        // Missing values are ranked apart, so that they neither take nor shift ranks.
        partition.push(value.clone().is_null());
        let mut sort = vec![value.clone().sort(ascending, false)];
        // method="first": ties are ranked in input order.
        let first = method == "first";
        if first {
            sort.push(crate::frame::input_order(true));
        }
        let window = |f: Expr| -> Result<Expr> {
            Ok(f.partition_by(partition.clone())
                .order_by(sort.clone())
                .build()?)
        };
        let ties = over(count::count_udaf(), vec![lit(1)])
            .partition_by([partition.clone(), vec![value.clone()]].concat())
            .window_frame(whole_partition())
            .build()?;
        let as_float = |e: Expr| datafusion::logical_expr::cast(e, DataType::Float64);
        let ranked = match method {
            "min" => as_float(window(rank())?),
            "dense" => as_float(window(dense_rank())?),
            "first" => as_float(window(row_number())?),
            "max" => as_float(window(rank())? + ties - lit(1i64)),
            "average" => as_float(window(rank())?) + (as_float(ties) - lit(1.0)) / lit(2.0),
            _ => {
                return Err(Error::invalid_option(
                    "rank method",
                    method,
                    "average, min, max, first or dense",
                ));
            }
        };
        let expr = when(value.is_null(), lit(ScalarValue::Float64(None))).otherwise(ranked)?;
        if first {
            let ranked = self
                .with_ordinal()?
                .with_column(&format!("{column}_rank"), expr)?;
            return ranked.drop([crate::frame::ORDINAL]);
        }
        self.with_column(&format!("{column}_rank"), expr)
    }
}
