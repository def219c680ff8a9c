//! What `usernames rekey` needs of a store beyond the [`Registry`](super::Registry): every entry,
//! page by page, and one entry relocated from the key an older derivation gave it to the key the
//! current one gives it (docs/registry.md#key-versions).
//! Each relocation is one conditional write or transaction on the entries exactly as they were
//! read, so the triggers and the API keep running while it moves names: anything that changed
//! meanwhile is `Changed`, nothing is written, and the caller reads again.
//!
//! Before a deployment raises the key version, `usernames rekey --prepare` holds each entry's
//! new key with a placeholder block ([`placeholder`]), so that the new code refuses the names the
//! new version joins to an entry that has not moved yet; `rekey` then moves the entry onto it.

use super::dynamodb::{transact_update, Expression};
use super::schema::{
    claim_from_item, item_from_claim, n, name_item_key, s, user_from_item, user_item_key, DISPLAY,
    EXPIRES_AT, KEY_VERSION, NAME_KEY, OWNED_KEY, OWNER, SINCE, STATE, STATE_ACTIVE, STATE_BLOCKED,
    STATE_PENDING, STATE_QUARANTINED, SUB, USER_KEY_PREFIX,
};
use super::sdk::registry_error;
use super::{
    Claim, ClaimState, DynamoRegistry, MemoryRegistry, OwnedName, Owner, Registry, RegistryError,
    UserRecord,
};
use crate::policy::NameKey;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem};
use std::future::Future;
use std::sync::Arc;

/// One page of a store's entries; `next` continues after it, `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntriesPage {
    pub claims: Vec<Claim>,
    /// User records, by `sub`.
    pub users: Vec<(String, UserRecord)>,
    /// An opaque cursor for the next call.
    pub next: Option<String>,
}

/// One change of `rekey`, on entries as it read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relocation<'a> {
    /// `from`'s key is the same under the current derivation: only its version is brought up.
    Restamp { from: &'a Claim },
    /// `from` moves to `to` (its key now), with the current version; its owner's record follows.
    /// `replacing` is the entry at `to` as read, or `None` for no entry: it is removed (expired,
    /// or outranked by `from`), and its owner's record no longer names it.
    Move {
        from: &'a Claim,
        to: &'a NameKey,
        replacing: Option<&'a Claim>,
    },
    /// `from` is removed (expired, or outranked at its new key); its owner's record no longer
    /// names it.
    Remove { from: &'a Claim },
    /// `from` stays, and its key under the current derivation, `to`, is held for it by a
    /// [`placeholder`] block; `replacing` is the entry at `to` as read (none, or an expired one).
    Hold {
        from: &'a Claim,
        to: &'a NameKey,
        replacing: Option<&'a Claim>,
    },
}

/// Who a placeholder block is by: the mark `rekey` knows it by.
pub const PLACEHOLDER_BY: &str = "usernames rekey --prepare";

/// The placeholder reason, before the key of the entry it is held for.
const PLACEHOLDER_FOR: &str = "held for the entry under key ";

/// The block that holds `to` for `from` until `rekey` moves `from` there: its display form is
/// `from`'s, so claims see the name they collide with.
pub fn placeholder(from: &Claim, to: &NameKey) -> Claim {
    Claim {
        key: to.clone(),
        display: from.display.clone(),
        state: ClaimState::Blocked {
            reason: Some(format!("{PLACEHOLDER_FOR}{}", from.key)),
            by: Some(PLACEHOLDER_BY.to_owned()),
        },
        key_version: crate::policy::KEY_VERSION,
        since: None,
    }
}

/// The key of the entry a placeholder block holds its key for; `None` for any other entry.
pub fn placeholder_source(claim: &Claim) -> Option<NameKey> {
    match &claim.state {
        ClaimState::Blocked {
            reason: Some(reason),
            by: Some(by),
        } if by == PLACEHOLDER_BY => reason
            .strip_prefix(PLACEHOLDER_FOR)
            .map(NameKey::from_stored),
        _ => None,
    }
}

/// What [`Rekeying::relocate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelocationOutcome {
    Done,
    /// An entry or record was no longer as read; nothing was written.
    Changed,
}

/// Stores that `rekey` can work on.
pub trait Rekeying: Registry {
    /// Up to about `limit` entries after the cursor `after` (`None`: from the start). A page may
    /// hold fewer (even none) while `next` is set: DynamoDB counts the items it examined.
    fn entries_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<EntriesPage, RegistryError>> + Send;

    /// Applies one relocation atomically, if every entry it names is still as read.
    fn relocate(
        &self,
        relocation: &Relocation<'_>,
    ) -> impl Future<Output = Result<RelocationOutcome, RegistryError>> + Send;
}

impl<R: Rekeying> Rekeying for Arc<R> {
    fn entries_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<EntriesPage, RegistryError>> + Send {
        R::entries_page(self, after, limit)
    }

    fn relocate(
        &self,
        relocation: &Relocation<'_>,
    ) -> impl Future<Output = Result<RelocationOutcome, RegistryError>> + Send {
        R::relocate(self, relocation)
    }
}

/// The `sub` whose user record names an entry: active entries owned by a `sub` (first-version
/// owners have no record).
fn recorded_owner(claim: &Claim) -> Option<&str> {
    claim.owner_sub()
}

impl super::memory::Tables {
    /// [`Rekeying::entries_page`]: one page holds everything (a consistent copy of a store this
    /// small is simpler than a cursor).
    pub(super) fn entries_page(&self, after: Option<&str>) -> EntriesPage {
        if after.is_some() {
            return EntriesPage::default();
        }
        EntriesPage {
            claims: self.claims(),
            users: self.users_by_sub(),
            next: None,
        }
    }

    /// Whether `claim` (at `key`) is named by its owner's record, as a relocation reads it.
    fn records_name(&self, claim: &Claim, key: &NameKey) -> bool {
        recorded_owner(claim).is_none_or(|sub| {
            self.users
                .get(sub)
                .and_then(|u| u.owned.as_ref())
                .is_some_and(|owned| owned.key == *key)
        })
    }

    /// [`Rekeying::relocate`].
    pub(super) fn relocate(&mut self, relocation: &Relocation<'_>) -> RelocationOutcome {
        let from = match relocation {
            Relocation::Restamp { from }
            | Relocation::Move { from, .. }
            | Relocation::Remove { from }
            | Relocation::Hold { from, .. } => *from,
        };
        if self.names.get(&from.key) != Some(from) || !self.records_name(from, &from.key) {
            return RelocationOutcome::Changed;
        }
        match relocation {
            Relocation::Restamp { .. } => {
                if let Some(entry) = self.names.get_mut(&from.key) {
                    entry.key_version = crate::policy::KEY_VERSION;
                }
            }
            Relocation::Move { to, replacing, .. } => {
                if self.names.get(*to) != *replacing
                    || replacing.is_some_and(|r| !self.records_name(r, to))
                {
                    return RelocationOutcome::Changed;
                }
                if let Some(sub) = replacing.and_then(|r| recorded_owner(r)) {
                    if let Some(user) = self.users.get_mut(sub) {
                        user.owned = None;
                    }
                }
                self.names.remove(&from.key);
                self.names.insert(
                    (*to).clone(),
                    Claim {
                        key: (*to).clone(),
                        key_version: crate::policy::KEY_VERSION,
                        ..from.clone()
                    },
                );
                if let Some(sub) = recorded_owner(from) {
                    if let Some(owned) = self.users.get_mut(sub).and_then(|u| u.owned.as_mut()) {
                        owned.key = (*to).clone();
                    }
                }
            }
            Relocation::Remove { .. } => {
                self.names.remove(&from.key);
                if let Some(sub) = recorded_owner(from) {
                    if let Some(user) = self.users.get_mut(sub) {
                        user.owned = None;
                    }
                }
            }
            Relocation::Hold { to, replacing, .. } => {
                if self.names.get(*to) != *replacing {
                    return RelocationOutcome::Changed;
                }
                self.names.insert((*to).clone(), placeholder(from, to));
            }
        }
        RelocationOutcome::Done
    }
}

impl Rekeying for MemoryRegistry {
    async fn entries_page(
        &self,
        after: Option<&str>,
        _limit: usize,
    ) -> Result<EntriesPage, RegistryError> {
        Ok(self.lock().entries_page(after))
    }

    async fn relocate(
        &self,
        relocation: &Relocation<'_>,
    ) -> Result<RelocationOutcome, RegistryError> {
        Ok(self.lock().relocate(relocation))
    }
}

/// The condition that an entry is exactly as `claim` (every attribute a write changes: version,
/// state, display form, owner or holder, expiry, `since`), with placeholders labelled `label`.
fn unchanged(e: &mut Expression, claim: &Claim, label: &str) -> String {
    let mut parts = vec![
        format!(
            "{} = {}",
            e.name(KEY_VERSION),
            e.value(&format!("{label}_version"), n(claim.key_version))
        ),
        format!(
            "{} = {}",
            e.name(DISPLAY),
            e.value(&format!("{label}_display"), s(&claim.display))
        ),
    ];
    let equal = |parts: &mut Vec<String>, e: &mut Expression, attribute: &str, value| {
        parts.push(format!(
            "{} = {}",
            e.name(attribute),
            e.value(&format!("{label}_{attribute}"), value)
        ));
    };
    let (state, owner, expires_at) = match &claim.state {
        ClaimState::Pending {
            holder, expires_at, ..
        } => (STATE_PENDING, Some(holder.as_str()), Some(*expires_at)),
        ClaimState::Active { owner } => match owner {
            Owner::Sub(sub) => (STATE_ACTIVE, Some(sub.as_str()), None),
            Owner::LegacyUserName(user_name) => (STATE_ACTIVE, Some(user_name.as_str()), None),
        },
        ClaimState::Quarantined {
            previous_owner,
            until,
        } => (
            STATE_QUARANTINED,
            Some(previous_owner.as_str()),
            Some(*until),
        ),
        ClaimState::Blocked { .. } => (STATE_BLOCKED, None, None),
    };
    equal(&mut parts, e, STATE, s(state));
    if let Some(owner) = owner {
        equal(&mut parts, e, OWNER, s(owner));
    }
    if let Some(expires_at) = expires_at {
        equal(&mut parts, e, EXPIRES_AT, n(expires_at));
    }
    if let ClaimState::Active { owner } = &claim.state {
        match owner {
            Owner::Sub(sub) => equal(&mut parts, e, SUB, s(sub)),
            Owner::LegacyUserName(_) => {
                parts.push(format!("attribute_not_exists({})", e.name(SUB)))
            }
        }
    }
    match claim.since {
        Some(since) => equal(&mut parts, e, SINCE, n(since)),
        None => parts.push(format!("attribute_not_exists({})", e.name(SINCE))),
    }
    parts.join(" AND ")
}

fn build_error(err: aws_sdk_dynamodb::error::BuildError) -> RegistryError {
    RegistryError::Unavailable(Box::new(err))
}

impl DynamoRegistry {
    fn delete_unchanged(&self, claim: &Claim) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let condition = unchanged(&mut e, claim, "from");
        let delete = Delete::builder()
            .table_name(self.table())
            .key(NAME_KEY, name_item_key(&claim.key)?)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// `sub`'s record names `to` instead of `from`.
    fn record_moves(
        &self,
        sub: &str,
        from: &NameKey,
        to: &NameKey,
    ) -> Result<TransactWriteItem, RegistryError> {
        let mut e = Expression::default();
        let owned = e.name(OWNED_KEY);
        let condition = format!("{owned} = {}", e.value("from", s(from.as_str())));
        let update = format!("SET {owned} = {}", e.value("to", s(to.as_str())));
        transact_update(self.table(), user_item_key(sub), update, condition, e)
    }

    /// The record of the owner of `claim` (at `key`) once it no longer owns it, as a retirement
    /// leaves it (no cooldown starts: the user did nothing).
    fn record_loses(
        &self,
        claim: &Claim,
        key: &NameKey,
    ) -> Result<Option<TransactWriteItem>, RegistryError> {
        let Some(sub) = recorded_owner(claim) else {
            return Ok(None);
        };
        let owned = OwnedName {
            key: key.clone(),
            display: claim.display.clone(),
            since: claim.since.unwrap_or_default(),
        };
        self.clear_user(sub, &owned, None).map(Some)
    }
}

impl Rekeying for DynamoRegistry {
    /// A consistent `Scan` of the whole table; the cursor is the last `name_key` read.
    async fn entries_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<EntriesPage, RegistryError> {
        let output = self
            .client()
            .scan()
            .table_name(self.table())
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .consistent_read(true)
            .set_exclusive_start_key(
                after.map(|key| [(NAME_KEY.to_owned(), AttributeValue::S(key.to_owned()))].into()),
            )
            .send()
            .await
            .map_err(registry_error)?;
        let mut page = EntriesPage::default();
        for item in output.items() {
            let key = item
                .get(NAME_KEY)
                .and_then(|key| key.as_s().ok())
                .ok_or_else(|| RegistryError::Corrupt("an item has no name key".into()))?;
            if key == super::word_rules::RULES_ITEM_KEY {
                continue;
            }
            match key.strip_prefix(USER_KEY_PREFIX) {
                Some(sub) => page.users.push((sub.to_owned(), user_from_item(item)?)),
                None => page.claims.push(claim_from_item(item)?),
            }
        }
        page.next = output
            .last_evaluated_key()
            .and_then(|key| key.get(NAME_KEY))
            .and_then(|key| key.as_s().ok())
            .cloned();
        Ok(page)
    }

    async fn relocate(
        &self,
        relocation: &Relocation<'_>,
    ) -> Result<RelocationOutcome, RegistryError> {
        let mut items = Vec::new();
        match relocation {
            Relocation::Restamp { from } => {
                let mut e = Expression::default();
                let condition = unchanged(&mut e, from, "from");
                let update = format!(
                    "SET {} = {}",
                    e.name(KEY_VERSION),
                    e.value("current", n(crate::policy::KEY_VERSION))
                );
                items.push(transact_update(
                    self.table(),
                    name_item_key(&from.key)?,
                    update,
                    condition,
                    e,
                )?);
            }
            Relocation::Move {
                from,
                to,
                replacing,
            } => {
                items.push(self.delete_unchanged(from)?);
                let moved = Claim {
                    key: (*to).clone(),
                    key_version: crate::policy::KEY_VERSION,
                    ..(*from).clone()
                };
                let mut e = Expression::default();
                let condition = match replacing {
                    None => format!("attribute_not_exists({})", e.name(NAME_KEY)),
                    Some(old) => unchanged(&mut e, old, "old"),
                };
                let put = Put::builder()
                    .table_name(self.table())
                    .set_item(Some(item_from_claim(&moved)?))
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(e.names))
                    .set_expression_attribute_values((!e.values.is_empty()).then_some(e.values))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().put(put).build());
                if let Some(sub) = recorded_owner(from) {
                    items.push(self.record_moves(sub, &from.key, to)?);
                }
                if let Some(old) = replacing {
                    items.extend(self.record_loses(old, to)?);
                }
            }
            Relocation::Remove { from } => {
                items.push(self.delete_unchanged(from)?);
                items.extend(self.record_loses(from, &from.key)?);
            }
            Relocation::Hold {
                from,
                to,
                replacing,
            } => {
                let mut e = Expression::default();
                let condition = unchanged(&mut e, from, "from");
                let check = ConditionCheck::builder()
                    .table_name(self.table())
                    .key(NAME_KEY, name_item_key(&from.key)?)
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(e.names))
                    .set_expression_attribute_values(Some(e.values))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().condition_check(check).build());
                let mut e = Expression::default();
                let condition = match replacing {
                    None => format!("attribute_not_exists({})", e.name(NAME_KEY)),
                    Some(old) => unchanged(&mut e, old, "old"),
                };
                let put = Put::builder()
                    .table_name(self.table())
                    .set_item(Some(item_from_claim(&placeholder(from, to))?))
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(e.names))
                    .set_expression_attribute_values((!e.values.is_empty()).then_some(e.values))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
        }
        Ok(match self.transact(items).await? {
            None => RelocationOutcome::Done,
            Some(_) => RelocationOutcome::Changed,
        })
    }
}
