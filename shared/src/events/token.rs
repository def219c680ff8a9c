//! Pre-token-generation events (`V1_0`, `V2_0`, `V3_0`), read leniently on top of
//! `aws_lambda_events`, and the response written back into the event Cognito sent.
//!
//! Why not deserialize the crate's event types directly: `aws_lambda_events` 1.2.1 rejects real
//! events. Its `GroupConfiguration` requires both group lists (cognito-local sends `{}`), its V2
//! request requires `scopes`, and its trigger-source enum lacks V3's
//! `TokenGeneration_ClientCredentials`. Copying its types would fork them; instead we repair the
//! few fields it is strict about and then let the crate's own types parse the request and
//! serialize the response. The handler edits the original `serde_json::Value`, so every field
//! Cognito sent (including ones neither we nor the crate know) goes back unchanged.

use super::{loggable_trigger_source, trigger_source, EventError};
use aws_lambda_events::cognito::{
    ClaimsAndScopeOverrideDetailsV2, ClaimsOverrideDetails, CognitoAccessTokenGenerationV2,
    CognitoEventUserPoolsPreTokenGenRequest, CognitoEventUserPoolsPreTokenGenTriggerSource,
    CognitoIdTokenGenerationV2, GroupConfiguration,
};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// A token event this module cannot answer. `Display` is the message Lambda reports; it quotes
/// a version or trigger source only when it has their shape, never arbitrary input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenEventError {
    #[error(transparent)]
    Event(#[from] EventError),
    #[error("This function does not handle the token generation trigger source {0}.")]
    UnknownTriggerSource(String),
    #[error(
        "Unsupported token generation event version {0}: expected 1, 2 or 3 (V1_0, V2_0 or V3_0)."
    )]
    UnknownVersion(String),
    #[error("TokenGeneration_ClientCredentials comes only in V3_0 events, not in {0}.")]
    ClientCredentialsOutsideV3(&'static str),
}

impl TokenEventError {
    /// Stable snake_case code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Event(e) => e.code(),
            Self::UnknownTriggerSource(_) => "unsupported_trigger_source",
            Self::UnknownVersion(_) => "unsupported_version",
            Self::ClientCredentialsOutsideV3(_) => "client_credentials_outside_v3",
        }
    }

    fn malformed(what: impl Into<String>) -> Self {
        Self::Event(EventError::Malformed(what.into()))
    }
}

/// `raw` if it looks like a version or trigger source, else a placeholder.
fn quotable(raw: &str) -> String {
    loggable_trigger_source(raw)
        .unwrap_or("(unreadable)")
        .to_string()
}

/// The event version, which decides the response shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEventVersion {
    /// `claimsOverrideDetails`: ID token only.
    V1,
    /// `claimsAndScopeOverrideDetails`: ID and access tokens of users.
    V2,
    /// As V2, plus machine-to-machine client-credentials grants.
    V3,
}

impl TokenEventVersion {
    /// Reads the event's `version`. Cognito sends `"1"`, `"2"` or `"3"`; the configuration names
    /// (`V1_0`...) are accepted too. cognito-local sends `"0"` with a V1 shape, and a missing
    /// version is Cognito's default, V1.
    pub fn parse(version: Option<&str>) -> Result<Self, TokenEventError> {
        match version.map(str::trim) {
            None | Some("0" | "1" | "1.0" | "V1_0") => Ok(Self::V1),
            Some("2" | "2.0" | "V2_0") => Ok(Self::V2),
            Some("3" | "3.0" | "V3_0") => Ok(Self::V3),
            Some(other) => Err(TokenEventError::UnknownVersion(quotable(other))),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::V1 => "V1_0",
            Self::V2 => "V2_0",
            Self::V3 => "V3_0",
        }
    }

    /// Whether the response can change the access token.
    pub fn customises_access_token(self) -> bool {
        !matches!(self, Self::V1)
    }
}

/// A token trigger source: the crate's five user flows, plus V3's client credentials, which the
/// crate's enum does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenTriggerSource {
    User(CognitoEventUserPoolsPreTokenGenTriggerSource),
    ClientCredentials,
}

const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";

impl TokenTriggerSource {
    pub fn parse(source: &str) -> Result<Self, TokenEventError> {
        if source == CLIENT_CREDENTIALS {
            return Ok(Self::ClientCredentials);
        }
        serde_json::from_value(Value::String(source.to_string()))
            .map(Self::User)
            .map_err(|_| TokenEventError::UnknownTriggerSource(quotable(source)))
    }
}

/// What the handler reads from a token event.
#[derive(Debug, Clone)]
pub struct TokenEvent {
    pub version: TokenEventVersion,
    pub trigger_source: TokenTriggerSource,
    /// The Cognito `userName` (for email sign-in pools, the `sub`).
    pub user_name: Option<String>,
    pub request: CognitoEventUserPoolsPreTokenGenRequest,
    /// Whether Cognito sent a group configuration object. When it sent none (`null` or no
    /// field), there is nothing to copy back and the response leaves groups alone.
    pub groups_sent: bool,
}

impl TokenEvent {
    /// Reads a token event leniently: unknown fields are ignored, `null` or `{}` optional objects
    /// are accepted, and only an unusable version or trigger source is an error.
    pub fn parse(event: &Value) -> Result<Self, TokenEventError> {
        let trigger_source = TokenTriggerSource::parse(trigger_source(event)?)?;
        let object = event.as_object().ok_or(EventError::NotAnObject)?;
        let version = match object.get("version") {
            Some(Value::String(s)) => TokenEventVersion::parse(Some(s))?,
            Some(Value::Number(n)) => TokenEventVersion::parse(Some(&n.to_string()))?,
            Some(Value::Null) | None => TokenEventVersion::parse(None)?,
            Some(_) => return Err(TokenEventError::malformed("version is not a string")),
        };
        if trigger_source == TokenTriggerSource::ClientCredentials
            && version != TokenEventVersion::V3
        {
            return Err(TokenEventError::ClientCredentialsOutsideV3(version.label()));
        }
        let user_name = match object.get("userName") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let raw_request = object.get("request").filter(|r| !r.is_null());
        let groups_sent = raw_request
            .and_then(|r| r.get("groupConfiguration"))
            .is_some_and(Value::is_object);
        let request = parse_request(raw_request)?;
        Ok(Self {
            version,
            trigger_source,
            user_name,
            request,
            groups_sent,
        })
    }

    /// The value of a user attribute, if Cognito sent one.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.request.user_attributes.get(name).map(String::as_str)
    }
}

/// Parses `request` with the crate's V1 request type, which also reads V2/V3 requests (it
/// ignores `scopes`, which the crate's V2 type wrongly requires). Before that, fills in the group
/// lists the crate requires but Cognito and cognito-local may leave out or send as `null`.
fn parse_request(
    raw: Option<&Value>,
) -> Result<CognitoEventUserPoolsPreTokenGenRequest, TokenEventError> {
    let mut request = match raw {
        None => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(TokenEventError::malformed("request is not an object")),
    };
    if let Some(Value::Object(groups)) = request.get_mut("groupConfiguration") {
        for list in ["groupsToOverride", "iamRolesToOverride"] {
            let entry = groups.entry(list).or_insert(Value::Null);
            if entry.is_null() {
                *entry = Value::Array(Vec::new());
            }
        }
    }
    serde_json::from_value(Value::Object(request))
        .map_err(|e| TokenEventError::malformed(format!("request: {}", describe_serde(&e))))
}

/// A serde error without the offending value (which could be an attribute, i.e. PII).
fn describe_serde(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json messages are "invalid type: string \"...\", expected ..."; keep the shape only.
    match text.split_once(", expected") {
        Some((_, expected)) => format!("expected{expected}"),
        None => "unreadable".to_string(),
    }
}

/// The claim changes for one token, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenChanges {
    pub add_or_override: BTreeMap<String, String>,
    pub suppress: Vec<String>,
}

/// Everything the response says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenResponse {
    pub id_token: TokenChanges,
    /// Ignored for V1, which cannot change the access token.
    pub access_token: TokenChanges,
    /// Copied from the request so that groups are kept; `None` leaves groups alone.
    pub groups: Option<GroupConfiguration>,
}

/// Writes `response` into the event's `response` object under the key its version uses, keeping
/// any other keys there. The crate's types give the exact field names Cognito expects.
pub fn write_response(
    event: &mut Value,
    version: TokenEventVersion,
    response: TokenResponse,
) -> Result<(), TokenEventError> {
    let TokenResponse {
        id_token,
        access_token,
        groups,
    } = response;
    let keep_groups = groups.is_some();
    let (key, mut details) = match version {
        TokenEventVersion::V1 => {
            let mut details = ClaimsOverrideDetails::default();
            details.claims_to_add_or_override = id_token.add_or_override.into_iter().collect();
            details.claims_to_suppress = id_token.suppress;
            details.group_override_details = groups.unwrap_or_default();
            ("claimsOverrideDetails", to_value(&details)?)
        }
        TokenEventVersion::V2 | TokenEventVersion::V3 => {
            let mut id = CognitoIdTokenGenerationV2::default();
            id.claims_to_add_or_override = as_json_claims(id_token.add_or_override);
            id.claims_to_suppress = id_token.suppress;
            let mut access = CognitoAccessTokenGenerationV2::default();
            access.claims_to_add_or_override = as_json_claims(access_token.add_or_override);
            access.claims_to_suppress = access_token.suppress;
            let mut details = ClaimsAndScopeOverrideDetailsV2::default();
            details.id_token_generation = Some(id);
            details.access_token_generation = Some(access);
            details.group_override_details = groups.unwrap_or_default();
            ("claimsAndScopeOverrideDetails", to_value(&details)?)
        }
    };
    if !keep_groups {
        // The crate always writes a group object, and an empty one strips every group.
        if let Value::Object(map) = &mut details {
            map.remove("groupOverrideDetails");
        }
    }
    let object = event.as_object_mut().ok_or(EventError::NotAnObject)?;
    let slot = object.entry("response").or_insert(Value::Null);
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(map) = slot {
        map.insert(key.to_string(), details);
    }
    Ok(())
}

fn as_json_claims(claims: BTreeMap<String, String>) -> HashMap<String, Value> {
    claims
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

fn to_value(details: &impl serde::Serialize) -> Result<Value, TokenEventError> {
    serde_json::to_value(details)
        .map_err(|e| TokenEventError::malformed(format!("response: {}", describe_serde(&e))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(version: &str, source: &str, request: Value) -> Value {
        json!({
            "version": version, "triggerSource": source, "region": "eu-west-1",
            "userPoolId": "eu-west-1_x", "userName": "u-1",
            "callerContext": {"awsSdkVersion": "x", "clientId": "c"},
            "request": request, "response": {}
        })
    }

    #[test]
    fn versions_from_cognito_config_and_cognito_local() {
        for (raw, want) in [
            (Some("1"), TokenEventVersion::V1),
            (Some("V1_0"), TokenEventVersion::V1),
            (Some("0"), TokenEventVersion::V1),
            (None, TokenEventVersion::V1),
            (Some("2"), TokenEventVersion::V2),
            (Some("V2_0"), TokenEventVersion::V2),
            (Some("3"), TokenEventVersion::V3),
            (Some("V3_0"), TokenEventVersion::V3),
        ] {
            assert_eq!(TokenEventVersion::parse(raw), Ok(want), "{raw:?}");
        }
        assert_eq!(
            TokenEventVersion::parse(Some("V4_0")),
            Err(TokenEventError::UnknownVersion("V4_0".into()))
        );
        let err = TokenEventVersion::parse(Some("a@example.com")).unwrap_err();
        assert_eq!(err.to_string(), "Unsupported token generation event version (unreadable): expected 1, 2 or 3 (V1_0, V2_0 or V3_0).");
    }

    #[test]
    fn every_trigger_source() {
        for s in [
            "TokenGeneration_HostedAuth",
            "TokenGeneration_Authentication",
            "TokenGeneration_NewPasswordChallenge",
            "TokenGeneration_AuthenticateDevice",
            "TokenGeneration_RefreshTokens",
        ] {
            assert!(
                matches!(
                    TokenTriggerSource::parse(s),
                    Ok(TokenTriggerSource::User(_))
                ),
                "{s}"
            );
        }
        assert_eq!(
            TokenTriggerSource::parse("TokenGeneration_ClientCredentials"),
            Ok(TokenTriggerSource::ClientCredentials)
        );
        assert_eq!(
            TokenTriggerSource::parse("PreSignUp_SignUp"),
            Err(TokenEventError::UnknownTriggerSource(
                "PreSignUp_SignUp".into()
            ))
        );
    }

    #[test]
    fn lenient_group_configuration_shapes() {
        let cases = [
            (json!({"groupConfiguration": {}}), true, vec![]),
            (json!({"groupConfiguration": null}), false, vec![]),
            (json!({}), false, vec![]),
            (
                json!({"groupConfiguration": {"groupsToOverride": null}}),
                true,
                vec![],
            ),
            (
                json!({"groupConfiguration": {"groupsToOverride": ["a"], "preferredRole": null}}),
                true,
                vec!["a".to_string()],
            ),
        ];
        for (request, sent, groups) in cases {
            let parsed = TokenEvent::parse(&event(
                "1",
                "TokenGeneration_Authentication",
                request.clone(),
            ))
            .unwrap();
            assert_eq!(parsed.groups_sent, sent, "{request}");
            assert_eq!(
                parsed.request.group_configuration.groups_to_override,
                groups
            );
        }
    }

    #[test]
    fn v2_without_scopes_and_null_request_parts() {
        let e = event(
            "2",
            "TokenGeneration_RefreshTokens",
            json!({"userAttributes": {"preferred_username": "Ann"}, "clientMetadata": null}),
        );
        let parsed = TokenEvent::parse(&e).unwrap();
        assert_eq!(parsed.version, TokenEventVersion::V2);
        assert_eq!(parsed.attribute("preferred_username"), Some("Ann"));
        let e = event("1", "TokenGeneration_Authentication", Value::Null);
        assert!(TokenEvent::parse(&e)
            .unwrap()
            .request
            .user_attributes
            .is_empty());
    }

    #[test]
    fn clear_errors_for_non_token_events() {
        assert_eq!(
            TokenEvent::parse(&json!([1])).unwrap_err().code(),
            "not_a_cognito_event"
        );
        assert_eq!(
            TokenEvent::parse(&json!({"request": {}, "response": {}}))
                .unwrap_err()
                .code(),
            "missing_trigger_source"
        );
        let e = event("2", "TokenGeneration_ClientCredentials", json!({}));
        assert_eq!(
            TokenEvent::parse(&e).unwrap_err(),
            TokenEventError::ClientCredentialsOutsideV3("V2_0")
        );
        let e = event(
            "1",
            "TokenGeneration_Authentication",
            json!({"userAttributes": [1]}),
        );
        let err = TokenEvent::parse(&e).unwrap_err();
        assert_eq!(err.code(), "malformed_event");
        assert!(!err.to_string().contains('['), "{err}");
    }

    #[test]
    fn v1_response_keeps_other_response_keys_and_drops_groups_when_none_sent() {
        let mut e = event("1", "TokenGeneration_Authentication", json!({}));
        e["response"] = json!({"other": 1});
        let mut id = TokenChanges::default();
        id.add_or_override
            .insert("preferred_username".into(), "Ann".into());
        id.suppress.push("email".into());
        write_response(
            &mut e,
            TokenEventVersion::V1,
            TokenResponse {
                id_token: id,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            e["response"],
            json!({"other": 1, "claimsOverrideDetails": {
                "claimsToAddOrOverride": {"preferred_username": "Ann"},
                "claimsToSuppress": ["email"]
            }})
        );
    }
}
