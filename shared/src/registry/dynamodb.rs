//! The registry on DynamoDB (items as [`schema`](super::schema) lays them out), where every
//! ownership decision is a single conditional write or one transaction whose conditions also check
//! expiry against `now`.
//!
//! Requests per operation, and the condition that decides each (capacity: a transaction costs
//! twice the units of its writes):
//!
//! | operation | request | the write happens when |
//! |-----------|---------|-------------------------|
//! | `reserve` | 1 `PutItem` (1 WCU) | no item, or an expired pending one or quarantine; when it fails, the old item (`ReturnValuesOnConditionCheckFailure = ALL_OLD`) chooses the answer (`Reserved` for the holder's own replay, `HeldForRetry`, `Taken`) without writing. A name whose key an older key version derived otherwise ([`Username::older_keys`](crate::policy::Username::older_keys); none for names whose key never changed) is reserved in 1 `TransactWriteItems` with a `ConditionCheck` per older key instead: no live entry of an older version there but the holder's own; when the reservation's own condition fails, 1 `GetItem` reads the answer |
//! | `commit`  | 1 `TransactWriteItems` of 2 updates (4 WCU) | the name item: see [`Registry::commit`]; the user item: no name or this one. A `TransactionConflict` (a concurrent transaction on the same items) is retried, at most [`CONFLICT_ATTEMPTS`] times |
//! | `user`    | 1 consistent `GetItem` of the user item (1 RCU) | — |
//! | `get`     | 1 consistent `GetItem` (1 RCU) | — |
//! | `rename`  | `user`; for a move, 1 consistent `GetItem` of the new name (1 RCU: what an undo puts back); then 1 `TransactWriteItems` of 3 updates (6 WCU; 2 for a new spelling) | the new name is free or the user's own quarantine (exactly the one read, when it read one); the old one is still the user's; the user record is as read (name and last rename), so a concurrent rename makes it read again; a `ConditionCheck` per older key of the new name, as for `reserve` (the user's own entries pass) |
//! | `undo_rename` | 1 `TransactWriteItems` of up to 3 writes (6 WCU); when refused, `user` | every item is still as the rename left it ([`rules::undo_may_apply`]) |
//! | `release`, `retire` | `user`, then 1 `TransactWriteItems` of 2 writes (4 WCU) | the name is still the user's, and the record still names it |
//! | `first_version_names` | 1 `Query` of `by_owner` per stored spelling of the `userName` (eventually consistent) | — |
//! | `block`   | 1 `PutItem` (1 WCU) | no item, an expired one, or a block; when it fails, the old item says who holds the name |
//! | `unblock` | 1 `DeleteItem` (1 WCU) | the item is blocked or quarantined |
//!
//! Because the same user's reserve and commit are idempotent in the condition itself, an SDK retry
//! of a write that did land (a timeout after DynamoDB applied it) gets the same answer.

pub use super::sdk::{
    client_from_env, dynamodb_client, lambda_sdk_config, local_config, sdk_config_from_env,
    Timeouts,
};

use super::rules::{self, RenamePlan};
use super::schema::{
    claim_from_item, n, name_item_key, s, user_from_item, user_item_key, BLOCKED_BY, DISPLAY,
    EMAIL_HASH, EXPIRES_AT, HOLDER_SEALED, KEY_VERSION, NAME_KEY, OWNED_KEY, OWNER, OWNER_INDEX,
    PHONE_HASH, PREVIOUS, REASON, RENAMED_AT, SINCE, STATE, STATE_ACTIVE, STATE_BLOCKED,
    STATE_PENDING, STATE_QUARANTINED, STATE_USER, SUB,
};
use super::sdk::registry_error;
use super::{
    BlockOutcome, BlockRequest, ClaimState, CommitOutcome, Commitment, OwnedName, Registry,
    RegistryError, Rename, RenameChange, RenameOutcome, RenameUndo, Reservation, ReserveOutcome,
    Timestamp, UndoOutcome, UserRecord,
};
use crate::env::{bool_from_env, ConfigError, EnvSource};
use crate::policy::{NameKey, Username};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

/// Whether a Lambda function opens its DynamoDB connection at init (`true` by default).
pub const ENV_WARM_CONNECTION: &str = "USERNAMES_WARM_CONNECTION";

/// The key [`DynamoRegistry::warm_up`] reads: never a name's (a name key has no `#`) nor a
/// user's (`user#`).
pub const WARM_UP_KEY: &str = "warm-up#";

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

    /// The registry of a Lambda function, built at init: the client from Lambda's variables
    /// ([`lambda_sdk_config`]), and its connection opened ([`warm_up`](Self::warm_up)) unless
    /// `USERNAMES_WARM_CONNECTION` is `false`.
    pub async fn for_lambda(
        env: &impl EnvSource,
        table: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let config = lambda_sdk_config(env, &Timeouts::default())?;
        Self::for_lambda_with(&config, env, table).await
    }

    /// [`DynamoRegistry::for_lambda`] on a configuration the function built already (and shares
    /// with its other clients).
    pub async fn for_lambda_with(
        config: &aws_types::SdkConfig,
        env: &impl EnvSource,
        table: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let warm = bool_from_env(env, ENV_WARM_CONNECTION, true)?;
        let registry = Self::new(dynamodb_client(config, env), table);
        if warm {
            if let Err(e) = registry.warm_up().await {
                tracing::warn!(
                    error = %e,
                    "could not open the DynamoDB connection at init; the first event will"
                );
            }
        }
        Ok(registry)
    }

    /// Opens the connection to DynamoDB (TCP, TLS, credentials, endpoint) before the first event:
    /// one eventually consistent `GetItem` of [`WARM_UP_KEY`], which no item has (0.5 RCU). A
    /// function calls it at init, which Lambda runs at full CPU, often before anyone waits, so
    /// the first sign-up costs one round trip instead of a handshake too. A failure is only
    /// returned: the first event opens its own connection.
    pub async fn warm_up(&self) -> Result<(), RegistryError> {
        self.client
            .get_item()
            .table_name(&self.table)
            .key(NAME_KEY, s(WARM_UP_KEY))
            .send()
            .await
            .map(|_| ())
            .map_err(registry_error)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) async fn get_item(
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
pub(crate) struct Expression {
    pub(crate) names: HashMap<String, String>,
    pub(crate) values: HashMap<String, AttributeValue>,
}

impl Expression {
    /// `#attribute`, declared.
    pub(crate) fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// `:label`, bound to `value`.
    pub(crate) fn value(&mut self, label: &str, value: AttributeValue) -> String {
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
        let holder = r.stored_holder()?;
        let mut item = HashMap::from([
            (NAME_KEY.to_owned(), name_item_key(r.username.key())?),
            (DISPLAY.to_owned(), s(r.username.display())),
            (OWNER.to_owned(), s(holder)),
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
        if let Some(sealed) = r.holder.sealed() {
            item.insert(HOLDER_SEALED.to_owned(), s(sealed));
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
        let older = r.username.older_keys();
        if !older.is_empty() {
            return self
                .reserve_beside_older(r, item, condition, e, &older, now)
                .await;
        }
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
        Ok(match self.transact(items).await? {
            None => CommitOutcome::Committed,
            Some(0) => CommitOutcome::Taken,
            Some(_) => CommitOutcome::OwnsAnotherName,
        })
    }

    async fn user(&self, sub: &str) -> Result<Option<UserRecord>, RegistryError> {
        self.get_item(user_item_key(sub))
            .await?
            .as_ref()
            .map(user_from_item)
            .transpose()
    }

    async fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> Result<(RenameOutcome, Option<RenameUndo>), RegistryError> {
        let undo = |change| RenameUndo {
            sub: r.sub.clone(),
            to: r.to.clone(),
            change,
        };
        // Each attempt writes under conditions that the user's record and names are as read;
        // when they changed in between (a concurrent rename), read again.
        for _ in 0..CONFLICT_ATTEMPTS {
            let user = self.user(&r.sub).await?;
            match rules::plan_rename(user.as_ref(), r, now) {
                RenamePlan::Unchanged { previous } => {
                    return Ok((RenameOutcome::Renamed { previous }, None))
                }
                RenamePlan::Cooldown { until } => {
                    return Ok((RenameOutcome::Cooldown { until }, None))
                }
                RenamePlan::Respell { current } => {
                    if self.transact(self.respell(r, &current)?).await?.is_none() {
                        let change = RenameChange::Respelled {
                            display: current.display.clone(),
                        };
                        return Ok((
                            RenameOutcome::Renamed {
                                previous: Some(current.display),
                            },
                            Some(undo(change)),
                        ));
                    }
                    continue;
                }
                RenamePlan::Move { from } => {
                    // Read only to be able to undo: a name taken back from the user's own
                    // quarantine goes back into it. The write's condition still decides.
                    let taken_back =
                        rules::taken_back(self.get(r.to.key()).await?.as_ref(), &r.sub, now)
                            .map(Box::new);
                    let mut items =
                        vec![self.take_name(&r.to, &r.sub, now, taken_back.as_deref())?];
                    if let Some(from) = &from {
                        items.push(self.leave_name(&from.key, &r.sub, Some(r.quarantine_until))?);
                    }
                    let last = user.as_ref().and_then(|u| u.renamed_at);
                    items.push(self.move_user(r, from.as_ref(), last, now)?);
                    let first_older_check = items.len();
                    // The user's own name under an older key is already in the transaction.
                    let own = from.as_ref().map(|f| &f.key);
                    for key in r.to.older_keys().iter().filter(|k| Some(*k) != own) {
                        items.push(self.older_entry_check(key, &OlderOwn::Sub(&r.sub), now)?);
                    }
                    match self.transact(items).await? {
                        None => {
                            let change = RenameChange::Moved {
                                at: now,
                                quarantine_until: r.quarantine_until,
                                before: user,
                                taken_back,
                            };
                            return Ok((
                                RenameOutcome::Renamed {
                                    previous: from.map(|f| f.display),
                                },
                                Some(undo(change)),
                            ));
                        }
                        // The quarantine read is gone (an operator ended it): read again.
                        Some(0) if taken_back.is_some() => continue,
                        Some(0) => return Ok((RenameOutcome::Taken, None)),
                        // An entry of an older key version, not moved yet, holds the name.
                        Some(i) if i >= first_older_check => {
                            return Ok((RenameOutcome::Taken, None))
                        }
                        Some(_) => continue,
                    }
                }
            }
        }
        Err(RegistryError::Timeout)
    }

    async fn undo_rename(&self, u: &RenameUndo) -> Result<UndoOutcome, RegistryError> {
        let items = match &u.change {
            RenameChange::Respelled { display } => self.respell_back(u, display)?,
            RenameChange::Moved {
                at,
                quarantine_until,
                before,
                taken_back,
            } => {
                let mut items = vec![self.free_taken(u, *at, taken_back.as_deref())?];
                if let Some(given_up) = before.as_ref().and_then(|b| b.owned.as_ref()) {
                    items.push(self.take_back_given_up(&u.sub, given_up, *quarantine_until)?);
                }
                items.push(self.restore_user(u, *at, before.as_ref())?);
                items
            }
        };
        if self.transact(items).await?.is_none() {
            return Ok(UndoOutcome::Undone);
        }
        let user = self.user(&u.sub).await?;
        Ok(rules::refused_undo(u, user.as_ref()))
    }

    async fn give_up(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> Result<Option<String>, RegistryError> {
        for _ in 0..CONFLICT_ATTEMPTS {
            let owned = self.user(sub).await?.and_then(|u| u.owned);
            let Some(owned) = owned else {
                return Ok(None);
            };
            let items = vec![
                self.leave_name(&owned.key, sub, quarantine_until)?,
                self.clear_user(sub, &owned, renamed_at)?,
            ];
            if self.transact(items).await?.is_none() {
                return Ok(Some(owned.display));
            }
        }
        Err(RegistryError::Timeout)
    }

    async fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> Result<BlockOutcome, RegistryError> {
        let mut item = HashMap::from([
            (NAME_KEY.to_owned(), name_item_key(name.key())?),
            (DISPLAY.to_owned(), s(name.display())),
            (STATE.to_owned(), s(STATE_BLOCKED)),
            (SINCE.to_owned(), n(now)),
            (BLOCKED_BY.to_owned(), s(request.by)),
            (KEY_VERSION.to_owned(), n(crate::policy::KEY_VERSION)),
        ]);
        if let Some(reason) = request.reason {
            item.insert(REASON.to_owned(), s(reason));
        }
        let mut e = Expression::default();
        let condition = format!(
            "attribute_not_exists({key}) OR {state} = {blocked} \
             OR ({state} IN ({pending}, {quarantined}) AND {expires_at} <= {now})",
            key = e.name(NAME_KEY),
            state = e.name(STATE),
            blocked = e.value("blocked", s(STATE_BLOCKED)),
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
            Ok(_) => Ok(BlockOutcome::Blocked),
            Err(err) => match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let old = failed.item().ok_or_else(|| {
                        RegistryError::Corrupt("a refused block returned no item".into())
                    })?;
                    Ok(BlockOutcome::Held(claim_from_item(old)?))
                }
                _ => Err(registry_error(err)),
            },
        }
    }

    async fn unblock(&self, key: &NameKey) -> Result<bool, RegistryError> {
        let mut e = Expression::default();
        let condition = format!(
            "{state} IN ({blocked}, {quarantined})",
            state = e.name(STATE),
            blocked = e.value("blocked", s(STATE_BLOCKED)),
            quarantined = e.value("quarantined", s(STATE_QUARANTINED)),
        );
        let sent = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(NAME_KEY, name_item_key(key)?)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(err) => match err.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(registry_error(err)),
            },
        }
    }

    async fn contains_rules(&self) -> Result<Vec<super::word_rules::ContainsRule>, RegistryError> {
        self.contains_rules_item().await
    }

    async fn get(&self, key: &NameKey) -> Result<Option<super::Claim>, RegistryError> {
        self.get_item(name_item_key(key)?)
            .await?
            .as_ref()
            .map(claim_from_item)
            .transpose()
    }

    async fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        self.retire_first_version_item(key, user_name, quarantine_until)
            .await
    }

    /// One consistent `BatchGetItem` (0.5 RCU a key); keys DynamoDB leaves unprocessed (under
    /// throttling) are asked again once, and an answer still missing some is an error rather
    /// than a key taken for free.
    async fn get_many(&self, keys: &[NameKey]) -> Result<Vec<Option<super::Claim>>, RegistryError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut wanted = Vec::with_capacity(keys.len());
        for key in keys {
            wanted.push(HashMap::from([(NAME_KEY.to_owned(), name_item_key(key)?)]));
        }
        let mut found: HashMap<String, super::Claim> = HashMap::new();
        let mut asking = wanted;
        for _ in 0..2 {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(asking))
                .consistent_read(true)
                .build()
                .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(registry_error)?;
            for item in output
                .responses()
                .and_then(|r| r.get(&self.table))
                .into_iter()
                .flatten()
            {
                let claim = claim_from_item(item)?;
                found.insert(claim.key.as_str().to_owned(), claim);
            }
            asking = output
                .unprocessed_keys()
                .and_then(|u| u.get(&self.table))
                .map(|k| k.keys().to_vec())
                .unwrap_or_default();
            if asking.is_empty() {
                return Ok(keys.iter().map(|k| found.remove(k.as_str())).collect());
            }
        }
        Err(RegistryError::Timeout)
    }

    /// One `Query` of the `by_owner` index per stored spelling of the `userName` (eventually
    /// consistent: first-version entries were written long before, and the writes that follow
    /// decide anyway).
    async fn first_version_names(
        &self,
        holder: &super::Holder,
    ) -> Result<Vec<super::Claim>, RegistryError> {
        let mut found = Vec::new();
        for spelling in holder.first_version_spellings() {
            let mut after = None;
            loop {
                let output = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(OWNER_INDEX)
                    .key_condition_expression("#owner = :owner")
                    .filter_expression("#state = :active AND attribute_not_exists(#sub)")
                    .expression_attribute_names("#owner", OWNER)
                    .expression_attribute_names("#state", STATE)
                    .expression_attribute_names("#sub", SUB)
                    .expression_attribute_values(":owner", s(spelling))
                    .expression_attribute_values(":active", s(STATE_ACTIVE))
                    .set_exclusive_start_key(after)
                    .send()
                    .await
                    .map_err(registry_error)?;
                for item in output.items() {
                    let claim = claim_from_item(item)?;
                    if !found.iter().any(|c: &super::Claim| c.key == claim.key) {
                        found.push(claim);
                    }
                }
                match output.last_evaluated_key {
                    Some(next) if !next.is_empty() => after = Some(next),
                    _ => break,
                }
            }
        }
        Ok(found)
    }
}

/// Builds one `Update` of a transaction; only a missing table or key fails, and both are set.
pub(crate) fn transact_update(
    table: &str,
    key: AttributeValue,
    update: String,
    condition: String,
    e: Expression,
) -> Result<TransactWriteItem, RegistryError> {
    let update = Update::builder()
        .table_name(table)
        .key(NAME_KEY, key)
        .update_expression(update)
        .condition_expression(condition)
        .set_expression_attribute_names(Some(e.names))
        .set_expression_attribute_values(Some(e.values))
        .build()
        .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The update that makes a name item `sub`'s active name: the owner and `sub`, the display form,
/// and nothing left of a reservation, quarantine or block. `since` is `now`, or kept when the item
/// has one already (a commit's replay).
fn activation(
    e: &mut Expression,
    name: &Username,
    sub: &str,
    now_value: &str,
    keep_since: bool,
) -> String {
    let since = e.name(SINCE);
    let since_value = if keep_since {
        format!("if_not_exists({since}, {now_value})")
    } else {
        now_value.to_owned()
    };
    let sub_value = e.value("sub", s(sub));
    format!(
        "SET {display} = {display_value}, {owner} = {sub_value}, {sub_name} = {sub_value}, \
         {state} = {active}, {key_version} = {key_version_value}, {since} = {since_value} \
         REMOVE {expires_at}, {email_hash}, {phone_hash}, {sealed}, {reason}, {blocked_by}",
        display = e.name(DISPLAY),
        display_value = e.value("display", s(name.display())),
        owner = e.name(OWNER),
        sub_name = e.name(SUB),
        state = e.name(STATE),
        active = e.value("active", s(STATE_ACTIVE)),
        key_version = e.name(KEY_VERSION),
        key_version_value = e.value("key_version", n(crate::policy::KEY_VERSION)),
        expires_at = e.name(EXPIRES_AT),
        email_hash = e.name(EMAIL_HASH),
        phone_hash = e.name(PHONE_HASH),
        sealed = e.name(HOLDER_SEALED),
        reason = e.name(REASON),
        blocked_by = e.name(BLOCKED_BY),
    )
}

/// Whose entry under an older key a claim may pass (see [`rules::older_entry_blocks`]).
enum OlderOwn<'a> {
    /// A reservation: its holder's pending entry, by any stored spelling.
    Holder(Vec<&'a str>),
    /// A rename: the user's active name or quarantine.
    Sub(&'a str),
}

impl DynamoRegistry {
    /// `reserve` of a name whose older keys differ from its key: the reservation and, in the
    /// same transaction, a check of each older key ([`rules::older_entry_blocks`]). When the
    /// reservation's own condition fails, the entry read back chooses the answer, as `reserve`'s
    /// returned item does.
    async fn reserve_beside_older(
        &self,
        r: &Reservation,
        item: HashMap<String, AttributeValue>,
        condition: String,
        e: Expression,
        older: &[NameKey],
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .build()
            .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        for key in older {
            items.push(self.older_entry_check(
                key,
                &OlderOwn::Holder(r.holder.pending_spellings()),
                now,
            )?);
        }
        for _ in 0..CONFLICT_ATTEMPTS {
            match self.transact(items.clone()).await? {
                None => return Ok(ReserveOutcome::Reserved),
                Some(0) => match self.get(r.username.key()).await? {
                    Some(old) if !rules::reservation_may_write(Some(&old), now) => {
                        return Ok(rules::refused_reservation(&old, r))
                    }
                    // Freed in between: try again.
                    _ => continue,
                },
                Some(_) => return Ok(ReserveOutcome::Taken),
            }
        }
        Err(RegistryError::Timeout)
    }

    /// The check that the entry under an older key `key` of a claimed name does not keep the
    /// claim off: none there, one of the current version (another name), an expired one, or the
    /// claimant's own.
    fn older_entry_check(
        &self,
        key: &NameKey,
        own: &OlderOwn<'_>,
        now: Timestamp,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let state = e.name(STATE);
        let own = match own {
            OlderOwn::Holder(spellings) => format!(
                "({state} = {pending} AND {owner} IN {spellings})",
                pending = e.value("own_pending", s(STATE_PENDING)),
                owner = e.name(OWNER),
                spellings = e.list("holder", spellings),
            ),
            OlderOwn::Sub(sub) => format!(
                "({state} = {active} AND {sub_name} = {sub_value}) \
                 OR ({state} = {quarantined_own} AND {owner} = {sub_value})",
                active = e.value("own_active", s(STATE_ACTIVE)),
                sub_name = e.name(SUB),
                sub_value = e.value("sub", s(sub)),
                quarantined_own = e.value("own_quarantined", s(STATE_QUARANTINED)),
                owner = e.name(OWNER),
            ),
        };
        let condition = format!(
            "attribute_not_exists({key}) OR {key_version} >= {current} \
             OR ({state} IN ({pending}, {quarantined}) AND {expires_at} <= {now}) OR {own}",
            key = e.name(NAME_KEY),
            key_version = e.name(KEY_VERSION),
            current = e.value("current", n(crate::policy::KEY_VERSION)),
            pending = e.value("pending", s(STATE_PENDING)),
            quarantined = e.value("quarantined", s(STATE_QUARANTINED)),
            expires_at = e.name(EXPIRES_AT),
            now = e.value("now", n(now)),
        );
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(NAME_KEY, name_item_key(key)?)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .build()
            .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Sends one transaction. `None` when it was applied; `Some(i)` when the condition of item
    /// `i` (the first that failed) refused it. A conflict with a concurrent transaction on the
    /// same items is retried, at most [`CONFLICT_ATTEMPTS`] times.
    pub(crate) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Option<usize>, RegistryError> {
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let Err(err) = sent else {
                return Ok(None);
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(canceled)) =
                err.as_service_error()
            else {
                return Err(registry_error(err));
            };
            let codes: Vec<&str> = canceled
                .cancellation_reasons()
                .iter()
                .map(|reason| reason.code().unwrap_or("None"))
                .collect();
            if let Some(i) = codes.iter().position(|c| *c == "ConditionalCheckFailed") {
                return Ok(Some(i));
            }
            if !(codes.contains(&"TransactionConflict") && attempt < CONFLICT_ATTEMPTS) {
                return Err(registry_error(err));
            }
        }
        Err(RegistryError::Timeout)
    }

    /// A rename's claim of the new name: free, or the user's own quarantine
    /// ([`rules::rename_may_take_name`]). When the rename read that quarantine (`taken_back`),
    /// exactly that one, so that an undo puts back what was there.
    fn take_name(
        &self,
        name: &Username,
        sub: &str,
        now: Timestamp,
        taken_back: Option<&super::Claim>,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let (state, owner, expires_at) = (e.name(STATE), e.name(OWNER), e.name(EXPIRES_AT));
        let (sub_value, now_value) = (e.value("sub", s(sub)), e.value("now", n(now)));
        let quarantined = e.value("quarantined", s(STATE_QUARANTINED));
        let condition = match taken_back.map(|c| &c.state) {
            Some(ClaimState::Quarantined { until, .. }) => format!(
                "{state} = {quarantined} AND {owner} = {sub_value} AND {expires_at} = {until_value}",
                until_value = e.value("until", n(*until)),
            ),
            _ => format!(
                "attribute_not_exists({key}) \
                 OR ({state} = {pending} AND {expires_at} <= {now_value}) \
                 OR ({state} = {quarantined} AND ({expires_at} <= {now_value} OR {owner} = {sub_value}))",
                key = e.name(NAME_KEY),
                pending = e.value("pending", s(STATE_PENDING)),
            ),
        };
        let update = activation(&mut e, name, sub, &now_value, false);
        transact_update(
            &self.table,
            name_item_key(name.key())?,
            update,
            condition,
            e,
        )
    }

    /// `sub` gives up its active name `key`: into quarantine until `until`, or deleted.
    fn leave_name(
        &self,
        key: &NameKey,
        sub: &str,
        until: Option<Timestamp>,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let condition = format!(
            "{state} = {active} AND {sub_name} = {sub_value}",
            state = e.name(STATE),
            active = e.value("active", s(STATE_ACTIVE)),
            sub_name = e.name(SUB),
            sub_value = e.value("sub", s(sub)),
        );
        let Some(until) = until else {
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(NAME_KEY, name_item_key(key)?)
                .condition_expression(condition)
                .set_expression_attribute_names(Some(e.names))
                .set_expression_attribute_values(Some(e.values))
                .build()
                .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
            return Ok(TransactWriteItem::builder().delete(delete).build());
        };
        // The owner stays in `owner`: the previous owner is who may take it back.
        let update = format!(
            "SET {state} = {quarantined}, {expires_at} = {until_value} REMOVE {sub_name}, {since}",
            state = e.name(STATE),
            quarantined = e.value("quarantined", s(STATE_QUARANTINED)),
            expires_at = e.name(EXPIRES_AT),
            until_value = e.value("until", n(until)),
            sub_name = e.name(SUB),
            since = e.name(SINCE),
        );
        transact_update(&self.table, name_item_key(key)?, update, condition, e)
    }

    /// A new spelling of the owned name: both display forms change, nothing else.
    fn respell(
        &self,
        r: &Rename,
        current: &OwnedName,
    ) -> Result<Vec<TransactWriteItem>, RegistryError> {
        let mut e = Expression::default();
        let condition = format!(
            "{state} = {active} AND {sub_name} = {sub_value}",
            state = e.name(STATE),
            active = e.value("active", s(STATE_ACTIVE)),
            sub_name = e.name(SUB),
            sub_value = e.value("sub", s(&r.sub)),
        );
        let set = format!(
            "SET {} = {}",
            e.name(DISPLAY),
            e.value("display", s(r.to.display()))
        );
        let name = transact_update(&self.table, name_item_key(&current.key)?, set, condition, e)?;
        let mut e = Expression::default();
        let condition = format!(
            "{} = {}",
            e.name(OWNED_KEY),
            e.value("key", s(current.key.as_str()))
        );
        let set = format!(
            "SET {} = {}",
            e.name(DISPLAY),
            e.value("display", s(r.to.display()))
        );
        let user = transact_update(&self.table, user_item_key(&r.sub), set, condition, e)?;
        Ok(vec![name, user])
    }

    /// The user record after a rename from `from` (as read) to `r.to`; the condition is that
    /// the record is still as read (its name and its last rename).
    fn move_user(
        &self,
        r: &Rename,
        from: Option<&OwnedName>,
        last: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let owned_key = e.name(OWNED_KEY);
        let renamed_at = e.name(RENAMED_AT);
        let owned_as_read = match from {
            Some(from) => format!("{owned_key} = {}", e.value("old", s(from.key.as_str()))),
            None => format!("attribute_not_exists({owned_key})"),
        };
        let renamed_as_read = match last {
            Some(last) => format!("{renamed_at} = {}", e.value("last", n(last))),
            None => format!("attribute_not_exists({renamed_at})"),
        };
        let condition = format!("{owned_as_read} AND {renamed_as_read}");
        let now_value = e.value("now", n(now));
        let mut set = format!(
            "SET {state} = {user}, {sub} = {sub_value}, {owned_key} = {key}, \
             {display} = {display_value}, {since} = {now_value}, {renamed_at} = {now_value}",
            state = e.name(STATE),
            user = e.value("user", s(STATE_USER)),
            sub = e.name(SUB),
            sub_value = e.value("sub", s(&r.sub)),
            key = e.value("key", s(r.to.key().as_str())),
            display = e.name(DISPLAY),
            display_value = e.value("display", s(r.to.display())),
            since = e.name(SINCE),
        );
        match from {
            Some(from) => set.push_str(&format!(
                ", {} = {}",
                e.name(PREVIOUS),
                e.value("previous", s(&from.display))
            )),
            None => set.push_str(&format!(" REMOVE {}", e.name(PREVIOUS))),
        }
        transact_update(&self.table, user_item_key(&r.sub), set, condition, e)
    }

    /// The user record once its name `owned` is given up; with `renamed_at`, the last rename is
    /// stamped then (a release), without it left as it was (a retirement).
    pub(crate) fn clear_user(
        &self,
        sub: &str,
        owned: &OwnedName,
        renamed_at: Option<Timestamp>,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let owned_key = e.name(OWNED_KEY);
        let condition = format!("{owned_key} = {}", e.value("key", s(owned.key.as_str())));
        let remove = format!(
            "REMOVE {owned_key}, {display}, {since}",
            display = e.name(DISPLAY),
            since = e.name(SINCE),
        );
        let update = match renamed_at {
            Some(at) => format!(
                "SET {renamed_at} = {at}, {previous} = {display_value} {remove}",
                renamed_at = e.name(RENAMED_AT),
                at = e.value("at", n(at)),
                previous = e.name(PREVIOUS),
                display_value = e.value("previous", s(&owned.display)),
            ),
            None => remove,
        };
        transact_update(&self.table, user_item_key(sub), update, condition, e)
    }

    /// Undoing a new spelling: both display forms back, if both are still as the rename left
    /// them ([`rules::undo_may_apply`]).
    fn respell_back(
        &self,
        u: &RenameUndo,
        display: &str,
    ) -> Result<Vec<TransactWriteItem>, RegistryError> {
        let mut e = Expression::default();
        let written = e.value("written", s(u.to.display()));
        let condition = format!(
            "{state} = {active} AND {sub_name} = {sub_value} AND {display_name} = {written}",
            state = e.name(STATE),
            active = e.value("active", s(STATE_ACTIVE)),
            sub_name = e.name(SUB),
            sub_value = e.value("sub", s(&u.sub)),
            display_name = e.name(DISPLAY),
        );
        let set = format!(
            "SET {} = {}",
            e.name(DISPLAY),
            e.value("display", s(display))
        );
        let name = transact_update(&self.table, name_item_key(u.to.key())?, set, condition, e)?;
        let mut e = Expression::default();
        let written = e.value("written", s(u.to.display()));
        let condition = format!(
            "{owned_key} = {key} AND {display_name} = {written}",
            owned_key = e.name(OWNED_KEY),
            key = e.value("key", s(u.to.key().as_str())),
            display_name = e.name(DISPLAY),
        );
        let set = format!(
            "SET {} = {}",
            e.name(DISPLAY),
            e.value("display", s(display))
        );
        let user = transact_update(&self.table, user_item_key(&u.sub), set, condition, e)?;
        Ok(vec![name, user])
    }

    /// Undoing a move, the new name: if still active for the user since the rename, deleted
    /// (it was free), or put back into the user's quarantine it was taken from, as it was.
    fn free_taken(
        &self,
        u: &RenameUndo,
        at: Timestamp,
        taken_back: Option<&super::Claim>,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let condition = format!(
            "{state} = {active} AND {sub_name} = {sub_value} AND {since} = {at_value}",
            state = e.name(STATE),
            active = e.value("active", s(STATE_ACTIVE)),
            sub_name = e.name(SUB),
            sub_value = e.value("sub", s(&u.sub)),
            since = e.name(SINCE),
            at_value = e.value("at", n(at)),
        );
        let key = name_item_key(u.to.key())?;
        let Some(entry) = taken_back else {
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(NAME_KEY, key)
                .condition_expression(condition)
                .set_expression_attribute_names(Some(e.names))
                .set_expression_attribute_values(Some(e.values))
                .build()
                .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
            return Ok(TransactWriteItem::builder().delete(delete).build());
        };
        let ClaimState::Quarantined {
            previous_owner,
            until,
        } = &entry.state
        else {
            return Err(RegistryError::Corrupt(
                "only a quarantine is taken back by a rename".into(),
            ));
        };
        let update = format!(
            "SET {state} = {quarantined}, {owner} = {owner_value}, {expires_at} = {until_value}, \
             {display} = {display_value}, {key_version} = {key_version_value} \
             REMOVE {sub_name}, {since}",
            state = e.name(STATE),
            quarantined = e.value("quarantined", s(STATE_QUARANTINED)),
            owner = e.name(OWNER),
            owner_value = e.value("owner", s(previous_owner)),
            expires_at = e.name(EXPIRES_AT),
            until_value = e.value("until", n(*until)),
            display = e.name(DISPLAY),
            display_value = e.value("display", s(&entry.display)),
            key_version = e.name(KEY_VERSION),
            key_version_value = e.value("key_version", n(entry.key_version)),
            sub_name = e.name(SUB),
            since = e.name(SINCE),
        );
        transact_update(&self.table, key, update, condition, e)
    }

    /// Undoing a move, the name given up: if still in the user's quarantine as the rename put
    /// it, active for the user again, as it was (display form and `since`).
    fn take_back_given_up(
        &self,
        sub: &str,
        given_up: &OwnedName,
        quarantine_until: Timestamp,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let sub_value = e.value("sub", s(sub));
        let condition = format!(
            "{state} = {quarantined} AND {owner} = {sub_value} AND {expires_at} = {until}",
            state = e.name(STATE),
            quarantined = e.value("quarantined", s(STATE_QUARANTINED)),
            owner = e.name(OWNER),
            expires_at = e.name(EXPIRES_AT),
            until = e.value("until", n(quarantine_until)),
        );
        let update = format!(
            "SET {state} = {active}, {owner} = {sub_value}, {sub_name} = {sub_value}, \
             {display} = {display_value}, {since} = {since_value} REMOVE {expires_at}",
            state = e.name(STATE),
            active = e.value("active", s(STATE_ACTIVE)),
            owner = e.name(OWNER),
            sub_name = e.name(SUB),
            display = e.name(DISPLAY),
            display_value = e.value("display", s(&given_up.display)),
            since = e.name(SINCE),
            since_value = e.value("since", n(given_up.since)),
            expires_at = e.name(EXPIRES_AT),
        );
        transact_update(
            &self.table,
            name_item_key(&given_up.key)?,
            update,
            condition,
            e,
        )
    }

    /// Undoing a move, the user record: if still as the rename wrote it, as the rename found it
    /// (deleted when there was none).
    fn restore_user(
        &self,
        u: &RenameUndo,
        at: Timestamp,
        before: Option<&UserRecord>,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let at_value = e.value("at", n(at));
        let condition = format!(
            "{owned_key} = {key} AND {display} = {written} AND {since} = {at_value} \
             AND {renamed_at} = {at_value}",
            owned_key = e.name(OWNED_KEY),
            key = e.value("key", s(u.to.key().as_str())),
            display = e.name(DISPLAY),
            written = e.value("written", s(u.to.display())),
            since = e.name(SINCE),
            renamed_at = e.name(RENAMED_AT),
        );
        let key = user_item_key(&u.sub);
        let Some(before) = before else {
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(NAME_KEY, key)
                .condition_expression(condition)
                .set_expression_attribute_names(Some(e.names))
                .set_expression_attribute_values(Some(e.values))
                .build()
                .map_err(|err| RegistryError::Unavailable(Box::new(err)))?;
            return Ok(TransactWriteItem::builder().delete(delete).build());
        };
        let (mut set, mut remove) = (Vec::new(), Vec::new());
        match &before.owned {
            Some(owned) => {
                set.push(format!(
                    "{} = {}",
                    e.name(OWNED_KEY),
                    e.value("owned", s(owned.key.as_str()))
                ));
                set.push(format!(
                    "{} = {}",
                    e.name(DISPLAY),
                    e.value("display", s(&owned.display))
                ));
                set.push(format!(
                    "{} = {}",
                    e.name(SINCE),
                    e.value("since", n(owned.since))
                ));
            }
            None => remove.extend([e.name(OWNED_KEY), e.name(DISPLAY), e.name(SINCE)]),
        }
        match before.renamed_at {
            Some(last) => set.push(format!(
                "{} = {}",
                e.name(RENAMED_AT),
                e.value("last", n(last))
            )),
            None => remove.push(e.name(RENAMED_AT)),
        }
        match &before.previous {
            Some(previous) => set.push(format!(
                "{} = {}",
                e.name(PREVIOUS),
                e.value("previous", s(previous))
            )),
            None => remove.push(e.name(PREVIOUS)),
        }
        let mut update = format!("SET {}", set.join(", "));
        if set.is_empty() {
            update.clear();
        }
        if !remove.is_empty() {
            update = format!("{update} REMOVE {}", remove.join(", "));
        }
        transact_update(&self.table, key, update.trim().to_owned(), condition, e)
    }

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
        let holders = e.list("holder", &c.holder.pending_spellings());
        let first_version_owners = e.list("legacy", &c.holder.first_version_spellings());
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
             OR ({state} = {active} AND attribute_not_exists({sub}) AND {owner} IN {first_version_owners}) \
             OR ({state} = {quarantined} AND {expires_at} <= {now_value})"
        );
        let update = activation(&mut e, &c.username, &c.sub, &now_value, true);
        transact_update(
            &self.table,
            name_item_key(c.username.key())?,
            update,
            condition,
            e,
        )
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
        transact_update(&self.table, user_item_key(&c.sub), update, condition, e)
    }
}
