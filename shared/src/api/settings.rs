//! The HTTP API's own settings (docs/api.md#configuration), read once at init next to the triggers' `Settings`:
//! quarantine and cooldown lengths, the pool whose attribute a rename mirrors, and (shared with
//! the triggers) where names come from, which decides whether they can change at all.

use crate::config::lifecycle::LifecycleSettings;
pub use crate::config::lifecycle::{ENV_QUARANTINE, ENV_RENAME_COOLDOWN};
use crate::config::NameSource;
use crate::env::{ConfigError, EnvSource};
use std::time::Duration;

/// The user pool whose `preferred_username` a rename mirrors; unset, nothing is mirrored.
pub const ENV_USER_POOL_ID: &str = "USERNAMES_USER_POOL_ID";

/// Every variable only the API reads (the triggers never do).
pub const API_VARIABLES: [&str; 3] = [ENV_QUARANTINE, ENV_RENAME_COOLDOWN, ENV_USER_POOL_ID];

/// The API's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSettings {
    /// Default 14 days; 0 frees a name given up at once.
    pub quarantine: Duration,
    /// Default 24 hours; 0 lets a user rename as often as they like.
    pub cooldown: Duration,
    pub user_pool_id: Option<String>,
    /// `USERNAMES_SOURCE`, as the triggers read it: with [`NameSource::Username`] a name is the
    /// Cognito `userName` users sign in with, which nobody can change, so the API renames and
    /// releases nothing.
    pub name_source: NameSource,
    /// `USERNAMES_CASE_SENSITIVE_USERNAMES`, as the triggers read it: how a caller's `userName`
    /// is compared with the owner of a first-version name.
    pub case_sensitive_user_names: bool,
    /// `USERNAMES_DEFAULT_LOCALE`, as the triggers read it: the language of an answer whose
    /// request asks for none of ours.
    pub default_locale: crate::messages::Locale,
    /// `USERNAMES_RESERVED_CONTAINS` and `USERNAMES_RULES_CACHE`, as the triggers read them.
    pub rules: crate::registry::word_rules::RuleSettings,
}

impl Default for ApiSettings {
    fn default() -> Self {
        let lifecycle = LifecycleSettings::default();
        Self {
            quarantine: lifecycle.quarantine,
            cooldown: lifecycle.rename_cooldown,
            user_pool_id: None,
            name_source: NameSource::default(),
            case_sensitive_user_names: false,
            default_locale: crate::messages::Locale::En,
            rules: Default::default(),
        }
    }
}

impl ApiSettings {
    /// Reads and validates every API setting; the first bad value is the error.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        // The same definition as the operator commands read (one place for both).
        let lifecycle = LifecycleSettings::from_env(env)?;
        Ok(Self {
            quarantine: lifecycle.quarantine,
            cooldown: lifecycle.rename_cooldown,
            user_pool_id: user_pool_id_from_env(env)?,
            name_source: NameSource::from_env(env)?,
            case_sensitive_user_names: crate::env::bool_from_env(
                env,
                crate::config::ENV_CASE_SENSITIVE_USERNAMES,
                false,
            )?,
            default_locale: crate::config::default_locale_from_env(env)?,
            rules: crate::registry::word_rules::RuleSettings::from_env(env)?,
        })
    }

    /// Seconds of quarantine, as the registry takes them.
    pub fn quarantine_secs(&self) -> i64 {
        i64::try_from(self.quarantine.as_secs()).unwrap_or(i64::MAX)
    }

    /// Seconds of cooldown, as the registry takes them.
    pub fn cooldown_secs(&self) -> i64 {
        i64::try_from(self.cooldown.as_secs()).unwrap_or(i64::MAX)
    }
}

/// A user pool id is `<region>_<id>` (`eu-west-1_AbC123`); checked here so that a typo stops init
/// instead of failing every rename's mirror.
pub fn user_pool_id_from_env(env: &impl EnvSource) -> Result<Option<String>, ConfigError> {
    let Some(raw) = env.var(ENV_USER_POOL_ID) else {
        return Ok(None);
    };
    let id = raw.trim();
    let valid = id.len() <= 55
        && id.split_once('_').is_some_and(|(region, rest)| {
            !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !rest.is_empty()
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if valid {
        Ok(Some(id.to_string()))
    } else {
        Err(ConfigError::new(
            ENV_USER_POOL_ID,
            format!("`{id}` is not a user pool id (like eu-west-1_AbC123)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    #[test]
    fn defaults_are_fourteen_days_and_a_day_without_a_pool() {
        let settings = ApiSettings::from_env(&env(&[])).unwrap();
        assert_eq!(settings, ApiSettings::default());
        assert_eq!(settings.quarantine_secs(), 14 * 86_400);
        assert_eq!(settings.cooldown_secs(), 86_400);
        assert_eq!(settings.user_pool_id, None);
    }

    #[test]
    fn lengths_take_units_and_zero_and_refuse_nonsense() {
        let settings = ApiSettings::from_env(&env(&[
            (ENV_QUARANTINE, "30d"),
            (ENV_RENAME_COOLDOWN, "0"),
            (ENV_USER_POOL_ID, " eu-west-1_AbC123 "),
        ]))
        .unwrap();
        assert_eq!(settings.quarantine_secs(), 30 * 86_400);
        assert_eq!(settings.cooldown_secs(), 0);
        assert_eq!(settings.user_pool_id.as_deref(), Some("eu-west-1_AbC123"));
        assert_eq!(settings.name_source, NameSource::PreferredUsername);
        let settings =
            ApiSettings::from_env(&env(&[(crate::config::ENV_SOURCE, "username")])).unwrap();
        assert_eq!(settings.name_source, NameSource::Username);
        for (var, bad) in [
            (ENV_QUARANTINE, "two weeks"),
            (ENV_QUARANTINE, "400d"),
            (ENV_RENAME_COOLDOWN, "-1"),
            (ENV_USER_POOL_ID, "eu-west-1"),
            (ENV_USER_POOL_ID, "pool/x_y"),
            (crate::config::ENV_SOURCE, "email"),
        ] {
            let err = ApiSettings::from_env(&env(&[(var, bad)])).unwrap_err();
            assert_eq!(err.var, var, "{bad}");
        }
    }
}
