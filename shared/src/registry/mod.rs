//! The registry of names: which user holds which name key, and which name each user owns.
//! Ownership is decided only by conditional writes inside the store (docs/registry.md#rules-every-store-keeps).
//!
//! Identity (docs/registry.md#identity-held-by-username-owned-by-sub): before confirmation a name
//! is *held* by the sign-up's Cognito `userName` (stored as a keyed hash, compared as the pool
//! compares user names, see [`Holder`]); from the commit on it is *owned* by the user's `sub`,
//! which Cognito never reuses. A user record keyed by `sub`, written in the same
//! transaction as the name, says which name that `sub` owns: the token trigger reads only it.
//!
//! This file is the contract between the handlers and the stores (memory, DynamoDB, and with the
//! `disk` feature a file).

pub mod contact;
#[cfg(feature = "disk")]
pub mod disk;
pub mod dynamodb;
pub mod first_version;
pub mod listing;
pub mod memory;
pub mod rekey;
pub mod rules;
pub mod schema;
pub mod sdk;
pub mod word_rules;

pub use contact::{ContactHash, ContactKey, Contacts};
#[cfg(feature = "disk")]
pub use disk::DiskRegistry;
pub use dynamodb::DynamoRegistry;
pub use first_version::adopt_first_version_names;
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

/// A Cognito `userName` as the holder of a pending reservation (no `sub` exists before
/// confirmation), or as the owner of a first-version name.
///
/// A reservation stores the holder as a keyed hash ([`ContactKey::holder`]) of the `userName`,
/// and the `userName` sealed under the same key, so the table never holds it in clear (in
/// username pools people pick their email as username). Whether two spellings are one user is
/// the pool's rule: a case-insensitive pool (the template's) folds case, so the hash is of the
/// lower case; a case-sensitive pool (`USERNAMES_CASE_SENSITIVE_USERNAMES`) never folds, so
/// `alice_v` and `ALICE_V` are two holders.
///
/// Earlier versions stored holders in clear: the first version the `userName` as sent (pending
/// and active), the second in lower case (pending). Those entries still match, under the same
/// rule: in a case-sensitive pool a clear pending holder matches only a `userName` sent exactly
/// so and with a capital letter (an all-lower-case one may be the second version's folding of
/// another user's name), and a first-version owner only the exact `userName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    as_sent: String,
    lower: String,
    case_sensitive: bool,
    /// The keyed hash; `None` where no key is at hand (the HTTP API, which only ever meets
    /// holders as first-version owners, stored in clear).
    hashed: Option<String>,
    /// The `userName` sealed, for a reservation to keep.
    sealed: Option<String>,
    /// The exact stored spelling of a clear holder this one was matched with (see
    /// [`Holder::spelled_as`]).
    stored_as: Option<String>,
}

impl Holder {
    /// The holder `user_name`, hashed under `key`.
    pub fn new(user_name: &str, case_sensitive: bool, key: &ContactKey) -> Self {
        let mut holder = Self::unkeyed(user_name, case_sensitive);
        holder.hashed = Some(key.holder(holder.folded()));
        holder
    }

    /// This holder with its `userName` sealed under `key`, for a reservation to keep (only a
    /// reservation stores it, so only a reservation pays for the random nonce).
    pub fn sealed_by(mut self, key: &ContactKey) -> Self {
        self.sealed = key.seal(&self.as_sent);
        self
    }

    /// The holder `user_name` without a key: it matches first-version entries only, and cannot
    /// reserve.
    pub fn unkeyed(user_name: &str, case_sensitive: bool) -> Self {
        Self {
            as_sent: user_name.to_owned(),
            lower: user_name.to_lowercase(),
            case_sensitive,
            hashed: None,
            sealed: None,
            stored_as: None,
        }
    }

    /// The `userName` as the pool compares it.
    fn folded(&self) -> &str {
        if self.case_sensitive {
            &self.as_sent
        } else {
            &self.lower
        }
    }

    /// The `userName` as the event sent it.
    pub fn user_name(&self) -> &str {
        &self.as_sent
    }

    /// The stored form of a new reservation: the keyed hash (`None` for an unkeyed holder).
    pub fn stored(&self) -> Option<&str> {
        self.hashed.as_deref()
    }

    /// The `userName` sealed under the key (see [`Holder::sealed_by`]), for a new reservation to
    /// keep.
    pub fn sealed(&self) -> Option<&str> {
        self.sealed.as_deref()
    }

    /// Whether a stored pending holder is this one.
    pub fn holds(&self, stored: &str) -> bool {
        if stored.starts_with(contact::HOLDER_HASH_PREFIX) {
            return self.hashed.as_deref() == Some(stored);
        }
        if self.case_sensitive {
            stored == self.as_sent && stored != stored.to_lowercase()
        } else {
            stored.to_lowercase() == self.lower
        }
    }

    /// Whether the `userName` that owns a first-version active entry is this one.
    pub fn owned_first_version(&self, stored: &str) -> bool {
        if self.case_sensitive {
            stored == self.as_sent
        } else {
            stored.to_lowercase() == self.lower
        }
    }

    /// Every stored pending holder that means this one, for a condition that compares exactly.
    pub fn pending_spellings(&self) -> Vec<&str> {
        let mut spellings: Vec<&str> = self.hashed.iter().map(String::as_str).collect();
        if self.case_sensitive {
            if self.as_sent != self.lower {
                spellings.push(&self.as_sent);
            }
        } else {
            spellings.extend([self.lower.as_str(), self.as_sent.as_str()]);
        }
        spellings.extend(self.stored_as.as_deref());
        dedup(spellings)
    }

    /// Every stored first-version owner that means this one, for a condition that compares
    /// exactly.
    pub fn first_version_spellings(&self) -> Vec<&str> {
        let mut spellings = vec![self.as_sent.as_str()];
        if !self.case_sensitive {
            spellings.push(&self.lower);
            spellings.extend(self.stored_as.as_deref());
        }
        dedup(spellings)
    }

    /// This holder, also spelled as `stored` where that is a clear holder (or first-version owner)
    /// it matches: for a caller that read an entry of an earlier version, so that its condition
    /// matches the entry (the first version kept mixed case).
    pub fn spelled_as(mut self, stored: &str) -> Self {
        let clear = !stored.starts_with(contact::HOLDER_HASH_PREFIX);
        if clear && (self.holds(stored) || self.owned_first_version(stored)) {
            self.stored_as = Some(stored.to_owned());
        }
        self
    }
}

fn dedup(mut spellings: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    spellings.retain(|s| seen.insert(*s));
    spellings
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
        /// The stored holder: a keyed hash (see [`Holder`]), or a `userName` written by an
        /// earlier version.
        holder: String,
        expires_at: Timestamp,
        contacts: Contacts,
        /// The holder's `userName` sealed under the contact-hash key, so pre-sign-up can ask the
        /// pool whether they still exist (absent on entries of earlier versions).
        sealed: Option<String>,
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

impl Reservation {
    /// The holder as the reservation stores it: only a keyed holder may reserve.
    pub fn stored_holder(&self) -> Result<&str, RegistryError> {
        self.holder.stored().ok_or_else(|| {
            RegistryError::Corrupt(
                "a reservation needs a holder hashed under the contact key".into(),
            )
        })
    }
}

/// What `reserve` decided. Only `Reserved` wrote anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReserveOutcome {
    /// The name is now (or was already: a replay) held pending by this holder.
    Reserved,
    /// A live pending reservation of another holder with the same email or phone holds the name:
    /// maybe the same person retrying a failed sign-up under a new `userName`. Nothing changed.
    /// The caller admits the sign-up only once the pool says that holder no longer exists (a
    /// failed sign-up's user was never created); otherwise it answers as for `Taken`, so that an
    /// answer never tells whose email is behind a name. Its commit then takes the name over only
    /// with a verified contact.
    HeldForRetry {
        /// The stored holder of that reservation.
        holder: String,
        /// Its `userName`, sealed (entries of earlier versions keep none; their `holder` is the
        /// `userName` in clear).
        sealed: Option<String>,
    },
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
    /// Holds `r.username` for `r.holder` (its keyed hash, with the `userName` sealed) until
    /// `r.expires_at` if the name is free: no entry, or an expired pending reservation or
    /// quarantine. Never touches a live entry: the same holder reserving again is `Reserved`
    /// unchanged (a replay neither extends the expiry nor demotes an active claim); another
    /// holder's live pending one sharing a contact is `HeldForRetry`; anything else live, and any
    /// active claim, is `Taken`. One conditional write. An unkeyed holder cannot reserve
    /// ([`RegistryError::Corrupt`]).
    fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> impl Future<Output = Result<ReserveOutcome, RegistryError>> + Send;

    /// Makes `c.username` active for `c.sub` and records it as the name `c.sub` owns, in one
    /// transaction. The name item may be: absent; pending for `c.holder` (live or expired); an
    /// expired pending reservation or quarantine; a live pending one sharing a *verified* contact
    /// (the same person's other sign-up); `c.sub`'s own active claim (idempotent); or a
    /// first-version active item of `c.holder` (upgraded). Never a live quarantine, not even
    /// `c.sub`'s own: a name given up stays given up until a rename takes it back. The user
    /// record may name no name or this one. Anything else changes nothing.
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
    /// at once. Returns the display form given up; `None` when the user owned none. The user's
    /// cooldown starts now.
    fn release(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send {
        self.give_up(sub, quarantine_until, Some(now))
    }

    /// [`Registry::release`] as reconcile retires a deleted user's name: the same transaction,
    /// but no cooldown starts (the user record's last rename is left as it was), since the
    /// user did nothing, and should reconcile ever mistake a live user for a deleted one, they
    /// take their name back by rename at once.
    fn retire(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send {
        self.give_up(sub, quarantine_until, None)
    }

    /// What [`Registry::release`] and [`Registry::retire`] do: the name `sub` owns into
    /// quarantine (or freed), the record without it; with `renamed_at`, the record's last rename
    /// is stamped then (and `previous` names the name given up).
    fn give_up(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send;

    /// Retires the first-version name `key` of `user_name` (its owner left the pool, or moved to
    /// a name owned by `sub`): into quarantine until `quarantine_until`, or (`None`) free at
    /// once. Writes only while the entry is still that `userName`'s first-version active name
    /// (stored spelling): an owner who signed in meanwhile upgraded it to their `sub`, and keeps
    /// it. Returns whether it wrote.
    fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send;

    /// The first-version active entries owned by the `userName` `holder` (see
    /// [`Owner::LegacyUserName`]), found by a read: so that a rename or release of that user
    /// first upgrades them and never leaves them a second name. Advice only (on DynamoDB an
    /// eventually consistent query of the `by_owner` index); the writes that follow decide.
    fn first_version_names(
        &self,
        holder: &Holder,
    ) -> impl Future<Output = Result<Vec<Claim>, RegistryError>> + Send;

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

    /// The operator's rules in the table (`usernames block --contains`): one read of one item.
    fn contains_rules(
        &self,
    ) -> impl Future<Output = Result<Vec<word_rules::ContainsRule>, RegistryError>> + Send;

    /// The entries of `keys` (at most 100), in their order, `None` where there is none: one
    /// batched, consistent read where the store has one (DynamoDB's `BatchGetItem`), else one
    /// `get` after another. Advice only (suggestions), never a decision.
    fn get_many(
        &self,
        keys: &[NameKey],
    ) -> impl Future<Output = Result<Vec<Option<Claim>>, RegistryError>> + Send {
        async move {
            let mut entries = Vec::with_capacity(keys.len());
            for key in keys {
                entries.push(self.get(key).await?);
            }
            Ok(entries)
        }
    }
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

    fn give_up(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> impl Future<Output = Result<Option<String>, RegistryError>> + Send {
        R::give_up(self, sub, quarantine_until, renamed_at)
    }

    fn first_version_names(
        &self,
        holder: &Holder,
    ) -> impl Future<Output = Result<Vec<Claim>, RegistryError>> + Send {
        R::first_version_names(self, holder)
    }

    fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> impl Future<Output = Result<bool, RegistryError>> + Send {
        R::retire_first_version(self, key, user_name, quarantine_until)
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

    fn get_many(
        &self,
        keys: &[NameKey],
    ) -> impl Future<Output = Result<Vec<Option<Claim>>, RegistryError>> + Send {
        R::get_many(self, keys)
    }

    fn contains_rules(
        &self,
    ) -> impl Future<Output = Result<Vec<word_rules::ContainsRule>, RegistryError>> + Send {
        R::contains_rules(self)
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
                sealed: None,
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
    fn a_case_insensitive_pool_folds_holders_and_old_clear_spellings() {
        let key = ContactKey::development();
        let holder = Holder::new("Bob_1", false, &key);
        assert_eq!(holder.stored(), Some(key.holder("bob_1").as_str()));
        assert!(holder.holds(&key.holder("bob_1")));
        assert!(holder.holds(Holder::new("BOB_1", false, &key).stored().unwrap()));
        // Earlier versions' clear holders: as sent, and in lower case.
        assert!(holder.holds("BOB_1") && holder.holds("bob_1"));
        assert!(!holder.holds("bob_2") && !holder.holds(&key.holder("bob_2")));
        assert_eq!(
            holder.pending_spellings(),
            [key.holder("bob_1").as_str(), "bob_1", "Bob_1"]
        );
        assert!(holder.owned_first_version("BOB_1"));
        let spelled = holder.spelled_as("BOB_1");
        assert_eq!(
            spelled.first_version_spellings(),
            ["Bob_1", "bob_1", "BOB_1"]
        );
    }

    #[test]
    fn a_case_sensitive_pool_never_takes_one_case_for_another() {
        let key = ContactKey::development();
        let upper = Holder::new("ALICE_V", true, &key);
        let lower = Holder::new("alice_v", true, &key);
        assert_ne!(upper.stored(), lower.stored());
        assert!(!upper.holds(lower.stored().unwrap()));
        assert!(!lower.holds(upper.stored().unwrap()));
        // A clear holder of the first version (as sent, with capitals) is that exact user...
        assert!(upper.holds("ALICE_V") && !upper.holds("Alice_V"));
        // ...and an all-lower-case one may be the second version's folding of anyone's.
        assert!(!lower.holds("alice_v") && !upper.holds("alice_v"));
        assert_eq!(lower.pending_spellings(), [lower.stored().unwrap()]);
        // First-version owners were stored as sent: exact only.
        assert!(Holder::new("Dana_Owner", true, &key).owned_first_version("Dana_Owner"));
        assert!(!Holder::new("DANA_OWNER", true, &key).owned_first_version("Dana_Owner"));
        assert_eq!(
            Holder::new("DANA_OWNER", true, &key)
                .spelled_as("Dana_Owner")
                .first_version_spellings(),
            ["DANA_OWNER"]
        );
    }

    #[test]
    fn an_unkeyed_holder_matches_first_version_owners_only() {
        let holder = Holder::unkeyed("Bob_1", false);
        assert_eq!(holder.stored(), None);
        assert!(!holder.holds(&ContactKey::development().holder("bob_1")));
        assert!(holder.owned_first_version("bob_1"));
    }
}
