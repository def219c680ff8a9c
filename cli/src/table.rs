//! `usernames table create`: creates the registry table named by `USERNAMES_TABLE` with the schema
//! and TTL of `shared::registry::schema` (the one `template.yaml` mirrors), for local endpoints.

use shared::config::{EnvSource, ProcessEnv};
use shared::registry::dynamodb::sdk_config_from_env;
use shared::registry::schema::{self, TableCreated, TableError};
use shared::registry::RegistryError;
use std::process::ExitCode;

/// An administrator waits longer than Cognito does; a refused connection still fails at once.
pub use shared::operations::OPERATOR_TIMEOUTS as ADMIN_TIMEOUTS;

pub fn create() -> ExitCode {
    let Some(table) = ProcessEnv.var("USERNAMES_TABLE") else {
        eprintln!("usernames table create: USERNAMES_TABLE is not set; set it to the name of the table to create");
        return ExitCode::from(2);
    };
    let runtime = match crate::setup::runtime("table create") {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(create_table(&table))
}

async fn create_table(table: &str) -> ExitCode {
    let config = sdk_config_from_env(&ADMIN_TIMEOUTS).await;
    if config.region().is_none() {
        eprintln!("usernames table create: no AWS region; set AWS_REGION (any region for a local endpoint)");
        return ExitCode::from(2);
    }
    let client = aws_sdk_dynamodb::Client::new(&config);
    match schema::create_table(&client, table).await {
        Ok(TableCreated::Created) => {
            say!(
                "created table {table} (key {}, index {}, TTL on {})",
                schema::NAME_KEY,
                schema::OWNER_INDEX,
                schema::TTL_ATTRIBUTE
            );
            ExitCode::SUCCESS
        }
        Ok(TableCreated::AlreadyExisted) => {
            say!("table {table} already exists");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "usernames table create: cannot create table {table}: {}",
                explain(&e)
            );
            ExitCode::FAILURE
        }
    }
}

/// The one place this command words its failures; the SDK's own text is never shown.
fn explain(e: &TableError) -> String {
    const CHECK: &str =
        "check AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL), AWS_REGION and the credentials";
    match e {
        TableError::Registry(RegistryError::Timeout) => {
            format!("DynamoDB did not answer in time; {CHECK}")
        }
        TableError::Registry(RegistryError::Unavailable(_)) => {
            format!("DynamoDB could not be reached or refused the request; {CHECK}")
        }
        TableError::Registry(RegistryError::Corrupt(why)) => {
            format!("unexpected answer from DynamoDB: {why}")
        }
        TableError::Mismatch(_) | TableError::NotActive => e.to_string(),
    }
}
