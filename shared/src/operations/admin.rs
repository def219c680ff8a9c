//! One name or one user at a time: show, block, unblock, release and rename, each an answer the
//! CLI prints as one JSON object, or an [`OperationError`].

use super::{Backoff, Directory, OperationError};
use crate::config::{LifecycleSettings, NameSource};
use crate::policy::{NameKey, Policy, PolicyViolation};
use crate::registry::{
    adopt_first_version_names, BlockOutcome, BlockRequest, Claim, ClaimState, Holder, Owner,
    Registry, Rename, RenameOutcome, Timestamp,
};
use serde::Serialize;

/// A name's entry as an operator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameView {
    pub name: String,
    pub key: String,
    /// `pending`, `active`, `quarantined` or `blocked`.
    pub state: &'static str,
    /// Whether it keeps others off the name now (a pending entry or quarantine that ended does not).
    pub live: bool,
    /// Active: the owner's `sub` (or `userName` for a first-version entry); pending: the holding
    /// `userName`; quarantined: the previous owner's `sub`; blocked: `operator`.
    pub owner: Option<String>,
    /// Active: when the owner took it; blocked: when it was blocked.
    pub since: Option<Timestamp>,
    /// Pending: when the reservation ends.
    pub expires_at: Option<Timestamp>,
    /// Quarantined: when the quarantine ends.
    pub quarantined_until: Option<Timestamp>,
    /// Blocked: the operator's reason.
    pub reason: Option<String>,
    /// Blocked: who blocked it (`None` for a block made before this was recorded).
    pub blocked_by: Option<String>,
}

impl NameView {
    pub fn of(claim: &Claim, now: Timestamp) -> Self {
        let mut view = Self {
            name: claim.display.clone(),
            key: claim.key.as_str().to_owned(),
            state: state_name(&claim.state),
            live: claim.is_live(now),
            owner: None,
            since: claim.since,
            expires_at: None,
            quarantined_until: None,
            reason: None,
            blocked_by: None,
        };
        match &claim.state {
            ClaimState::Pending {
                holder, expires_at, ..
            } => {
                view.owner = Some(holder.clone());
                view.expires_at = Some(*expires_at);
            }
            ClaimState::Active { owner } => {
                view.owner = Some(match owner {
                    Owner::Sub(sub) | Owner::LegacyUserName(sub) => sub.clone(),
                });
            }
            ClaimState::Quarantined {
                previous_owner,
                until,
            } => {
                view.owner = Some(previous_owner.clone());
                view.quarantined_until = Some(*until);
            }
            ClaimState::Blocked { reason, by } => {
                view.owner = Some("operator".to_owned());
                view.reason = reason.clone();
                view.blocked_by = by.clone();
            }
        }
        view
    }
}

fn state_name(state: &ClaimState) -> &'static str {
    match state {
        ClaimState::Pending { .. } => "pending",
        ClaimState::Active { .. } => "active",
        ClaimState::Quarantined { .. } => "quarantined",
        ClaimState::Blocked { .. } => "blocked",
    }
}

/// A user's record as an operator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub sub: String,
    /// The name the user owns now.
    pub name: Option<String>,
    pub key: Option<String>,
    pub since: Option<Timestamp>,
    /// When the user last renamed or gave up a name, and which.
    pub renamed_at: Option<Timestamp>,
    pub previous: Option<String>,
}

/// The entry of `raw`'s key (any spelling or look-alike finds it; the policy is not applied, so
/// an operator can look up any string).
pub async fn show_name<R: Registry>(
    registry: &R,
    raw: &str,
    now: Timestamp,
) -> Result<NameView, OperationError> {
    let claim = registry.get(&NameKey::derive(raw)).await?;
    claim
        .map(|c| NameView::of(&c, now))
        .ok_or(OperationError::NoEntry)
}

/// The name `sub` owns, with its last rename; [`OperationError::NoName`] when it owns none.
pub async fn show_user<R: Registry>(registry: &R, sub: &str) -> Result<UserView, OperationError> {
    let record = registry.user(sub).await?.ok_or(OperationError::NoName)?;
    let owned = record.owned.ok_or(OperationError::NoName)?;
    Ok(UserView {
        sub: sub.to_owned(),
        name: Some(owned.display),
        key: Some(owned.key.as_str().to_owned()),
        since: Some(owned.since),
        renamed_at: record.renamed_at,
        previous: record.previous,
    })
}

/// Holds `raw` (every spelling and look-alike) for the operator `request.by`, who `show`
/// names with the reason and the time. A name the policy refuses cannot be blocked: nobody can
/// claim it anyway, and the refusal says why.
pub async fn block<R: Registry>(
    registry: &R,
    policy: &Policy,
    raw: &str,
    request: BlockRequest<'_>,
    now: Timestamp,
) -> Result<NameView, OperationError> {
    let name = policy.evaluate(raw).map_err(OperationError::InvalidName)?;
    match registry.block(&name, request, now).await? {
        BlockOutcome::Blocked => show_name(registry, raw, now).await,
        BlockOutcome::Held(claim) => Err(match claim.state {
            ClaimState::Pending { .. } => OperationError::NamePending,
            _ => OperationError::NameHeld {
                state: state_name(&claim.state),
            },
        }),
    }
}

/// What `unblock` and `release --now` freed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freed {
    pub name: String,
    pub key: String,
    /// `free`, or `quarantined` when a release put it there.
    pub state: &'static str,
    pub previous_owner: Option<String>,
    pub quarantined_until: Option<Timestamp>,
    /// Whether the owner's `preferred_username` was removed from the pool (`None`: no pool
    /// given, or no owner to remove it from).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_cleared: Option<bool>,
}

/// Frees a blocked name, or ends a quarantine early.
pub async fn unblock<R: Registry>(registry: &R, raw: &str) -> Result<Freed, OperationError> {
    let key = NameKey::derive(raw);
    let claim = registry.get(&key).await?.ok_or(OperationError::NoEntry)?;
    if !registry.unblock(&key).await? {
        return Err(OperationError::NotBlocked);
    }
    Ok(Freed {
        name: claim.display,
        key: key.as_str().to_owned(),
        state: "free",
        previous_owner: None,
        quarantined_until: None,
        attribute_cleared: None,
    })
}

/// Gives up the name an owner holds: into quarantine, or (`now_free`) free at once. A quarantined
/// or blocked name is freed with `now_free`; a quarantined one without it is left as it is. A
/// first-version name (owned by a `userName`) is retired the way reconcile retires one. With a
/// pool (`mirror`), the owner's `preferred_username` is then removed while it still names this
/// name, so the name shows nowhere and, in pools where it is a sign-in alias, frees the alias;
/// if that last step fails, the release stands and running the same command again removes it.
pub async fn release<R: Registry, D: Directory>(
    registry: &R,
    lifecycle: &LifecycleSettings,
    raw: &str,
    now_free: bool,
    mirror: Option<Mirror<'_, D>>,
    now: Timestamp,
) -> Result<Freed, (OperationError, Option<Freed>)> {
    let key = NameKey::derive(raw);
    let until = (!now_free).then(|| lifecycle.quarantine_until(now));
    let state = if until.is_some() {
        "quarantined"
    } else {
        "free"
    };
    let claim = registry
        .get(&key)
        .await
        .map_err(|e| (e.into(), None))?
        .ok_or((OperationError::NoEntry, None))?;
    let freed = |previous_owner: &str| Freed {
        name: claim.display.clone(),
        key: key.as_str().to_owned(),
        state,
        previous_owner: Some(previous_owner.to_owned()),
        quarantined_until: until,
        attribute_cleared: None,
    };
    // Who to remove the attribute from, as the pool knows them.
    let (done, owner) = match &claim.state {
        ClaimState::Active {
            owner: Owner::Sub(sub),
        } => {
            // The owner may have renamed since the read: release only while the record still
            // names this key, so a concurrent rename never costs the user their new name.
            let owns_it = registry
                .user(sub)
                .await
                .map_err(|e| (e.into(), None))?
                .and_then(|u| u.owned)
                .is_some_and(|o| o.key == key);
            if !owns_it {
                return Err((OperationError::NoEntry, None));
            }
            registry
                .release(sub, until, now)
                .await
                .map_err(|e| (e.into(), None))?;
            (freed(sub), PoolUser::Sub(sub.clone()))
        }
        ClaimState::Active {
            owner: Owner::LegacyUserName(user_name),
        } => {
            let retired = registry
                .retire_first_version(&key, user_name, until)
                .await
                .map_err(|e| (e.into(), None))?;
            if !retired {
                // Upgraded by its owner's sign-in in between: release it as theirs.
                return Err((OperationError::LegacyOwner, None));
            }
            (freed(user_name), PoolUser::Name(user_name.clone()))
        }
        ClaimState::Pending { .. } if claim.is_live(now) => {
            return Err((OperationError::NamePending, None))
        }
        ClaimState::Pending { .. } => return Err((OperationError::NoEntry, None)),
        ClaimState::Quarantined {
            previous_owner,
            until,
        } => {
            let mut view = freed(previous_owner);
            if now_free {
                registry.unblock(&key).await.map_err(|e| (e.into(), None))?;
                view.state = "free";
                view.quarantined_until = None;
            } else {
                view.state = "quarantined";
                view.quarantined_until = Some(*until);
            }
            // Released already (maybe by an earlier run whose removal failed): the previous
            // owner is a `sub`, or a first-version owner's `userName` when reconcile retired it.
            (view, PoolUser::Either(previous_owner.clone()))
        }
        ClaimState::Blocked { .. } if now_free => {
            return unblock(registry, raw).await.map_err(|e| (e, None))
        }
        ClaimState::Blocked { .. } => return Err((OperationError::NameBlocked, None)),
    };
    let Some(mirror) = mirror else {
        return Ok(done);
    };
    let cleared = clear_attribute(&mirror, &owner, &key).await;
    let done = Freed {
        attribute_cleared: Some(cleared.is_ok()),
        ..done
    };
    match cleared {
        Ok(()) => Ok(done),
        Err(e) => Err((e, Some(done))),
    }
}

/// The owner of a released name, as the pool knows them.
enum PoolUser {
    Sub(String),
    /// A first-version owner's `userName`.
    Name(String),
    /// The previous owner of a quarantine: a `sub`, or a first-version owner's `userName`.
    Either(String),
}

/// Removes the owner's `preferred_username` while it still names the released key (`key`): an
/// owner who has taken another name since keeps its attribute, and an owner the pool no longer
/// has has none.
async fn clear_attribute<D: Directory>(
    mirror: &Mirror<'_, D>,
    owner: &PoolUser,
    key: &NameKey,
) -> Result<(), OperationError> {
    let retry = &mirror.backoff;
    let directory = mirror.directory;
    let user = match owner {
        PoolUser::Sub(sub) => retry.retry(|| directory.user_by_sub(sub)).await?,
        PoolUser::Name(user_name) => retry.retry(|| directory.user_by_name(user_name)).await?,
        PoolUser::Either(owner) => match retry.retry(|| directory.user_by_sub(owner)).await? {
            Some(user) => Some(user),
            None => retry.retry(|| directory.user_by_name(owner)).await?,
        },
    };
    let Some(user) = user else {
        return Ok(());
    };
    let names_it = user
        .preferred_username
        .as_deref()
        .is_some_and(|attribute| NameKey::derive(attribute) == *key);
    if !names_it {
        return Ok(());
    }
    match retry
        .retry(|| directory.clear_preferred_username(&user.user_name))
        .await
    {
        Ok(()) | Err(super::DirectoryError::UserNotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What an administrator's rename did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    pub sub: String,
    pub username: String,
    pub previous: Option<String>,
    /// Whether the Cognito attribute was set too (`None`: no pool given).
    pub attribute_set: Option<bool>,
}

/// How a rename reaches Cognito: the pool, and how its calls are repeated.
pub struct Mirror<'a, D> {
    pub directory: &'a D,
    pub backoff: Backoff,
}

/// Which user gets which name, whether the cooldown is skipped (`--force`), where the
/// deployment reads names from (`USERNAMES_SOURCE`), and how its pool compares user names
/// (`USERNAMES_CASE_SENSITIVE_USERNAMES`).
#[derive(Debug, Clone, Copy)]
pub struct AdminRename<'a> {
    pub sub: &'a str,
    pub name: &'a str,
    pub force: bool,
    pub source: NameSource,
    pub case_sensitive_user_names: bool,
}

/// An administrator's rename, through the same registry call as the API's (the cooldown applies
/// unless `force`). With a pool, the user is looked up first (so a wrong `sub` or pool writes
/// nothing), the first-version names of their `userName` are adopted (as the API does), then
/// `preferred_username` is set to mirror the registry; when that last step fails the registry
/// already moved, tokens follow it, and running the same rename again finishes it.
pub async fn rename<R: Registry, D: Directory>(
    registry: &R,
    policy: &Policy,
    lifecycle: &LifecycleSettings,
    request: AdminRename<'_>,
    mirror: Option<Mirror<'_, D>>,
    now: Timestamp,
) -> Result<Renamed, (OperationError, Option<Renamed>)> {
    let AdminRename {
        sub,
        name: raw,
        force,
        source,
        case_sensitive_user_names,
    } = request;
    // As the API refuses users: where names are the Cognito usernames people sign in with, a new
    // name would part the registry from the sign-in name, and the old one, quarantined then freed,
    // would let someone sign up as a look-alike of a username still in use.
    if source == NameSource::Username {
        return Err((OperationError::NameImmutable, None));
    }
    let to = policy
        .evaluate(raw)
        .map_err(|v: PolicyViolation| (OperationError::InvalidName(v), None))?;
    let pool_user = match &mirror {
        Some(m) => Some(
            m.backoff
                .retry(|| m.directory.user_by_sub(sub))
                .await
                .map_err(|e| (e.into(), None))?
                .ok_or((OperationError::UserNotInPool, None))?,
        ),
        None => None,
    };
    if let Some(user) = &pool_user {
        let holder = Holder::unkeyed(&user.user_name, case_sensitive_user_names);
        let until = lifecycle.quarantine_until(now);
        adopt_first_version_names(registry, &holder, sub, policy, until, now)
            .await
            .map_err(|e| (e.into(), None))?;
    }
    let request = Rename {
        sub: sub.to_owned(),
        to: to.clone(),
        quarantine_until: lifecycle.quarantine_until(now),
        cooldown: (!force).then(|| lifecycle.cooldown_secs()),
    };
    let previous = match registry
        .rename(&request, now)
        .await
        .map_err(|e| (e.into(), None))?
    {
        RenameOutcome::Renamed { previous } => previous,
        RenameOutcome::Taken => return Err((OperationError::NameTaken, None)),
        RenameOutcome::Cooldown { until } => {
            return Err((OperationError::Cooldown { until }, None))
        }
    };
    let mut done = Renamed {
        sub: sub.to_owned(),
        username: to.display().to_owned(),
        previous,
        attribute_set: None,
    };
    if let (Some(m), Some(user)) = (mirror, pool_user) {
        let set = m
            .backoff
            .retry(|| {
                m.directory
                    .set_preferred_username(&user.user_name, to.display())
            })
            .await;
        done.attribute_set = Some(set.is_ok());
        if let Err(e) = set {
            return Err((e.into(), Some(done)));
        }
    }
    Ok(done)
}
