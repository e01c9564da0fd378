//! Selecting, combining and reshaping: `tail`, `nlargest`, `sample`, `where_`, `astype`,
//! `map`, `cut`, `concat`, `drop_duplicates`, `melt`, `pivot_table`, `explode`,
//! partitions and `persist`.

use std::sync::Arc;

use arrow::datatypes::DataType;
use std::ops::Not;

use datafusion::common::ScalarValue;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, Partitioning, cast, ident, lit, when};
use dusk_engine::{Error, Result};

use crate::frame::{DataFrame, missing_aware};

impl DataFrame {
    /// The last `n` rows in the order of `order_by` (pandas' `tail` on a sorted frame),
    /// returned in that order.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let last = f.tail(1, &["y"])?;
    /// assert_eq!(last.query("y = 30")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn tail<S: AsRef<str>>(self, n: usize, order_by: &[S]) -> Result<DataFrame> {
        let by: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&by)?;
        let reversed: Vec<_> = by.iter().map(|c| ident(c).sort(false, true)).collect();
        let last = self.into_datafusion().sort(reversed)?.limit(0, Some(n))?;
        let forward: Vec<_> = by.iter().map(|c| ident(c).sort(true, false)).collect();
        Ok(DataFrame::from_datafusion(last.sort(forward)?))
    }

    /// The `n` rows with the largest values of `columns` (compared in order), largest
    /// first, as pandas' `nlargest` (missing values never chosen).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let top = f.nlargest(2, &["y"])?;
    /// assert_eq!(top.query("y >= 20")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn nlargest<S: AsRef<str>>(self, n: usize, columns: &[S]) -> Result<DataFrame> {
        self.extreme(n, columns, false)
    }

    /// The `n` rows with the smallest values of `columns`, smallest first (`nsmallest`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let low = f.nsmallest(1, &["x"])?;
    /// assert_eq!(low.query("x = 1.5")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn nsmallest<S: AsRef<str>>(self, n: usize, columns: &[S]) -> Result<DataFrame> {
        self.extreme(n, columns, true)
    }

    fn extreme<S: AsRef<str>>(self, n: usize, columns: &[S], ascending: bool) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&names)?;
        let present = names
            .iter()
            .map(|c| missing_aware(&self, c).is_not_null())
            .reduce(Expr::and)
            .unwrap_or(lit(true));
        let mut order: Vec<_> = names
            .iter()
            .map(|c| ident(c).sort(ascending, false))
            .collect();
        // pandas' keep="first": of tied rows, the earlier ones are chosen.
        order.push(crate::frame::input_order(true));
        let frame = self
            .with_ordinal()?
            .into_datafusion()
            .filter(present)?
            .sort(order)?
            .limit(0, Some(n))?;
        DataFrame::from_datafusion(frame).drop([crate::frame::ORDINAL])
    }

    /// A random sample of about `fraction` of the rows (0 to 1), reproducible for a
    /// given `seed`: each row is kept when a hash of its values and the seed falls
    /// below the fraction (pandas' `sample(frac=, random_state=)`; the rows chosen
    /// differ from pandas').
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let all = f.clone().sample(1.0, 7)?.len().await?;
    /// let none = f.sample(0.0, 7)?.len().await?;
    /// assert_eq!((all, none), (3, 0));
    /// # Ok(()) }
    /// ```
    pub fn sample(self, fraction: f64, seed: u64) -> Result<DataFrame> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(Error::invalid_option(
                "frac",
                fraction,
                "a fraction between 0 and 1",
            ));
        }
        let hash = self.row_hash(seed);
        // md5's hex digits are uniform: compare the first eight, as text of fixed width,
        // with the fraction scaled to [0, 2^32).
        let prefix =
            datafusion::functions::unicode::substr().call(vec![hash, lit(1i64), lit(8i64)]);
        let threshold = (fraction * 4_294_967_296.0).min(4_294_967_296.0) as u64;
        if threshold >= 1 << 32 {
            return Ok(self);
        }
        self.filter(prefix.lt(lit(format!("{threshold:08x}"))))
    }

    /// `n` rows chosen at random, reproducibly for a given `seed` (pandas'
    /// `sample(n=, random_state=)`; the rows chosen differ from pandas'). Rows are ranked
    /// by a hash of their values and the seed, and the first `n` kept.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// let a = trips.clone().sample_n(5, 42)?.collect().await?;
    /// let b = trips.sample_n(5, 42)?.collect().await?;
    /// assert_eq!(a, b);
    /// # Ok(()) }
    /// ```
    pub fn sample_n(self, n: usize, seed: u64) -> Result<DataFrame> {
        let hash = self.row_hash(seed);
        let columns = self.columns();
        let frame = self
            .with_column("__dusk_hash", hash)?
            .into_datafusion()
            .sort(vec![ident("__dusk_hash").sort(true, false)])?
            .limit(0, Some(n))?;
        DataFrame::from_datafusion(frame).select(columns)
    }

    /// An md5 hex digest of the row's values and `seed`.
    fn row_hash(&self, seed: u64) -> Expr {
        let mut parts: Vec<Expr> = vec![lit(format!("{seed}\u{1}"))];
        for c in self.columns() {
            parts.push(
                datafusion::functions::core::coalesce()
                    .call(vec![cast(ident(&c), DataType::Utf8), lit("\u{2}")]),
            );
            parts.push(lit("\u{1}"));
        }
        let text = datafusion::functions::string::concat().call(parts);
        datafusion::functions::crypto::md5().call(vec![text])
    }

    /// Keeps values where `condition` holds and puts `other` (missing if `None`)
    /// elsewhere, in the given columns (pandas' `where`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.where_(&["y"], dusk::col("y").gt(dusk::lit(15)), None)?;
    /// assert_eq!(f.query("y IS NULL")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn where_<S: AsRef<str>>(
        self,
        columns: &[S],
        condition: Expr,
        other: Option<ScalarValue>,
    ) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&names)?;
        let schema = self.schema();
        let mut out = self;
        for c in &names {
            let ty = schema.field_with_name(c)?.data_type().clone();
            let replacement = cast(lit(other.clone().unwrap_or(ScalarValue::Null)), ty);
            let expr = when(condition.clone().is_true(), ident(c)).otherwise(replacement)?;
            out = out.with_column(c, expr)?;
        }
        Ok(out)
    }

    /// Replaces values where `condition` holds (pandas' `mask`, the opposite of `where_`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.mask(&["y"], dusk::col("y").gt(dusk::lit(15)), None)?;
    /// assert_eq!(f.query("y IS NULL")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn mask<S: AsRef<str>>(
        self,
        columns: &[S],
        condition: Expr,
        other: Option<ScalarValue>,
    ) -> Result<DataFrame> {
        self.where_(columns, condition.is_true().not(), other)
    }

    /// Casts columns to new types (pandas' `astype({...})`); a value that does not
    /// convert fails the query when it runs.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::arrow::datatypes::DataType;
    /// let f = f.astype([("y", DataType::Float64)])?;
    /// assert_eq!(f.schema().field_with_name("y")?.data_type(), &DataType::Float64);
    /// # Ok(()) }
    /// ```
    pub fn astype<S: AsRef<str>>(
        self,
        types: impl IntoIterator<Item = (S, DataType)>,
    ) -> Result<DataFrame> {
        let types: Vec<(String, DataType)> = types
            .into_iter()
            .map(|(c, t)| (c.as_ref().to_string(), t))
            .collect();
        let names: Vec<&String> = types.iter().map(|(c, _)| c).collect();
        self.check_columns(&names)?;
        let mut out = self;
        for (c, t) in types {
            out = out.with_column(&c, cast(ident(&c), t))?;
        }
        Ok(out)
    }

    /// Maps values of `column` through a dictionary; values not in it become missing, as
    /// in pandas' `map(dict)`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::datafusion::common::ScalarValue;
    /// let f = f.map_values("k", &[(ScalarValue::from("a"), ScalarValue::from("alpha"))])?;
    /// assert_eq!(f.query("k = 'alpha'")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn map_values(
        self,
        column: &str,
        mapping: &[(ScalarValue, ScalarValue)],
    ) -> Result<DataFrame> {
        self.check_columns(&[column])?;
        if mapping.is_empty() {
            return Err(Error::invalid_option("mapping", "{}", "at least one pair"));
        }
        let mut builder = datafusion::logical_expr::case(ident(column));
        for (from, to) in mapping {
            builder = builder.when(lit(from.clone()), lit(to.clone()));
        }
        let expr = builder.end()?;
        self.with_column(column, expr)
    }

    /// Bins `column` into intervals between consecutive `edges`, right-inclusive
    /// (`(a, b]`) like pandas' `cut`, as a new text column `{column}_bin` holding the
    /// label (or `labels[i]`); values outside every bin are missing.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.cut("x", &[0.0, 2.0, 4.0], None)?;
    /// assert_eq!(f.query("x_bin = '(2.0, 4.0]'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn cut(self, column: &str, edges: &[f64], labels: Option<&[&str]>) -> Result<DataFrame> {
        self.check_columns(&[column])?;
        if edges.len() < 2 || edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid_option(
                "bins",
                format!("{edges:?}"),
                "at least two increasing edges",
            ));
        }
        if let Some(l) = labels
            && l.len() != edges.len() - 1
        {
            return Err(Error::invalid_option(
                "labels",
                l.len(),
                format!("{} labels, one per bin", edges.len() - 1),
            ));
        }
        let x = cast(missing_aware(&self, column), DataType::Float64);
        let mut builder: Option<datafusion::logical_expr::conditional_expressions::CaseBuilder> =
            None;
        for (i, w) in edges.windows(2).enumerate() {
            let label = match labels {
                Some(l) => l[i].to_string(),
                None => format!("({}, {}]", fmt_edge(w[0]), fmt_edge(w[1])),
            };
            let cond = x.clone().gt(lit(w[0])).and(x.clone().lt_eq(lit(w[1])));
            builder = Some(match builder {
                None => when(cond, lit(label)),
                Some(mut b) => b.when(cond, lit(label)),
            });
        }
        let expr = builder
            .expect("one bin at least")
            .otherwise(lit(ScalarValue::Utf8(None)))?;
        self.with_column(&format!("{column}_bin"), expr)
    }

    /// Limits `columns` to `[low, high]` (either bound optional), as pandas' `clip`;
    /// missing values (and NaN) stay missing.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.clip(&["y"], Some(15.0), Some(25.0))?;
    /// assert_eq!(f.query("y = 15")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn clip<S: AsRef<str>>(
        self,
        columns: &[S],
        low: Option<f64>,
        high: Option<f64>,
    ) -> Result<DataFrame> {
        use crate::expr::ExprExt;
        self.map_columns(columns, |e| e.clip(low.map(lit), high.map(lit)))
    }

    /// Rounds `columns` to `decimals` places, halves to even, as pandas' `round`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.round(&["x"], 0)?;
    /// // Halves go to the even neighbour, as in pandas.
    /// assert_eq!(f.query("x = 2.0")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn round<S: AsRef<str>>(self, columns: &[S], decimals: i64) -> Result<DataFrame> {
        use crate::expr::ExprExt;
        self.map_columns(columns, |e| e.round_to(decimals))
    }

    /// Absolute values of `columns`, as pandas' `abs`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.with_column("y", dusk::col("y") * dusk::lit(-1))?.abs(&["y"])?;
    /// assert_eq!(f.query("y = 10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn abs<S: AsRef<str>>(self, columns: &[S]) -> Result<DataFrame> {
        use crate::expr::ExprExt;
        self.map_columns(columns, |e| e.abs())
    }

    /// Replaces each of `columns` by `f` of its pandas view (NaN as missing).
    fn map_columns<S: AsRef<str>>(
        self,
        columns: &[S],
        f: impl Fn(Expr) -> Expr,
    ) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&names)?;
        let mut out = self;
        for c in &names {
            let e = f(missing_aware(&out, c));
            out = out.with_column(c, e)?;
        }
        Ok(out)
    }

    /// Stacks frames' rows, aligning columns by name; a column missing from a frame is
    /// missing in its rows (pandas' `concat` along rows).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let both = f.clone().concat([f.select(["k"])?])?;
    /// assert_eq!(both.len().await?, 6);
    /// # Ok(()) }
    /// ```
    pub fn concat(self, others: impl IntoIterator<Item = DataFrame>) -> Result<DataFrame> {
        let mut frame = self.into_datafusion();
        for other in others {
            frame = frame.union_by_name(other.into_datafusion())?;
        }
        Ok(DataFrame::from_datafusion(frame))
    }

    /// Drops rows that repeat the values of `subset` (all columns if empty), keeping
    /// the first or last in the order of `order_by`, or none (pandas' `drop_duplicates`
    /// with `keep = "first" | "last" | False`). Without `order_by`, first and last mean
    /// in input order, as in pandas; with it, ties in `order_by` go by input order.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let firsts = f.drop_duplicates(&["k"], "first", &["y"])?;
    /// assert_eq!(firsts.query("k = 'a' and y = 10")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn drop_duplicates<S: AsRef<str>>(
        self,
        subset: &[S],
        keep: &str,
        order_by: &[S],
    ) -> Result<DataFrame> {
        let flagged = self.clone().duplicated(subset, keep, order_by)?;
        let frame = flagged.filter(ident("duplicated").not())?;
        frame.drop(["duplicated"])
    }

    /// Adds a boolean column `duplicated`, true for rows that repeat `subset` (see
    /// [`drop_duplicates`](Self::drop_duplicates) for `keep` and `order_by`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let flagged = f.duplicated(&["k"], "first", &["y"])?;
    /// assert_eq!(flagged.query("duplicated")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn duplicated<S: AsRef<str>>(
        self,
        subset: &[S],
        keep: &str,
        order_by: &[S],
    ) -> Result<DataFrame> {
        let subset: Vec<String> = if subset.is_empty() {
            self.columns()
        } else {
            subset.iter().map(|c| c.as_ref().to_string()).collect()
        };
        let order_by: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&subset)?;
        self.check_columns(&order_by)?;
        let partition: Vec<Expr> = subset.iter().map(ident).collect();
        let flag = match keep {
            "first" | "last" => {
                let ascending = keep == "first";
                let mut sort: Vec<_> = order_by
                    .iter()
                    .map(|c| ident(c).sort(ascending, !ascending))
                    .collect();
                // Ties (and everything, without order_by) go by input order, as in pandas.
                sort.push(crate::frame::input_order(ascending));
                let numbered = row_number()
                    .partition_by(partition)
                    .order_by(sort)
                    .build()?;
                let flagged = self
                    .with_ordinal()?
                    .with_column("duplicated", numbered.gt(lit(1u64)))?;
                return flagged.drop([crate::frame::ORDINAL]);
            }
            "none" | "false" => {
                let n = crate::window::over(
                    datafusion::functions_aggregate::count::count_udaf(),
                    vec![lit(1)],
                )
                .partition_by(partition)
                .window_frame(crate::window::whole_partition())
                .build()?;
                n.gt(lit(1i64))
            }
            _ => return Err(Error::invalid_option("keep", keep, "first, last or none")),
        };
        self.with_column("duplicated", flag)
    }

    /// Unpivots: one row per (id values, value column), with columns `id_vars`,
    /// `var_name` (the column's name) and `value_name` (pandas' `melt`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let long = f.melt(&["k"], &["g", "y"], "variable", "value")?;
    /// assert_eq!(long.len().await?, 6);
    /// # Ok(()) }
    /// ```
    pub fn melt<S: AsRef<str>>(
        self,
        id_vars: &[S],
        value_vars: &[S],
        var_name: &str,
        value_name: &str,
    ) -> Result<DataFrame> {
        let ids: Vec<String> = id_vars.iter().map(|c| c.as_ref().to_string()).collect();
        let values: Vec<String> = if value_vars.is_empty() {
            self.columns()
                .into_iter()
                .filter(|c| !ids.contains(c))
                .collect()
        } else {
            value_vars.iter().map(|c| c.as_ref().to_string()).collect()
        };
        self.check_columns(&ids)?;
        self.check_columns(&values)?;
        let schema = self.schema();
        let types: Vec<DataType> = values
            .iter()
            .map(|v| schema.field_with_name(v).map(|f| f.data_type().clone()))
            .collect::<Result<_, _>>()?;
        let common = if types.windows(2).all(|w| w[0] == w[1]) {
            types[0].clone()
        } else if types.iter().all(|t| t.is_numeric()) {
            DataType::Float64
        } else {
            DataType::Utf8
        };
        let mut out: Option<datafusion::dataframe::DataFrame> = None;
        for v in &values {
            let mut select: Vec<Expr> = ids.iter().map(ident).collect();
            select.push(lit(v.as_str()).alias(var_name));
            select.push(cast(ident(v), common.clone()).alias(value_name));
            let part = self.clone().into_datafusion().select(select)?;
            out = Some(match out {
                None => part,
                Some(o) => o.union(part)?,
            });
        }
        let out =
            out.ok_or_else(|| Error::invalid_option("value_vars", "[]", "at least one column"))?;
        Ok(DataFrame::from_datafusion(out))
    }

    /// Spreads the values of `columns` into one output column per distinct value,
    /// aggregating `values` with `aggfunc` per `index` group (pandas' `pivot_table`).
    /// The distinct values are found by a first pass over the data; missing cells get
    /// `fill_value`. Output columns are named by the value, sorted.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let wide = f.pivot_table(&["k"], "g", "y", "sum", None).await?;
    /// assert_eq!(wide.columns(), ["k", "1", "2"]);
    /// # Ok(()) }
    /// ```
    pub async fn pivot_table(
        self,
        index: &[&str],
        columns: &str,
        values: &str,
        aggfunc: &str,
        fill_value: Option<ScalarValue>,
    ) -> Result<DataFrame> {
        self.check_columns(index)?;
        self.check_columns(&[columns, values])?;
        let distinct = self
            .clone()
            .into_datafusion()
            .filter(ident(columns).is_not_null())?
            .select(vec![cast(ident(columns), DataType::Utf8).alias("v")])?
            .distinct()?
            .sort(vec![ident("v").sort(true, false)])?
            .collect()
            .await?;
        let mut names = Vec::new();
        for b in &distinct {
            let a = arrow::array::as_string_array(b.column(0));
            for i in 0..arrow::array::Array::len(a) {
                names.push(a.value(i).to_string());
            }
        }
        self.pivot_table_with(index, columns, values, aggfunc, fill_value, &names)
    }

    /// [`pivot_table`](Self::pivot_table) with the output columns given by the caller,
    /// which saves the first pass (and is lazy).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let wide = f.pivot_table_with(&["k"], "g", "y", "sum", None, &["2".to_string()])?;
    /// assert_eq!(wide.columns(), ["k", "2"]);
    /// # Ok(()) }
    /// ```
    pub fn pivot_table_with(
        self,
        index: &[&str],
        columns: &str,
        values: &str,
        aggfunc: &str,
        fill_value: Option<ScalarValue>,
        names: &[String],
    ) -> Result<DataFrame> {
        let mut aggs: Vec<crate::groupby::Agg> = Vec::new();
        let mut frame = self;
        for name in names {
            let column = format!("__dusk_pivot_{name}");
            let cond = cast(ident(columns), DataType::Utf8).eq(lit(name.as_str()));
            let value = missing_aware(&frame, values);
            frame = frame.with_column(&column, when(cond, value).end()?)?;
            // A cell without rows is missing in pandas' pivot tables, also for sums.
            let agg = if aggfunc == "sum" {
                crate::groupby::Agg::Expr(
                    datafusion::functions_aggregate::expr_fn::sum(ident(&column)).alias(name),
                )
            } else {
                crate::groupby::Agg::Named {
                    output: Some(name.clone()),
                    column,
                    func: aggfunc.to_string(),
                }
            };
            aggs.push(agg);
        }
        let mut out = frame.groupby(index)?.agg(aggs)?;
        if let Some(fill) = fill_value {
            let map: Vec<(String, ScalarValue)> =
                names.iter().map(|n| (n.clone(), fill.clone())).collect();
            out = out.fillna_map(map)?;
        }
        Ok(out)
    }

    /// One row per element of the list column `column` (pandas' `explode`); an empty or
    /// missing list gives one row with a missing value.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let parts = f.with_column("s", col("s").str().split("p"))?.explode("s")?;
    /// assert!(parts.len().await? >= 3);
    /// # Ok(()) }
    /// ```
    pub fn explode(self, column: &str) -> Result<DataFrame> {
        self.check_columns(&[column])?;
        let options = datafusion::common::UnnestOptions::new().with_preserve_nulls(true);
        let frame = self
            .into_datafusion()
            .unnest_columns_with_options(&[column], options)?;
        Ok(DataFrame::from_datafusion(frame))
    }

    /// How many partitions the plan's output has (Dask's `npartitions`); plans the query.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// # let _ = f;
    /// let trips = dusk::Session::local().read_parquet("../../tests/data/trips/").await?;
    /// assert_eq!(trips.repartition(3)?.npartitions().await?, 3);
    /// # Ok(()) }
    /// ```
    pub async fn npartitions(&self) -> Result<usize> {
        let plan = self
            .clone()
            .into_datafusion()
            .create_physical_plan()
            .await?;
        Ok(plan.properties().output_partitioning().partition_count())
    }

    /// Spreads rows evenly over `n` partitions (Dask's `repartition(npartitions=n)`);
    /// later steps of this frame also run with `n` partitions.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.repartition(2)?.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn repartition(self, n: usize) -> Result<DataFrame> {
        if n == 0 {
            return Err(Error::invalid_option("npartitions", 0, "at least 1"));
        }
        with_partitions(
            self.into_datafusion()
                .repartition(Partitioning::RoundRobinBatch(n))?,
            n,
        )
    }

    /// Puts rows with equal `columns` in the same partition, over `n` partitions (Dask's
    /// `shuffle(on=...)`); later steps of this frame run with `n` partitions. A following
    /// [`map_partitions`](Self::map_partitions) sees whole groups.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.repartition_by(&["k"], 2)?;
    /// assert_eq!(f.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn repartition_by<S: AsRef<str>>(self, columns: &[S], n: usize) -> Result<DataFrame> {
        let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        self.check_columns(&names)?;
        if n == 0 {
            return Err(Error::invalid_option("npartitions", 0, "at least 1"));
        }
        let exprs = names.iter().map(ident).collect();
        with_partitions(
            self.into_datafusion()
                .repartition(Partitioning::Hash(exprs, n))?,
            n,
        )
    }

    /// Runs the plan now and keeps its result in memory, partitions intact, so that later
    /// plans built on the returned frame reuse it (Dask's `persist`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let kept = f.persist().await?;
    /// assert_eq!(kept.clone().len().await?, 3);
    /// assert_eq!(kept.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub async fn persist(self) -> Result<DataFrame> {
        let state = self.state();
        if dusk_engine::plan::is_distributed(&state) {
            return Err(Error::Cluster(
                "persist keeps a result in this process's memory, which a cluster's executors \
                 cannot read; write it with to_parquet and read that back instead"
                    .into(),
            ));
        }
        let frame = self.into_datafusion();
        let schema = Arc::new(frame.schema().as_arrow().clone());
        let partitions = frame.collect_partitioned().await?;
        in_memory(state, schema, partitions)
    }

    /// Runs `f` once per partition, in parallel, over the partition's rows as one record
    /// batch (Dask's `map_partitions`). Lazy: `f` runs when the frame is computed. The
    /// output schema is found the way Dask finds its `meta`: by calling `f` on an empty
    /// batch with this frame's columns; use
    /// [`map_partitions_with_schema`](Self::map_partitions_with_schema) when `f` cannot
    /// take an empty batch. After [`repartition_by`](Self::repartition_by), each call
    /// sees every row of the groups in its partition. A function cannot be sent to a
    /// cluster, so frames with `map_partitions` run in-process only.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// // The first row of each partition.
    /// let firsts = f.map_partitions(|batch| Ok(batch.slice(0, batch.num_rows().min(1))))?;
    /// assert!(firsts.len().await? >= 1);
    /// # Ok(()) }
    /// ```
    pub fn map_partitions<F>(self, f: F) -> Result<DataFrame>
    where
        F: Fn(arrow::array::RecordBatch) -> Result<arrow::array::RecordBatch>
            + Send
            + Sync
            + 'static,
    {
        let func: dusk_engine::plan::BatchFn = Arc::new(f);
        let (_, plan) = self.clone().into_datafusion().into_parts();
        let schema = dusk_engine::plan::MapPartitions::infer_schema(&plan, &func)?;
        self.map_partitions_node(func, schema)
    }

    /// [`map_partitions`](Self::map_partitions) with the output schema declared (Dask's
    /// `meta=`); `f` must return batches of exactly these columns.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// use std::sync::Arc;
    /// use dusk::arrow::array::{Int64Array, RecordBatch};
    /// use dusk::arrow::datatypes::{DataType, Field, Schema};
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let schema = Arc::new(Schema::new(vec![Field::new("rows", DataType::Int64, false)]));
    /// let out = Arc::clone(&schema);
    /// let counts = f.map_partitions_with_schema(schema, move |batch| {
    ///     let rows = Int64Array::from(vec![batch.num_rows() as i64]);
    ///     Ok(RecordBatch::try_new(Arc::clone(&out), vec![Arc::new(rows)])?)
    /// })?;
    /// let total = counts.sum()?.collect().await?;
    /// # let _ = total;
    /// # Ok(()) }
    /// ```
    pub fn map_partitions_with_schema<F>(
        self,
        schema: arrow::datatypes::SchemaRef,
        f: F,
    ) -> Result<DataFrame>
    where
        F: Fn(arrow::array::RecordBatch) -> Result<arrow::array::RecordBatch>
            + Send
            + Sync
            + 'static,
    {
        self.map_partitions_node(Arc::new(f), schema)
    }

    fn map_partitions_node(
        self,
        func: dusk_engine::plan::BatchFn,
        schema: arrow::datatypes::SchemaRef,
    ) -> Result<DataFrame> {
        use datafusion::logical_expr::{Extension, LogicalPlan, Partitioning as P};
        let (state, plan) = self.into_datafusion().into_parts();
        // After repartition_by, the function must see whole groups: ask for that layout
        // (a bare hash repartition is otherwise dropped by the optimizer).
        let keys = match &plan {
            LogicalPlan::Repartition(r) => match &r.partitioning_scheme {
                P::Hash(exprs, _) => exprs.clone(),
                _ => vec![],
            },
            _ => vec![],
        };
        let node = dusk_engine::plan::MapPartitions::try_new(plan, func, keys, schema)?;
        let plan = LogicalPlan::Extension(Extension {
            node: Arc::new(node),
        });
        Ok(DataFrame::from_datafusion(
            datafusion::dataframe::DataFrame::new(state, plan),
        ))
    }
}

/// A frame over batches held in memory, partitions kept, in `state`'s session.
fn in_memory(
    state: datafusion::execution::SessionState,
    schema: arrow::datatypes::SchemaRef,
    partitions: Vec<Vec<arrow::array::RecordBatch>>,
) -> Result<DataFrame> {
    let table = datafusion::datasource::MemTable::try_new(schema, partitions)?;
    let ctx = datafusion::prelude::SessionContext::new_with_state(state);
    Ok(DataFrame::from_datafusion(ctx.read_table(Arc::new(table))?))
}

/// The frame with its session's target partitions set to `n`, so that DataFusion keeps
/// the partitioning asked for instead of re-splitting to the session default.
fn with_partitions(frame: datafusion::dataframe::DataFrame, n: usize) -> Result<DataFrame> {
    let (mut state, plan) = frame.into_parts();
    state.config_mut().options_mut().execution.target_partitions = n;
    Ok(DataFrame::from_datafusion(
        datafusion::dataframe::DataFrame::new(state, plan),
    ))
}

fn fmt_edge(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}
