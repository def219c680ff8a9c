//! The operator's commands as plain async functions over the [`Registry`](crate::registry::Registry)
//! and a [`Directory`] (the user pool): show, block, unblock, release and rename a name; import a
//! pool's existing users; reconcile deleted users (also on a schedule, `scheduled`). The CLI and
//! the scheduled function only parse, build clients and print or log.

pub mod admin;
pub mod cognito;
pub mod directory;
pub mod import;
pub mod reconcile;
pub mod rekey;
pub mod scheduled;

pub use directory::{Directory, DirectoryError, MemoryDirectory, PoolUser, UsersPage};

use crate::policy::PolicyViolation;
use crate::registry::sdk::Timeouts;
use crate::registry::{RegistryError, Timestamp};
use std::future::Future;
use std::time::Duration;
use thiserror::Error;

/// The SDK time limits of the operator commands and the scheduled reconcile: an operation waits
/// longer than a trigger (nobody's sign-up waits on it); a refused connection still fails at once.
pub const OPERATOR_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(3),
    attempt: Duration::from_secs(10),
    operation: Duration::from_secs(30),
    max_attempts: 3,
};

/// Why an operation gave no (or only part of its) answer. `Display` is the operator's sentence;
/// [`OperationError::code`] the stable machine code. Neither ever carries an SDK's text.
#[derive(Debug, Error)]
pub enum OperationError {
    #[error("{0}")]
    InvalidName(PolicyViolation),
    #[error("the registry has no entry for that name")]
    NoEntry,
    #[error("the registry has no name for that user")]
    NoName,
    #[error("someone else holds that name")]
    NameTaken,
    #[error("the user renamed recently; a rename is possible again from {until} (Unix time), or now with --force")]
    Cooldown { until: Timestamp },
    #[error("that name is {state} for a user: rename or release them first")]
    NameHeld { state: &'static str },
    #[error("that name is held pending a sign-up; it frees itself when the reservation expires")]
    NamePending,
    #[error("that name is blocked by the operator: unblock it, or release it with --now")]
    NameBlocked,
    #[error("that name is neither blocked nor quarantined")]
    NotBlocked,
    #[error(
        "that name's first-version entry was upgraded to its owner's sub while it was being \
         released; run the same command again"
    )]
    LegacyOwner,
    #[error("no user with that sub in the user pool")]
    UserNotInPool,
    #[error(
        "names here are the Cognito usernames users sign in with (USERNAMES_SOURCE=username), \
         which Cognito cannot change: nothing was renamed"
    )]
    NameImmutable,
    /// The pool compares user names otherwise than `USERNAMES_CASE_SENSITIVE_USERNAMES` says:
    /// holders would be compared otherwise than Cognito tells users apart.
    #[error("{}", case_rule_mismatch(*pool_case_sensitive))]
    CaseRuleMismatch { pool_case_sensitive: bool },
    #[error("{0}")]
    Registry(#[from] RegistryError),
    #[error("{0}")]
    Directory(#[from] DirectoryError),
}

fn case_rule_mismatch(pool_case_sensitive: bool) -> String {
    let (pool, setting) = match pool_case_sensitive {
        true => (
            "tells user names apart by case (CaseSensitive = true)",
            "false",
        ),
        false => (
            "ignores the case of user names (CaseSensitive = false)",
            "true",
        ),
    };
    format!(
        "the user pool {pool}, but {} is {setting}; set it to {pool_case_sensitive} (template \
         parameter UsernameCaseSensitive) so that names are held as the pool tells users apart",
        crate::config::ENV_CASE_SENSITIVE_USERNAMES
    )
}

/// Checks that the pool compares user names as `USERNAMES_CASE_SENSITIVE_USERNAMES` says
/// (`DescribeUserPool`), before a command writes anything for that pool.
pub async fn check_case_rule<D: Directory>(
    directory: &D,
    backoff: &Backoff,
    case_sensitive_user_names: bool,
) -> Result<(), OperationError> {
    let pool_case_sensitive = backoff.retry(|| directory.case_sensitive()).await?;
    if pool_case_sensitive == case_sensitive_user_names {
        Ok(())
    } else {
        Err(OperationError::CaseRuleMismatch {
            pool_case_sensitive,
        })
    }
}

impl OperationError {
    /// Stable snake_case code, for the CLI's JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidName(v) => v.code(),
            Self::NoEntry => "no_entry",
            Self::NoName => "no_name",
            Self::NameTaken => "name_taken",
            Self::Cooldown { .. } => "rename_cooldown",
            Self::NameHeld { .. } => "name_held",
            Self::NamePending => "name_pending",
            Self::NameBlocked => "name_blocked",
            Self::NotBlocked => "not_blocked",
            Self::LegacyOwner => "legacy_owner",
            Self::UserNotInPool => "user_not_in_pool",
            Self::NameImmutable => "name_immutable",
            Self::CaseRuleMismatch { .. } => "case_rule_mismatch",
            Self::Registry(_) => "registry_unavailable",
            Self::Directory(DirectoryError::PoolNotFound) => "pool_not_found",
            Self::Directory(DirectoryError::UserNotFound) => "user_not_in_pool",
            Self::Directory(_) => "cognito_unavailable",
        }
    }
}

/// How Cognito calls are repeated after a transient failure (throttling above all: `ListUsers`
/// has a low request-rate quota): `attempts` in all, waiting `first`, doubled each time up to
/// `max`. The same page token is asked again, so a listing resumes where it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub attempts: u32,
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 8,
            first: Duration::from_millis(200),
            max: Duration::from_secs(10),
        }
    }
}

impl Backoff {
    /// Runs `call` until it succeeds, fails for good, or the attempts are spent.
    pub async fn retry<T, F, Fut>(&self, mut call: F) -> Result<T, DirectoryError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, DirectoryError>>,
    {
        let mut wait = self.first;
        let mut attempt = 1;
        loop {
            match call().await {
                Err(e) if e.is_transient() && attempt < self.attempts => {
                    tracing::warn!(attempt, error = %e, "Cognito call failed; trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(self.max);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// Every user of the pool, page after page; `on_page` hears how many were listed so far.
pub async fn list_pool<D: Directory>(
    directory: &D,
    backoff: &Backoff,
    mut on_page: impl FnMut(usize),
) -> Result<Vec<PoolUser>, DirectoryError> {
    let mut users = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = backoff
            .retry(|| directory.users_page(token.as_deref()))
            .await?;
        users.extend(page.users);
        on_page(users.len());
        match page.next {
            Some(next) => token = Some(next),
            None => return Ok(users),
        }
    }
}
