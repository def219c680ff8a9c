//! Every fixture in `events/`, in the order two users' lives send them to the triggers on one
//! registry: Melody signs up, confirms, signs in every way there is, resets her password; an
//! administrator creates SupportDesk, who signs in with the new-password challenge; a federated
//! user without a name signs up; a machine client gets a token. Each step's expected outcome
//! follows from the steps before it, so nothing is seeded by hand.

use serde_json::Value;

/// One event and the outcome code it must have at that point of the lifecycle.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub fixture: &'static str,
    pub outcome: &'static str,
}

const fn step(fixture: &'static str, outcome: &'static str) -> Step {
    Step { fixture, outcome }
}

/// Melody's Cognito `userName` (her `sub`) in the fixtures.
pub const MELODY: &str = "5a1c7f3e-0b2d-4e6f-9a8b-1c2d3e4f5a6b";
/// SupportDesk's, the administrator-created user.
pub const SUPPORT: &str = "8d2e4f6a-1b3c-4d5e-8f9a-0b1c2d3e4f5a";

pub const LIFECYCLE: [Step; 13] = [
    step("pre-sign-up-signup.json", "name_reserved"),
    step("post-confirmation-confirm-sign-up.json", "name_committed"),
    step("token-generation-v1-authentication.json", "name_owned"),
    step("token-generation-v1-hosted-auth.json", "name_owned"),
    step("token-generation-v2-authentication.json", "name_owned"),
    step("token-generation-v2-authenticate-device.json", "name_owned"),
    step("token-generation-v2-refresh-tokens.json", "name_owned"),
    step("token-generation-v3-authentication.json", "name_owned"),
    step(
        "post-confirmation-confirm-forgot-password.json",
        "no_action",
    ),
    step("pre-sign-up-admin-create-user.json", "name_reserved"),
    // Post-confirmation never runs for an administrator-created user: the first sign-in commits.
    step(
        "token-generation-v1-new-password-challenge.json",
        "name_committed",
    ),
    step("pre-sign-up-external-provider.json", "name_absent"),
    step(
        "token-generation-v3-client-credentials.json",
        "client_credentials",
    ),
];

/// The `events/` directory.
pub fn events_dir() -> std::path::PathBuf {
    crate::moto::workspace_root().join("events")
}

/// A fixture's JSON.
pub fn fixture(name: &str) -> Value {
    let path = events_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// The names of the `.json` files in `events/`, sorted.
pub fn fixtures_on_disk() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap_or_else(|e| panic!("cannot list events/: {e}"))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// The user pool trigger (the key of `LambdaConfig`) that Cognito sends a trigger source to.
pub fn trigger_of(trigger_source: &str) -> &'static str {
    if trigger_source.starts_with("PreSignUp_") {
        "PreSignUp"
    } else if trigger_source.starts_with("PostConfirmation_") {
        "PostConfirmation"
    } else if trigger_source.starts_with("TokenGeneration_") {
        "PreTokenGeneration"
    } else {
        panic!("no user pool trigger receives {trigger_source}")
    }
}
