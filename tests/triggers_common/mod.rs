//! Event builders and test registries shared by the handler-level tests (`triggers_*.rs`).
#![allow(dead_code)] // each test binary uses its own subset

use serde_json::{json, Value};
use shared::config::Settings;
use shared::policy::NameKey;
use shared::registry::{ManualClock, Registry, Timestamp};
use shared::triggers::Triggers;
use std::path::PathBuf;
use std::sync::Arc;

/// The instant every test starts at.
pub const T0: Timestamp = 1_700_000_000;

/// A pre-sign-up event as Cognito sends it for an email sign-in pool.
pub fn sign_up(user_name: &str, email: Option<&str>, name: Option<&str>) -> Value {
    let mut attributes = serde_json::Map::new();
    if let Some(email) = email {
        attributes.insert("email".into(), json!(email));
    }
    if let Some(name) = name {
        attributes.insert("preferred_username".into(), json!(name));
    }
    json!({
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_Xy7Kp2Lm9",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client-1"},
        "request": {"userAttributes": attributes, "validationData": null},
        "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
    })
}

/// A post-confirmation event for the same user.
pub fn confirm(source: &str, user_name: &str, name: Option<&str>) -> Value {
    let mut attributes = serde_json::Map::new();
    attributes.insert("sub".into(), json!(user_name));
    attributes.insert("cognito:user_status".into(), json!("CONFIRMED"));
    attributes.insert("email".into(), json!("someone@example.com"));
    attributes.insert("email_verified".into(), json!("true"));
    if let Some(name) = name {
        attributes.insert("preferred_username".into(), json!(name));
    }
    json!({
        "version": "1",
        "triggerSource": source,
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_Xy7Kp2Lm9",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client-1"},
        "request": {"userAttributes": attributes},
        "response": {}
    })
}

pub fn confirm_sign_up(user_name: &str, name: Option<&str>) -> Value {
    confirm("PostConfirmation_ConfirmSignUp", user_name, name)
}

/// Handlers on `registry` at a clock the test controls.
pub fn triggers_with<R: Registry>(
    registry: R,
    settings: Settings,
) -> (Triggers<R>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut triggers = Triggers::new(registry, settings);
    triggers.clock = clock.clone();
    (triggers, clock)
}

/// The event with `response` replaced: what a handler must leave alone.
pub fn without_response(event: &Value) -> Value {
    let mut event = event.clone();
    if let Some(object) = event.as_object_mut() {
        object.remove("response");
    }
    event
}

/// The key of a name under the policy in force.
pub fn key_of(settings: &Settings, raw: &str) -> NameKey {
    settings
        .policy
        .evaluate(raw)
        .unwrap_or_else(|e| panic!("{raw} should pass the policy: {e}"))
        .key()
        .clone()
}

/// The repository's `events/` directory.
pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|root| root.join("events"))
        .unwrap_or_default()
}

pub fn fixture(name: &str) -> Value {
    let path = events_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

pub use integration_tests::registries::Broken;

/// A registry that is down: every call fails.
pub const DOWN: Broken = Broken::DOWN;
/// A registry that never answers.
pub const HANGING: Broken = Broken::HANGING;

/// Who holds or owns an entry: the pending holder (a `userName` in lower case) or the active
/// owner (a `sub`); `-` for anything else.
pub fn who(claim: &shared::registry::Claim) -> String {
    use shared::registry::{ClaimState, Owner};
    match &claim.state {
        // The holder is stored as a keyed hash; its sealed `userName` says who it is.
        ClaimState::Pending { .. } => integration_tests::contract::pending_of(claim)
            .3
            .expect("a sealed holder"),
        ClaimState::Active {
            owner: Owner::Sub(sub),
        } => sub.clone(),
        _ => "-".into(),
    }
}

/// The contact hashes of an email, under the key the triggers use in tests.
pub fn email_contacts(email: &str) -> shared::registry::Contacts {
    shared::registry::Contacts {
        email: shared::registry::ContactKey::development().email(email),
        phone: None,
    }
}

/// An active entry owned by `sub`.
pub fn active(sub: &str) -> shared::registry::ClaimState {
    shared::registry::ClaimState::Active {
        owner: shared::registry::Owner::Sub(sub.to_owned()),
    }
}
