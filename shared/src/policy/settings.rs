//! The policy's environment variables, read and validated once at init.

use super::{DomainTlds, Policy, Profanity, ScriptPolicy, MAX_LENGTH_CAP};
use crate::env::{ConfigError, EnvSource};

/// Fewest code points in a name (default 3).
pub const ENV_MIN_LENGTH: &str = "USERNAMES_MIN_LENGTH";
/// Most code points in a name (default 32, at most 64).
pub const ENV_MAX_LENGTH: &str = "USERNAMES_MAX_LENGTH";
/// Extra reserved names, comma-separated (default none).
pub const ENV_RESERVED: &str = "USERNAMES_RESERVED";
/// `single-script` (default) or `highly-restrictive`.
pub const ENV_SCRIPT_POLICY: &str = "USERNAMES_SCRIPT_POLICY";
/// `true` (default) or `false`.
pub const ENV_REJECT_PII_LOOKALIKES: &str = "USERNAMES_REJECT_PII_LOOKALIKES";
/// `linkify` (default) or `all`: the top-level domains that make a dotted name a domain.
pub const ENV_DOMAIN_TLDS: &str = "USERNAMES_DOMAIN_TLDS";
/// `severe` (default), `moderate` or `off`: which slurs and profanity make a name inappropriate.
pub const ENV_PROFANITY: &str = "USERNAMES_PROFANITY";

impl Policy {
    /// Reads the policy's settings from the environment; unset variables keep their defaults.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let defaults = Policy::default();
        let min = match env.var(ENV_MIN_LENGTH) {
            Some(v) => parse_length(ENV_MIN_LENGTH, &v)?,
            None => defaults.min_length,
        };
        let max = match env.var(ENV_MAX_LENGTH) {
            Some(v) => parse_length(ENV_MAX_LENGTH, &v)?,
            None => defaults.max_length,
        };
        let mut policy = defaults.with_length_bounds(min, max)?;
        if let Some(v) = env.var(ENV_SCRIPT_POLICY) {
            let script_policy = ScriptPolicy::parse(&v).ok_or_else(|| {
                ConfigError::new(
                    ENV_SCRIPT_POLICY,
                    format!("{v:?} is not one of single-script, highly-restrictive"),
                )
            })?;
            policy = policy.with_script_policy(script_policy);
        }
        if let Some(v) = env.var(ENV_REJECT_PII_LOOKALIKES) {
            let reject = match v.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(ConfigError::new(
                        ENV_REJECT_PII_LOOKALIKES,
                        format!("{v:?} is not true or false"),
                    ))
                }
            };
            policy = policy.with_pii_lookalikes_rejected(reject);
        }
        if let Some(v) = env.var(ENV_DOMAIN_TLDS) {
            let tlds = DomainTlds::parse(&v).ok_or_else(|| {
                ConfigError::new(ENV_DOMAIN_TLDS, format!("{v:?} is not one of linkify, all"))
            })?;
            policy = policy.with_domain_tlds(tlds);
        }
        if let Some(v) = env.var(ENV_PROFANITY) {
            let profanity = Profanity::parse(&v).ok_or_else(|| {
                ConfigError::new(
                    ENV_PROFANITY,
                    format!("{v:?} is not one of severe, moderate, off"),
                )
            })?;
            policy = policy.with_profanity(profanity);
        }
        if let Some(v) = env.var(ENV_RESERVED) {
            let names: Vec<&str> = v
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            policy = policy.with_reserved(names)?;
        }
        Ok(policy)
    }

    /// Sets the length bounds in code points: `1 <= min <= max <= 64`.
    pub fn with_length_bounds(mut self, min: usize, max: usize) -> Result<Self, ConfigError> {
        if !(1..=MAX_LENGTH_CAP).contains(&max) {
            return Err(ConfigError::new(
                ENV_MAX_LENGTH,
                format!("{max} is not between 1 and {MAX_LENGTH_CAP}"),
            ));
        }
        if min == 0 || min > max {
            return Err(ConfigError::new(
                ENV_MIN_LENGTH,
                format!("{min} is not between 1 and the maximum length {max}"),
            ));
        }
        self.min_length = min;
        self.max_length = max;
        Ok(self)
    }

    /// Reserves `names` in addition to the built-in list. Each must itself be a well-formed
    /// name (any length up to the cap, look-alike rule aside), or it could never match one.
    pub fn with_reserved<I, S>(mut self, names: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let shape_only = Policy {
            min_length: 1,
            max_length: MAX_LENGTH_CAP,
            script_policy: ScriptPolicy::HighlyRestrictive,
            reject_pii_lookalikes: false,
            domain_tlds: DomainTlds::default(),
            extra_reserved: Default::default(),
            // A reserved name is the operator's choice, whatever its words.
            profanity: Profanity::Off,
        };
        for name in names {
            let name = name.as_ref();
            match shape_only.evaluate(name) {
                Ok(username) => {
                    self.extra_reserved
                        .insert(super::key::reserved_key(username.key().as_str()));
                }
                // Already reserved by the built-in list: nothing to add.
                Err(super::PolicyViolation::Reserved) => {}
                Err(violation) => {
                    return Err(ConfigError::new(
                        ENV_RESERVED,
                        format!("{name:?} is not a valid username ({})", violation.code()),
                    ))
                }
            }
        }
        Ok(self)
    }
}

fn parse_length(var: &'static str, value: &str) -> Result<usize, ConfigError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| ConfigError::new(var, format!("{value:?} is not a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    fn policy(pairs: &[(&str, &str)]) -> Result<Policy, ConfigError> {
        Policy::from_env(&env(pairs))
    }

    #[test]
    fn defaults_when_unset() {
        let p = policy(&[]).unwrap();
        assert_eq!((p.min_length(), p.max_length()), (3, 32));
        assert_eq!(p.script_policy(), ScriptPolicy::SingleScript);
        assert!(p.rejects_pii_lookalikes());
        assert_eq!(p.domain_tlds(), DomainTlds::Linkify);
        assert_eq!(p.profanity(), Profanity::Severe);
    }

    #[test]
    fn reads_every_variable() {
        let p = policy(&[
            (ENV_MIN_LENGTH, "2"),
            (ENV_MAX_LENGTH, "64"),
            (ENV_SCRIPT_POLICY, "highly-restrictive"),
            (ENV_REJECT_PII_LOOKALIKES, "false"),
            (ENV_DOMAIN_TLDS, "all"),
            (ENV_PROFANITY, "Moderate"),
            (ENV_RESERVED, " acme , acme-support,,"),
        ])
        .unwrap();
        assert_eq!((p.min_length(), p.max_length()), (2, 64));
        assert_eq!(p.script_policy(), ScriptPolicy::HighlyRestrictive);
        assert!(!p.rejects_pii_lookalikes());
        assert_eq!(p.domain_tlds(), DomainTlds::All);
        assert_eq!(p.profanity(), Profanity::Moderate);
        assert_eq!(p.evaluate("ACME").unwrap_err().code(), "reserved");
        assert_eq!(p.evaluate("acme_support").unwrap_err().code(), "reserved");
        assert!(p.evaluate("acmes").is_ok());
        assert!(p.evaluate("example.com").is_ok());
    }

    #[test]
    fn every_tld_is_a_setting_for_strict_pools() {
        let strict = policy(&[(ENV_DOMAIN_TLDS, "all")]).unwrap();
        let default = policy(&[]).unwrap();
        assert_eq!(
            strict.evaluate("jane.art").unwrap_err().code(),
            "looks_like_domain"
        );
        assert!(default.evaluate("jane.art").is_ok());
        assert_eq!(
            default.evaluate("jane.com").unwrap_err().code(),
            "looks_like_domain"
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[(ENV_MIN_LENGTH, "three")], ENV_MIN_LENGTH),
            (&[(ENV_MIN_LENGTH, "0")], ENV_MIN_LENGTH),
            (&[(ENV_MIN_LENGTH, "33")], ENV_MIN_LENGTH),
            (&[(ENV_MAX_LENGTH, "65")], ENV_MAX_LENGTH),
            (&[(ENV_MAX_LENGTH, "-1")], ENV_MAX_LENGTH),
            (
                &[(ENV_MIN_LENGTH, "10"), (ENV_MAX_LENGTH, "5")],
                ENV_MIN_LENGTH,
            ),
            (&[(ENV_SCRIPT_POLICY, "any")], ENV_SCRIPT_POLICY),
            (
                &[(ENV_REJECT_PII_LOOKALIKES, "yes")],
                ENV_REJECT_PII_LOOKALIKES,
            ),
            (&[(ENV_DOMAIN_TLDS, "iana")], ENV_DOMAIN_TLDS),
            (&[(ENV_PROFANITY, "strict")], ENV_PROFANITY),
            (&[(ENV_RESERVED, "ok,bad name")], ENV_RESERVED),
            (&[(ENV_RESERVED, ".well-known")], ENV_RESERVED),
            (&[(ENV_RESERVED, "ａｃｍｅ")], ENV_RESERVED),
        ];
        for (pairs, var) in cases {
            let err = policy(pairs).unwrap_err();
            assert_eq!(err.var, *var, "{pairs:?}");
        }
    }
}
