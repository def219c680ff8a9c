//! Settings of a name's life after sign-up (docs/api.md): how long a given-up name stays in
//! quarantine, and how long a user waits between two renames. Read by the operator commands and
//! the rename API alike, so both use one definition.

use crate::env::{duration_from_env, ConfigError, EnvSource};
use std::time::Duration;

/// How long a name given up by rename, release or deletion stays held for its previous owner.
pub const ENV_QUARANTINE: &str = "USERNAMES_QUARANTINE";
/// How long a user waits between two renames.
pub const ENV_RENAME_COOLDOWN: &str = "USERNAMES_RENAME_COOLDOWN";

pub const DEFAULT_QUARANTINE: Duration = Duration::from_secs(14 * 24 * 60 * 60);
pub const DEFAULT_RENAME_COOLDOWN: Duration = Duration::from_secs(24 * 60 * 60);
/// Zero turns the rule off (a name given up is free at once; renames are unlimited).
pub const MIN_LIFECYCLE: Duration = Duration::ZERO;
/// Longer than a year holds names of people who left for longer than anyone would wait.
pub const MAX_QUARANTINE: Duration = Duration::from_secs(365 * 24 * 60 * 60);
pub const MAX_RENAME_COOLDOWN: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Quarantine and cooldown, read once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleSettings {
    pub quarantine: Duration,
    pub rename_cooldown: Duration,
}

impl Default for LifecycleSettings {
    fn default() -> Self {
        Self {
            quarantine: DEFAULT_QUARANTINE,
            rename_cooldown: DEFAULT_RENAME_COOLDOWN,
        }
    }
}

impl LifecycleSettings {
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Self {
            quarantine: duration_from_env(
                env,
                ENV_QUARANTINE,
                DEFAULT_QUARANTINE,
                MIN_LIFECYCLE,
                MAX_QUARANTINE,
            )?,
            rename_cooldown: duration_from_env(
                env,
                ENV_RENAME_COOLDOWN,
                DEFAULT_RENAME_COOLDOWN,
                MIN_LIFECYCLE,
                MAX_RENAME_COOLDOWN,
            )?,
        })
    }

    /// The end of a quarantine that starts at `now`.
    pub fn quarantine_until(&self, now: i64) -> i64 {
        now.saturating_add(secs(self.quarantine))
    }

    /// The cooldown in seconds, as `Rename::cooldown` takes it.
    pub fn cooldown_secs(&self) -> i64 {
        secs(self.rename_cooldown)
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    #[test]
    fn defaults_are_fourteen_days_and_a_day() {
        let settings = LifecycleSettings::from_env(&env(&[])).unwrap();
        assert_eq!(settings, LifecycleSettings::default());
        assert_eq!(settings.quarantine_until(100), 100 + 14 * 86_400);
        assert_eq!(settings.cooldown_secs(), 86_400);
    }

    #[test]
    fn both_read_durations_and_a_bad_value_names_its_variable() {
        let settings = LifecycleSettings::from_env(&env(&[
            (ENV_QUARANTINE, "7d"),
            (ENV_RENAME_COOLDOWN, "0"),
        ]))
        .unwrap();
        assert_eq!(settings.quarantine, Duration::from_secs(7 * 86_400));
        assert_eq!(settings.cooldown_secs(), 0);
        for (var, bad) in [(ENV_QUARANTINE, "400d"), (ENV_RENAME_COOLDOWN, "soon")] {
            assert_eq!(
                LifecycleSettings::from_env(&env(&[(var, bad)]))
                    .unwrap_err()
                    .var,
                var
            );
        }
    }
}
