//! The operator commands' scaffolding for the workspace tests: a pool's users as `ListUsers`
//! returns them, options that never wait, and runs of `import` and `reconcile` that collect
//! each line's outcome, with the clock they are given.

use crate::contract::{sub_of, QUARANTINE};
use shared::config::LifecycleSettings;
use shared::operations::import::{self, ImportOptions, ImportOutcome, ImportSummary};
use shared::operations::reconcile::{
    self, FormerOwner, ReconcileOptions, ReconcileOutcome, ReconcileSummary, TimeLeft,
};
use shared::operations::{Backoff, Directory, DirectoryError, OperationError, PoolUser, UsersPage};
use shared::registry::listing::OwnerListing;
use shared::registry::{Clock, Registry};
use std::collections::BTreeMap;
use std::time::Duration;

/// Retries without waiting: no test depends on time passing.
pub const NO_WAIT: Backoff = Backoff {
    attempts: 4,
    first: Duration::ZERO,
    max: Duration::ZERO,
};

/// The default quarantine, and a day's cooldown.
pub fn lifecycle() -> LifecycleSettings {
    LifecycleSettings {
        quarantine: Duration::from_secs(QUARANTINE as u64),
        rename_cooldown: Duration::from_secs(86_400),
    }
}

/// A confirmed user `user_name` (whose `sub` is `sub_of(user_name)`), created at `created_ms`.
pub fn pool_user(user_name: &str, created_ms: i64, preferred: Option<&str>) -> PoolUser {
    PoolUser {
        user_name: user_name.to_owned(),
        sub: sub_of(user_name),
        created_ms,
        status: "CONFIRMED".to_owned(),
        preferred_username: preferred.map(str::to_owned),
        federated: false,
    }
}

/// A user who signed up and never confirmed.
pub fn unconfirmed_user(user_name: &str, created_ms: i64, preferred: Option<&str>) -> PoolUser {
    PoolUser {
        status: "UNCONFIRMED".to_owned(),
        ..pool_user(user_name, created_ms, preferred)
    }
}

/// Import options that never wait, with the default policy and a case-insensitive pool.
pub fn import_options(dry_run: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
        backoff: NO_WAIT,
        ..ImportOptions::default()
    }
}

/// Reconcile options that never wait, with no grace period (the cases about it set one).
pub fn reconcile_options(dry_run: bool) -> ReconcileOptions {
    ReconcileOptions {
        lifecycle: lifecycle(),
        dry_run,
        backoff: NO_WAIT,
        grace: Duration::ZERO,
        ..ReconcileOptions::default()
    }
}

/// One import: every user's outcome by `sub`, and the summary.
pub async fn import_with<R: Registry, D: Directory>(
    registry: &R,
    pool: &D,
    options: &ImportOptions,
    clock: &dyn Clock,
) -> Result<(BTreeMap<String, ImportOutcome>, ImportSummary), OperationError> {
    let mut outcomes = BTreeMap::new();
    let summary = import::import(registry, pool, options, clock, |p| {
        if let import::Progress::User(report) = p {
            assert_eq!(report.dry_run, options.dry_run);
            outcomes.insert(report.sub.clone(), report.outcome.clone());
        }
    })
    .await?;
    Ok((outcomes, summary))
}

/// One reconcile until `deadline`: every retired owner's outcome, in order, and the summary.
pub async fn reconcile_with<R: Registry + OwnerListing, D: Directory>(
    registry: &R,
    pool: &D,
    options: &ReconcileOptions,
    clock: &dyn Clock,
    deadline: &impl TimeLeft,
) -> Result<(Vec<(FormerOwner, ReconcileOutcome)>, ReconcileSummary), OperationError> {
    let mut reports = Vec::new();
    let summary = reconcile::reconcile_until(registry, pool, options, clock, deadline, |p| {
        if let reconcile::Progress::Owner(Some(r)) = p {
            assert_eq!(r.dry_run, options.dry_run);
            reports.push((r.owner.clone(), r.outcome.clone()));
        }
    })
    .await?;
    Ok((reports, summary))
}

/// A pool whose listing lags: `ListUsers` (by page, or filtered by `sub` or `userName`) does
/// not show the users of `hidden` (by `sub`) yet, while `AdminGetUser` finds them, as Cognito's
/// eventually consistent listing does after a sign-up.
pub struct Lagging<'a, D> {
    pub pool: &'a D,
    pub hidden: std::collections::HashSet<String>,
}

impl<D: Directory> Directory for Lagging<'_, D> {
    async fn users_page(&self, token: Option<&str>) -> Result<UsersPage, DirectoryError> {
        let mut page = self.pool.users_page(token).await?;
        page.users.retain(|u| !self.hidden.contains(&u.sub));
        Ok(page)
    }
    async fn user_by_sub(&self, sub: &str) -> Result<Option<PoolUser>, DirectoryError> {
        let found = self.pool.user_by_sub(sub).await?;
        Ok(found.filter(|u| !self.hidden.contains(&u.sub)))
    }
    async fn user_by_name(&self, user_name: &str) -> Result<Option<PoolUser>, DirectoryError> {
        let found = self.pool.user_by_name(user_name).await?;
        Ok(found.filter(|u| !self.hidden.contains(&u.sub)))
    }
    async fn set_preferred_username(&self, user: &str, value: &str) -> Result<(), DirectoryError> {
        self.pool.set_preferred_username(user, value).await
    }
    async fn clear_preferred_username(&self, user: &str) -> Result<(), DirectoryError> {
        self.pool.clear_preferred_username(user).await
    }
    async fn user_exists(&self, sub: &str) -> Result<bool, DirectoryError> {
        self.pool.user_exists(sub).await
    }
    async fn case_sensitive(&self) -> Result<bool, DirectoryError> {
        self.pool.case_sensitive().await
    }
}
