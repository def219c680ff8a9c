//! `usernames serve`: hosts the three trigger handlers over one registry behind the Lambda Invoke
//! API, until SIGINT or SIGTERM.

pub mod auth;
pub mod http;

use crate::setup::{self, Store};
use auth::Verifier;
use http::{ApiCall, Function, Invocation, Invoker};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use shared::api::{
    route, Api, ApiRequest, ApiResponse, ApiSettings, AttributeMirror, CognitoMirror,
};
use shared::config::{ProcessEnv, Settings};
use shared::registry::dynamodb::{client_from_env, Timeouts};
use shared::registry::{DynamoRegistry, MemoryRegistry, Registry};
use shared::telemetry;
use shared::triggers::{dispatch, Triggers};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// `usernames serve --addr ADDR`: the handlers and the HTTP API on the embedded store, or on
/// DynamoDB when `USERNAMES_TABLE` is set. Exit 2 when the configuration or the address is
/// unusable.
pub fn run(addr: SocketAddr, store: Option<PathBuf>) -> ExitCode {
    telemetry::init_cli();
    let (settings, runtime) = match (setup::settings("serve"), setup::server_runtime("serve")) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store("serve", store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let (api_settings, verifier) = match (
        ApiSettings::from_env(&ProcessEnv),
        Verifier::from_env(&ProcessEnv),
    ) {
        (Ok(api), Ok(verifier)) => (api, verifier),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("usernames serve: {e}");
            return ExitCode::from(2);
        }
    };
    // Said at start: the most common reason a valid token gets 401 locally is an issuer that
    // names the same server differently (`localhost` for `127.0.0.1`).
    let trust = match &verifier {
        Some(verifier) => verifier.describe(),
        None => "USERNAMES_JWT_ISSUER is not set, so PUT and DELETE /v1/me/username answer 401; \
                 set it to the pool's issuer, exactly as tokens name it in `iss` (cognito-local: \
                 its URL, then the pool id)"
            .to_owned(),
    };
    let served = runtime.block_on(async {
        let mirror = match api_settings.user_pool_id.clone() {
            Some(pool) => Some(CognitoMirror::from_env(pool).await),
            None => None,
        };
        let pool = setup::pool_users().await;
        let label = store.describe();
        match store {
            Store::Table(table) => {
                let client = client_from_env(&Timeouts::default()).await;
                let served = Served::new(
                    Arc::new(DynamoRegistry::new(client, table)),
                    settings,
                    api_settings,
                    mirror,
                    verifier,
                )
                .with_pool(pool);
                serve(addr, Arc::new(served), &label, &trust).await
            }
            Store::File(disk) => {
                let served = Served::new(Arc::new(disk), settings, api_settings, mirror, verifier)
                    .with_pool(pool);
                serve(addr, Arc::new(served), &label, &trust).await
            }
            Store::Memory => {
                let served = Served::new(
                    Arc::new(MemoryRegistry::new()),
                    settings,
                    api_settings,
                    mirror,
                    verifier,
                )
                .with_pool(pool);
                serve(addr, Arc::new(served), &label, &trust).await
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

/// The shared handlers behind every function name (each deployed function runs the same
/// dispatch by `triggerSource`, so the name only labels the console line), and the HTTP API on
/// the same store.
pub struct Served<R: Registry, M: AttributeMirror> {
    triggers: Triggers<Arc<R>>,
    api: Api<Arc<R>, M>,
    verifier: Option<Verifier>,
}

impl<R: Registry, M: AttributeMirror> Served<R, M> {
    pub fn new(
        registry: Arc<R>,
        settings: Settings,
        api_settings: ApiSettings,
        mirror: M,
        verifier: Option<Verifier>,
    ) -> Self {
        let api = Api::new(
            registry.clone(),
            mirror,
            settings.policy.clone(),
            api_settings,
        );
        Self {
            triggers: Triggers::new(registry, settings),
            api,
            verifier,
        }
    }

    /// The same, asking `pool` after the holders of colliding reservations.
    pub fn with_pool(mut self, pool: Arc<dyn shared::triggers::pool::PoolUsers>) -> Self {
        self.triggers = self.triggers.with_pool(pool);
        self
    }
}

impl<R: Registry + 'static, M: AttributeMirror + 'static> Invoker for Served<R, M> {
    async fn invoke(&self, _function: Function, event: Value) -> Invocation {
        let started = Instant::now();
        let dispatched = dispatch(&self.triggers, event).await;
        telemetry::log_invocation(&dispatched, started.elapsed());
        Invocation {
            outcome: dispatched.outcome,
            result: dispatched.lambda_result(),
        }
    }

    async fn http_api(&self, call: ApiCall) -> ApiResponse {
        // Without an issuer nobody is signed in: the `/v1/me/...` routes answer 401.
        let caller = match &self.verifier {
            Some(verifier) => verifier.verify(call.authorization.as_deref()).await,
            None => None,
        };
        route(
            &self.api,
            ApiRequest {
                method: &call.method,
                path: &call.path,
                caller: caller.as_ref(),
                body: &call.body,
                accept_language: call.accept_language.as_deref(),
            },
        )
        .await
    }
}

/// How long in-flight invocations may finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `invoker` on `addr` until a shutdown signal. Errors are user-facing sentences.
pub async fn serve<I: Invoker>(
    addr: SocketAddr,
    invoker: Arc<I>,
    store: &str,
    trust: &str,
) -> Result<(), String> {
    let listener = bind(addr, "serve").await?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let shutdown = shutdown_signal();
    say!(
        "usernames serve: Lambda Invoke API on http://{local} (functions: pre-sign-up, post-confirmation, pre-token-generation; store: {store})"
    );
    say!("usernames serve: HTTP API on http://{local}/v1/ (GET /v1/usernames/{{name}}, PUT and DELETE /v1/me/username)");
    say!("usernames serve: {trust}");
    serve_until(listener, invoker, shutdown).await;
    say!("usernames serve: shutting down");
    Ok(())
}

/// A listener on `addr`, or a sentence saying why not (a port in use is said as such). Warns,
/// as `usernames <command>`, when it is beyond loopback.
pub async fn bind(addr: SocketAddr, command: &str) -> Result<TcpListener, String> {
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "cannot listen on {addr}: the port is taken by another program (another \
                 `usernames serve` or `dev`?); stop it or choose another port"
            )
        } else {
            format!("cannot listen on {addr}: {e}")
        }
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    // The Lambda Invoke API takes anyone's events, as a local Lambda endpoint does: fine on this
    // machine, not on a network.
    if !local.ip().to_canonical().is_loopback() {
        eprintln!(
            "usernames {command}: listening on {local}, beyond loopback: it serves the registry \
             without authentication to the network (anyone who reaches it can invoke the \
             triggers), and is meant for local development; --addr 127.0.0.1:PORT keeps it on \
             this machine."
        );
    }
    Ok(listener)
}

/// Answers on `listener` until `shutdown` completes, then lets in-flight requests finish (up to
/// [`DRAIN`]).
pub async fn serve_until<I: Invoker>(
    listener: TcpListener,
    invoker: Arc<I>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let endpoint = Arc::new(http::Endpoint::new(invoker));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let endpoint = endpoint.clone();
                let mut stop = stop_rx.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let endpoint = endpoint.clone();
                        async move { Ok::<_, std::convert::Infallible>(endpoint.answer(req).await) }
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
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

/// Waits for SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: a supervisor that reads the banner and stops the server at once must
/// find them in place.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(term) => {}
                _ = wait(interrupt) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
