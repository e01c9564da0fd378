//! Running on an Apache Ballista cluster: connecting to a scheduler, starting one in this
//! process, and the scheduler and executor processes behind `dusk scheduler` and
//! `dusk executor`.
//!
//! Every process involved (client, scheduler, executors) uses the same codecs, so Dusk's
//! own plan nodes travel with the plan, and the same planner and file listing, so a
//! plan means the same thing wherever it runs.

use std::any::Any;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arrow::datatypes::SchemaRef;
use ballista_core::extension::SessionConfigExt;
use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion::catalog::TableProvider;
use datafusion::common::{DataFusionError, Result as DfResult, TableReference};
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::execution::{SessionState, SessionStateBuilder, TaskContext};
use datafusion::logical_expr::{AggregateUDF, Extension, LogicalPlan, ScalarUDF, WindowUDF};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};

use crate::error::{Error, Result};
use crate::plan::{DuskQueryPlanner, MapPartitions, MapPartitionsExec, OrdinalExec, WithOrdinal};

/// The port a Ballista scheduler listens on unless told otherwise.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

/// The prefix of Dusk's own nodes on the wire; Ballista's nodes are protobuf messages.
const ORDINAL_TAG: &[u8] = b"dusk.ordinal:";

const IN_PROCESS_ONLY: &str = "map_partitions runs a Rust function of this process, which \
                               cannot be sent to a cluster; run it on Session::local()";

/// How Dusk's logical plan nodes are sent from the client to the scheduler; everything
/// else is Ballista's.
#[derive(Debug, Default)]
pub struct DuskLogicalCodec {
    inner: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for DuskLogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> DfResult<Extension> {
        if let Some(name) = buf.strip_prefix(ORDINAL_TAG) {
            let name = String::from_utf8_lossy(name).into_owned();
            let node = WithOrdinal::try_new(inputs[0].clone(), name)?;
            return Ok(Extension {
                node: Arc::new(node),
            });
        }
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> DfResult<()> {
        let any = node.node.as_any();
        if let Some(ordinal) = any.downcast_ref::<WithOrdinal>() {
            buf.extend_from_slice(ORDINAL_TAG);
            buf.extend_from_slice(ordinal.name().as_bytes());
            return Ok(());
        }
        if any.is::<MapPartitions>() {
            return Err(DataFusionError::NotImplemented(IN_PROCESS_ONLY.into()));
        }
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn TableProvider>> {
        self.inner
            .try_decode_table_provider(buf, table_ref, schema, ctx)
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> DfResult<()> {
        self.inner.try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> DfResult<()> {
        self.inner.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<ScalarUDF>> {
        self.inner.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode_udf(node, buf)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<AggregateUDF>> {
        self.inner.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<WindowUDF>> {
        self.inner.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode_udwf(node, buf)
    }
}

/// How Dusk's operators are sent from the scheduler to executors; everything else is
/// Ballista's.
#[derive(Debug, Default)]
pub struct DuskPhysicalCodec {
    inner: BallistaPhysicalExtensionCodec,
}

impl PhysicalExtensionCodec for DuskPhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        if let Some(name) = buf.strip_prefix(ORDINAL_TAG) {
            let name = String::from_utf8_lossy(name);
            return Ok(Arc::new(OrdinalExec::try_new(
                Arc::clone(&inputs[0]),
                &name,
            )?));
        }
        self.inner.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<()> {
        let any: &dyn Any = node.as_ref();
        if let Some(ordinal) = any.downcast_ref::<OrdinalExec>() {
            buf.extend_from_slice(ORDINAL_TAG);
            buf.extend_from_slice(ordinal.ordinal_name().as_bytes());
            return Ok(());
        }
        if any.is::<MapPartitionsExec>() {
            return Err(DataFusionError::NotImplemented(IN_PROCESS_ONLY.into()));
        }
        self.inner.try_encode(node, buf, proto_converter)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<ScalarUDF>> {
        self.inner.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode_udf(node, buf)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<AggregateUDF>> {
        self.inner.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<WindowUDF>> {
        self.inner.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode_udwf(node, buf)
    }
}

/// `config` with Dusk's codecs, as every process of a cluster needs it.
pub(crate) fn with_codecs(config: SessionConfig) -> SessionConfig {
    config
        .with_ballista_logical_extension_codec(Arc::new(DuskLogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(DuskPhysicalCodec::default()))
}

/// The scheduler's address as a gRPC URL, from `df://host:port` (port optional).
pub(crate) fn scheduler_url(url: &str) -> Result<(String, SocketAddr)> {
    let invalid = || Error::invalid_option("cluster address", url, "df://HOST:PORT");
    let parsed = url::Url::parse(url).map_err(|_| invalid())?;
    if parsed.scheme() != "df" {
        return Err(invalid());
    }
    let host = parsed.host_str().ok_or_else(invalid)?.to_string();
    let port = parsed.port().unwrap_or(DEFAULT_SCHEDULER_PORT);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| Error::Cluster(format!("cannot resolve the scheduler host in '{url}'")))?;
    Ok((format!("http://{host}:{port}"), addr))
}

/// Fails with a clear error unless something listens at the scheduler's address.
pub(crate) async fn check_reachable(url: &str, addr: SocketAddr) -> Result<()> {
    match tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(Error::Cluster(format!(
            "cannot reach the Ballista scheduler at {url} ({e}); start one with \
             `dusk scheduler --bind {addr}`"
        ))),
        Err(_) => Err(Error::Cluster(format!(
            "no answer from the Ballista scheduler at {url} within 5 s"
        ))),
    }
}

/// Starts a scheduler and `executors` executors in this process, on loopback ports the
/// system picks, each executor with `slots` task slots; returns the scheduler's gRPC URL.
pub(crate) async fn start_local_cluster(
    state: &SessionState,
    executors: usize,
    slots: usize,
) -> Result<String> {
    let addr = ballista_scheduler::standalone::new_standalone_scheduler_from_state(state)
        .await
        .map_err(|e| Error::Cluster(format!("cannot start the local scheduler: {e}")))?;
    let url = format!("http://localhost:{}", addr.port());
    let mut tries = 0;
    let scheduler = loop {
        match ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient::connect(
            url.clone(),
        )
        .await
        {
            Ok(client) => break client,
            Err(e) if tries > 100 => {
                return Err(Error::Cluster(format!(
                    "the local scheduler at {url} did not answer: {e}"
                )));
            }
            Err(_) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    for _ in 0..executors {
        ballista_executor::new_standalone_executor_from_state(scheduler.clone(), slots, state)
            .await
            .map_err(|e| Error::Cluster(format!("cannot start a local executor: {e}")))?;
    }
    Ok(url)
}

/// A scheduler's settings, as `dusk scheduler` takes them.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The address to listen on (default 127.0.0.1:50050).
    pub bind: SocketAddr,
    /// The host name executors and clients reach this scheduler by (default: the bind
    /// address's IP).
    pub external_host: Option<String>,
    /// Seconds without a heartbeat after which an executor counts as dead.
    pub executor_timeout_seconds: u64,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            bind: SocketAddr::from(([127, 0, 0, 1], DEFAULT_SCHEDULER_PORT)),
            external_host: None,
            executor_timeout_seconds: 30,
        }
    }
}

/// An executor's settings, as `dusk executor` takes them.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler to register with.
    pub scheduler: SocketAddr,
    /// The address the executor's data (Arrow Flight) service listens on; its gRPC
    /// service takes the next port.
    pub bind: SocketAddr,
    /// The host name other executors fetch shuffle data from (default: the bind IP).
    pub external_host: Option<String>,
    /// Tasks run at once (default: the number of cores).
    pub concurrent_tasks: usize,
    /// Memory for all running tasks, beyond which they spill (e.g. "4GB").
    pub memory_limit: Option<String>,
    /// Where shuffle files go (default: a folder under the system's temporary folder,
    /// removed when the executor stops).
    pub work_dir: Option<PathBuf>,
    /// Seconds between heartbeats to the scheduler.
    pub heartbeat_seconds: u64,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            scheduler: SocketAddr::from(([127, 0, 0, 1], DEFAULT_SCHEDULER_PORT)),
            bind: SocketAddr::from(([127, 0, 0, 1], 50051)),
            external_host: None,
            concurrent_tasks: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_limit: None,
            work_dir: None,
            heartbeat_seconds: 5,
        }
    }
}

/// A session state for a cluster process: Ballista's defaults, Dusk's planner and
/// file listing, and the settings the client sent.
fn process_state(config: SessionConfig) -> DfResult<SessionState> {
    let state = ballista_core::utils::default_session_builder(config)?;
    let runtime =
        crate::session::runtime_with_dusk_stores(None, None).map_err(Error::into_datafusion)?;
    Ok(SessionStateBuilder::new_from_existing(state)
        .with_runtime_env(runtime)
        .with_query_planner(Arc::new(DuskQueryPlanner))
        .build())
}

fn process_config() -> SessionConfig {
    with_codecs(ballista_core::utils::default_config_producer())
}

/// Runs a scheduler until the process is stopped.
pub async fn run_scheduler(options: SchedulerOptions) -> Result<()> {
    use ballista_scheduler::cluster::BallistaCluster;
    use ballista_scheduler::config::SchedulerConfig;
    let mut config = SchedulerConfig {
        bind_host: options.bind.ip().to_string(),
        bind_port: options.bind.port(),
        external_host: options
            .external_host
            .clone()
            .unwrap_or_else(|| options.bind.ip().to_string()),
        executor_timeout_seconds: options.executor_timeout_seconds,
        expire_dead_executor_interval_seconds: 5,
        // Job data (shuffle files) is removed from executors soon after a job ends.
        finished_job_data_clean_up_interval_seconds: 5,
        ..Default::default()
    };
    config.no_executors_grace_period_seconds = options.executor_timeout_seconds;
    config.override_config_producer = Some(Arc::new(process_config));
    config.override_session_builder = Some(Arc::new(process_state));
    config.override_logical_codec = Some(Arc::new(DuskLogicalCodec::default()));
    config.override_physical_codec = Some(Arc::new(DuskPhysicalCodec::default()));
    config.min_ready_executors = 1;
    let grace = Duration::from_secs(options.executor_timeout_seconds.max(1));
    let address = options.bind;
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| Error::Cluster(format!("cannot start the scheduler: {e}")))?;
    let scheduler = ballista_scheduler::scheduler_process::create_scheduler::<
        datafusion_proto::protobuf::LogicalPlanNode,
        datafusion_proto::protobuf::PhysicalPlanNode,
    >(cluster, Arc::new(config))
    .await
    .map_err(|e| Error::Cluster(format!("cannot start the scheduler: {e}")))?;
    tokio::spawn(fail_jobs_without_executors(
        scheduler.clone(),
        address,
        grace,
    ));
    ballista_scheduler::scheduler_process::start_grpc_service(address, scheduler)
        .await
        .map_err(|e| Error::Cluster(format!("scheduler on {address}: {e}")))
}

/// Ballista keeps a job waiting for as long as no executor has ever registered (for
/// clusters that scale up from nothing). A Dusk user who forgot to start executors
/// gets an error instead: jobs that wait `grace` with no executor alive fail, saying so.
async fn fail_jobs_without_executors<T, U>(
    scheduler: ballista_scheduler::scheduler_server::SchedulerServer<T, U>,
    address: SocketAddr,
    grace: Duration,
) where
    T: 'static + datafusion_proto::logical_plan::AsLogicalPlan,
    U: 'static + datafusion_proto::physical_plan::AsExecutionPlan,
{
    let mut waiting: std::collections::HashMap<String, std::time::Instant> = Default::default();
    let mut failed: std::collections::HashSet<String> = Default::default();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if scheduler.is_ready() {
            waiting.clear();
            continue;
        }
        let jobs = scheduler.state.task_manager.get_running_job_cache();
        waiting.retain(|id, _| jobs.keys().any(|j| j.to_string() == *id));
        failed.retain(|id| jobs.keys().any(|j| j.to_string() == *id));
        for job in jobs.keys() {
            if failed.contains(&job.to_string()) {
                continue; // waiting to be cancelled
            }
            let since = *waiting
                .entry(job.to_string())
                .or_insert_with(std::time::Instant::now);
            if since.elapsed() < grace {
                continue;
            }
            let reason = format!(
                "no executors are registered with the scheduler at {address}; start one with \
                 `dusk executor --scheduler {address}`"
            );
            tracing::warn!("failing job {job}: {reason}");
            failed.insert(job.to_string());
            // Ballista tells the client only that the job was cancelled; Dusk's client
            // turns that into an error about missing executors.
            let _ = scheduler.cancel_job(job.clone()).await;
        }
    }
}

/// Runs an executor until the process is stopped or loses its scheduler.
pub async fn run_executor(options: ExecutorOptions) -> Result<()> {
    use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
    let memory = match &options.memory_limit {
        Some(limit) => Some(crate::size::parse_bytes(limit).ok_or_else(|| {
            Error::invalid_option("--memory-limit", limit, "a size such as 4GB or 512MiB")
        })?),
        None => None,
    };
    if options.concurrent_tasks == 0 {
        return Err(Error::invalid_option("--concurrent-tasks", 0, "at least 1"));
    }
    // Without --work-dir, a folder of this process's own, removed when it ends.
    let (dir, temporary) = match &options.work_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("dusk-executor-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io("cannot create the work folder", dir.display(), e))?;
    let work_dir = Some(dir.display().to_string());
    // Removed however the executor stops, Ctrl-C included (the future is dropped then).
    let _cleanup = temporary.then(|| RemoveOnDrop(dir.clone()));
    let config = ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        external_host: Some(
            options
                .external_host
                .clone()
                .unwrap_or_else(|| options.bind.ip().to_string()),
        ),
        port: options.bind.port(),
        grpc_port: options.bind.port().wrapping_add(1),
        scheduler_host: options.scheduler.ip().to_string(),
        scheduler_port: options.scheduler.port(),
        scheduler_connect_timeout_seconds: 10,
        vcores: options.concurrent_tasks,
        work_dir,
        memory_pool_size: memory,
        executor_heartbeat_interval_seconds: options.heartbeat_seconds,
        // Shuffle files of finished jobs are removed within a minute.
        job_data_ttl_seconds: 60,
        job_data_clean_up_interval_seconds: 30,
        override_config_producer: Some(Arc::new(process_config)),
        override_runtime_producer: Some(Arc::new(|_: &SessionConfig| {
            crate::session::runtime_with_dusk_stores(None, None).map_err(Error::into_datafusion)
        })),
        override_logical_codec: Some(Arc::new(DuskLogicalCodec::default())),
        override_physical_codec: Some(Arc::new(DuskPhysicalCodec::default())),
        ..Default::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| Error::Cluster(format!("executor on {}: {e}", options.bind)))
}

/// A folder removed when this is dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
