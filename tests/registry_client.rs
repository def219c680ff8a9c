//! The DynamoDB registry as the functions use it: what each operation costs in requests (counted at
//! the SDK), and what a refused or silent endpoint gives with the production timeouts.

use integration_tests::contract::{commitment, email, reservation, LIFETIME, T0};
use integration_tests::counter::RequestCounter;
use integration_tests::faults::{refusing_endpoint, KeepAliveFront, SilentServer};
use integration_tests::moto::{fresh_table, moto_client, moto_endpoint, MOTO_TIMEOUTS};
use shared::registry::dynamodb::{local_config, Timeouts};
use shared::registry::{
    CommitOutcome, Contacts, DynamoRegistry, Registry, RegistryError, ReserveOutcome,
};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A registry on a fresh moto table whose client counts its requests.
async fn counted_registry() -> (DynamoRegistry, RequestCounter) {
    let table = fresh_table(&moto_client()).await;
    let counter = RequestCounter::new();
    let config = local_config(moto_endpoint(), &MOTO_TIMEOUTS)
        .interceptor(counter.clone())
        .build();
    (
        DynamoRegistry::new(aws_sdk_dynamodb::Client::from_conf(config), table),
        counter,
    )
}

fn registry_at(endpoint: &str, counter: &RequestCounter) -> DynamoRegistry {
    let config = local_config(endpoint, &Timeouts::default())
        .interceptor(counter.clone())
        .build();
    DynamoRegistry::new(aws_sdk_dynamodb::Client::from_conf(config), "unreachable")
}

/// Asserts that the requests since the last call were exactly one `operation`, sent once.
fn assert_one(counter: &RequestCounter, operation: &str, case: &str) {
    assert_eq!(counter.operations(), vec![operation.to_owned()], "{case}");
    assert_eq!(counter.attempts(), 1, "{case}");
    counter.reset();
}

#[tokio::test]
async fn each_decision_is_one_request() {
    let (registry, counter) = counted_registry().await;
    let mine = reservation("alice", "user-a", Some("a@example.com"), T0);
    let theirs = reservation("alice", "user-b", Some("b@example.com"), T0);

    assert_eq!(
        registry.reserve(&mine, T0).await.expect("reserve"),
        ReserveOutcome::Reserved
    );
    assert_one(&counter, "PutItem", "reserve a free name");
    assert_eq!(
        registry.reserve(&theirs, T0).await.expect("reserve"),
        ReserveOutcome::Taken
    );
    assert_one(&counter, "PutItem", "reserve a held name");
    assert_eq!(
        registry.reserve(&mine, T0).await.expect("reserve"),
        ReserveOutcome::Reserved
    );
    assert_one(&counter, "PutItem", "replay a reservation");

    let same_person = reservation("alice", "user-c", Some("a@example.com"), T0);
    assert!(matches!(
        registry.reserve(&same_person, T0).await.expect("reserve"),
        ReserveOutcome::HeldForRetry { .. }
    ));
    assert_one(&counter, "PutItem", "a retry by the same person");

    let commit = |user: &str, verified: Contacts| commitment("alice", user, verified);
    for (case, c, now, outcome) in [
        (
            "commit",
            commit("user-a", Contacts::none()),
            T0 + 1,
            CommitOutcome::Committed,
        ),
        (
            "replay a commit",
            commit("user-a", Contacts::none()),
            T0 + 2,
            CommitOutcome::Committed,
        ),
        (
            "commit a held name, with a verified email",
            commit("user-c", email("a@example.com")),
            T0 + LIFETIME,
            CommitOutcome::Taken,
        ),
        (
            "commit without a reservation",
            commitment("bob", "user-b", Contacts::none()),
            T0,
            CommitOutcome::Committed,
        ),
        (
            "commit a second name",
            commitment("carol", "user-b", Contacts::none()),
            T0,
            CommitOutcome::OwnsAnotherName,
        ),
    ] {
        assert_eq!(
            registry.commit(&c, now).await.expect("commit"),
            outcome,
            "{case}"
        );
        assert_one(&counter, "TransactWriteItems", case);
    }

    let alice = integration_tests::contract::name("alice");
    assert!(registry.get(alice.key()).await.expect("get").is_some());
    assert_one(&counter, "GetItem", "get");
    assert!(registry
        .user("sub-user-a")
        .await
        .expect("user")
        .and_then(|u| u.owned)
        .is_some());
    assert_one(&counter, "GetItem", "owned_name");
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let counter = RequestCounter::new();
    let registry = registry_at(&refusing_endpoint(), &counter);
    let r = reservation("alice", "user-a", None, T0);
    match registry.reserve(&r, T0).await {
        Err(RegistryError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert_eq!(
        counter.attempts(),
        Timeouts::default().max_attempts as usize,
        "retried once"
    );
}

#[tokio::test]
async fn a_silent_endpoint_times_out_within_the_pre_sign_up_budget() {
    let silent = SilentServer::start();
    let counter = RequestCounter::new();
    let registry = registry_at(&silent.endpoint, &counter);
    let r = reservation("alice", "user-a", None, T0);
    let started = Instant::now();
    let outcome = registry.reserve(&r, T0).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(outcome, Err(RegistryError::Timeout)),
        "expected Timeout, got {outcome:?}"
    );
    // The explicit fault budget of docs/registry.md#time-budget-and-failures: pre-sign-up must deny within 3 s.
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert!(silent.accepted() >= 1, "the request reached the endpoint");
    let message = outcome.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(message, "the username registry did not answer in time");
}

/// The variables Lambda sets for a function, with DynamoDB at `endpoint`.
fn lambda_env(endpoint: &str, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_SESSION_TOKEN", "test"),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.retain(|_, v| !v.is_empty());
    env
}

#[tokio::test]
async fn a_function_opens_its_connection_at_init_and_its_first_event_reuses_it() {
    let table = fresh_table(&moto_client()).await;
    let mine = reservation("melody", "u-1", None, T0);

    let proxy = KeepAliveFront::start(moto_endpoint());
    let registry = DynamoRegistry::for_lambda(&lambda_env(&proxy.endpoint, &[]), table.as_str())
        .await
        .unwrap();
    assert_eq!(proxy.connections(), 1, "init opens the connection");
    let outcome = registry.reserve(&mine, T0).await.unwrap();
    assert_eq!(outcome, ReserveOutcome::Reserved);
    assert_eq!(proxy.connections(), 1, "the first event reuses it");

    let proxy = KeepAliveFront::start(moto_endpoint());
    let env = lambda_env(&proxy.endpoint, &[("USERNAMES_WARM_CONNECTION", "false")]);
    let registry = DynamoRegistry::for_lambda(&env, table.as_str())
        .await
        .unwrap();
    assert_eq!(proxy.connections(), 0, "switched off: nothing at init");
    registry.get(mine.username.key()).await.unwrap();
    assert_eq!(proxy.connections(), 1);
}

#[tokio::test]
async fn a_function_whose_endpoint_is_down_at_init_still_starts_in_time() {
    let started = Instant::now();
    let registry = DynamoRegistry::for_lambda(&lambda_env(&refusing_endpoint(), &[]), "t").await;
    assert!(registry.is_ok(), "a failed warm-up never stops init");
    assert!(started.elapsed() < Timeouts::default().operation + Duration::from_millis(500));
}

#[tokio::test]
async fn a_function_without_lambdas_variables_names_the_missing_one() {
    for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        let env = lambda_env(moto_endpoint(), &[(missing, "")]);
        let err = DynamoRegistry::for_lambda(&env, "t").await.unwrap_err();
        assert_eq!(err.var, missing);
    }
    let env = lambda_env(moto_endpoint(), &[("USERNAMES_WARM_CONNECTION", "maybe")]);
    let err = DynamoRegistry::for_lambda(&env, "t").await.unwrap_err();
    assert_eq!(err.var, "USERNAMES_WARM_CONNECTION");
}

/// The HTTP API function's init: one SDK configuration, DynamoDB's connection and the pool's
/// opened at once, so the first rename after a cold start (a transaction, then the pool's
/// attribute) opens no connection; switched off, neither is opened before the first request.
#[tokio::test]
async fn the_api_function_opens_both_connections_at_init_and_its_first_rename_reuses_them() {
    use integration_tests::cognito::{add_user, cognito, new_pool};
    use shared::api::{Api, Caller, CognitoMirror};

    let table = fresh_table(&moto_client()).await;
    let cognito = cognito();
    let pool = new_pool(&cognito).await;
    let sub = add_user(&cognito, &pool, "ann", None).await;
    let caller = Caller {
        sub,
        username: Some("ann".into()),
    };
    for (warm, expected_at_init) in [("true", 1), ("false", 0)] {
        let dynamodb = KeepAliveFront::start(moto_endpoint());
        let user_pool = KeepAliveFront::start(moto_endpoint());
        let env = lambda_env(
            &dynamodb.endpoint,
            &[
                ("USERNAMES_TABLE", table.as_str()),
                ("USERNAMES_USER_POOL_ID", pool.as_str()),
                ("USERNAMES_RENAME_COOLDOWN", "0"),
                ("USERNAMES_WARM_CONNECTION", warm),
                (
                    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
                    user_pool.endpoint.as_str(),
                ),
            ],
        );
        let api = Api::dynamodb_from_env(&env, |settings, config| {
            let pool = settings.user_pool_id.clone().expect("a pool");
            CognitoMirror::for_lambda(config, &env, pool)
        })
        .await
        .unwrap();
        assert_eq!(
            dynamodb.connections(),
            expected_at_init,
            "DynamoDB at init, warm={warm}"
        );
        assert_eq!(
            user_pool.connections(),
            expected_at_init,
            "the pool at init, warm={warm}"
        );
        let renamed = api
            .rename(&caller, &format!("Annabel_{warm}"))
            .await
            .unwrap();
        assert_eq!(renamed.username, format!("Annabel_{warm}"));
        // The rename mirrored the name into the pool, on the one connection to each.
        assert_eq!(dynamodb.connections(), 1, "warm={warm}");
        assert_eq!(user_pool.connections(), 1, "warm={warm}");
    }
    let user = cognito
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    let name = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "preferred_username")
        .and_then(|a| a.value());
    assert_eq!(name, Some("Annabel_false"));
}
