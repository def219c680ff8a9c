//! PreSignUp (`_SignUp`, `_AdminCreateUser`, `_ExternalProvider`): the username policy, then one
//! conditional reservation of the name in the registry, then the configured auto-confirm and
//! auto-verify answer. A registry that fails or is slow denies a local sign-up: never a
//! duplicate. A federated sign-up is always admitted (docs/tokens.md).

use super::pool::Presence;
use super::{requested_name, within_budget, TriggerError, Triggers};
use crate::events::sign_up::{
    write_pre_sign_up_response, PreSignUpEvent, PreSignUpResponse, PreSignUpSource,
};
use crate::events::EventError;
use crate::policy::PolicyViolation;
use crate::registry::contact::HOLDER_HASH_PREFIX;
use crate::registry::word_rules::matching_rule;
use crate::registry::{Registry, Reservation, ReserveOutcome};
use serde_json::Value;
use std::time::Duration;

/// How long pre-sign-up waits for the pool's answer about a colliding holder: with the
/// registry's own budget, well inside Cognito's 5 s.
pub const POOL_BUDGET: Duration = Duration::from_millis(1500);

/// What a successful pre-sign-up came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// The name is held for this user, pending confirmation (newly, or already by a replay).
    NameReserved,
    /// An earlier sign-up with the same email or phone holds the name, and its `userName` no
    /// longer exists in the pool (that sign-up failed): admitted, and the confirmation takes the
    /// name over if that contact is verified by then.
    NameHeldForRetry,
    /// No name to check (none given and none required, or a federated user).
    NameAbsent,
    /// A federated user admitted without their mapped name, for the reason the code gives
    /// (taken, a policy code, the registry failing): the tokens withhold it.
    FederatedNameNotReserved(&'static str),
}

impl SignUpOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::NameReserved => "name_reserved",
            Self::NameHeldForRetry => "name_held_for_retry",
            Self::NameAbsent => "name_absent",
            Self::FederatedNameNotReserved(code) => code,
        }
    }
}

/// The pre-sign-up trigger: the whole event back with `response` filled, or the rejection.
pub async fn handle<R: Registry>(
    triggers: &Triggers<R>,
    event: Value,
) -> Result<Value, TriggerError> {
    answer(triggers, event).await.map(|(event, _)| event)
}

/// [`handle`], also saying what it decided.
pub async fn answer<R: Registry>(
    triggers: &Triggers<R>,
    mut event: Value,
) -> Result<(Value, SignUpOutcome), TriggerError> {
    let parsed = PreSignUpEvent::parse(&event)?;
    let settings = &triggers.settings;
    // A federated user cannot type a name during sign-in, and Cognito runs this trigger on every
    // attempt until the user exists: refusing would lock them out for good (a stranger could do
    // it by reserving their IdP nickname, an outage would do it to everyone).
    let federated = parsed.trigger_source == PreSignUpSource::ExternalProvider;
    let raw = requested_name(
        settings.name_source,
        parsed.user_name.as_deref(),
        &parsed.request.user_attributes,
        federated,
    );
    let outcome = match raw {
        None if settings.sign_up.required && !federated => return Err(TriggerError::NameRequired),
        None => SignUpOutcome::NameAbsent,
        Some(raw) if federated => match reserve(triggers, &parsed, raw).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    "federated sign-up admitted without its name; tokens will withhold it"
                );
                SignUpOutcome::FederatedNameNotReserved(e.code())
            }
        },
        Some(raw) => reserve(triggers, &parsed, raw).await?,
    };
    write_pre_sign_up_response(&mut event, &response_for(triggers, &parsed))?;
    Ok((event, outcome))
}

/// Policy, then one conditional write, held by the sign-up's `userName` (no `sub` exists yet).
/// The email and phone are kept only as keyed hashes, so that the same person retrying a failed
/// sign-up (with a new generated `userName`) is not locked out by their own pending reservation.
async fn reserve<R: Registry>(
    triggers: &Triggers<R>,
    event: &PreSignUpEvent,
    raw: &str,
) -> Result<SignUpOutcome, TriggerError> {
    let username = triggers.settings.policy.evaluate(raw)?;
    let user_name = event
        .user_name
        .as_deref()
        .ok_or(EventError::MissingUserName)?;
    let now = triggers.clock.now();
    let sign_up = &triggers.settings.sign_up;
    // The rules (read at most once a minute) and the reservation share one budget, so that the
    // two reads never pass Cognito's five seconds together.
    let deadline = tokio::time::Instant::now() + sign_up.registry_budget;
    let rules = within_budget(
        sign_up.registry_budget,
        triggers.rules.rules(&triggers.registry, now),
    )
    .await?;
    if matching_rule(&username, &rules).is_some() {
        return Err(PolicyViolation::Reserved.into());
    }
    // An administrator's user claims the name at first sign-in, which may come as late as the
    // temporary password allows.
    let lifetime = match event.trigger_source {
        PreSignUpSource::AdminCreateUser => sign_up.admin_pending_ttl,
        _ => sign_up.pending_ttl,
    };
    let lifetime = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    let reservation = Reservation {
        username,
        holder: triggers.holder(user_name).sealed_by(&triggers.contact_key),
        contacts: triggers.reservation_contacts(&event.request.user_attributes),
        expires_at: now.saturating_add(lifetime),
    };
    let budget = deadline.saturating_duration_since(tokio::time::Instant::now());
    match within_budget(budget, triggers.registry.reserve(&reservation, now)).await? {
        ReserveOutcome::Reserved => Ok(SignUpOutcome::NameReserved),
        ReserveOutcome::HeldForRetry { holder, sealed } => {
            let holder = match holder.starts_with(HOLDER_HASH_PREFIX) {
                true => sealed.and_then(|sealed| triggers.contact_key.open(&sealed)),
                // An earlier version's reservation keeps the `userName` in clear.
                false => Some(holder),
            };
            if holder_is_gone(triggers, event, holder.as_deref()).await {
                Ok(SignUpOutcome::NameHeldForRetry)
            } else {
                Err(TriggerError::NameTaken)
            }
        }
        ReserveOutcome::Taken => Err(TriggerError::NameTaken),
    }
}

/// Whether the pool says the holder of a colliding reservation no longer exists. Anything short
/// of that (no `userName` to ask about, no pool, an error, no answer in time) is `false`: the
/// sign-up is then refused exactly as one that shares no contact, so its answer never tells
/// whose email is behind a name.
async fn holder_is_gone<R: Registry>(
    triggers: &Triggers<R>,
    event: &PreSignUpEvent,
    holder: Option<&str>,
) -> bool {
    let (Some(holder), Some(pool_id)) = (holder, event.user_pool_id.as_deref()) else {
        return false;
    };
    match tokio::time::timeout(POOL_BUDGET, triggers.pool.presence(pool_id, holder)).await {
        Ok(Ok(Presence::Gone)) => true,
        Ok(Ok(Presence::Exists)) => false,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "the pool did not say whether a holder exists; taken");
            false
        }
        Err(_) => {
            tracing::warn!("the pool did not answer in time about a holder; taken");
            false
        }
    }
}

/// The configured switches; an attribute the user did not give is never marked verified
/// (Cognito rejects the whole sign-up if it is).
fn response_for<R: Registry>(triggers: &Triggers<R>, event: &PreSignUpEvent) -> PreSignUpResponse {
    let settings = &triggers.settings.sign_up;
    let present = |name| event.attribute(name).is_some_and(|v| !v.trim().is_empty());
    let mut response = PreSignUpResponse::default();
    response.auto_confirm_user = settings.auto_confirm;
    response.auto_verify_email = settings.auto_verify_email && present("email");
    response.auto_verify_phone = settings.auto_verify_phone && present("phone_number");
    response
}
