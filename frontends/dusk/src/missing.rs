//! Missing data, as pandas sees it: null, and NaN in float columns.

use datafusion::common::ScalarValue;
use datafusion::functions::core::coalesce;
use datafusion::functions_window::expr_fn::{first_value, last_value};
use datafusion::logical_expr::expr::NullTreatment;
use datafusion::logical_expr::{Expr, ExprFunctionExt, cast, ident, lit};
use dusk_engine::{Error, Result};

use crate::frame::{DataFrame, missing_aware};
use crate::window::{order, rows_up_to_current};

/// Which rows [`DataFrame::dropna`] drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DropHow {
    /// Rows with any missing value (in the subset).
    #[default]
    Any,
    /// Rows whose values (in the subset) are all missing.
    All,
}

impl DataFrame {
    /// A frame of booleans, true where a value is missing (pandas' `isna`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let f = session.sql("SELECT * FROM (VALUES (1.0), (NULL), ('NaN'::double)) AS t(x)").await?;
    /// let na = f.isna()?;
    /// assert_eq!(na.query("x")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn isna(self) -> Result<DataFrame> {
        let exprs: Vec<Expr> = self
            .columns()
            .iter()
            .map(|c| missing_aware(&self, c).is_null().alias(c))
            .collect();
        self.select_exprs(exprs)
    }

    /// A frame of booleans, true where a value is present (pandas' `notna`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// assert_eq!(f.notna()?.query("x")?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn notna(self) -> Result<DataFrame> {
        let exprs: Vec<Expr> = self
            .columns()
            .iter()
            .map(|c| missing_aware(&self, c).is_not_null().alias(c))
            .collect();
        self.select_exprs(exprs)
    }

    /// Replaces missing values with `value` in every column of a compatible type (numbers
    /// in numeric columns, text in text columns), like pandas' `fillna(value)`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let f = session.sql("SELECT * FROM (VALUES (1.0), (NULL)) AS t(x)").await?;
    /// let filled = f.fillna(0.0)?;
    /// assert_eq!(filled.isna()?.query("x")?.len().await?, 0);
    /// # Ok(()) }
    /// ```
    pub fn fillna(self, value: impl Into<ScalarValue>) -> Result<DataFrame> {
        let value = value.into();
        let map: Vec<(String, ScalarValue)> = self
            .schema()
            .fields()
            .iter()
            .filter(|f| compatible(f.data_type(), &value.data_type()))
            .map(|f| (f.name().clone(), value.clone()))
            .collect();
        self.fillna_map(map)
    }

    /// Replaces missing values per column (pandas' `fillna({"a": 0, "b": "x"})`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// use dusk::datafusion::common::ScalarValue;
    /// let f = f.fillna_map([("s", ScalarValue::from("?"))])?;
    /// assert_eq!(f.query("s = '?'")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn fillna_map<S: AsRef<str>>(
        self,
        values: impl IntoIterator<Item = (S, ScalarValue)>,
    ) -> Result<DataFrame> {
        let values: Vec<(String, ScalarValue)> = values
            .into_iter()
            .map(|(c, v)| (c.as_ref().to_string(), v))
            .collect();
        let names: Vec<&String> = values.iter().map(|(c, _)| c).collect();
        self.check_columns(&names)?;
        let schema = self.schema();
        let exprs: Vec<Expr> = self
            .columns()
            .iter()
            .map(|c| match values.iter().find(|(name, _)| name == c) {
                Some((_, v)) => {
                    let ty = schema.field_with_name(c).map(|f| f.data_type().clone());
                    let fill = match ty {
                        Ok(t) => cast(lit(v.clone()), t),
                        Err(_) => lit(v.clone()),
                    };
                    coalesce()
                        .call(vec![missing_aware(&self, c), fill])
                        .alias(c)
                }
                None => ident(c),
            })
            .collect();
        self.select_exprs(exprs)
    }

    /// Fills missing values with the last present value before them in the order of
    /// `order_by`, within groups of `by` if given (pandas' `ffill`, or
    /// `groupby(by).ffill()`). Values before the first present one stay missing.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.ffill(&["y"], &[])?;
    /// assert_eq!(f.query("y = 20 and x = 1.5")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn ffill<S: AsRef<str>>(self, order_by: &[S], by: &[S]) -> Result<DataFrame> {
        self.fill_direction(order_by, by, true)
    }

    /// Fills missing values with the next present value after them (pandas' `bfill`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let f = dusk::Session::local().sql("SELECT * FROM (VALUES ('a', 1, 1.5, 10, TIMESTAMP '2024-01-01 10:30:00', ' Apple '), ('b', 2, NULL, 20, TIMESTAMP '2024-01-02 11:00:00', 'kiwi'), ('a', 2, 3.0, 30, TIMESTAMP '2024-01-03 12:15:00', NULL)) AS t(k, g, x, y, t, s)").await?;
    /// let f = f.bfill(&["y"], &[])?;
    /// assert_eq!(f.query("y = 20 and x = 3.0")?.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn bfill<S: AsRef<str>>(self, order_by: &[S], by: &[S]) -> Result<DataFrame> {
        self.fill_direction(order_by, by, false)
    }

    fn fill_direction<S: AsRef<str>>(
        self,
        order_by: &[S],
        by: &[S],
        forward: bool,
    ) -> Result<DataFrame> {
        let order_by: Vec<String> = order_by.iter().map(|c| c.as_ref().to_string()).collect();
        let by: Vec<String> = by.iter().map(|c| c.as_ref().to_string()).collect();
        if order_by.is_empty() {
            return Err(Error::invalid_option(
                "order_by",
                "[]",
                "the columns that define row order",
            ));
        }
        self.check_columns(&order_by)?;
        self.check_columns(&by)?;
        let mut sort = order(&order_by);
        if !forward {
            sort = sort.into_iter().map(|s| s.reverse()).collect();
        }
        let mut exprs = Vec::new();
        for c in self.columns() {
            if order_by.contains(&c) || by.contains(&c) {
                exprs.push(ident(&c));
                continue;
            }
            let value = missing_aware(&self, &c);
            let carried = last_value(value.clone())
                .partition_by(by.iter().map(ident).collect())
                .order_by(sort.clone())
                .window_frame(rows_up_to_current(None))
                .null_treatment(NullTreatment::IgnoreNulls)
                .build()?;
            exprs.push(coalesce().call(vec![value, carried]).alias(&c));
        }
        let _ = first_value;
        self.select_exprs(exprs)
    }

    /// Drops rows with missing values: `how` any (default) or all, only looking at
    /// `subset` if given, or keeping rows with at least `thresh` present values (which
    /// overrides `how`), as pandas' `dropna`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// use dusk::DropHow;
    /// let f = session.sql("SELECT * FROM (VALUES (1, NULL), (NULL, NULL), (3, 4)) AS t(a, b)").await?;
    /// assert_eq!(f.clone().dropna(DropHow::Any, None, None)?.len().await?, 1);
    /// assert_eq!(f.dropna(DropHow::All, None, None)?.len().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn dropna(
        self,
        how: DropHow,
        subset: Option<&[&str]>,
        thresh: Option<usize>,
    ) -> Result<DataFrame> {
        let columns: Vec<String> = match subset {
            Some(s) => {
                self.check_columns(s)?;
                s.iter().map(|c| c.to_string()).collect()
            }
            None => self.columns(),
        };
        let present: Vec<Expr> = columns
            .iter()
            .map(|c| missing_aware(&self, c).is_not_null())
            .collect();
        let keep = if let Some(k) = thresh {
            let count = present
                .into_iter()
                .map(|p| cast(p, arrow::datatypes::DataType::Int64))
                .reduce(|a, b| a + b)
                .unwrap_or(lit(0i64));
            count.gt_eq(lit(k as i64))
        } else {
            let combined = match how {
                DropHow::Any => present.into_iter().reduce(Expr::and),
                DropHow::All => present.into_iter().reduce(Expr::or),
            };
            combined.unwrap_or(lit(true))
        };
        self.filter(keep)
    }
}

fn compatible(column: &arrow::datatypes::DataType, value: &arrow::datatypes::DataType) -> bool {
    use arrow::datatypes::DataType::*;
    let text = |t: &arrow::datatypes::DataType| matches!(t, Utf8 | LargeUtf8 | Utf8View);
    (column.is_numeric() && value.is_numeric())
        || (text(column) && text(value))
        || (column == value)
}
