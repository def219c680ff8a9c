//! The registry table's schema, defined once: the attribute names the store reads and writes, the
//! key, index and TTL definitions that `usernames table create` applies and that `template.yaml`
//! must mirror (a test compares them through [`cloudformation_properties`]).
//!
//! One item per name key:
//!
//! | attribute     | type | present        | meaning                                              |
//! |---------------|------|----------------|------------------------------------------------------|
//! | `name_key`    | S    | always         | partition key: the policy's uniqueness key           |
//! | `display`     | S    | always         | the display form the owner chose                     |
//! | `owner`       | S    | always         | the owner's Cognito `userName`; key of `by_owner`    |
//! | `state`       | S    | always         | `pending` or `active`                                |
//! | `expires_at`  | N    | pending only   | epoch seconds; the pending claim is void from then on; also the TTL attribute |
//! | `key_version` | N    | always         | `policy::KEY_VERSION` the key was derived with       |
//! | `email_hash`  | S    | pending, maybe | SHA-256 hex of the normalised email, for retries     |
//!
//! Active claims carry no `expires_at`, so TTL never deletes them. TTL only tidies expired pending
//! claims away; every condition compares `expires_at` with the caller's `now` itself, because TTL
//! deletion can lag by days.

use super::RegistryError;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;
use std::time::Duration;
use thiserror::Error;

/// Partition key: the name key.
pub const NAME_KEY: &str = "name_key";
pub const DISPLAY: &str = "display";
pub const OWNER: &str = "owner";
pub const STATE: &str = "state";
pub const EXPIRES_AT: &str = "expires_at";
pub const KEY_VERSION: &str = "key_version";
pub const EMAIL_HASH: &str = "email_hash";

/// Values of [`STATE`].
pub const STATE_PENDING: &str = "pending";
pub const STATE_ACTIVE: &str = "active";

/// The global secondary index that lists an owner's claims (eventually consistent; administration
/// only, never a uniqueness decision).
pub const OWNER_INDEX: &str = "by_owner";
/// The attribute DynamoDB's TTL deletes expired items by.
pub const TTL_ATTRIBUTE: &str = EXPIRES_AT;
pub const BILLING_MODE: &str = "PAY_PER_REQUEST";

/// `(AttributeName, AttributeType)` of every key attribute of the table and its index.
pub const ATTRIBUTE_DEFINITIONS: &[(&str, &str)] = &[(NAME_KEY, "S"), (OWNER, "S")];
/// `(AttributeName, KeyType)` of the table's primary key.
pub const KEY_SCHEMA: &[(&str, &str)] = &[(NAME_KEY, "HASH")];
/// `(AttributeName, KeyType)` of [`OWNER_INDEX`]; the range key sorts an owner's claims by name key.
pub const OWNER_INDEX_KEY_SCHEMA: &[(&str, &str)] = &[(OWNER, "HASH"), (NAME_KEY, "RANGE")];
/// The projection of [`OWNER_INDEX`]: whole claims, so `find_by_owner` needs no second read.
pub const OWNER_INDEX_PROJECTION: &str = "ALL";

/// The schema as the `Properties` of an `AWS::DynamoDB::Table` resource (without `TableName`), for
/// comparing with `template.yaml`.
pub fn cloudformation_properties() -> serde_json::Value {
    fn keys(schema: &[(&str, &str)]) -> serde_json::Value {
        schema
            .iter()
            .map(|(name, kind)| serde_json::json!({ "AttributeName": name, "KeyType": kind }))
            .collect()
    }
    serde_json::json!({
        "BillingMode": BILLING_MODE,
        "AttributeDefinitions": ATTRIBUTE_DEFINITIONS
            .iter()
            .map(|(name, kind)| serde_json::json!({ "AttributeName": name, "AttributeType": kind }))
            .collect::<serde_json::Value>(),
        "KeySchema": keys(KEY_SCHEMA),
        "GlobalSecondaryIndexes": [{
            "IndexName": OWNER_INDEX,
            "KeySchema": keys(OWNER_INDEX_KEY_SCHEMA),
            "Projection": { "ProjectionType": OWNER_INDEX_PROJECTION },
        }],
        "TimeToLiveSpecification": { "AttributeName": TTL_ATTRIBUTE, "Enabled": true },
    })
}

/// What [`create_table`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableCreated {
    Created,
    AlreadyExisted,
}

/// Why the table could not be created or checked.
#[derive(Debug, Error)]
pub enum TableError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A table of that name exists with another key schema or TTL attribute.
    #[error("the table exists but does not have the registry's schema: {0}")]
    Mismatch(String),
    #[error("the table did not become active in time")]
    NotActive,
}

/// How long [`create_table`] waits for a new table to become active.
const ACTIVE_WAIT: Duration = Duration::from_secs(120);
const ACTIVE_POLL: Duration = Duration::from_millis(500);

/// Creates the registry table with its index and TTL, or checks an existing one and enables its
/// TTL if needed. Idempotent.
pub async fn create_table(client: &Client, table: &str) -> Result<TableCreated, TableError> {
    let created = match create_request(client, table)?.send().await {
        Ok(_) => TableCreated::Created,
        Err(SdkError::ServiceError(e))
            if matches!(e.err(), CreateTableError::ResourceInUseException(_)) =>
        {
            TableCreated::AlreadyExisted
        }
        Err(e) => return Err(super::dynamodb::registry_error(e).into()),
    };
    wait_until_active(client, table).await?;
    enable_ttl(client, table).await?;
    Ok(created)
}

fn create_request(
    client: &Client,
    table: &str,
) -> Result<aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder, TableError>
{
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest);
    for (name, kind) in ATTRIBUTE_DEFINITIONS {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(*name)
                .attribute_type(ScalarAttributeType::from(*kind))
                .build()
                .map_err(build_error)?,
        );
    }
    for element in key_elements(KEY_SCHEMA)? {
        request = request.key_schema(element);
    }
    let index = GlobalSecondaryIndex::builder()
        .index_name(OWNER_INDEX)
        .set_key_schema(Some(key_elements(OWNER_INDEX_KEY_SCHEMA)?))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::from(OWNER_INDEX_PROJECTION))
                .build(),
        )
        .build()
        .map_err(build_error)?;
    Ok(request.global_secondary_indexes(index))
}

fn key_elements(schema: &[(&str, &str)]) -> Result<Vec<KeySchemaElement>, TableError> {
    schema
        .iter()
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(*name)
                .key_type(KeyType::from(*kind))
                .build()
                .map_err(build_error)
        })
        .collect()
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> TableError {
    TableError::Registry(RegistryError::Unavailable(Box::new(e)))
}

/// Waits for the table to be ACTIVE and checks that its primary key is the registry's, so that an
/// unrelated table of the same name is reported rather than written to.
async fn wait_until_active(client: &Client, table: &str) -> Result<(), TableError> {
    let deadline = tokio::time::Instant::now() + ACTIVE_WAIT;
    loop {
        let description = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(super::dynamodb::registry_error)?;
        let Some(description) = description.table else {
            return Err(TableError::Mismatch(
                "DescribeTable returned no table".into(),
            ));
        };
        let key: Vec<(&str, &str)> = description
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().as_str()))
            .collect();
        if key != KEY_SCHEMA {
            return Err(TableError::Mismatch(format!(
                "its primary key is {key:?}, expected {KEY_SCHEMA:?}"
            )));
        }
        let has_index = description.global_secondary_indexes().iter().any(|index| {
            index.index_name() == Some(OWNER_INDEX)
                && index
                    .key_schema()
                    .iter()
                    .map(|k| (k.attribute_name(), k.key_type().as_str()))
                    .eq(OWNER_INDEX_KEY_SCHEMA.iter().copied())
        });
        if !has_index {
            return Err(TableError::Mismatch(format!(
                "it has no index {OWNER_INDEX} keyed by {OWNER_INDEX_KEY_SCHEMA:?}"
            )));
        }
        if description.table_status() == Some(&TableStatus::Active) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(TableError::NotActive);
        }
        tokio::time::sleep(ACTIVE_POLL).await;
    }
}

async fn enable_ttl(client: &Client, table: &str) -> Result<(), TableError> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(super::dynamodb::registry_error)?;
    if let Some(ttl) = current.time_to_live_description() {
        let status = ttl.time_to_live_status();
        if matches!(
            status,
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ) {
            return match ttl.attribute_name() {
                Some(TTL_ATTRIBUTE) => Ok(()),
                other => Err(TableError::Mismatch(format!(
                    "its TTL attribute is {}, expected {TTL_ATTRIBUTE}",
                    other.unwrap_or("unset")
                ))),
            };
        }
    }
    let specification = TimeToLiveSpecification::builder()
        .attribute_name(TTL_ATTRIBUTE)
        .enabled(true)
        .build()
        .map_err(build_error)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(super::dynamodb::registry_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_attribute_is_defined_and_every_definition_is_a_key() {
        let keys: std::collections::BTreeSet<&str> = KEY_SCHEMA
            .iter()
            .chain(OWNER_INDEX_KEY_SCHEMA)
            .map(|(name, _)| *name)
            .collect();
        let defined: std::collections::BTreeSet<&str> = ATTRIBUTE_DEFINITIONS
            .iter()
            .map(|(name, _)| *name)
            .collect();
        // DynamoDB rejects a definition that no key uses, and a key without a definition.
        assert_eq!(keys, defined);
    }

    #[test]
    fn cloudformation_properties_name_the_index_and_ttl() {
        let properties = cloudformation_properties();
        assert_eq!(properties["KeySchema"][0]["AttributeName"], NAME_KEY);
        assert_eq!(
            properties["GlobalSecondaryIndexes"][0]["IndexName"],
            OWNER_INDEX
        );
        assert_eq!(
            properties["GlobalSecondaryIndexes"][0]["KeySchema"][0]["AttributeName"],
            OWNER
        );
        assert_eq!(
            properties["TimeToLiveSpecification"]["AttributeName"],
            EXPIRES_AT
        );
        assert_eq!(
            properties["AttributeDefinitions"].as_array().map(Vec::len),
            Some(2)
        );
    }
}
