//! Pre-token-generation on DynamoDB (a moto server): the answers match the memory store's, and a
//! token event of a user who owns a name costs one read (the user's record), the rare paths two
//! reads and a transaction, a client-credentials grant nothing. Requests are counted at the SDK
//! with the registry tests' interceptor.

use integration_tests::counter::RequestCounter;
use integration_tests::faults::{refusing_endpoint, SilentServer};
use integration_tests::moto::{fresh_table, moto_endpoint, workspace_root, MOTO_TIMEOUTS};
use serde_json::{json, Value};
use shared::config::Settings;
use shared::registry::dynamodb::{local_config, Timeouts};
use shared::registry::{
    ClaimState, CommitOutcome, Commitment, Contacts, DynamoRegistry, ManualClock, Owner, Registry,
    Reservation, ReserveOutcome, Timestamp,
};
use shared::triggers::pre_token_generation::{answer, TokenOutcome};
use shared::triggers::{dispatch, Triggers};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Cognito waits 5 s for a trigger; a token event must answer inside that, registry or not.
const COGNITO_BUDGET: Duration = Duration::from_secs(5);

const NOW: Timestamp = 1_750_000_000;
const MELODY: &str = "5a1c7f3e-0b2d-4e6f-9a8b-1c2d3e4f5a6b";
const SUPPORT: &str = "8d2e4f6a-1b3c-4d5e-8f9a-0b1c2d3e4f5a";
const SOMEONE_ELSE: &str = "0f0e0d0c-0b0a-4909-8807-060504030201";

fn fixture(name: &str) -> Value {
    let path = workspace_root().join("events").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Handlers on a fresh moto table whose client counts its requests.
async fn on_moto() -> (Triggers<DynamoRegistry>, RequestCounter) {
    let counter = RequestCounter::new();
    let config = local_config(moto_endpoint(), &MOTO_TIMEOUTS).interceptor(counter.clone());
    let client = aws_sdk_dynamodb::Client::from_conf(config.build());
    let table = fresh_table(&client).await;
    let mut triggers = Triggers::new(DynamoRegistry::new(client, table), Settings::default());
    triggers.clock = Arc::new(ManualClock::new(NOW));
    (triggers, counter)
}

async fn reserve(t: &Triggers<DynamoRegistry>, raw: &str, owner: &str, expires_at: Timestamp) {
    let r = Reservation {
        username: t.settings.policy.evaluate(raw).unwrap(),
        holder: t.holder(owner),
        contacts: Contacts::none(),
        expires_at,
    };
    assert_eq!(
        t.registry.reserve(&r, NOW - 60).await.unwrap(),
        ReserveOutcome::Reserved
    );
}

async fn own(t: &Triggers<DynamoRegistry>, raw: &str, owner: &str) {
    reserve(t, raw, owner, NOW + 3600).await;
    let commitment = Commitment {
        username: t.settings.policy.evaluate(raw).unwrap(),
        holder: t.holder(owner),
        sub: owner.to_owned(),
        verified: Contacts::none(),
    };
    assert_eq!(
        t.registry.commit(&commitment, NOW - 30).await.unwrap(),
        CommitOutcome::Committed
    );
}

/// Runs one event with the counter cleared; the answer and the operations it cost.
async fn run(
    t: &Triggers<DynamoRegistry>,
    counter: &RequestCounter,
    event: &Value,
) -> (Value, TokenOutcome, Vec<String>) {
    counter.reset();
    let (out, outcome) = answer(t, event.clone()).await.unwrap();
    (out, outcome, counter.operations())
}

#[tokio::test]
async fn the_owner_costs_one_read() {
    let (t, counter) = on_moto().await;
    own(&t, "Melody_Rivers", MELODY).await;
    let event = fixture("token-generation-v2-authentication.json");
    let (out, outcome, operations) = run(&t, &counter, &event).await;
    assert_eq!(outcome, TokenOutcome::NameOwned);
    assert_eq!(operations, ["GetItem"]);
    let mut expected = event.clone();
    expected["response"] = json!({"claimsAndScopeOverrideDetails": {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
            "claimsToSuppress": []
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {},
            "claimsToSuppress": [],
            "scopesToAdd": [],
            "scopesToSuppress": []
        },
        "groupOverrideDetails": {
            "groupsToOverride": ["editors", "beta-testers"],
            "iamRolesToOverride": ["arn:aws:iam::123456789012:role/editors"],
            "preferredRole": "arn:aws:iam::123456789012:role/editors"
        }
    }});
    assert_eq!(out, expected);
}

#[tokio::test]
async fn someone_elses_name_or_nobodys_costs_two_reads_and_is_withheld() {
    let (t, counter) = on_moto().await;
    let event = fixture("token-generation-v1-authentication.json");
    let (out, outcome, operations) = run(&t, &counter, &event).await;
    let two_reads = ["GetItem".to_string(), "GetItem".to_string()];
    assert_eq!(
        (outcome.code(), operations.as_slice()),
        ("name_unclaimed", two_reads.as_slice()),
        "the user's record, then the attribute's name"
    );
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToSuppress"],
        json!(["preferred_username"])
    );

    own(&t, "Melody_Rivers", SOMEONE_ELSE).await;
    let (out, outcome, operations) = run(&t, &counter, &event).await;
    assert_eq!(
        (outcome.code(), operations.as_slice()),
        ("name_not_owned", two_reads.as_slice())
    );
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToSuppress"],
        json!(["preferred_username"])
    );
    let key = t.settings.policy.evaluate("Melody_Rivers").unwrap();
    assert_eq!(
        t.registry.get(key.key()).await.unwrap().unwrap().state,
        ClaimState::Active {
            owner: Owner::Sub(SOMEONE_ELSE.into())
        }
    );
}

#[tokio::test]
async fn a_pending_claim_costs_two_reads_and_one_transaction() {
    let (t, counter) = on_moto().await;
    reserve(&t, "SupportDesk", SUPPORT, NOW + 3600).await;
    let event = fixture("token-generation-v1-new-password-challenge.json");
    let (out, outcome, operations) = run(&t, &counter, &event).await;
    assert_eq!(outcome, TokenOutcome::NameCommitted);
    assert_eq!(
        operations,
        ["GetItem", "GetItem", "TransactWriteItems"],
        "{operations:?}"
    );
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"],
        json!({"preferred_username": "SupportDesk"})
    );
    let key = t.settings.policy.evaluate("SupportDesk").unwrap();
    assert_eq!(
        t.registry.get(key.key()).await.unwrap().unwrap().state,
        ClaimState::Active {
            owner: Owner::Sub(SUPPORT.into())
        }
    );

    let (_, outcome, operations) = run(&t, &counter, &event).await;
    assert_eq!(
        (outcome, operations),
        (TokenOutcome::NameOwned, vec!["GetItem".to_string()])
    );
}

#[tokio::test]
async fn no_name_costs_one_read_and_client_credentials_nothing() {
    let (t, counter) = on_moto().await;
    let mut event = fixture("token-generation-v3-authentication.json");
    if let Some(attributes) = event["request"]["userAttributes"].as_object_mut() {
        attributes.remove("preferred_username");
    }
    let (_, outcome, operations) = run(&t, &counter, &event).await;
    assert_eq!(
        (outcome, operations),
        (TokenOutcome::NameAbsent, vec!["GetItem".to_string()])
    );

    let event = fixture("token-generation-v3-client-credentials.json");
    let (out, outcome, operations) = run(&t, &counter, &event).await;
    assert_eq!(
        (out, outcome, operations),
        (event, TokenOutcome::ClientCredentials, vec![])
    );
}

/// The production client settings (`Timeouts::default()`, the 3 s safety net) against a broken
/// endpoint: the tokens go out in time, without the name, and sign-in succeeds.
async fn assert_withholds_in_time(endpoint: &str, case: &str) {
    let client =
        aws_sdk_dynamodb::Client::from_conf(local_config(endpoint, &Timeouts::default()).build());
    let mut triggers = Triggers::new(
        DynamoRegistry::new(client, "usernames".to_string()),
        Settings::default(),
    );
    triggers.clock = Arc::new(ManualClock::new(NOW));
    for file in [
        "token-generation-v1-authentication.json",
        "token-generation-v3-authentication.json",
    ] {
        let event = fixture(file);
        let started = Instant::now();
        let dispatched = dispatch(&triggers, event).await;
        let elapsed = started.elapsed();
        assert!(
            elapsed < COGNITO_BUDGET,
            "{case} {file}: answered after {elapsed:?}"
        );
        assert!(
            matches!(
                dispatched.outcome,
                "registry_unavailable" | "registry_timeout"
            ),
            "{case} {file}: {}",
            dispatched.outcome
        );
        let out = dispatched
            .result
            .unwrap_or_else(|e| panic!("{case} {file}: sign-in failed: {e}"));
        let suppressed = if file.contains("v1") {
            &out["response"]["claimsOverrideDetails"]["claimsToSuppress"]
        } else {
            &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
                ["claimsToSuppress"]
        };
        assert_eq!(suppressed, &json!(["preferred_username"]), "{case} {file}");
    }
}

#[tokio::test]
async fn a_refusing_registry_withholds_the_name_in_time() {
    assert_withholds_in_time(&refusing_endpoint(), "refused").await;
}

#[tokio::test]
async fn a_silent_registry_withholds_the_name_in_time() {
    let silent = SilentServer::start();
    assert_withholds_in_time(&silent.endpoint, "silent").await;
    assert!(
        silent.accepted() > 0,
        "the client reached the silent endpoint"
    );
}
