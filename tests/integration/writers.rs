//! Writers: files and folders, hive partitions, compression, write modes, and the rule
//! that a failed write never leaves half-written output in place.

use std::fs;
use std::path::Path;

use dusk::{CsvReadOptions, Error, JsonReadOptions, WriteMode, WriteOptions};

use crate::common::{data, session};

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dusk-"))
        .collect()
}

#[tokio::test]
async fn single_files_round_trip_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let p = dir.path().join("t.parquet");
    let c = dir.path().join("t.csv");
    let j = dir.path().join("t.json");
    assert_eq!(
        trips
            .clone()
            .to_parquet(p.to_str().unwrap(), WriteOptions::default())
            .await
            .unwrap(),
        6000
    );
    assert_eq!(
        trips
            .clone()
            .to_csv(c.to_str().unwrap(), WriteOptions::default())
            .await
            .unwrap(),
        6000
    );
    assert_eq!(
        trips
            .to_json(j.to_str().unwrap(), WriteOptions::default())
            .await
            .unwrap(),
        6000
    );
    assert!(p.is_file() && c.is_file() && j.is_file());
    assert_eq!(
        s.read_parquet(p.to_str().unwrap())
            .await
            .unwrap()
            .len()
            .await
            .unwrap(),
        6000
    );
    let csv = s
        .read_csv(c.to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(csv.len().await.unwrap(), 6000);
    let json = s
        .read_json(j.to_str().unwrap(), JsonReadOptions::default())
        .await
        .unwrap();
    assert_eq!(json.len().await.unwrap(), 6000);
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn target_without_extension_is_a_folder_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    trips
        .to_parquet(out.to_str().unwrap(), WriteOptions::default())
        .await
        .unwrap();
    assert!(out.is_dir());
    let back = session().read_parquet(out.to_str().unwrap()).await.unwrap();
    assert_eq!(back.len().await.unwrap(), 6000);
}

#[tokio::test]
async fn partitioned_csv_output_has_hive_folders_without_the_key_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by_payment");
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let rows = trips
        .to_csv(
            out.to_str().unwrap(),
            WriteOptions::default().partition_by(["payment_type"]),
        )
        .await
        .unwrap();
    assert_eq!(rows, 6000);
    let mut folders: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(
        folders,
        [
            "payment_type=card",
            "payment_type=cash",
            "payment_type=dispute",
            "payment_type=no charge"
        ]
    );
    let file = fs::read_dir(out.join("payment_type=cash"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let header = fs::read_to_string(file)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(!header.contains("payment_type"), "{header}");
}

#[tokio::test]
async fn gzip_csv_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv.gz");
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    trips
        .to_csv(
            out.to_str().unwrap(),
            WriteOptions::default().compression("gzip"),
        )
        .await
        .unwrap();
    let bytes = fs::read(&out).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic");
    let back = session()
        .read_csv(out.to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    assert_eq!(back.len().await.unwrap(), 6000);
}

#[tokio::test]
async fn unknown_compression_is_an_invalid_option() {
    let dir = tempfile::tempdir().unwrap();
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips
        .to_parquet(
            dir.path().join("t.parquet").to_str().unwrap(),
            WriteOptions::default().compression("zip"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidOption { option, .. } if option == "compression"),
        "{err}"
    );
    assert!(
        err.to_string().contains("snappy"),
        "names valid choices: {err}"
    );
}

#[tokio::test]
async fn partition_by_unknown_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips
        .to_parquet(
            dir.path().join("out").to_str().unwrap(),
            WriteOptions::default().partition_by(["payment"]),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("did you mean 'payment_type'"),
        "{err}"
    );
}

#[tokio::test]
async fn error_if_exists_leaves_the_target_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    fs::write(&out, "keep me\n").unwrap();
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips
        .to_csv(
            out.to_str().unwrap(),
            WriteOptions::default().mode(WriteMode::ErrorIfExists),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "keep me\n");
}

#[tokio::test]
async fn overwrite_replaces_a_folder_with_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.parquet");
    fs::create_dir_all(out.join("old")).unwrap();
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    trips
        .to_parquet(out.to_str().unwrap(), WriteOptions::default())
        .await
        .unwrap();
    assert!(out.is_file());
    assert!(leftovers(dir.path()).is_empty());
}

/// A query that fails part-way through: casting text to integers fails on the first
/// text value, after the writer has started.
async fn failing_frame() -> dusk::DataFrame {
    let s = session();
    s.register("trips", s.read_parquet(data("trips/")).await.unwrap())
        .unwrap();
    s.sql("SELECT fare_amount, CAST(payment_type AS INT) AS broken FROM trips")
        .await
        .unwrap()
}

#[tokio::test]
async fn failed_write_leaves_no_output_and_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    for target in ["t.parquet", "folder", "t.csv"] {
        let out = dir.path().join(target);
        let frame = failing_frame().await;
        let result = if target.ends_with(".csv") {
            frame
                .to_csv(out.to_str().unwrap(), WriteOptions::default())
                .await
        } else {
            frame
                .to_parquet(out.to_str().unwrap(), WriteOptions::default())
                .await
        };
        assert!(result.is_err(), "the cast must fail");
        assert!(
            !out.exists(),
            "{target} must not exist after a failed write"
        );
    }
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[tokio::test]
async fn failed_overwrite_keeps_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("partitioned");
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let options = WriteOptions::default().partition_by(["payment_type"]);
    trips
        .to_parquet(out.to_str().unwrap(), options.clone())
        .await
        .unwrap();
    let err = failing_frame()
        .await
        .to_parquet(out.to_str().unwrap(), WriteOptions::default())
        .await;
    assert!(err.is_err());
    let back = s.read_parquet(out.to_str().unwrap()).await.unwrap();
    assert_eq!(back.len().await.unwrap(), 6000, "the old output is intact");
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn compression_follows_the_file_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json.gz");
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    trips
        .head(5)
        .unwrap()
        .to_json(out.to_str().unwrap(), WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(&fs::read(&out).unwrap()[..2], &[0x1f, 0x8b], "gzip magic");
    let back = session()
        .read_json(out.to_str().unwrap(), JsonReadOptions::default())
        .await
        .unwrap();
    assert_eq!(back.len().await.unwrap(), 5);
}
