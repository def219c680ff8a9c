//! The registry's decisions as plain functions over what an entry holds: the memory store applies
//! them under its lock, and the DynamoDB store's condition expressions say the same thing (the
//! contract suite runs on both). DynamoDB also uses [`refused_reservation`] to read the item a
//! failed condition returns: that only chooses the answer, never grants a name.
//!
//! The rules of docs/registry.md#rules-every-store-keeps: one holder per key (live pending,
//! active, quarantined or blocked) and one name per user ([`commit_may_record_user`]); the
//! holder's and owner's own writes pass again unchanged; expiry compared with `now` here, never
//! left to TTL; a pending name moves to another `userName` only with a verified shared contact;
//! a name given up comes back only by rename.

use super::{
    Claim, ClaimState, Commitment, OwnedName, Owner, Rename, RenameChange, RenameUndo, Reservation,
    ReserveOutcome, Timestamp, UndoOutcome, UserRecord,
};

/// Whether `reserve` may write over `old`: nothing there, or an expired pending reservation or
/// quarantine.
pub fn reservation_may_write(old: Option<&Claim>, now: Timestamp) -> bool {
    match old {
        None => true,
        Some(old) => match &old.state {
            ClaimState::Pending { .. } | ClaimState::Quarantined { .. } => !old.is_live(now),
            ClaimState::Active { .. } | ClaimState::Blocked { .. } => false,
        },
    }
}

/// The answer to a reservation that may not write over `old` (a live entry).
pub fn refused_reservation(old: &Claim, r: &Reservation) -> ReserveOutcome {
    match &old.state {
        ClaimState::Pending {
            holder,
            contacts,
            sealed,
            ..
        } => {
            if r.holder.holds(holder) {
                ReserveOutcome::Reserved
            } else if r.contacts.shares_with(contacts) {
                ReserveOutcome::HeldForRetry {
                    holder: holder.clone(),
                    sealed: sealed.clone(),
                }
            } else {
                ReserveOutcome::Taken
            }
        }
        // A new sign-up never re-reserves an active claim, even under the owner's old `userName`:
        // a `userName` is reused after its user is deleted.
        ClaimState::Active { .. } | ClaimState::Quarantined { .. } | ClaimState::Blocked { .. } => {
            ReserveOutcome::Taken
        }
    }
}

/// Whether an entry found under an older key of a claimed name keeps the claim off: a live entry
/// of an older key version (not moved by `usernames rekey` yet) that is not the claimant's own
/// (`own`). Entries of the current version under that key are other names and decide nothing.
pub fn older_entry_blocks(
    old: Option<&Claim>,
    now: Timestamp,
    own: impl Fn(&ClaimState) -> bool,
) -> bool {
    old.is_some_and(|old| {
        old.key_version < crate::policy::KEY_VERSION && old.is_live(now) && !own(&old.state)
    })
}

/// A reservation's own older entry: its holder's pending reservation.
pub fn reserver_owns(r: &Reservation) -> impl Fn(&ClaimState) -> bool + '_ {
    |state| matches!(state, ClaimState::Pending { holder, .. } if r.holder.holds(holder))
}

/// A renaming user's own older entry: their active name, or their quarantine.
pub fn renamer_owns(sub: &str) -> impl Fn(&ClaimState) -> bool + '_ {
    move |state| match state {
        ClaimState::Active {
            owner: Owner::Sub(owner),
        } => owner == sub,
        ClaimState::Quarantined { previous_owner, .. } => previous_owner == sub,
        _ => false,
    }
}

/// Whether `commit` may make the name item `old` active for `c.sub`.
pub fn commit_may_take_name(old: Option<&Claim>, c: &Commitment, now: Timestamp) -> bool {
    let Some(old) = old else {
        return true;
    };
    match &old.state {
        ClaimState::Pending {
            holder, contacts, ..
        } => held_by_committer_or_expired(old, holder, c, now) || c.verified.shares_with(contacts),
        ClaimState::Active {
            owner: Owner::Sub(sub),
        } => *sub == c.sub,
        ClaimState::Active {
            owner: Owner::LegacyUserName(user_name),
        } => c
            .holder
            .first_version_spellings()
            .contains(&user_name.as_str()),
        // Not even the committer's own live quarantine: a name given up comes back only by
        // rename (a replayed confirmation or a second import must not undo a release).
        ClaimState::Quarantined { .. } => !old.is_live(now),
        ClaimState::Blocked { .. } => false,
    }
}

/// The holder's own reservation (by an exact stored spelling, as the store's condition compares)
/// or an expired one.
fn held_by_committer_or_expired(old: &Claim, holder: &str, c: &Commitment, now: Timestamp) -> bool {
    c.holder.pending_spellings().contains(&holder) || !old.is_live(now)
}

/// Whether `commit` may record `key` as the name of a user whose record names `owned`.
pub fn commit_may_record_user(owned: Option<&OwnedName>, key: &crate::policy::NameKey) -> bool {
    owned.is_none_or(|owned| owned.key == *key)
}

/// Whether a rename may claim the name item `old` for `sub`: nothing there, an expired pending
/// reservation or quarantine, or `sub`'s own quarantine (taking a name back). Never an active,
/// blocked or live pending name.
pub fn rename_may_take_name(old: Option<&Claim>, sub: &str, now: Timestamp) -> bool {
    let Some(old) = old else {
        return true;
    };
    match &old.state {
        ClaimState::Pending { .. } => !old.is_live(now),
        ClaimState::Quarantined { previous_owner, .. } => {
            !old.is_live(now) || previous_owner == sub
        }
        ClaimState::Active { .. } | ClaimState::Blocked { .. } => false,
    }
}

/// The entry a rename takes back, to be restored if the rename is undone: `sub`'s own live
/// quarantine of the name. Anything else a rename may claim is free (no entry, or an expired
/// one), and undoing the rename frees it again.
pub fn taken_back(old: Option<&Claim>, sub: &str, now: Timestamp) -> Option<Claim> {
    old.filter(|old| {
        old.is_live(now)
            && matches!(&old.state, ClaimState::Quarantined { previous_owner, .. } if previous_owner == sub)
    })
    .cloned()
}

/// Whether `undo_rename` may put back what `u` describes: the registry is still exactly as that
/// rename left it. The user's record names `u.to` as written (display form; for a move, the
/// rename's instant as `since` and `renamed_at`); `u.to` is active for the user (a move: since
/// that instant; a new spelling: in that display form); a name given up by the move is still in
/// the user's quarantine, until the end the rename gave it. `to` and `given_up` are those names'
/// entries now.
pub fn undo_may_apply(
    u: &RenameUndo,
    user: Option<&UserRecord>,
    to: Option<&Claim>,
    given_up: Option<&Claim>,
) -> bool {
    let owned = user.and_then(|u| u.owned.as_ref());
    let record_as_left = owned.is_some_and(|o| o.key == *u.to.key() && o.display == u.to.display());
    let to_active = to.is_some_and(|c| c.owner_sub() == Some(u.sub.as_str()));
    match &u.change {
        RenameChange::Respelled { .. } => {
            record_as_left && to_active && to.is_some_and(|c| c.display == u.to.display())
        }
        RenameChange::Moved {
            at,
            quarantine_until,
            before,
            ..
        } => {
            let record_as_left = record_as_left
                && owned.is_some_and(|o| o.since == *at)
                && user.is_some_and(|r| r.renamed_at == Some(*at));
            let given_up_as_left = match before.as_ref().and_then(|b| b.owned.as_ref()) {
                None => true,
                Some(_) => given_up.is_some_and(|c| {
                    c.state
                        == ClaimState::Quarantined {
                            previous_owner: u.sub.clone(),
                            until: *quarantine_until,
                        }
                }),
            };
            record_as_left
                && to_active
                && to.is_some_and(|c| c.since == Some(*at))
                && given_up_as_left
        }
    }
}

/// The answer to an undo the registry refused: `Undone` when the user's record is already as it
/// was before the rename (the undo, replayed: the record's `renamed_at` alone tells it from any
/// later rename or release), `Changed` otherwise.
pub fn refused_undo(u: &RenameUndo, user: Option<&UserRecord>) -> UndoOutcome {
    let undone = match &u.change {
        RenameChange::Respelled { display } => user
            .and_then(|r| r.owned.as_ref())
            .is_some_and(|o| o.key == *u.to.key() && o.display == *display),
        RenameChange::Moved { before, .. } => user == before.as_ref(),
    };
    if undone {
        UndoOutcome::Undone
    } else {
        UndoOutcome::Changed
    }
}

/// Whether the operator may block over `old`: nothing there, an expired entry, or a block.
pub fn block_may_write(old: Option<&Claim>, now: Timestamp) -> bool {
    match old {
        None => true,
        Some(old) => match &old.state {
            ClaimState::Blocked { .. } => true,
            ClaimState::Pending { .. } | ClaimState::Quarantined { .. } => !old.is_live(now),
            ClaimState::Active { .. } => false,
        },
    }
}

/// Whether reconcile may retire `old` as the first-version name of `user_name`, who left the
/// pool: it is still that `userName`'s first-version active entry, in the stored spelling (once
/// its owner signs in it is their `sub`'s, and no longer this).
pub fn legacy_retirement_may_write(old: Option<&Claim>, user_name: &str) -> bool {
    matches!(
        old.map(|old| &old.state),
        Some(ClaimState::Active {
            owner: Owner::LegacyUserName(stored),
        }) if stored == user_name
    )
}

/// What a rename comes to, decided from the user's record before anything is written (every
/// store then writes under conditions that the record is still what was read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenamePlan {
    /// The user already owns exactly this name: nothing to write (a replay, or a no-op).
    Unchanged { previous: Option<String> },
    /// A new spelling of the name the user owns: only the display form changes.
    Respell { current: OwnedName },
    /// Another name: claim it, put `from` (if any) into quarantine.
    Move { from: Option<OwnedName> },
    /// Too soon after the last rename.
    Cooldown { until: Timestamp },
}

pub fn plan_rename(user: Option<&UserRecord>, r: &Rename, now: Timestamp) -> RenamePlan {
    let owned = user.and_then(|u| u.owned.as_ref());
    if let Some(owned) = owned.filter(|o| o.key == *r.to.key()) {
        if owned.display != r.to.display() {
            return RenamePlan::Respell {
                current: owned.clone(),
            };
        }
        // A replay of the rename that gave this name answers what that rename gave up.
        let renamed_to_this = user.is_some_and(|u| u.renamed_at == Some(owned.since));
        let previous = match user {
            Some(u) if renamed_to_this => u.previous.clone(),
            _ => Some(owned.display.clone()),
        };
        return RenamePlan::Unchanged { previous };
    }
    let last = user.and_then(|u| u.renamed_at);
    if let (Some(cooldown), Some(last)) = (r.cooldown, last) {
        let until = last.saturating_add(cooldown);
        if now < until {
            return RenamePlan::Cooldown { until };
        }
    }
    RenamePlan::Move {
        from: owned.cloned(),
    }
}
