//! Settings of the sign-up triggers (pre-sign-up and post-confirmation), read once at init.

use crate::env::{bool_from_env, duration_from_env, ConfigError, EnvSource};
use std::time::Duration;

/// `true` denies a sign-up that brings no name (federated users excepted).
pub const ENV_REQUIRED: &str = "USERNAMES_REQUIRED";
/// How long a name stays reserved for an unconfirmed sign-up: seconds, or `30m`, `24h`, `7d`.
pub const ENV_PENDING_TTL: &str = "USERNAMES_PENDING_TTL";
/// How long a name stays reserved for a user an administrator created (`AdminCreateUser`): at
/// least as long as the pool's temporary passwords live, since the user claims it at first sign-in.
pub const ENV_ADMIN_PENDING_TTL: &str = "USERNAMES_ADMIN_PENDING_TTL";
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
/// Cognito's default `TemporaryPasswordValidityDays`.
pub const DEFAULT_ADMIN_PENDING_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Cognito's largest `TemporaryPasswordValidityDays`.
pub const MAX_ADMIN_PENDING_TTL: Duration = Duration::from_secs(365 * 24 * 60 * 60);
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
    /// Lifetime of an administrator-created user's pending reservation.
    pub admin_pending_ttl: Duration,
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
            admin_pending_ttl: DEFAULT_ADMIN_PENDING_TTL,
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
            admin_pending_ttl: duration_from_env(
                env,
                ENV_ADMIN_PENDING_TTL,
                DEFAULT_ADMIN_PENDING_TTL,
                MIN_PENDING_TTL,
                MAX_ADMIN_PENDING_TTL,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    #[test]
    fn defaults_reserve_for_a_day_and_switch_nothing_on() {
        let settings = SignUpSettings::from_env(&env(&[])).unwrap();
        assert_eq!(settings, SignUpSettings::default());
        assert_eq!(settings.pending_ttl, Duration::from_secs(86_400));
        assert_eq!(settings.admin_pending_ttl, Duration::from_secs(7 * 86_400));
        assert!(!settings.required && !settings.auto_confirm);
        assert!(!settings.auto_verify_email && !settings.auto_verify_phone);
    }

    #[test]
    fn reads_every_knob() {
        let settings = SignUpSettings::from_env(&env(&[
            (ENV_REQUIRED, "true"),
            (ENV_PENDING_TTL, "2h"),
            (ENV_ADMIN_PENDING_TTL, "30d"),
            (ENV_AUTO_CONFIRM, "1"),
            (ENV_AUTO_VERIFY_EMAIL, "yes"),
            (ENV_AUTO_VERIFY_PHONE, "TRUE"),
        ]))
        .unwrap();
        assert!(settings.required && settings.auto_confirm);
        assert!(settings.auto_verify_email && settings.auto_verify_phone);
        assert_eq!(settings.pending_ttl, Duration::from_secs(7200));
        assert_eq!(settings.admin_pending_ttl, Duration::from_secs(30 * 86_400));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (var, value) in [
            (ENV_REQUIRED, "maybe"),
            (ENV_PENDING_TTL, "1m"),
            (ENV_PENDING_TTL, "31d"),
            (ENV_PENDING_TTL, "soon"),
            (ENV_ADMIN_PENDING_TTL, "366d"),
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
