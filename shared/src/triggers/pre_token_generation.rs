//! PreTokenGeneration (V1_0, V2_0, V3_0): only a name the user owns in the registry reaches the
//! tokens; PII claims can be dropped, chosen attributes copied to the access token, groups kept.
//! Sign-in never fails because of the registry: when it is down or slow the name is withheld.

use super::{is_federated, requested_name, within_budget, TriggerError, Triggers};
use crate::claims::{self, ClaimRules, NameStatus, Withheld};
use crate::config::{bool_from_env, ConfigError, EnvSource};
use crate::events::token::{write_response, TokenEvent, TokenEventError, TokenTriggerSource};
use crate::registry::{ClaimState, CommitOutcome, Registry, RegistryError};
use serde_json::Value;
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

    fn rules(&self) -> ClaimRules<'_> {
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

/// What one token event came to; `code()` is what the logs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOutcome {
    /// V3 machine-to-machine grant: no user, the event goes back unchanged.
    ClientCredentials,
    /// The user has no name; no registry read.
    NameAbsent,
    /// The user owns the name, which is in the tokens.
    NameOwned,
    /// The user's pending claim was committed now (e.g. an admin-created user), then as owned.
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
            Self::NameCommitted => "name_committed",
            Self::NameWithheld(reason) => reason.code(),
        }
    }
}

/// The token trigger as the dispatcher calls it: the whole event back, with `response` filled.
pub async fn handle<R: Registry>(
    triggers: &Triggers<R>,
    event: Value,
) -> Result<Value, TriggerError> {
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
    let (status, outcome) = match name_of(triggers, &parsed) {
        None => (NameStatus::Absent, TokenOutcome::NameAbsent),
        Some(raw) => check_name(triggers, parsed.user_name.as_deref(), raw).await,
    };
    if let TokenOutcome::NameWithheld(reason) = outcome {
        tracing::warn!(
            code = reason.code(),
            version = parsed.version.label(),
            "preferred_username withheld from the tokens"
        );
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

/// The user's raw name, from where the pool keeps it (as the sign-up triggers read it).
fn name_of<'e, R: Registry>(triggers: &Triggers<R>, event: &'e TokenEvent) -> Option<&'e str> {
    let attributes = &event.request.user_attributes;
    requested_name(
        triggers.settings.name_source,
        event.user_name.as_deref(),
        attributes,
        is_federated(attributes),
    )
}

/// Policy, then one consistent registry read, then (for the user's own pending claim) a commit;
/// all under one time budget. Never an error: anything but ownership withholds the name.
async fn check_name<R: Registry>(
    triggers: &Triggers<R>,
    user_name: Option<&str>,
    raw: &str,
) -> (NameStatus, TokenOutcome) {
    let Ok(username) = triggers.settings.policy.evaluate(raw) else {
        return withheld(Withheld::Invalid);
    };
    let Some(user_name) = user_name else {
        return withheld(Withheld::NoUserName);
    };
    let budget = triggers.settings.tokens.registry_budget;
    match within_budget(budget, look_up(triggers, &username, user_name)).await {
        Ok(found) => found,
        Err(RegistryError::Timeout) => withheld(Withheld::RegistryTimeout),
        Err(RegistryError::Corrupt(_)) => withheld(Withheld::RegistryCorrupt),
        Err(RegistryError::Unavailable(_)) => withheld(Withheld::RegistryUnavailable),
    }
}

fn withheld(reason: Withheld) -> (NameStatus, TokenOutcome) {
    (
        NameStatus::Withheld(reason),
        TokenOutcome::NameWithheld(reason),
    )
}

/// The one read, and the commit of the user's own pending claim.
async fn look_up<R: Registry>(
    triggers: &Triggers<R>,
    username: &crate::policy::Username,
    user_name: &str,
) -> Result<(NameStatus, TokenOutcome), RegistryError> {
    let now = triggers.clock.now();
    let Some(claim) = triggers.registry.get(username.key()).await? else {
        return Ok(withheld(Withheld::Unclaimed));
    };
    if claim.owner != user_name {
        let reason = if claim.is_live(now) {
            Withheld::NotOwned
        } else {
            Withheld::Unclaimed
        };
        return Ok(withheld(reason));
    }
    let owned = NameStatus::Owned {
        display: claim.display.clone(),
    };
    match claim.state {
        ClaimState::Active => Ok((owned, TokenOutcome::NameOwned)),
        ClaimState::Pending { .. } => {
            // Commit under the registry's display form so the stored claim keeps it; fall back
            // to the attribute's form if the policy no longer derives the same key from it.
            let registered = triggers
                .settings
                .policy
                .evaluate(&claim.display)
                .ok()
                .filter(|u| u.key() == username.key());
            let to_commit = registered.as_ref().unwrap_or(username);
            match triggers
                .registry
                .commit(to_commit, user_name, None, now)
                .await?
            {
                CommitOutcome::Committed => Ok((owned, TokenOutcome::NameCommitted)),
                CommitOutcome::Taken => Ok(withheld(Withheld::CommitTaken)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::env;

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
