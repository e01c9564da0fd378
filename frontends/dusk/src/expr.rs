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
    pub fn lower(self) -> Expr {
        string::lower().call(vec![self.0])
    }
    /// Upper case.
    pub fn upper(self) -> Expr {
        string::upper().call(vec![self.0])
    }
    /// Without leading and trailing whitespace.
    pub fn strip(self) -> Expr {
        regex::regexp_replace().call(vec![self.0, lit(r"^\s+|\s+$"), lit(""), lit("g")])
    }
    /// True where the regular expression `pattern` matches (pandas' default `regex=True`);
    /// false for missing text, as pandas 3's string columns give.
    pub fn contains(self, pattern: &str) -> Expr {
        false_if_missing(regex::regexp_like().call(vec![self.0, lit(pattern)]))
    }
    /// True where the text starts with `prefix` (false for missing text).
    pub fn startswith(self, prefix: &str) -> Expr {
        false_if_missing(string::starts_with().call(vec![self.0, lit(prefix)]))
    }
    /// True where the text ends with `suffix` (false for missing text).
    pub fn endswith(self, suffix: &str) -> Expr {
        false_if_missing(string::ends_with().call(vec![self.0, lit(suffix)]))
    }
    /// Every occurrence of `from` replaced by `to` (literal text, pandas' `regex=False`).
    pub fn replace(self, from: &str, to: &str) -> Expr {
        string::replace().call(vec![self.0, lit(from), lit(to)])
    }
    /// The number of characters.
    pub fn len(self) -> Expr {
        cast(
            unicode::character_length().call(vec![self.0]),
            DataType::Int64,
        )
    }
    /// The pieces between `separator`s, as a list.
    pub fn split(self, separator: &str) -> Expr {
        datafusion::functions_nested::string::string_to_array_udf()
            .call(vec![self.0, lit(separator)])
    }
    /// Characters `start..stop` (0-based, stop exclusive, like Python slicing with
    /// non-negative bounds); `stop = None` runs to the end.
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
    pub fn year(self) -> Expr {
        self.part("year")
    }
    /// The month, 1 to 12.
    pub fn month(self) -> Expr {
        self.part("month")
    }
    /// The day of the month.
    pub fn day(self) -> Expr {
        self.part("day")
    }
    /// The hour, 0 to 23.
    pub fn hour(self) -> Expr {
        self.part("hour")
    }
    /// The day of the week with Monday = 0 and Sunday = 6, as in pandas.
    pub fn dayofweek(self) -> Expr {
        (self.part("dow") + lit(6i64)) % lit(7i64)
    }
    /// The calendar date.
    pub fn date(self) -> Expr {
        cast(self.0, DataType::Date32)
    }
    /// Rounded down to a multiple of `freq` ("1h", "15min", "1d", "30s"), as pandas' `floor`.
    pub fn floor(self, freq: &str) -> dusk_engine::Result<Expr> {
        let interval = crate::window::freq_to_interval(freq)?;
        Ok(datetime::date_bin().call(vec![
            lit(interval),
            self.0,
            lit(ScalarValue::TimestampNanosecond(Some(0), None)),
        ]))
    }
}
