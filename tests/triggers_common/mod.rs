//! Event builders and test registries shared by the handler-level tests (`triggers_*.rs`).
#![allow(dead_code)] // each test binary uses its own subset

use serde_json::{json, Value};
use shared::config::Settings;
use shared::policy::{NameKey, Username};
use shared::registry::{
    Claim, CommitOutcome, EmailHash, ManualClock, Registry, RegistryError, Reservation,
    ReserveOutcome, Timestamp,
};
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
    let triggers = Triggers {
        registry,
        clock: clock.clone(),
        settings,
    };
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

/// A registry that is down: every call fails.
pub struct DownRegistry;

/// A registry that never answers.
pub struct HangingRegistry;

fn down() -> RegistryError {
    RegistryError::Unavailable("connection refused".into())
}

impl Registry for DownRegistry {
    async fn reserve(
        &self,
        _: &Reservation,
        _: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        Err(down())
    }
    async fn commit(
        &self,
        _: &Username,
        _: &str,
        _: Option<&EmailHash>,
        _: Timestamp,
    ) -> Result<CommitOutcome, RegistryError> {
        Err(down())
    }
    async fn get(&self, _: &NameKey) -> Result<Option<Claim>, RegistryError> {
        Err(down())
    }
    async fn find_by_owner(&self, _: &str) -> Result<Vec<Claim>, RegistryError> {
        Err(down())
    }
    async fn release(&self, _: &NameKey, _: &str) -> Result<bool, RegistryError> {
        Err(down())
    }
}

impl Registry for HangingRegistry {
    async fn reserve(
        &self,
        _: &Reservation,
        _: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        std::future::pending().await
    }
    async fn commit(
        &self,
        _: &Username,
        _: &str,
        _: Option<&EmailHash>,
        _: Timestamp,
    ) -> Result<CommitOutcome, RegistryError> {
        std::future::pending().await
    }
    async fn get(&self, _: &NameKey) -> Result<Option<Claim>, RegistryError> {
        std::future::pending().await
    }
    async fn find_by_owner(&self, _: &str) -> Result<Vec<Claim>, RegistryError> {
        std::future::pending().await
    }
    async fn release(&self, _: &NameKey, _: &str) -> Result<bool, RegistryError> {
        std::future::pending().await
    }
}
