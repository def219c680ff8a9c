//! The sign-up triggers on DynamoDB (a moto server): what each invocation costs in requests,
//! counted at the SDK on the real client, and what a refusing or silent endpoint gives with the
//! production timeouts (the explicit fault-budget tests: "try again" within 3 s).

mod triggers_common;

use integration_tests::counter::RequestCounter;
use integration_tests::faults::{refusing_endpoint, SilentServer};
use integration_tests::moto::{fresh_table, moto_client, moto_endpoint, MOTO_TIMEOUTS};
use serde_json::Value;
use shared::config::Settings;
use shared::registry::dynamodb::{local_config, Timeouts};
use shared::registry::{DynamoRegistry, Registry};
use shared::triggers::{dispatch, Triggers};
use std::time::{Duration, Instant};
use triggers_common::*;

/// Handlers on a fresh moto table whose client counts its requests.
async fn counted() -> (Triggers<DynamoRegistry>, RequestCounter) {
    let table = fresh_table(&moto_client()).await;
    let counter = RequestCounter::new();
    let config = local_config(moto_endpoint(), &MOTO_TIMEOUTS)
        .interceptor(counter.clone())
        .build();
    let registry = DynamoRegistry::new(aws_sdk_dynamodb::Client::from_conf(config), table);
    let (triggers, _) = triggers_with(registry, Settings::default());
    (triggers, counter)
}

/// Runs `event` and checks its outcome and the operations it sent (each sent once).
async fn run_counted(
    triggers: &Triggers<DynamoRegistry>,
    counter: &RequestCounter,
    event: Value,
    outcome: &str,
    operations: &[&str],
) {
    counter.reset();
    let dispatched = dispatch(triggers, event).await;
    assert_eq!(dispatched.outcome, outcome);
    assert_eq!(counter.operations(), operations, "{outcome}");
    assert_eq!(counter.attempts(), operations.len(), "{outcome}");
}

#[tokio::test]
async fn each_invocation_costs_at_most_one_request_or_transaction() {
    let (triggers, counter) = counted().await;
    let melody = sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers"));
    // The first sign-up of an instance also reads the operator's word rules, which it then
    // keeps for a minute (USERNAMES_RULES_CACHE).
    run_counted(
        &triggers,
        &counter,
        melody.clone(),
        "name_reserved",
        &["GetItem", "PutItem"],
    )
    .await;
    run_counted(&triggers, &counter, melody, "name_reserved", &["PutItem"]).await;
    let rival = sign_up("uuid-2", Some("b@example.com"), Some("melody_rivers"));
    run_counted(&triggers, &counter, rival, "name_taken", &["PutItem"]).await;
    let unnamed = sign_up("uuid-3", Some("c@example.com"), None);
    run_counted(&triggers, &counter, unnamed, "name_absent", &[]).await;
    let invalid = sign_up("uuid-4", Some("d@example.com"), Some("ab"));
    let code = Settings::default()
        .policy
        .evaluate("ab")
        .unwrap_err()
        .code();
    run_counted(&triggers, &counter, invalid, code, &[]).await;

    let confirmed = confirm_sign_up("uuid-1", Some("Melody_Rivers"));
    run_counted(
        &triggers,
        &counter,
        confirmed.clone(),
        "name_committed",
        &["TransactWriteItems"],
    )
    .await;
    run_counted(
        &triggers,
        &counter,
        confirmed,
        "name_committed",
        &["TransactWriteItems"],
    )
    .await;
    let stolen = confirm_sign_up("uuid-2", Some("melody_rivers"));
    run_counted(
        &triggers,
        &counter,
        stolen,
        "name_taken",
        &["TransactWriteItems"],
    )
    .await;
    let no_name = confirm_sign_up("uuid-3", None);
    run_counted(&triggers, &counter, no_name, "name_absent", &[]).await;
    let forgot = confirm(
        "PostConfirmation_ConfirmForgotPassword",
        "uuid-1",
        Some("Melody_Rivers"),
    );
    run_counted(&triggers, &counter, forgot, "no_action", &[]).await;

    let key = key_of(&triggers.settings, "Melody_Rivers");
    let claim = triggers.registry.get(&key).await.unwrap().unwrap();
    assert_eq!(claim.state, active("uuid-1"));
}

#[tokio::test]
async fn every_sign_up_fixture_on_dynamodb() {
    let (triggers, counter) = counted().await;
    for (file, outcome, operations) in [
        // The instance's first sign-up reads the word rules too (then keeps them a minute).
        (
            "pre-sign-up-signup.json",
            "name_reserved",
            &["GetItem", "PutItem"][..],
        ),
        (
            "post-confirmation-confirm-sign-up.json",
            "name_committed",
            &["TransactWriteItems"][..],
        ),
        (
            "post-confirmation-confirm-forgot-password.json",
            "no_action",
            &[][..],
        ),
        (
            "pre-sign-up-admin-create-user.json",
            "name_reserved",
            &["PutItem"][..],
        ),
        ("pre-sign-up-external-provider.json", "name_absent", &[][..]),
    ] {
        run_counted(&triggers, &counter, fixture(file), outcome, operations).await;
    }
}

/// Handlers whose client reaches `endpoint` with the production timeouts, on a table that exists
/// on moto, so the test can look there for anything the failed call left behind.
async fn faulty(endpoint: &str) -> (Triggers<DynamoRegistry>, DynamoRegistry) {
    let table = fresh_table(&moto_client()).await;
    let config = local_config(endpoint, &Timeouts::default()).build();
    let broken = DynamoRegistry::new(aws_sdk_dynamodb::Client::from_conf(config), table.clone());
    let healthy = DynamoRegistry::new(moto_client(), table);
    let (triggers, _) = triggers_with(broken, Settings::default());
    (triggers, healthy)
}

const FAULT_BUDGET: Duration = Duration::from_secs(3);

async fn assert_fails_closed_and_confirms(endpoint: &str, case: &str) {
    let (triggers, healthy) = faulty(endpoint).await;
    let event = sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers"));
    let started = Instant::now();
    let dispatched = dispatch(&triggers, event).await;
    let elapsed = started.elapsed();
    assert!(elapsed < FAULT_BUDGET, "{case}: denied after {elapsed:?}");
    let err = dispatched.result.unwrap_err();
    let sentence = match err.code() {
        "registry_unavailable" => {
            "We couldn't reach the username registry right now. Please try again."
        }
        "registry_timeout" => "We couldn't reach the username registry in time. Please try again.",
        other => panic!("{case}: {other}"),
    };
    assert_eq!(err.to_string(), sentence, "{case}");

    // Nothing was held: the name is free for the next person on the working store.
    let key = key_of(&triggers.settings, "Melody_Rivers");
    assert_eq!(healthy.get(&key).await.unwrap(), None, "{case}");

    // Confirmation cannot be undone, so post-confirmation succeeds and only logs.
    let confirmed = confirm_sign_up("uuid-1", Some("Melody_Rivers"));
    let started = Instant::now();
    let dispatched = dispatch(&triggers, confirmed.clone()).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < FAULT_BUDGET,
        "{case}: confirmed after {elapsed:?}"
    );
    assert!(
        matches!(
            dispatched.outcome,
            "registry_unavailable" | "registry_timeout"
        ),
        "{case}: {}",
        dispatched.outcome
    );
    assert_eq!(dispatched.result.unwrap(), confirmed, "{case}");
    assert_eq!(healthy.get(&key).await.unwrap(), None, "{case}");
}

#[tokio::test]
async fn a_refusing_endpoint_denies_sign_up_in_time_and_confirms_anyway() {
    assert_fails_closed_and_confirms(&refusing_endpoint(), "refused").await;
}

#[tokio::test]
async fn a_silent_endpoint_denies_sign_up_in_time_and_confirms_anyway() {
    let silent = SilentServer::start();
    assert_fails_closed_and_confirms(&silent.endpoint, "silent").await;
    assert!(
        silent.accepted() > 0,
        "the client reached the silent endpoint"
    );
}

/// Nothing stored identifies a person: in a username pool where people pick their email as
/// username, a sign-up, a retry and a confirmation leave no item (nor index entry) that holds the
/// `userName` or the email in clear; a reader of the whole table sees keyed hashes and a sealed
/// value only.
#[tokio::test]
async fn no_item_holds_a_user_name_or_an_email_in_clear() {
    let table = fresh_table(&moto_client()).await;
    let registry = DynamoRegistry::new(moto_client(), table.clone());
    let (triggers, _) = triggers_with(registry, Settings::default());
    let pool = std::sync::Arc::new(shared::triggers::pool::MemoryPool::new());
    let triggers = triggers.with_pool(pool);
    let who = "jane.doe@example.com";
    // Cognito's `sub` is a UUID, whatever the `userName`.
    let mut confirmed = confirm_sign_up("other.person@example.com", Some("Other_P"));
    confirmed["request"]["userAttributes"]["sub"] =
        serde_json::json!("6f1d0e2a-3b4c-4d5e-8f90-a1b2c3d4e5f6");
    for event in [
        sign_up(who, Some(who), Some("Jane_D")),
        sign_up(
            "JANE.DOE@EXAMPLE.COM",
            Some("Jane.Doe@Example.com"),
            Some("Jane_D"),
        ),
        sign_up(
            "other.person@example.com",
            Some("other.person@example.com"),
            Some("Other_P"),
        ),
        confirmed,
    ] {
        assert!(dispatch(&triggers, event).await.result.is_ok());
    }
    let scanned = moto_client()
        .scan()
        .table_name(&table)
        .send()
        .await
        .expect("scan");
    let text = format!("{:?}", scanned.items()).to_lowercase();
    assert!(scanned.items().len() >= 2, "{text}");
    for secret in ["jane.doe", "example.com", "other.person"] {
        assert!(!text.contains(secret), "{secret} in the table: {text}");
    }
}

/// The one question pre-sign-up asks a real pool (moto's `cognito-idp`): `AdminGetUser` finds a
/// user who exists, confirmed or not, and answers `UserNotFoundException` for a `userName` the
/// pool never created or has deleted.
#[tokio::test]
async fn the_pool_says_whether_a_holder_exists() {
    use integration_tests::cognito::{add_user, cognito, delete_user, new_pool};
    use shared::triggers::pool::{CognitoUsers, PoolUsers, Presence};
    let admin = cognito();
    let pool = new_pool(&admin).await;
    add_user(&admin, &pool, "held-by-me", None).await;
    add_user(&admin, &pool, "left-since", None).await;
    delete_user(&admin, &pool, "left-since").await;
    let users = CognitoUsers::with_client(cognito());
    for (user_name, expected) in [
        ("held-by-me", Presence::Exists),
        ("left-since", Presence::Gone),
        ("never-created", Presence::Gone),
    ] {
        assert_eq!(
            users.presence(&pool, user_name).await.unwrap(),
            expected,
            "{user_name}"
        );
    }
    assert!(
        users
            .presence("us-east-1_NoSuchPool", "held-by-me")
            .await
            .is_err(),
        "a pool that does not answer is no answer, never \"gone\""
    );
}
