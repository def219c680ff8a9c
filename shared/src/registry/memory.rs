//! The registry in memory, for unit tests and the CLI's embedded store. It decides exactly as the
//! DynamoDB conditions do (the shared contract suite checks both), under one lock per operation,
//! which makes its two-item commit as atomic as DynamoDB's transaction. The decisions are methods
//! of [`Tables`], so the store on disk (`registry/disk.rs`) runs the very same code over the
//! tables it loads inside one database transaction.

use super::rules::{self, RenamePlan};
use super::{
    BlockOutcome, BlockRequest, Claim, ClaimState, CommitOutcome, Commitment, Holder, OwnedName,
    Owner, Registry, RegistryError, Rename, RenameChange, RenameOutcome, RenameUndo, Reservation,
    ReserveOutcome, Timestamp, UndoOutcome, UserRecord,
};
use crate::policy::{NameKey, Username, KEY_VERSION};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Every entry of a registry: names, user records and operator rules. Each operation below is one
/// atomic step over them, so whoever holds them exclusively (a lock, a database write
/// transaction) gets the store's conditional writes and transactions.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Tables {
    pub(super) names: HashMap<NameKey, Claim>,
    /// The user records: the name each `sub` owns.
    pub(super) users: HashMap<String, UserRecord>,
    /// Operator rules, by form.
    pub(super) rules: std::collections::BTreeMap<String, super::word_rules::ContainsRule>,
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
        self.lock().claims()
    }

    /// Puts an entry as it is, whatever it holds: for tests that start from a given state (an
    /// item of the first version, say), as an operator's import would.
    pub fn insert_raw(&self, claim: Claim) {
        self.lock().names.insert(claim.key.clone(), claim);
    }

    /// Puts a user record as it is: for tests, and for `rekey --dry-run`'s copy of a table.
    pub fn insert_user_raw(&self, sub: &str, record: UserRecord) {
        self.lock().users.insert(sub.to_owned(), record);
    }

    /// Every user record, ordered by `sub`.
    pub fn users(&self) -> Vec<(String, UserRecord)> {
        self.lock().users_by_sub()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Tables> {
        // Every operation leaves the tables consistent before it can panic, so a poisoned lock
        // holds valid data.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Tables {
    /// Every name entry, ordered by key.
    pub(super) fn claims(&self) -> Vec<Claim> {
        let mut claims: Vec<Claim> = self.names.values().cloned().collect();
        claims.sort_by(|a, b| a.key.cmp(&b.key));
        claims
    }

    /// Every user record, ordered by `sub`.
    pub(super) fn users_by_sub(&self) -> Vec<(String, UserRecord)> {
        let mut users: Vec<(String, UserRecord)> = self
            .users
            .iter()
            .map(|(sub, record)| (sub.clone(), record.clone()))
            .collect();
        users.sort_by(|a, b| a.0.cmp(&b.0));
        users
    }

    /// [`Registry::reserve`].
    pub(super) fn reserve(
        &mut self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        let holder = r.stored_holder()?.to_owned();
        let key = r.username.key();
        let old = self.names.get(key);
        if !rules::reservation_may_write(old, now) {
            return Ok(old.map_or(ReserveOutcome::Taken, |old| {
                rules::refused_reservation(old, r)
            }));
        }
        let owns = rules::reserver_owns(r);
        if r.username
            .older_keys()
            .iter()
            .any(|older| rules::older_entry_blocks(self.names.get(older), now, &owns))
        {
            return Ok(ReserveOutcome::Taken);
        }
        self.names.insert(
            key.clone(),
            Claim {
                key: key.clone(),
                display: r.username.display().to_owned(),
                state: ClaimState::Pending {
                    holder,
                    expires_at: r.expires_at,
                    contacts: r.contacts.clone(),
                    sealed: r.holder.sealed().map(str::to_owned),
                },
                key_version: KEY_VERSION,
                since: None,
            },
        );
        Ok(ReserveOutcome::Reserved)
    }

    /// [`Registry::commit`].
    pub(super) fn commit(&mut self, c: &Commitment, now: Timestamp) -> CommitOutcome {
        let key = c.username.key();
        let old = self.names.get(key);
        if !rules::commit_may_take_name(old, c, now) {
            return CommitOutcome::Taken;
        }
        let owned = self.users.get(&c.sub).and_then(|u| u.owned.as_ref());
        if !rules::commit_may_record_user(owned, key) {
            return CommitOutcome::OwnsAnotherName;
        }
        // A replay keeps the first commit's instant (DynamoDB: `if_not_exists`); pending and
        // quarantined entries carry none.
        let since = old.and_then(|old| old.since).unwrap_or(now);
        self.names.insert(
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
        let user = self.users.entry(c.sub.clone()).or_default();
        let user_since = user.owned.as_ref().map_or(now, |owned| owned.since);
        user.owned = Some(OwnedName {
            key: key.clone(),
            display: c.username.display().to_owned(),
            since: user_since,
        });
        CommitOutcome::Committed
    }

    /// [`Registry::rename_with_undo`].
    pub(super) fn rename_with_undo(
        &mut self,
        r: &Rename,
        now: Timestamp,
    ) -> (RenameOutcome, Option<RenameUndo>) {
        let key = r.to.key();
        let undo = |change| RenameUndo {
            sub: r.sub.clone(),
            to: r.to.clone(),
            change,
        };
        match rules::plan_rename(self.users.get(&r.sub), r, now) {
            RenamePlan::Unchanged { previous } => (RenameOutcome::Renamed { previous }, None),
            RenamePlan::Cooldown { until } => (RenameOutcome::Cooldown { until }, None),
            RenamePlan::Respell { current } => {
                if let Some(claim) = self.names.get_mut(key) {
                    r.to.display().clone_into(&mut claim.display);
                }
                if let Some(owned) = self.users.get_mut(&r.sub).and_then(|u| u.owned.as_mut()) {
                    r.to.display().clone_into(&mut owned.display);
                }
                let change = RenameChange::Respelled {
                    display: current.display.clone(),
                };
                (
                    RenameOutcome::Renamed {
                        previous: Some(current.display),
                    },
                    Some(undo(change)),
                )
            }
            RenamePlan::Move { from } => {
                let old = self.names.get(key);
                if !rules::rename_may_take_name(old, &r.sub, now) {
                    return (RenameOutcome::Taken, None);
                }
                let owns = rules::renamer_owns(&r.sub);
                if r.to
                    .older_keys()
                    .iter()
                    .any(|older| rules::older_entry_blocks(self.names.get(older), now, &owns))
                {
                    return (RenameOutcome::Taken, None);
                }
                let taken_back = rules::taken_back(old, &r.sub, now).map(Box::new);
                let before = self.users.get(&r.sub).cloned();
                self.names
                    .insert(key.clone(), active_entry(&r.to, &r.sub, now));
                if let Some(from) = &from {
                    quarantine(&mut self.names, &from.key, &r.sub, r.quarantine_until);
                }
                let user = self.users.entry(r.sub.clone()).or_default();
                user.owned = Some(OwnedName {
                    key: key.clone(),
                    display: r.to.display().to_owned(),
                    since: now,
                });
                user.renamed_at = Some(now);
                user.previous = from.as_ref().map(|f| f.display.clone());
                let change = RenameChange::Moved {
                    at: now,
                    quarantine_until: r.quarantine_until,
                    before,
                    taken_back,
                };
                (
                    RenameOutcome::Renamed {
                        previous: from.map(|f| f.display),
                    },
                    Some(undo(change)),
                )
            }
        }
    }

    /// [`Registry::undo_rename`].
    pub(super) fn undo_rename(&mut self, u: &RenameUndo) -> UndoOutcome {
        let key = u.to.key();
        let given_up = match &u.change {
            RenameChange::Moved { before, .. } => before.as_ref().and_then(|b| b.owned.clone()),
            RenameChange::Respelled { .. } => None,
        };
        let user = self.users.get(&u.sub);
        let given_up_entry = given_up.as_ref().and_then(|g| self.names.get(&g.key));
        if !rules::undo_may_apply(u, user, self.names.get(key), given_up_entry) {
            return rules::refused_undo(u, user);
        }
        match &u.change {
            RenameChange::Respelled { display } => {
                if let Some(claim) = self.names.get_mut(key) {
                    display.clone_into(&mut claim.display);
                }
                if let Some(owned) = self.users.get_mut(&u.sub).and_then(|r| r.owned.as_mut()) {
                    display.clone_into(&mut owned.display);
                }
            }
            RenameChange::Moved {
                before, taken_back, ..
            } => {
                match taken_back {
                    Some(entry) => {
                        self.names.insert(key.clone(), Claim::clone(entry));
                    }
                    None => {
                        self.names.remove(key);
                    }
                }
                if let Some(given_up) = &given_up {
                    if let Some(claim) = self.names.get_mut(&given_up.key) {
                        claim.state = ClaimState::Active {
                            owner: Owner::Sub(u.sub.clone()),
                        };
                        given_up.display.clone_into(&mut claim.display);
                        claim.since = Some(given_up.since);
                    }
                }
                match before {
                    Some(record) => {
                        self.users.insert(u.sub.clone(), record.clone());
                    }
                    None => {
                        self.users.remove(&u.sub);
                    }
                }
            }
        }
        UndoOutcome::Undone
    }

    /// [`Registry::give_up`].
    pub(super) fn give_up(
        &mut self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> Option<String> {
        let user = self.users.get_mut(sub)?;
        let owned = user.owned.take()?;
        if let Some(at) = renamed_at {
            user.renamed_at = Some(at);
            user.previous = Some(owned.display.clone());
        }
        match quarantine_until {
            Some(until) => quarantine(&mut self.names, &owned.key, sub, until),
            None => {
                self.names.remove(&owned.key);
            }
        }
        Some(owned.display)
    }

    /// [`Registry::block`].
    pub(super) fn block(
        &mut self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> BlockOutcome {
        let key = name.key();
        let old = self.names.get(key);
        if !rules::block_may_write(old, now) {
            return old.map_or(BlockOutcome::Blocked, |old| BlockOutcome::Held(old.clone()));
        }
        self.names.insert(
            key.clone(),
            Claim {
                key: key.clone(),
                display: name.display().to_owned(),
                state: ClaimState::Blocked {
                    reason: request.reason.map(str::to_owned),
                    by: Some(request.by.to_owned()),
                },
                key_version: KEY_VERSION,
                since: Some(now),
            },
        );
        BlockOutcome::Blocked
    }

    /// [`Registry::unblock`].
    pub(super) fn unblock(&mut self, key: &NameKey) -> bool {
        let removable = self.names.get(key).is_some_and(|c| {
            matches!(
                c.state,
                ClaimState::Blocked { .. } | ClaimState::Quarantined { .. }
            )
        });
        if removable {
            self.names.remove(key);
        }
        removable
    }

    /// [`Registry::retire_first_version`]: the first-version entry of `user_name` into quarantine
    /// (the `userName` stays as the previous owner, which no `sub` matches) or removed.
    pub(super) fn retire_first_version(
        &mut self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> bool {
        if !rules::legacy_retirement_may_write(self.names.get(key), user_name) {
            return false;
        }
        match quarantine_until {
            Some(until) => quarantine(&mut self.names, key, user_name, until),
            None => {
                self.names.remove(key);
            }
        }
        true
    }

    /// [`Registry::first_version_names`].
    pub(super) fn first_version_names(&self, holder: &Holder) -> Vec<Claim> {
        self.claims()
            .into_iter()
            .filter(|claim| {
                // The stored spellings exactly, as DynamoDB's index is queried.
                matches!(&claim.state, ClaimState::Active {
                    owner: Owner::LegacyUserName(user_name),
                } if holder.first_version_spellings().contains(&user_name.as_str()))
            })
            .collect()
    }
}

impl Registry for MemoryRegistry {
    async fn reserve(
        &self,
        r: &Reservation,
        now: Timestamp,
    ) -> Result<ReserveOutcome, RegistryError> {
        self.lock().reserve(r, now)
    }

    async fn commit(&self, c: &Commitment, now: Timestamp) -> Result<CommitOutcome, RegistryError> {
        Ok(self.lock().commit(c, now))
    }

    async fn user(&self, sub: &str) -> Result<Option<UserRecord>, RegistryError> {
        Ok(self.lock().users.get(sub).cloned())
    }

    async fn rename_with_undo(
        &self,
        r: &Rename,
        now: Timestamp,
    ) -> Result<(RenameOutcome, Option<RenameUndo>), RegistryError> {
        Ok(self.lock().rename_with_undo(r, now))
    }

    async fn undo_rename(&self, u: &RenameUndo) -> Result<UndoOutcome, RegistryError> {
        Ok(self.lock().undo_rename(u))
    }

    async fn give_up(
        &self,
        sub: &str,
        quarantine_until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> Result<Option<String>, RegistryError> {
        Ok(self.lock().give_up(sub, quarantine_until, renamed_at))
    }

    async fn block(
        &self,
        name: &Username,
        request: BlockRequest<'_>,
        now: Timestamp,
    ) -> Result<BlockOutcome, RegistryError> {
        Ok(self.lock().block(name, request, now))
    }

    async fn unblock(&self, key: &NameKey) -> Result<bool, RegistryError> {
        Ok(self.lock().unblock(key))
    }

    async fn contains_rules(&self) -> Result<Vec<super::word_rules::ContainsRule>, RegistryError> {
        Ok(self.lock().contains_rules())
    }

    async fn get(&self, key: &NameKey) -> Result<Option<Claim>, RegistryError> {
        Ok(self.lock().names.get(key).cloned())
    }

    async fn retire_first_version(
        &self,
        key: &NameKey,
        user_name: &str,
        quarantine_until: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        Ok(self
            .lock()
            .retire_first_version(key, user_name, quarantine_until))
    }

    async fn first_version_names(&self, holder: &Holder) -> Result<Vec<Claim>, RegistryError> {
        Ok(self.lock().first_version_names(holder))
    }
}

/// A name active for `sub` from `now` on.
fn active_entry(name: &Username, sub: &str, now: Timestamp) -> Claim {
    Claim {
        key: name.key().clone(),
        display: name.display().to_owned(),
        state: ClaimState::Active {
            owner: Owner::Sub(sub.to_owned()),
        },
        key_version: KEY_VERSION,
        since: Some(now),
    }
}

/// Puts `owner`'s active name `key` into quarantine until `until`.
fn quarantine(names: &mut HashMap<NameKey, Claim>, key: &NameKey, owner: &str, until: Timestamp) {
    if let Some(claim) = names.get_mut(key) {
        claim.state = ClaimState::Quarantined {
            previous_owner: owner.to_owned(),
            until,
        };
        claim.since = None;
    }
}
