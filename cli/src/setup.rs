//! What the subcommands start with: the settings and an async runtime, or a message on stderr
//! and the exit code for a command that cannot start.

use shared::config::{EnvSource, ProcessEnv, Settings};
use shared::registry::disk::DiskError;
use shared::registry::dynamodb::{sdk_config_from_env, Timeouts};
use shared::registry::DiskRegistry;
use shared::triggers::pool::{CognitoUsers, NoPool, PoolUsers};
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::runtime::Runtime;

/// The file the CLI keeps its registry in when no table is named (`--store` wins over it). A
/// CLI setting: the functions always use a table, so it is no template parameter.
pub const ENV_STORE: &str = "USERNAMES_STORE";

/// The registry a command works on (docs/cli.md#the-store).
pub enum Store {
    /// The DynamoDB table of `USERNAMES_TABLE`.
    Table(String),
    /// The file of `--store` or `USERNAMES_STORE`, open.
    File(DiskRegistry),
    /// In memory, for this process only.
    Memory,
}

impl Store {
    /// Which store, for a banner.
    pub fn describe(&self) -> String {
        match self {
            Self::Table(table) => format!("DynamoDB table {table}"),
            Self::File(disk) => format!("embedded, in the file {}", disk.path().display()),
            Self::Memory => "embedded, in memory (forgotten when this process ends; --store PATH \
                             keeps it)"
                .to_owned(),
        }
    }
}

/// The store the settings and `--store` name: the table of `USERNAMES_TABLE`; else the file of
/// `flag` (`--store`), else of `USERNAMES_STORE`, opened (created when absent); else memory. A
/// table and a file at once is refused (exit 2), as is a file that cannot be opened or holds
/// something other than a store: an operator who meant one store must never act on another.
pub fn store(command: &str, flag: Option<PathBuf>, settings: &Settings) -> Result<Store, ExitCode> {
    let path = flag.or_else(|| {
        ProcessEnv
            .var(ENV_STORE)
            .filter(|value| !value.trim().is_empty())
            .map(PathBuf::from)
    });
    match (&settings.table, path) {
        (Some(table), Some(path)) => {
            eprintln!(
                "usernames {command}: USERNAMES_TABLE names the DynamoDB table {table} and \
                 --store or {ENV_STORE} names the file {}: unset one, so that the command acts on \
                 the store you mean",
                path.display()
            );
            Err(ExitCode::from(2))
        }
        (Some(table), None) => Ok(Store::Table(table.clone())),
        (None, Some(path)) => DiskRegistry::open(&path).map(Store::File).map_err(|e| {
            eprintln!("usernames {command}: {e}");
            ExitCode::from(2)
        }),
        (None, None) => Ok(Store::Memory),
    }
}

/// The sentence of a store file's error behind a registry error, if it is one (a DynamoDB error
/// stays behind "the username registry is unavailable", as the API says it).
pub fn store_file_error(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(disk) = err.downcast_ref::<DiskError>() {
            return Some(disk.to_string());
        }
        cause = err.source();
    }
    None
}

/// Every setting from the environment; a bad value is a usage error (exit 2). A command that
/// writes a DynamoDB table needs `USERNAMES_CONTACT_HASH_KEY`: without it the handlers would hash
/// with the public development key, and the table would hold hashes anyone can reverse by
/// guessing. That is refused (exit 2) for a real table, and only noted for one on a loopback
/// endpoint (moto, DynamoDB Local). Use [`read_settings`] for the commands that only read.
pub fn settings(command: &str) -> Result<Settings, ExitCode> {
    let settings = read_settings(command)?;
    if settings.table.is_none() || settings.contact_key.is_some() {
        return Ok(settings);
    }
    let key = shared::registry::contact::ENV_CONTACT_HASH_KEY;
    if dynamodb_is_local(&ProcessEnv) {
        eprintln!(
            "usernames {command}: note: {key} is unset, so the public development key hashes \
             user names, emails and phone numbers; fine for this local endpoint, never for a \
             real table"
        );
        Ok(settings)
    } else {
        eprintln!(
            "usernames {command}: {key} is not set: without the deployment's secret this command \
             would write hashes anyone can reverse into table {}; set it to the secret (the \
             stack's output ContactHashKeyArn: aws secretsmanager get-secret-value --secret-id \
             <arn> --query SecretString --output text)",
            settings.table.as_deref().unwrap_or_default()
        );
        Err(ExitCode::from(2))
    }
}

/// Every setting from the environment, for a command that writes nothing.
pub fn read_settings(command: &str) -> Result<Settings, ExitCode> {
    Settings::from_env(&ProcessEnv).map_err(|e| {
        eprintln!("usernames {command}: {e}");
        ExitCode::from(2)
    })
}

/// Whether DynamoDB is reached on this machine (`AWS_ENDPOINT_URL_DYNAMODB`, else
/// `AWS_ENDPOINT_URL`, names a loopback host): a local test server, never a real table.
pub fn dynamodb_is_local(env: &impl EnvSource) -> bool {
    let endpoint = env
        .var("AWS_ENDPOINT_URL_DYNAMODB")
        .or_else(|| env.var("AWS_ENDPOINT_URL"));
    endpoint.as_deref().is_some_and(is_loopback_url)
}

/// Whether a URL's host is `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A single-threaded runtime: the commands run one thing at a time.
pub fn runtime(command: &str) -> Result<Runtime, ExitCode> {
    started(
        command,
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    )
}

/// A multi-threaded runtime, for `serve`, which answers several invocations at once.
pub fn server_runtime(command: &str) -> Result<Runtime, ExitCode> {
    started(command, Runtime::new())
}

fn started(command: &str, built: std::io::Result<Runtime>) -> Result<Runtime, ExitCode> {
    built.map_err(|e| {
        eprintln!("usernames {command}: cannot start the async runtime: {e}");
        ExitCode::from(2)
    })
}

/// The user pools the triggers ask after a colliding reservation's holder: Cognito through the
/// standard SDK settings (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` for cognito-local), or,
/// without a region, none (such a collision is then answered as taken).
pub async fn pool_users() -> std::sync::Arc<dyn PoolUsers> {
    let config = sdk_config_from_env(&Timeouts::default()).await;
    if config.region().is_none() {
        return std::sync::Arc::new(NoPool);
    }
    std::sync::Arc::new(CognitoUsers::new(config, &ProcessEnv))
}

/// The user pool `pool_id` through the standard SDK settings; `None` (after saying what to set)
/// when no AWS region is configured.
pub async fn directory(
    command: &str,
    pool_id: String,
) -> Option<shared::operations::cognito::CognitoDirectory> {
    let directory = shared::operations::cognito::CognitoDirectory::from_env(
        pool_id,
        &crate::table::ADMIN_TIMEOUTS,
    )
    .await;
    if directory.is_none() {
        eprintln!(
            "usernames {command}: no AWS region; set AWS_REGION (any region for a local endpoint)"
        );
    }
    directory
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_endpoints_are_told_from_real_ones() {
        for local in [
            "http://127.0.0.1:5000",
            "http://localhost:8000/",
            "http://[::1]:4566",
            "http://127.0.0.2",
            "http://user@LOCALHOST:9",
        ] {
            assert!(is_loopback_url(local), "{local}");
        }
        for real in [
            "https://dynamodb.eu-west-1.amazonaws.com",
            "http://10.0.0.5:8000",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "",
        ] {
            assert!(!is_loopback_url(real), "{real}");
        }
        let env = |pairs: &[(&str, &str)]| -> std::collections::HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(!dynamodb_is_local(&env(&[])));
        assert!(dynamodb_is_local(&env(&[(
            "AWS_ENDPOINT_URL",
            "http://127.0.0.1:1"
        )])));
        // The DynamoDB-specific endpoint wins over the general one.
        assert!(!dynamodb_is_local(&env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            (
                "AWS_ENDPOINT_URL_DYNAMODB",
                "https://dynamodb.us-east-1.amazonaws.com"
            ),
        ])));
    }
}
