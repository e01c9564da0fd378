//! The same questions through the DataFrame API and through SQL, each checked against
//! pandas' answer (tests/oracle/expected, made by tests/oracle/generate.py).

use dusk::{CsvReadOptions, How, JsonReadOptions, col, lit};

use crate::common::{assert_matches_oracle, data, session};

#[tokio::test]
async fn avg_tip_by_passenger_count_api_matches_pandas() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let frame = trips
        .groupby(["passenger_count"])
        .unwrap()
        .agg([("tip_amount", "mean")])
        .unwrap();
    assert_matches_oracle(frame, "avg_tip_by_passenger_count", true).await;
}

#[tokio::test]
async fn avg_tip_by_passenger_count_sql_matches_pandas() {
    let s = session();
    let sql = format!(
        "SELECT passenger_count, avg(tip_amount) AS tip_amount FROM '{}' \
         WHERE passenger_count IS NOT NULL GROUP BY 1 ORDER BY 1",
        data("trips/*.parquet")
    );
    assert_matches_oracle(
        s.sql(&sql).await.unwrap(),
        "avg_tip_by_passenger_count",
        true,
    )
    .await;
}

#[tokio::test]
async fn query_string_api_and_sql_match_pandas() {
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let n = trips
        .query("fare_amount > 0 and passenger_count >= 2")
        .unwrap()
        .len()
        .await
        .unwrap();
    let (_, want) = crate::common::expected("query_busy_count");
    assert_eq!(n.to_string(), want[0][0]);

    let sql = format!(
        "SELECT count(*) AS n FROM '{}' WHERE fare_amount > 0 AND passenger_count >= 2",
        data("trips/")
    );
    assert_matches_oracle(s.sql(&sql).await.unwrap(), "query_busy_count", true).await;
}

#[tokio::test]
async fn named_aggregations_api_and_sql_match_pandas() {
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let frame = trips
        .groupby(["payment_type"])
        .unwrap()
        .agg([
            ("trips", "fare_amount", "count"),
            ("fares", "fare_amount", "sum"),
            ("avg_tip", "tip_amount", "mean"),
            ("min_fare", "fare_amount", "min"),
            ("max_fare", "fare_amount", "max"),
            ("std_distance", "trip_distance", "std"),
            ("median_fare", "fare_amount", "median"),
            ("zones", "pickup_zone", "nunique"),
        ])
        .unwrap();
    assert_matches_oracle(frame, "payment_type_stats", true).await;

    let sql = format!(
        "SELECT payment_type, count(fare_amount) AS trips, sum(fare_amount) AS fares, \
         avg(tip_amount) AS avg_tip, min(fare_amount) AS min_fare, max(fare_amount) AS max_fare, \
         stddev(trip_distance) AS std_distance, median(fare_amount) AS median_fare, \
         count(DISTINCT pickup_zone) AS zones \
         FROM '{}' GROUP BY payment_type ORDER BY payment_type",
        data("trips/")
    );
    assert_matches_oracle(s.sql(&sql).await.unwrap(), "payment_type_stats", true).await;
}

#[tokio::test]
async fn left_merge_api_and_sql_match_pandas() {
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let zones = s
        .read_csv(data("zones.csv"), CsvReadOptions::default())
        .await
        .unwrap();
    let merged = trips.merge(zones, &["pickup_zone"], How::Left).unwrap();
    let n = merged.clone().len().await.unwrap();
    let (_, want) = crate::common::expected("merge_left_rows");
    assert_eq!(n.to_string(), want[0][0]);
    let per_borough = merged.groupby(["borough"]).unwrap().size().unwrap();
    assert_matches_oracle(per_borough, "trips_per_borough", true).await;

    let sql = format!(
        "SELECT z.borough, count(*) AS size FROM '{}' t LEFT JOIN '{}' z \
         ON t.pickup_zone = z.pickup_zone WHERE z.borough IS NOT NULL GROUP BY 1 ORDER BY 1",
        data("trips/"),
        data("zones.csv")
    );
    assert_matches_oracle(s.sql(&sql).await.unwrap(), "trips_per_borough", true).await;
}

#[tokio::test]
async fn sort_with_mixed_directions_then_head_matches_pandas() {
    let s = session();
    let trips = s.read_parquet(data("trips/")).await.unwrap();
    let top = trips
        .sort_values_by(&["fare_amount", "pickup_datetime"], &[false, true])
        .unwrap()
        .head(10)
        .unwrap()
        .select(["pickup_datetime", "fare_amount", "payment_type"])
        .unwrap();
    assert_matches_oracle(top, "top_fares", true).await;

    let sql = format!(
        "SELECT pickup_datetime, fare_amount, payment_type FROM '{}' \
         ORDER BY fare_amount DESC, pickup_datetime LIMIT 10",
        data("trips/")
    );
    assert_matches_oracle(s.sql(&sql).await.unwrap(), "top_fares", true).await;
}

#[tokio::test]
async fn describe_matches_pandas() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let numeric = trips
        .select([
            "passenger_count",
            "trip_distance",
            "fare_amount",
            "tip_amount",
        ])
        .unwrap();
    let summary = numeric.describe().await.unwrap();
    assert_matches_oracle(summary, "describe_numeric", true).await;
}

#[tokio::test]
async fn csv_missing_values_count_matches_pandas() {
    let csv = session()
        .read_csv(data("trips.csv"), CsvReadOptions::default())
        .await
        .unwrap();
    assert_matches_oracle(csv.count().unwrap(), "csv_count", true).await;
}

#[tokio::test]
async fn json_lines_summary_matches_pandas() {
    let s = session();
    let js = s
        .read_json(data("trips.json"), JsonReadOptions::default())
        .await
        .unwrap();
    s.register("js", js).unwrap();
    let frame = s
        .sql("SELECT count(*) AS rows, sum(fare_amount) AS fares, count(pickup_zone) AS zones FROM js")
        .await
        .unwrap();
    assert_matches_oracle(frame, "json_summary", true).await;
}

#[tokio::test]
async fn filter_expression_equals_query_string() {
    let trips = session().read_parquet(data("trips/")).await.unwrap();
    let by_expr = trips
        .clone()
        .filter(
            col("fare_amount")
                .gt(lit(0))
                .and(col("passenger_count").gt_eq(lit(2))),
        )
        .unwrap()
        .len()
        .await
        .unwrap();
    let by_text = trips
        .query("fare_amount > 0 and passenger_count >= 2")
        .unwrap()
        .len()
        .await
        .unwrap();
    assert_eq!(by_expr, by_text);
}
