//! `usernames dev [--dir DIR]`: the whole local backend of an Amplify app in one process: the
//! registry in DIR, cognito-local (its data in DIR too) with a pool and app client as Amplify
//! configures them, its triggers wired to this process's Lambda Invoke API, the HTTP API trusting
//! that pool's tokens, and DIR/amplify_outputs.json for the app; until SIGINT or SIGTERM, then
//! cognito-local is stopped. What each part does lives in `serve` (the endpoints),
//! `cognito_local.rs`, `pool.rs` and `outputs.rs`.

mod cognito_local;
mod outputs;
mod pool;

use crate::serve::auth::{Verifier, ENV_JWT_AUDIENCE, ENV_JWT_ISSUER};
use crate::serve::{self, Served};
use crate::setup;
use crate::setup::ENV_STORE;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use cognito_local::CognitoLocal;
use shared::api::{ApiSettings, CognitoMirror};
use shared::config::sign_up::ENV_AUTO_VERIFY_EMAIL;
use shared::config::{EnvSource, ProcessEnv, Settings};
use shared::operations::cognito::CognitoDirectory;
use shared::operations::{check_case_rule, Backoff, OperationError, OPERATOR_TIMEOUTS};
use shared::registry::disk::DiskError;
use shared::registry::sdk::{https_client, Timeouts};
use shared::registry::DiskRegistry;
use shared::telemetry;
use shared::triggers::pool::CognitoUsers;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use cognito_local::ENV_COGNITO_LOCAL;

/// `usernames dev`'s flags.
#[derive(clap::Args)]
pub struct DevArgs {
    /// Where everything is kept: the registry, cognito-local's users and pool, its log, and
    /// amplify_outputs.json. Created when missing; a second run on it finds everything again.
    #[arg(long, value_name = "DIR", default_value = ".usernames-dev")]
    dir: PathBuf,
    /// The port of the HTTP API and the Lambda Invoke API (0: a free one).
    #[arg(long, value_name = "PORT", default_value_t = 3001)]
    api_port: u16,
    /// The port of cognito-local (0: a free one).
    #[arg(long, value_name = "PORT", default_value_t = 9229)]
    cognito_port: u16,
    /// The confirmation code of every message cognito-local sends (sign-up, password reset).
    #[arg(long, value_name = "DIGITS", default_value = "123456", value_parser = code)]
    code: String,
    /// An installed cognito-local to run (its package folder, or node_modules/.bin/cognito-local)
    /// instead of the one `dev` installs into ~/.cache/usernames on first use.
    #[arg(long, value_name = "PATH", env = ENV_COGNITO_LOCAL)]
    cognito_local: Option<PathBuf>,
}

/// `--code`: what a person types, 4 to 10 digits.
fn code(raw: &str) -> Result<String, String> {
    if (4..=10).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw.to_owned())
    } else {
        Err("must be 4 to 10 digits".to_owned())
    }
}

/// Why `dev` could not start (or stopped). Each is one sentence for the developer.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    #[error(
        "Node.js is not installed (no `node` on PATH), and `usernames dev` runs cognito-local, the \
         local Cognito, on it: install Node.js 20 or later (https://nodejs.org, or your system's \
         `nodejs` and `npm` packages), then run `usernames dev` again"
    )]
    NodeMissing,
    #[error(
        "npm is not on PATH, and it installs cognito-local {} the first time (`npm ci`): install \
         npm (it comes with Node.js), or give an installed cognito-local with --cognito-local \
         ({})",
        cognito_local::VERSION,
        ENV_COGNITO_LOCAL
    )]
    NpmMissing,
    #[error(
        "{} is not a cognito-local: give its package folder (node_modules/cognito-local) or its \
         start script (node_modules/.bin/cognito-local)",
        .0.display()
    )]
    NoCognitoLocal(PathBuf),
    #[error(
        "there is no cache folder to install cognito-local into: set XDG_CACHE_HOME or HOME, or \
         give an installed cognito-local with --cognito-local"
    )]
    NoCache,
    #[error(
        "npm could not install cognito-local {version} ({0}; its messages are above): run \
         `usernames dev` again once the npm registry can be reached, or give an installed \
         cognito-local with --cognito-local",
        version = cognito_local::VERSION
    )]
    InstallFailed(String),
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Listen(String),
    #[error(
        "cannot start cognito-local on port {0}: the port is taken by another program (a \
         cognito-local left from an earlier run?); stop it, or choose another port with \
         --cognito-port (0 picks a free one)"
    )]
    CognitoPortTaken(u16),
    #[error("cognito-local stopped as it started ({status}); its log is {}", log.display())]
    CognitoExited { status: String, log: PathBuf },
    #[error("cognito-local did not listen within a minute; its log is {}", log.display())]
    CognitoSilent { log: PathBuf },
    #[error("cannot {doing} in cognito-local: {reason}")]
    Cognito { doing: &'static str, reason: String },
    #[error("{0}")]
    CaseRule(OperationError),
    #[error("{0}")]
    Store(DiskError),
    #[error("the trusted issuer {0}")]
    Issuer(String),
    #[error("interrupted before it was ready")]
    Interrupted,
}

/// The store `dev` keeps its registry in: a file in DIR, so names survive restarts as
/// cognito-local's users do.
type DevRegistry = DiskRegistry;

/// The registry's file in DIR.
const REGISTRY_FILE: &str = "registry.redb";

/// The registry `dev` keeps in DIR, and how the banner names it: the one place that chooses
/// the store.
fn open_registry(dir: &Path) -> Result<(Arc<DevRegistry>, String), DevError> {
    let registry = DiskRegistry::open(dir.join(REGISTRY_FILE)).map_err(DevError::Store)?;
    let label = format!("embedded, in the file {}", registry.path().display());
    Ok((Arc::new(registry), label))
}

/// The variables `serve` reads that `dev` sets itself: it says so rather than ignore them
/// silently.
const SET_BY_DEV: [&str; 5] = [
    "USERNAMES_TABLE",
    ENV_STORE,
    ENV_JWT_ISSUER,
    ENV_JWT_AUDIENCE,
    "USERNAMES_USER_POOL_ID",
];

pub fn run(args: DevArgs) -> ExitCode {
    telemetry::init_cli();
    let (mut settings, runtime) = match (setup::read_settings("dev"), setup::server_runtime("dev"))
    {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let api_settings = match ApiSettings::from_env(&ProcessEnv) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("usernames dev: {e}");
            return ExitCode::from(2);
        }
    };
    for var in SET_BY_DEV {
        if ProcessEnv.var(var).is_some() {
            eprintln!(
                "usernames dev: note: {var} is set and left aside: dev keeps its registry in \
                 --dir and trusts the tokens of its own pool"
            );
        }
    }
    settings.table = None;
    // Cognito marks the email verified when the sign-up is confirmed with the emailed code;
    // cognito-local does not, and Amplify UI then asks every user to verify it after each sign-in.
    // Unless told otherwise, the pre-sign-up trigger marks it (cognito-local honours the answer),
    // so the pool ends where Cognito's would.
    if ProcessEnv.var(ENV_AUTO_VERIFY_EMAIL).is_none() {
        settings.sign_up.auto_verify_email = true;
    }
    runtime.block_on(dev(args, settings, api_settings))
}

/// What `start` hands over: the API's listener, bound already, and what answers on it.
struct Started {
    listener: TcpListener,
    served: Arc<Served<DevRegistry, Option<CognitoMirror>>>,
}

async fn dev(args: DevArgs, settings: Settings, api_settings: ApiSettings) -> ExitCode {
    // Installed first: a Ctrl-C while cognito-local starts must still stop it.
    let signal = serve::shutdown_signal();
    tokio::pin!(signal);
    let mut cognito: Option<CognitoLocal> = None;
    let started = tokio::select! {
        started = start(&args, settings, api_settings, &mut cognito) => started,
        _ = &mut signal => Err(DevError::Interrupted),
    };
    let code = match (started, cognito.as_mut()) {
        (Ok(started), Some(running)) => {
            let mut died = None;
            let shutdown = async {
                tokio::select! {
                    _ = &mut signal => {}
                    status = running.exited() => died = Some(status),
                }
            };
            serve::serve_until(started.listener, started.served, shutdown).await;
            match died {
                Some(status) => {
                    eprintln!(
                        "usernames dev: cognito-local stopped by itself ({status}; its log is \
                         {}), so dev stops too",
                        running.log.display()
                    );
                    ExitCode::from(1)
                }
                None => {
                    say!("usernames dev: stopping");
                    ExitCode::SUCCESS
                }
            }
        }
        (Ok(_), None) => ExitCode::from(2),
        (Err(e), _) => {
            eprintln!("usernames dev: {e}");
            match e {
                DevError::Interrupted => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    };
    if let Some(running) = cognito {
        running.stop().await;
        say!("usernames dev: cognito-local stopped");
    }
    code
}

/// Everything up to the banner. `cognito` holds cognito-local as soon as it runs, so that the
/// caller stops it whatever happens next.
async fn start(
    args: &DevArgs,
    settings: Settings,
    mut api_settings: ApiSettings,
    cognito: &mut Option<CognitoLocal>,
) -> Result<Started, DevError> {
    let node = cognito_local::node()?;
    let script = cognito_local::script(args.cognito_local.clone()).await?;
    std::fs::create_dir_all(&args.dir).map_err(|source| DevError::Io {
        what: "create",
        path: args.dir.clone(),
        source,
    })?;
    let dir = std::fs::canonicalize(&args.dir).map_err(|source| DevError::Io {
        what: "open",
        path: args.dir.clone(),
        source,
    })?;
    let (registry, store) = open_registry(&dir)?;

    // The API first: cognito-local's config names it as its Lambda endpoint.
    let listener = serve::bind(
        SocketAddr::from((Ipv4Addr::LOCALHOST, args.api_port)),
        "dev",
    )
    .await
    .map_err(|e| DevError::Listen(format!("{e} (--api-port; 0 picks a free one)")))?;
    let api = listener.local_addr().map_err(|source| DevError::Io {
        what: "listen on",
        path: PathBuf::from(format!("port {}", args.api_port)),
        source,
    })?;
    let api_url = format!("http://{api}");

    let running = cognito.insert(
        cognito_local::start(cognito_local::Launch {
            node: &node,
            script: &script,
            dir: &dir,
            port: free_port(args.cognito_port)?,
            lambda_endpoint: &api_url,
            code: &args.code,
        })
        .await?,
    );
    let endpoint = running.endpoint.clone();
    let log = running.log.clone();

    let admin = cognito_client(&endpoint, &OPERATOR_TIMEOUTS);
    let pool = pool::find_or_create(&admin).await?;
    let directory = CognitoDirectory::new(admin, pool.pool_id.clone());
    check_case_rule(
        &directory,
        &Backoff::default(),
        settings.case_sensitive_user_names,
    )
    .await
    .map_err(DevError::CaseRule)?;

    // cognito-local's issuer is its URL and the pool id, the URL written once (`endpoint`).
    let issuer = format!("{endpoint}/{}", pool.pool_id);
    let verifier =
        Verifier::new(&issuer, vec![pool.client_id.clone()]).map_err(DevError::Issuer)?;
    let trust = verifier.describe();
    api_settings.user_pool_id = Some(pool.pool_id.clone());
    // The triggers' and the API's calls to the pool keep their time budget (docs/tokens.md).
    let triggers_client = cognito_client(&endpoint, &Timeouts::default());
    let served = Served::new(
        registry,
        settings,
        api_settings,
        Some(CognitoMirror::new(
            triggers_client.clone(),
            pool.pool_id.clone(),
        )),
        Some(verifier),
    )
    .with_pool(Arc::new(CognitoUsers::with_client(triggers_client)));

    let outputs = outputs::write(&dir, &outputs::outputs(&pool, &api_url, &endpoint))?;
    let found = if pool.created {
        "created"
    } else {
        "found again"
    };
    say!("usernames dev: store: {store}");
    say!(
        "usernames dev: cognito-local {}: {endpoint} (data: {}; log: {})",
        cognito_local::VERSION,
        dir.join(".cognito").display(),
        log.display()
    );
    say!("usernames dev: user pool: {} ({found})", pool.pool_id);
    say!(
        "usernames dev: app client: {} (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH)",
        pool.client_id
    );
    say!(
        "usernames dev: confirmation code: {} (every code cognito-local sends)",
        args.code
    );
    say!(
        "usernames dev: HTTP API: {api_url}/v1/ (GET /v1/usernames/{{name}}, PUT and DELETE \
         /v1/me/username)"
    );
    say!(
        "usernames dev: triggers: {api_url} (Lambda Invoke API: pre-sign-up, post-confirmation, \
         pre-token-generation)"
    );
    say!("usernames dev: {trust}");
    say!("usernames dev: outputs: {}", outputs.display());
    say!("usernames dev: ready; Ctrl-C stops it");
    Ok(Started {
        listener,
        served: Arc::new(served),
    })
}

/// `port` on loopback if it is free (0: a free one the system picks), or why not.
fn free_port(port: u16) -> Result<u16, DevError> {
    let probe =
        std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|source| match source
            .kind()
        {
            std::io::ErrorKind::AddrInUse => DevError::CognitoPortTaken(port),
            _ => DevError::Io {
                what: "listen on",
                path: PathBuf::from(format!("127.0.0.1:{port}")),
                source,
            },
        })?;
    probe
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|source| DevError::Io {
            what: "listen on",
            path: PathBuf::from(format!("127.0.0.1:{port}")),
            source,
        })
}

/// A Cognito client for cognito-local at `endpoint`: its fixed region and credentials, whatever
/// AWS settings the environment holds (they are for real accounts, not this).
fn cognito_client(endpoint: &str, timeouts: &Timeouts) -> aws_sdk_cognitoidentityprovider::Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("local"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "usernames-dev",
        ))
        .http_client(https_client())
        .endpoint_url(endpoint)
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
        .build();
    aws_sdk_cognitoidentityprovider::Client::from_conf(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_a_few_digits() {
        assert_eq!(code("123456").as_deref(), Ok("123456"));
        for bad in ["", "123", "12345678901", "12a456", " 123456"] {
            assert!(code(bad).is_err(), "{bad:?}");
        }
    }
}
