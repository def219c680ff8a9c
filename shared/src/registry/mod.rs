//! The registry of names: who holds which name key, as a pending reservation or an active claim.
//! Ownership is decided only by conditional writes inside the store (SPEC.md §3).
//!
//! This file is the contract between the handlers and the stores (memory, DynamoDB).

pub mod dynamodb;
pub mod memory;
pub mod schema;

pub use dynamodb::DynamoRegistry;
pub use memory::MemoryRegistry;

use crate::policy::{NameKey, Username};
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use thiserror::Error;

/// Seconds since the Unix epoch. Passed in explicitly so that tests control expiry.
pub type Timestamp = i64;

/// Where the current time comes from; tests inject a fixed or stepping clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(now: Timestamp) -> Self {
        Self(AtomicI64::new(now))
    }

    pub fn set(&self, now: Timestamp) {
        self.0.store(now, Ordering::SeqCst);
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.load(Ordering::SeqCst)
    }
}

/// A SHA-256 hash (hex) of a normalised email address. Lets a person who retries a failed
/// sign-up take over their own pending reservation without the registry storing the email.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailHash(String);

impl EmailHash {
    /// Hashes an email after trimming and lowercasing it (Cognito compares emails case-insensitively).
    pub fn of_email(email: &str) -> Self {
        use sha2::{Digest, Sha256};
        let normalised = email.trim().to_lowercase();
        Self(hex::encode(Sha256::digest(normalised.as_bytes())))
    }

    pub fn from_stored(hash: impl Into<String>) -> Self {
        Self(hash.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The state of a claim on a name key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimState {
    /// Reserved at sign-up, not yet confirmed; free again once `expires_at` has passed.
    Pending { expires_at: Timestamp },
    /// Committed: the owner holds the name until it is released.
    Active,
}

/// One name key's entry in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: NameKey,
    /// The display form the owner chose.
    pub display: String,
    /// The Cognito `userName` of the owner.
    pub owner: String,
    pub state: ClaimState,
    /// `policy::KEY_VERSION` at the time the key was derived.
    pub key_version: u32,
    pub email_hash: Option<EmailHash>,
}

impl Claim {
    /// Whether this claim still keeps others off the name at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        match self.state {
            ClaimState::Active => true,
            ClaimState::Pending { expires_at } => now < expires_at,
        }
    }
}

/// A request to hold a name pending confirmation.
#[derive(Debug, Clone)]
pub struct Reservation {
    pub username: Username,
    pub owner: String,
    pub email_hash: Option<EmailHash>,
    pub expires_at: Timestamp,
}

/// What `reserve` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReserveOutcome {
    /// The name is now (or was already) held by this owner, pending or active.
    Reserved,
    /// Someone else holds the name.
    Taken,
}

/// What `commit` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// The owner holds the name as an active claim (newly or already).
    Committed,
    /// Someone else holds the name; nothing was changed.
    Taken,
}

/// The store could not give an answer. Never a reason to grant a name.
#[derive(Debug, Error)]
pub enum RegistryError {
    #[error("the username registry did not answer in time")]
    Timeout,
    #[error("the username registry is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the username registry holds an unreadable entry")]
    Corrupt(String),
}

/// A store of claims. Every method is one atomic, conditional operation in the store.
pub trait Registry: Send + Sync {
    /// Holds `r.username` for `r.owner` until `r.expires_at`, unless someone else holds it live.
    /// A pending claim is live while `now < expires_at`; an active one always is.
    /// The same owner reserving again answers `Reserved` and changes nothing (a replay neither
    /// extends the expiry nor demotes an active claim); a live pending claim of another owner with
    /// the same email hash (the same person retrying a failed sign-up) is taken over, an active
    /// one never is. One conditional write in the store.
    fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> impl Future<Output = Result<ReserveOutcome, RegistryError>> + Send;

    /// Makes `owner`'s claim on `username` active, in `username`'s display form, and drops its
    /// email hash. A missing or expired reservation is claimed anew if the name is free (nobody
    /// else holds it live); idempotent for an active claim of the same owner. A live pending
    /// claim with the same `email_hash` is taken over: the same person signed up twice (the
    /// retry took the reservation over) and then confirmed the first account. An active claim is
    /// never taken over. One conditional write in the store.
    fn commit(
        &self,
        username: &Username,
        owner: &str,
        email_hash: Option<&EmailHash>,
        now: Timestamp,
    ) -> impl Future<Output = Result<CommitOutcome, RegistryError>> + Send;

    /// The claim on `key`, live or not, read consistently.
    fn get(
        &self,
        key: &NameKey,
    ) -> impl Future<Output = Result<Option<Claim>, RegistryError>> + Send;

    /// Every claim `owner` has, live or not, ordered by key. For administration only, never a
    /// uniqueness decision: on DynamoDB it reads an eventually consistent index.
    fn find_by_owner(
        &self,
        owner: &str,
    ) -> impl Future<Output = Result<Vec<Claim>, RegistryError>> + Send;

    /// Deletes `owner`'s claim on `key`, pending or active. Returns whether a claim was deleted
    /// (false when there is none or another owner holds it).
    fn release(
        &self,
        key: &NameKey,
        owner: &str,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send;
}

/// A shared registry is a registry, so a handler and a test can hold the same store.
impl<R: Registry> Registry for Arc<R> {
    fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> impl Future<Output = Result<ReserveOutcome, RegistryError>> + Send {
        R::reserve(self, r, now)
    }

    fn commit(
        &self,
        username: &Username,
        owner: &str,
        email_hash: Option<&EmailHash>,
        now: Timestamp,
    ) -> impl Future<Output = Result<CommitOutcome, RegistryError>> + Send {
        R::commit(self, username, owner, email_hash, now)
    }

    fn get(
        &self,
        key: &NameKey,
    ) -> impl Future<Output = Result<Option<Claim>, RegistryError>> + Send {
        R::get(self, key)
    }

    fn find_by_owner(
        &self,
        owner: &str,
    ) -> impl Future<Output = Result<Vec<Claim>, RegistryError>> + Send {
        R::find_by_owner(self, owner)
    }

    fn release(
        &self,
        key: &NameKey,
        owner: &str,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        R::release(self, key, owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(100);
        assert_eq!(clock.now(), 100);
        clock.advance(5);
        assert_eq!(clock.now(), 105);
        clock.set(7);
        assert_eq!(clock.now(), 7);
    }

    #[test]
    fn a_pending_claim_is_live_until_its_expiry_second() {
        let claim = Claim {
            key: NameKey::from_stored("alice"),
            display: "alice".into(),
            owner: "user-a".into(),
            state: ClaimState::Pending { expires_at: 10 },
            key_version: crate::policy::KEY_VERSION,
            email_hash: None,
        };
        assert!(claim.is_live(9));
        assert!(!claim.is_live(10));
        assert!(Claim {
            state: ClaimState::Active,
            ..claim
        }
        .is_live(i64::MAX));
    }

    #[test]
    fn email_hashes_ignore_case_and_surrounding_space() {
        assert_eq!(
            EmailHash::of_email(" Alice@Example.com "),
            EmailHash::of_email("alice@example.com")
        );
        assert_ne!(
            EmailHash::of_email("alice@example.com"),
            EmailHash::of_email("alice@example.org")
        );
        assert_eq!(
            EmailHash::of_email("a@b.c").as_str().len(),
            64,
            "hex SHA-256, not the email"
        );
    }
}
