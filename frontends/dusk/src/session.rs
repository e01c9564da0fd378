//! The user's entry point: a session that reads files, registers tables and runs SQL.

use std::fmt;
use std::path::PathBuf;

use arrow::array::RecordBatch;
use dusk_engine::read::{self, CsvReadOptions, JsonReadOptions, ParquetReadOptions, ReadFormat};
use dusk_engine::storage::{self, Paths};
use dusk_engine::{Result, plan_err};

use crate::frame::DataFrame;

/// A Dusk session: where data is read from, tables are registered and queries run.
///
/// The backend is chosen here, once: [`Session::local`] runs in this process on all
/// cores. Every frame and query made from the session runs on its backend, and no code
/// after construction changes with it. Clones share tables and settings.
///
/// ```
/// # #[tokio::main] async fn main() -> dusk::Result<()> {
/// let session = dusk::Session::local();
/// let trips = session.read_parquet("../../tests/data/trips/").await?;
/// assert_eq!(trips.columns()[0], "pickup_datetime");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Session {
    engine: dusk_engine::Session,
}

impl Session {
    /// An in-process session with one partition per core and no memory limit.
    pub fn local() -> Session {
        Session {
            engine: dusk_engine::Session::local(),
        }
    }

    /// A session on the Ballista cluster whose scheduler is at `url`
    /// (`df://host:port`): the same DataFrame and SQL code then runs on the cluster.
    /// The files read must be reachable by every executor (shared storage or an object
    /// store). Fails at once, naming the address, when no scheduler answers.
    ///
    /// ```
    /// # #[tokio::main] async fn main() {
    /// let err = dusk::Session::connect("df://127.0.0.1:1").await.unwrap_err();
    /// assert!(err.to_string().contains("cannot reach"));
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Session> {
        Ok(Session {
            engine: dusk_engine::Session::connect(url).await?,
        })
    }

    /// A Ballista cluster in this process, with `executors` executors: the distributed
    /// engine on one machine, for trying it and for tests.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// let session = dusk::Session::local_cluster(2).await?;
    /// let n = session.sql("SELECT count(*) AS n FROM '../../tests/data/trips/'").await?;
    /// assert_eq!(n.len().await?, 1);
    /// # Ok(()) }
    /// ```
    pub async fn local_cluster(executors: usize) -> Result<Session> {
        Ok(Session {
            engine: dusk_engine::Session::local_cluster(executors).await?,
        })
    }

    /// A builder for a session with other settings.
    ///
    /// ```
    /// let session = dusk::Session::builder()
    ///     .target_partitions(2)
    ///     .memory_limit("1GB")
    ///     .build()?;
    /// assert_eq!(session.engine().target_partitions(), 2);
    /// # Ok::<(), dusk::Error>(())
    /// ```
    pub fn builder() -> SessionBuilder {
        SessionBuilder {
            inner: dusk_engine::Session::builder(),
        }
    }

    /// The engine session underneath, for DataFusion-level access.
    pub fn engine(&self) -> &dusk_engine::Session {
        &self.engine
    }

    /// Reads CSV files: a path, a glob, a folder (hive folders become columns) or a list.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// use dusk::CsvReadOptions;
    /// let session = dusk::Session::local();
    /// let trips = session
    ///     .read_csv("../../tests/data/trips.csv", CsvReadOptions::default())
    ///     .await?;
    /// assert_eq!(trips.len().await?, 1000);
    /// # Ok(()) }
    /// ```
    pub async fn read_csv(
        &self,
        paths: impl Into<Paths>,
        options: CsvReadOptions,
    ) -> Result<DataFrame> {
        self.read(paths.into(), ReadFormat::Csv(options)).await
    }

    /// Reads Parquet files: a path, a glob, a folder (hive folders become columns) or a list.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// let session = dusk::Session::local();
    /// let trips = session.read_parquet("../../tests/data/trips/*.parquet").await?;
    /// assert_eq!(trips.len().await?, 6000);
    /// # Ok(()) }
    /// ```
    pub async fn read_parquet(&self, paths: impl Into<Paths>) -> Result<DataFrame> {
        self.read_parquet_with(paths, ParquetReadOptions::default())
            .await
    }

    /// Reads Parquet files with options.
    pub async fn read_parquet_with(
        &self,
        paths: impl Into<Paths>,
        options: ParquetReadOptions,
    ) -> Result<DataFrame> {
        self.read(paths.into(), ReadFormat::Parquet(options)).await
    }

    /// Reads newline-delimited JSON files (one object per line).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// use dusk::JsonReadOptions;
    /// let session = dusk::Session::local();
    /// let trips = session
    ///     .read_json("../../tests/data/trips.json", JsonReadOptions::default())
    ///     .await?;
    /// assert_eq!(trips.len().await?, 1000);
    /// # Ok(()) }
    /// ```
    pub async fn read_json(
        &self,
        paths: impl Into<Paths>,
        options: JsonReadOptions,
    ) -> Result<DataFrame> {
        self.read(paths.into(), ReadFormat::Json(options)).await
    }

    /// Reads files whose format is guessed from the extension (of the path or, for a
    /// folder or glob, of the first file in it).
    pub async fn read_path(&self, path: &str) -> Result<DataFrame> {
        let state = self.engine.context().state();
        let kind = storage::detect_format(&state, path).await?;
        self.read(Paths::from(path), ReadFormat::default_for(kind))
            .await
    }

    async fn read(&self, paths: Paths, format: ReadFormat) -> Result<DataFrame> {
        let ctx = self.engine.context();
        let table = read::table(&ctx.state(), &paths, &format).await?;
        Ok(DataFrame::new(ctx.read_table(table)?))
    }

    /// A frame over in-memory Arrow record batches (all with the same schema).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// use std::sync::Arc;
    /// use dusk::arrow::array::{Int64Array, RecordBatch};
    /// let batch = RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1, 2, 3])) as _)])?;
    /// let frame = dusk::Session::local().from_batches(vec![batch])?;
    /// assert_eq!(frame.len().await?, 3);
    /// # Ok(()) }
    /// ```
    pub fn from_batches(&self, batches: Vec<RecordBatch>) -> Result<DataFrame> {
        let Some(first) = batches.first() else {
            return plan_err!("from_batches needs at least one batch to know the schema");
        };
        let schema = first.schema();
        let state = self.engine.context().state();
        if dusk_engine::plan::is_distributed(&state) {
            // An in-memory table cannot be sent to executors; literal rows can.
            let plan = dusk_engine::plan::literal_rows(schema, &batches)?;
            return Ok(DataFrame::new(datafusion::dataframe::DataFrame::new(
                state, plan,
            )));
        }
        let table = datafusion::datasource::MemTable::try_new(schema, vec![batches])?;
        Ok(DataFrame::new(
            self.engine
                .context()
                .read_table(std::sync::Arc::new(table))?,
        ))
    }

    /// Registers `frame` as a table (a view over its plan) that SQL can query by `name`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk::Result<()> {
    /// let session = dusk::Session::local();
    /// let trips = session.read_parquet("../../tests/data/trips/").await?;
    /// session.register("trips", trips)?;
    /// let n = session.sql("SELECT count(*) AS n FROM trips").await?;
    /// assert_eq!(n.to_pretty_string().await?, "\
    /// +------+
    /// | n    |
    /// +------+
    /// | 6000 |
    /// +------+");
    /// # Ok(()) }
    /// ```
    pub fn register(&self, name: &str, frame: DataFrame) -> Result<()> {
        // A view, which the planner inlines: the plan underneath (file scans) is what
        // queries see, and what a cluster is sent.
        let (_, plan) = frame.into_datafusion().into_parts();
        let view = datafusion::catalog::view::ViewTable::new(plan, None);
        self.engine
            .context()
            .register_table(name, std::sync::Arc::new(view))?;
        Ok(())
    }

    /// Registers the files at `path` (format from the extension) as a table called `name`.
    pub async fn register_path(&self, name: &str, path: &str) -> Result<()> {
        let frame = self.read_path(path).await?;
        self.register(name, frame)
    }

    /// A registered table as a frame.
    pub async fn table(&self, name: &str) -> Result<DataFrame> {
        Ok(DataFrame::new(self.engine.context().table(name).await?))
    }
}

/// Settings for a [`Session`]; see [`dusk_engine::SessionBuilder`] for each one.
#[derive(Debug, Clone)]
pub struct SessionBuilder {
    inner: dusk_engine::SessionBuilder,
}

impl SessionBuilder {
    /// Partitions per stage (default: the number of cores).
    pub fn target_partitions(self, n: usize) -> Self {
        SessionBuilder {
            inner: self.inner.target_partitions(n),
        }
    }
    /// Rows per Arrow record batch (default 8192).
    pub fn batch_size(self, n: usize) -> Self {
        SessionBuilder {
            inner: self.inner.batch_size(n),
        }
    }
    /// Memory budget beyond which sorts, aggregations and joins spill: bytes or "4GB".
    pub fn memory_limit(self, limit: impl fmt::Display) -> Self {
        SessionBuilder {
            inner: self.inner.memory_limit(limit),
        }
    }
    /// Folder for spill files.
    pub fn spill_dir(self, dir: impl Into<PathBuf>) -> Self {
        SessionBuilder {
            inner: self.inner.spill_dir(dir),
        }
    }
    /// Any DataFusion configuration key.
    pub fn config(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        SessionBuilder {
            inner: self.inner.config(key, value),
        }
    }
    /// Validates the settings and starts the session.
    pub fn build(self) -> Result<Session> {
        Ok(Session {
            engine: self.inner.build()?,
        })
    }
    /// Validates the settings and connects to a Ballista scheduler; see
    /// [`Session::connect`].
    pub async fn connect(self, url: &str) -> Result<Session> {
        Ok(Session {
            engine: self.inner.connect(url).await?,
        })
    }
    /// Validates the settings and starts a Ballista cluster in this process; see
    /// [`Session::local_cluster`].
    pub async fn local_cluster(self, executors: usize) -> Result<Session> {
        Ok(Session {
            engine: self.inner.local_cluster(executors).await?,
        })
    }
}
