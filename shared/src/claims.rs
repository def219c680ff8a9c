//! Which claims the token trigger adds, overrides or suppresses: pure functions over the outcome
//! of the registry check and the configuration, plus the list of claims Cognito forbids touching.

use crate::env::ConfigError;
use crate::events::token::{TokenChanges, TokenResponse};
use std::collections::HashMap;

/// The claim this project manages: present in a token only when the registry says it is owned.
pub const NAME_CLAIM: &str = "preferred_username";

/// The personal data claims an ID token may carry that an app can ask us to drop.
pub const PII_CLAIMS: [&str; 4] = [
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
];

/// Claims Cognito does not let a pre-token-generation trigger add, override or suppress. A
/// response that touches one is at best ignored; we refuse such a configuration at init.
const FORBIDDEN_CLAIMS: [&str; 23] = [
    "sub",
    "aud",
    "iss",
    "exp",
    "iat",
    "token_use",
    "username",
    "identities",
    "client_id",
    "event_id",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "at_hash",
    "acr",
    "amr",
    "azp",
    "auth_time",
    "version",
    "device_key",
    // Changed only through scopesToAdd / scopesToSuppress.
    "scope",
    "cognito:username",
];

/// The `cognito:` claims a trigger may change, and then only through `groupOverrideDetails`.
const GROUP_CLAIMS: [&str; 3] = ["cognito:groups", "cognito:roles", "cognito:preferred_role"];

/// Why Cognito (or this project) does not let configuration touch `claim`, if it does not.
pub fn forbidden_reason(claim: &str) -> Option<&'static str> {
    if claim.is_empty() || claim.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("is not a claim name");
    }
    if FORBIDDEN_CLAIMS.contains(&claim) {
        return Some("is set by Cognito and cannot be changed by a trigger");
    }
    if claim.starts_with("cognito:") && !GROUP_CLAIMS.contains(&claim) {
        return Some("is set by Cognito and cannot be changed by a trigger");
    }
    if claim.starts_with("dev:") {
        return Some("is a developer-only attribute that Cognito never puts in tokens");
    }
    None
}

/// Checks a claim that configuration asks to suppress from the ID token.
pub fn check_suppressible(var: &'static str, claim: &str) -> Result<(), ConfigError> {
    if let Some(reason) = forbidden_reason(claim) {
        return Err(ConfigError::new(var, format!("`{claim}` {reason}")));
    }
    if claim == NAME_CLAIM {
        return Err(ConfigError::new(
            var,
            format!(
                "`{NAME_CLAIM}` is managed by the username registry and is withheld unless owned"
            ),
        ));
    }
    Ok(())
}

/// Checks a claim that configuration asks to add to the access token.
pub fn check_addable(var: &'static str, claim: &str) -> Result<(), ConfigError> {
    if let Some(reason) = forbidden_reason(claim) {
        return Err(ConfigError::new(var, format!("`{claim}` {reason}")));
    }
    if GROUP_CLAIMS.contains(&claim) {
        return Err(ConfigError::new(
            var,
            format!(
                "`{claim}` comes from the user's groups and cannot be copied from an attribute"
            ),
        ));
    }
    if claim == NAME_CLAIM {
        return Err(ConfigError::new(
            var,
            format!("`{NAME_CLAIM}` reaches the access token only through USERNAMES_ACCESS_TOKEN_USERNAME, after the registry check"),
        ));
    }
    Ok(())
}

/// What the registry check decided about the user's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameStatus {
    /// The user owns no name and has no attribute: nothing to add or withhold.
    Absent,
    /// The user owns the name; this is the registry's display form.
    Owned { display: String },
    /// The name must not reach the tokens.
    Withheld(Withheld),
}

/// Why a name was withheld. Codes go to the logs, never the name itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// The name fails the username policy.
    Invalid,
    /// Someone else holds the name (the attribute was changed to another user's name).
    NotOwned,
    /// Nobody holds the name for this user (it never went through sign-up, the claim was
    /// released, or the attribute is not this pool's name source).
    Unclaimed,
    /// The user's pending claim could not be committed: someone else took the name first.
    CommitTaken,
    /// The event has no Cognito `userName` to compare the holder with.
    NoUserName,
    /// The event has no `sub`, the only identity that owns a name.
    NoSub,
    /// The attribute is there but blank (spaces, an ideographic space, NBSP): never a name.
    Blank,
    /// The registry failed; the sign-in goes on without the name.
    RegistryUnavailable,
    /// The registry did not answer within the budget; the sign-in goes on without the name.
    RegistryTimeout,
    /// The registry holds an unreadable entry for the name; never a reason to show it.
    RegistryCorrupt,
}

impl Withheld {
    pub fn code(self) -> &'static str {
        match self {
            Self::Invalid => "name_invalid",
            Self::NotOwned => "name_not_owned",
            Self::Unclaimed => "name_unclaimed",
            Self::CommitTaken => "name_commit_taken",
            Self::NoUserName => "no_user_name",
            Self::NoSub => "no_sub",
            Self::Blank => "name_blank",
            Self::RegistryUnavailable => "registry_unavailable",
            Self::RegistryTimeout => "registry_timeout",
            Self::RegistryCorrupt => "registry_corrupt",
        }
    }
}

/// The claim settings `plan_claims` needs (a view of `TokenSettings`).
#[derive(Debug, Clone, Copy)]
pub struct ClaimRules<'a> {
    /// Claims dropped from the ID token.
    pub suppress: &'a [String],
    /// Whether an owned name also goes into the access token (V2/V3).
    pub access_token_name: bool,
    /// `(claim, attribute)` pairs copied into the access token (V2/V3).
    pub access_token_claims: &'a [(String, String)],
}

/// The claim changes for one event. `access_token` says whether the event can change the access
/// token (V2/V3); `groups` is carried through unchanged.
pub fn plan_claims(
    rules: ClaimRules<'_>,
    name: &NameStatus,
    attributes: &HashMap<String, String>,
    access_token: bool,
) -> TokenResponse {
    let mut id_token = TokenChanges::default();
    let mut access = TokenChanges::default();
    id_token.suppress.extend(rules.suppress.iter().cloned());
    match name {
        NameStatus::Absent => {}
        NameStatus::Owned { display } => {
            id_token
                .add_or_override
                .insert(NAME_CLAIM.to_string(), display.clone());
            if access_token && rules.access_token_name {
                access
                    .add_or_override
                    .insert(NAME_CLAIM.to_string(), display.clone());
            }
        }
        NameStatus::Withheld(_) => {
            id_token.suppress.push(NAME_CLAIM.to_string());
            if access_token && rules.access_token_name {
                access.suppress.push(NAME_CLAIM.to_string());
            }
        }
    }
    if access_token {
        for (claim, attribute) in rules.access_token_claims {
            if let Some(value) = attributes.get(attribute) {
                access.add_or_override.insert(claim.clone(), value.clone());
            }
        }
    }
    TokenResponse {
        id_token,
        access_token: access,
        groups: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_claims_are_refused_both_ways() {
        for claim in [
            "sub",
            "aud",
            "iss",
            "exp",
            "iat",
            "token_use",
            "username",
            "cognito:username",
            "cognito:mfa_enabled",
            "identities",
            "client_id",
            "event_id",
            "jti",
            "nbf",
            "nonce",
            "origin_jti",
            "at_hash",
            "acr",
            "amr",
            "azp",
            "auth_time",
            "version",
            "device_key",
            "dev:custom:x",
            "",
            "has space",
        ] {
            assert!(
                check_suppressible("V", claim).is_err(),
                "suppress {claim:?}"
            );
            assert!(check_addable("V", claim).is_err(), "add {claim:?}");
        }
    }

    #[test]
    fn group_claims_may_be_suppressed_but_not_copied_from_attributes() {
        for claim in GROUP_CLAIMS {
            assert_eq!(check_suppressible("V", claim), Ok(()));
            assert!(check_addable("V", claim).is_err());
        }
    }

    #[test]
    fn pii_and_custom_claims_are_allowed() {
        for claim in PII_CLAIMS.into_iter().chain(["custom:tenant", "locale"]) {
            assert_eq!(check_suppressible("V", claim), Ok(()));
            assert_eq!(check_addable("V", claim), Ok(()));
        }
    }

    #[test]
    fn the_name_claim_is_only_managed_by_the_registry() {
        let err = check_suppressible("USERNAMES_SUPPRESS_CLAIMS", NAME_CLAIM).unwrap_err();
        assert_eq!(err.var, "USERNAMES_SUPPRESS_CLAIMS");
        assert!(check_addable("V", NAME_CLAIM).is_err());
    }

    fn attrs() -> HashMap<String, String> {
        HashMap::from([
            ("custom:tenant".to_string(), "t-1".to_string()),
            ("email".to_string(), "a@example.com".to_string()),
        ])
    }

    #[test]
    fn owned_name_goes_into_both_tokens_when_configured() {
        let suppress = vec!["email".to_string()];
        let extra = vec![
            ("tenant".to_string(), "custom:tenant".to_string()),
            ("missing".to_string(), "custom:missing".to_string()),
        ];
        let rules = ClaimRules {
            suppress: &suppress,
            access_token_name: true,
            access_token_claims: &extra,
        };
        let owned = NameStatus::Owned {
            display: "Ann".into(),
        };
        let plan = plan_claims(rules, &owned, &attrs(), true);
        assert_eq!(
            plan.id_token
                .add_or_override
                .get(NAME_CLAIM)
                .map(String::as_str),
            Some("Ann")
        );
        assert_eq!(plan.id_token.suppress, vec!["email".to_string()]);
        assert_eq!(plan.access_token.add_or_override.len(), 2);
        assert_eq!(
            plan.access_token
                .add_or_override
                .get("tenant")
                .map(String::as_str),
            Some("t-1")
        );
        assert!(plan.access_token.suppress.is_empty());

        // V1 cannot touch the access token.
        let plan = plan_claims(rules, &owned, &attrs(), false);
        assert_eq!(plan.access_token, TokenChanges::default());
    }

    #[test]
    fn withheld_name_is_suppressed_and_absent_name_untouched() {
        let rules = ClaimRules {
            suppress: &[],
            access_token_name: true,
            access_token_claims: &[],
        };
        let plan = plan_claims(
            rules,
            &NameStatus::Withheld(Withheld::NotOwned),
            &attrs(),
            true,
        );
        assert_eq!(plan.id_token.suppress, vec![NAME_CLAIM.to_string()]);
        assert_eq!(plan.access_token.suppress, vec![NAME_CLAIM.to_string()]);
        assert!(plan.id_token.add_or_override.is_empty());

        let plan = plan_claims(rules, &NameStatus::Absent, &attrs(), true);
        assert_eq!(plan, TokenResponse::default());
    }
}
