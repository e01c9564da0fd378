//! SQL: paths as tables, registered frames, scripts in order, COPY, and errors.

use dusk::Error;

use crate::common::{data, rows, session};

#[tokio::test]
async fn paths_globs_and_folders_are_tables() {
    let s = session();
    for path in [
        data("trips/"),
        data("trips"),
        data("trips/*.parquet"),
        data("trips.csv"),
        data("trips.json"),
    ] {
        let f = s
            .sql(&format!("SELECT count(*) AS n FROM '{path}'"))
            .await
            .unwrap();
        let n: usize = rows(f).await[0][0].parse().unwrap();
        assert!(n == 6000 || n == 1000, "{path}: {n}");
    }
}

#[tokio::test]
async fn output_columns_are_not_qualified_by_the_path() {
    let s = session();
    let f = s
        .sql(&format!(
            "SELECT passenger_count, avg(tip_amount) FROM '{}' GROUP BY 1",
            data("trips/*.parquet")
        ))
        .await
        .unwrap();
    assert_eq!(f.columns(), ["passenger_count", "avg(tip_amount)"]);
}

#[tokio::test]
async fn a_registered_frame_is_a_table() {
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let cash = trips.query("payment_type = 'cash'").unwrap();
    let expected = cash.clone().len().await.unwrap();
    s.register("cash", cash).unwrap();
    let f = s.sql("SELECT count(*) FROM cash").await.unwrap();
    assert_eq!(rows(f).await[0][0], expected.to_string());
}

#[tokio::test]
async fn script_runs_ddl_copy_and_queries_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cash.parquet");
    let partitioned = dir.path().join("by_zone");
    let script = format!(
        "CREATE EXTERNAL TABLE trips STORED AS PARQUET LOCATION '{trips}';
         CREATE VIEW cash AS SELECT * FROM trips WHERE payment_type = 'cash';
         COPY (SELECT * FROM cash) TO '{out}';
         COPY (SELECT fare_amount, payment_type FROM trips) TO '{partitioned}' STORED AS PARQUET PARTITIONED BY (payment_type);
         SELECT count(*) AS n FROM '{out}';",
        trips = data("trips/"),
        out = out.display(),
        partitioned = partitioned.display(),
    );
    let s = session();
    let results = s.run_script(&script).await.unwrap();
    assert_eq!(results.len(), 5);
    let last = crate::common::batches_to_rows(&results[4]);
    let cash = s
        .read_parquet(data("trips/"))
        .await
        .unwrap()
        .query("payment_type = 'cash'")
        .unwrap()
        .len()
        .await
        .unwrap();
    assert_eq!(last[0][0], cash.to_string());
    assert!(partitioned.join("payment_type=cash").is_dir());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".dusk-")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[tokio::test]
async fn sql_rejects_several_statements_and_points_to_run_script() {
    let err = session().sql("SELECT 1; SELECT 2").await.unwrap_err();
    assert!(err.to_string().contains("run_script"), "{err}");
}

#[tokio::test]
async fn syntax_errors_and_unknown_tables_are_plan_errors() {
    let s = session();
    let err = s.sql("SELEC 1").await.unwrap_err();
    assert!(matches!(err, Error::Plan(_)), "{err}");
    let err = s.sql("SELECT * FROM no_such_table").await.unwrap_err();
    assert!(err.to_string().contains("no_such_table"), "{err}");
}

#[tokio::test]
async fn missing_path_in_from_is_named() {
    let err = session()
        .sql("SELECT * FROM 'nowhere/x.parquet'")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::FileNotFound { path } if path == "nowhere/x.parquet"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_column_in_sql_suggests_the_closest() {
    let err = session()
        .sql(&format!("SELECT tip_amont FROM '{}'", data("trips/")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("tip_amount"), "{err}");
}
