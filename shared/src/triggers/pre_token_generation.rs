//! PreTokenGeneration (V1_0, V2_0, V3_0): the tokens carry, as `preferred_username`, only the name
//! the registry says the token's `sub` owns (docs/tokens.md), whatever the attribute says;
//! PII claims can be dropped, chosen attributes copied to the access token, groups kept. Sign-in
//! never fails because of the registry: when it is down or slow the name is withheld.

use super::{is_federated, requested_name, within_budget, Triggers};
use crate::claims::{self, NameStatus, Withheld, NAME_CLAIM};
use crate::events::token::{write_response, TokenEvent, TokenEventError, TokenTriggerSource};
use crate::registry::{ClaimState, CommitOutcome, Commitment, Owner, Registry, RegistryError};
use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreTokenGenTriggerSource as UserSource;
use serde_json::Value;

/// What one token event came to; `code()` is what the logs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOutcome {
    /// V3 machine-to-machine grant: no user, the event goes back unchanged.
    ClientCredentials,
    /// The user owns no name and has no `preferred_username` attribute: nothing to change.
    NameAbsent,
    /// The user owns the name, which is in the tokens.
    NameOwned,
    /// The user owns a name, but the attribute says another (changed with
    /// `UpdateUserAttributes`, or a rename not yet mirrored): the tokens carry the owned one.
    NameOverridden,
    /// The user's pending claim (or first-version claim) was committed now, then as owned.
    NameCommitted,
    /// The name was withheld from the tokens.
    NameWithheld(Withheld),
}

impl TokenOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::NameAbsent => "name_absent",
            Self::NameOwned => "name_owned",
            Self::NameOverridden => "name_overridden",
            Self::NameCommitted => "name_committed",
            Self::NameWithheld(reason) => reason.code(),
        }
    }
}

/// The token trigger as the dispatcher calls it: the whole event back, with `response` filled.
pub async fn handle<R: Registry>(
    triggers: &Triggers<R>,
    event: Value,
) -> Result<Value, super::TriggerError> {
    let (event, _) = answer(triggers, event).await?;
    Ok(event)
}

/// The token trigger, also saying what it decided (for logs and tests).
pub async fn answer<R: Registry>(
    triggers: &Triggers<R>,
    mut event: Value,
) -> Result<(Value, TokenOutcome), TokenEventError> {
    let parsed = TokenEvent::parse(&event)?;
    if parsed.trigger_source == TokenTriggerSource::ClientCredentials {
        return Ok((event, TokenOutcome::ClientCredentials));
    }
    let (status, outcome) = match parsed.attribute("sub").filter(|s| !s.trim().is_empty()) {
        None => withheld(Withheld::NoSub),
        Some(sub) => {
            let budget = triggers.settings.tokens.registry_budget;
            match within_budget(budget, name_for(triggers, &parsed, sub)).await {
                Ok(found) => found,
                Err(RegistryError::Timeout) => withheld(Withheld::RegistryTimeout),
                Err(RegistryError::Corrupt(_)) => withheld(Withheld::RegistryCorrupt),
                Err(RegistryError::Unavailable(_)) => withheld(Withheld::RegistryUnavailable),
            }
        }
    };
    match outcome {
        TokenOutcome::NameWithheld(reason) => tracing::warn!(
            code = reason.code(),
            version = parsed.version.label(),
            "preferred_username withheld from the tokens"
        ),
        TokenOutcome::NameOverridden => tracing::warn!(
            code = outcome.code(),
            version = parsed.version.label(),
            "preferred_username attribute is not the owned name; the tokens carry the owned name"
        ),
        _ => {}
    }
    let mut response = claims::plan_claims(
        triggers.settings.tokens.rules(),
        &status,
        &parsed.request.user_attributes,
        parsed.version.customises_access_token(),
    );
    if parsed.groups_sent {
        response.groups = Some(parsed.request.group_configuration.clone());
    }
    write_response(&mut event, parsed.version, response)?;
    Ok((event, outcome))
}

fn withheld(reason: Withheld) -> (NameStatus, TokenOutcome) {
    (
        NameStatus::Withheld(reason),
        TokenOutcome::NameWithheld(reason),
    )
}

/// The name `sub` owns: one consistent read of the user's record. Only when it names none, the
/// rare paths: the user's own pending reservation (post-confirmation failed, or an administrator's
/// user, for whom it never fires) or first-version claim is committed now.
async fn name_for<R: Registry>(
    triggers: &Triggers<R>,
    event: &TokenEvent,
    sub: &str,
) -> Result<(NameStatus, TokenOutcome), RegistryError> {
    let attribute = event.attribute(NAME_CLAIM);
    let record = triggers.registry.user(sub).await?;
    if let Some(owned) = record.and_then(|r| r.owned) {
        // Another spelling of the owned name (other case, say) is the owned name.
        let differs = attribute.is_some_and(|a| {
            a != owned.display
                && triggers
                    .settings
                    .policy
                    .evaluate(a)
                    .map_or(true, |u| *u.key() != owned.key)
        });
        let outcome = if differs {
            TokenOutcome::NameOverridden
        } else {
            TokenOutcome::NameOwned
        };
        return Ok((
            NameStatus::Owned {
                display: owned.display,
            },
            outcome,
        ));
    }
    let attributes = &event.request.user_attributes;
    let requested = requested_name(
        triggers.settings.name_source,
        event.user_name.as_deref(),
        attributes,
        is_federated(attributes),
    );
    let Some(raw) = requested else {
        // Nothing to claim. An attribute that is there (blank, or not this pool's name source)
        // is no owned name, so it never reaches a token as it is.
        return Ok(match attribute {
            None => (NameStatus::Absent, TokenOutcome::NameAbsent),
            Some(a) if a.trim().is_empty() => withheld(Withheld::Blank),
            Some(_) => withheld(Withheld::Unclaimed),
        });
    };
    let Ok(username) = triggers.settings.policy.evaluate(raw) else {
        return Ok(withheld(Withheld::Invalid));
    };
    let Some(user_name) = event.user_name.as_deref() else {
        return Ok(withheld(Withheld::NoUserName));
    };
    let now = triggers.clock.now();
    let claim = triggers.registry.get(username.key()).await?;
    let mut holder = triggers.holder(user_name);
    let verified = triggers.verified_contacts(attributes);
    // An administrator's user signs in for the first time through the new-password challenge:
    // their reservation may have expired (or been deleted by TTL) while the temporary password
    // still lived, and then the free name is theirs to claim.
    let first_sign_in = matches!(
        event.trigger_source,
        TokenTriggerSource::User(UserSource::NewPasswordChallenge)
    );
    let ours = match claim.as_ref().map(|c| (&c.state, c.is_live(now))) {
        None => first_sign_in,
        Some((ClaimState::Pending { holder: h, .. }, _)) if holder.holds(h) => {
            holder = holder.spelled_as(h);
            true
        }
        Some((ClaimState::Pending { contacts, .. }, true)) => verified.shares_with(contacts),
        Some((ClaimState::Active { owner }, _)) => match owner {
            Owner::Sub(owner) => owner == sub,
            Owner::LegacyUserName(u) if holder.owned_first_version(u) => {
                holder = holder.spelled_as(u);
                true
            }
            Owner::LegacyUserName(_) => false,
        },
        Some((ClaimState::Pending { .. } | ClaimState::Quarantined { .. }, false)) => first_sign_in,
        Some((ClaimState::Quarantined { .. } | ClaimState::Blocked { .. }, _)) => false,
    };
    if !ours {
        let live = claim.as_ref().is_some_and(|c| c.is_live(now));
        return Ok(withheld(if live {
            Withheld::NotOwned
        } else {
            Withheld::Unclaimed
        }));
    }
    // Commit under the registry's display form so the stored claim keeps it; fall back to the
    // attribute's form if the policy no longer derives the same key from it.
    let registered = claim
        .as_ref()
        .and_then(|c| triggers.settings.policy.evaluate(&c.display).ok())
        .filter(|u| u.key() == username.key());
    let commitment = Commitment {
        username: registered.unwrap_or(username),
        holder,
        sub: sub.to_owned(),
        verified,
    };
    Ok(match triggers.registry.commit(&commitment, now).await? {
        CommitOutcome::Committed => (
            NameStatus::Owned {
                display: commitment.username.display().to_owned(),
            },
            TokenOutcome::NameCommitted,
        ),
        CommitOutcome::Taken => withheld(Withheld::CommitTaken),
        CommitOutcome::OwnsAnotherName => withheld(Withheld::NotOwned),
    })
}
