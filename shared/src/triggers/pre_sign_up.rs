//! PreSignUp (`_SignUp`, `_AdminCreateUser`, `_ExternalProvider`): the username policy, then one
//! conditional reservation of the name in the registry, then the configured auto-confirm and
//! auto-verify answer. A registry that fails or is slow denies the sign-up: never a duplicate.

use super::{requested_name, within_budget, TriggerError, Triggers};
use crate::config::{bool_from_env, duration_from_env, ConfigError, EnvSource};
use crate::events::sign_up::{
    write_pre_sign_up_response, PreSignUpEvent, PreSignUpResponse, PreSignUpSource,
};
use crate::events::EventError;
use crate::registry::{EmailHash, Registry, Reservation, ReserveOutcome};
use serde_json::Value;
use std::time::Duration;

/// `true` denies a sign-up that brings no name (federated users excepted).
pub const ENV_REQUIRED: &str = "USERNAMES_REQUIRED";
/// How long a name stays reserved for an unconfirmed sign-up: seconds, or `30m`, `24h`, `7d`.
pub const ENV_PENDING_TTL: &str = "USERNAMES_PENDING_TTL";
/// `true` confirms new users without a code.
pub const ENV_AUTO_CONFIRM: &str = "USERNAMES_AUTO_CONFIRM";
/// `true` marks a new user's email verified (only when an email was given).
pub const ENV_AUTO_VERIFY_EMAIL: &str = "USERNAMES_AUTO_VERIFY_EMAIL";
/// `true` marks a new user's phone number verified (only when one was given).
pub const ENV_AUTO_VERIFY_PHONE: &str = "USERNAMES_AUTO_VERIFY_PHONE";

pub const DEFAULT_PENDING_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Shorter than this and people with slow mail lose their name before they can confirm.
pub const MIN_PENDING_TTL: Duration = Duration::from_secs(5 * 60);
/// Longer than this and abandoned sign-ups keep names from real people for too long.
pub const MAX_PENDING_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The registry call's safety net: the SDK's operation timeout (2.5 s) normally ends it first;
/// this keeps the "try again" answer inside 3 s whatever hangs.
pub const DEFAULT_REGISTRY_BUDGET: Duration = Duration::from_millis(2800);

/// Settings of the sign-up triggers, read once at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpSettings {
    /// Deny a local sign-up that brings no name.
    pub required: bool,
    /// Lifetime of a pending reservation.
    pub pending_ttl: Duration,
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
    /// See [`DEFAULT_REGISTRY_BUDGET`]; not an environment setting.
    pub registry_budget: Duration,
}

impl Default for SignUpSettings {
    fn default() -> Self {
        Self {
            required: false,
            pending_ttl: DEFAULT_PENDING_TTL,
            auto_confirm: false,
            auto_verify_email: false,
            auto_verify_phone: false,
            registry_budget: DEFAULT_REGISTRY_BUDGET,
        }
    }
}

impl SignUpSettings {
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        Ok(Self {
            required: bool_from_env(env, ENV_REQUIRED, defaults.required)?,
            pending_ttl: duration_from_env(
                env,
                ENV_PENDING_TTL,
                DEFAULT_PENDING_TTL,
                MIN_PENDING_TTL,
                MAX_PENDING_TTL,
            )?,
            auto_confirm: bool_from_env(env, ENV_AUTO_CONFIRM, defaults.auto_confirm)?,
            auto_verify_email: bool_from_env(
                env,
                ENV_AUTO_VERIFY_EMAIL,
                defaults.auto_verify_email,
            )?,
            auto_verify_phone: bool_from_env(
                env,
                ENV_AUTO_VERIFY_PHONE,
                defaults.auto_verify_phone,
            )?,
            registry_budget: defaults.registry_budget,
        })
    }
}

/// What a successful pre-sign-up came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// The name is held for this user, pending confirmation (newly, or already by a replay).
    NameReserved,
    /// No name to check (none given and none required, or a federated user).
    NameAbsent,
}

impl SignUpOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::NameReserved => "name_reserved",
            Self::NameAbsent => "name_absent",
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
    // A federated user cannot type a name during sign-in, so requiring one would lock them out;
    // a name mapped from their provider is still checked and reserved like any other.
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
        Some(raw) => {
            reserve(triggers, &parsed, raw).await?;
            SignUpOutcome::NameReserved
        }
    };
    write_pre_sign_up_response(&mut event, &response_for(triggers, &parsed))?;
    Ok((event, outcome))
}

/// Policy, then one conditional write. The email is kept only as a hash, so that the same person
/// retrying a failed sign-up (with a new generated `userName`) is not locked out by their own
/// pending reservation.
async fn reserve<R: Registry>(
    triggers: &Triggers<R>,
    event: &PreSignUpEvent,
    raw: &str,
) -> Result<(), TriggerError> {
    let username = triggers.settings.policy.evaluate(raw)?;
    let owner = event.user_name.clone().ok_or(EventError::MissingUserName)?;
    let now = triggers.clock.now();
    let lifetime =
        i64::try_from(triggers.settings.sign_up.pending_ttl.as_secs()).unwrap_or(i64::MAX);
    let reservation = Reservation {
        username,
        owner,
        email_hash: event
            .attribute("email")
            .filter(|email| !email.trim().is_empty())
            .map(EmailHash::of_email),
        expires_at: now.saturating_add(lifetime),
    };
    let budget = triggers.settings.sign_up.registry_budget;
    match within_budget(budget, triggers.registry.reserve(&reservation, now)).await? {
        ReserveOutcome::Reserved => Ok(()),
        ReserveOutcome::Taken => Err(TriggerError::NameTaken),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::env;

    #[test]
    fn defaults_reserve_for_a_day_and_switch_nothing_on() {
        let settings = SignUpSettings::from_env(&env(&[])).unwrap();
        assert_eq!(settings, SignUpSettings::default());
        assert_eq!(settings.pending_ttl, Duration::from_secs(86_400));
        assert!(!settings.required && !settings.auto_confirm);
        assert!(!settings.auto_verify_email && !settings.auto_verify_phone);
    }

    #[test]
    fn reads_every_knob() {
        let settings = SignUpSettings::from_env(&env(&[
            (ENV_REQUIRED, "true"),
            (ENV_PENDING_TTL, "2h"),
            (ENV_AUTO_CONFIRM, "1"),
            (ENV_AUTO_VERIFY_EMAIL, "yes"),
            (ENV_AUTO_VERIFY_PHONE, "TRUE"),
        ]))
        .unwrap();
        assert!(settings.required && settings.auto_confirm);
        assert!(settings.auto_verify_email && settings.auto_verify_phone);
        assert_eq!(settings.pending_ttl, Duration::from_secs(7200));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (var, value) in [
            (ENV_REQUIRED, "maybe"),
            (ENV_PENDING_TTL, "1m"),
            (ENV_PENDING_TTL, "31d"),
            (ENV_PENDING_TTL, "soon"),
            (ENV_AUTO_CONFIRM, "on"),
            (ENV_AUTO_VERIFY_EMAIL, "2"),
            (ENV_AUTO_VERIFY_PHONE, "y"),
        ] {
            let err = SignUpSettings::from_env(&env(&[(var, value)])).unwrap_err();
            assert_eq!(err.var, var, "{value}");
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
