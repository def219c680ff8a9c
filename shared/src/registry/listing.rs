//! Listing the registry's owners, page by page: the `sub`s that own a name, for `usernames
//! reconcile`, which looks for owners who no longer exist in the pool. Administration only: a
//! listing is never a uniqueness decision (SPEC §3, invariant 6), and on DynamoDB it is a `Scan`.

use super::schema::{user_from_item, NAME_KEY, OWNED_KEY, USER_KEY_PREFIX};
use super::sdk::registry_error;
use super::{ClaimState, DynamoRegistry, MemoryRegistry, OwnedName, Owner, RegistryError};
use aws_sdk_dynamodb::types::AttributeValue;
use std::future::Future;
use std::sync::Arc;

/// A `sub` and the name it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredOwner {
    pub sub: String,
    pub name: OwnedName,
}

/// One page of owners; `next` continues after it, `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnersPage {
    pub owners: Vec<RegisteredOwner>,
    /// An opaque cursor for the next call.
    pub next: Option<String>,
}

/// Stores that can list who owns a name.
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
) -> Result<Vec<RegisteredOwner>, RegistryError> {
    let mut owners = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.owners_page(after.as_deref(), page_size).await?;
        owners.extend(page.owners);
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

/// The memory store keeps a user record exactly for each active name of a `sub` (both written
/// under one lock), so its active entries are its owners, ordered by `sub`.
impl OwnerListing for MemoryRegistry {
    async fn owners_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<OwnersPage, RegistryError> {
        let mut owners: Vec<RegisteredOwner> = self
            .claims()
            .into_iter()
            .filter_map(|claim| match claim.state {
                ClaimState::Active {
                    owner: Owner::Sub(sub),
                } => Some(RegisteredOwner {
                    sub,
                    name: OwnedName {
                        key: claim.key,
                        display: claim.display,
                        since: claim.since.unwrap_or_default(),
                    },
                }),
                _ => None,
            })
            .filter(|owner| after.is_none_or(|after| owner.sub.as_str() > after))
            .collect();
        owners.sort_by(|a, b| a.sub.cmp(&b.sub));
        let limit = limit.max(1);
        let next = (owners.len() > limit).then(|| owners[limit - 1].sub.clone());
        owners.truncate(limit);
        Ok(OwnersPage { owners, next })
    }
}

/// A `Scan` of the user items that name an owned name; the cursor is the last `name_key` read.
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
            .filter_expression("begins_with(#key, :prefix) AND attribute_exists(#owned)")
            .expression_attribute_names("#key", NAME_KEY)
            .expression_attribute_names("#owned", OWNED_KEY)
            .expression_attribute_values(":prefix", AttributeValue::S(USER_KEY_PREFIX.into()))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .consistent_read(true)
            .set_exclusive_start_key(
                after.map(|key| [(NAME_KEY.to_owned(), AttributeValue::S(key.to_owned()))].into()),
            )
            .send()
            .await
            .map_err(registry_error)?;
        let mut owners = Vec::new();
        for item in output.items() {
            let sub = item
                .get(NAME_KEY)
                .and_then(|key| key.as_s().ok())
                .and_then(|key| key.strip_prefix(USER_KEY_PREFIX))
                .ok_or_else(|| RegistryError::Corrupt("a user item has no user key".into()))?;
            if let Some(name) = user_from_item(item)?.owned {
                owners.push(RegisteredOwner {
                    sub: sub.to_owned(),
                    name,
                });
            }
        }
        let next = output
            .last_evaluated_key()
            .and_then(|key| key.get(NAME_KEY))
            .and_then(|key| key.as_s().ok())
            .cloned();
        Ok(OwnersPage { owners, next })
    }
}
