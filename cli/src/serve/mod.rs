//! `usernames serve`: hosts the three trigger handlers over one registry behind the Lambda Invoke
//! API, until SIGINT or SIGTERM.

pub mod http;

use crate::setup;
use http::{Function, Invocation, Invoker};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use shared::registry::dynamodb::{client_from_env, Timeouts};
use shared::registry::{DynamoRegistry, MemoryRegistry, Registry};
use shared::telemetry;
use shared::triggers::{dispatch, Triggers};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// `usernames serve --addr ADDR`: the handlers on the embedded store, or on DynamoDB when
/// `USERNAMES_TABLE` is set. Exit 2 when the configuration or the address is unusable.
pub fn run(addr: SocketAddr) -> ExitCode {
    telemetry::init_cli();
    let (settings, runtime) = match (setup::settings("serve"), setup::server_runtime("serve")) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let served = runtime.block_on(async {
        match settings.table.clone() {
            Some(table) => {
                let client = client_from_env(&Timeouts::default()).await;
                let label = format!("DynamoDB table {table}");
                let triggers = Triggers::new(DynamoRegistry::new(client, table), settings);
                serve(addr, Arc::new(TriggerInvoker(triggers)), &label).await
            }
            None => {
                let triggers = Triggers::new(MemoryRegistry::new(), settings);
                serve(
                    addr,
                    Arc::new(TriggerInvoker(triggers)),
                    "embedded, in memory",
                )
                .await
            }
        }
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("usernames serve: {e}");
            ExitCode::from(2)
        }
    }
}

/// The shared handlers behind every function name: each deployed function runs the same
/// dispatch by `triggerSource`, so the name only labels the console line.
struct TriggerInvoker<R: Registry>(Triggers<R>);

impl<R: Registry + 'static> Invoker for TriggerInvoker<R> {
    async fn invoke(&self, _function: Function, event: Value) -> Invocation {
        let started = Instant::now();
        let dispatched = dispatch(&self.0, event).await;
        telemetry::log_invocation(&dispatched, started.elapsed());
        Invocation {
            outcome: dispatched.outcome,
            result: dispatched.result.map_err(|e| e.lambda_error()),
        }
    }
}

/// How long in-flight invocations may finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `invoker` on `addr` until a shutdown signal. Errors are user-facing sentences.
pub async fn serve<I: Invoker>(
    addr: SocketAddr,
    invoker: Arc<I>,
    store: &str,
) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    say!(
        "usernames serve: Lambda Invoke API on http://{local} (functions: pre-sign-up, post-confirmation, pre-token-generation; store: {store})"
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let invoker = invoker.clone();
                let mut stop = stop_rx.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let invoker = invoker.clone();
                        async move { Ok::<_, std::convert::Infallible>(http::answer(invoker, req).await) }
                    });
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    say!("usernames serve: shutting down");
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
