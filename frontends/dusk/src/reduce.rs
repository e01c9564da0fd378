//! Whole-frame reductions: one value per column, as pandas' `df.sum()`, `df.mean()`, ...
//! Each returns a one-row frame whose columns are the reduced columns (pandas returns a
//! Series indexed by column name; this is its transpose).

use arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{Expr, cast, ident, lit};
use dusk_engine::{Error, Result};

use crate::frame::{DataFrame, missing_aware};

impl DataFrame {
    fn numeric_columns(&self) -> Vec<String> {
        self.schema()
            .fields()
            .iter()
            .filter(|f| f.data_type().is_numeric())
            .map(|f| f.name().clone())
            .collect()
    }

    /// Reduces every column `func` applies to: `sum`, `mean`, `std`, `var`, `median` take
    /// the numeric columns (pandas' `numeric_only=True`); `min`, `max`, `count`,
    /// `nunique` take all. Missing values (and NaN) are skipped.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let f = session.sql("SELECT * FROM (VALUES (1, 'a'), (3, 'b')) AS t(x, s)").await?;
    /// let total = f.reduce("sum")?;
    /// assert_eq!(total.columns(), ["x"]);
    /// # Ok(()) }
    /// ```
    pub fn reduce(self, func: &str) -> Result<DataFrame> {
        let columns = match func {
            "min" | "max" | "count" | "nunique" => self.columns(),
            _ => self.numeric_columns(),
        };
        let mut exprs = Vec::new();
        for c in &columns {
            let x = missing_aware(&self, c);
            let e = match func {
                "sum" => datafusion::functions::core::coalesce().call(vec![agg::sum(x), lit(0)]),
                "mean" => agg::avg(x),
                "min" => agg::min(x),
                "max" => agg::max(x),
                "count" => agg::count(x),
                "std" => agg::stddev(cast(x, DataType::Float64)),
                "var" => agg::var_sample(cast(x, DataType::Float64)),
                "median" => agg::median(cast(x, DataType::Float64)),
                "nunique" => agg::count_distinct(x),
                _ => {
                    return Err(Error::invalid_option(
                        "reduction",
                        func,
                        "sum, mean, min, max, count, std, var, median or nunique",
                    ));
                }
            };
            exprs.push(e.alias(c));
        }
        Ok(DataFrame::from_datafusion(
            self.into_datafusion().aggregate(vec![], exprs)?,
        ))
    }

    /// The sum of each numeric column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let total = f.sum()?;
    /// assert_eq!(total.query("y = 60")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn sum(self) -> Result<DataFrame> {
        self.reduce("sum")
    }
    /// The mean of each numeric column (a float).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.mean()?.query("y = 20")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn mean(self) -> Result<DataFrame> {
        self.reduce("mean")
    }
    /// The minimum of each column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.min()?.query("y = 10 and k = 'a'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn min(self) -> Result<DataFrame> {
        self.reduce("min")
    }
    /// The maximum of each column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.max()?.query("y = 30 and k = 'b'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn max(self) -> Result<DataFrame> {
        self.reduce("max")
    }
    /// The sample standard deviation (ddof 1) of each numeric column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.std()?.query("y = 10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn std(self) -> Result<DataFrame> {
        self.reduce("std")
    }
    /// The sample variance (ddof 1) of each numeric column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.var()?.query("y = 100")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn var(self) -> Result<DataFrame> {
        self.reduce("var")
    }
    /// The median of each numeric column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.median()?.query("y = 20 and x = 2.25")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn median(self) -> Result<DataFrame> {
        self.reduce("median")
    }
    /// The number of distinct present values of each column.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.nunique()?.query("k = 2 and x = 2")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn nunique(self) -> Result<DataFrame> {
        self.reduce("nunique")
    }

    /// Quantiles of each numeric column with linear interpolation, one row per `q`, the
    /// first column (`quantile`) holding q, as pandas' `df.quantile([..])`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let q = f.quantile(&[0.5, 1.0])?;
    /// assert_eq!(q.query("quantile = 1.0 and y = 30")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn quantile(self, qs: &[f64]) -> Result<DataFrame> {
        if qs.is_empty() || qs.iter().any(|q| !(0.0..=1.0).contains(q)) {
            return Err(Error::invalid_option(
                "q",
                format!("{qs:?}"),
                "values between 0 and 1",
            ));
        }
        let columns = self.numeric_columns();
        let mut frames: Option<datafusion::dataframe::DataFrame> = None;
        for q in qs {
            let mut exprs = vec![];
            for c in &columns {
                let x = cast(missing_aware(&self, c), DataType::Float64);
                exprs.push(agg::percentile_cont(x.sort(true, false), lit(*q)).alias(c));
            }
            let one = self.clone().into_datafusion().aggregate(vec![], exprs)?;
            let mut select = vec![lit(*q).alias("quantile")];
            select.extend(columns.iter().map(ident));
            let one = one.select(select)?;
            frames = Some(match frames {
                None => one,
                Some(f) => f.union(one)?,
            });
        }
        let frame = frames.expect("at least one quantile");
        Ok(DataFrame::from_datafusion(
            frame.sort(vec![ident("quantile").sort(true, false)])?,
        ))
    }

    /// How often each combination of `columns` occurs, as pandas' `value_counts`: a
    /// `count` column (or `proportion` with `normalize`), sorted by it (descending unless
    /// `ascending`; ties by the values) when `sort`; rows with a missing value are left
    /// out when `dropna`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let counts = f.value_counts(&["k"], false, true, false, true)?;
    /// assert_eq!(counts.query("k = 'a' and count = 2")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn value_counts<S: AsRef<str>>(
        self,
        columns: &[S],
        normalize: bool,
        sort: bool,
        ascending: bool,
        dropna: bool,
    ) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        let names = if names.is_empty() {
            self.columns()
        } else {
            names
        };
        let groups = self.groupby(&names)?.dropna(dropna).sort(false).size()?;
        let mut frame = groups.rename([("size", "count")])?.into_datafusion();
        if normalize {
            let total = crate::window::over(
                datafusion::functions_aggregate::sum::sum_udaf(),
                vec![ident("count")],
            );
            let total = datafusion::logical_expr::ExprFunctionExt::window_frame(
                total,
                crate::window::whole_partition(),
            )
            .build()?;
            let mut select: Vec<Expr> = names.iter().map(ident).collect();
            select.push(
                (cast(ident("count"), DataType::Float64) / cast(total, DataType::Float64))
                    .alias("proportion"),
            );
            frame = frame.select(select)?;
        }
        if sort {
            let measure = if normalize { "proportion" } else { "count" };
            let mut order = vec![ident(measure).sort(ascending, false)];
            order.extend(names.iter().map(|n| ident(n).sort(true, false)));
            frame = frame.sort(order)?;
        }
        Ok(DataFrame::from_datafusion(frame))
    }

    /// Pairwise Pearson correlations of the numeric columns (pandas' `corr`): a square
    /// frame whose first column, `column`, names the row.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let r = f.select(["g", "y"])?.corr()?;
    /// assert_eq!(r.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn corr(self) -> Result<DataFrame> {
        self.pairwise(true)
    }

    /// Pairwise sample covariances (ddof 1) of the numeric columns (pandas' `cov`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let c = f.select(["g", "y"])?.cov()?;
    /// assert_eq!(c.query("column = 'y' and y = 100")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn cov(self) -> Result<DataFrame> {
        self.pairwise(false)
    }

    fn pairwise(self, correlation: bool) -> Result<DataFrame> {
        let columns = self.numeric_columns();
        let mut rows: Option<datafusion::dataframe::DataFrame> = None;
        for a in &columns {
            let mut exprs = Vec::new();
            for b in &columns {
                let x = cast(missing_aware(&self, a), DataType::Float64);
                let y = cast(missing_aware(&self, b), DataType::Float64);
                let e = if correlation {
                    agg::corr(x, y)
                } else {
                    agg::covar_samp(x, y)
                };
                exprs.push(e.alias(b));
            }
            let row = self.clone().into_datafusion().aggregate(vec![], exprs)?;
            let mut select = vec![lit(a.as_str()).alias("column")];
            select.extend(columns.iter().map(ident));
            let row = row.select(select)?;
            rows = Some(match rows {
                None => row,
                Some(r) => r.union(row)?,
            });
        }
        let Some(rows) = rows else {
            return Err(Error::Plan(
                "corr and cov need at least one numeric column".into(),
            ));
        };
        Ok(DataFrame::from_datafusion(rows))
    }

    /// The most frequent present value(s) of `column`, sorted, as pandas' `mode` (all
    /// values tied for most frequent).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.mode("k")?.query("k = 'a'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn mode(self, column: &str) -> Result<DataFrame> {
        self.check_columns(&[column])?;
        let counts = self
            .groupby([column])?
            .sort(false)
            .size()?
            .into_datafusion();
        let top = crate::window::over(
            datafusion::functions_aggregate::min_max::max_udaf(),
            vec![ident("size")],
        );
        let top = datafusion::logical_expr::ExprFunctionExt::window_frame(
            top,
            crate::window::whole_partition(),
        )
        .build()?;
        let frame = counts
            .with_column("__dusk_top", top)?
            .filter(ident("size").eq(ident("__dusk_top")))?
            .select(vec![ident(column)])?
            .sort(vec![ident(column).sort(true, false)])?;
        Ok(DataFrame::from_datafusion(frame))
    }

    /// The number of rows and columns; counting rows runs the plan.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.shape().await?, (3, 6));
    /// # Ok(()) }
    /// ```
    pub async fn shape(self) -> Result<(usize, usize)> {
        let columns = self.columns().len();
        Ok((self.len().await?, columns))
    }
}
