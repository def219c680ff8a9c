//! The registry in memory, for unit tests and the CLI's embedded store. It decides exactly as the
//! DynamoDB conditions do (the shared contract suite checks both), under one lock per operation,
//! which makes its two-item commit as atomic as DynamoDB's transaction.

use super::rules;
use super::{
    Claim, ClaimState, CommitOutcome, Commitment, OwnedName, Owner, Registry, RegistryError,
    Reservation, ReserveOutcome, Timestamp,
};
use crate::policy::{NameKey, KEY_VERSION};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct Tables {
    names: HashMap<NameKey, Claim>,
    /// The user records: the name each `sub` owns.
    users: HashMap<String, OwnedName>,
}

/// Names and user records, living as long as the value.
#[derive(Debug, Default)]
pub struct MemoryRegistry {
    tables: Mutex<Tables>,
}

impl MemoryRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every name entry, ordered by key (for the CLI and tests).
    pub fn claims(&self) -> Vec<Claim> {
        let mut claims: Vec<Claim> = self.lock().names.values().cloned().collect();
        claims.sort_by(|a, b| a.key.cmp(&b.key));
        claims
    }

    /// Puts an entry as it is, whatever it holds: for tests that start from a given state (an
    /// item of the first version, say), as an operator's import would.
    pub fn insert_raw(&self, claim: Claim) {
        self.lock().names.insert(claim.key.clone(), claim);
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        // Every operation leaves the tables consistent before it can panic, so a poisoned lock
        // holds valid data.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Registry for MemoryRegistry {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let mut tables = self.lock();
        let key = r.username.key();
        let old = tables.names.get(key);
        if !rules::reservation_may_write(old, now) {
            return Ok(old.map_or(ReserveOutcome::Taken, |old| {
                rules::refused_reservation(old, r)
            }));
        }
        tables.names.insert(
            key.clone(),
            Claim {
                key: key.clone(),
                display: r.username.display().to_owned(),
                state: ClaimState::Pending {
                    holder: r.holder.canonical().to_owned(),
                    expires_at: r.expires_at,
                    contacts: r.contacts.clone(),
                },
                key_version: KEY_VERSION,
                since: None,
            },
        );
        Ok(ReserveOutcome::Reserved)
    }

    async fn commit(&self, c: &Commitment, now: Timestamp) -> Result<CommitOutcome, RegistryError> {
        let mut tables = self.lock();
        let key = c.username.key();
        let old = tables.names.get(key);
        if !rules::commit_may_take_name(old, c, now) {
            return Ok(CommitOutcome::Taken);
        }
        if !rules::commit_may_record_user(tables.users.get(&c.sub), key) {
            return Ok(CommitOutcome::OwnsAnotherName);
        }
        // A replay keeps the first commit's instant (DynamoDB: `if_not_exists`); pending and
        // quarantined entries carry none.
        let since = old.and_then(|old| old.since).unwrap_or(now);
        tables.names.insert(
            key.clone(),
            Claim {
                key: key.clone(),
                display: c.username.display().to_owned(),
                state: ClaimState::Active {
                    owner: Owner::Sub(c.sub.clone()),
                },
                key_version: KEY_VERSION,
                since: Some(since),
            },
        );
        let user_since = tables.users.get(&c.sub).map_or(now, |owned| owned.since);
        tables.users.insert(
            c.sub.clone(),
            OwnedName {
                key: key.clone(),
                display: c.username.display().to_owned(),
                since: user_since,
            },
        );
        Ok(CommitOutcome::Committed)
    }

    async fn owned_name(&self, sub: &str) -> Result<Option<OwnedName>, RegistryError> {
        Ok(self.lock().users.get(sub).cloned())
    }

    async fn get(&self, key: &NameKey) -> Result<Option<Claim>, RegistryError> {
        Ok(self.lock().names.get(key).cloned())
    }
}
