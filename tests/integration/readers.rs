//! Readers: globs, folders, lists, hive partitions, CSV options, and bad input.

use std::fs;

use arrow::datatypes::DataType;
use dusk::{CsvReadOptions, Error, WriteOptions, col, lit};

use crate::common::{data, rows, session};

#[tokio::test]
async fn glob_reads_only_matching_files() {
    let trips = session()
        .read_parquet(data("trips/2024-0[12].parquet"))
        .await
        .unwrap();
    assert_eq!(trips.len().await.unwrap(), 4000);
}

#[tokio::test]
async fn folder_reads_every_file_below_it() {
    let trips = session().read_parquet(data("trips")).await.unwrap();
    assert_eq!(trips.len().await.unwrap(), 6000);
}

#[tokio::test]
async fn list_of_paths_reads_them_all() {
    let paths = vec![data("trips/2024-01.parquet"), data("trips/2024-03.parquet")];
    let trips = session().read_parquet(paths).await.unwrap();
    assert_eq!(trips.len().await.unwrap(), 4000);
}

#[tokio::test]
async fn hive_folders_become_typed_columns_that_filter() {
    let dir = tempfile::tempdir().unwrap();
    for (year, month, body) in [
        ("2023", "12", "x\n1\n2\n"),
        ("2024", "01", "x\n3\n"),
        ("2024", "02", "x\n4\n5\n6\n"),
    ] {
        let folder = dir.path().join(format!("year={year}/month={month}"));
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("part.csv"), body).unwrap();
    }
    let s = session();
    let frame = s
        .read_csv(dir.path().to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(frame.columns(), ["x", "year", "month"]);
    let schema = frame.schema();
    assert_eq!(
        schema.field_with_name("year").unwrap().data_type(),
        &DataType::Int64
    );
    let in_2024 = frame.filter(col("year").eq(lit(2024))).unwrap();
    let mut got = rows(in_2024.sort_values(["x"], true).unwrap()).await;
    got.iter_mut().for_each(|r| r.truncate(2));
    assert_eq!(
        got,
        [["3", "2024"], ["4", "2024"], ["5", "2024"], ["6", "2024"]]
    );
}

#[tokio::test]
async fn partitioned_write_reads_back_with_hive_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by_payment");
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    trips
        .to_parquet(
            out.to_str().unwrap(),
            WriteOptions::default().partition_by(["payment_type"]),
        )
        .await
        .unwrap();
    let back = s.read_parquet(out.to_str().unwrap()).await.unwrap();
    assert!(back.columns().contains(&"payment_type".to_string()));
    let cash = back.filter(col("payment_type").eq(lit("cash"))).unwrap();
    let original = s
        .read_parquet(data("trips/"))
        .await
        .unwrap()
        .filter(col("payment_type").eq(lit("cash")))
        .unwrap();
    assert_eq!(cash.len().await.unwrap(), original.len().await.unwrap());
}

#[tokio::test]
async fn csv_options_delimiter_quote_nulls_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.txt");
    fs::write(
        &path,
        "id;name;zip\n1;'Smith; John';02134\n2;-;10001\n3;'O''Neil';-\n",
    )
    .unwrap();
    let options = CsvReadOptions::default()
        .delimiter(b';')
        .quote(b'\'')
        .null_values(["-"])
        .dtype("zip", DataType::Utf8);
    let frame = session()
        .read_csv(path.to_str().unwrap(), options)
        .await
        .unwrap();
    assert_eq!(
        frame.schema().field_with_name("zip").unwrap().data_type(),
        &DataType::Utf8
    );
    let got = rows(frame.sort_values(["id"], true).unwrap()).await;
    assert_eq!(
        got[0],
        ["1", "Smith; John", "02134"],
        "zip keeps its leading zero"
    );
    assert_eq!(got[1], ["2", "", "10001"], "'-' is missing");
    assert_eq!(
        got[2],
        ["3", "O'Neil", ""],
        "'-' is missing in a text column too"
    );
}

#[tokio::test]
async fn pandas_missing_markers_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("na.csv");
    fs::write(&path, "n,s\n1,a\nNA,NULL\n3,\n").unwrap();
    let options = CsvReadOptions::default().null_values(dusk::engine::read::PANDAS_NULLS);
    let frame = session()
        .read_csv(path.to_str().unwrap(), options)
        .await
        .unwrap();
    assert_eq!(frame.schema().field(0).data_type(), &DataType::Int64);
    assert_eq!(rows(frame.count().unwrap()).await, [["2", "1"]]);
}

#[tokio::test]
async fn csv_without_header_names_columns_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.csv");
    fs::write(&path, "1,a\n2,b\n").unwrap();
    let frame = session()
        .read_csv(
            path.to_str().unwrap(),
            CsvReadOptions::default().header(false),
        )
        .await
        .unwrap();
    assert_eq!(frame.columns(), ["column_1", "column_2"]);
    assert_eq!(frame.len().await.unwrap(), 2);
}

#[tokio::test]
async fn csv_inference_rows_decide_the_type() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late_text.csv");
    fs::write(&path, "v\n1\n2\n3\nx\n").unwrap();
    let all = session()
        .read_csv(path.to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(all.schema().field(0).data_type(), &DataType::Utf8);
    let few = session()
        .read_csv(
            path.to_str().unwrap(),
            CsvReadOptions::default().infer_rows(2),
        )
        .await
        .unwrap();
    assert_eq!(few.schema().field(0).data_type(), &DataType::Int64);
    let err = few.collect().await.unwrap_err();
    assert!(matches!(err, Error::Execution(_)), "{err}");
}

#[tokio::test]
async fn missing_file_is_named() {
    let err = session()
        .read_parquet("no/such/file.parquet")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::FileNotFound { path } if path == "no/such/file.parquet"),
        "{err}"
    );
    assert!(err.to_string().contains("no/such/file.parquet"));
}

#[tokio::test]
async fn glob_without_matches_is_named() {
    let pattern = data("trips/1999-*.parquet");
    let err = session().read_parquet(pattern.as_str()).await.unwrap_err();
    assert!(
        matches!(&err, Error::NoFilesMatch { pattern: p, .. } if *p == pattern),
        "{err}"
    );
}

#[tokio::test]
async fn folder_without_data_files_is_named() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let err = session()
        .read_parquet(dir.path().to_str().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoFilesMatch { .. }), "{err}");
    assert!(err.to_string().contains("*.parquet"), "{err}");
}

#[tokio::test]
async fn csv_files_with_different_columns_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.csv"), "id,fare\n1,2.5\n").unwrap();
    fs::write(dir.path().join("b.csv"), "id,tip\n2,1.0\n").unwrap();
    let err = session()
        .read_csv(dir.path().to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::SchemaMismatch { .. }), "{message}");
    assert!(
        message.contains("a.csv") && message.contains("b.csv") && message.contains("fare"),
        "{message}"
    );
}

#[tokio::test]
async fn parquet_files_with_conflicting_types_name_both_files_and_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let s = session();
    let a = dir.path().join("a.parquet");
    let b = dir.path().join("b.parquet");
    s.sql("SELECT 1 AS id, 'x' AS code")
        .await
        .unwrap()
        .to_parquet(a.to_str().unwrap(), Default::default())
        .await
        .unwrap();
    s.sql("SELECT 2 AS id, true AS code")
        .await
        .unwrap()
        .to_parquet(b.to_str().unwrap(), Default::default())
        .await
        .unwrap();
    let err = s
        .read_parquet(dir.path().to_str().unwrap())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, Error::SchemaMismatch { column, .. } if column == "code"),
        "{message}"
    );
    assert!(
        message.contains("a.parquet") && message.contains("b.parquet"),
        "{message}"
    );
}

#[tokio::test]
async fn parquet_files_with_widening_types_merge() {
    let dir = tempfile::tempdir().unwrap();
    let s = session();
    s.sql("SELECT 1 AS v")
        .await
        .unwrap()
        .to_parquet(
            dir.path().join("a.parquet").to_str().unwrap(),
            Default::default(),
        )
        .await
        .unwrap();
    s.sql("SELECT 2.5 AS v, 'new' AS extra")
        .await
        .unwrap()
        .to_parquet(
            dir.path().join("b.parquet").to_str().unwrap(),
            Default::default(),
        )
        .await
        .unwrap();
    let frame = s.read_parquet(dir.path().to_str().unwrap()).await.unwrap();
    assert_eq!(
        frame.schema().field_with_name("v").unwrap().data_type(),
        &DataType::Float64
    );
    let got = rows(frame.sort_values(["v"], true).unwrap()).await;
    assert_eq!(got, [["1.0", ""], ["2.5", "new"]]);
}

#[tokio::test]
async fn malformed_csv_row_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    fs::write(&path, "a,b\n1,2\n3,4,5\n6,7\n").unwrap();
    let frame = session()
        .read_csv(path.to_str().unwrap(), CsvReadOptions::default())
        .await;
    let err = match frame {
        Err(e) => e,
        Ok(frame) => frame.collect().await.unwrap_err(),
    };
    let message = err.to_string();
    assert!(
        message.contains("bad.csv") && message.contains("line 3"),
        "{message}"
    );
}

#[tokio::test]
async fn column_typo_suggests_the_closest_name() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips.select(["tip_amout"]).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::ColumnNotFound { .. }), "{message}");
    assert!(message.contains("did you mean 'tip_amount'"), "{message}");
    assert!(
        message.contains("fare_amount"),
        "lists the available columns: {message}"
    );
}

#[tokio::test]
async fn typo_in_an_expression_also_suggests() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips.filter(col("fare_amont").gt(lit(0))).unwrap_err();
    assert!(
        err.to_string().contains("did you mean 'fare_amount'"),
        "{err}"
    );
}

#[tokio::test]
async fn rewritten_folder_is_listed_afresh_in_the_same_session() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    trips
        .clone()
        .head(10)
        .unwrap()
        .to_parquet(out.to_str().unwrap(), WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(
        s.read_parquet(out.to_str().unwrap())
            .await
            .unwrap()
            .len()
            .await
            .unwrap(),
        10
    );
    trips
        .head(20)
        .unwrap()
        .to_parquet(out.to_str().unwrap(), WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(
        s.read_parquet(out.to_str().unwrap())
            .await
            .unwrap()
            .len()
            .await
            .unwrap(),
        20
    );
}

#[tokio::test]
async fn key_value_folders_below_ordinary_folders_are_not_partitions() {
    let dir = tempfile::tempdir().unwrap();
    for (sub, body) in [("a/year=2024", "x\n1\n"), ("b/year=2025", "x\n2\n3\n")] {
        fs::create_dir_all(dir.path().join(sub)).unwrap();
        fs::write(dir.path().join(sub).join("part.csv"), body).unwrap();
    }
    let frame = session()
        .read_csv(dir.path().to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(frame.columns(), ["x"]);
    assert_eq!(frame.len().await.unwrap(), 3, "no file is dropped");
}

#[tokio::test]
async fn hidden_and_underscore_files_are_not_data() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("part-0.csv"), "x\n1\n").unwrap();
    fs::write(dir.path().join(".dusk-tmp-1-part.csv"), "x\n99\n").unwrap();
    fs::write(dir.path().join("_SUCCESS.csv"), "").unwrap();
    let frame = session()
        .read_csv(dir.path().to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(rows(frame).await, [["1"]]);
}

#[tokio::test]
async fn csv_column_empty_in_the_sample_keeps_later_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.csv");
    fs::write(&path, "id,note\n1,\n2,\n3,hello\n").unwrap();
    let frame = session()
        .read_csv(
            path.to_str().unwrap(),
            CsvReadOptions::default().infer_rows(2),
        )
        .await
        .unwrap();
    let got = rows(frame.sort_values(["id"], true).unwrap()).await;
    assert_eq!(got[2], ["3", "hello"]);
}

#[tokio::test]
async fn missing_partition_keys_round_trip_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by_count");
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let nulls = trips
        .clone()
        .filter(col("passenger_count").is_null())
        .unwrap()
        .len()
        .await
        .unwrap();
    assert!(nulls > 0);
    trips
        .to_parquet(
            out.to_str().unwrap(),
            WriteOptions::default().partition_by(["passenger_count"]),
        )
        .await
        .unwrap();
    assert!(
        out.join("passenger_count=__HIVE_DEFAULT_PARTITION__")
            .is_dir()
    );
    let back = s.read_parquet(out.to_str().unwrap()).await.unwrap();
    assert_eq!(
        back.schema()
            .field_with_name("passenger_count")
            .unwrap()
            .data_type(),
        &DataType::Int64
    );
    let back_nulls = back
        .clone()
        .filter(col("passenger_count").is_null())
        .unwrap()
        .len()
        .await
        .unwrap();
    assert_eq!(back_nulls, nulls);
    let zeros = back
        .filter(col("passenger_count").eq(lit(0)))
        .unwrap()
        .len()
        .await
        .unwrap();
    let original_zeros = s
        .read_parquet(data("trips/"))
        .await
        .unwrap()
        .filter(col("passenger_count").eq(lit(0)))
        .unwrap()
        .len()
        .await
        .unwrap();
    assert_eq!(zeros, original_zeros, "missing keys are not written as 0");
}

#[tokio::test]
async fn compressed_csv_folders_are_found_without_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gz");
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    trips
        .to_csv(
            out.to_str().unwrap(),
            WriteOptions::default().compression("gzip"),
        )
        .await
        .unwrap();
    let back = session()
        .read_csv(out.to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(back.len().await.unwrap(), 6000);
}

#[tokio::test]
async fn json_globs_folders_and_type_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.json"),
        "{\"id\": 1, \"v\": 1.5}\n{\"id\": 2, \"v\": null}\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("b.json"),
        "{\"id\": 3, \"v\": 2, \"extra\": \"x\"}\n",
    )
    .unwrap();
    let s = session();
    let folder = s
        .read_json(
            dir.path().to_str().unwrap(),
            dusk::JsonReadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(folder.len().await.unwrap(), 3);
    let glob = format!("{}/a*.json", dir.path().display());
    let one = s
        .read_json(glob.as_str(), dusk::JsonReadOptions::default())
        .await
        .unwrap();
    assert_eq!(one.len().await.unwrap(), 2);
    fs::write(dir.path().join("c.json"), "{\"id\": \"three\"}\n").unwrap();
    let err = s
        .read_json(
            dir.path().to_str().unwrap(),
            dusk::JsonReadOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SchemaMismatch { column, .. } if column == "id"),
        "{err}"
    );
    assert!(err.to_string().contains("c.json"), "{err}");
}

#[tokio::test]
async fn corrupt_parquet_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.parquet");
    fs::write(&path, b"PAR1 this is not parquet").unwrap();
    let err = session()
        .read_parquet(path.to_str().unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("broken.parquet"), "{err}");
}
