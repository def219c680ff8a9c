//! `usernames rekey` on both stores: a table written by an earlier key version (version 1 kept
//! `ð`, `ɖ` and `đ` apart; version 2 merges them) is moved to the current keys, exactly as its dry
//! run reported, while people go on signing up; `rekey --prepare` holds the new keys before the
//! deployment (version 2 kept `ali̇ce` apart from `alice`). Included by `operations.rs`.

use integration_tests::contract::{commitment, sub_of, Seed, LIFETIME, T0};
use shared::operations::rekey::{
    prepare, rekey, EntrySummary, RekeyChange, RekeyReport, RekeySummary,
};
use shared::policy::{NameKey, KEY_VERSION};
use shared::registry::rekey::Rekeying;
use shared::registry::{
    Claim, ClaimState, CommitOutcome, Contacts, OwnedName, Owner, Registry, Timestamp, UserRecord,
};
use std::collections::HashMap;
use std::sync::Arc;

/// An entry as version 1 wrote it: under version 1's key of its display form.
fn v1_entry(display: &str, state: ClaimState, since: Option<Timestamp>) -> Claim {
    Claim {
        key: NameKey::derive_version(1, display).expect("version 1 is known"),
        display: display.to_owned(),
        state,
        key_version: 1,
        since,
    }
}

/// An entry as version 2 wrote it.
fn v2_entry(display: &str, state: ClaimState, since: Option<Timestamp>) -> Claim {
    Claim {
        key: NameKey::derive_version(2, display).expect("version 2 is known"),
        key_version: 2,
        ..v1_entry(display, state, since)
    }
}

fn active(sub: &str) -> ClaimState {
    ClaimState::Active {
        owner: Owner::Sub(sub.to_owned()),
    }
}

/// Seeds an active version-1 name of `sub`, with the user record that names it.
async fn seed_owner<S: Seed>(store: &S, display: &str, sub: &str, since: Timestamp) -> Claim {
    let claim = v1_entry(display, active(sub), Some(since));
    store.seed(&claim).await;
    let record = UserRecord {
        owned: Some(OwnedName {
            key: claim.key.clone(),
            display: display.to_owned(),
            since,
        }),
        ..UserRecord::default()
    };
    store.seed_user(sub, &record).await;
    claim
}

/// Every entry and user record, read through the store's listing.
async fn snapshot<S: Rekeying>(store: &S) -> (Vec<Claim>, HashMap<String, UserRecord>) {
    let mut claims = Vec::new();
    let mut users = HashMap::new();
    let mut after = None;
    loop {
        let page = store
            .entries_page(after.as_deref(), 7)
            .await
            .expect("entries");
        claims.extend(page.claims);
        users.extend(page.users);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    claims.sort_by(|a, b| a.key.cmp(&b.key));
    (claims, users)
}

/// The registry's promises after a rekey: every entry is of the current version, no two live
/// entries are one name under the current derivation, and user records and active names agree.
async fn assert_one_owner_per_name<S: Rekeying>(store: &S, now: Timestamp) {
    let (claims, users) = snapshot(store).await;
    let mut by_name: HashMap<NameKey, &Claim> = HashMap::new();
    for claim in claims.iter().filter(|c| c.is_live(now)) {
        assert_eq!(claim.key_version, KEY_VERSION, "{claim:?}");
        assert_eq!(claim.key, NameKey::derive(&claim.display), "{claim:?}");
        if let Some(other) = by_name.insert(claim.key.clone(), claim) {
            panic!("two entries of one name: {other:?} and {claim:?}");
        }
    }
    for (sub, record) in &users {
        if let Some(owned) = &record.owned {
            let claim = by_name
                .get(&owned.key)
                .unwrap_or_else(|| panic!("{sub}'s record names {} which has no entry", owned.key));
            assert_eq!(claim.owner_sub(), Some(sub.as_str()), "{claim:?}");
        }
    }
    for claim in by_name.values() {
        if let Some(sub) = claim.owner_sub() {
            let owned = users.get(sub).and_then(|u| u.owned.as_ref());
            assert_eq!(owned.map(|o| &o.key), Some(&claim.key), "{sub}'s record");
        }
    }
}

fn summary_of(claim: &Claim) -> EntrySummary {
    EntrySummary {
        key: claim.key.to_string(),
        display: claim.display.clone(),
        state: match claim.state {
            ClaimState::Pending { .. } => "pending",
            ClaimState::Active { .. } => "active",
            ClaimState::Quarantined { .. } => "quarantined",
            ClaimState::Blocked { .. } => "blocked",
        },
        owner_sub: claim.owner_sub().map(str::to_owned),
        first_version: false,
        since: claim.since,
        key_version: claim.key_version,
    }
}

/// Version 1 wrote `ðavid` (A, first) and `đavid` (B, later) as two names; a pending `ɖavid`, a
/// moving `ɖora` and block `Ðeb`, an expired quarantine, `alice` (whose key stays) and a current
/// `bob`. The dry run writes nothing; the run does what it said: A keeps `ðavid`, B and the
/// reservation are reported and removed, the rest move or are restamped; a second run finds
/// nothing to do.
pub async fn a_table_of_the_previous_version_is_rekeyed_as_its_dry_run_said<S>(store: S)
where
    S: Rekeying + Seed,
{
    let now = T0 + 100;
    let a = seed_owner(&store, "ðavid", &sub_of("a"), T0 + 10).await;
    let b = seed_owner(&store, "đavid", &sub_of("b"), T0 + 20).await;
    let c = seed_owner(&store, "ɖora", &sub_of("c"), T0 + 30).await;
    let d = seed_owner(&store, "alice", &sub_of("d"), T0 + 40).await;
    let pending = v1_entry(
        "ɖavid",
        ClaimState::Pending {
            holder: "h1:someone".into(),
            expires_at: T0 + LIFETIME,
            contacts: Contacts::none(),
            sealed: None,
        },
        None,
    );
    let expired = v1_entry(
        "ðana",
        ClaimState::Quarantined {
            previous_owner: sub_of("e"),
            until: T0 + 50,
        },
        None,
    );
    let blocked = v1_entry(
        "Ðeb",
        ClaimState::Blocked {
            reason: Some("staff".into()),
            by: Some("ops".into()),
        },
        Some(T0),
    );
    for claim in [&pending, &expired, &blocked] {
        store.seed(claim).await;
    }
    let bob = Claim {
        key: NameKey::derive("bob"),
        display: "bob".into(),
        state: ClaimState::Blocked {
            reason: None,
            by: None,
        },
        key_version: KEY_VERSION,
        since: Some(T0),
    };
    store.seed(&bob).await;
    // Under version 1 these were three names; under the current one they are one.
    assert_ne!(a.key, b.key);
    assert_ne!(pending.key, b.key);
    let david = NameKey::derive("đavid");
    assert_eq!(NameKey::derive("ðavid"), david);

    let before = snapshot(&store).await;
    let dry = rekey(&store, now, true).await.expect("dry run");
    assert_eq!(snapshot(&store).await, before, "a dry run writes nothing");
    let b_restamped = Claim {
        key_version: KEY_VERSION,
        ..b.clone()
    };
    let expected = RekeyReport {
        changes: vec![
            RekeyChange::Collision {
                key: david.to_string(),
                kept: summary_of(&b),
                dropped: summary_of(&pending),
            },
            RekeyChange::Moved {
                to: NameKey::derive("ɖora").to_string(),
                entry: summary_of(&c),
            },
            RekeyChange::Collision {
                key: david.to_string(),
                kept: summary_of(&a),
                dropped: summary_of(&b_restamped),
            },
            RekeyChange::Moved {
                to: NameKey::derive("Ðeb").to_string(),
                entry: summary_of(&blocked),
            },
        ],
        summary: RekeySummary {
            dry_run: true,
            key_version: KEY_VERSION,
            entries: 8,
            older: 7,
            restamped: 2,
            moved: 2,
            expired_removed: 1,
            collisions: 2,
            left: 0,
            held: 0,
            unheld: 0,
        },
    };
    assert_eq!(dry, expected);

    let run = rekey(&store, now, false).await.expect("run");
    assert_eq!(
        run.changes, dry.changes,
        "the run did what its dry run said"
    );
    assert_eq!(
        run.summary,
        RekeySummary {
            dry_run: false,
            ..dry.summary.clone()
        }
    );
    assert_one_owner_per_name(&store, now).await;
    // A keeps the name, under its current key; B owns none now (and is told by the report).
    let owned = |sub: String| {
        let store = &store;
        async move { store.user(&sub).await.unwrap().unwrap().owned }
    };
    let a_owns = owned(sub_of("a")).await.expect("A still owns a name");
    assert_eq!(
        (a_owns.key, a_owns.display),
        (david.clone(), "ðavid".into())
    );
    assert_eq!(owned(sub_of("b")).await, None);
    assert_eq!(
        owned(sub_of("c")).await.map(|o| o.key),
        Some(NameKey::derive("ɖora"))
    );
    assert_eq!(owned(sub_of("d")).await.map(|o| o.key), Some(d.key.clone()));
    let moved_block = store.get(&NameKey::derive("Ðeb")).await.unwrap().unwrap();
    assert_eq!(
        (moved_block.state, moved_block.since),
        (blocked.state.clone(), blocked.since)
    );
    assert_eq!(store.get(&expired.key).await.unwrap(), None);
    assert_eq!(store.get(&bob.key).await.unwrap(), Some(bob));

    let again = rekey(&store, now, false).await.expect("second run");
    assert!(again.changes.is_empty(), "{again:?}");
    assert_eq!((again.summary.older, again.summary.entries), (0, 5));
}

/// Rekey while newcomers confirm the current spelling of every moving name (`đanN`, which
/// version 1 kept apart from an owner's `ðanN`): whichever comes first, the existing owner keeps
/// the name, a newcomer never ends up with it, and no name has two owners.
pub async fn rekey_while_people_sign_up_leaves_no_two_owners_of_one_name<S>(store: S)
where
    S: Rekeying + Seed + 'static,
{
    const OWNERS: usize = 30;
    let store = Arc::new(store);
    for i in 0..OWNERS {
        seed_owner(
            &*store,
            &format!("ðan{i}"),
            &sub_of(&format!("owner{i}")),
            T0 + i as i64,
        )
        .await;
    }
    let now = T0 + 1_000;
    let signing_up = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for i in (0..OWNERS).rev() {
                let c = commitment(&format!("đan{i}"), &format!("new{i}"), Contacts::none());
                outcomes.push(store.commit(&c, now).await.expect("commit"));
                tokio::task::yield_now().await;
            }
            outcomes
        })
    };
    let rekeying = {
        let store = Arc::clone(&store);
        tokio::spawn(async move { rekey(&*store, now, false).await.expect("rekey") })
    };
    let outcomes = signing_up.await.expect("sign-ups");
    let mut report = rekeying.await.expect("rekey task");
    // Entries that kept changing are left for another run, as the operator would run it.
    for _ in 0..3 {
        if report.summary.left == 0 {
            break;
        }
        report = rekey(&*store, now, false).await.expect("rekey again");
    }
    assert_eq!(report.summary.left, 0, "{report:?}");
    assert_one_owner_per_name(&*store, now).await;
    for i in 0..OWNERS {
        let owned = store
            .user(&sub_of(&format!("owner{i}")))
            .await
            .unwrap()
            .and_then(|u| u.owned);
        assert_eq!(
            owned.map(|o| (o.key, o.display)),
            Some((NameKey::derive(&format!("đan{i}")), format!("ðan{i}"))),
            "owner {i} keeps the name"
        );
        let newcomer = store
            .user(&sub_of(&format!("new{i}")))
            .await
            .unwrap()
            .and_then(|u| u.owned);
        assert_eq!(newcomer, None, "newcomer {i}");
    }
    // Newcomers confirm from the last name down while rekey moves from the first up: those who
    // came before their owner's entry moved lost the name at the move, the others were refused.
    assert_eq!(outcomes.len(), OWNERS);
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, CommitOutcome::Committed | CommitOutcome::Taken)));
}

/// Until rekey moves it, an entry of the previous version keeps every spelling of its name off:
/// a newcomer's sign-up and rename of `Ðavid` (whose current key differs from the entry's) are
/// refused, while the holder's own replay, an expired entry and an entry of the current version
/// that happens to sit under that key (another name) refuse nothing. After the move, the same.
pub async fn entries_not_moved_yet_keep_their_names_until_rekey_moves_them<S>(store: S)
where
    S: Rekeying + Seed,
{
    use integration_tests::contract::{name, rename_to, reservation, QUARANTINE};
    use shared::registry::{RenameOutcome, ReserveOutcome};
    let now = T0 + 100;
    let a = seed_owner(&store, "ðavid", &sub_of("a"), T0).await;
    assert_eq!(name("Ðavid").older_keys(), std::slice::from_ref(&a.key));
    assert!(name("alice").older_keys().is_empty());

    let store = Arc::new(store);
    let mut api = shared::api::Api::new(
        Arc::clone(&store),
        shared::api::mirror::NoMirror,
        shared::policy::Policy::default(),
        shared::api::ApiSettings::default(),
    );
    api.clock = Arc::new(shared::registry::ManualClock::new(now));
    let en = shared::messages::Locale::En;
    assert!(!api.availability("Ðavid", en).await.unwrap().available);
    assert!(api.availability("đora", en).await.unwrap().available);

    let newcomer = reservation("Ðavid", "newcomer", None, now);
    assert_eq!(
        store.reserve(&newcomer, now).await.unwrap(),
        ReserveOutcome::Taken
    );
    let renamer = seed_owner(&*store, "bob", &sub_of("renamer"), T0).await;
    assert_eq!(renamer.key, NameKey::derive("bob"));
    assert_eq!(
        store
            .rename(&rename_to("Ðavid", "renamer", now, None), now)
            .await
            .unwrap(),
        RenameOutcome::Taken
    );

    // A reservation of the previous version: its holder's replay passes, anyone else is refused.
    let held = Claim {
        state: ClaimState::Pending {
            holder: integration_tests::contract::holder("holder")
                .stored()
                .unwrap()
                .to_owned(),
            expires_at: now + LIFETIME,
            contacts: Contacts::none(),
            sealed: None,
        },
        since: None,
        ..v1_entry("ðora", active("x"), None)
    };
    store.seed(&held).await;
    assert_eq!(
        store
            .reserve(&reservation("ðora", "other", None, now), now)
            .await
            .unwrap(),
        ReserveOutcome::Taken
    );
    assert_eq!(
        store
            .reserve(&reservation("Ðora", "holder", None, now), now)
            .await
            .unwrap(),
        ReserveOutcome::Reserved
    );
    // Expired, or of the current version: nothing to respect.
    let expired = v1_entry(
        "ðana",
        ClaimState::Quarantined {
            previous_owner: sub_of("gone"),
            until: now - 1,
        },
        None,
    );
    store.seed(&expired).await;
    assert_eq!(
        store
            .reserve(&reservation("ðana", "c", None, now), now)
            .await
            .unwrap(),
        ReserveOutcome::Reserved
    );
    let current_elsewhere = Claim {
        key_version: KEY_VERSION,
        ..v1_entry("ðeb", active(&sub_of("z")), Some(T0))
    };
    store.seed(&current_elsewhere).await;
    assert_eq!(
        store
            .rename(&rename_to("ðeb", "renamer", now, None), now)
            .await
            .unwrap(),
        RenameOutcome::Renamed {
            previous: Some("bob".into())
        }
    );

    // The owner's own rename to another spelling passes its own old entry.
    assert_eq!(
        store
            .rename(&rename_to("Ðavid", "a", now, None), now + 1)
            .await
            .unwrap(),
        RenameOutcome::Renamed {
            previous: Some("ðavid".into())
        }
    );
    let quarantined = store.get(&a.key).await.unwrap().unwrap();
    assert!(matches!(
        quarantined.state,
        ClaimState::Quarantined { until, .. } if until == now + QUARANTINE
    ));
}

/// The upgrade to a version that joins names an older one kept apart: version 2 wrote `ali̇ce`
/// (A), a block of `vvalter` and a reservation of `a̱na`, each under a key version 3 changes, and
/// `bob`, whose key stays. `rekey --prepare` (before the deployment) holds the new keys of the
/// two names, exactly as its dry run said, and a second run holds nothing more; the reservation
/// is not held, so its holder still completes it. The new code then refuses `alice` and `walter`
/// although no entry has moved. The block is lifted before the rekey; the rekey moves the other
/// two entries (`ali̇ce` onto its placeholder: no collision) and removes the unneeded placeholder.
pub async fn prepared_keys_refuse_the_names_the_new_version_joins_before_rekey<S>(store: S)
where
    S: Rekeying + Seed,
{
    use integration_tests::contract::{holder, reservation};
    use shared::operations::rekey::RekeyChange::{Held, Moved, Unheld};
    use shared::registry::ReserveOutcome;
    let now = T0 + 100;
    let alice = v2_entry("ali\u{307}ce", active(&sub_of("a")), Some(T0 + 10));
    store.seed(&alice).await;
    let record = UserRecord {
        owned: Some(OwnedName {
            key: alice.key.clone(),
            display: alice.display.clone(),
            since: T0 + 10,
        }),
        ..UserRecord::default()
    };
    store.seed_user(&sub_of("a"), &record).await;
    let ana = v2_entry(
        "a\u{331}na",
        ClaimState::Pending {
            holder: holder("holder").stored().unwrap().to_owned(),
            expires_at: now + LIFETIME,
            contacts: Contacts::none(),
            sealed: None,
        },
        None,
    );
    store.seed(&ana).await;
    let walter = v2_entry(
        "vvalter",
        ClaimState::Blocked {
            reason: None,
            by: Some("ops".into()),
        },
        Some(T0),
    );
    store.seed(&walter).await;
    let bob = v2_entry("bob", active(&sub_of("b")), Some(T0));
    store.seed(&bob).await;
    let record = UserRecord {
        owned: Some(OwnedName {
            key: bob.key.clone(),
            display: "bob".into(),
            since: T0,
        }),
        ..UserRecord::default()
    };
    store.seed_user(&sub_of("b"), &record).await;
    for (old, new) in [(&alice, "alice"), (&ana, "ana"), (&walter, "walter")] {
        assert_ne!(
            old.key,
            NameKey::derive(new),
            "version 2 kept {} apart",
            old.display
        );
        assert_eq!(NameKey::derive(&old.display), NameKey::derive(new));
    }

    let before = snapshot(&store).await;
    let dry = prepare(&store, now, true).await.expect("dry run");
    assert_eq!(snapshot(&store).await, before, "a dry run writes nothing");
    let held = |claim: &Claim| Held {
        to: NameKey::derive(&claim.display).to_string(),
        entry: summary_of(claim),
    };
    assert_eq!(dry.changes, vec![held(&alice), held(&walter)]);
    assert_eq!(
        (dry.summary.held, dry.summary.older, dry.summary.left),
        (2, 4, 0)
    );
    let run = prepare(&store, now, false).await.expect("prepare");
    assert_eq!(
        run.changes, dry.changes,
        "the run did what its dry run said"
    );
    assert!(prepare(&store, now, false)
        .await
        .unwrap()
        .changes
        .is_empty());

    // The new version's claims meet the placeholders.
    for newcomer in ["alice", "Alice", "walter"] {
        assert_eq!(
            store
                .reserve(&reservation(newcomer, "newcomer", None, now), now)
                .await
                .unwrap(),
            ReserveOutcome::Taken,
            "{newcomer}"
        );
    }
    // The holder's own reservation still completes where it is.
    assert_eq!(
        store
            .reserve(&reservation("a\u{331}na", "holder", None, now), now)
            .await
            .unwrap(),
        ReserveOutcome::Reserved
    );

    // The block on `vvalter` is lifted under the old version, before the rekey.
    assert_eq!(
        store
            .relocate(&shared::registry::rekey::Relocation::Remove { from: &walter })
            .await
            .unwrap(),
        shared::registry::rekey::RelocationOutcome::Done
    );
    // The holder's replay reserved the new key too; the rekey keeps that one (two reservations
    // of one holder: the entry already under the key stays).
    let ana_new = store
        .get(&NameKey::derive("ana"))
        .await
        .unwrap()
        .expect("the replay");
    let report = rekey(&store, now, false).await.expect("rekey");
    assert_eq!(
        report.changes,
        vec![
            Moved {
                to: NameKey::derive("alice").to_string(),
                entry: summary_of(&alice),
            },
            RekeyChange::Collision {
                key: NameKey::derive("ana").to_string(),
                kept: summary_of(&ana_new),
                dropped: summary_of(&ana),
            },
            Unheld {
                key: NameKey::derive("walter").to_string(),
                display: "vvalter".into()
            },
        ]
    );
    let summary = &report.summary;
    assert_eq!(
        (
            summary.moved,
            summary.collisions,
            summary.unheld,
            summary.restamped
        ),
        (1, 1, 1, 1)
    );
    assert_one_owner_per_name(&store, now).await;
    let owned = store
        .user(&sub_of("a"))
        .await
        .unwrap()
        .unwrap()
        .owned
        .unwrap();
    assert_eq!(
        (owned.key, owned.display),
        (NameKey::derive("alice"), "ali\u{307}ce".into())
    );
    assert_eq!(
        store
            .reserve(&reservation("alice", "newcomer", None, now), now)
            .await
            .unwrap(),
        ReserveOutcome::Taken
    );
    assert_eq!(
        store
            .reserve(&reservation("walter", "newcomer", None, now), now)
            .await
            .unwrap(),
        ReserveOutcome::Reserved
    );
}

/// Two names of version 2 that version 3 joins (`a̱lice` by A, earlier, and `ali̇ce` by B):
/// `--prepare` holds the new key for the first it reads and leaves the other, saying why; the
/// rekey then ranks the two as it ranks any two entries (the earlier owner keeps the name), and
/// no placeholder is left behind.
pub async fn two_names_the_new_version_joins_are_ranked_after_prepare<S>(store: S)
where
    S: Rekeying + Seed,
{
    let now = T0 + 100;
    let mut seeded = Vec::new();
    for (display, sub, since) in [("a\u{331}lice", "a", T0 + 1), ("ali\u{307}ce", "b", T0 + 2)] {
        let claim = v2_entry(display, active(&sub_of(sub)), Some(since));
        store.seed(&claim).await;
        let record = UserRecord {
            owned: Some(OwnedName {
                key: claim.key.clone(),
                display: display.into(),
                since,
            }),
            ..UserRecord::default()
        };
        store.seed_user(&sub_of(sub), &record).await;
        seeded.push(claim);
    }
    let (a, b) = (&seeded[0], &seeded[1]);
    let alice = NameKey::derive("alice");
    let prepared = prepare(&store, now, false).await.expect("prepare");
    assert_eq!(
        prepared.changes,
        vec![
            RekeyChange::Held {
                to: alice.to_string(),
                entry: summary_of(b),
            },
            RekeyChange::Left {
                entry: summary_of(a),
                reason: "its new key is held by another entry: `usernames rekey` decides between \
                         them after the deployment"
                    .into(),
            },
        ]
    );
    let report = rekey(&store, now, false).await.expect("rekey");
    let b_moved = Claim {
        key: alice.clone(),
        key_version: KEY_VERSION,
        ..b.clone()
    };
    assert_eq!(
        report.changes,
        vec![
            RekeyChange::Moved {
                to: alice.to_string(),
                entry: summary_of(b),
            },
            RekeyChange::Collision {
                key: alice.to_string(),
                kept: summary_of(a),
                dropped: summary_of(&b_moved),
            },
        ]
    );
    assert_one_owner_per_name(&store, now).await;
    let (claims, _) = snapshot(&store).await;
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(claims[0].owner_sub(), Some(sub_of("a").as_str()));
}

macro_rules! rekey_tests {
    ($make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($make.await).await;
            }
        )+
    };
}

macro_rules! all_rekey_cases {
    ($make:expr) => {
        rekey_tests!($make;
            a_table_of_the_previous_version_is_rekeyed_as_its_dry_run_said,
            rekey_while_people_sign_up_leaves_no_two_owners_of_one_name,
            entries_not_moved_yet_keep_their_names_until_rekey_moves_them,
            prepared_keys_refuse_the_names_the_new_version_joins_before_rekey,
            two_names_the_new_version_joins_are_ranked_after_prepare,
        );
    };
}

mod memory {
    all_rekey_cases!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    all_rekey_cases!(integration_tests::moto::moto_registry());
}

mod disk {
    all_rekey_cases!(integration_tests::disk::disk_registry());
}
