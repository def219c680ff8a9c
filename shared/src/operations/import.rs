//! `usernames import`: registers the names a pool's existing users already have (pools that had
//! users before the triggers were attached), each as an active claim of the user's `sub`.
//!
//! Order decides who keeps a name two users share, because a commit takes a free name and refuses
//! a held one: so the whole pool is listed first and sorted by `UserCreateDate` (then `sub`), and
//! the earliest account commits first. That order also makes the command safe to repeat:
//! - a second run replays the same commits in the same order; each winner already owns its name
//!   (read as `already_registered`, nothing written) and each loser meets the same winner;
//! - a run killed halfway left exactly the registry a full run has after that prefix of the
//!   order (every commit is one transaction), so running again replays the prefix and finishes;
//! - a live sign-up racing the import is decided by the same conditional writes: whoever writes
//!   first holds the key, the other is told it is taken (SPEC §3, invariant 6).

use super::{list_pool, Backoff, Directory, OperationError, PoolUser};
use crate::config::NameSource;
use crate::policy::{NameKey, Policy};
use crate::registry::{
    rules, Claim, ClaimState, CommitOutcome, Commitment, Contacts, Holder, Owner, Registry,
    Timestamp,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What happened to one user's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The name is now active for the user's `sub`.
    Registered { name: String },
    /// The user owned it already (a second run).
    AlreadyRegistered { name: String },
    /// Someone else holds the key: `taken_by` is the owner's `sub` when the name is active (or
    /// quarantined) for one; `held_as` says the entry's state.
    Taken {
        name: String,
        taken_by: Option<String>,
        held_as: &'static str,
    },
    /// The user already owns another name in the registry (renamed since, say).
    OwnsAnotherName { name: String, owns: Option<String> },
    /// Today's policy refuses the name; the raw value is not printed (it may be an email).
    Invalid { code: &'static str },
    /// The user has no name to register.
    NoName,
    /// The user never confirmed the sign-up: the name is claimed when they confirm.
    Unconfirmed,
}

/// One user's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserReport {
    pub sub: String,
    #[serde(flatten)]
    pub outcome: ImportOutcome,
    /// Signed up through an external identity provider.
    pub federated: bool,
    /// Decided from reads only; nothing was written.
    pub dry_run: bool,
}

/// The counts of a run, printed last.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub users: usize,
    pub registered: usize,
    pub already_registered: usize,
    pub taken: usize,
    pub owns_another_name: usize,
    pub invalid: usize,
    pub no_name: usize,
    pub unconfirmed: usize,
}

impl ImportSummary {
    /// Whether some names were refused (exit status 1).
    pub fn refused_any(&self) -> bool {
        self.taken + self.owns_another_name + self.invalid > 0
    }

    fn count(&mut self, outcome: &ImportOutcome) {
        self.users += 1;
        *match outcome {
            ImportOutcome::Registered { .. } => &mut self.registered,
            ImportOutcome::AlreadyRegistered { .. } => &mut self.already_registered,
            ImportOutcome::Taken { .. } => &mut self.taken,
            ImportOutcome::OwnsAnotherName { .. } => &mut self.owns_another_name,
            ImportOutcome::Invalid { .. } => &mut self.invalid,
            ImportOutcome::NoName => &mut self.no_name,
            ImportOutcome::Unconfirmed => &mut self.unconfirmed,
        } += 1;
    }
}

/// What the caller hears while the import runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Listing the pool: this many users so far.
    Listed(usize),
    /// Listing done: this many users to go through.
    Total(usize),
    /// One user done.
    User(&'a UserReport),
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub policy: Policy,
    pub name_source: NameSource,
    pub dry_run: bool,
    pub backoff: Backoff,
}

/// Lists the pool, sorts it by creation, and registers each user's name in that order.
pub async fn import<R: Registry, D: Directory>(
    registry: &R,
    directory: &D,
    options: &ImportOptions,
    now: Timestamp,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<ImportSummary, OperationError> {
    let mut users = list_pool(directory, &options.backoff, |n| {
        progress(Progress::Listed(n))
    })
    .await?;
    users.sort_by(|a, b| (a.created_ms, &a.sub).cmp(&(b.created_ms, &b.sub)));
    progress(Progress::Total(users.len()));
    let mut summary = ImportSummary::default();
    let mut dry = DryRun::default();
    for user in &users {
        let outcome = if options.dry_run {
            dry.decide(registry, options, user, now).await?
        } else {
            register(registry, options, user, now).await?
        };
        summary.count(&outcome);
        let report = UserReport {
            sub: user.sub.clone(),
            outcome,
            federated: user.federated,
            dry_run: options.dry_run,
        };
        progress(Progress::User(&report));
    }
    Ok(summary)
}

/// The name a user brings, as the triggers read it; `None` when there is none.
fn requested(user: &PoolUser, source: NameSource) -> Option<&str> {
    let raw = match source {
        NameSource::PreferredUsername => user.preferred_username.as_deref(),
        // A federated user's `userName` (`Provider_id`) was generated, not chosen.
        NameSource::Username if user.federated => None,
        NameSource::Username => Some(user.user_name.as_str()),
    };
    raw.filter(|name| !name.trim().is_empty())
}

/// The outcomes that need no registry at all, or the commitment to try.
fn prepare(user: &PoolUser, options: &ImportOptions) -> Result<Commitment, ImportOutcome> {
    let raw = requested(user, options.name_source).ok_or(ImportOutcome::NoName)?;
    if user.is_unconfirmed() {
        return Err(ImportOutcome::Unconfirmed);
    }
    let username = options
        .policy
        .evaluate(raw)
        .map_err(|v| ImportOutcome::Invalid { code: v.code() })?;
    Ok(Commitment {
        username,
        holder: Holder::new(&user.user_name),
        sub: user.sub.clone(),
        verified: Contacts::none(),
    })
}

/// One read (is it ours already?), then the conditional commit that decides.
async fn register<R: Registry>(
    registry: &R,
    options: &ImportOptions,
    user: &PoolUser,
    now: Timestamp,
) -> Result<ImportOutcome, OperationError> {
    let commitment = match prepare(user, options) {
        Ok(c) => c,
        Err(outcome) => return Ok(outcome),
    };
    let name = commitment.username.display().to_owned();
    let key = commitment.username.key();
    // The read only chooses the report (a second run writes nothing); the commit decides.
    let before = registry.get(key).await?;
    if before.as_ref().and_then(Claim::owner_sub) == Some(user.sub.as_str()) {
        return Ok(ImportOutcome::AlreadyRegistered { name });
    }
    Ok(match registry.commit(&commitment, now).await? {
        CommitOutcome::Committed => ImportOutcome::Registered { name },
        CommitOutcome::Taken => taken(name, registry.get(key).await?.as_ref()),
        CommitOutcome::OwnsAnotherName => ImportOutcome::OwnsAnotherName {
            name,
            owns: registry
                .user(&user.sub)
                .await?
                .and_then(|u| u.owned)
                .map(|o| o.display),
        },
    })
}

/// The report of a name someone else holds, from its entry.
fn taken(name: String, holder: Option<&Claim>) -> ImportOutcome {
    let (taken_by, held_as) = match holder.map(|c| &c.state) {
        Some(ClaimState::Active {
            owner: Owner::Sub(sub),
        }) => (Some(sub.clone()), "active"),
        Some(ClaimState::Active {
            owner: Owner::LegacyUserName(_),
        }) => (None, "active"),
        Some(ClaimState::Quarantined { previous_owner, .. }) => {
            (Some(previous_owner.clone()), "quarantined")
        }
        Some(ClaimState::Pending { .. }) => (None, "pending"),
        Some(ClaimState::Blocked { .. }) => (None, "blocked"),
        // Gone again since the refusal (an expiry, an unblock): a next run will take it.
        None => (None, "changed"),
    };
    ImportOutcome::Taken {
        name,
        taken_by,
        held_as,
    }
}

/// A dry run: the same decisions from reads, remembering what this run would have written so
/// that a later user meets an earlier one's name as taken.
#[derive(Default)]
struct DryRun {
    would_own: HashMap<NameKey, String>,
    owners: HashSet<String>,
}

impl DryRun {
    async fn decide<R: Registry>(
        &mut self,
        registry: &R,
        options: &ImportOptions,
        user: &PoolUser,
        now: Timestamp,
    ) -> Result<ImportOutcome, OperationError> {
        let commitment = match prepare(user, options) {
            Ok(c) => c,
            Err(outcome) => return Ok(outcome),
        };
        let name = commitment.username.display().to_owned();
        let key = commitment.username.key();
        if let Some(winner) = self.would_own.get(key) {
            return Ok(ImportOutcome::Taken {
                name,
                taken_by: Some(winner.clone()),
                held_as: "active",
            });
        }
        let claim = registry.get(key).await?;
        if claim.as_ref().and_then(Claim::owner_sub) == Some(user.sub.as_str()) {
            return Ok(ImportOutcome::AlreadyRegistered { name });
        }
        if !rules::commit_may_take_name(claim.as_ref(), &commitment, now) {
            return Ok(taken(name, claim.as_ref()));
        }
        let owned = registry.user(&user.sub).await?.and_then(|u| u.owned);
        if self.owners.contains(&user.sub) || owned.as_ref().is_some_and(|o| o.key != *key) {
            return Ok(ImportOutcome::OwnsAnotherName {
                name,
                owns: owned.map(|o| o.display),
            });
        }
        self.would_own.insert(key.clone(), user.sub.clone());
        self.owners.insert(user.sub.clone());
        Ok(ImportOutcome::Registered { name })
    }
}
