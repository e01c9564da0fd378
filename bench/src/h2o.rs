//! The h2o groupby questions in Dusk, in SQL and with the DataFrame API.

use std::time::Instant;

use datafusion::arrow::array::{Array, Float64Array, RecordBatch};
use datafusion::arrow::compute::{cast, sum};
use datafusion::arrow::datatypes::DataType;
use datafusion::functions::math::expr_fn::power;
use datafusion::functions_aggregate::expr_fn::{corr, max, min};
use dusk::{Agg, DataFrame, Session, col, lit};

/// The SQL of each question (as in bench/h2o.py).
const SQL: [(&str, &str); 10] = [
    ("q1", "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1"),
    (
        "q2",
        "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2",
    ),
    (
        "q3",
        "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3",
    ),
    (
        "q4",
        "SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4",
    ),
    (
        "q5",
        "SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6",
    ),
    (
        "q6",
        "SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5",
    ),
    (
        "q7",
        "SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3",
    ),
    (
        "q8",
        "SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS r \
         FROM x WHERE v3 IS NOT NULL) t WHERE r <= 2",
    ),
    (
        "q9",
        "SELECT id2, id4, power(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4",
    ),
    (
        "q10",
        "SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x \
         GROUP BY id1, id2, id3, id4, id5, id6",
    ),
];

/// The same question with the pandas-like API.
fn api(x: DataFrame, q: &str) -> dusk::Result<DataFrame> {
    let g = |keys: &[&str]| -> dusk::Result<dusk::GroupBy> {
        Ok(x.clone()
            .groupby(keys.iter().copied())?
            .dropna(false)
            .sort(false))
    };
    match q {
        "q1" => g(&["id1"])?.agg([("v1", "v1", "sum")]),
        "q2" => g(&["id1", "id2"])?.agg([("v1", "v1", "sum")]),
        "q3" => g(&["id3"])?.agg([("v1", "v1", "sum"), ("v3", "v3", "mean")]),
        "q4" => g(&["id4"])?.agg([
            ("v1", "v1", "mean"),
            ("v2", "v2", "mean"),
            ("v3", "v3", "mean"),
        ]),
        "q5" => g(&["id6"])?.agg([
            ("v1", "v1", "sum"),
            ("v2", "v2", "sum"),
            ("v3", "v3", "sum"),
        ]),
        "q6" => g(&["id4", "id5"])?.agg([("median_v3", "v3", "median"), ("sd_v3", "v3", "std")]),
        "q7" => g(&["id3"])?.agg([Agg::Expr(
            (max(col("v1")) - min(col("v2"))).alias("range_v1_v2"),
        )]),
        "q8" => x
            .groupby(["id6"])?
            .nlargest(2, "v3")?
            .select_exprs([col("id6"), col("v3").alias("largest2_v3")]),
        "q9" => g(&["id2", "id4"])?.agg([Agg::Expr(
            power(corr(col("v1"), col("v2")), lit(2)).alias("r2"),
        )]),
        _ => g(&["id1", "id2", "id3", "id4", "id5", "id6"])?
            .agg([("v3", "v3", "sum"), ("count", "v1", "size")]),
    }
}

/// Rows and the sum of every numeric column: the answer check shared with bench/h2o.py.
pub(crate) fn check(batches: &[RecordBatch]) -> String {
    let Some(first) = batches.first() else {
        return r#"{"rows":0,"sums":[]}"#.into();
    };
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut sums = Vec::new();
    for (i, field) in first.schema().fields().iter().enumerate() {
        if !field.data_type().is_numeric() {
            continue;
        }
        let mut total = 0.0;
        let mut any = false;
        for b in batches {
            let c = cast(b.column(i), &DataType::Float64).expect("numeric cast");
            let c = c.as_any().downcast_ref::<Float64Array>().expect("Float64");
            if let Some(s) = sum(c) {
                total += s;
                any = true;
            }
            let _ = c.len();
        }
        sums.push(if any {
            format!("{total}")
        } else {
            "null".into()
        });
    }
    format!(r#"{{"rows":{rows},"sums":[{}]}}"#, sums.join(","))
}

/// Runs every question `runs` times per API and prints a JSON line for each.
pub async fn run(data: String, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let session = Session::local();
    session.register_path("x", &data).await?;
    for (q, sql) in SQL {
        let mut times = Vec::new();
        let mut answer = String::new();
        for _ in 0..runs {
            let started = Instant::now();
            let batches = session.sql(sql).await?.collect().await?;
            times.push(started.elapsed().as_secs_f64());
            answer = check(&batches);
        }
        print_line("dusk-sql", q, &times, &answer);

        let mut times = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let x = session.read_parquet(data.as_str()).await?;
            let batches = api(x, q)?.collect().await?;
            times.push(started.elapsed().as_secs_f64());
            answer = check(&batches);
        }
        print_line("dusk-api", q, &times, &answer);
    }
    Ok(())
}

pub(crate) fn print_line(engine: &str, query: &str, times: &[f64], check: &str) {
    let times: Vec<String> = times.iter().map(|t| format!("{t:.6}")).collect();
    println!(
        r#"{{"engine":"{engine}","query":"{query}","times":[{}],"check":{check}}}"#,
        times.join(",")
    );
}
