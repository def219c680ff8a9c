//! Every fixture in `events/` through the handlers, in the lifecycle order of
//! `integration_tests::lifecycle` on one registry, on the memory store and on DynamoDB (moto):
//! each answers with its expected outcome and response, nothing but `response` changes, and the
//! names end up active with their owners. A fixture added to `events/` without an expected
//! outcome fails here.

use integration_tests::lifecycle::{
    fixture, fixtures_on_disk, trigger_of, LIFECYCLE, MELODY, SUPPORT,
};
use integration_tests::moto::moto_registry;
use serde_json::{json, Value};
use shared::config::Settings;
use shared::registry::{ClaimState, MemoryRegistry, Owner, Registry};
use shared::triggers::{dispatch, Triggers};

#[test]
fn every_fixture_in_events_has_a_step_in_the_lifecycle() {
    let mut listed: Vec<String> = LIFECYCLE.iter().map(|s| s.fixture.to_string()).collect();
    listed.sort();
    assert_eq!(
        fixtures_on_disk(),
        listed,
        "each file in events/ needs a step (and its expected outcome) in tests/support/lifecycle.rs"
    );
}

#[tokio::test]
async fn every_fixture_answers_as_expected_on_the_memory_store() {
    let triggers = Triggers::new(MemoryRegistry::new(), Settings::default());
    run_lifecycle(&triggers).await;
}

#[tokio::test]
async fn every_fixture_answers_as_expected_on_dynamodb() {
    let triggers = Triggers::new(moto_registry().await, Settings::default());
    run_lifecycle(&triggers).await;
}

async fn run_lifecycle<R: Registry>(triggers: &Triggers<R>) {
    for step in LIFECYCLE {
        let event = fixture(step.fixture);
        let dispatched = dispatch(triggers, event.clone()).await;
        assert_eq!(dispatched.outcome, step.outcome, "{}", step.fixture);
        let answered = dispatched
            .result
            .unwrap_or_else(|e| panic!("{}: {} ({})", step.fixture, e, e.code()));
        assert_eq!(
            without_response(&answered),
            without_response(&event),
            "{}: only the response may change",
            step.fixture
        );
        assert_eq!(
            answered["response"],
            expected_response(&event, step.outcome),
            "{}",
            step.fixture
        );
    }

    for (name, owner) in [("Melody_Rivers", MELODY), ("SupportDesk", SUPPORT)] {
        let username = triggers.settings.policy.evaluate(name).unwrap();
        let claim = triggers
            .registry
            .get(username.key())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{name} is not in the registry"));
        let active = ClaimState::Active {
            owner: Owner::Sub(owner.to_owned()),
        };
        assert_eq!((claim.display.as_str(), &claim.state), (name, &active));
    }
}

fn without_response(event: &Value) -> Value {
    let mut event = event.clone();
    if let Some(object) = event.as_object_mut() {
        object.remove("response");
    }
    event
}

/// The response each fixture must get with the default settings, written out per trigger and
/// event version: the owned name in the ID token, groups kept, the access token untouched.
fn expected_response(event: &Value, outcome: &str) -> Value {
    let source = event["triggerSource"].as_str().unwrap_or_default();
    let name = event["request"]["userAttributes"]["preferred_username"].clone();
    let id_token = json!({
        "claimsToAddOrOverride": { "preferred_username": name },
        "claimsToSuppress": [],
    });
    let mut details = match (trigger_of(source), event["version"].as_str(), outcome) {
        ("PreSignUp", _, _) => {
            return json!({
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false,
            })
        }
        ("PostConfirmation", _, _) => return json!({}),
        (_, _, "client_credentials") => return event["response"].clone(),
        (_, Some("1"), "name_owned" | "name_committed") => id_token,
        (_, Some("2" | "3"), "name_owned" | "name_committed") => json!({
            "idTokenGeneration": id_token,
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {},
                "claimsToSuppress": [],
                "scopesToAdd": [],
                "scopesToSuppress": [],
            },
        }),
        other => panic!("no expected response for {other:?}"),
    };
    // Groups are copied; `groupConfiguration: null` leaves them to Cognito (no override at all).
    let groups = &event["request"]["groupConfiguration"];
    if !groups.is_null() {
        details["groupOverrideDetails"] = json!({
            "groupsToOverride": groups.get("groupsToOverride").cloned().unwrap_or(json!([])),
            "iamRolesToOverride": groups.get("iamRolesToOverride").cloned().unwrap_or(json!([])),
            "preferredRole": groups.get("preferredRole").cloned().unwrap_or(Value::Null),
        });
    }
    let key = if event["version"].as_str() == Some("1") {
        "claimsOverrideDetails"
    } else {
        "claimsAndScopeOverrideDetails"
    };
    json!({ key: details })
}
