//! `usernames table create` run as a binary against moto, an endpoint that refuses connections,
//! and without its configuration.

use integration_tests::contract::{reservation, T0};
use integration_tests::faults::refusing_endpoint;
use integration_tests::moto::{moto_client, moto_endpoint};
use shared::registry::schema;
use shared::registry::{DynamoRegistry, Registry, ReserveOutcome};
use std::process::{Command, Output};

/// The binary with a clean AWS environment: only what the test sets reaches the SDK.
fn usernames(table: Option<&str>, endpoint: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usernames"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") || name == "USERNAMES_TABLE" {
            command.env_remove(name);
        }
    }
    command
        .args(["table", "create"])
        .env("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // No profile files from the machine running the tests.
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    if let Some(table) = table {
        command.env("USERNAMES_TABLE", table);
    }
    command
}

fn run(mut command: Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run usernames");
    (
        status.code().expect("an exit code"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Words of the SDK's error texts that must never reach a user.
fn assert_no_sdk_text(stderr: &str) {
    for word in [
        "dispatch failure",
        "SdkError",
        "ConnectorError",
        "DispatchFailure",
        "hyper",
        "io error",
    ] {
        assert!(!stderr.contains(word), "SDK text {word:?} leaked: {stderr}");
    }
}

#[tokio::test]
async fn creates_the_registry_table_once_and_then_says_it_exists() {
    let table = "cli-created-table";
    let (code, stdout, stderr) = run(usernames(Some(table), moto_endpoint()));
    assert_eq!(code, 0, "stdout: {stdout} stderr: {stderr}");
    assert!(
        stdout.contains(&format!("created table {table}")),
        "{stdout}"
    );

    let client = moto_client();
    let description = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("describe")
        .table
        .expect("a table");
    let key: Vec<(&str, &str)> = description
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type().as_str()))
        .collect();
    assert_eq!(key, schema::KEY_SCHEMA);
    let index = description
        .global_secondary_indexes()
        .first()
        .expect("the owner index");
    assert_eq!(index.index_name(), Some(schema::OWNER_INDEX));
    let index_key: Vec<(&str, &str)> = index
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type().as_str()))
        .collect();
    assert_eq!(index_key, schema::OWNER_INDEX_KEY_SCHEMA);
    let ttl = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .expect("describe TTL");
    let ttl = ttl.time_to_live_description().expect("a TTL description");
    assert_eq!(ttl.attribute_name(), Some(schema::TTL_ATTRIBUTE));
    assert_eq!(
        ttl.time_to_live_status().map(|s| s.as_str()),
        Some("ENABLED")
    );

    let (code, stdout, stderr) = run(usernames(Some(table), moto_endpoint()));
    assert_eq!(code, 0, "second run: stdout: {stdout} stderr: {stderr}");
    assert!(
        stdout.contains(&format!("table {table} already exists")),
        "{stdout}"
    );

    // The registry works on the table the command made.
    let registry = DynamoRegistry::new(client, table);
    let r = reservation("alice", "user-a", None, T0);
    assert_eq!(
        registry.reserve(&r, T0).await.expect("reserve"),
        ReserveOutcome::Reserved
    );
}

#[test]
fn without_usernames_table_it_says_what_to_set() {
    let (code, stdout, stderr) = run(usernames(None, &refusing_endpoint()));
    assert_eq!(code, 2, "stdout: {stdout} stderr: {stderr}");
    assert!(stderr.contains("USERNAMES_TABLE is not set"), "{stderr}");
}

#[test]
fn an_endpoint_that_refuses_connections_gets_a_clear_error() {
    let (code, stdout, stderr) = run(usernames(Some("unreachable"), &refusing_endpoint()));
    assert_eq!(code, 1, "stdout: {stdout} stderr: {stderr}");
    assert!(
        stderr.contains("cannot create table unreachable: DynamoDB could not be reached"),
        "{stderr}"
    );
    assert!(stderr.contains("AWS_ENDPOINT_URL_DYNAMODB"), "{stderr}");
    assert_no_sdk_text(&stderr);
}
