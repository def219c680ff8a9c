//! `usernames show | block | unblock | release | rename`: one name or one user at a time, through
//! `shared::operations::admin`. Prints one JSON object: the answer (exit 0), or
//! `{"code":…,"message":…}` (exit 1) when there is none or the registry refused.

use crate::setup;
use serde::Serialize;
use shared::config::{LifecycleSettings, ProcessEnv, Settings};
use shared::operations::admin::{self, AdminRename, Mirror};
use shared::operations::{Backoff, MemoryDirectory, OperationError};
use shared::registry::{BlockRequest, Clock, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs `$body` with `$registry` bound to the store `$store` (a `&setup::Store`) names: the
/// DynamoDB table of `USERNAMES_TABLE`, the file of `--store`, or a store in memory.
macro_rules! with_registry {
    ($store:expr, $registry:ident => $body:expr) => {
        match $store {
            crate::setup::Store::Table(table) => {
                let $registry = shared::registry::DynamoRegistry::new(
                    shared::registry::dynamodb::client_from_env(&crate::table::ADMIN_TIMEOUTS)
                        .await,
                    table.clone(),
                );
                $body
            }
            crate::setup::Store::File(disk) => {
                let $registry = disk.clone();
                $body
            }
            crate::setup::Store::Memory => {
                let $registry = shared::registry::MemoryRegistry::new();
                $body
            }
        }
    };
}
pub(crate) use with_registry;

/// What the command is asked.
pub enum Request {
    ShowName(String),
    ShowUser(String),
    Block {
        name: String,
        reason: Option<String>,
        /// The operator `show` names.
        by: String,
    },
    Unblock(String),
    Release {
        name: String,
        now: bool,
        user_pool_id: Option<String>,
    },
    Rename {
        sub: String,
        name: String,
        force: bool,
        user_pool_id: Option<String>,
    },
}

impl Request {
    fn command(&self) -> &'static str {
        match self {
            Self::ShowName(_) | Self::ShowUser(_) => "show",
            Self::Block { .. } => "block",
            Self::Unblock(_) => "unblock",
            Self::Release { .. } => "release",
            Self::Rename { .. } => "rename",
        }
    }
}

pub fn run(request: Request, store: Option<PathBuf>) -> ExitCode {
    let command = request.command();
    let read = match request {
        Request::ShowName(_) | Request::ShowUser(_) => setup::read_settings(command),
        _ => setup::settings(command),
    };
    let (settings, runtime) = match (read, setup::runtime(command)) {
        (Ok(settings), Ok(runtime)) => (settings, runtime),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let store = match setup::store(command, store, &settings) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let lifecycle = match LifecycleSettings::from_env(&ProcessEnv) {
        Ok(lifecycle) => lifecycle,
        Err(e) => {
            eprintln!("usernames {command}: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(answer(request, &store, &settings, &lifecycle))
}

async fn answer(
    request: Request,
    store: &setup::Store,
    settings: &Settings,
    lifecycle: &LifecycleSettings,
) -> ExitCode {
    let now = SystemClock.now();
    let policy = &settings.policy;
    with_registry!(store, registry => match request {
        Request::ShowName(name) => print(admin::show_name(&registry, &name, now).await),
        Request::ShowUser(sub) => print(admin::show_user(&registry, &sub).await),
        Request::Block { name, reason, by } => {
            let request = BlockRequest {
                by: &by,
                reason: reason.as_deref(),
            };
            print(admin::block(&registry, policy, &name, request, now).await)
        }
        Request::Unblock(name) => print(admin::unblock(&registry, &name).await),
        Request::Release {
            name,
            now: free,
            user_pool_id,
        } => {
            let answer = match user_pool_id {
                Some(pool) => {
                    let Some(directory) = setup::directory("release", pool).await else {
                        return ExitCode::from(2);
                    };
                    let mirror = Mirror {
                        directory: &directory,
                        backoff: Backoff::default(),
                    };
                    admin::release(&registry, lifecycle, &name, free, Some(mirror), now).await
                }
                None => {
                    let none: Option<Mirror<'_, MemoryDirectory>> = None;
                    admin::release(&registry, lifecycle, &name, free, none, now).await
                }
            };
            match answer {
                Ok(done) => print::<admin::Freed>(Ok(done)),
                Err((e, Some(partial))) => {
                    // The registry let the name go but Cognito's attribute stayed: say both.
                    say!("{}", json(&partial));
                    eprintln!(
                        "usernames release: released in the registry, but removing \
                         preferred_username failed: {e}; run the same command again to finish"
                    );
                    ExitCode::from(1)
                }
                Err((e, None)) => print::<admin::Freed>(Err(e)),
            }
        }
        Request::Rename {
            sub,
            name,
            force,
            user_pool_id,
        } => {
            let request = AdminRename {
                sub: &sub,
                name: &name,
                force,
                source: settings.name_source,
                case_sensitive_user_names: settings.case_sensitive_user_names,
            };
            let answer = match user_pool_id {
                Some(pool) => {
                    let Some(directory) = setup::directory("rename", pool).await else {
                        return ExitCode::from(2);
                    };
                    let mirror = Mirror {
                        directory: &directory,
                        backoff: Backoff::default(),
                    };
                    admin::rename(&registry, policy, lifecycle, request, Some(mirror), now).await
                }
                None => {
                    let none: Option<Mirror<'_, MemoryDirectory>> = None;
                    admin::rename(&registry, policy, lifecycle, request, none, now).await
                }
            };
            match answer {
                Ok(done) => print::<admin::Renamed>(Ok(done)),
                Err((e, Some(partial))) => {
                    // The registry moved but Cognito's attribute did not follow: say both.
                    say!("{}", json(&partial));
                    eprintln!(
                        "usernames rename: renamed in the registry, but setting preferred_username \
                         failed: {e}; run the same command again to finish"
                    );
                    ExitCode::from(1)
                }
                Err((e, None)) => print::<admin::Renamed>(Err(e)),
            }
        }
    })
}

/// `block --by`: who blocks a name, as `show` will name them; never blank.
pub fn operator(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err("must name the operator: not blank, no control characters".to_owned());
    }
    Ok(value.to_owned())
}

/// `block`'s operator when `--by` is not given: the OS user, as the shell names them.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find_map(|value| operator(&value).ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The refusal object of every command.
#[derive(Serialize)]
struct Refusal<'a> {
    code: &'a str,
    message: String,
}

fn print<T: Serialize>(answer: Result<T, OperationError>) -> ExitCode {
    match answer {
        Ok(value) => {
            say!("{}", json(&value));
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!(
                "{}",
                json(&Refusal {
                    code: e.code(),
                    message: e.to_string(),
                })
            );
            if let Some(why) = setup::store_file_error(&e) {
                eprintln!("usernames: {why}");
            }
            ExitCode::from(1)
        }
    }
}

pub fn json<T: Serialize>(value: &T) -> String {
    // Our own plain structs always serialise; an empty line would be the sign if not.
    serde_json::to_string(value).unwrap_or_default()
}
