//! The registry table's schema, defined once: the attribute names the store reads and writes, the
//! key, index and TTL definitions that `usernames table create` applies and that `template.yaml`
//! must mirror (a test compares them through [`cloudformation_properties`]).
//!
//! One item per name key, and one per user who owns a name, in the same table (so one transaction
//! writes both). A user item's partition key is [`USER_KEY_PREFIX`] and the `sub`: a name key never
//! contains `#` (the policy accepts no `#`, and [`name_item_key`] refuses one), so the two never meet.
//!
//! Name items:
//!
//! | attribute     | type | present          | meaning                                              |
//! |---------------|------|------------------|------------------------------------------------------|
//! | `name_key`    | S    | always           | partition key: the policy's uniqueness key           |
//! | `display`     | S    | always           | the display form the owner chose                     |
//! | `state`       | S    | always           | `pending`, `active`, `quarantined` or `blocked`      |
//! | `owner`       | S    | but blocked      | pending: the keyed hash of the holder's `userName` (`h1:`…; earlier versions: the `userName`); active and quarantined: the owner's `sub` (first-version active items, and their quarantine by reconcile: the `userName`); key of `by_owner` |
//! | `sub`         | S    | active           | the owner's `sub`; its absence marks a first-version active item |
//! | `expires_at`  | N    | pending, quarantined | epoch seconds; the entry is void from then on; also the TTL attribute |
//! | `email_hash`, `phone_hash` | S | pending, maybe | HMAC-SHA-256 hex of the email / phone, for retries (see `contact`) |
//! | `holder_sealed` | S | pending, maybe | the holder's `userName` sealed (AES-256-GCM) under the contact key, so pre-sign-up can ask the pool whether they still exist |
//! | `since`       | N    | active, blocked  | when it became active for its owner, or was blocked  |
//! | `reason`      | S    | blocked, maybe   | the operator's note                                  |
//! | `blocked_by`  | S    | blocked          | the operator who blocked it (absent on older blocks) |
//! | `key_version` | N    | always           | `policy::KEY_VERSION` the key was derived with       |
//!
//! User items (`name_key` = `user#<sub>`, `state` = `user`): `sub`, `owned_key` (the name key the
//! user owns), `display` (its display form, so a token event needs no second read) and `since`
//! (all three absent while the user owns no name), `renamed_at` and `previous` (when the user
//! last renamed or gave up a name, and which). Only transactions that also write the name item
//! change them, so the two never disagree.
//!
//! Active claims carry no `expires_at`, so TTL never deletes them. TTL only tidies expired pending
//! claims and quarantines away; every condition compares `expires_at` with the caller's `now`
//! itself, because TTL deletion can lag by days.

use super::sdk::registry_error;
use super::{
    Claim, ClaimState, ContactHash, Contacts, OwnedName, Owner, RegistryError, Timestamp,
    UserRecord,
};
use crate::policy::NameKey;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
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
pub const PHONE_HASH: &str = "phone_hash";
/// A pending reservation's `userName`, sealed under the contact key.
pub const HOLDER_SEALED: &str = "holder_sealed";
pub const SUB: &str = "sub";
pub const SINCE: &str = "since";
pub const REASON: &str = "reason";
/// Who blocked a name (absent on blocks written before it was recorded).
pub const BLOCKED_BY: &str = "blocked_by";
/// The user item's name key.
pub const OWNED_KEY: &str = "owned_key";
/// When the user last renamed or gave up a name.
pub const RENAMED_AT: &str = "renamed_at";
/// The display form the user gave up then.
pub const PREVIOUS: &str = "previous";

/// Values of [`STATE`].
pub const STATE_PENDING: &str = "pending";
pub const STATE_ACTIVE: &str = "active";
pub const STATE_QUARANTINED: &str = "quarantined";
pub const STATE_BLOCKED: &str = "blocked";
pub const STATE_USER: &str = "user";

/// The partition key of a user item is this prefix and the `sub`.
pub const USER_KEY_PREFIX: &str = "user#";

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
        Err(e) => return Err(registry_error(e).into()),
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
            .map_err(registry_error)?;
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
        .map_err(registry_error)?;
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
        .map_err(registry_error)?;
    Ok(())
}

/// The partition key of a name item. A key with `#` would share the user items' key space; the
/// policy never derives one, so meeting one is a corrupt input, never a write.
pub fn name_item_key(key: &NameKey) -> Result<AttributeValue, RegistryError> {
    if key.as_str().contains('#') {
        return Err(RegistryError::Corrupt(
            "a name key contains the user-item separator".into(),
        ));
    }
    Ok(s(key.as_str()))
}

/// The partition key of `sub`'s user item.
pub fn user_item_key(sub: &str) -> AttributeValue {
    s(&format!("{USER_KEY_PREFIX}{sub}"))
}

pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

type Item = HashMap<String, AttributeValue>;

/// Typed reads of an item's attributes; errors name the attribute, never its value.
struct Fields<'a>(&'a Item);

impl Fields<'_> {
    fn text(&self, name: &str) -> Result<&String, RegistryError> {
        self.0.get(name).and_then(|v| v.as_s().ok()).ok_or_else(|| {
            RegistryError::Corrupt(format!("attribute {name} is missing or not a string"))
        })
    }

    fn optional_text(&self, name: &str) -> Result<Option<&String>, RegistryError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(_) => self.text(name).map(Some),
        }
    }

    fn number(&self, name: &str) -> Result<i64, RegistryError> {
        self.0
            .get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                RegistryError::Corrupt(format!("attribute {name} is missing or not an integer"))
            })
    }

    fn optional_number(&self, name: &str) -> Result<Option<i64>, RegistryError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(_) => self.number(name).map(Some),
        }
    }
}

/// Reads a name item back, whichever version wrote it.
pub fn claim_from_item(item: &Item) -> Result<Claim, RegistryError> {
    let f = Fields(item);
    let hash = |name| -> Result<Option<ContactHash>, RegistryError> {
        Ok(f.optional_text(name)?
            .cloned()
            .map(ContactHash::from_stored))
    };
    let state = match f.text(STATE)?.as_str() {
        STATE_PENDING => ClaimState::Pending {
            holder: f.text(OWNER)?.clone(),
            expires_at: f.number(EXPIRES_AT)?,
            contacts: Contacts {
                email: hash(EMAIL_HASH)?,
                phone: hash(PHONE_HASH)?,
            },
            sealed: f.optional_text(HOLDER_SEALED)?.cloned(),
        },
        STATE_ACTIVE => ClaimState::Active {
            owner: match f.optional_text(SUB)? {
                Some(sub) => Owner::Sub(sub.clone()),
                None => Owner::LegacyUserName(f.text(OWNER)?.clone()),
            },
        },
        STATE_QUARANTINED => ClaimState::Quarantined {
            previous_owner: f.text(OWNER)?.clone(),
            until: f.number(EXPIRES_AT)?,
        },
        STATE_BLOCKED => ClaimState::Blocked {
            reason: f.optional_text(REASON)?.cloned(),
            by: f.optional_text(BLOCKED_BY)?.cloned(),
        },
        _ => {
            return Err(RegistryError::Corrupt(format!(
                "attribute {STATE} has an unknown value"
            )))
        }
    };
    let key_version = u32::try_from(f.number(KEY_VERSION)?)
        .map_err(|_| RegistryError::Corrupt(format!("attribute {KEY_VERSION} is out of range")))?;
    Ok(Claim {
        key: NameKey::from_stored(f.text(NAME_KEY)?.clone()),
        display: f.text(DISPLAY)?.clone(),
        state,
        key_version,
        since: f.optional_number(SINCE)?,
    })
}

/// The item of a name entry, as the current version lays it out (the inverse of
/// [`claim_from_item`]): for `rekey`, which writes an entry under a new key as it is.
pub fn item_from_claim(claim: &Claim) -> Result<Item, RegistryError> {
    let mut item = HashMap::from([
        (NAME_KEY.to_owned(), name_item_key(&claim.key)?),
        (DISPLAY.to_owned(), s(&claim.display)),
        (KEY_VERSION.to_owned(), n(claim.key_version)),
    ]);
    let mut put = |name: &str, value: AttributeValue| {
        item.insert(name.to_owned(), value);
    };
    match &claim.state {
        ClaimState::Pending {
            holder,
            expires_at,
            contacts,
            sealed,
        } => {
            put(STATE, s(STATE_PENDING));
            put(OWNER, s(holder));
            put(EXPIRES_AT, n(*expires_at));
            if let Some(hash) = &contacts.email {
                put(EMAIL_HASH, s(hash.as_str()));
            }
            if let Some(hash) = &contacts.phone {
                put(PHONE_HASH, s(hash.as_str()));
            }
            if let Some(sealed) = sealed {
                put(HOLDER_SEALED, s(sealed));
            }
        }
        ClaimState::Active { owner } => {
            put(STATE, s(STATE_ACTIVE));
            match owner {
                Owner::Sub(sub) => {
                    put(OWNER, s(sub));
                    put(SUB, s(sub));
                }
                Owner::LegacyUserName(user_name) => put(OWNER, s(user_name)),
            }
        }
        ClaimState::Quarantined {
            previous_owner,
            until,
        } => {
            put(STATE, s(STATE_QUARANTINED));
            put(OWNER, s(previous_owner));
            put(EXPIRES_AT, n(*until));
        }
        ClaimState::Blocked { reason, by } => {
            put(STATE, s(STATE_BLOCKED));
            if let Some(reason) = reason {
                put(REASON, s(reason));
            }
            if let Some(by) = by {
                put(BLOCKED_BY, s(by));
            }
        }
    }
    if let Some(since) = claim.since {
        put(SINCE, n(since));
    }
    Ok(item)
}

/// Reads a user item back.
pub fn user_from_item(item: &Item) -> Result<UserRecord, RegistryError> {
    let f = Fields(item);
    if f.text(STATE)? != STATE_USER {
        return Err(RegistryError::Corrupt(format!(
            "attribute {STATE} of a user item is not {STATE_USER}"
        )));
    }
    let owned = match f.optional_text(OWNED_KEY)? {
        None => None,
        Some(key) => Some(OwnedName {
            key: NameKey::from_stored(key.clone()),
            display: f.text(DISPLAY)?.clone(),
            since: f.number(SINCE)?,
        }),
    };
    Ok(UserRecord {
        owned,
        renamed_at: f.optional_number(RENAMED_AT)?,
        previous: f.optional_text(PREVIOUS)?.cloned(),
    })
}

/// A timestamp as DynamoDB stores it.
pub fn timestamp(value: Timestamp) -> AttributeValue {
    n(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_written_as_an_item_reads_back_as_itself() {
        let key = crate::registry::ContactKey::development();
        let base = Claim {
            key: NameKey::from_stored("aiice"),
            display: "alice".into(),
            state: ClaimState::Blocked {
                reason: None,
                by: None,
            },
            key_version: 1,
            since: None,
        };
        let states = [
            ClaimState::Pending {
                holder: key.holder("alice_u"),
                expires_at: 99,
                contacts: Contacts {
                    email: key.email("a@example.com"),
                    phone: key.phone("+15555550100"),
                },
                sealed: key.seal("alice_u"),
            },
            ClaimState::Pending {
                holder: "alice_u".into(),
                expires_at: 99,
                contacts: Contacts::none(),
                sealed: None,
            },
            ClaimState::Active {
                owner: Owner::Sub("sub-a".into()),
            },
            ClaimState::Active {
                owner: Owner::LegacyUserName("Alice_U".into()),
            },
            ClaimState::Quarantined {
                previous_owner: "sub-a".into(),
                until: 99,
            },
            ClaimState::Blocked {
                reason: Some("brand".into()),
                by: Some("ops".into()),
            },
            ClaimState::Blocked {
                reason: None,
                by: None,
            },
        ];
        for (state, since) in
            states
                .into_iter()
                .zip([None, None, Some(5), None, None, Some(7), None])
        {
            let claim = Claim {
                state,
                since,
                ..base.clone()
            };
            let item = item_from_claim(&claim).unwrap();
            assert_eq!(claim_from_item(&item).unwrap(), claim);
        }
    }

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
