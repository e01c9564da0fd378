//! The session: the one entry point, which picks the execution backend once, when it is built.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use datafusion::execution::SessionState;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::{Error, Result};
use crate::ordered_store::OrderedStore;
use crate::size::parse_bytes;
use crate::url_table;

/// Where a session's plans run.
///
/// Chosen once by the constructor; nothing after that asks which one it is, because every
/// backend is driven through the same DataFusion [`SessionContext`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// DataFusion in this process, on all cores.
    InProcess,
    /// An Apache Ballista cluster: a scheduler at `url` (`df://host:port`) and its
    /// executors. [`Session::local_cluster`] starts one in this process.
    Cluster {
        /// The scheduler's address, as given.
        url: String,
    },
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::InProcess => f.write_str("in-process"),
            Backend::Cluster { url } => write!(f, "cluster at {url}"),
        }
    }
}

/// A connection to an execution backend, holding configuration, registered tables and the
/// object stores it can read.
///
/// Cheap to clone: clones share tables and configuration.
///
/// ```
/// let session = dusk_engine::Session::local();
/// assert!(session.target_partitions() >= 1);
/// ```
#[derive(Clone)]
pub struct Session {
    ctx: SessionContext,
    backend: Backend,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("backend", &self.backend)
            .field("session_id", &self.ctx.session_id())
            .field("target_partitions", &self.target_partitions())
            .finish()
    }
}

impl Session {
    /// An in-process session with one partition per core and no memory limit.
    pub fn local() -> Session {
        SessionBuilder::default()
            .build()
            .expect("the default session configuration is valid")
    }

    /// A session on the Ballista cluster whose scheduler is at `url` (`df://host:port`;
    /// the port defaults to 50050), with default settings. Every DataFrame and SQL
    /// operation runs there; the files read must be reachable by every executor.
    /// Fails at once, naming the address, when no scheduler answers.
    ///
    /// ```
    /// # #[tokio::main] async fn main() {
    /// let err = dusk_engine::Session::connect("df://127.0.0.1:1").await.unwrap_err();
    /// assert!(err.to_string().contains("df://127.0.0.1:1"));
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Session> {
        SessionBuilder::default().connect(url).await
    }

    /// A Ballista cluster started in this process: a scheduler and `executors`
    /// executors on loopback ports, sharing this machine's cores. For trying the
    /// distributed engine on a laptop, and for tests; the same plans then run on a real
    /// cluster with [`Session::connect`].
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> dusk_engine::Result<()> {
    /// let session = dusk_engine::Session::local_cluster(2).await?;
    /// assert_eq!(session.backend().to_string().split(' ').next(), Some("cluster"));
    /// # Ok(()) }
    /// ```
    pub async fn local_cluster(executors: usize) -> Result<Session> {
        SessionBuilder::default().local_cluster(executors).await
    }

    /// A builder for a session with non-default settings.
    ///
    /// ```
    /// let session = dusk_engine::Session::builder()
    ///     .target_partitions(4)
    ///     .memory_limit("512MB")
    ///     .build()?;
    /// assert_eq!(session.target_partitions(), 4);
    /// # Ok::<(), dusk_engine::Error>(())
    /// ```
    pub fn builder() -> SessionBuilder {
        SessionBuilder::default()
    }

    /// The backend this session runs on.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The DataFusion context that plans and runs this session's queries.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// How many partitions each stage of a plan is split into.
    pub fn target_partitions(&self) -> usize {
        self.ctx.copied_config().target_partitions()
    }
}

/// Settings for a [`Session`], validated by [`SessionBuilder::build`].
#[derive(Debug, Default, Clone)]
pub struct SessionBuilder {
    target_partitions: Option<usize>,
    batch_size: Option<usize>,
    memory_limit: Option<String>,
    spill_dir: Option<PathBuf>,
    settings: Vec<(String, String)>,
}

impl SessionBuilder {
    /// Partitions per stage (default: the number of cores).
    pub fn target_partitions(mut self, n: usize) -> Self {
        self.target_partitions = Some(n);
        self
    }

    /// Rows per Arrow record batch (default 8192).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n);
        self
    }

    /// Memory budget for sorts, aggregations and joins, beyond which they spill to disk: a
    /// number of bytes or a size such as `"4GB"`, `"512MiB"` (default: unlimited).
    pub fn memory_limit(mut self, limit: impl fmt::Display) -> Self {
        self.memory_limit = Some(limit.to_string());
        self
    }

    /// The folder spill files are written to (default: the system's temporary folder).
    pub fn spill_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spill_dir = Some(dir.into());
        self
    }

    /// Any DataFusion configuration key, e.g. `("datafusion.execution.parquet.pushdown_filters", "true")`.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.push((key.into(), value.into()));
        self
    }

    /// Validates the settings and starts the in-process session.
    pub fn build(self) -> Result<Session> {
        let state = self.state(self.session_config()?)?;
        Ok(Session {
            ctx: url_table::install(SessionContext::new_with_state(state)),
            backend: Backend::InProcess,
        })
    }

    /// Validates the settings and connects to the Ballista scheduler at `url`
    /// (`df://host:port`); see [`Session::connect`].
    pub async fn connect(self, url: &str) -> Result<Session> {
        use ballista::prelude::SessionContextExt;
        let (_, addr) = crate::cluster::scheduler_url(url)?;
        crate::cluster::check_reachable(url, addr).await?;
        let state = self.state(self.cluster_config()?)?;
        let ctx = SessionContext::remote_with_state(url, state).await?;
        Ok(Session {
            ctx: url_table::install(ctx),
            backend: Backend::Cluster {
                url: url.to_string(),
            },
        })
    }

    /// Validates the settings and starts a scheduler and `executors` executors in this
    /// process; see [`Session::local_cluster`].
    pub async fn local_cluster(self, executors: usize) -> Result<Session> {
        use ballista::prelude::SessionContextExt;
        if executors == 0 {
            return Err(Error::invalid_option("executors", 0, "at least 1"));
        }
        let state = self.state(self.cluster_config()?)?;
        // The machine's cores, shared out between the executors.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let slots = (cores / executors).max(1);
        let grpc = crate::cluster::start_local_cluster(&state, executors, slots).await?;
        let port = grpc.rsplit(':').next().unwrap_or_default();
        let url = format!("df://localhost:{port}");
        let ctx = SessionContext::remote_with_state(&url, state).await?;
        Ok(Session {
            ctx: url_table::install(ctx),
            backend: Backend::Cluster { url },
        })
    }

    fn cluster_config(&self) -> Result<SessionConfig> {
        use ballista_core::extension::SessionConfigExt;
        let config = self.session_config()?.upgrade_for_ballista();
        Ok(crate::cluster::with_codecs(config))
    }

    /// The DataFusion configuration these settings describe.
    fn session_config(&self) -> Result<SessionConfig> {
        let mut config = SessionConfig::new().with_information_schema(true);
        if let Some(n) = self.target_partitions {
            if n == 0 {
                return Err(Error::invalid_option("target_partitions", n, "at least 1"));
            }
            config = config.with_target_partitions(n);
        }
        if let Some(n) = self.batch_size {
            if n == 0 {
                return Err(Error::invalid_option("batch_size", n, "at least 1"));
            }
            config = config.with_batch_size(n);
        }
        {
            let options = config.options_mut();
            // pandas and Dask read every file below a folder, not only its top level.
            options.execution.listing_table_ignore_subdirectory = false;
            // Hive folders written by Dusk carry their partition values as typed columns.
            options.execution.listing_table_factory_infer_partitions = true;
        }
        if let Some(limit) = &self.memory_limit {
            let bytes = self.memory_bytes(limit)?;
            // Each sorting partition reserves memory up front for merging its spill files
            // (10 MB by default); under a small budget that reservation alone fails, so it
            // shrinks with the budget's share per partition.
            let partitions = config.target_partitions() as u64;
            let reservation = (bytes / (partitions * 8)).clamp(64 << 10, 10 << 20);
            config.options_mut().execution.sort_spill_reservation_bytes = reservation as usize;
            // DataFusion's hash join cannot spill; its sort-merge join can. Under a memory
            // limit, joins must finish by spilling rather than fail.
            config.options_mut().optimizer.prefer_hash_join = false;
        }
        for (key, value) in &self.settings {
            config.options_mut().set(key, value).map_err(|e| {
                Error::invalid_option(
                    format!("config key '{key}'"),
                    value,
                    format!("a valid value ({})", crate::error::Error::from(e)),
                )
            })?;
        }
        Ok(config)
    }

    fn memory_bytes(&self, limit: &str) -> Result<u64> {
        parse_bytes(limit).ok_or_else(|| {
            Error::invalid_option(
                "memory_limit",
                limit,
                "a size in bytes such as 4GB, 512MiB or 1000000",
            )
        })
    }

    /// A session state for `config`, with Dusk's runtime (memory limit, spill folder,
    /// sorted listings) and planner.
    fn state(&self, config: SessionConfig) -> Result<SessionState> {
        let memory = match &self.memory_limit {
            Some(limit) => Some(self.memory_bytes(limit)?),
            None => None,
        };
        let runtime = runtime_with_dusk_stores(memory, self.spill_dir.as_deref())?;
        Ok(SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_default_features()
            .with_query_planner(Arc::new(crate::plan::DuskQueryPlanner))
            .build())
    }
}

/// A runtime with Dusk's object stores and caching rules, an optional memory limit in
/// bytes and spill folder.
pub(crate) fn runtime_with_dusk_stores(
    memory_limit: Option<u64>,
    spill_dir: Option<&std::path::Path>,
) -> Result<Arc<RuntimeEnv>> {
    // No cached folder listings: a folder that Dusk (or anyone) rewrites must be listed
    // afresh by the next query, or it would see files that no longer exist.
    let mut runtime = RuntimeEnvBuilder::new()
        .with_cache_manager(CacheManagerConfig::default().with_list_files_cache_limit(0));
    if let Some(bytes) = memory_limit {
        runtime = runtime.with_memory_limit(bytes as usize, 1.0);
    }
    if let Some(dir) = spill_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("cannot create spill folder", dir.display(), e))?;
        runtime = runtime.with_temp_file_path(dir);
    }
    let runtime = runtime.build_arc()?;
    // Local listings sorted by path: files are read in name order, so `head` shows the
    // first file's rows and results do not depend on the order of directory entries.
    let local: Arc<dyn object_store::ObjectStore> =
        Arc::new(object_store::local::LocalFileSystem::new());
    runtime.register_object_store(
        &url::Url::parse("file://").expect("a valid URL"),
        Arc::new(OrderedStore::new(local)),
    );
    Ok(runtime)
}
