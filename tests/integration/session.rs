//! Session settings: partitions, memory limits with spilling, and invalid options.

use dusk::{Error, Session};

use crate::common::{data, rows};

#[test]
fn memory_limit_accepts_sizes_and_rejects_nonsense() {
    assert!(Session::builder().memory_limit("4GB").build().is_ok());
    assert!(
        Session::builder()
            .memory_limit(1_000_000_000u64)
            .build()
            .is_ok()
    );
    let err = Session::builder().memory_limit("lots").build().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidOption { option, .. } if option == "memory_limit"),
        "{err}"
    );
    assert!(
        err.to_string().contains("4GB"),
        "names a valid example: {err}"
    );
}

#[test]
fn zero_partitions_and_unknown_config_keys_are_invalid() {
    assert!(matches!(
        Session::builder().target_partitions(0).build(),
        Err(Error::InvalidOption { .. })
    ));
    let err = Session::builder()
        .config("datafusion.no.such.key", "1")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("datafusion.no.such.key"), "{err}");
}

#[test]
fn target_partitions_reach_the_engine() {
    let s = Session::builder()
        .target_partitions(3)
        .batch_size(1024)
        .build()
        .unwrap();
    assert_eq!(s.engine().target_partitions(), 3);
}

/// A sort and an aggregation over 600k rows in a 4 MB budget must spill to disk and still
/// give the answers of an unlimited session.
#[tokio::test]
async fn sort_and_groupby_spill_under_a_small_memory_limit() {
    let spill = tempfile::tempdir().unwrap();
    let small = Session::builder()
        .target_partitions(2)
        .memory_limit("4MB")
        .spill_dir(spill.path())
        .build()
        .unwrap();
    let big = Session::builder().target_partitions(2).build().unwrap();
    let query = format!(
        "SELECT t.fare_amount + r.value AS x, t.pickup_zone FROM '{}' t CROSS JOIN range(100) r",
        data("trips/")
    );
    let sorted = |s: &Session| {
        let s = s.clone();
        let q = query.clone();
        async move {
            // A full sort (a LIMIT would use a top-k heap, which does not spill).
            let f = s
                .sql(&format!("SELECT x FROM ({q}) ORDER BY x DESC"))
                .await
                .unwrap();
            let all = rows(f).await;
            assert_eq!(all.len(), 600_000);
            [&all[..3], &all[299_999..300_002], &all[all.len() - 3..]].concat()
        }
    };
    assert_eq!(sorted(&small).await, sorted(&big).await);
    let grouped = |s: &Session| {
        let s = s.clone();
        let q = query.clone();
        async move {
            let f = s
                .sql(&format!(
                    "SELECT round(x) AS k, count(*) AS n FROM ({q}) GROUP BY 1 ORDER BY 1"
                ))
                .await
                .unwrap();
            rows(f).await
        }
    };
    assert_eq!(grouped(&small).await, grouped(&big).await);
}

/// A join of two 300k-row inputs in a 4 MB budget finishes (by spilling) with the answer
/// of an unlimited session.
#[tokio::test]
async fn join_finishes_under_a_small_memory_limit() {
    let spill = tempfile::tempdir().unwrap();
    let small = Session::builder()
        .target_partitions(2)
        .memory_limit("4MB")
        .spill_dir(spill.path())
        .build()
        .unwrap();
    let query = "SELECT count(*) AS n, sum(a.k * 2 - b.k) AS s FROM (SELECT value AS k FROM range(300000)) a \
                 JOIN (SELECT value AS k FROM range(300000)) b ON a.k = b.k";
    let got = rows(small.sql(query).await.unwrap()).await;
    // First principles: every key matches once; the sum of k over 0..300000.
    assert_eq!(got, [["300000", "44999850000"]]);
}
