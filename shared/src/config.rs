//! Configuration read once from environment variables at init; a bad value is a `ConfigError`
//! that stops the function before its first invocation.

use thiserror::Error;

/// The registry's DynamoDB table. Required by the Lambda functions; the CLI uses its embedded
/// store when it is unset.
pub const ENV_TABLE: &str = "USERNAMES_TABLE";
/// Where a user's name comes from: `preferred_username` (default) or `username`.
pub const ENV_SOURCE: &str = "USERNAMES_SOURCE";

/// A configuration value that cannot be used. The message names the variable and what it takes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid configuration: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl ConfigError {
    pub fn new(var: &'static str, reason: impl Into<String>) -> Self {
        Self {
            var,
            reason: reason.into(),
        }
    }
}

/// Looks up one environment variable; tests pass a map instead of the process environment.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment. Empty values count as unset, as they do in SAM parameters.
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<S: std::hash::BuildHasher> EnvSource for std::collections::HashMap<String, String, S> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned().filter(|v| !v.trim().is_empty())
    }
}

/// Where the triggers read a user's display name from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameSource {
    /// The `preferred_username` attribute: pools that sign in with email or phone.
    #[default]
    PreferredUsername,
    /// The Cognito `userName` itself: pools without username attributes, where the policy and the
    /// registry add the checks and confusable-insensitive uniqueness Cognito lacks.
    Username,
}

impl NameSource {
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        match env.var(ENV_SOURCE).as_deref().map(str::trim) {
            None | Some("preferred_username") => Ok(Self::PreferredUsername),
            Some("username") => Ok(Self::Username),
            Some(other) => Err(ConfigError::new(
                ENV_SOURCE,
                format!("`{other}` is not `preferred_username` or `username`"),
            )),
        }
    }

    /// The name as the configuration spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreferredUsername => "preferred_username",
            Self::Username => "username",
        }
    }
}

/// Every setting of the triggers, read once at init.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `USERNAMES_TABLE`, if set; see [`Settings::required_table`].
    pub table: Option<String>,
    pub name_source: NameSource,
    pub policy: crate::policy::Policy,
    pub sign_up: crate::triggers::pre_sign_up::SignUpSettings,
    pub tokens: crate::triggers::pre_token_generation::TokenSettings,
}

impl Settings {
    /// Reads and validates every setting; the first bad value is the error.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self {
            table: table_from_env(env)?,
            name_source: NameSource::from_env(env)?,
            policy: crate::policy::Policy::from_env(env)?,
            sign_up: crate::triggers::pre_sign_up::SignUpSettings::from_env(env)?,
            tokens: crate::triggers::pre_token_generation::TokenSettings::from_env(env)?,
        })
    }

    /// The table name, for the Lambda functions, which have no store without it.
    pub fn required_table(&self) -> Result<&str, ConfigError> {
        self.table.as_deref().ok_or_else(|| {
            ConfigError::new(
                ENV_TABLE,
                "is required: the name of the registry's DynamoDB table",
            )
        })
    }
}

/// A DynamoDB table name (3 to 255 of `A-Z a-z 0-9 _ - .`) or a table ARN, which DynamoDB also
/// accepts as `TableName`. Checked here so a typo stops init instead of failing every sign-up.
fn table_from_env(env: &impl EnvSource) -> Result<Option<String>, ConfigError> {
    let Some(raw) = env.var(ENV_TABLE) else {
        return Ok(None);
    };
    let table = raw.trim();
    let is_arn = table.starts_with("arn:") && table.contains(":table/") && table.len() <= 1024;
    let is_name = (3..=255).contains(&table.len())
        && table
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if is_arn || is_name {
        Ok(Some(table.to_string()))
    } else {
        Err(ConfigError::new(
            ENV_TABLE,
            format!(
                "`{table}` is not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .) or table ARN"
            ),
        ))
    }
}

/// Reads a switch: `true`/`false`, `1`/`0` or `yes`/`no`, in any case; unset is `default`.
pub fn bool_from_env(
    env: &impl EnvSource,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match env.var(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(ConfigError::new(
                var,
                format!("`{}` is not true or false", raw.trim()),
            )),
        },
    }
}

/// Reads a duration as whole seconds (`86400`) or with one unit suffix (`90s`, `30m`, `24h`,
/// `7d`), within `min..=max`; unset is `default`.
pub fn duration_from_env(
    env: &impl EnvSource,
    var: &'static str,
    default: std::time::Duration,
    min: std::time::Duration,
    max: std::time::Duration,
) -> Result<std::time::Duration, ConfigError> {
    let Some(raw) = env.var(var) else {
        return Ok(default);
    };
    let raw = raw.trim();
    let unreadable = || {
        ConfigError::new(
            var,
            format!("`{raw}` is not a duration: use seconds or a number with s, m, h or d"),
        )
    };
    let (digits, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => raw.split_at(i),
        None => (raw, "s"),
    };
    let factor: u64 = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(unreadable()),
    };
    let seconds = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(unreadable)?;
    let value = std::time::Duration::from_secs(seconds);
    if value < min || value > max {
        return Err(ConfigError::new(
            var,
            format!("`{raw}` is outside {}s..={}s", min.as_secs(), max.as_secs()),
        ));
    }
    Ok(value)
}

/// An environment made of `(variable, value)` pairs, for the configuration tests of every module.
#[cfg(test)]
pub(crate) fn env(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn defaults_need_no_environment() {
        let settings = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(settings.table, None);
        assert_eq!(settings.name_source, NameSource::PreferredUsername);
        assert_eq!(settings.required_table().unwrap_err().var, ENV_TABLE);
    }

    #[test]
    fn table_names_and_arns_are_accepted_anything_else_stops_init() {
        for good in [
            "usernames",
            "my_app-usernames.v2",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/usernames",
        ] {
            let settings = Settings::from_env(&env(&[(ENV_TABLE, good)])).unwrap();
            assert_eq!(settings.required_table().unwrap(), good);
        }
        for bad in ["ab", "my table", "usernames/x", "arn:aws:s3:::bucket"] {
            let err = Settings::from_env(&env(&[(ENV_TABLE, bad)])).unwrap_err();
            assert_eq!(err.var, ENV_TABLE, "{bad}");
        }
    }

    #[test]
    fn name_source_takes_two_values() {
        let read = |v: &str| NameSource::from_env(&env(&[(ENV_SOURCE, v)]));
        assert_eq!(
            read("preferred_username"),
            Ok(NameSource::PreferredUsername)
        );
        assert_eq!(read(" username "), Ok(NameSource::Username));
        assert_eq!(read("email").unwrap_err().var, ENV_SOURCE);
    }

    #[test]
    fn switches_read_common_spellings() {
        const VAR: &str = "X_SWITCH";
        for (raw, expected) in [
            ("TRUE", true),
            ("1", true),
            ("yes", true),
            ("False", false),
            ("0", false),
        ] {
            assert_eq!(
                bool_from_env(&env(&[(VAR, raw)]), VAR, !expected),
                Ok(expected)
            );
        }
        assert_eq!(bool_from_env(&env(&[]), VAR, true), Ok(true));
        assert_eq!(
            bool_from_env(&env(&[(VAR, "on")]), VAR, false)
                .unwrap_err()
                .var,
            VAR
        );
    }

    #[test]
    fn durations_take_seconds_or_a_unit_within_bounds() {
        const VAR: &str = "X_TTL";
        let read = |raw: &str| {
            duration_from_env(
                &env(&[(VAR, raw)]),
                VAR,
                Duration::from_secs(5),
                Duration::from_secs(60),
                Duration::from_secs(2 * 86_400),
            )
        };
        assert_eq!(read("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(read("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(read("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(read("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(read("2d"), Ok(Duration::from_secs(172_800)));
        for bad in [
            "59",
            "3d",
            "h",
            "1.5h",
            "-5",
            "24 hours",
            "99999999999999999999",
        ] {
            assert_eq!(read(bad).unwrap_err().var, VAR, "{bad}");
        }
    }
}
