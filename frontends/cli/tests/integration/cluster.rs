//! A real cluster: `dusk scheduler` and two `dusk executor` processes on 127.0.0.1, the
//! same plans run there and on the local engine, and the answers compared.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dusk::arrow::array::RecordBatch;
use dusk::arrow::util::display::{ArrayFormatter, FormatOptions};
use dusk::{DataFrame, Session};

/// A free loopback port whose next port is free too (an executor uses both).
fn free_port_pair() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

fn wait_for_port(port: u16, what: &str, log: &Path) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} did not listen on {port} within 60 s; its log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A scheduler and executors as child processes, killed when dropped.
pub struct Cluster {
    pub url: String,
    scheduler_port: u16,
    scheduler: Child,
    executors: Vec<Child>,
    dir: tempfile::TempDir,
}

impl Cluster {
    /// A scheduler and `executors` executors with two task slots each.
    pub fn start(executors: usize) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port_pair();
        let log = dir.path().join("scheduler.log");
        let scheduler = spawn(
            &[
                "scheduler",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--executor-timeout",
                "6",
            ],
            &log,
        );
        wait_for_port(port, "the scheduler", &log);
        let mut cluster = Cluster {
            url: format!("df://127.0.0.1:{port}"),
            scheduler_port: port,
            scheduler,
            executors: vec![],
            dir,
        };
        for _ in 0..executors {
            cluster.add_executor();
        }
        cluster
    }

    pub fn add_executor(&mut self) {
        let i = self.executors.len();
        let port = free_port_pair();
        let log = self.dir.path().join(format!("executor{i}.log"));
        let work = self.dir.path().join(format!("work{i}"));
        let child = spawn(
            &[
                "executor",
                "--scheduler",
                &format!("127.0.0.1:{}", self.scheduler_port),
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--concurrent-tasks",
                "2",
                "--heartbeat",
                "1",
                "--work-dir",
                work.to_str().unwrap(),
            ],
            &log,
        );
        wait_for_port(port, "an executor", &log);
        self.executors.push(child);
    }

    /// Kills executor `i` at once (SIGKILL), as a crash would.
    pub fn kill_executor(&mut self, i: usize) {
        let _ = self.executors[i].kill();
        let _ = self.executors[i].wait();
    }

    pub fn work_dir(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("work{i}"))
    }

    pub fn logs(&self) -> String {
        let mut out = String::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "log") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(30).collect();
                out += &format!("--- {}\n", entry.path().display());
                for line in tail.iter().rev() {
                    out += line;
                    out += "\n";
                }
            }
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self
            .executors
            .iter_mut()
            .chain(std::iter::once(&mut self.scheduler))
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(args: &[&str], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(assert_cmd::cargo::cargo_bin("dusk"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// TPC-H at scale 0.01 in a temporary folder, made once per test binary run.
fn tpch_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        dusk::tpch::generate(dir.path(), 0.01).unwrap();
        dir
    })
    .path()
}

/// Rows as text, floats to 9 significant digits, sorted: the same answer compares equal
/// whatever order partitions finish in and however sums were split.
fn canonical(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = vec![];
    for batch in batches {
        let formatters: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
            .collect();
        for r in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, c)| {
                        let text = f.value(r).to_string();
                        if c.data_type().is_floating() {
                            match text.parse::<f64>() {
                                Ok(v) => format!("{v:.8e}"),
                                Err(_) => text,
                            }
                        } else {
                            text
                        }
                    })
                    .collect(),
            );
        }
    }
    rows.sort();
    rows
}

async fn answer(frame: DataFrame) -> Vec<Vec<String>> {
    canonical(&frame.collect().await.unwrap())
}

async fn tpch_sessions(cluster: &Cluster) -> (Session, Session) {
    let local = Session::local();
    let remote = Session::connect(&cluster.url).await.unwrap();
    dusk::tpch::register(&local, tpch_dir()).await.unwrap();
    dusk::tpch::register(&remote, tpch_dir()).await.unwrap();
    (local, remote)
}

fn trips() -> String {
    format!("{}/../../tests/data/trips/", env!("CARGO_MANIFEST_DIR"))
}

fn zones() -> String {
    format!("{}/../../tests/data/zones.csv", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_gives_the_local_answer_on_a_real_cluster() {
    let cluster = Cluster::start(2);
    let (local, remote) = tpch_sessions(&cluster).await;

    // All 22 TPC-H queries.
    for (name, sql) in dusk::tpch::QUERIES {
        let want = answer(local.sql(sql).await.unwrap()).await;
        let got = match remote.sql(sql).await {
            Ok(frame) => match frame.collect().await {
                Ok(batches) => canonical(&batches),
                Err(e) => panic!("{name} failed on the cluster: {e}\n{}", cluster.logs()),
            },
            Err(e) => panic!("{name} failed to plan for the cluster: {e}"),
        };
        assert_eq!(got, want, "TPC-H {name}");
        assert!(
            !want.is_empty() || name == "q20",
            "TPC-H {name} returned no rows"
        );
    }

    // DataFrame programs: joins, window functions, group-wise top-k, stable sorting,
    // quoted paths in SQL.
    type Program = fn(Session) -> std::pin::Pin<Box<dyn std::future::Future<Output = DataFrame>>>;
    let programs: Vec<(&str, Program)> = vec![
        ("merge with zones", |s| {
            Box::pin(async move {
                let trips = s.read_parquet(trips()).await.unwrap();
                let zones = s.read_csv(zones(), Default::default()).await.unwrap();
                trips
                    .merge(zones, &["pickup_zone"], dusk::How::Left)
                    .unwrap()
                    .groupby(["borough"])
                    .unwrap()
                    .agg([("fare_amount", "sum"), ("tip_amount", "mean")])
                    .unwrap()
            })
        }),
        ("window functions in SQL", |s| {
            Box::pin(async move {
                let q = format!(
                    "SELECT pickup_zone, fare_amount, \
                       rank() OVER (PARTITION BY pickup_zone ORDER BY fare_amount DESC, pickup_datetime) AS r, \
                       sum(tip_amount) OVER (PARTITION BY payment_type ORDER BY pickup_datetime \
                                             ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS rolling_tips \
                     FROM '{}'",
                    trips()
                );
                s.sql(&q).await.unwrap()
            })
        }),
        ("groupby nlargest and stable sort", |s| {
            Box::pin(async move {
                s.read_parquet(trips())
                    .await
                    .unwrap()
                    .groupby(["payment_type"])
                    .unwrap()
                    .nlargest(3, "fare_amount")
                    .unwrap()
                    .sort_values(["payment_type"], true)
                    .unwrap()
            })
        }),
        ("rolling mean per group", |s| {
            Box::pin(async move {
                s.read_parquet(trips())
                    .await
                    .unwrap()
                    .rolling(3, ["pickup_datetime"])
                    .unwrap()
                    .by(["pickup_zone"])
                    .unwrap()
                    .agg(&["fare_amount"], "mean")
                    .unwrap()
            })
        }),
        ("describe", |s| {
            Box::pin(async move {
                s.read_parquet(trips())
                    .await
                    .unwrap()
                    .select(["fare_amount", "tip_amount"])
                    .unwrap()
                    .describe()
                    .await
                    .unwrap()
            })
        }),
    ];
    for (name, program) in programs {
        let want = answer(program(local.clone()).await).await;
        let got = match program(remote.clone()).await.collect().await {
            Ok(batches) => canonical(&batches),
            Err(e) => panic!("{name} failed on the cluster: {e}\n{}", cluster.logs()),
        };
        assert!(!want.is_empty(), "{name}");
        assert_eq!(got, want, "{name}");
    }

    // A partitioned Parquet write on the cluster reads back as the local answer.
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("by_payment");
    let options = dusk::WriteOptions::default().partition_by(["payment_type"]);
    remote
        .read_parquet(trips())
        .await
        .unwrap()
        .to_parquet(target.to_str().unwrap(), options)
        .await
        .unwrap();
    let back = local.read_parquet(target.to_str().unwrap()).await.unwrap();
    let cols = ["pickup_datetime", "fare_amount", "payment_type"];
    let want = answer(
        local
            .read_parquet(trips())
            .await
            .unwrap()
            .select(cols)
            .unwrap(),
    )
    .await;
    assert_eq!(answer(back.select(cols).unwrap()).await, want);

    // So does SQL's COPY, which reports the rows written.
    let copied = out.path().join("copy.parquet");
    let copy = format!(
        "COPY (SELECT * FROM '{}') TO '{}'",
        trips(),
        copied.display()
    );
    let written = answer(remote.sql(&copy).await.unwrap()).await;
    assert_eq!(written, [["6000"]]);
    let back = local.read_parquet(copied.to_str().unwrap()).await.unwrap();
    assert_eq!(answer(back.select(cols).unwrap()).await, want);

    // What cannot run distributed says so.
    let err = remote
        .read_parquet(trips())
        .await
        .unwrap()
        .map_partitions(Ok)
        .unwrap()
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("map_partitions"), "{err}");

    // An error on an executor reads like the same error in-process.
    let bad = format!("SELECT CAST(payment_type AS INT) FROM '{}'", trips());
    let err = remote
        .sql(&bad)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a task failed on the cluster: Cannot cast string"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_survives_an_executor_killed_midway() {
    let mut cluster = Cluster::start(2);
    let (local, remote) = tpch_sessions(&cluster).await;
    // Several stages with shuffles, long enough to kill an executor while it runs.
    let sql = "SELECT a.l_suppkey, count(*) AS pairs, sum(a.l_quantity - b.l_quantity) AS gap \
               FROM lineitem a JOIN lineitem b \
                 ON a.l_suppkey = b.l_suppkey AND a.l_linenumber = b.l_linenumber \
               WHERE a.l_quantity > b.l_quantity \
               GROUP BY a.l_suppkey";
    let want = answer(local.sql(sql).await.unwrap()).await;
    let job = tokio::spawn({
        let remote = remote.clone();
        async move { remote.sql(sql).await?.collect().await }
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !job.is_finished(),
        "the job ended before an executor could be killed"
    );
    let started = Instant::now();
    cluster.kill_executor(0);
    let outcome = tokio::time::timeout(Duration::from_secs(180), job)
        .await
        .unwrap_or_else(|_| panic!("the job hung after an executor died\n{}", cluster.logs()))
        .unwrap();
    eprintln!("the job ended {:?} after the kill", started.elapsed());
    match outcome {
        Ok(batches) => assert_eq!(canonical(&batches), want),
        Err(e) => panic!(
            "the job failed after an executor died: {e}\n{}",
            cluster.logs()
        ),
    }
    // The next job runs on the remaining executor.
    let again = answer(remote.sql("SELECT count(*) FROM lineitem").await.unwrap()).await;
    assert_eq!(
        again,
        answer(local.sql("SELECT count(*) FROM lineitem").await.unwrap()).await
    );
}

#[tokio::test]
async fn an_unreachable_scheduler_is_named() {
    let port = free_port_pair();
    let url = format!("df://127.0.0.1:{port}");
    let started = Instant::now();
    let err = Session::connect(&url).await.unwrap_err().to_string();
    assert!(err.contains(&url) && err.contains("cannot reach"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // The CLI says the same and exits 1.
    assert_cmd::Command::cargo_bin("dusk")
        .unwrap()
        .args(["--cluster", &url, "sql", "SELECT 1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(url.as_str()));
    let _ = SocketAddr::from(([127, 0, 0, 1], port));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_executors_is_a_clear_error_in_bounded_time() {
    let cluster = Cluster::start(0);
    let remote = Session::connect(&cluster.url).await.unwrap();
    let job = remote.sql("SELECT 1 AS one").await.unwrap().collect();
    let outcome = tokio::time::timeout(Duration::from_secs(60), job)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "a job with no executors must fail, not wait forever\n{}",
                cluster.logs()
            )
        });
    let err = outcome.unwrap_err().to_string();
    assert!(err.contains("no executors are registered"), "{err}");
}

#[test]
fn the_cli_runs_sql_and_convert_on_a_cluster() {
    let cluster = Cluster::start(1);
    let query = format!(
        "SELECT passenger_count, count(*) AS n FROM '{}' GROUP BY 1 ORDER BY 1",
        trips()
    );
    let local = assert_cmd::Command::cargo_bin("dusk")
        .unwrap()
        .args(["sql", &query, "--format", "csv"])
        .output()
        .unwrap();
    assert!(local.status.success());
    let remote = assert_cmd::Command::cargo_bin("dusk")
        .unwrap()
        .env("DUSK_CLUSTER", &cluster.url)
        .args(["sql", &query, "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        remote.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&remote.stderr),
        cluster.logs()
    );
    assert_eq!(remote.stdout, local.stdout);
    // convert runs on the cluster too, and the shuffle folders are cleaned up afterwards.
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("trips.csv");
    assert_cmd::Command::cargo_bin("dusk")
        .unwrap()
        .args([
            "--cluster",
            &cluster.url,
            "convert",
            &trips(),
            target.to_str().unwrap(),
        ])
        .assert()
        .success();
    let local_target = out.path().join("local.csv");
    assert_cmd::Command::cargo_bin("dusk")
        .unwrap()
        .args(["convert", &trips(), local_target.to_str().unwrap()])
        .assert()
        .success();
    // The same records as a local convert (row order aside). Executors quote every
    // field (DataFusion 55 loses the quote style when it sends a CSV writer), which
    // reads back the same.
    let sorted = |p: &Path| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(p)
            .unwrap();
        let mut lines: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        lines.sort();
        lines
    };
    let (remote_lines, local_lines) = (sorted(&target), sorted(&local_target));
    assert_eq!(remote_lines.len(), 6001);
    assert_eq!(remote_lines, local_lines);
    // A GROUP BY shuffles; its shuffle files are removed once the job has ended.
    let started = Instant::now();
    let job_dirs = || {
        std::fs::read_dir(cluster.work_dir(0))
            .map(|d| d.flatten().filter(|e| e.path().is_dir()).count())
            .unwrap_or(0)
    };
    while job_dirs() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "shuffle files are still in {} a minute after the jobs ended",
            cluster.work_dir(0).display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}
