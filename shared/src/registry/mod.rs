//! The registry of names: which user holds which name key, and which name each user owns.
//! Ownership is decided only by conditional writes inside the store (SPEC.md §3, invariant 6).
//!
//! Identity (SPEC §3): before confirmation a name is *held* by the sign-up's Cognito `userName`
//! (compared case-insensitively, see [`Holder`]); from the commit on it is *owned* by the user's
//! `sub`, which Cognito never reuses. A user record keyed by `sub`, written in the same
//! transaction as the name, says which name that `sub` owns: the token trigger reads only it.
//!
//! This file is the contract between the handlers and the stores (memory, DynamoDB).

pub mod contact;
pub mod dynamodb;
pub mod listing;
pub mod memory;
pub mod rules;
pub mod schema;
pub mod sdk;

pub use contact::{ContactHash, ContactKey, Contacts};
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

/// A Cognito `userName` as the holder of a pending reservation. User pools deployed with this
/// project are case-insensitive, and the case of `userName` is not guaranteed to be the same in
/// every event, so holders are compared in lower case. Items written before that rule kept the
/// `userName` as sent, so conditions also accept that exact spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    canonical: String,
    as_sent: String,
}

impl Holder {
    pub fn new(user_name: &str) -> Self {
        Self {
            canonical: user_name.to_lowercase(),
            as_sent: user_name.to_owned(),
        }
    }

    /// The stored form: the `userName` in lower case.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Every stored spelling that means this holder: the canonical one, and the `userName` as
    /// sent (how items of the first version stored it).
    pub fn spellings(&self) -> Vec<&str> {
        if self.canonical == self.as_sent {
            vec![&self.canonical]
        } else {
            vec![&self.canonical, &self.as_sent]
        }
    }

    /// Whether a stored holder is this one.
    pub fn is(&self, stored: &str) -> bool {
        stored == self.as_sent || stored.to_lowercase() == self.canonical
    }

    /// This holder, spelled as `stored` where that is the same `userName` in another case: for a
    /// caller that read an item of the first version, so that its condition matches the item.
    pub fn spelled_as(mut self, stored: &str) -> Self {
        if self.is(stored) {
            stored.clone_into(&mut self.as_sent);
        }
        self
    }
}

/// Who owns an active name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The user's `sub`.
    Sub(String),
    /// A Cognito `userName`: an active item written by the first version, before owners were
    /// `sub`s. Its owner's next commit or token event upgrades it with a conditional write.
    LegacyUserName(String),
}

/// The state of a name key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimState {
    /// Reserved at sign-up by `holder` (a `userName`), not yet confirmed; free again from
    /// `expires_at` on. `contacts` recognise the same person retrying under a new `userName`.
    Pending {
        holder: String,
        expires_at: Timestamp,
        contacts: Contacts,
    },
    /// Committed: the owner holds the name until it is given up.
    Active { owner: Owner },
    /// Given up by `previous_owner` (a `sub`), who alone may take it back until `until`.
    Quarantined {
        previous_owner: String,
        until: Timestamp,
    },
    /// Held by the operator; no user can claim it. `by` names the operator who blocked it
    /// (`None` on entries written before blocks recorded it); the entry's `since` says when.
    Blocked {
        reason: Option<String>,
        by: Option<String>,
    },
}

/// One name key's entry in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: NameKey,
    /// The display form the owner chose.
    pub display: String,
    pub state: ClaimState,
    /// `policy::KEY_VERSION` at the time the key was derived.
    pub key_version: u32,
    /// When the name became active for its owner (absent on items of the first version).
    pub since: Option<Timestamp>,
}

impl Claim {
    /// Whether this entry still keeps others off the name at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        match &self.state {
            ClaimState::Pending { expires_at, .. } => now < *expires_at,
            ClaimState::Quarantined { until, .. } => now < *until,
            ClaimState::Active { .. } | ClaimState::Blocked { .. } => true,
        }
    }

    /// The owner's `sub`, when the name is active and owned by a `sub`.
    pub fn owner_sub(&self) -> Option<&str> {
        match &self.state {
            ClaimState::Active {
                owner: Owner::Sub(sub),
            } => Some(sub),
            _ => None,
        }
    }
}

/// The name a user owns, from the user's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedName {
    pub key: NameKey,
    pub display: String,
    /// When the user came to own it.
    pub since: Timestamp,
}

/// A user's record: the name the `sub` owns, and what the rename rules need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserRecord {
    pub owned: Option<OwnedName>,
    /// When the user last renamed or gave up a name (the cooldown runs from here).
    pub renamed_at: Option<Timestamp>,
    /// The display form the user gave up then.
    pub previous: Option<String>,
}

/// A user's request to change (or take) their name.
#[derive(Debug, Clone)]
pub struct Rename {
    pub sub: String,
    pub to: Username,
    /// When the name given up leaves quarantine.
    pub quarantine_until: Timestamp,
    /// Seconds that must pass since the last rename; `None` when an operator forces it.
    pub cooldown: Option<i64>,
}

/// What `rename` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameOutcome {
    /// The user owns `to` now; `previous` is the display form they had (the same for a new
    /// spelling of the same name, and for a replay the one the rename gave up).
    Renamed { previous: Option<String> },
    /// Someone else holds, owns or blocked the name, or it is in someone else's quarantine.
    Taken,
    /// The user renamed too recently; they may again from `until`.
    Cooldown { until: Timestamp },
}

/// An operator's block of a name: who holds it for the company, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRequest<'a> {
    /// The operator (`usernames block --by`, by default the OS user).
    pub by: &'a str,
    pub reason: Option<&'a str>,
}

/// What a rename wrote, so that [`Registry::undo_rename`] can put exactly that back (when the
/// pool refuses the new name as an alias). Returned by [`Registry::rename_with_undo`] whenever the
/// rename changed the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameUndo {
    pub sub: String,
    /// The name the rename gave the user, as it wrote it.
    pub to: Username,
    pub change: RenameChange,
}

/// What a rename changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameChange {
    /// A new spelling of the owned name: only the display forms changed; `display` was the one
    /// before.
    Respelled { display: String },
    /// `to` was claimed at `at` (its `since`, and the record's `renamed_at` and `since`), and
    /// the name the user owned (`before.owned`, if any) went into quarantine until
    /// `quarantine_until`.
    Moved {
        at: Timestamp,
        quarantine_until: Timestamp,
        /// The user's record as the rename found it (`None`: there was none).
        before: Option<UserRecord>,
        /// `to`'s entry before, when it was the user's own live quarantine (taken back): it goes
        /// back into it. `None` when it was free: it is freed again, not quarantined, since
        /// nobody ever saw the user under it.
        taken_back: Option<Box<Claim>>,
    },
}

/// What `undo_rename` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoOutcome {
    /// The registry is as it was before the rename (now, or already: a replay).
    Undone,
    /// Something changed the registry since the rename (another rename or release of the
    /// user's, an operator); nothing was written, so that change stands.
    Changed,
}

/// What `block` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockOutcome {
    /// The operator holds the name now (or held it already; who, why and when are updated).
    Blocked,
    /// Someone holds it: rename or release them first.
    Held(Claim),
}

/// A request to hold a name pending confirmation.
#[derive(Debug, Clone)]
pub struct Reservation {
    pub username: Username,
    pub holder: Holder,
    /// Hashes of the sign-up's email and phone; empty where retries cannot be recognised.
    pub contacts: Contacts,
    pub expires_at: Timestamp,
}

/// What `reserve` decided. Only `Reserved` wrote anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReserveOutcome {
    /// The name is now (or was already: a replay) held pending by this holder.
    Reserved,
    /// A live pending reservation with the same email or phone holds the name: the same person
    /// retrying a failed sign-up under a new `userName`. Nothing changed; the sign-up may go on,
    /// and its commit takes the name over only with a verified contact.
    HeldForRetry,
    /// Someone else holds, owns or blocked the name.
    Taken,
}

/// A request to make a name active for a confirmed user.
#[derive(Debug, Clone)]
pub struct Commitment {
    pub username: Username,
    /// The user's `userName`, which holds the pending reservation.
    pub holder: Holder,
    /// The user's `sub`: the owner from now on.
    pub sub: String,
    /// Hashes of the contacts Cognito has *verified* for this user: with one of them, a live
    /// pending reservation of the same person under another `userName` is taken over.
    pub verified: Contacts,
}

/// What `commit` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// The user owns the name as an active claim (newly or already).
    Committed,
    /// Someone else holds, owns or blocked the name; nothing was changed.
    Taken,
    /// The user already owns another name (a user owns at most one); nothing was changed.
    OwnsAnotherName,
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

/// A store of names and user records. Every write is one atomic, conditional operation in the
/// store (a single-item write or one transaction), so no interleaving, retry or replay can give a
/// name two owners.
pub trait Registry: Send + Sync {
    /// Holds `r.username` for `r.holder` until `r.expires_at` if the name is free: no entry, or
    /// an expired pending reservation or quarantine. Never touches a live entry: the same holder
    /// reserving again is `Reserved` unchanged (a replay neither extends the expiry nor demotes an
    /// active claim); a live pending one sharing a contact is `HeldForRetry`; anything else
    /// live, and any active claim, is `Taken`. One conditional write.
    fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> impl Future<Output = Result<ReserveOutcome, RegistryError>> + Send;

    /// Makes `c.username` active for `c.sub` and records it as the name `c.sub` owns, in one
    /// transaction. The name item may be: absent; pending for `c.holder` (live or expired); an
    /// expired pending reservation or quarantine; a live pending one sharing a *verified* contact
    /// (the same person's other sign-up); `c.sub`'s own active claim (idempotent) or quarantine;
    /// or a first-version active item of `c.holder` (upgraded). The user record may name no name
    /// or this one. Anything else changes nothing.
    fn commit(
        &self,
        c: &Commitment,
        now: Timestamp,
    ) -> impl Future<Output = Result<CommitOutcome, RegistryError>> + Send;

    /// `sub`'s user record, read consistently: the one read of a token event.
    fn user(
        &self,
        sub: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, RegistryError>> + Send;

    /// Moves `r.sub` to `r.to` in one transaction: the new name is claimed if it is free (or the
    /// user's own quarantined name), the old one goes into quarantine until
    /// `r.quarantine_until`, the user record follows. A new spelling of the name the user owns
    /// only changes its display form (no quarantine, no cooldown). A user without a name takes
    /// `r.to` as if it were a first name (the cooldown still counts from a release).
    fn rename(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> impl Future<Output = Result<RenameOutcome, RegistryError>> + Send {
        let undoable = self.rename_with_undo(r, now);
        async move { undoable.await.map(|(outcome, _)| outcome) }
    }

    /// [`Registry::rename`], and what it wrote: `Some` exactly when it changed the registry (a
    /// move or a new spelling; not a replay, a refusal or the cooldown).
    fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> impl Future<Output = Result<(RenameOutcome, Option<RenameUndo>), RegistryError>> + Send;

    /// Puts back exactly what one rename wrote, in one transaction: the old name active again
    /// for the same `sub` (as it was, `since` included), the new one freed (or back in the
    /// user's quarantine it was taken from), the user record as the rename found it (its
    /// `renamed_at` included, so a refused rename never restarts the cooldown). Conditioned on
    /// the registry still being as the rename left it; otherwise `Changed` and nothing written.
    fn undo_rename(
        &self,
        undo: &RenameUndo,
    ) -> impl Future<Output = Result<UndoOutcome, RegistryError>> + Send;

    /// Gives up the name `sub` owns: into quarantine until `quarantine_until`, or (`None`) free
    /// at once. Returns the display form given up; `None` when the user owned none.
    fn release(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send;

    /// Holds `name` (every spelling and look-alike of it) for the operator, if nobody holds it.
    fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> impl Future<Output = Result<BlockOutcome, RegistryError>> + Send;

    /// Frees a name the operator blocked, or a quarantined one before its end. Returns whether
    /// such an entry was removed (never an active or pending one).
    fn unblock(&self, key: &NameKey) -> impl Future<Output = Result<bool, RegistryError>> + Send;

    /// The entry of `key`, live or not, read consistently.
    fn get(
        &self,
        key: &NameKey,
    ) -> impl Future<Output = Result<Option<Claim>, RegistryError>> + Send;
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
        c: &Commitment,
        now: Timestamp,
    ) -> impl Future<Output = Result<CommitOutcome, RegistryError>> + Send {
        R::commit(self, c, now)
    }

    fn user(
        &self,
        sub: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, RegistryError>> + Send {
        R::user(self, sub)
    }

    fn rename(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> impl Future<Output = Result<RenameOutcome, RegistryError>> + Send {
        R::rename(self, r, now)
    }

    fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> impl Future<Output = Result<(RenameOutcome, Option<RenameUndo>), RegistryError>> + Send
    {
        R::rename_with_undo(self, r, now)
    }

    fn undo_rename(
        &self,
        undo: &RenameUndo,
    ) -> impl Future<Output = Result<UndoOutcome, RegistryError>> + Send {
        R::undo_rename(self, undo)
    }

    fn release(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send {
        R::release(self, sub, quarantine_until, now)
    }

    fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> impl Future<Output = Result<BlockOutcome, RegistryError>> + Send {
        R::block(self, name, request, now)
    }

    fn unblock(&self, key: &NameKey) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        R::unblock(self, key)
    }

    fn get(
        &self,
        key: &NameKey,
    ) -> impl Future<Output = Result<Option<Claim>, RegistryError>> + Send {
        R::get(self, key)
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
    fn entries_are_live_until_their_expiry_second() {
        let claim = Claim {
            key: NameKey::from_stored("alice"),
            display: "alice".into(),
            state: ClaimState::Pending {
                holder: "user-a".into(),
                expires_at: 10,
                contacts: Contacts::none(),
            },
            key_version: crate::policy::KEY_VERSION,
            since: None,
        };
        assert!(claim.is_live(9));
        assert!(!claim.is_live(10));
        let quarantined = Claim {
            state: ClaimState::Quarantined {
                previous_owner: "sub-a".into(),
                until: 10,
            },
            ..claim.clone()
        };
        assert!(quarantined.is_live(9) && !quarantined.is_live(10));
        for state in [
            ClaimState::Active {
                owner: Owner::Sub("sub-a".into()),
            },
            ClaimState::Blocked {
                reason: None,
                by: None,
            },
        ] {
            assert!(Claim {
                state,
                ..claim.clone()
            }
            .is_live(i64::MAX));
        }
    }

    #[test]
    fn holders_compare_without_case_and_keep_the_sent_spelling() {
        let holder = Holder::new("Bob_1");
        assert_eq!(holder.canonical(), "bob_1");
        assert_eq!(holder.spellings(), ["bob_1", "Bob_1"]);
        assert!(holder.is("BOB_1") && holder.is("bob_1"));
        assert!(!holder.is("bob_2"));
        assert_eq!(Holder::new("bob").spellings(), ["bob"]);
    }
}
