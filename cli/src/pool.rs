//! `usernames import` and `usernames reconcile --user-pool-id ID [--dry-run]`: a whole pool
//! against the registry, through `shared::operations`. One JSON line per user (import) or per
//! deleted owner (reconcile), a `{"summary":…}` line last, and a progress bar on stderr only when
//! stderr is a terminal. Exit 0 when nothing was refused, 1 when some names were (import) or the
//! run stopped; 2 when it cannot start. Both are safe to interrupt and to run again.

use crate::admin::{json, with_registry};
use crate::setup;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use shared::config::{LifecycleSettings, ProcessEnv};
use shared::operations::cognito::CognitoDirectory;
use shared::operations::import::{self, ImportOptions};
use shared::operations::reconcile::{self, ReconcileOptions};
use shared::operations::{check_case_rule, Backoff, OperationError};
use shared::registry::SystemClock;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// The last line.
#[derive(Serialize)]
struct Summary<T> {
    summary: T,
    dry_run: bool,
}

pub fn import(user_pool_id: String, dry_run: bool, store: Option<PathBuf>) -> ExitCode {
    let (settings, runtime) = match (setup::settings("import"), setup::runtime("import")) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store("import", store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let options = ImportOptions {
        policy: settings.policy.clone(),
        name_source: settings.name_source,
        dry_run,
        backoff: Backoff::default(),
        contact_key: settings.contact_key_or_development(),
        case_sensitive_user_names: settings.case_sensitive_user_names,
        pending_ttl: settings.sign_up.pending_ttl,
    };
    runtime.block_on(async {
        let Some(directory) = pool_of(
            "import",
            user_pool_id,
            &options.backoff,
            options.case_sensitive_user_names,
        )
        .await
        else {
            return ExitCode::from(2);
        };
        let bar = progress_bar();
        let done = with_registry!(&store, registry => {
            import::import(&registry, &directory, &options, &SystemClock, |p| match p {
                import::Progress::Listed(n) => bar.set_message(format!("listing users: {n}")),
                import::Progress::Total(n) => {
                    bar.set_length(n as u64);
                    bar.set_message("registering");
                }
                import::Progress::User(report) => {
                    bar.suspend(|| say!("{}", json(report)));
                    bar.inc(1);
                }
            })
            .await
        });
        bar.finish_and_clear();
        match done {
            Ok(summary) => {
                say!(
                    "{}",
                    json(&Summary {
                        summary: &summary,
                        dry_run
                    })
                );
                if summary.refused_any() {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => stopped("import", &e),
        }
    })
}

/// `reconcile --grace`: a duration up to a week (longer would leave deleted users' names owned
/// for longer than anyone waits).
pub fn grace(raw: &str) -> Result<std::time::Duration, String> {
    const WEEK: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);
    match shared::env::parse_duration(raw) {
        Some(grace) if grace <= WEEK => Ok(grace),
        Some(_) => Err("must be at most 7d".to_owned()),
        None => Err("is not a duration: use seconds or a number with s, m, h or d".to_owned()),
    }
}

pub fn reconcile(
    user_pool_id: String,
    dry_run: bool,
    grace: std::time::Duration,
    store: Option<PathBuf>,
) -> ExitCode {
    let (settings, runtime) = match (setup::settings("reconcile"), setup::runtime("reconcile")) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store("reconcile", store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let lifecycle = match LifecycleSettings::from_env(&ProcessEnv) {
        Ok(lifecycle) => lifecycle,
        Err(e) => {
            eprintln!("usernames reconcile: {e}");
            return ExitCode::from(2);
        }
    };
    let options = ReconcileOptions {
        lifecycle,
        dry_run,
        backoff: Backoff::default(),
        case_sensitive_user_names: settings.case_sensitive_user_names,
        grace,
    };
    runtime.block_on(async {
        let Some(directory) = pool_of(
            "reconcile",
            user_pool_id,
            &options.backoff,
            options.case_sensitive_user_names,
        )
        .await
        else {
            return ExitCode::from(2);
        };
        let bar = progress_bar();
        let done = with_registry!(&store, registry => {
            reconcile::reconcile(&registry, &directory, &options, &SystemClock, |p| match p {
                reconcile::Progress::Listed(n) => bar.set_message(format!("listing users: {n}")),
                reconcile::Progress::Total(n) => {
                    bar.set_length(n as u64);
                    bar.set_message("checking owners");
                }
                reconcile::Progress::Owner(report) => {
                    if let Some(report) = report {
                        bar.suspend(|| say!("{}", json(report)));
                    }
                    bar.inc(1);
                }
            })
            .await
        });
        bar.finish_and_clear();
        match done {
            Ok(summary) => {
                say!(
                    "{}",
                    json(&Summary {
                        summary: &summary,
                        dry_run
                    })
                );
                ExitCode::SUCCESS
            }
            Err(e) => stopped("reconcile", &e),
        }
    })
}

/// The pool `user_pool_id`, once `DescribeUserPool` confirms it compares user names as
/// `USERNAMES_CASE_SENSITIVE_USERNAMES` says; `None` (after one sentence on stderr) when it does
/// not, or cannot be asked: nothing is written then.
async fn pool_of(
    command: &str,
    user_pool_id: String,
    backoff: &Backoff,
    case_sensitive_user_names: bool,
) -> Option<CognitoDirectory> {
    let directory = setup::directory(command, user_pool_id).await?;
    match check_case_rule(&directory, backoff, case_sensitive_user_names).await {
        Ok(()) => Some(directory),
        Err(e) => {
            eprintln!("usernames {command}: {e}");
            None
        }
    }
}

/// A bar on stderr when a person watches it; nothing at all in a pipe or a log.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style);
    }
    bar
}

fn stopped(command: &str, e: &OperationError) -> ExitCode {
    eprintln!(
        "usernames {command}: stopped: {e}; what was done stays done, and running the command \
         again finishes the job"
    );
    ExitCode::from(1)
}
