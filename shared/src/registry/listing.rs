//! What `usernames reconcile` needs of a store beyond the [`Registry`](super::Registry): listing
//! who owns a name, page by page (the `sub`s of user records, and the `userName`s of
//! first-version entries, which have none). Also the DynamoDB half of retiring a first-version
//! name, beside the listing that finds them.
//! Administration only: a listing is never a uniqueness decision (docs/registry.md), and on
//! DynamoDB it is a `Scan`; the retirement is a conditional write like every other.

use super::schema::{
    claim_from_item, n, name_item_key, s, user_from_item, EXPIRES_AT, NAME_KEY, OWNED_KEY, OWNER,
    SINCE, STATE, STATE_ACTIVE, STATE_QUARANTINED, SUB, USER_KEY_PREFIX,
};
use super::sdk::registry_error;
use super::{
    ClaimState, DynamoRegistry, MemoryRegistry, OwnedName, Owner, RegistryError, Timestamp,
};
use crate::policy::NameKey;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// A `sub` and the name it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredOwner {
    pub sub: String,
    pub name: OwnedName,
}

/// A first-version active entry: owned by a Cognito `userName` (as that version stored it), with
/// no `sub` and no user record. Its owner's next sign-in upgrades it (see `docs/registry.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyOwner {
    pub user_name: String,
    pub key: NameKey,
    pub display: String,
}

/// One page of owners; `next` continues after it, `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnersPage {
    pub owners: Vec<RegisteredOwner>,
    pub legacy: Vec<LegacyOwner>,
    /// An opaque cursor for the next call.
    pub next: Option<String>,
}

/// Every owner of the registry, all pages read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Owners {
    /// Owners by `sub`.
    pub by_sub: Vec<RegisteredOwner>,
    /// First-version entries, owned by a `userName`.
    pub legacy: Vec<LegacyOwner>,
}

impl Owners {
    pub fn len(&self) -> usize {
        self.by_sub.len() + self.legacy.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Stores that `reconcile` can work on.
pub trait OwnerListing: Send + Sync {
    /// Up to about `limit` owners after the cursor `after` (`None`: from the start). A page may
    /// hold fewer (even none) while `next` is set: DynamoDB counts the items it examined.
    fn owners_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<OwnersPage, RegistryError>> + Send;
}

/// Every owner, all pages read.
pub async fn all_owners<L: OwnerListing>(
    store: &L,
    page_size: usize,
) -> Result<Owners, RegistryError> {
    let mut owners = Owners::default();
    let mut after: Option<String> = None;
    loop {
        let page = store.owners_page(after.as_deref(), page_size).await?;
        owners.by_sub.extend(page.owners);
        owners.legacy.extend(page.legacy);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(owners),
        }
    }
}

impl<L: OwnerListing> OwnerListing for Arc<L> {
    fn owners_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<OwnersPage, RegistryError>> + Send {
        L::owners_page(self, after, limit)
    }
}

/// One listed entry of the memory store, under the key its DynamoDB item would have (`user#` and
/// the `sub` for an owner, the name key for a first-version entry), so that both stores page the
/// same way.
enum Listed {
    Owner(RegisteredOwner),
    Legacy(LegacyOwner),
}

/// The memory store keeps a user record exactly for each active name of a `sub` (both written
/// under one lock), so its active entries are its owners.
impl super::memory::Tables {
    /// [`OwnerListing::owners_page`].
    pub(super) fn owners_page(&self, after: Option<&str>, limit: usize) -> OwnersPage {
        let mut listed: Vec<(String, Listed)> = self
            .claims()
            .into_iter()
            .filter_map(|claim| match claim.state {
                ClaimState::Active {
                    owner: Owner::Sub(sub),
                } => Some((
                    format!("{USER_KEY_PREFIX}{sub}"),
                    Listed::Owner(RegisteredOwner {
                        sub,
                        name: OwnedName {
                            key: claim.key,
                            display: claim.display,
                            since: claim.since.unwrap_or_default(),
                        },
                    }),
                )),
                ClaimState::Active {
                    owner: Owner::LegacyUserName(user_name),
                } => Some((
                    claim.key.as_str().to_owned(),
                    Listed::Legacy(LegacyOwner {
                        user_name,
                        key: claim.key,
                        display: claim.display,
                    }),
                )),
                _ => None,
            })
            .filter(|(key, _)| after.is_none_or(|after| key.as_str() > after))
            .collect();
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        let limit = limit.max(1);
        let next = (listed.len() > limit).then(|| listed[limit - 1].0.clone());
        listed.truncate(limit);
        let mut page = OwnersPage {
            next,
            ..OwnersPage::default()
        };
        for (_, entry) in listed {
            match entry {
                Listed::Owner(owner) => page.owners.push(owner),
                Listed::Legacy(legacy) => page.legacy.push(legacy),
            }
        }
        page
    }
}

impl OwnerListing for MemoryRegistry {
    async fn owners_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<OwnersPage, RegistryError> {
        Ok(self.lock().owners_page(after, limit))
    }
}

/// A `Scan` of the user items that name an owned name and of the first-version active items; the
/// cursor is the last `name_key` read.
impl OwnerListing for DynamoRegistry {
    async fn owners_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<OwnersPage, RegistryError> {
        let output = self
            .client()
            .scan()
            .table_name(self.table())
            .filter_expression(
                "(begins_with(#key, :prefix) AND attribute_exists(#owned)) \
                 OR (#state = :active AND attribute_not_exists(#sub))",
            )
            .expression_attribute_names("#key", NAME_KEY)
            .expression_attribute_names("#owned", OWNED_KEY)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#sub", SUB)
            .expression_attribute_values(":prefix", AttributeValue::S(USER_KEY_PREFIX.into()))
            .expression_attribute_values(":active", AttributeValue::S(STATE_ACTIVE.into()))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .consistent_read(true)
            .set_exclusive_start_key(
                after.map(|key| [(NAME_KEY.to_owned(), AttributeValue::S(key.to_owned()))].into()),
            )
            .send()
            .await
            .map_err(registry_error)?;
        let mut page = OwnersPage::default();
        for item in output.items() {
            let key = item
                .get(NAME_KEY)
                .and_then(|key| key.as_s().ok())
                .ok_or_else(|| RegistryError::Corrupt("an item has no name key".into()))?;
            if let Some(sub) = key.strip_prefix(USER_KEY_PREFIX) {
                if let Some(name) = user_from_item(item)?.owned {
                    page.owners.push(RegisteredOwner {
                        sub: sub.to_owned(),
                        name,
                    });
                }
                continue;
            }
            let claim = claim_from_item(item)?;
            if let ClaimState::Active {
                owner: Owner::LegacyUserName(user_name),
            } = claim.state
            {
                page.legacy.push(LegacyOwner {
                    user_name,
                    key: claim.key,
                    display: claim.display,
                });
            }
        }
        page.next = output
            .last_evaluated_key()
            .and_then(|key| key.get(NAME_KEY))
            .and_then(|key| key.as_s().ok())
            .cloned();
        Ok(page)
    }
}

impl DynamoRegistry {
    /// [`Registry::retire_first_version`](super::Registry::retire_first_version): one conditional
    /// `UpdateItem` (into quarantine; `owner` keeps the `userName`, so nobody's `sub` can take it
    /// back) or `DeleteItem` (free at once).
    pub(crate) async fn retire_first_version_item(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        let names = HashMap::from([
            ("#state".to_owned(), STATE.to_owned()),
            ("#sub".to_owned(), SUB.to_owned()),
            ("#owner".to_owned(), OWNER.to_owned()),
        ]);
        let mut values = HashMap::from([
            (":active".to_owned(), s(STATE_ACTIVE)),
            (":user_name".to_owned(), s(user_name)),
        ]);
        let condition = "#state = :active AND attribute_not_exists(#sub) AND #owner = :user_name";
        let Some(until) = quarantine_until else {
            let sent = self
                .client()
                .delete_item()
                .table_name(self.table())
                .key(NAME_KEY, name_item_key(key)?)
                .condition_expression(condition)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                .send()
                .await;
            return match sent {
                Ok(_) => Ok(true),
                Err(err) => match err.as_service_error() {
                    Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(false),
                    _ => Err(registry_error(err)),
                },
            };
        };
        let mut names = names;
        names.insert("#expires_at".to_owned(), EXPIRES_AT.to_owned());
        names.insert("#since".to_owned(), SINCE.to_owned());
        values.insert(":quarantined".to_owned(), s(STATE_QUARANTINED));
        values.insert(":until".to_owned(), n(until));
        let sent = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(NAME_KEY, name_item_key(key)?)
            .update_expression("SET #state = :quarantined, #expires_at = :until REMOVE #since")
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(registry_error(err)),
            },
        }
    }
}
