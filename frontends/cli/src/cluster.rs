//! `dusk scheduler` and `dusk executor`: the processes of a Dusk cluster, with logs on
//! stderr.

use dusk::Error;
use dusk::engine::cluster::{self as engine, ExecutorOptions, SchedulerOptions};

use crate::Failure;
use crate::args::{EngineArgs, ExecutorArgs, SchedulerArgs};

/// Logs to stderr, at `info` unless `RUST_LOG` says otherwise; Ballista's own `log`
/// records come through the same subscriber.
fn init_logs() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

pub async fn scheduler(args: SchedulerArgs) -> Result<(), Failure> {
    init_logs();
    tracing::info!("dusk scheduler listening on {}", args.bind);
    engine::run_scheduler(SchedulerOptions {
        bind: args.bind,
        external_host: args.external_host,
        executor_timeout_seconds: args.executor_timeout,
    })
    .await?;
    Ok(())
}

pub async fn executor(engine_args: &EngineArgs, args: ExecutorArgs) -> Result<(), Failure> {
    init_logs();
    let scheduler = resolve(&args.scheduler)?;
    let mut options = ExecutorOptions {
        scheduler,
        bind: args.bind,
        external_host: args.external_host,
        memory_limit: engine_args.memory_limit.clone(),
        work_dir: args.work_dir,
        heartbeat_seconds: args.heartbeat,
        ..Default::default()
    };
    if let Some(n) = args.concurrent_tasks {
        options.concurrent_tasks = n;
    }
    tracing::info!(
        "dusk executor on {} for the scheduler at {}, {} task slots",
        options.bind,
        options.scheduler,
        options.concurrent_tasks
    );
    engine::run_executor(options).await?;
    Ok(())
}

/// `HOST:PORT` (or `df://HOST:PORT`) as a socket address.
fn resolve(scheduler: &str) -> Result<std::net::SocketAddr, Failure> {
    let bare = scheduler.trim_start_matches("df://");
    std::net::ToSocketAddrs::to_socket_addrs(bare)
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            Failure::Error(Error::invalid_option(
                "--scheduler",
                scheduler,
                "HOST:PORT of a running `dusk scheduler`, e.g. 127.0.0.1:50050",
            ))
        })
}
