//! Names written by the first version, owned by a `userName` with no `sub` and no user record
//! (docs/registry.md#upgrade), met by a rename or a release. Their owner's sign-in would upgrade
//! them; a user who renames or gives up their name before signing in again must not keep them
//! as a second name, so the rename and the release first adopt them.

use super::{Claim, ClaimState, CommitOutcome, Commitment, Contacts, Holder, Owner, Registry};
use super::{RegistryError, Timestamp};
use crate::policy::Policy;

/// Makes the first-version names of the `userName` `holder` the user `sub`'s, before a rename or
/// release of that user:
/// - the first one (while `sub` owns no name) is committed to `sub`, exactly as their sign-in
///   would upgrade it, so that the rename moves it into quarantine, or the release gives it up;
/// - any other (the user already owns a name, today's policy refuses it, another one was
///   adopted) is retired into quarantine until `quarantine_until`.
///
/// One read finds them (advice, see [`Registry::first_version_names`]); each write is one
/// conditional operation, so a concurrent sign-in that upgrades the same entry leaves it theirs.
/// Returns how many it found.
pub async fn adopt_first_version_names<R: Registry>(
    registry: &R,
    holder: &Holder,
    sub: &str,
    policy: &Policy,
    quarantine_until: Timestamp,
    now: Timestamp,
) -> Result<usize, RegistryError> {
    let found = registry.first_version_names(holder).await?;
    if found.is_empty() {
        return Ok(0);
    }
    let mut owns = registry
        .user(sub)
        .await?
        .and_then(|record| record.owned)
        .is_some();
    for claim in &found {
        let ClaimState::Active {
            owner: Owner::LegacyUserName(user_name),
        } = &claim.state
        else {
            continue;
        };
        if !owns && adopt(registry, holder, sub, policy, claim, user_name, now).await? {
            owns = true;
            continue;
        }
        registry
            .retire_first_version(&claim.key, user_name, Some(quarantine_until))
            .await?;
    }
    Ok(found.len())
}

/// Commits one first-version entry to `sub`, under its own display form; `false` when today's
/// policy no longer derives the same key from it, or the registry refused.
async fn adopt<R: Registry>(
    registry: &R,
    holder: &Holder,
    sub: &str,
    policy: &Policy,
    claim: &Claim,
    user_name: &str,
    now: Timestamp,
) -> Result<bool, RegistryError> {
    let Ok(username) = policy.evaluate(&claim.display) else {
        return Ok(false);
    };
    if *username.key() != claim.key {
        return Ok(false);
    }
    let commitment = Commitment {
        username,
        holder: holder.clone().spelled_as(user_name),
        sub: sub.to_owned(),
        verified: Contacts::none(),
    };
    Ok(registry.commit(&commitment, now).await? == CommitOutcome::Committed)
}
