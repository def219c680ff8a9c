//! `usernames reconcile` and the scheduled reconcile function: Cognito fires no trigger when a
//! user is deleted, so their name would stay owned for ever; this finds owners the pool no longer
//! has and retires their names into quarantine (docs/operations.md), after which anyone may take them.
//!
//! The registry is listed *before* the pool: a `sub` commits a name only after Cognito created the
//! user, so every owner in the registry's listing was already in the pool when the pool's listing
//! began, and is missing from it only if it was deleted or the listing lags: `ListUsers` is
//! eventually consistent (AWS documents it). So a candidate is retired only when
//! - its name was committed longer ago than the grace period (`grace`, 1 h by default: a user who
//!   confirmed just before the run may not be listed yet),
//! - a `ListUsers` by its `sub` does not find it either, and
//! - `AdminGetUser`, which is strongly consistent, answers `UserNotFoundException`.
//!
//! Retiring starts no cooldown (`Registry::retire`): should a live user ever be retired, they take
//! their name back by rename at once. Each owner's step reads the clock anew, so a run of hours
//! gives each quarantine its full length.
//!
//! First-version entries name their owner by `userName` (no `sub`, see `docs/registry.md`): such a
//! name is retired when no listed user has that `userName` (as the pool compares user names: in
//! any case unless the pool is case-sensitive) and `AdminGetUser` by that `userName` finds nobody,
//! and left when one does (their next sign-in upgrades it).
//!
//! A run may have a deadline (a Lambda function's): it stops before it, between two steps or by
//! cutting one short, and its summary says where. Every write is one conditional operation, so a
//! step cut short either landed or did not, and the next run (reconcile is idempotent) goes on from
//! what is left.

use super::{list_pool, Backoff, Directory, OperationError};
use crate::config::LifecycleSettings;
use crate::registry::listing::{all_owners, LegacyOwner, OwnerListing, RegisteredOwner};
use crate::registry::{Clock, Registry, Timestamp};
use serde::Serialize;
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

/// How many user items a page of the registry's listing examines.
pub const OWNERS_PAGE: usize = 500;

/// Whose name it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormerOwner {
    /// The owner's `sub`.
    Sub(String),
    /// The `userName` that owns a first-version entry.
    UserName(String),
}

/// What happened to one deleted user's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReconcileOutcome {
    /// The name is held for the deleted owner until `until`, then free.
    Quarantined { name: String, until: Timestamp },
    /// The name is free at once (a quarantine of zero).
    Released { name: String },
    /// The owner gave the name up in the meantime (or signed in and upgraded a first-version
    /// entry); nothing to do.
    AlreadyGone { name: String },
}

/// One deleted owner's line: `{"sub": …}` (or `{"user_name": …}`), the outcome, `dry_run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerReport {
    #[serde(flatten)]
    pub owner: FormerOwner,
    #[serde(flatten)]
    pub outcome: ReconcileOutcome,
    pub dry_run: bool,
}

/// Where a run with a deadline stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Listing the registry's owners: nothing was looked at.
    ListingRegistry,
    /// Listing the pool: nothing was looked at. A pool this large does not fit in one run of the
    /// function; `usernames reconcile` from a machine has no deadline.
    ListingPool,
    /// Looking at owners one by one: `unchecked` are left for the next run.
    CheckingOwners,
}

/// The counts of a run, printed last (and logged by the scheduled function).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileSummary {
    /// Owners in the registry (first-version entries included).
    pub owners: usize,
    /// Of them, first-version entries owned by a `userName`.
    pub legacy_owners: usize,
    /// Of them, users the pool still has.
    pub in_pool: usize,
    /// Of them, owners whose name was committed within the grace period: left for a later run.
    pub recent: usize,
    pub quarantined: usize,
    pub released: usize,
    pub already_gone: usize,
    /// Owners not looked at, because the run reached its deadline.
    pub unchecked: usize,
    /// Whether every owner was looked at; when not, `stopped` says where the deadline fell.
    pub complete: bool,
    pub stopped: Option<Stage>,
}

impl ReconcileSummary {
    fn stop(mut self, stage: Stage, unchecked: usize) -> Self {
        self.complete = false;
        self.stopped = Some(stage);
        self.unchecked = unchecked;
        self
    }
}

/// What the caller hears while reconcile runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Listing the pool: this many users so far.
    Listed(usize),
    /// Owners to look at.
    Total(usize),
    /// One owner looked at (`None`: still in the pool).
    Owner(Option<&'a OwnerReport>),
}

/// How long after its commit a name is never retired: a listing may miss a user who confirmed
/// moments before it.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(60 * 60);

/// How to reconcile.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    pub lifecycle: LifecycleSettings,
    pub dry_run: bool,
    pub backoff: Backoff,
    /// Owners whose name was committed less than this ago are left alone.
    pub grace: Duration,
    /// `USERNAMES_CASE_SENSITIVE_USERNAMES`: how first-version `userName`s compare with the
    /// pool's.
    pub case_sensitive_user_names: bool,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        Self {
            lifecycle: LifecycleSettings::default(),
            dry_run: false,
            backoff: Backoff::default(),
            grace: DEFAULT_GRACE,
            case_sensitive_user_names: false,
        }
    }
}

/// How long a run may still work.
pub trait TimeLeft: Send + Sync {
    /// The time left now; zero when the run must stop.
    fn time_left(&self) -> Duration;
}

/// No deadline: the command runs until it is done.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDeadline;

impl TimeLeft for NoDeadline {
    fn time_left(&self) -> Duration {
        Duration::MAX
    }
}

/// Until an instant (the scheduled function's Lambda deadline, less a margin to answer).
impl TimeLeft for tokio::time::Instant {
    fn time_left(&self) -> Duration {
        self.saturating_duration_since(tokio::time::Instant::now())
    }
}

/// Runs `step` if there is time left, and cuts it short when the time runs out: `None` then.
async fn within<T, E>(
    deadline: &impl TimeLeft,
    step: impl Future<Output = Result<T, E>>,
) -> Result<Option<T>, E> {
    let left = deadline.time_left();
    if left.is_zero() {
        return Ok(None);
    }
    match tokio::time::timeout(left, step).await {
        Ok(done) => done.map(Some),
        Err(_) => Ok(None),
    }
}

/// Retires the names of owners the pool no longer has, without a deadline.
pub async fn reconcile<R: Registry + OwnerListing, D: Directory>(
    registry: &R,
    directory: &D,
    options: &ReconcileOptions,
    clock: &dyn Clock,
    progress: impl FnMut(Progress<'_>),
) -> Result<ReconcileSummary, OperationError> {
    reconcile_until(registry, directory, options, clock, &NoDeadline, progress).await
}

/// Retires the names of owners the pool no longer has, stopping at `deadline`.
pub async fn reconcile_until<R: Registry + OwnerListing, D: Directory>(
    registry: &R,
    directory: &D,
    options: &ReconcileOptions,
    clock: &dyn Clock,
    deadline: &impl TimeLeft,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<ReconcileSummary, OperationError> {
    let summary = ReconcileSummary {
        complete: true,
        ..ReconcileSummary::default()
    };
    let Some(owners) = within(deadline, all_owners(registry, OWNERS_PAGE)).await? else {
        return Ok(summary.stop(Stage::ListingRegistry, 0));
    };
    let mut summary = ReconcileSummary {
        owners: owners.len(),
        legacy_owners: owners.legacy.len(),
        ..summary
    };
    let listing = list_pool(directory, &options.backoff, |n| {
        progress(Progress::Listed(n))
    });
    let Some(users) = within(deadline, listing).await? else {
        return Ok(summary.stop(Stage::ListingPool, owners.len()));
    };
    // `userName`s only when a first-version entry needs them, compared as the pool compares
    // them.
    let fold = |user_name: &str| match options.case_sensitive_user_names {
        true => user_name.to_owned(),
        false => user_name.to_lowercase(),
    };
    let user_names: HashSet<String> = if owners.legacy.is_empty() {
        HashSet::new()
    } else {
        users.iter().map(|u| fold(&u.user_name)).collect()
    };
    let subs: HashSet<String> = users.into_iter().map(|u| u.sub).collect();
    progress(Progress::Total(owners.len()));

    let mut left = owners.len();
    let checks = owners
        .by_sub
        .into_iter()
        .map(Candidate::Sub)
        .chain(owners.legacy.into_iter().map(Candidate::Legacy));
    for candidate in checks {
        let listed = match &candidate {
            Candidate::Sub(owner) => subs.contains(&owner.sub),
            Candidate::Legacy(owner) => user_names.contains(&fold(&owner.user_name)),
        };
        let now = clock.now();
        let recent = match &candidate {
            Candidate::Sub(owner) => {
                let grace = i64::try_from(options.grace.as_secs()).unwrap_or(i64::MAX);
                now.saturating_sub(owner.name.since) < grace
            }
            Candidate::Legacy(_) => false,
        };
        if recent && !listed {
            left -= 1;
            summary.recent += 1;
            progress(Progress::Owner(None));
            continue;
        }
        let step = check(registry, directory, options, now, candidate, listed);
        let Some(report) = within(deadline, step).await? else {
            return Ok(summary.stop(Stage::CheckingOwners, left));
        };
        left -= 1;
        match report.as_ref().map(|r| &r.outcome) {
            None => summary.in_pool += 1,
            Some(ReconcileOutcome::Quarantined { .. }) => summary.quarantined += 1,
            Some(ReconcileOutcome::Released { .. }) => summary.released += 1,
            Some(ReconcileOutcome::AlreadyGone { .. }) => summary.already_gone += 1,
        }
        progress(Progress::Owner(report.as_ref()));
    }
    Ok(summary)
}

/// An owner to look at.
enum Candidate {
    Sub(RegisteredOwner),
    Legacy(LegacyOwner),
}

/// One owner: `None` when the pool still has them (`listed`, or found when asked once more),
/// else their name retired (or what a dry run would do).
async fn check<R: Registry + OwnerListing, D: Directory>(
    registry: &R,
    directory: &D,
    options: &ReconcileOptions,
    now: Timestamp,
    candidate: Candidate,
    listed: bool,
) -> Result<Option<OwnerReport>, OperationError> {
    if listed {
        return Ok(None);
    }
    let backoff = &options.backoff;
    let quarantine = options.lifecycle.quarantine;
    let until = (!quarantine.is_zero()).then(|| options.lifecycle.quarantine_until(now));
    let (owner, outcome) = match candidate {
        Candidate::Sub(owner) => {
            let found = backoff
                .retry(|| directory.user_by_sub(&owner.sub))
                .await?
                .is_some();
            if found || backoff.retry(|| directory.user_exists(&owner.sub)).await? {
                return Ok(None);
            }
            let name = owner.name.display;
            let outcome = if options.dry_run {
                retired(name, until)
            } else {
                match registry.retire(&owner.sub, until).await? {
                    Some(name) => retired(name, until),
                    None => ReconcileOutcome::AlreadyGone { name },
                }
            };
            (FormerOwner::Sub(owner.sub), outcome)
        }
        Candidate::Legacy(owner) => {
            // `AdminGetUser` by `userName` compares as the pool does (without case in a
            // case-insensitive pool), and sees a user the listing missed.
            if backoff
                .retry(|| directory.user_exists(&owner.user_name))
                .await?
            {
                return Ok(None);
            }
            let name = owner.display;
            let outcome = if options.dry_run
                || registry
                    .retire_first_version(&owner.key, &owner.user_name, until)
                    .await?
            {
                retired(name, until)
            } else {
                ReconcileOutcome::AlreadyGone { name }
            };
            (FormerOwner::UserName(owner.user_name), outcome)
        }
    };
    Ok(Some(OwnerReport {
        owner,
        outcome,
        dry_run: options.dry_run,
    }))
}

fn retired(name: String, until: Option<Timestamp>) -> ReconcileOutcome {
    match until {
        Some(until) => ReconcileOutcome::Quarantined { name, until },
        None => ReconcileOutcome::Released { name },
    }
}
