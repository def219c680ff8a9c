//! Reading configuration from environment variables: the source of values, the error that names
//! a bad variable, and the parsers for switches and durations. The lowest layer: it imports nothing
//! of the crate, so every module that reads a setting can import it.

use thiserror::Error;

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
    let value = parse_duration(raw).ok_or_else(|| {
        ConfigError::new(
            var,
            format!("`{raw}` is not a duration: use seconds or a number with s, m, h or d"),
        )
    })?;
    if value < min || value > max {
        return Err(ConfigError::new(
            var,
            format!("`{raw}` is outside {}s..={}s", min.as_secs(), max.as_secs()),
        ));
    }
    Ok(value)
}

/// A duration as whole seconds (`86400`) or with one unit suffix (`90s`, `30m`, `24h`, `7d`);
/// `None` for anything else.
pub fn parse_duration(raw: &str) -> Option<std::time::Duration> {
    let raw = raw.trim();
    let (digits, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => raw.split_at(i),
        None => (raw, "s"),
    };
    let factor: u64 = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let seconds = digits.parse::<u64>().ok()?.checked_mul(factor)?;
    Some(std::time::Duration::from_secs(seconds))
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
