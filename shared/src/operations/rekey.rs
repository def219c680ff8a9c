//! `usernames rekey`: moves the entries keyed by an older derivation of the uniqueness key to the
//! key the current one gives them (docs/operations.md#key-versions). Where two entries meet under
//! one new key, one keeps the name by a fixed rule and the other is reported; `--dry-run` runs the
//! same steps on a copy of the store, so it reports exactly what a run would do. `--prepare`, run
//! before the deployment, holds every new key for its entry with a placeholder block.

use crate::policy::{NameKey, KEY_VERSION};
use crate::registry::rekey::{placeholder_source, Rekeying, Relocation, RelocationOutcome};
use crate::registry::{Claim, ClaimState, MemoryRegistry, Owner, RegistryError, Timestamp};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// Entries read per page of the store's listing.
const PAGE_SIZE: usize = 500;

/// Times one entry is read again after it changed under a relocation, before it is left for the
/// next run (a sign-up racing a relocation changes it once; more means something keeps writing).
const ATTEMPTS_PER_ENTRY: u32 = 5;

/// An entry as the report shows it: never a pending holder (a keyed hash) or a first-version
/// owner's `userName` (often an email).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrySummary {
    /// The key it was stored under when read.
    pub key: String,
    pub display: String,
    pub state: &'static str,
    /// The owner's `sub`, for an active name owned by one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_sub: Option<String>,
    /// An active name of the first version (owned by a `userName`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub first_version: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    pub key_version: u32,
}

impl EntrySummary {
    fn of(claim: &Claim) -> Self {
        let state = match &claim.state {
            ClaimState::Pending { .. } => "pending",
            ClaimState::Active { .. } => "active",
            ClaimState::Quarantined { .. } => "quarantined",
            ClaimState::Blocked { .. } => "blocked",
        };
        Self {
            key: claim.key.to_string(),
            display: claim.display.clone(),
            state,
            owner_sub: claim.owner_sub().map(str::to_owned),
            first_version: matches!(
                claim.state,
                ClaimState::Active {
                    owner: Owner::LegacyUserName(_)
                }
            ),
            since: claim.since,
            key_version: claim.key_version,
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RekeyChange {
    /// The entry now lives under its current key.
    Moved { to: String, entry: EntrySummary },
    /// Two live entries met under `key`: `kept` holds it; `dropped` was removed, and its owner
    /// (if a `sub`) owns no name now. Tell them to choose another.
    Collision {
        key: String,
        kept: EntrySummary,
        dropped: EntrySummary,
    },
    /// Not moved: it kept changing, or waits on an entry that cannot move. Run again.
    Left { entry: EntrySummary, reason: String },
    /// `--prepare`: the entry's current key `to` is held for it by a placeholder block until
    /// `rekey` moves it there.
    Held { to: String, entry: EntrySummary },
    /// A placeholder whose entry is gone, or no longer keys there, was removed.
    Unheld { key: String, display: String },
}

/// The counts of a run, printed last.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RekeySummary {
    pub dry_run: bool,
    /// The key version entries are brought to.
    pub key_version: u32,
    /// Name entries read.
    pub entries: usize,
    /// Entries of an older version.
    pub older: usize,
    /// Their key was already the current one: only the version changed.
    pub restamped: usize,
    pub moved: usize,
    /// Expired reservations and quarantines of an older version, removed.
    pub expired_removed: usize,
    pub collisions: usize,
    pub left: usize,
    /// `--prepare`: new keys held by a placeholder.
    pub held: usize,
    /// Placeholders removed because nothing moved onto them.
    pub unheld: usize,
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RekeyReport {
    pub changes: Vec<RekeyChange>,
    pub summary: RekeySummary,
}

/// What a scan of the store found: the entries of an older version, the placeholders, and
/// (for a dry run) a copy of everything.
struct Scan {
    entries: usize,
    older: Vec<Claim>,
    placeholders: Vec<Claim>,
    copy: MemoryRegistry,
}

async fn scan<S: Rekeying>(store: &S, dry_run: bool) -> Result<Scan, RegistryError> {
    let mut scan = Scan {
        entries: 0,
        older: Vec::new(),
        placeholders: Vec::new(),
        copy: MemoryRegistry::new(),
    };
    let mut after: Option<String> = None;
    loop {
        let page = store.entries_page(after.as_deref(), PAGE_SIZE).await?;
        scan.entries += page.claims.len();
        for claim in page.claims {
            if claim.key_version < KEY_VERSION {
                scan.older.push(claim.clone());
            } else if placeholder_source(&claim).is_some() {
                scan.placeholders.push(claim.clone());
            }
            if dry_run {
                scan.copy.insert_raw(claim);
            }
        }
        if dry_run {
            for (sub, record) in page.users {
                scan.copy.insert_user_raw(&sub, record);
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    scan.older.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(scan)
}

/// Moves every entry of an older key version to its current key. `dry_run` decides on a copy of
/// the store read page by page, and writes nothing.
pub async fn rekey<S: Rekeying>(
    store: &S,
    now: Timestamp,
    dry_run: bool,
) -> Result<RekeyReport, RegistryError> {
    let Scan {
        entries,
        older,
        placeholders,
        copy,
    } = scan(store, dry_run).await?;
    let mut report = if dry_run {
        relocate_all(&copy, older, placeholders, now).await?
    } else {
        relocate_all(store, older, placeholders, now).await?
    };
    report.summary.dry_run = dry_run;
    report.summary.entries = entries;
    Ok(report)
}

/// `rekey --prepare`, run with the new version before it is deployed: every name of an older
/// version whose key changes (active, quarantined or blocked) gets its new key held by a
/// placeholder block, which the old and the new code both refuse to claim, so that no one takes
/// the name the new version joins to it before `rekey` moves it (docs/operations.md#key-versions).
/// Pending reservations are not held: their holder must still be able to confirm under the new
/// key, and `rekey` settles them as before. Entries stay where they are.
pub async fn prepare<S: Rekeying>(
    store: &S,
    now: Timestamp,
    dry_run: bool,
) -> Result<RekeyReport, RegistryError> {
    let Scan {
        entries,
        older,
        copy,
        ..
    } = scan(store, dry_run).await?;
    let mut report = if dry_run {
        hold_all(&copy, older, now).await?
    } else {
        hold_all(store, older, now).await?
    };
    report.summary.dry_run = dry_run;
    report.summary.entries = entries;
    Ok(report)
}

async fn hold_all<S: Rekeying>(
    store: &S,
    older: Vec<Claim>,
    now: Timestamp,
) -> Result<RekeyReport, RegistryError> {
    let mut report = RekeyReport::default();
    report.summary.key_version = KEY_VERSION;
    report.summary.older = older.len();
    for from in older {
        let to = current_key(&from);
        if !from.is_live(now) || to == from.key || matches!(from.state, ClaimState::Pending { .. })
        {
            continue;
        }
        let holder = store.get(&to).await?;
        let left = |reason: &str| RekeyChange::Left {
            entry: EntrySummary::of(&from),
            reason: reason.into(),
        };
        match &holder {
            Some(h) if placeholder_source(h).as_ref() == Some(&from.key) => continue,
            Some(h) if h.is_live(now) => {
                report.changes.push(left(
                    "its new key is held by another entry: `usernames rekey` decides between \
                     them after the deployment",
                ));
                continue;
            }
            _ => {}
        }
        let hold = Relocation::Hold {
            from: &from,
            to: &to,
            replacing: holder.as_ref(),
        };
        match store.relocate(&hold).await? {
            RelocationOutcome::Done => {
                report.summary.held += 1;
                report.changes.push(RekeyChange::Held {
                    to: to.to_string(),
                    entry: EntrySummary::of(&from),
                });
            }
            RelocationOutcome::Changed => report
                .changes
                .push(left("it changed while its key was held: run again")),
        }
    }
    report.summary.left = report
        .changes
        .iter()
        .filter(|c| matches!(c, RekeyChange::Left { .. }))
        .count();
    Ok(report)
}

/// Which of two live entries meeting under one key keeps it: an active name over a block, a
/// block over a quarantine, a quarantine over a pending reservation (existing owners keep their
/// names, as `import` decides); between two active names the earlier (first-version names count
/// as earliest); otherwise the entry already under the key.
fn mover_wins(mover: &Claim, holder: &Claim) -> bool {
    fn rank(claim: &Claim) -> u8 {
        match claim.state {
            ClaimState::Pending { .. } => 0,
            ClaimState::Quarantined { .. } => 1,
            ClaimState::Blocked { .. } => 2,
            ClaimState::Active { .. } => 3,
        }
    }
    match rank(mover).cmp(&rank(holder)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            matches!(mover.state, ClaimState::Active { .. })
                && mover.since.unwrap_or(Timestamp::MIN) < holder.since.unwrap_or(Timestamp::MIN)
        }
    }
}

/// The current key of an entry's display form.
fn current_key(claim: &Claim) -> NameKey {
    NameKey::derive(&claim.display)
}

/// The loop of [`rekey`] over the older entries, on `store` (the real one or the copy).
async fn relocate_all<S: Rekeying>(
    store: &S,
    older: Vec<Claim>,
    placeholders: Vec<Claim>,
    now: Timestamp,
) -> Result<RekeyReport, RegistryError> {
    let mut report = RekeyReport::default();
    report.summary.key_version = KEY_VERSION;
    report.summary.older = older.len();
    let mut queue: VecDeque<Claim> = older.into();
    let mut attempts: HashMap<NameKey, u32> = HashMap::new();
    // Entries put back because the entry under their new key moves first; when a whole pass of
    // the queue makes no progress, what is left waits on something that cannot move.
    let mut waited_since_progress = 0;
    while let Some(from) = queue.pop_front() {
        if waited_since_progress > queue.len() {
            queue.push_front(from);
            for entry in queue.drain(..) {
                report.changes.push(RekeyChange::Left {
                    entry: EntrySummary::of(&entry),
                    reason: "its new key is held by an entry that cannot move yet".into(),
                });
            }
            break;
        }
        let to = current_key(&from);
        let holder;
        let (relocation, change) = if !from.is_live(now) {
            (Relocation::Remove { from: &from }, None)
        } else if to == from.key {
            (Relocation::Restamp { from: &from }, None)
        } else {
            holder = store.get(&to).await?;
            let held_for = holder.as_ref().and_then(placeholder_source);
            let held_for_other = match &held_for {
                Some(source) if *source != from.key => {
                    still_needs_its_placeholder(store, source, &to, now).await?
                }
                _ => false,
            };
            match &holder {
                // Its own placeholder, or one nothing will move onto: it takes the key.
                Some(_) if held_for.is_some() && !held_for_other => {
                    let change = RekeyChange::Moved {
                        to: to.to_string(),
                        entry: EntrySummary::of(&from),
                    };
                    (
                        Relocation::Move {
                            from: &from,
                            to: &to,
                            replacing: holder.as_ref(),
                        },
                        Some(change),
                    )
                }
                // Held for another entry of an older version: that one moves first, and the
                // two are then ranked as any two entries.
                Some(_) if held_for_other => {
                    queue.push_back(from);
                    waited_since_progress += 1;
                    continue;
                }
                Some(h)
                    if h.is_live(now) && h.key_version < KEY_VERSION && current_key(h) != to =>
                {
                    // The entry there moves elsewhere first.
                    queue.push_back(from);
                    waited_since_progress += 1;
                    continue;
                }
                Some(h) if h.is_live(now) => {
                    if mover_wins(&from, h) {
                        let change = RekeyChange::Collision {
                            key: to.to_string(),
                            kept: EntrySummary::of(&from),
                            dropped: EntrySummary::of(h),
                        };
                        (
                            Relocation::Move {
                                from: &from,
                                to: &to,
                                replacing: holder.as_ref(),
                            },
                            Some(change),
                        )
                    } else {
                        let change = RekeyChange::Collision {
                            key: to.to_string(),
                            kept: EntrySummary::of(h),
                            dropped: EntrySummary::of(&from),
                        };
                        (Relocation::Remove { from: &from }, Some(change))
                    }
                }
                _ => {
                    let change = RekeyChange::Moved {
                        to: to.to_string(),
                        entry: EntrySummary::of(&from),
                    };
                    (
                        Relocation::Move {
                            from: &from,
                            to: &to,
                            replacing: holder.as_ref(),
                        },
                        Some(change),
                    )
                }
            }
        };
        match store.relocate(&relocation).await? {
            RelocationOutcome::Done => {
                waited_since_progress = 0;
                let summary = &mut report.summary;
                match (&relocation, &change) {
                    (Relocation::Restamp { .. }, _) => summary.restamped += 1,
                    (Relocation::Remove { .. }, None) => summary.expired_removed += 1,
                    (_, Some(RekeyChange::Collision { .. })) => summary.collisions += 1,
                    (Relocation::Hold { .. }, _) => {}
                    _ => summary.moved += 1,
                }
                report.changes.extend(change);
            }
            RelocationOutcome::Changed => {
                // Read it again: a trigger, the API or an operator wrote meanwhile.
                let tries = attempts.entry(from.key.clone()).or_default();
                *tries += 1;
                let again = store.get(&from.key).await?;
                match again {
                    Some(entry) if entry.key_version < KEY_VERSION => {
                        if *tries >= ATTEMPTS_PER_ENTRY {
                            report.changes.push(RekeyChange::Left {
                                entry: EntrySummary::of(&entry),
                                reason: "it kept changing while it was being moved".into(),
                            });
                        } else {
                            queue.push_front(entry);
                        }
                    }
                    // Gone, or rewritten under the current version: nothing left to move.
                    _ => {}
                }
            }
        }
    }
    remove_unneeded_placeholders(store, placeholders, now, &mut report).await?;
    report.summary.left = report
        .changes
        .iter()
        .filter(|c| matches!(c, RekeyChange::Left { .. }))
        .count();
    Ok(report)
}

/// Whether the entry under `source` is still of an older version, live, and keyed `to` now: the
/// placeholder at `to` waits for it.
async fn still_needs_its_placeholder<S: Rekeying>(
    store: &S,
    source: &NameKey,
    to: &NameKey,
    now: Timestamp,
) -> Result<bool, RegistryError> {
    Ok(store.get(source).await?.is_some_and(|entry| {
        entry.is_live(now) && entry.key_version < KEY_VERSION && current_key(&entry) == *to
    }))
}

/// Placeholders whose entry moved onto them are gone already; the others (their entry was
/// released, renamed or expired meanwhile, or keys elsewhere) would block a name for no one.
async fn remove_unneeded_placeholders<S: Rekeying>(
    store: &S,
    placeholders: Vec<Claim>,
    now: Timestamp,
    report: &mut RekeyReport,
) -> Result<(), RegistryError> {
    for placeholder in placeholders {
        let Some(source) = placeholder_source(&placeholder) else {
            continue;
        };
        if store.get(&placeholder.key).await?.as_ref() != Some(&placeholder)
            || still_needs_its_placeholder(store, &source, &placeholder.key, now).await?
        {
            continue;
        }
        if store
            .relocate(&Relocation::Remove { from: &placeholder })
            .await?
            == RelocationOutcome::Done
        {
            report.summary.unheld += 1;
            report.changes.push(RekeyChange::Unheld {
                key: placeholder.key.to_string(),
                display: placeholder.display.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Contacts;

    fn entry(display: &str, state: ClaimState, since: Option<Timestamp>) -> Claim {
        Claim {
            key: NameKey::derive(display),
            display: display.into(),
            state,
            key_version: KEY_VERSION,
            since,
        }
    }

    fn active(sub: &str) -> ClaimState {
        ClaimState::Active {
            owner: Owner::Sub(sub.into()),
        }
    }

    #[test]
    fn existing_owners_outrank_blocks_quarantines_and_reservations() {
        let owner = entry("alice", active("a"), Some(10));
        let blocked = entry(
            "alice",
            ClaimState::Blocked {
                reason: None,
                by: None,
            },
            Some(1),
        );
        let quarantined = entry(
            "alice",
            ClaimState::Quarantined {
                previous_owner: "b".into(),
                until: 99,
            },
            None,
        );
        let pending = entry(
            "alice",
            ClaimState::Pending {
                holder: "h1:x".into(),
                expires_at: 99,
                contacts: Contacts::none(),
                sealed: None,
            },
            None,
        );
        let ladder = [&pending, &quarantined, &blocked, &owner];
        for (i, low) in ladder.iter().enumerate() {
            for high in &ladder[i + 1..] {
                assert!(mover_wins(high, low) && !mover_wins(low, high));
            }
        }
    }

    #[test]
    fn the_earlier_owner_keeps_the_name_and_ties_stay_put() {
        let earlier = entry("alice", active("a"), Some(10));
        let later = entry("alice", active("b"), Some(20));
        let first_version = entry(
            "alice",
            ClaimState::Active {
                owner: Owner::LegacyUserName("alice".into()),
            },
            None,
        );
        assert!(mover_wins(&earlier, &later) && !mover_wins(&later, &earlier));
        assert!(mover_wins(&first_version, &earlier));
        assert!(!mover_wins(&earlier, &earlier.clone()));
    }
}
