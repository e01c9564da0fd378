//! pandas' column methods on DataFusion expressions: `isna`, `isin`, `between`, `clip`,
//! `round`, `abs`, and the `.str()` and `.dt()` namespaces.
//!
//! Bring [`ExprExt`] into scope (it is in the crate root) and write
//! `col("name").str().lower()` or `col("pickup").dt().hour()`.

use arrow::datatypes::DataType;
use std::ops::Not;

use datafusion::common::ScalarValue;
use datafusion::functions::{core, datetime, math, regex, string, unicode};
use datafusion::logical_expr::{Expr, cast, lit};

/// A missing value of type Float64.
fn null_f64() -> Expr {
    lit(ScalarValue::Float64(None))
}

/// `expr` with NaN turned into a missing value; pandas treats NaN as missing everywhere.
/// Only valid for floating-point expressions.
///
/// ```
/// # #[tokio::main] async fn main() -> dusk::Result<()> {
/// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
/// use dusk::{col, expr::nan_to_null};
/// let clean = f.with_column("x", nan_to_null(col("x")))?;
/// assert_eq!(clean.len().await?, 3);
/// # Ok(()) }
/// ```
pub fn nan_to_null(expr: Expr) -> Expr {
    math::nanvl().call(vec![expr, null_f64()])
}

/// pandas-style methods on an expression.
pub trait ExprExt: Sized {
    /// True where the value is missing. For float columns that may hold NaN, wrap the
    /// column in [`nan_to_null`] first (the frame methods `isna`, `dropna`, `fillna` do).
    fn isna(self) -> Expr;
    /// True where the value is present.
    fn notna(self) -> Expr;
    /// True where the value is one of `values` (pandas' `isin`).
    fn isin<L: Into<Expr>>(self, values: impl IntoIterator<Item = L>) -> Expr;
    /// True where `low <= value <= high` (pandas' `between`, inclusive both ends).
    fn between_inclusive(self, low: impl Into<Expr>, high: impl Into<Expr>) -> Expr;
    /// Values below `low` become `low`, above `high` become `high` (pandas' `clip`).
    fn clip(self, low: Option<Expr>, high: Option<Expr>) -> Expr;
    /// Rounds to `decimals` places, halves to even as pandas (NumPy) does.
    fn round_to(self, decimals: i64) -> Expr;
    /// The absolute value.
    fn abs(self) -> Expr;
    /// String methods: `col("s").str().lower()`.
    fn str(self) -> StrNamespace;
    /// Datetime methods: `col("t").dt().year()`.
    fn dt(self) -> DtNamespace;
}

impl ExprExt for Expr {
    fn isna(self) -> Expr {
        self.is_null()
    }

    fn notna(self) -> Expr {
        self.isna().not()
    }

    fn isin<L: Into<Expr>>(self, values: impl IntoIterator<Item = L>) -> Expr {
        let list: Vec<Expr> = values.into_iter().map(Into::into).collect();
        // pandas' isin is never missing: a missing value is simply not in the list.
        core::coalesce().call(vec![self.in_list(list, false), lit(false)])
    }

    fn between_inclusive(self, low: impl Into<Expr>, high: impl Into<Expr>) -> Expr {
        core::coalesce().call(vec![self.between(low.into(), high.into()), lit(false)])
    }

    fn clip(self, low: Option<Expr>, high: Option<Expr>) -> Expr {
        let mut e = self;
        if let Some(low) = low {
            e = datafusion::logical_expr::when(e.clone().lt(low.clone()), low)
                .otherwise(e)
                .expect("a valid CASE");
        }
        if let Some(high) = high {
            e = datafusion::logical_expr::when(e.clone().gt(high.clone()), high)
                .otherwise(e)
                .expect("a valid CASE");
        }
        e
    }

    fn round_to(self, decimals: i64) -> Expr {
        // Round half to even: x*10^d rounded to even, divided back.
        let factor = 10f64.powi(decimals as i32);
        let scaled = cast(self, DataType::Float64) * lit(factor);
        let floor = math::floor().call(vec![scaled.clone()]);
        let diff = scaled.clone() - floor.clone();
        let is_half = diff.clone().eq(lit(0.5));
        let floor_even = (floor.clone() % lit(2.0)).eq(lit(0.0));
        let rounded = datafusion::logical_expr::when(is_half.and(floor_even), floor.clone())
            .when(
                (scaled.clone() - floor.clone()).eq(lit(0.5)),
                floor + lit(1.0),
            )
            .otherwise(math::round().call(vec![scaled]))
            .expect("a valid CASE");
        rounded / lit(factor)
    }

    fn abs(self) -> Expr {
        math::abs().call(vec![self])
    }

    fn str(self) -> StrNamespace {
        StrNamespace(self)
    }

    fn dt(self) -> DtNamespace {
        DtNamespace(self)
    }
}

fn false_if_missing(e: Expr) -> Expr {
    core::coalesce().call(vec![e, lit(false)])
}

/// pandas' `Series.str` methods; missing values stay missing, except in the tests
/// (`contains`, `startswith`, `endswith`), which are false for them.
#[derive(Debug, Clone)]
pub struct StrNamespace(Expr);

impl StrNamespace {
    /// Lower case.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("s", col("s").str().lower())?;
    /// assert_eq!(f.query("s = ' apple '")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn lower(self) -> Expr {
        string::lower().call(vec![self.0])
    }
    /// Upper case.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("s", col("s").str().upper())?;
    /// assert_eq!(f.query("s = 'KIWI'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn upper(self) -> Expr {
        string::upper().call(vec![self.0])
    }
    /// Without leading and trailing whitespace.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("s", col("s").str().strip())?;
    /// assert_eq!(f.query("s = 'Apple'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn strip(self) -> Expr {
        regex::regexp_replace().call(vec![self.0, lit(r"^\s+|\s+$"), lit(""), lit("g")])
    }
    /// True where the regular expression `pattern` matches (pandas' default `regex=True`);
    /// false for missing text, as pandas 3's string columns give.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("s").str().contains("^ ?[A-Z]"))?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn contains(self, pattern: &str) -> Expr {
        false_if_missing(regex::regexp_like().call(vec![self.0, lit(pattern)]))
    }
    /// True where the text starts with `prefix` (false for missing text).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("s").str().startswith("ki"))?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn startswith(self, prefix: &str) -> Expr {
        false_if_missing(string::starts_with().call(vec![self.0, lit(prefix)]))
    }
    /// True where the text ends with `suffix` (false for missing text).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("s").str().endswith("wi"))?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn endswith(self, suffix: &str) -> Expr {
        false_if_missing(string::ends_with().call(vec![self.0, lit(suffix)]))
    }
    /// Every occurrence of `from` replaced by `to` (literal text, pandas' `regex=False`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("s", col("s").str().replace("i", "I"))?;
    /// assert_eq!(f.query("s = 'kIwI'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn replace(self, from: &str, to: &str) -> Expr {
        string::replace().call(vec![self.0, lit(from), lit(to)])
    }
    /// The number of characters.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("n", col("s").str().len())?;
    /// assert_eq!(f.query("n = 7")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn len(self) -> Expr {
        cast(
            unicode::character_length().call(vec![self.0]),
            DataType::Int64,
        )
    }
    /// The pieces between `separator`s, as a list.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let words = f.select_exprs([col("s").str().split("i").alias("parts")])?.explode("parts")?;
    /// assert_eq!(words.query("parts = 'k'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn split(self, separator: &str) -> Expr {
        datafusion::functions_nested::string::string_to_array_udf()
            .call(vec![self.0, lit(separator)])
    }
    /// Characters `start..stop` (0-based, stop exclusive, like Python slicing with
    /// non-negative bounds); `stop = None` runs to the end.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("s", col("s").str().slice(0, Some(2)))?;
    /// assert_eq!(f.query("s = 'ki'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn slice(self, start: usize, stop: Option<usize>) -> Expr {
        let from = lit((start + 1) as i64);
        match stop {
            Some(stop) => {
                unicode::substr().call(vec![self.0, from, lit(stop.saturating_sub(start) as i64)])
            }
            None => unicode::substr().call(vec![self.0, from]),
        }
    }
}

/// pandas' `Series.dt` methods on timestamp columns.
#[derive(Debug, Clone)]
pub struct DtNamespace(Expr);

impl DtNamespace {
    fn part(self, part: &str) -> Expr {
        cast(
            datetime::date_part().call(vec![lit(part), self.0]),
            DataType::Int64,
        )
    }
    /// The year.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("t").dt().year().eq(dusk::lit(2024i64)))?.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn year(self) -> Expr {
        self.part("year")
    }
    /// The month, 1 to 12.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("t").dt().month().eq(dusk::lit(1i64)))?.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn month(self) -> Expr {
        self.part("month")
    }
    /// The day of the month.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("t").dt().day().eq(dusk::lit(2i64)))?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn day(self) -> Expr {
        self.part("day")
    }
    /// The hour, 0 to 23.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// assert_eq!(f.filter(col("t").dt().hour().gt_eq(dusk::lit(11i64)))?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn hour(self) -> Expr {
        self.part("hour")
    }
    /// The day of the week with Monday = 0 and Sunday = 6, as in pandas.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// // 2024-01-01 was a Monday.
    /// assert_eq!(f.filter(col("t").dt().dayofweek().eq(dusk::lit(0i64)))?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn dayofweek(self) -> Expr {
        (self.part("dow") + lit(6i64)) % lit(7i64)
    }
    /// The calendar date.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let days = f.select_exprs([col("t").dt().date().alias("day")])?;
    /// assert_eq!(days.schema().field(0).data_type(), &dusk::arrow::datatypes::DataType::Date32);
    /// # Ok(()) }
    /// ```
    pub fn date(self) -> Expr {
        cast(self.0, DataType::Date32)
    }
    /// Rounded down to a multiple of `freq` ("1h", "15min", "1d", "30s"), as pandas' `floor`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::{col, ExprExt};
    /// let f = f.with_column("hour", col("t").dt().floor("1h")?)?;
    /// assert_eq!(f.query("hour = TIMESTAMP '2024-01-01 10:00:00'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn floor(self, freq: &str) -> dusk_engine::Result<Expr> {
        let interval = crate::window::freq_to_interval(freq)?;
        Ok(datetime::date_bin().call(vec![
            lit(interval),
            self.0,
            lit(ScalarValue::TimestampNanosecond(Some(0), None)),
        ]))
    }
}
