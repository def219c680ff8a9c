//! `usernames reconcile`: Cognito fires no trigger when a user is deleted, so their name would
//! stay owned for ever; this finds owners (`sub`s) the pool no longer has and retires their names
//! into quarantine (SPEC §8), after which anyone may take them.
//!
//! The registry is listed *before* the pool: a `sub` commits a name only after Cognito created the
//! user, so every owner in the registry's listing was already in the pool when the pool's listing
//! began, and is missing from it only if it was deleted. (Listing the pool first would take a user
//! who signed up in between for a deleted one.) Each candidate is then looked up once more by
//! `sub` before anything is written, so a listing that missed a user never costs them their name.

use super::{list_pool, Backoff, Directory, OperationError};
use crate::config::LifecycleSettings;
use crate::registry::listing::{all_owners, OwnerListing};
use crate::registry::{Registry, Timestamp};
use serde::Serialize;
use std::collections::HashSet;

/// How many user items a page of the registry's listing examines.
pub const OWNERS_PAGE: usize = 500;

/// What happened to one deleted user's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReconcileOutcome {
    /// The name is held for the deleted owner until `until`, then free.
    Quarantined { name: String, until: Timestamp },
    /// The name is free at once (a quarantine of zero).
    Released { name: String },
    /// The owner gave the name up in the meantime; nothing to do.
    AlreadyGone { name: String },
}

/// One deleted owner's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerReport {
    pub sub: String,
    #[serde(flatten)]
    pub outcome: ReconcileOutcome,
    pub dry_run: bool,
}

/// The counts of a run, printed last.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileSummary {
    /// Owners in the registry.
    pub owners: usize,
    /// Of them, users the pool still has.
    pub in_pool: usize,
    pub quarantined: usize,
    pub released: usize,
    pub already_gone: usize,
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

/// How to reconcile.
#[derive(Debug, Clone, Default)]
pub struct ReconcileOptions {
    pub lifecycle: LifecycleSettings,
    pub dry_run: bool,
    pub backoff: Backoff,
}

/// Retires the names of owners the pool no longer has.
pub async fn reconcile<R: Registry + OwnerListing, D: Directory>(
    registry: &R,
    directory: &D,
    options: &ReconcileOptions,
    now: Timestamp,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<ReconcileSummary, OperationError> {
    let owners = all_owners(registry, OWNERS_PAGE).await?;
    let in_pool: HashSet<String> = list_pool(directory, &options.backoff, |n| {
        progress(Progress::Listed(n))
    })
    .await?
    .into_iter()
    .map(|u| u.sub)
    .collect();
    progress(Progress::Total(owners.len()));
    let mut summary = ReconcileSummary {
        owners: owners.len(),
        ..ReconcileSummary::default()
    };
    let quarantine = options.lifecycle.quarantine;
    for owner in owners {
        let present = in_pool.contains(&owner.sub)
            || options
                .backoff
                .retry(|| directory.user_by_sub(&owner.sub))
                .await?
                .is_some();
        if present {
            summary.in_pool += 1;
            progress(Progress::Owner(None));
            continue;
        }
        let until = (!quarantine.is_zero()).then(|| options.lifecycle.quarantine_until(now));
        let name = owner.name.display.clone();
        let outcome = if options.dry_run {
            retired(name, until)
        } else {
            match registry.release(&owner.sub, until, now).await? {
                Some(name) => retired(name, until),
                None => ReconcileOutcome::AlreadyGone { name },
            }
        };
        match outcome {
            ReconcileOutcome::Quarantined { .. } => summary.quarantined += 1,
            ReconcileOutcome::Released { .. } => summary.released += 1,
            ReconcileOutcome::AlreadyGone { .. } => summary.already_gone += 1,
        }
        let report = OwnerReport {
            sub: owner.sub,
            outcome,
            dry_run: options.dry_run,
        };
        progress(Progress::Owner(Some(&report)));
    }
    Ok(summary)
}

fn retired(name: String, until: Option<Timestamp>) -> ReconcileOutcome {
    match until {
        Some(until) => ReconcileOutcome::Quarantined { name, until },
        None => ReconcileOutcome::Released { name },
    }
}
