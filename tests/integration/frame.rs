//! The lazy DataFrame: laziness, column operations, joins, grouping and sorting semantics.

use std::fs;
use std::sync::Arc;

use arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use dusk::{CsvReadOptions, Error, How, Session, col, lit};

use crate::common::{data, rows, session};

fn frame(s: &Session, columns: Vec<(&str, arrow::array::ArrayRef)>) -> dusk::DataFrame {
    s.from_batches(vec![RecordBatch::try_from_iter(columns).unwrap()])
        .unwrap()
}

fn ints(v: Vec<Option<i64>>) -> arrow::array::ArrayRef {
    Arc::new(Int64Array::from(v))
}

fn strs(v: Vec<Option<&str>>) -> arrow::array::ArrayRef {
    Arc::new(StringArray::from(v))
}

#[tokio::test]
async fn building_a_plan_reads_no_data_until_a_terminal_method() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    fs::write(&path, "a,b\n1,x\n2,y\n").unwrap();
    let s = session();
    let frame = s
        .read_csv(path.to_str().unwrap(), CsvReadOptions::default())
        .await
        .unwrap();
    // Planning read the header and a sample for types; the rows are read only when the
    // plan runs, so rows written after planning are the ones seen.
    fs::write(&path, "a,b\n7,p\n9,q\n").unwrap();
    let planned = frame
        .filter(col("a").gt(lit(0)))
        .unwrap()
        .with_column("c", col("a") * lit(2))
        .unwrap()
        .sort_values(["c"], false)
        .unwrap()
        .head(1)
        .unwrap();
    assert_eq!(rows(planned).await, [["9", "q", "18"]]);
}

#[tokio::test]
async fn assign_adds_several_columns_and_replaces_in_place() {
    let s = session();
    let f = frame(
        &s,
        vec![
            ("a", ints(vec![Some(1), Some(2)])),
            ("b", ints(vec![Some(10), Some(20)])),
        ],
    );
    let f = f
        .assign([("a", col("a") * lit(100)), ("c", col("a") + col("b"))])
        .unwrap();
    assert_eq!(f.columns(), ["a", "b", "c"]);
    // Each expression sees the columns as they were before the call, as in pandas.
    assert_eq!(rows(f).await, [["100", "10", "11"], ["200", "20", "22"]]);
}

#[tokio::test]
async fn rename_and_drop_check_their_columns() {
    let s = session();
    let f = frame(
        &s,
        vec![("a", ints(vec![Some(1)])), ("b", ints(vec![Some(2)]))],
    );
    let renamed = f.clone().rename([("a", "alpha")]).unwrap();
    assert_eq!(renamed.columns(), ["alpha", "b"]);
    assert!(matches!(
        f.clone().rename([("z", "zz")]),
        Err(Error::ColumnNotFound { .. })
    ));
    assert_eq!(f.clone().drop(["a"]).unwrap().columns(), ["b"]);
    assert!(matches!(f.drop(["c"]), Err(Error::ColumnNotFound { .. })));
}

#[tokio::test]
async fn sort_puts_missing_values_last_in_both_directions() {
    let s = session();
    let f = frame(&s, vec![("v", ints(vec![Some(2), None, Some(1), Some(3)]))]);
    let up = rows(f.clone().sort_values(["v"], true).unwrap()).await;
    let down = rows(f.sort_values(["v"], false).unwrap()).await;
    assert_eq!(up, [["1"], ["2"], ["3"], [""]]);
    assert_eq!(down, [["3"], ["2"], ["1"], [""]]);
}

#[tokio::test]
async fn groupby_drops_missing_keys_unless_asked_and_sorts_by_key() {
    let s = session();
    let f = frame(
        &s,
        vec![
            ("k", strs(vec![Some("b"), None, Some("a"), Some("b"), None])),
            ("v", ints(vec![Some(1), Some(2), Some(3), Some(4), Some(5)])),
        ],
    );
    let dropped = rows(f.clone().groupby(["k"]).unwrap().sum().unwrap()).await;
    assert_eq!(dropped, [["a", "3"], ["b", "5"]]);
    let kept = rows(f.groupby(["k"]).unwrap().dropna(false).sum().unwrap()).await;
    assert_eq!(kept, [["a", "3"], ["b", "5"], ["", "7"]]);
}

#[tokio::test]
async fn groupby_mean_of_integers_is_float_and_count_skips_missing() {
    let s = session();
    let f = frame(
        &s,
        vec![
            ("k", strs(vec![Some("a"), Some("a"), Some("a")])),
            ("v", ints(vec![Some(1), None, Some(2)])),
        ],
    );
    let out = f
        .groupby(["k"])
        .unwrap()
        .agg([("m", "v", "mean"), ("c", "v", "count"), ("n", "v", "size")])
        .unwrap();
    assert_eq!(
        out.schema().field_with_name("m").unwrap().data_type(),
        &arrow::datatypes::DataType::Float64
    );
    assert_eq!(rows(out).await, [["a", "1.5", "2", "3"]]);
}

#[tokio::test]
async fn unknown_aggregation_lists_the_valid_ones() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips
        .groupby(["payment_type"])
        .unwrap()
        .agg([("fare_amount", "average")])
        .unwrap_err();
    assert!(err.to_string().contains("mean"), "{err}");
}

#[tokio::test]
async fn merge_suffixes_overlapping_columns_like_pandas() {
    let s = session();
    let left = frame(
        &s,
        vec![
            ("k", ints(vec![Some(1), Some(2), Some(3)])),
            ("v", strs(vec![Some("l1"), Some("l2"), Some("l3")])),
        ],
    );
    let right = frame(
        &s,
        vec![
            ("k", ints(vec![Some(1), Some(3), Some(4)])),
            ("v", strs(vec![Some("r1"), Some("r3"), Some("r4")])),
        ],
    );
    let inner = left
        .clone()
        .merge(right.clone(), &["k"], How::Inner)
        .unwrap();
    assert_eq!(inner.columns(), ["k", "v_x", "v_y"]);
    let got = rows(inner.sort_values(["k"], true).unwrap()).await;
    assert_eq!(got, [["1", "l1", "r1"], ["3", "l3", "r3"]]);
    let left_join = left
        .merge(right, &["k"], How::Left)
        .unwrap()
        .sort_values(["k"], true)
        .unwrap();
    assert_eq!(
        rows(left_join).await,
        [["1", "l1", "r1"], ["2", "l2", ""], ["3", "l3", "r3"]]
    );
}

#[tokio::test]
async fn merge_on_a_key_missing_from_the_right_is_named() {
    let s = session();
    let left = frame(&s, vec![("k", ints(vec![Some(1)]))]);
    let right = frame(&s, vec![("key", ints(vec![Some(1)]))]);
    let err = left.merge(right, &["k"], How::Inner).unwrap_err();
    assert!(
        err.to_string().contains("'k'") && err.to_string().contains("key"),
        "{err}"
    );
}

#[tokio::test]
async fn count_is_per_column_and_len_counts_rows() {
    let s = session();
    let f = frame(
        &s,
        vec![
            ("a", ints(vec![Some(1), None, Some(3)])),
            ("b", strs(vec![None, None, Some("x")])),
        ],
    );
    assert_eq!(rows(f.clone().count().unwrap()).await, [["2", "1"]]);
    assert_eq!(f.len().await.unwrap(), 3);
}

#[tokio::test]
async fn head_after_sort_takes_the_first_rows() {
    let s = session();
    let values: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64).collect();
    let f = s
        .from_batches(vec![
            RecordBatch::try_from_iter([("x", Arc::new(Float64Array::from(values)) as _)]).unwrap(),
        ])
        .unwrap();
    let got = rows(f.sort_values(["x"], false).unwrap().head(3).unwrap()).await;
    assert_eq!(got, [["999.0"], ["998.0"], ["997.0"]]);
}

#[tokio::test]
async fn explain_shows_logical_and_physical_plans_without_running() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let plan = trips
        .query("fare_amount > 10")
        .unwrap()
        .explain()
        .await
        .unwrap();
    assert!(
        plan.contains("logical_plan") && plan.contains("physical_plan"),
        "{plan}"
    );
    assert!(plan.contains("fare_amount > "), "{plan}");
}

#[tokio::test]
async fn query_accepts_pandas_double_equals_and_quoted_text() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let a = trips
        .clone()
        .query("payment_type == 'cash'")
        .unwrap()
        .len()
        .await
        .unwrap();
    let b = trips
        .query("payment_type = 'cash'")
        .unwrap()
        .len()
        .await
        .unwrap();
    assert_eq!(a, b);
    assert!(a > 0);
}

#[tokio::test]
async fn query_with_a_syntax_error_is_a_plan_error() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let err = trips.query("fare_amount >").unwrap_err();
    assert!(matches!(err, Error::Plan(_)), "{err}");
}

#[tokio::test]
async fn merge_keeps_the_case_of_key_names() {
    let s = session();
    let left = frame(
        &s,
        vec![
            ("PULocationID", ints(vec![Some(1), Some(2)])),
            ("a", ints(vec![Some(10), Some(20)])),
        ],
    );
    let right = frame(
        &s,
        vec![
            ("PULocationID", ints(vec![Some(2)])),
            ("Zone", strs(vec![Some("JFK")])),
        ],
    );
    let joined = left.merge(right, &["PULocationID"], How::Inner).unwrap();
    assert_eq!(joined.columns(), ["PULocationID", "a", "Zone"]);
    assert_eq!(rows(joined).await, [["2", "20", "JFK"]]);
}

#[tokio::test]
async fn repartition_sets_the_number_of_partitions() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let three = trips.clone().repartition(3).unwrap();
    assert_eq!(three.npartitions().await.unwrap(), 3);
    // DataFusion 55's optimizer drops a hash repartition that no operator above needs
    // (see docs/pandas.md); the rows stay all there.
    let by = trips.repartition_by(&["payment_type"], 5).unwrap();
    assert_eq!(by.len().await.unwrap(), 6000);
}

#[tokio::test]
async fn sample_is_reproducible_and_close_to_the_fraction() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let a = rows(
        trips
            .clone()
            .sample(0.1, 1)
            .unwrap()
            .sort_values(["pickup_datetime"], true)
            .unwrap(),
    )
    .await;
    let b = rows(
        trips
            .clone()
            .sample(0.1, 1)
            .unwrap()
            .sort_values(["pickup_datetime"], true)
            .unwrap(),
    )
    .await;
    assert_eq!(a, b, "same seed, same rows");
    // 600 expected; a binomial's standard deviation here is about 23.
    assert!((500..700).contains(&a.len()), "{}", a.len());
    let c = trips.clone().sample(0.1, 2).unwrap().len().await.unwrap();
    assert!((500..700).contains(&c));
    assert_eq!(trips.sample_n(7, 3).unwrap().len().await.unwrap(), 7);
}

#[tokio::test]
async fn persist_and_map_partitions_keep_every_row() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let kept = trips.clone().persist().await.unwrap();
    assert_eq!(kept.clone().len().await.unwrap(), 6000);
    assert_eq!(kept.shape().await.unwrap(), (6000, 8));
    // A closure over each partition's batches: keep the fare column, doubled.
    let doubled = trips
        .select(["fare_amount"])
        .unwrap()
        .map_partitions(|batch| {
            let fares = arrow::compute::kernels::numeric::mul(
                batch.column(0),
                &arrow::array::Float64Array::new_scalar(2.0),
            )?;
            Ok(RecordBatch::try_from_iter([("double_fare", fares)])?)
        })
        .unwrap();
    assert_eq!(doubled.columns(), ["double_fare"]);
    assert_eq!(doubled.len().await.unwrap(), 6000);
}

#[tokio::test]
async fn na_position_first_puts_missing_values_first() {
    let s = session();
    let f = frame(&s, vec![("v", ints(vec![Some(2), None, Some(1)]))]);
    let got = rows(f.sort_values_with(&["v"], &[false], "first").unwrap()).await;
    assert_eq!(got, [[""], ["2"], ["1"]]);
}

#[tokio::test]
async fn sort_values_is_stable_across_files_and_partitions() {
    // Three files, split over several partitions, filtered first: rows with equal keys
    // must come out in input order (files in path order, rows in file order).
    let parallel = Session::builder()
        .target_partitions(5)
        .batch_size(333)
        .config("datafusion.optimizer.repartition_file_min_size", "1")
        .build()
        .unwrap();
    let serial = Session::builder().target_partitions(1).build().unwrap();
    let pick = |f: dusk::DataFrame| {
        f.query("fare_amount > 3")
            .unwrap()
            .select(["payment_type", "pickup_datetime", "fare_amount"])
            .unwrap()
    };
    let input = pick(serial.read_parquet(data("trips/")).await.unwrap());
    let input = rows(input).await;
    let sorted = pick(parallel.read_parquet(data("trips/")).await.unwrap())
        .sort_values(["payment_type"], true)
        .unwrap();
    let sorted = rows(sorted).await;
    assert_eq!(sorted.len(), input.len());
    let mut expected = input.clone();
    expected.sort_by(|a, b| a[0].cmp(&b[0])); // std's sort is stable
    assert_eq!(sorted, expected);
}

#[tokio::test]
async fn map_partitions_is_lazy_and_sees_whole_groups_after_repartition_by() {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let s = Session::builder().target_partitions(3).build().unwrap();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let (c, w) = (Arc::clone(&calls), Arc::clone(&seen));
    let mapped = trips
        .select(["pickup_zone", "fare_amount"])
        .unwrap()
        .repartition_by(&["pickup_zone"], 3)
        .unwrap()
        .map_partitions(move |batch| {
            let call = c.fetch_add(1, Ordering::SeqCst);
            let zones = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
            let zones = zones.as_any().downcast_ref::<StringArray>().unwrap();
            let mut w = w.lock().unwrap();
            for z in zones.iter().flatten() {
                let first = *w.entry(z.to_string()).or_insert(call);
                assert_eq!(first, call, "zone {z} seen by two calls");
            }
            Ok(batch)
        })
        .unwrap();
    // Building the plan ran the function once, on an empty batch, to find the schema.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(mapped.columns(), ["pickup_zone", "fare_amount"]);
    assert_eq!(mapped.len().await.unwrap(), 6000);
    // Then once per partition, each seeing every row of its zones.
    assert_eq!(calls.load(Ordering::SeqCst), 1 + 3);
    assert!(seen.lock().unwrap().len() > 3);
}

#[tokio::test]
async fn map_partitions_checks_the_declared_schema() {
    let s = session();
    let f = frame(&s, vec![("a", ints(vec![Some(1), Some(2)]))]);
    let declared = Arc::new(arrow::datatypes::Schema::new(vec![
        arrow::datatypes::Field::new("b", arrow::datatypes::DataType::Utf8, true),
    ]));
    let wrong = f.clone().map_partitions_with_schema(declared, Ok).unwrap();
    let err = wrong.collect().await.unwrap_err().to_string();
    assert!(
        err.contains("map_partitions") && err.contains("b: Utf8"),
        "{err}"
    );
    // A function that cannot take an empty batch asks for a declared schema.
    let picky = f.map_partitions(|b| {
        if b.num_rows() == 0 {
            return Err(Error::Execution("no rows".into()));
        }
        Ok(b)
    });
    let err = picky.unwrap_err().to_string();
    assert!(err.contains("map_partitions_with_schema"), "{err}");
}
