//! The registry in memory, for unit tests and the CLI's embedded store. It decides exactly as the
//! DynamoDB conditions do (the shared contract suite checks both), under one lock per operation.

use super::{
    Claim, ClaimState, CommitOutcome, EmailHash, Registry, RegistryError, Reservation,
    ReserveOutcome, Timestamp,
};
use crate::policy::{NameKey, Username, KEY_VERSION};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Claims by name key, living as long as the value.
#[derive(Debug, Default)]
pub struct MemoryRegistry {
    claims: Mutex<HashMap<NameKey, Claim>>,
}

impl MemoryRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every claim, ordered by key (for the CLI and tests).
    pub fn claims(&self) -> Vec<Claim> {
        let mut claims: Vec<Claim> = self.lock().values().cloned().collect();
        claims.sort_by(|a, b| a.key.cmp(&b.key));
        claims
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<NameKey, Claim>> {
        // Every operation leaves the map consistent before it can panic, so a poisoned lock holds
        // valid data.
        self.claims
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn is_expired_pending(claim: &Claim, now: Timestamp) -> bool {
    matches!(claim.state, ClaimState::Pending { expires_at } if expires_at <= now)
}

impl Registry for MemoryRegistry {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let mut claims = self.lock();
        let key = r.username.key();
        if let Some(old) = claims.get(key) {
            let retried_sign_up = matches!(old.state, ClaimState::Pending { .. })
                && r.email_hash.is_some()
                && old.email_hash == r.email_hash
                && old.owner != r.owner;
            if !is_expired_pending(old, now) && !retried_sign_up {
                return Ok(if old.owner == r.owner {
                    ReserveOutcome::Reserved
                } else {
                    ReserveOutcome::Taken
                });
            }
        }
        claims.insert(
            key.clone(),
            Claim {
                key: key.clone(),
                display: r.username.display().to_owned(),
                owner: r.owner.clone(),
                state: ClaimState::Pending {
                    expires_at: r.expires_at,
                },
                key_version: KEY_VERSION,
                email_hash: r.email_hash.clone(),
            },
        );
        Ok(ReserveOutcome::Reserved)
    }

    async fn commit(
        &self,
        username: &Username,
        owner: &str,
        email_hash: Option<&EmailHash>,
        now: Timestamp,
    ) -> Result<CommitOutcome, RegistryError> {
        let mut claims = self.lock();
        let key = username.key();
        if let Some(old) = claims.get(key) {
            let same_person_pending = matches!(old.state, ClaimState::Pending { .. })
                && email_hash.is_some()
                && old.email_hash.as_ref() == email_hash;
            if old.owner != owner && !is_expired_pending(old, now) && !same_person_pending {
                return Ok(CommitOutcome::Taken);
            }
        }
        claims.insert(
            key.clone(),
            Claim {
                key: key.clone(),
                display: username.display().to_owned(),
                owner: owner.to_owned(),
                state: ClaimState::Active,
                key_version: KEY_VERSION,
                email_hash: None,
            },
        );
        Ok(CommitOutcome::Committed)
    }

    async fn get(&self, key: &NameKey) -> Result<Option<Claim>, RegistryError> {
        Ok(self.lock().get(key).cloned())
    }

    async fn find_by_owner(&self, owner: &str) -> Result<Vec<Claim>, RegistryError> {
        let mut claims: Vec<Claim> = self
            .lock()
            .values()
            .filter(|c| c.owner == owner)
            .cloned()
            .collect();
        claims.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(claims)
    }

    async fn release(&self, key: &NameKey, owner: &str) -> Result<bool, RegistryError> {
        let mut claims = self.lock();
        match claims.get(key) {
            Some(claim) if claim.owner == owner => {
                claims.remove(key);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
