//! The `dusk` command, run as a real process: every subcommand, its output and its
//! error exits.

#[path = "integration/cluster.rs"]
mod cluster;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

fn data(path: &str) -> String {
    format!("{}/../../tests/data/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn dusk() -> Command {
    let mut cmd = Command::cargo_bin("dusk").unwrap();
    cmd.env_remove("DUSK_MEMORY_LIMIT")
        .env_remove("DUSK_PARTITIONS");
    cmd
}

/// The pandas oracle's average tip for one passenger (tests/oracle/expected).
const AVG_TIP_ONE_PASSENGER: &str = "1.6143907875";

#[test]
fn sql_prints_the_readme_query_as_a_table() {
    let query = format!(
        "SELECT passenger_count, avg(tip_amount) FROM '{}' GROUP BY 1 ORDER BY 1",
        data("trips/*.parquet")
    );
    dusk()
        .args(["sql", &query])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| passenger_count | avg(tip_amount)",
        ))
        .stdout(predicate::str::contains(AVG_TIP_ONE_PASSENGER))
        .stdout(predicate::str::contains("8 rows"));
}

#[test]
fn sql_with_named_tables_and_csv_output() {
    let out = dusk()
        .args([
            "sql",
            "SELECT payment_type, count(*) AS n FROM t GROUP BY 1 ORDER BY 1",
            "--format",
            "csv",
        ])
        .args(["--table", &format!("t={}", data("trips/"))])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "payment_type,n");
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines.contains(&"card,3992"), "{text}");
}

#[test]
fn sql_json_output_is_one_object_per_line() {
    dusk()
        .args([
            "sql",
            "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("{\"a\":1,\"b\":\"x\"}"))
        .stdout(predicate::str::contains("{\"a\":2,\"b\":\"y\"}"));
}

#[test]
fn sql_output_file_format_follows_its_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cash.parquet");
    dusk()
        .args([
            "sql",
            &format!(
                "SELECT * FROM '{}' WHERE payment_type = 'cash'",
                data("trips/")
            ),
        ])
        .args(["-o", out.to_str().unwrap()])
        .assert()
        .success();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    dusk()
        .args([
            "sql",
            &format!("SELECT count(*) AS n FROM '{}'", out.display()),
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stdout("n\n1706\n");
}

#[test]
fn table_output_shows_max_rows_and_the_total() {
    dusk()
        .args(["sql", "SELECT value FROM range(100)", "--max-rows", "5"])
        .assert()
        .success()
        .stdout(predicate::str::contains("100 rows (5 shown"));
}

#[test]
fn run_executes_a_script_in_order_and_times_statements() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("job.sql");
    let out = dir.path().join("fares.csv");
    std::fs::write(
        &script,
        format!(
            "CREATE VIEW fares AS SELECT fare_amount FROM '{}';\n\
             COPY (SELECT * FROM fares WHERE fare_amount > 50) TO '{}';\n\
             SELECT count(*) AS big FROM '{}';\n",
            data("trips/"),
            out.display(),
            out.display()
        ),
    )
    .unwrap();
    dusk()
        .args(["run", script.to_str().unwrap(), "-v"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| big"))
        .stderr(predicate::str::contains("s] CREATE VIEW fares"))
        .stderr(predicate::str::contains("s] total"));
    assert!(out.is_file());
}

#[test]
fn run_names_the_failing_statement() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bad.sql");
    std::fs::write(&script, "SELECT 1;\nSELECT nope FROM range(3);\n").unwrap();
    dusk()
        .args(["run", script.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("statement 2 failed"));
}

#[test]
fn schema_lists_columns_and_types() {
    dusk()
        .args(["schema", &data("trips/")])
        .assert()
        .success()
        .stdout(predicate::str::contains("| fare_amount      | Float64"))
        .stdout(predicate::str::contains("pickup_datetime"));
}

#[test]
fn head_shows_the_first_rows_of_the_first_file() {
    let out = dusk()
        .args(["head", &data("trips.csv"), "-n", "3", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let file = std::fs::read_to_string(data("trips.csv")).unwrap();
    let want: Vec<&str> = file.lines().take(4).collect();
    assert_eq!(text.lines().collect::<Vec<_>>(), want);
}

#[test]
fn describe_prints_numeric_and_text_statistics() {
    dusk()
        .args(["describe", &data("trips/")])
        .assert()
        .success()
        .stdout(predicate::str::contains("| 25%"))
        .stdout(predicate::str::contains("| top"))
        .stdout(predicate::str::contains("card"))
        .stdout(predicate::str::contains("3992"));
}

#[test]
fn convert_csv_to_partitioned_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lake");
    dusk()
        .args([
            "convert",
            &data("trips.csv"),
            out.to_str().unwrap(),
            "--partition-by",
            "payment_type",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 1000 rows"));
    assert!(out.join("payment_type=card").is_dir());
    dusk()
        .args([
            "sql",
            &format!("SELECT count(*) AS n FROM '{}'", out.display()),
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stdout("n\n1000\n");
}

#[test]
fn convert_refuses_to_clobber_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.json");
    std::fs::write(&out, "old").unwrap();
    dusk()
        .args([
            "convert",
            &data("trips.csv"),
            out.to_str().unwrap(),
            "--no-clobber",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
}

#[test]
fn demo_generates_trips_and_prints_the_average_tip() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("trips");
    dusk()
        .args([
            "demo",
            "--rows",
            "5000",
            "--months",
            "2",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("passenger_count"))
        .stdout(predicate::str::contains("avg_tip"));
    assert!(out.join("2024-01.parquet").is_file() && out.join("2024-02.parquet").is_file());
}

#[test]
fn errors_print_one_line_and_exit_non_zero() {
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["schema".into(), "missing.parquet".into()],
            "file not found: 'missing.parquet'",
        ),
        (
            vec!["head".into(), data("trips/1999-*.parquet")],
            "no files match",
        ),
        (vec!["sql".into(), "SELEC 1".into()], "error"),
        (
            vec![
                "sql".into(),
                format!("SELECT tip_amont FROM '{}'", data("trips/")),
            ],
            "tip_amount",
        ),
        (
            vec![
                "sql".into(),
                "SELECT 1".into(),
                "--table".into(),
                "nonsense".into(),
            ],
            "NAME=PATH",
        ),
        (
            vec![
                "sql".into(),
                "SELECT 1".into(),
                "--memory-limit".into(),
                "lots".into(),
            ],
            "memory_limit",
        ),
    ];
    for (args, needle) in cases {
        let assert = dusk().args(&args).assert().code(1);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with("dusk: error: "), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn usage_errors_exit_with_two() {
    dusk().arg("frobnicate").assert().code(2);
    dusk().args(["head"]).assert().code(2);
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in [
        "sql", "run", "schema", "head", "describe", "convert", "demo",
    ] {
        dusk()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
}

#[test]
fn closed_pipe_ends_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("dusk");
    let mut child = std::process::Command::new(bin)
        .args([
            "sql",
            "SELECT value FROM range(50000000)",
            "--format",
            "csv",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "value\n");
    // The reader is dropped here, closing the pipe while dusk is still writing.
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn run_with_an_output_file_needs_a_single_query() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("two.sql");
    std::fs::write(&script, "SELECT 1;\nSELECT 2;\n").unwrap();
    let out = dir.path().join("out.csv");
    dusk()
        .args(["run", script.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("COPY"));
    assert!(!out.exists());
}
