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
//!   first holds the key, the other is told it is taken (docs/registry.md#rules-every-store-keeps).
//!
//! A user who never confirmed their sign-up gets their name *reserved*, held by their `userName`
//! as pre-sign-up would have held it, so that nobody takes it before they confirm (their
//! confirmation commits it). A name the user gave up (in their own quarantine) stays given up.
//! Each user's decision reads the clock anew: a run of hours writes each reservation with the
//! time it was written.

use super::{list_pool, Backoff, Directory, OperationError, PoolUser};
use crate::config::NameSource;
use crate::policy::{NameKey, Policy, Username};
use crate::registry::{
    rules, Claim, ClaimState, Clock, CommitOutcome, Commitment, ContactKey, Contacts, Holder,
    Owner, Registry, Reservation, ReserveOutcome, Timestamp,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

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
    /// The user never confirmed the sign-up: the name is held for them until `expires_at` (or
    /// already was), and their confirmation commits it.
    Reserved { name: String, expires_at: Timestamp },
    /// The user gave the name up (renamed or released it): it waits in their quarantine until
    /// `quarantined_until`, and only a rename takes it back. Nothing was written.
    GivenUp {
        name: String,
        quarantined_until: Timestamp,
    },
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
    pub reserved: usize,
    pub given_up: usize,
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
            ImportOutcome::Reserved { .. } => &mut self.reserved,
            ImportOutcome::GivenUp { .. } => &mut self.given_up,
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
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub policy: Policy,
    pub name_source: NameSource,
    pub dry_run: bool,
    pub backoff: Backoff,
    /// The key that hashes holders (`USERNAMES_CONTACT_HASH_KEY`), as the triggers hash them.
    pub contact_key: ContactKey,
    /// `USERNAMES_CASE_SENSITIVE_USERNAMES`: whether holders compare with case.
    pub case_sensitive_user_names: bool,
    /// How long an unconfirmed user's name is held (`USERNAMES_PENDING_TTL`).
    pub pending_ttl: Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            name_source: NameSource::default(),
            dry_run: false,
            backoff: Backoff::default(),
            contact_key: ContactKey::development(),
            case_sensitive_user_names: false,
            pending_ttl: crate::config::SignUpSettings::default().pending_ttl,
        }
    }
}

impl ImportOptions {
    fn holder(&self, user: &PoolUser) -> Holder {
        Holder::new(
            &user.user_name,
            self.case_sensitive_user_names,
            &self.contact_key,
        )
    }

    fn expires_at(&self, now: Timestamp) -> Timestamp {
        now.saturating_add(i64::try_from(self.pending_ttl.as_secs()).unwrap_or(i64::MAX))
    }
}

/// Lists the pool, sorts it by creation, and registers each user's name in that order.
pub async fn import<R: Registry, D: Directory>(
    registry: &R,
    directory: &D,
    options: &ImportOptions,
    clock: &dyn Clock,
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
        let now = clock.now();
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

/// What the import asks of the registry for one user.
enum Step {
    /// A confirmed user: commit their name to their `sub`.
    Commit(Commitment),
    /// A user who never confirmed: hold their name for them.
    Reserve(Reservation),
}

impl Step {
    fn username(&self) -> &Username {
        match self {
            Self::Commit(c) => &c.username,
            Self::Reserve(r) => &r.username,
        }
    }
}

/// The outcomes that need no registry at all, or the step to try.
fn prepare(
    user: &PoolUser,
    options: &ImportOptions,
    now: Timestamp,
) -> Result<Step, ImportOutcome> {
    let raw = requested(user, options.name_source).ok_or(ImportOutcome::NoName)?;
    let username = options
        .policy
        .evaluate(raw)
        .map_err(|v| ImportOutcome::Invalid { code: v.code() })?;
    let holder = options.holder(user);
    Ok(if user.is_unconfirmed() {
        Step::Reserve(Reservation {
            username,
            holder: holder.sealed_by(&options.contact_key),
            contacts: Contacts::none(),
            expires_at: options.expires_at(now),
        })
    } else {
        Step::Commit(Commitment {
            username,
            holder,
            sub: user.sub.clone(),
            verified: Contacts::none(),
        })
    })
}

/// One read (is it ours already? given up?), then the conditional write that decides.
async fn register<R: Registry>(
    registry: &R,
    options: &ImportOptions,
    user: &PoolUser,
    now: Timestamp,
) -> Result<ImportOutcome, OperationError> {
    let step = match prepare(user, options, now) {
        Ok(step) => step,
        Err(outcome) => return Ok(outcome),
    };
    let name = step.username().display().to_owned();
    let key = step.username().key().clone();
    // The read only chooses the report (a second run writes nothing); the write decides.
    let before = registry.get(&key).await?;
    if let Some(settled) = settled(&name, before.as_ref(), user, now) {
        return Ok(settled);
    }
    let commitment = match step {
        Step::Reserve(reservation) => {
            return Ok(match registry.reserve(&reservation, now).await? {
                ReserveOutcome::Reserved => reserved(name, registry.get(&key).await?.as_ref()),
                ReserveOutcome::HeldForRetry { .. } | ReserveOutcome::Taken => {
                    taken(name, registry.get(&key).await?.as_ref())
                }
            })
        }
        Step::Commit(commitment) => commitment,
    };
    Ok(match registry.commit(&commitment, now).await? {
        CommitOutcome::Committed => ImportOutcome::Registered { name },
        CommitOutcome::Taken => {
            let after = registry.get(&key).await?;
            settled(&name, after.as_ref(), user, now).unwrap_or_else(|| taken(name, after.as_ref()))
        }
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

/// The report when the entry already says where the user stands: their name already (a second
/// run), or given up into their own quarantine (which only a rename undoes).
fn settled(
    name: &str,
    entry: Option<&Claim>,
    user: &PoolUser,
    now: Timestamp,
) -> Option<ImportOutcome> {
    let entry = entry?;
    if entry.owner_sub() == Some(user.sub.as_str()) {
        return Some(ImportOutcome::AlreadyRegistered {
            name: name.to_owned(),
        });
    }
    match &entry.state {
        ClaimState::Quarantined {
            previous_owner,
            until,
        } if *previous_owner == user.sub && entry.is_live(now) => Some(ImportOutcome::GivenUp {
            name: name.to_owned(),
            quarantined_until: *until,
        }),
        _ => None,
    }
}

/// The report of a name held for an unconfirmed user, from its entry.
fn reserved(name: String, entry: Option<&Claim>) -> ImportOutcome {
    match entry.map(|c| &c.state) {
        Some(ClaimState::Pending { expires_at, .. }) => ImportOutcome::Reserved {
            name,
            expires_at: *expires_at,
        },
        // Changed again since (confirmed, expired and taken): what it is now.
        _ => taken(name, entry),
    }
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
        let step = match prepare(user, options, now) {
            Ok(step) => step,
            Err(outcome) => return Ok(outcome),
        };
        let name = step.username().display().to_owned();
        let key = step.username().key().clone();
        if let Some(winner) = self.would_own.get(&key) {
            return Ok(ImportOutcome::Taken {
                name,
                taken_by: Some(winner.clone()),
                held_as: "active",
            });
        }
        let claim = registry.get(&key).await?;
        if let Some(settled) = settled(&name, claim.as_ref(), user, now) {
            return Ok(settled);
        }
        let commitment = match step {
            Step::Reserve(reservation) => {
                let free = rules::reservation_may_write(claim.as_ref(), now);
                let own = claim.as_ref().is_some_and(|old| {
                    rules::refused_reservation(old, &reservation) == ReserveOutcome::Reserved
                });
                if !(free || own) {
                    return Ok(taken(name, claim.as_ref()));
                }
                self.would_own.insert(key, user.sub.clone());
                let expires_at = match (own, claim.as_ref().map(|c| &c.state)) {
                    (true, Some(ClaimState::Pending { expires_at, .. })) => *expires_at,
                    _ => reservation.expires_at,
                };
                return Ok(ImportOutcome::Reserved { name, expires_at });
            }
            Step::Commit(commitment) => commitment,
        };
        if !rules::commit_may_take_name(claim.as_ref(), &commitment, now) {
            return Ok(taken(name, claim.as_ref()));
        }
        let owned = registry.user(&user.sub).await?.and_then(|u| u.owned);
        if self.owners.contains(&user.sub) || owned.as_ref().is_some_and(|o| o.key != key) {
            return Ok(ImportOutcome::OwnsAnotherName {
                name,
                owns: owned.map(|o| o.display),
            });
        }
        self.would_own.insert(key, user.sub.clone());
        self.owners.insert(user.sub.clone());
        Ok(ImportOutcome::Registered { name })
    }
}
