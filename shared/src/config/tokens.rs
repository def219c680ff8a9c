//! Settings of the token trigger, read once at init; a claim Cognito forbids is refused here.

use crate::claims::{self, ClaimRules};
use crate::env::{bool_from_env, ConfigError, EnvSource};
use std::time::Duration;

/// ID-token claims to drop, e.g. `email,email_verified,phone_number,phone_number_verified`.
pub const ENV_SUPPRESS_CLAIMS: &str = "USERNAMES_SUPPRESS_CLAIMS";
/// `true` puts an owned `preferred_username` in the access token too (V2/V3 events).
pub const ENV_ACCESS_TOKEN_USERNAME: &str = "USERNAMES_ACCESS_TOKEN_USERNAME";
/// `claim=attribute` pairs (or a bare `attribute`) copied into the access token (V2/V3 events).
pub const ENV_ACCESS_TOKEN_CLAIMS: &str = "USERNAMES_ACCESS_TOKEN_CLAIMS";

/// How long the registry may take (read, and commit if needed) before the tokens go out without
/// the name. A safety net under the SDK's own timeouts, well inside Cognito's 5 s.
pub const DEFAULT_REGISTRY_BUDGET: Duration = Duration::from_secs(3);

/// Settings of the token trigger, read once at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    /// Claims dropped from the ID token (never a claim Cognito forbids, never the name claim).
    pub suppress_claims: Vec<String>,
    /// Whether an owned name also goes into the access token of V2/V3 events.
    pub access_token_username: bool,
    /// `(claim, attribute)` pairs copied into the access token of V2/V3 events.
    pub access_token_claims: Vec<(String, String)>,
    /// See `DEFAULT_REGISTRY_BUDGET`.
    pub registry_budget: Duration,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            suppress_claims: Vec::new(),
            access_token_username: false,
            access_token_claims: Vec::new(),
            registry_budget: DEFAULT_REGISTRY_BUDGET,
        }
    }
}

impl TokenSettings {
    /// Reads and validates the token settings; a claim Cognito forbids is an error here, at init.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        let mut settings = Self::default();
        for claim in list(env.var(ENV_SUPPRESS_CLAIMS)) {
            claims::check_suppressible(ENV_SUPPRESS_CLAIMS, &claim)?;
            if !settings.suppress_claims.contains(&claim) {
                settings.suppress_claims.push(claim);
            }
        }
        settings.access_token_username = bool_from_env(env, ENV_ACCESS_TOKEN_USERNAME, false)?;
        for entry in list(env.var(ENV_ACCESS_TOKEN_CLAIMS)) {
            let (claim, attribute) = match entry.split_once('=') {
                Some((claim, attribute)) => (claim.trim(), attribute.trim()),
                None => (entry.as_str(), entry.as_str()),
            };
            claims::check_addable(ENV_ACCESS_TOKEN_CLAIMS, claim)?;
            if attribute.is_empty() || attribute.chars().any(char::is_whitespace) {
                return Err(ConfigError::new(
                    ENV_ACCESS_TOKEN_CLAIMS,
                    format!("`{entry}` needs an attribute name: use claim=attribute"),
                ));
            }
            if settings.access_token_claims.iter().any(|(c, _)| c == claim) {
                return Err(ConfigError::new(
                    ENV_ACCESS_TOKEN_CLAIMS,
                    format!("`{claim}` is listed twice"),
                ));
            }
            settings
                .access_token_claims
                .push((claim.to_string(), attribute.to_string()));
        }
        Ok(settings)
    }

    pub(crate) fn rules(&self) -> ClaimRules<'_> {
        ClaimRules {
            suppress: &self.suppress_claims,
            access_token_name: self.access_token_username,
            access_token_claims: &self.access_token_claims,
        }
    }
}

/// Comma-separated, trimmed, without empty entries.
fn list(raw: Option<String>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env;

    #[test]
    fn defaults_change_nothing_but_the_name() {
        assert_eq!(
            TokenSettings::from_env(&env(&[])),
            Ok(TokenSettings::default())
        );
        let d = TokenSettings::default();
        assert!(d.suppress_claims.is_empty() && d.access_token_claims.is_empty());
        assert!(!d.access_token_username);
    }

    #[test]
    fn reads_every_knob() {
        let s = TokenSettings::from_env(&env(&[
            (
                ENV_SUPPRESS_CLAIMS,
                " email, email_verified,,phone_number,email ",
            ),
            (ENV_ACCESS_TOKEN_USERNAME, "TRUE"),
            (ENV_ACCESS_TOKEN_CLAIMS, "tenant=custom:tenant, locale"),
        ]))
        .unwrap();
        assert_eq!(
            s.suppress_claims,
            ["email", "email_verified", "phone_number"]
        );
        assert!(s.access_token_username);
        assert_eq!(
            s.access_token_claims,
            [
                ("tenant".to_string(), "custom:tenant".to_string()),
                ("locale".to_string(), "locale".to_string())
            ]
        );
    }

    #[test]
    fn forbidden_or_malformed_configuration_fails_at_init() {
        for (var, value) in [
            (ENV_SUPPRESS_CLAIMS, "email,sub"),
            (ENV_SUPPRESS_CLAIMS, "cognito:username"),
            (ENV_SUPPRESS_CLAIMS, "preferred_username"),
            (ENV_ACCESS_TOKEN_CLAIMS, "username=custom:x"),
            (ENV_ACCESS_TOKEN_CLAIMS, "cognito:groups=custom:role"),
            (ENV_ACCESS_TOKEN_CLAIMS, "scope=custom:scope"),
            (ENV_ACCESS_TOKEN_CLAIMS, "preferred_username=nickname"),
            (ENV_ACCESS_TOKEN_CLAIMS, "tenant="),
            (ENV_ACCESS_TOKEN_CLAIMS, "a=x,a=y"),
            (ENV_ACCESS_TOKEN_USERNAME, "maybe"),
        ] {
            let err = TokenSettings::from_env(&env(&[(var, value)])).unwrap_err();
            assert_eq!(err.var, var, "{value}");
        }
    }
}
