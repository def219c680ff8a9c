//! What the subcommands start with: the settings and an async runtime, or a message on stderr
//! and the exit code for a command that cannot start.

use shared::config::{ProcessEnv, Settings};
use std::process::ExitCode;
use tokio::runtime::Runtime;

/// Every setting from the environment; a bad value is a usage error (exit 2). On a DynamoDB table
/// without `USERNAMES_CONTACT_HASH_KEY`, the handlers hash contacts with the public development
/// key: fine for a local endpoint, and said once on stderr, since a real table would then hold
/// hashes that anyone can reverse by guessing.
pub fn settings(command: &str) -> Result<Settings, ExitCode> {
    let settings = Settings::from_env(&ProcessEnv).map_err(|e| {
        eprintln!("usernames {command}: {e}");
        ExitCode::from(2)
    })?;
    if settings.table.is_some() && settings.contact_key.is_none() {
        eprintln!(
            "usernames {command}: note: {} is unset, so the public development key hashes \
             emails and phone numbers; set it to the deployment's secret for a real table",
            shared::registry::contact::ENV_CONTACT_HASH_KEY
        );
    }
    Ok(settings)
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
