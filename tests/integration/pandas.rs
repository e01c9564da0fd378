//! The pandas oracle: every case of tests/oracle/pandas/cases.json (made, with pandas'
//! answers, by tests/oracle/pandas_cases.py) runs through Dusk's DataFrame API and must
//! give pandas' answer.

use std::path::PathBuf;

use arrow::datatypes::DataType;
use dusk::datafusion::common::ScalarValue;
use dusk::{DataFrame, DropHow, ExprExt, How, Session, col, lit};
use serde_json::Value;

use crate::common::rows;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oracle/pandas")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn scalar(v: &Value) -> ScalarValue {
    match v {
        Value::String(s) => ScalarValue::Utf8(Some(s.clone())),
        Value::Bool(b) => ScalarValue::Boolean(Some(*b)),
        Value::Number(n) if n.is_i64() => ScalarValue::Int64(n.as_i64()),
        Value::Number(n) => ScalarValue::Float64(n.as_f64()),
        _ => ScalarValue::Null,
    }
}

async fn load(session: &Session, name: &str) -> DataFrame {
    let path = root().join("data").join(format!("{name}.parquet"));
    session.read_parquet(path.to_str().unwrap()).await.unwrap()
}

/// Groups by `keys` after dropping rows with a missing key, as the pandas side does
/// for operations whose row-wise output pandas leaves out for missing keys.
fn grouped_present(df: DataFrame, keys: &[String]) -> dusk::Result<dusk::GroupBy> {
    let subset: Vec<&str> = keys.iter().map(String::as_str).collect();
    df.dropna(DropHow::Any, Some(&subset), None)?.groupby(keys)
}

/// Runs one operation of a case on `df`.
async fn apply(session: &Session, df: DataFrame, op: &str, a: &Value) -> dusk::Result<DataFrame> {
    let s = |k: &str| a[k].as_str().unwrap_or_default().to_string();
    let n = |k: &str| a[k].as_u64().unwrap_or(0) as usize;
    let f = |k: &str| a[k].as_f64().unwrap_or(0.0);
    let list = |k: &str| strings(&a[k]);
    Ok(match op {
        "select" => df.select(list("cols"))?,
        "query" => df.query(&s("expr"))?,
        "sort_values" => {
            let asc: Vec<bool> = a["ascending"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect();
            df.sort_values_by(&list("by"), &asc)?
        }
        "head" => df.head(n("n"))?,
        "repartition" => df.repartition(n("n"))?,
        "repartition_by" => df.repartition_by(&list("cols"), n("n"))?,
        "head_sorted" => df.sort_values(list("order_by"), true)?.head(n("n"))?,
        "tail" => df.tail(n("n"), &list("order_by"))?,
        "nlargest" => df.nlargest(n("n"), &list("cols"))?,
        "nsmallest" => df.nsmallest(n("n"), &list("cols"))?,
        "isin" => {
            let values: Vec<_> = list("values").into_iter().map(lit).collect();
            df.filter(col(s("col")).isin(values))?
        }
        "between" => df.filter(col(s("col")).between_inclusive(
            lit(a["low"].as_i64().unwrap()),
            lit(a["high"].as_i64().unwrap()),
        ))?,
        "where" => {
            let c = s("col");
            df.where_(&[c.as_str()], col(c.as_str()).gt(lit(f("gt"))), None)?
        }
        "mask" => {
            let c = s("col");
            df.mask(&[c.as_str()], col(c.as_str()).gt(lit(f("gt"))), None)?
        }
        "assign" => {
            let frame = df.clone().into_datafusion();
            let expr = frame
                .parse_sql_expr(&s("expr"))
                .map_err(dusk::Error::from)?;
            df.with_column(&s("name"), expr)?
        }
        "astype" => df.astype([(s("col"), DataType::Float64)])?,
        "str" => {
            let e = col(s("col")).str();
            let e = match s("method").as_str() {
                "lower" => e.lower(),
                "upper" => e.upper(),
                "strip" => e.strip(),
                "contains" => e.contains(&s("pat")),
                "startswith" => e.startswith(&s("pat")),
                "endswith" => e.endswith(&s("pat")),
                "replace" => e.replace(&s("pat"), &s("repl")),
                "len" => e.len(),
                "slice" => e.slice(n("start"), Some(n("stop"))),
                other => panic!("str method {other}"),
            };
            df.with_column("result", e)?
        }
        "dt" => {
            let e = col(s("col")).dt();
            let e = match s("method").as_str() {
                "year" => e.year(),
                "month" => e.month(),
                "day" => e.day(),
                "hour" => e.hour(),
                "dayofweek" => e.dayofweek(),
                "date" => e.date(),
                "floor" => e.floor(&s("freq"))?,
                other => panic!("dt method {other}"),
            };
            df.with_column("result", e)?
        }
        "clip" => df.clip(&[s("col")], Some(f("low")), Some(f("high")))?,
        "round" => df.round(&[s("col")], a["decimals"].as_i64().unwrap())?,
        "abs" => df.abs(&[s("col")])?,
        "map" => {
            let mapping: Vec<(ScalarValue, ScalarValue)> = a["mapping"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (ScalarValue::Utf8(Some(k.clone())), scalar(v)))
                .collect();
            df.map_values(&s("col"), &mapping)?
        }
        "cut" => {
            let bins: Vec<f64> = a["bins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            df.cut(&s("col"), &bins, None)?
        }
        "isna" => df.isna()?,
        "notna" => df.notna()?,
        "fillna" => df.fillna(ScalarValue::Int64(Some(a["value"].as_i64().unwrap())))?,
        "fillna_map" => {
            let values: Vec<(String, ScalarValue)> = a["values"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), scalar(v)))
                .collect();
            df.fillna_map(values)?
        }
        "ffill" => df.ffill(&list("order_by"), &list("by"))?,
        "bfill" => df.bfill(&list("order_by"), &list("by"))?,
        "dropna" => {
            let how = if s("how") == "all" {
                DropHow::All
            } else {
                DropHow::Any
            };
            let subset = list("subset");
            let subset: Vec<&str> = subset.iter().map(String::as_str).collect();
            let thresh = a["thresh"].as_u64().map(|t| t as usize);
            df.dropna(
                how,
                if subset.is_empty() {
                    None
                } else {
                    Some(&subset)
                },
                thresh,
            )?
        }
        "reduce" => df.reduce(&s("func"))?,
        "quantile" => {
            let qs: Vec<f64> = a["qs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            df.quantile(&qs)?
        }
        "value_counts" => df.value_counts(
            &list("cols"),
            a["normalize"].as_bool().unwrap_or(false),
            true,
            false,
            a["dropna"].as_bool().unwrap_or(true),
        )?,
        "corr" => df.corr()?,
        "cov" => df.cov()?,
        "mode" => df.mode(&s("col"))?,
        "groupby_agg" => {
            let aggs: Vec<dusk::Agg> = a["aggs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let t = strings(t);
                    dusk::Agg::from((t[0].as_str(), t[1].as_str(), t[2].as_str()))
                })
                .collect();
            df.groupby(list("keys"))?
                .dropna(a["dropna"].as_bool().unwrap_or(true))
                .agg(aggs)?
        }
        "groupby_shortcut" => {
            let g = df.groupby(list("keys"))?;
            match s("func").as_str() {
                "sum" => g.sum()?,
                "mean" => g.mean()?,
                "min" => g.min()?,
                "max" => g.max()?,
                "count" => g.count()?,
                "size" => g.size()?,
                "std" => g.std()?,
                "var" => g.var()?,
                "median" => g.median()?,
                "nunique" => g.nunique()?,
                "first" => g.first()?,
                "last" => g.last()?,
                other => panic!("groupby {other}"),
            }
        }
        "groupby_quantile" => df.groupby(list("keys"))?.quantile(f("q"))?,
        "groupby_head" => df.groupby(list("keys"))?.head(n("n"), &list("order_by"))?,
        "groupby_nlargest" => df.groupby(list("keys"))?.nlargest(n("n"), &s("col"))?,
        "groupby_nsmallest" => df.groupby(list("keys"))?.nsmallest(n("n"), &s("col"))?,
        "groupby_cumsum" => {
            grouped_present(df, &list("keys"))?.cumsum(&list("cols"), &list("order_by"))?
        }
        "groupby_cumcount" => grouped_present(df, &list("keys"))?.cumcount(&list("order_by"))?,
        "groupby_rank" => {
            grouped_present(df, &list("keys"))?.rank(&s("col"), &s("method"), true)?
        }
        "groupby_shift" => grouped_present(df, &list("keys"))?.shift(
            &s("col"),
            a["n"].as_i64().unwrap(),
            &list("order_by"),
        )?,
        "groupby_diff" => grouped_present(df, &list("keys"))?.diff(
            &s("col"),
            a["n"].as_i64().unwrap(),
            &list("order_by"),
        )?,
        "groupby_transform" => {
            grouped_present(df, &list("keys"))?.transform(&s("col"), &s("func"))?
        }
        "merge" => {
            let other = load(session, &s("other")).await;
            let how = match s("how").as_str() {
                "inner" => How::Inner,
                "left" => How::Left,
                "right" => How::Right,
                "outer" => How::Outer,
                "semi" => How::Semi,
                "anti" => How::Anti,
                _ => How::Cross,
            };
            df.merge(other, &list("on"), how)?
        }
        "merge_on" => {
            let other = load(session, &s("other")).await;
            let suffixes = list("suffixes");
            df.merge_on(
                other,
                &list("left_on"),
                &list("right_on"),
                How::Inner,
                (&suffixes[0], &suffixes[1]),
            )?
        }
        "rename" => {
            let pairs: Vec<(String, String)> = a["map"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect();
            df.rename(pairs)?
        }
        "concat_self" => {
            let part = df.clone().query(&s("query"))?.select(["k", "y"])?;
            df.concat([part])?
        }
        "drop_duplicates" => df.drop_duplicates(&list("subset"), &s("keep"), &list("order_by"))?,
        "duplicated" => df.duplicated(&list("subset"), &s("keep"), &list("order_by"))?,
        "pivot_table" => {
            let index = list("index");
            let index: Vec<&str> = index.iter().map(String::as_str).collect();
            df.pivot_table(&index, &s("columns"), &s("values"), &s("aggfunc"), None)
                .await?
        }
        "melt" => df.melt(&list("id_vars"), &list("value_vars"), "variable", "value")?,
        "explode_split" => {
            let c = s("col");
            df.select(["n", c.as_str()])?
                .dropna(DropHow::Any, None, None)?
                .with_column(&c, col(c.as_str()).str().split(&s("sep")))?
                .explode(&c)?
        }
        "rank" => df.rank(&s("col"), &s("method"), true)?,
        "cumsum" => df.cumsum(&list("cols"), &list("order_by"))?,
        "cummax" => df.cummax(&list("cols"), &list("order_by"))?,
        "rolling" => {
            let mut r = df.rolling(a["n"].as_u64().unwrap(), list("order_by"))?;
            let by = list("by");
            if !by.is_empty() {
                r = r.by(&by)?;
            }
            let frame = r.agg(&list("cols"), &s("func"))?;
            if by.is_empty() {
                frame
            } else {
                frame.dropna(
                    DropHow::Any,
                    Some(&by.iter().map(String::as_str).collect::<Vec<_>>()),
                    None,
                )?
            }
        }
        "resample" => {
            let aggs: Vec<dusk::Agg> = a["aggs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let t = strings(t);
                    dusk::Agg::from((t[0].as_str(), t[1].as_str(), t[2].as_str()))
                })
                .collect();
            df.resample(&s("freq"), &s("on"), aggs)?
        }
        other => panic!("unknown op {other}"),
    })
}

/// A cell as both sides can agree on: numbers to 8 significant digits, NaN as missing,
/// booleans in lower case, timestamps with a space.
fn normalize(cell: &str) -> String {
    let cell = if cell == "NaN" { "" } else { cell };
    if let Ok(v) = cell.parse::<f64>() {
        if v == 0.0 {
            return "0".into();
        }
        return format!("{v:.7e}");
    }
    match cell {
        "True" | "true" => "true".into(),
        "False" | "false" => "false".into(),
        // pandas writes a timestamp column holding only midnights as dates.
        _ => {
            let cell = cell.replace('T', " ");
            cell.strip_suffix(" 00:00:00")
                .map(str::to_string)
                .unwrap_or(cell)
        }
    }
}

fn expected(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = root().join("expected").join(format!("{name}.csv"));
    let mut reader = csv::ReaderBuilder::new().from_path(&path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(normalize).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn every_pandas_case_gives_pandas_answer() {
    let text = std::fs::read_to_string(root().join("cases.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 150, "the oracle holds {} cases", cases.len());
    let session = Session::builder().target_partitions(2).build().unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let mut df = load(&session, case["data"].as_str().unwrap()).await;
        let mut error = None;
        for op in case["ops"].as_array().unwrap() {
            let op = op.as_array().unwrap();
            match apply(&session, df.clone(), op[0].as_str().unwrap(), &op[1]).await {
                Ok(next) => df = next,
                Err(e) => {
                    error = Some(format!("{}: {e}", op[0]));
                    break;
                }
            }
        }
        if let Some(e) = error {
            failures.push(format!("{name}: {e}"));
            continue;
        }
        let (header, mut want) = expected(name);
        let columns = df.columns();
        let batches = match df.collect().await {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{name}: runs with {e}"));
                continue;
            }
        };
        let mut got: Vec<Vec<String>> = crate::common::batches_to_rows(&batches)
            .into_iter()
            .map(|r| r.iter().map(|c| normalize(c)).collect())
            .collect();
        if columns != header {
            failures.push(format!(
                "{name}: columns {columns:?}, pandas has {header:?}"
            ));
            continue;
        }
        if !case["ordered"].as_bool().unwrap_or(false) {
            got.sort();
            want.sort();
        }
        if got != want {
            let first = got
                .iter()
                .zip(&want)
                .position(|(g, w)| g != w)
                .unwrap_or(got.len().min(want.len()));
            failures.push(format!(
                "{name}: {} rows vs pandas' {}; first difference at row {first}: {:?} vs {:?}",
                got.len(),
                want.len(),
                got.get(first),
                want.get(first)
            ));
        }
    }
    let _ = rows;
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from pandas:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
