//! `describe`: summary statistics per column, laid out as pandas lays them out.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{Expr, cast as cast_expr, ident, lit};
use dusk_engine::Result;

use crate::frame::DataFrame;

/// The statistics of a numeric column, in pandas' row order.
const NUMERIC_STATS: [&str; 8] = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"];
/// The statistics of every other column, in pandas' row order.
const OTHER_STATS: [&str; 4] = ["count", "unique", "top", "freq"];

fn is_numeric(t: &DataType) -> bool {
    t.is_numeric() && !matches!(t, DataType::Decimal32(..) | DataType::Decimal64(..))
}

impl DataFrame {
    /// Summary statistics of the numeric columns, like pandas' `describe()`: one row per
    /// statistic (`count`, `mean`, `std`, `min`, `25%`, `50%`, `75%`, `max`, named in the
    /// first column, `statistic`) and one Float64 column per numeric column. Quartiles
    /// interpolate linearly and `std` uses ddof 1, as in pandas. A frame without numeric
    /// columns describes its other columns as [`describe_all`](Self::describe_all) does.
    ///
    /// Runs the plan once (it is a terminal method) and returns a small in-memory frame.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let frame = session.sql("SELECT * FROM (VALUES (1.0), (2.0), (3.0), (4.0)) AS t(x)").await?;
    /// let summary = frame.describe().await?;
    /// assert_eq!(summary.to_pretty_string().await?, "\
    /// +-----------+--------------------+
    /// | statistic | x                  |
    /// +-----------+--------------------+
    /// | count     | 4.0                |
    /// | mean      | 2.5                |
    /// | std       | 1.2909944487358056 |
    /// | min       | 1.0                |
    /// | 25%       | 1.75               |
    /// | 50%       | 2.5                |
    /// | 75%       | 3.25               |
    /// | max       | 4.0                |
    /// +-----------+--------------------+");
    /// # Ok(()) }
    /// ```
    pub async fn describe(self) -> Result<DataFrame> {
        let schema = self.schema();
        let numeric: Vec<String> = schema
            .fields()
            .iter()
            .filter(|f| is_numeric(f.data_type()))
            .map(|f| f.name().clone())
            .collect();
        if numeric.is_empty() {
            return self.describe_all().await;
        }
        let values = self.clone().numeric_stats(&numeric).await?;
        let mut columns: Vec<(String, ArrayRef)> = vec![(
            "statistic".into(),
            Arc::new(StringArray::from(NUMERIC_STATS.to_vec())) as ArrayRef,
        )];
        for (name, stats) in numeric.iter().zip(values) {
            columns.push((
                name.clone(),
                Arc::new(Float64Array::from(stats)) as ArrayRef,
            ));
        }
        self.small_frame(columns)
    }

    /// Summary statistics of every column, like pandas' `describe(include="all")`: numeric
    /// columns get `count`, `mean`, `std`, `min`, quartiles and `max`; other columns
    /// (text, booleans, dates) get `count`, `unique`, `top` (the most frequent value, the
    /// smallest one among ties) and `freq`. Values are shown as text; a statistic that
    /// does not apply to a column is null.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// # let session = dusk::Session::local();
    /// let frame = session.sql("SELECT * FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) AS t(s, n)").await?;
    /// let summary = frame.describe_all().await?;
    /// assert_eq!(summary.to_pretty_string().await?, "\
    /// +-----------+---+-----+
    /// | statistic | s | n   |
    /// +-----------+---+-----+
    /// | count     | 3 | 3   |
    /// | unique    | 2 |     |
    /// | top       | a |     |
    /// | freq      | 2 |     |
    /// | mean      |   | 2   |
    /// | std       |   | 1   |
    /// | min       |   | 1   |
    /// | 25%       |   | 1.5 |
    /// | 50%       |   | 2   |
    /// | 75%       |   | 2.5 |
    /// | max       |   | 3   |
    /// +-----------+---+-----+");
    /// # Ok(()) }
    /// ```
    pub async fn describe_all(self) -> Result<DataFrame> {
        let schema = self.schema();
        let numeric: Vec<String> = schema
            .fields()
            .iter()
            .filter(|f| is_numeric(f.data_type()))
            .map(|f| f.name().clone())
            .collect();
        let other: Vec<String> = schema
            .fields()
            .iter()
            .filter(|f| !is_numeric(f.data_type()))
            .map(|f| f.name().clone())
            .collect();
        let mut stat_names: Vec<&str> = Vec::new();
        if !other.is_empty() {
            stat_names.extend(OTHER_STATS);
        }
        if !numeric.is_empty() {
            stat_names.extend(if other.is_empty() {
                &NUMERIC_STATS[..]
            } else {
                &NUMERIC_STATS[1..]
            });
        }
        let numeric_values = if numeric.is_empty() {
            vec![]
        } else {
            self.clone().numeric_stats(&numeric).await?
        };
        let mut cells: Vec<(String, Vec<Option<String>>)> = Vec::new();
        for field in schema.fields() {
            let name = field.name();
            let column: Vec<Option<String>> =
                if let Some(i) = numeric.iter().position(|n| n == name) {
                    let stats = &numeric_values[i];
                    stat_names
                        .iter()
                        .map(|stat| {
                            NUMERIC_STATS
                                .iter()
                                .position(|s| s == stat)
                                .and_then(|j| stats[j].map(format_number))
                        })
                        .collect()
                } else {
                    let (count, unique, top, freq) = self.clone().other_stats(name).await?;
                    let mut out = vec![
                        Some(count.to_string()),
                        Some(unique.to_string()),
                        top,
                        freq.map(|f| f.to_string()),
                    ];
                    out.resize(stat_names.len(), None);
                    out
                };
            cells.push((name.clone(), column));
        }
        let mut columns: Vec<(String, ArrayRef)> = vec![(
            "statistic".into(),
            Arc::new(StringArray::from(stat_names.clone())) as ArrayRef,
        )];
        for (name, values) in cells {
            columns.push((name, Arc::new(StringArray::from(values)) as ArrayRef));
        }
        self.small_frame(columns)
    }

    /// count, mean, std, min, 25%, 50%, 75%, max of each column, in one pass.
    async fn numeric_stats(self, columns: &[String]) -> Result<Vec<Vec<Option<f64>>>> {
        let mut exprs: Vec<Expr> = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            let x = cast_expr(ident(c), DataType::Float64);
            let q = |p: f64| agg::percentile_cont(x.clone().sort(true, false), lit(p));
            let stats = [
                agg::count(x.clone()),
                agg::avg(x.clone()),
                agg::stddev(x.clone()),
                agg::min(x.clone()),
                q(0.25),
                q(0.5),
                q(0.75),
                agg::max(x.clone()),
            ];
            for (j, e) in stats.into_iter().enumerate() {
                exprs.push(e.alias(format!("s{i}_{j}")));
            }
        }
        let frame = self.into_datafusion().aggregate(vec![], exprs)?;
        let batches = frame.collect().await?;
        let batch = batches
            .into_iter()
            .find(|b| b.num_rows() > 0)
            .ok_or_else(|| dusk_engine::Error::Internal("an aggregate returned no row".into()))?;
        let mut out = Vec::new();
        for i in 0..columns.len() {
            let mut stats = Vec::with_capacity(8);
            for j in 0..8 {
                let col = cast(batch.column(i * 8 + j), &DataType::Float64)?;
                let col = col
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .expect("cast to Float64");
                stats.push((!col.is_null(0)).then(|| col.value(0)));
            }
            out.push(stats);
        }
        Ok(out)
    }

    /// count, unique, top and freq of one column.
    async fn other_stats(self, column: &str) -> Result<(i64, i64, Option<String>, Option<i64>)> {
        let c = ident(column);
        let totals = self
            .clone()
            .into_datafusion()
            .aggregate(
                vec![],
                vec![
                    agg::count(c.clone()).alias("n"),
                    agg::count_distinct(c.clone()).alias("u"),
                ],
            )?
            .collect()
            .await?;
        let int = |b: &RecordBatch, i: usize| -> Result<i64> {
            let a = cast(b.column(i), &DataType::Int64)?;
            Ok(arrow::array::as_primitive_array::<arrow::datatypes::Int64Type>(&a).value(0))
        };
        let row = totals.iter().find(|b| b.num_rows() > 0);
        let (count, unique) = match row {
            Some(b) => (int(b, 0)?, int(b, 1)?),
            None => (0, 0),
        };
        let top = self
            .into_datafusion()
            .filter(c.clone().is_not_null())?
            .aggregate(
                vec![c.clone().alias("v")],
                vec![agg::count(lit(1)).alias("f")],
            )?
            .sort(vec![
                ident("f").sort(false, false),
                ident("v").sort(true, false),
            ])?
            .limit(0, Some(1))?
            .collect()
            .await?;
        let top = top.iter().find(|b| b.num_rows() > 0);
        Ok(match top {
            Some(b) => {
                let v = cast(b.column(0), &DataType::Utf8)?;
                let v = arrow::array::as_string_array(&v).value(0).to_string();
                (count, unique, Some(v), Some(int(b, 1)?))
            }
            None => (count, unique, None, None),
        })
    }

    fn small_frame(&self, columns: Vec<(String, ArrayRef)>) -> Result<DataFrame> {
        let batch = RecordBatch::try_from_iter(columns)?;
        // Literal rows rather than an in-memory table, so the frame also runs on a cluster.
        let plan = dusk_engine::plan::literal_rows(batch.schema(), &[batch])?;
        Ok(DataFrame::from_datafusion(
            datafusion::dataframe::DataFrame::new(self.state(), plan),
        ))
    }
}

/// A number as pandas prints it in an object column: integers without a fraction.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
