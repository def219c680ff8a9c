//! The registry on DynamoDB (items as [`schema`](super::schema) lays them out), where every
//! ownership decision is a single conditional write or one transaction whose conditions also check
//! expiry against `now`.
//!
//! Requests per operation, and the condition that decides each (capacity: a transaction costs
//! twice the units of its writes):
//!
//! | operation | request | the write happens when |
//! |-----------|---------|-------------------------|
//! | `reserve` | 1 `PutItem` (1 WCU) | no item, or an expired pending one or quarantine; when it fails, the old item (`ReturnValuesOnConditionCheckFailure = ALL_OLD`) chooses the answer (`Reserved` for the holder's own replay, `HeldForRetry`, `Taken`) without writing |
//! | `commit`  | 1 `TransactWriteItems` of 2 updates (4 WCU) | the name item: see [`Registry::commit`]; the user item: no name or this one. A `TransactionConflict` (a concurrent transaction on the same items) is retried, at most [`CONFLICT_ATTEMPTS`] times |
//! | `owned_name` | 1 consistent `GetItem` of the user item (1 RCU) | — |
//! | `get`     | 1 consistent `GetItem` (1 RCU) | — |
//!
//! Because the same user's reserve and commit are idempotent in the condition itself, an SDK retry
//! of a write that did land (a timeout after DynamoDB applied it) gets the same answer.

pub use super::sdk::{client_from_env, local_config, sdk_config_from_env, Timeouts};

use super::schema::{
    claim_from_item, n, name_item_key, owned_name_from_item, s, user_item_key, DISPLAY, EMAIL_HASH,
    EXPIRES_AT, KEY_VERSION, NAME_KEY, OWNED_KEY, OWNER, PHONE_HASH, REASON, SINCE, STATE,
    STATE_ACTIVE, STATE_PENDING, STATE_QUARANTINED, STATE_USER, SUB,
};
use super::sdk::registry_error;
use super::{
    rules, CommitOutcome, Commitment, OwnedName, Registry, RegistryError, Reservation,
    ReserveOutcome, Timestamp,
};
use crate::policy::NameKey;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

/// How many times a commit is sent when DynamoDB cancels it for a conflicting transaction.
pub const CONFLICT_ATTEMPTS: usize = 3;

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

    async fn get_item(
        &self,
        key: AttributeValue,
    ) -> Result<Option<HashMap<String, AttributeValue>>, RegistryError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(NAME_KEY, key)
            .consistent_read(true)
            .send()
            .await
            .map_err(registry_error)?;
        Ok(output.item)
    }
}

/// The names and values of one expression, declared only as they are used (DynamoDB refuses an
/// unused one).
#[derive(Default)]
struct Expression {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    /// `#attribute`, declared.
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// `:label`, bound to `value`.
    fn value(&mut self, label: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{label}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `(:label0, :label1, ...)` for an `IN` list.
    fn list(&mut self, label: &str, values: &[&str]) -> String {
        let placeholders: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| self.value(&format!("{label}{i}"), s(v)))
            .collect();
        format!("({})", placeholders.join(", "))
    }
}

impl Registry for DynamoRegistry {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let mut item = HashMap::from([
            (NAME_KEY.to_owned(), name_item_key(r.username.key())?),
            (DISPLAY.to_owned(), s(r.username.display())),
            (OWNER.to_owned(), s(r.holder.canonical())),
            (STATE.to_owned(), s(STATE_PENDING)),
            (EXPIRES_AT.to_owned(), n(r.expires_at)),
            (KEY_VERSION.to_owned(), n(crate::policy::KEY_VERSION)),
        ]);
        if let Some(hash) = &r.contacts.email {
            item.insert(EMAIL_HASH.to_owned(), s(hash.as_str()));
        }
        if let Some(hash) = &r.contacts.phone {
            item.insert(PHONE_HASH.to_owned(), s(hash.as_str()));
        }
        let mut e = Expression::default();
        let condition = format!(
            "attribute_not_exists({key}) OR ({state} IN ({pending}, {quarantined}) AND {expires_at} <= {now})",
            key = e.name(NAME_KEY),
            state = e.name(STATE),
            pending = e.value("pending", s(STATE_PENDING)),
            quarantined = e.value("quarantined", s(STATE_QUARANTINED)),
            expires_at = e.name(EXPIRES_AT),
            now = e.value("now", n(now)),
        );
        let sent = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(ReserveOutcome::Reserved),
            Err(err) => match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    // The condition fails only on a live entry, which the failure returns; it
                    // chooses the answer and nothing is written.
                    let old = failed.item().ok_or_else(|| {
                        RegistryError::Corrupt("a refused reservation returned no item".into())
                    })?;
                    Ok(rules::refused_reservation(&claim_from_item(old)?, r))
                }
                _ => Err(registry_error(err)),
            },
        }
    }

    async fn commit(&self, c: &Commitment, now: Timestamp) -> Result<CommitOutcome, RegistryError> {
        let items = vec![
            self.commit_name_update(c, now)?,
            self.commit_user_update(c, now)?,
        ];
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let Err(err) = sent else {
                return Ok(CommitOutcome::Committed);
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(canceled)) =
                err.as_service_error()
            else {
                return Err(registry_error(err));
            };
            let code = |i: usize| {
                canceled
                    .cancellation_reasons()
                    .get(i)
                    .and_then(|reason| reason.code())
                    .unwrap_or("None")
            };
            match (code(0), code(1)) {
                ("ConditionalCheckFailed", _) => return Ok(CommitOutcome::Taken),
                (_, "ConditionalCheckFailed") => return Ok(CommitOutcome::OwnsAnotherName),
                ("TransactionConflict", _) | (_, "TransactionConflict")
                    if attempt < CONFLICT_ATTEMPTS =>
                {
                    continue
                }
                _ => return Err(registry_error(err)),
            }
        }
        Err(RegistryError::Timeout)
    }

    async fn owned_name(&self, sub: &str) -> Result<Option<OwnedName>, RegistryError> {
        match self.get_item(user_item_key(sub)).await? {
            None => Ok(None),
            Some(item) => owned_name_from_item(&item),
        }
    }

    async fn get(&self, key: &NameKey) -> Result<Option<super::Claim>, RegistryError> {
        self.get_item(name_item_key(key)?)
            .await?
            .as_ref()
            .map(claim_from_item)
            .transpose()
    }
}

impl DynamoRegistry {
    /// The name item's half of a commit; its condition is [`rules::commit_may_take_name`].
    fn commit_name_update(
        &self,
        c: &Commitment,
        now: Timestamp,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let (key, state, owner, sub, expires_at) = (
            e.name(NAME_KEY),
            e.name(STATE),
            e.name(OWNER),
            e.name(SUB),
            e.name(EXPIRES_AT),
        );
        let (pending, active, quarantined) = (
            e.value("pending", s(STATE_PENDING)),
            e.value("active", s(STATE_ACTIVE)),
            e.value("quarantined", s(STATE_QUARANTINED)),
        );
        let sub_value = e.value("sub", s(&c.sub));
        let now_value = e.value("now", n(now));
        let holders = e.list("holder", &c.holder.spellings());
        let mut pending_ours = format!("{owner} IN {holders} OR {expires_at} <= {now_value}");
        if let Some(hash) = &c.verified.email {
            let (name, value) = (e.name(EMAIL_HASH), e.value("email", s(hash.as_str())));
            pending_ours.push_str(&format!(" OR {name} = {value}"));
        }
        if let Some(hash) = &c.verified.phone {
            let (name, value) = (e.name(PHONE_HASH), e.value("phone", s(hash.as_str())));
            pending_ours.push_str(&format!(" OR {name} = {value}"));
        }
        let condition = format!(
            "attribute_not_exists({key}) \
             OR ({state} = {pending} AND ({pending_ours})) \
             OR ({state} = {active} AND {sub} = {sub_value}) \
             OR ({state} = {active} AND attribute_not_exists({sub}) AND {owner} IN {holders}) \
             OR ({state} = {quarantined} AND ({expires_at} <= {now_value} OR {owner} = {sub_value}))"
        );
        let update = format!(
            "SET {display} = {display_value}, {owner} = {sub_value}, {sub} = {sub_value}, \
             {state} = {active}, {key_version} = {key_version_value}, \
             {since} = if_not_exists({since}, {now_value}) \
             REMOVE {expires_at}, {email_hash}, {phone_hash}, {reason}",
            display = e.name(DISPLAY),
            display_value = e.value("display", s(c.username.display())),
            key_version = e.name(KEY_VERSION),
            key_version_value = e.value("key_version", n(crate::policy::KEY_VERSION)),
            since = e.name(SINCE),
            email_hash = e.name(EMAIL_HASH),
            phone_hash = e.name(PHONE_HASH),
            reason = e.name(REASON),
        );
        let update = Update::builder()
            .table_name(&self.table)
            .key(NAME_KEY, name_item_key(c.username.key())?)
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .build()
            .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The user item's half of a commit; its condition is [`rules::commit_may_record_user`].
    fn commit_user_update(
        &self,
        c: &Commitment,
        now: Timestamp,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let (key, owned_key) = (e.name(NAME_KEY), e.name(OWNED_KEY));
        let key_value = e.value("key", s(c.username.key().as_str()));
        let condition = format!(
            "attribute_not_exists({key}) OR attribute_not_exists({owned_key}) OR {owned_key} = {key_value}"
        );
        let update = format!(
            "SET {state} = {user}, {sub} = {sub_value}, {owned_key} = {key_value}, \
             {display} = {display_value}, {since} = if_not_exists({since}, {now})",
            state = e.name(STATE),
            user = e.value("user", s(STATE_USER)),
            sub = e.name(SUB),
            sub_value = e.value("sub", s(&c.sub)),
            display = e.name(DISPLAY),
            display_value = e.value("display", s(c.username.display())),
            since = e.name(SINCE),
            now = e.value("now", n(now)),
        );
        let update = Update::builder()
            .table_name(&self.table)
            .key(NAME_KEY, user_item_key(&c.sub))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .build()
            .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
