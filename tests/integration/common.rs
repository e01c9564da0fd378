//! Helpers shared by the tests: data paths, result rendering and oracle comparison.

use std::path::PathBuf;

use arrow::array::{Array, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use dusk::{DataFrame, Session};

/// The absolute path of a file under `tests/data`.
pub fn data(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    root.join(path).to_string_lossy().into_owned()
}

/// A local session with two partitions, so that every test exercises parallel plans.
pub fn session() -> Session {
    Session::builder()
        .target_partitions(2)
        .build()
        .expect("session")
}

/// Every cell of the batches as text (missing values as ""), row by row.
pub fn batches_to_rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| cast(c, &DataType::Utf8).expect("cast to text"))
            .collect();
        for i in 0..batch.num_rows() {
            rows.push(
                columns
                    .iter()
                    .map(|c| {
                        let c = arrow::array::as_string_array(c);
                        if c.is_null(i) {
                            String::new()
                        } else {
                            c.value(i).to_string()
                        }
                    })
                    .collect(),
            );
        }
    }
    rows
}

/// Runs `frame` and returns its rows as text.
pub async fn rows(frame: DataFrame) -> Vec<Vec<String>> {
    batches_to_rows(&frame.collect().await.expect("collect"))
}

/// The header and rows of an expected-answer file written by the pandas oracle.
pub fn expected(case: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("oracle/expected")
        .join(format!("{case}.csv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// True if two cells mean the same value: equal text, equal numbers within a relative
/// tolerance of 1e-9, or equal timestamps written with `T` or a space.
pub fn same_cell(actual: &str, expected: &str) -> bool {
    if actual == expected {
        return true;
    }
    if let (Ok(a), Ok(e)) = (actual.parse::<f64>(), expected.parse::<f64>()) {
        return (a - e).abs() <= 1e-9 * e.abs().max(1.0);
    }
    actual.replace('T', " ") == expected.replace('T', " ")
}

/// Asserts that `frame` has the oracle's columns and rows, in order if `ordered`.
pub async fn assert_matches_oracle(frame: DataFrame, case: &str, ordered: bool) {
    let (header, mut want) = expected(case);
    assert_eq!(frame.columns(), header, "columns of {case}");
    let mut got = rows(frame).await;
    if !ordered {
        got.sort();
        want.sort();
    }
    assert_eq!(got.len(), want.len(), "row count of {case}: got {got:?}");
    for (g, w) in got.iter().zip(&want) {
        let same = g.len() == w.len() && g.iter().zip(w).all(|(a, e)| same_cell(a, e));
        assert!(same, "{case}: got row {g:?}, pandas has {w:?}");
    }
}
