//! The registry on DynamoDB: one item per name key (see [`schema`](super::schema)), where every
//! ownership decision is a single conditional write that also checks expiry against `now`.
//!
//! Requests per operation, and the condition that decides each:
//!
//! | operation | request | the write happens when |
//! |-----------|---------|-------------------------|
//! | `reserve` | 1 `PutItem` | no item, or a pending one that has expired, or a live pending one of another owner with the same email hash; when it fails, the old item (`ReturnValuesOnConditionCheckFailure = ALL_OLD`) says whether the caller already holds the name (`Reserved`, unchanged) or someone else does (`Taken`) |
//! | `commit`  | 1 `UpdateItem` | no item (created active), the caller's own item (pending, expired or active), or an expired pending one of another owner |
//! | `get`     | 1 consistent `GetItem` | — |
//! | `release` | 1 `DeleteItem` | the item is the caller's |
//! | `find_by_owner` | `Query` on the `by_owner` index (eventually consistent) | — |
//!
//! Because the same owner's reserve and commit are idempotent in the condition itself, an SDK retry
//! of a write that did land (a timeout after DynamoDB applied it) gets the same answer.

use super::schema::{
    DISPLAY, EMAIL_HASH, EXPIRES_AT, KEY_VERSION, NAME_KEY, OWNER, OWNER_INDEX, STATE,
    STATE_ACTIVE, STATE_PENDING,
};
use super::{
    Claim, ClaimState, CommitOutcome, EmailHash, Registry, RegistryError, Reservation,
    ReserveOutcome, Timestamp,
};
use crate::policy::{NameKey, Username};
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::collections::HashMap;
use std::time::Duration;

/// The SDK's time limits. The defaults let a trigger answer within 3 s even when DynamoDB hangs:
/// at most `max_attempts` attempts of at most `attempt` each, all inside `operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a TCP (and TLS) connection.
    pub connect: Duration,
    /// One HTTP attempt, from sending to the parsed response.
    pub attempt: Duration,
    /// The whole operation, retries and backoff included.
    pub operation: Duration,
    /// Attempts per operation, the first included.
    pub max_attempts: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(1),
            operation: Duration::from_millis(2500),
            max_attempts: 2,
        }
    }
}

impl Timeouts {
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    pub fn retry_config(&self) -> RetryConfig {
        // A short backoff: the operation timeout bounds the total anyway, and a refused connection
        // is worth retrying at once.
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(Duration::from_millis(50))
            .with_max_backoff(Duration::from_millis(250))
    }
}

/// The shared AWS configuration from the standard sources (`AWS_REGION`, the credentials chain,
/// `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`), with `timeouts` applied.
pub async fn sdk_config_from_env(timeouts: &Timeouts) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
        .load()
        .await
}

/// The DynamoDB client of the Lambda functions and the CLI; build it once, at init.
pub async fn client_from_env(timeouts: &Timeouts) -> Client {
    Client::new(&sdk_config_from_env(timeouts).await)
}

/// A client configuration for a local endpoint (moto, DynamoDB Local) with dummy credentials and a
/// fixed region, independent of the environment. Add interceptors before `Client::from_conf`.
pub fn local_config(endpoint: &str, timeouts: &Timeouts) -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "local"))
        .endpoint_url(endpoint)
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
}

/// The registry on one DynamoDB table. Cheap to clone (the client is shared).
#[derive(Debug, Clone)]
pub struct DynamoRegistry {
    client: Client,
    table: String,
}

impl DynamoRegistry {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Maps an SDK failure to what the caller may act on. The SDK's text stays in the source, for
/// operators' logs; users only ever see `RegistryError`'s own sentence.
pub(crate) fn registry_error<E, R>(err: SdkError<E, R>) -> RegistryError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => RegistryError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => RegistryError::Timeout,
        _ => RegistryError::Unavailable(Box::new(err)),
    }
}

impl Registry for DynamoRegistry {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let mut item = HashMap::from([
            (NAME_KEY.to_owned(), s(r.username.key().as_str())),
            (DISPLAY.to_owned(), s(r.username.display())),
            (OWNER.to_owned(), s(&r.owner)),
            (STATE.to_owned(), s(STATE_PENDING)),
            (EXPIRES_AT.to_owned(), n(r.expires_at)),
            (KEY_VERSION.to_owned(), n(crate::policy::KEY_VERSION)),
        ]);
        let mut condition =
            "attribute_not_exists(#key) OR (#state = :pending AND #expires_at <= :now)".to_owned();
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .expression_attribute_names("#key", NAME_KEY)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_values(":pending", s(STATE_PENDING))
            .expression_attribute_values(":now", n(now));
        if let Some(hash) = &r.email_hash {
            item.insert(EMAIL_HASH.to_owned(), s(hash.as_str()));
            // The same person retrying a failed sign-up under a new userName; never an active claim.
            condition.push_str(
                " OR (#state = :pending AND #email_hash = :email_hash AND #owner <> :owner)",
            );
            request = request
                .expression_attribute_names("#email_hash", EMAIL_HASH)
                .expression_attribute_names("#owner", OWNER)
                .expression_attribute_values(":email_hash", s(hash.as_str()))
                .expression_attribute_values(":owner", s(&r.owner));
        }
        let sent = request
            .set_item(Some(item))
            .condition_expression(condition)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(ReserveOutcome::Reserved),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    // The condition only fails on a live claim; it is ours when we hold it already
                    // (a replay), and then it is left exactly as it was.
                    let holder = failed
                        .item()
                        .and_then(|old| old.get(OWNER))
                        .and_then(|o| o.as_s().ok());
                    match holder {
                        Some(holder) if *holder == r.owner => Ok(ReserveOutcome::Reserved),
                        Some(_) => Ok(ReserveOutcome::Taken),
                        None => Err(RegistryError::Corrupt(
                            "a failed reservation returned no owner".into(),
                        )),
                    }
                }
                _ => Err(registry_error(e)),
            },
        }
    }

    async fn commit(
        &self,
        username: &Username,
        owner: &str,
        email_hash: Option<&EmailHash>,
        now: Timestamp,
    ) -> Result<CommitOutcome, RegistryError> {
        let mut condition = String::from(
            "attribute_not_exists(#key) OR #owner = :owner OR (#state = :pending AND #expires_at <= :now)",
        );
        if email_hash.is_some() {
            // The same person's other pending sign-up (same email hash) gives way to the one
            // they confirmed; an active claim never does.
            condition.push_str(" OR (#state = :pending AND #email_hash = :email_hash)");
        }
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(NAME_KEY, s(username.key().as_str()))
            // The email hash only serves takeovers of pending claims, so it goes once confirmed.
            .update_expression(
                "SET #display = :display, #owner = :owner, #state = :active, #key_version = :key_version \
                 REMOVE #expires_at, #email_hash",
            )
            .condition_expression(condition)
            .expression_attribute_names("#key", NAME_KEY)
            .expression_attribute_names("#display", DISPLAY)
            .expression_attribute_names("#owner", OWNER)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#key_version", KEY_VERSION)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_names("#email_hash", EMAIL_HASH)
            .expression_attribute_values(":display", s(username.display()))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":active", s(STATE_ACTIVE))
            .expression_attribute_values(":pending", s(STATE_PENDING))
            .expression_attribute_values(":key_version", n(crate::policy::KEY_VERSION))
            .expression_attribute_values(":now", n(now));
        if let Some(hash) = email_hash {
            request = request.expression_attribute_values(":email_hash", s(hash.as_str()));
        }
        match request.send().await {
            Ok(_) => Ok(CommitOutcome::Committed),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => {
                    Ok(CommitOutcome::Taken)
                }
                _ => Err(registry_error(e)),
            },
        }
    }

    async fn get(&self, key: &NameKey) -> Result<Option<Claim>, RegistryError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(NAME_KEY, s(key.as_str()))
            .consistent_read(true)
            .send()
            .await
            .map_err(registry_error)?;
        output.item.as_ref().map(claim_from_item).transpose()
    }

    async fn find_by_owner(&self, owner: &str) -> Result<Vec<Claim>, RegistryError> {
        let mut claims = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(OWNER_INDEX)
                .key_condition_expression("#owner = :owner")
                .expression_attribute_names("#owner", OWNER)
                .expression_attribute_values(":owner", s(owner))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(registry_error)?;
            for item in page.items() {
                claims.push(claim_from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(claims),
            }
        }
    }

    async fn release(&self, key: &NameKey, owner: &str) -> Result<bool, RegistryError> {
        let sent = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(NAME_KEY, s(key.as_str()))
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", OWNER)
            .expression_attribute_values(":owner", s(owner))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) => match e.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(registry_error(e)),
            },
        }
    }
}

/// Reads a claim back from its item. The error names the attribute, never its value.
pub fn claim_from_item(item: &HashMap<String, AttributeValue>) -> Result<Claim, RegistryError> {
    let text = |name: &str| -> Result<&String, RegistryError> {
        item.get(name).and_then(|v| v.as_s().ok()).ok_or_else(|| {
            RegistryError::Corrupt(format!("attribute {name} is missing or not a string"))
        })
    };
    let number = |name: &str| -> Result<i64, RegistryError> {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                RegistryError::Corrupt(format!("attribute {name} is missing or not an integer"))
            })
    };
    let state = match text(STATE)?.as_str() {
        STATE_PENDING => ClaimState::Pending {
            expires_at: number(EXPIRES_AT)?,
        },
        STATE_ACTIVE => ClaimState::Active,
        _ => {
            return Err(RegistryError::Corrupt(format!(
                "attribute {STATE} has an unknown value"
            )))
        }
    };
    let key_version = u32::try_from(number(KEY_VERSION)?)
        .map_err(|_| RegistryError::Corrupt(format!("attribute {KEY_VERSION} is out of range")))?;
    let email_hash = match item.get(EMAIL_HASH) {
        None => None,
        Some(_) => Some(EmailHash::from_stored(text(EMAIL_HASH)?.clone())),
    };
    Ok(Claim {
        key: NameKey::from_stored(text(NAME_KEY)?.clone()),
        display: text(DISPLAY)?.clone(),
        owner: text(OWNER)?.clone(),
        state,
        key_version,
        email_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, AttributeValue)]) -> HashMap<String, AttributeValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn pending_item() -> HashMap<String, AttributeValue> {
        item(&[
            (NAME_KEY, s("alice")),
            (DISPLAY, s("Alice")),
            (OWNER, s("user-1")),
            (STATE, s(STATE_PENDING)),
            (EXPIRES_AT, n(1_700_000_000)),
            (KEY_VERSION, n(1)),
            (EMAIL_HASH, s("ab12")),
        ])
    }

    #[test]
    fn reads_a_pending_claim() {
        let claim = claim_from_item(&pending_item()).unwrap();
        assert_eq!(claim.key.as_str(), "alice");
        assert_eq!(claim.display, "Alice");
        assert_eq!(claim.owner, "user-1");
        assert_eq!(
            claim.state,
            ClaimState::Pending {
                expires_at: 1_700_000_000
            }
        );
        assert_eq!(claim.key_version, 1);
        assert_eq!(claim.email_hash, Some(EmailHash::from_stored("ab12")));
    }

    #[test]
    fn reads_an_active_claim_without_expiry_or_hash() {
        let mut active = pending_item();
        active.insert(STATE.into(), s(STATE_ACTIVE));
        active.remove(EXPIRES_AT);
        active.remove(EMAIL_HASH);
        let claim = claim_from_item(&active).unwrap();
        assert_eq!(claim.state, ClaimState::Active);
        assert_eq!(claim.email_hash, None);
    }

    #[test]
    fn a_malformed_item_is_corrupt_and_the_error_names_no_value() {
        let cases: Vec<(&str, HashMap<String, AttributeValue>)> = vec![
            ("no owner", {
                let mut i = pending_item();
                i.remove(OWNER);
                i
            }),
            ("pending without expiry", {
                let mut i = pending_item();
                i.remove(EXPIRES_AT);
                i
            }),
            ("unknown state", {
                let mut i = pending_item();
                i.insert(STATE.into(), s("secret-state"));
                i
            }),
            ("numeric display", {
                let mut i = pending_item();
                i.insert(DISPLAY.into(), n(5));
                i
            }),
            ("negative key version", {
                let mut i = pending_item();
                i.insert(KEY_VERSION.into(), n(-1));
                i
            }),
        ];
        for (case, bad) in cases {
            match claim_from_item(&bad) {
                Err(RegistryError::Corrupt(why)) => {
                    assert!(
                        !why.contains("secret-state") && !why.contains("Alice"),
                        "{case}: {why}"
                    )
                }
                other => panic!("{case}: expected Corrupt, got {other:?}"),
            }
        }
    }

    #[test]
    fn default_timeouts_fit_the_pre_sign_up_budget() {
        let t = Timeouts::default();
        assert!(t.operation < Duration::from_secs(3));
        assert!(t.attempt <= t.operation && t.connect <= t.attempt);
        assert!(t.max_attempts >= 2, "one retry for a dropped connection");
    }
}
