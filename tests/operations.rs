//! The operator commands of `shared::operations` on both stores (memory, and DynamoDB on moto),
//! against an in-memory user pool: each case is a sequence of what an operator and the pool's
//! users do, checked through the registry's own reads.

mod rekey;
mod word_rules;

use integration_tests::contract::{commitment, entry, name, sub_of, Seed, QUARANTINE, T0};
use integration_tests::operators::{
    import_options, import_with, lifecycle, pool_user, reconcile_options, reconcile_with, Lagging,
    NO_WAIT,
};
use shared::config::NameSource;
use shared::operations::admin::{self, AdminRename, Mirror};
use shared::operations::import::{ImportOutcome, ImportSummary};
use shared::operations::reconcile::{
    FormerOwner, NoDeadline, ReconcileOutcome, ReconcileSummary, Stage, TimeLeft,
};
use shared::operations::{
    Directory, DirectoryError, MemoryDirectory, OperationError, PoolUser, UsersPage,
};
use shared::policy::Policy;
use shared::registry::listing::{all_owners, OwnerListing};
use shared::registry::{
    BlockRequest, ClaimState, CommitOutcome, Contacts, ManualClock, Owner, Registry, RegistryError,
    Timestamp,
};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Runs a reconcile until `deadline` with no grace period: every retired owner's outcome, in
/// order, and the summary.
async fn run_reconcile<R: Registry + OwnerListing, D: Directory>(
    registry: &R,
    pool: &D,
    dry_run: bool,
    now: Timestamp,
    deadline: &impl TimeLeft,
) -> (Vec<(FormerOwner, ReconcileOutcome)>, ReconcileSummary) {
    let options = reconcile_options(dry_run);
    reconcile_with(registry, pool, &options, &ManualClock::new(now), deadline)
        .await
        .unwrap()
}

fn user(user_name: &str, created_ms: i64, preferred: Option<&str>) -> PoolUser {
    pool_user(user_name, created_ms, preferred)
}

fn federated(user_name: &str, created_ms: i64, preferred: Option<&str>) -> PoolUser {
    PoolUser {
        status: "EXTERNAL_PROVIDER".to_owned(),
        federated: true,
        ..user(user_name, created_ms, preferred)
    }
}

/// Runs an import; every user's outcome by `sub`, and the summary.
async fn run_import<R: Registry>(
    registry: &R,
    pool: &MemoryDirectory,
    dry_run: bool,
    now: Timestamp,
) -> Result<(BTreeMap<String, ImportOutcome>, ImportSummary), OperationError> {
    import_with(
        registry,
        pool,
        &import_options(dry_run),
        &ManualClock::new(now),
    )
    .await
}

/// An operator's release without a pool to mirror into.
async fn release<R: Registry>(
    registry: &R,
    raw: &str,
    now_free: bool,
    now: Timestamp,
) -> Result<admin::Freed, OperationError> {
    let none: Option<Mirror<'_, MemoryDirectory>> = None;
    admin::release(registry, &lifecycle(), raw, now_free, none, now)
        .await
        .map_err(|(e, _)| e)
}

/// Who owns each of these names, and which name each of these users owns.
async fn end_state<R: Registry>(
    registry: &R,
    names: &[&str],
    users: &[&str],
) -> (Vec<Option<ClaimState>>, Vec<Option<String>>) {
    let mut claims = Vec::new();
    for raw in names {
        claims.push(
            registry
                .get(name(raw).key())
                .await
                .unwrap()
                .map(|c| without_seal(c.state)),
        );
    }
    let mut owned = Vec::new();
    for user_name in users {
        owned.push(
            registry
                .user(&sub_of(user_name))
                .await
                .unwrap()
                .and_then(|u| u.owned)
                .map(|o| o.key.as_str().to_owned()),
        );
    }
    (claims, owned)
}

/// A pending entry without its sealed `userName`, which a fresh nonce makes differ each time it
/// is written.
fn without_seal(state: ClaimState) -> ClaimState {
    match state {
        ClaimState::Pending {
            holder,
            expires_at,
            contacts,
            ..
        } => ClaimState::Pending {
            holder,
            expires_at,
            contacts,
            sealed: None,
        },
        other => other,
    }
}

/// Held pending for `user_name` until `expires_at`, as an import reserves for an unconfirmed
/// user (no contacts: the pool's emails are never read).
fn pending_for(user_name: &str, expires_at: Timestamp) -> ClaimState {
    ClaimState::Pending {
        holder: integration_tests::contract::stored_holder(user_name),
        expires_at,
        contacts: Contacts::none(),
        sealed: None,
    }
}

fn active(user_name: &str) -> ClaimState {
    ClaimState::Active {
        owner: Owner::Sub(sub_of(user_name)),
    }
}

/// The pool of the import cases: one name in four spellings (case, look-alike, separator), the
/// earliest account listed last; a reserved and a too-short name; a user without a name; two
/// federated users; an unconfirmed sign-up; and a user whose name is registered already.
fn collision_pool() -> MemoryDirectory {
    let pool = MemoryDirectory::new(3);
    pool.add(user("u-melody", 10, Some("Melody")));
    pool.add(user("u-lookalike", 20, Some("me1ody")));
    pool.add(user("u-separator", 30, Some("mel_ody")));
    pool.add(user("u-case", 40, Some("MELODY")));
    pool.add(user("u-reserved", 50, Some("admin")));
    pool.add(user("u-short", 60, Some("x")));
    pool.add(user("u-none", 70, None));
    pool.add(user("u-blank", 75, Some("  ")));
    pool.add(federated("google_1", 80, Some("Fed_Person")));
    pool.add(federated("google_2", 90, None));
    pool.add(PoolUser {
        status: "UNCONFIRMED".to_owned(),
        ..user("u-unconfirmed", 100, Some("Waiting"))
    });
    pool.add(user("u-already", 110, Some("Already")));
    // Listed last, created first: the earliest account keeps the shared key.
    pool.add(user("u-earliest", 1, Some("mel.ody")));
    pool
}

const COLLISION_NAMES: &[&str] = &["melody", "fed_person", "waiting", "already"];
const COLLISION_USERS: &[&str] = &[
    "u-melody",
    "u-lookalike",
    "u-separator",
    "u-case",
    "u-earliest",
    "google_1",
    "u-unconfirmed",
    "u-already",
];

pub async fn importing_a_pool_gives_a_shared_key_to_the_earliest_account_then_a_second_run_changes_nothing<
    R: Registry,
>(
    registry: R,
) {
    let pool = collision_pool();
    let c = commitment("Already", "u-already", Contacts::none());
    assert_eq!(
        registry.commit(&c, T0).await.unwrap(),
        CommitOutcome::Committed
    );

    let (outcomes, summary) = run_import(&registry, &pool, false, T0 + 10).await.unwrap();
    let taken = |name: &str| ImportOutcome::Taken {
        name: name.into(),
        taken_by: Some(sub_of("u-earliest")),
        held_as: "active",
    };
    let expected: BTreeMap<String, ImportOutcome> = [
        (
            "u-earliest",
            ImportOutcome::Registered {
                name: "mel.ody".into(),
            },
        ),
        ("u-melody", taken("Melody")),
        ("u-lookalike", taken("me1ody")),
        ("u-separator", taken("mel_ody")),
        ("u-case", taken("MELODY")),
        ("u-reserved", ImportOutcome::Invalid { code: "reserved" }),
        ("u-short", ImportOutcome::Invalid { code: "too_short" }),
        ("u-none", ImportOutcome::NoName),
        ("u-blank", ImportOutcome::NoName),
        (
            "google_1",
            ImportOutcome::Registered {
                name: "Fed_Person".into(),
            },
        ),
        ("google_2", ImportOutcome::NoName),
        (
            "u-unconfirmed",
            ImportOutcome::Reserved {
                name: "Waiting".into(),
                expires_at: T0 + 10 + 86_400,
            },
        ),
        (
            "u-already",
            ImportOutcome::AlreadyRegistered {
                name: "Already".into(),
            },
        ),
    ]
    .into_iter()
    .map(|(u, o)| (sub_of(u), o))
    .collect();
    assert_eq!(outcomes, expected);
    assert_eq!(
        summary,
        ImportSummary {
            users: 13,
            registered: 2,
            already_registered: 1,
            taken: 4,
            owns_another_name: 0,
            invalid: 2,
            no_name: 3,
            reserved: 1,
            given_up: 0,
        }
    );
    assert!(summary.refused_any());
    let after_first = end_state(&registry, COLLISION_NAMES, COLLISION_USERS).await;
    assert_eq!(
        after_first.0,
        vec![
            Some(active("u-earliest")),
            Some(active("google_1")),
            Some(pending_for("u-unconfirmed", T0 + 10 + 86_400)),
            Some(active("u-already"))
        ],
        "the unconfirmed user's name is held for them until they confirm"
    );

    let (again, summary) = run_import(&registry, &pool, false, T0 + 20).await.unwrap();
    assert_eq!(summary.registered, 0, "{again:?}");
    assert_eq!(summary.already_registered, 3);
    assert_eq!(summary.taken, 4);
    assert_eq!(
        end_state(&registry, COLLISION_NAMES, COLLISION_USERS).await,
        after_first,
        "a second run changes nothing"
    );
}

pub async fn a_dry_run_reports_what_a_run_would_do_and_writes_nothing<R: Registry>(registry: R) {
    let pool = collision_pool();
    let c = commitment("Already", "u-already", Contacts::none());
    registry.commit(&c, T0).await.unwrap();
    let before = end_state(&registry, COLLISION_NAMES, COLLISION_USERS).await;

    let (dry, dry_summary) = run_import(&registry, &pool, true, T0 + 10).await.unwrap();
    assert_eq!(
        end_state(&registry, COLLISION_NAMES, COLLISION_USERS).await,
        before,
        "nothing written"
    );
    let (real, real_summary) = run_import(&registry, &pool, false, T0 + 10).await.unwrap();
    assert_eq!(dry, real, "the dry run decides as the run does");
    assert_eq!(dry_summary, real_summary);
}

/// A store that stops answering after `writes` commits, as a killed import would stop.
struct StopsAfter<'a, R> {
    store: &'a R,
    writes: std::sync::atomic::AtomicUsize,
}

impl<R: Registry> Registry for StopsAfter<'_, R> {
    async fn reserve(
        &self,
        r: &shared::registry::Reservation,
        now: Timestamp,
    ) -> Result<shared::registry::ReserveOutcome, RegistryError> {
        self.store.reserve(r, now).await
    }
    async fn commit(
        &self,
        c: &shared::registry::Commitment,
        now: Timestamp,
    ) -> Result<CommitOutcome, RegistryError> {
        let left = self.writes.load(std::sync::atomic::Ordering::SeqCst);
        if left == 0 {
            return Err(RegistryError::Timeout);
        }
        self.writes
            .store(left - 1, std::sync::atomic::Ordering::SeqCst);
        self.store.commit(c, now).await
    }
    async fn user(&self, sub: &str) -> Result<Option<shared::registry::UserRecord>, RegistryError> {
        self.store.user(sub).await
    }
    async fn rename_with_undo(
        &self,
        r: &shared::registry::Rename,
        now: Timestamp,
    ) -> Result<
        (
            shared::registry::RenameOutcome,
            Option<shared::registry::RenameUndo>,
        ),
        RegistryError,
    > {
        self.store.rename_with_undo(r, now).await
    }
    async fn undo_rename(
        &self,
        undo: &shared::registry::RenameUndo,
    ) -> Result<shared::registry::UndoOutcome, RegistryError> {
        self.store.undo_rename(undo).await
    }
    async fn give_up(
        &self,
        sub: &str,
        until: Option<Timestamp>,
        renamed_at: Option<Timestamp>,
    ) -> Result<Option<String>, RegistryError> {
        self.store.give_up(sub, until, renamed_at).await
    }
    async fn retire_first_version(
        &self,
        key: &shared::policy::NameKey,
        user_name: &str,
        until: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        self.store.retire_first_version(key, user_name, until).await
    }
    async fn first_version_names(
        &self,
        holder: &shared::registry::Holder,
    ) -> Result<Vec<shared::registry::Claim>, RegistryError> {
        self.store.first_version_names(holder).await
    }
    async fn block(
        &self,
        name: &shared::policy::Username,
        request: shared::registry::BlockRequest<'_>,
        now: Timestamp,
    ) -> Result<shared::registry::BlockOutcome, RegistryError> {
        self.store.block(name, request, now).await
    }
    async fn unblock(&self, key: &shared::policy::NameKey) -> Result<bool, RegistryError> {
        self.store.unblock(key).await
    }
    async fn get(
        &self,
        key: &shared::policy::NameKey,
    ) -> Result<Option<shared::registry::Claim>, RegistryError> {
        self.store.get(key).await
    }
    async fn contains_rules(
        &self,
    ) -> Result<Vec<shared::registry::word_rules::ContainsRule>, RegistryError> {
        self.store.contains_rules().await
    }
}

pub async fn an_import_stopped_halfway_then_run_again_ends_as_one_run_does<R: Registry>(
    registry: R,
) {
    let pool = collision_pool();
    // Two commits land (u-earliest's, then the first loser's refused one), then the store fails.
    let stopping = StopsAfter {
        store: &registry,
        writes: 2.into(),
    };
    let stopped = run_import(&stopping, &pool, false, T0).await;
    assert!(matches!(stopped, Err(OperationError::Registry(_))));
    assert_eq!(
        end_state(&registry, COLLISION_NAMES, COLLISION_USERS)
            .await
            .0[0],
        Some(active("u-earliest")),
        "what was done stays done"
    );

    run_import(&registry, &pool, false, T0 + 5).await.unwrap();
    let resumed = end_state(&registry, COLLISION_NAMES, COLLISION_USERS).await;
    let once = shared::registry::MemoryRegistry::new();
    run_import(&once, &pool, false, T0 + 5).await.unwrap();
    assert_eq!(
        resumed,
        end_state(&once, COLLISION_NAMES, COLLISION_USERS).await
    );
}

pub async fn throttled_listing_waits_and_resumes_at_the_same_page<R: Registry>(registry: R) {
    let pool = collision_pool();
    pool.throttle(2);
    let (_, summary) = run_import(&registry, &pool, false, T0).await.unwrap();
    assert_eq!(summary.users, 13, "every user once");
    assert_eq!(
        pool.pages_served(),
        5,
        "13 users in pages of 3, each page served once"
    );
    pool.fail(NO_WAIT.attempts as usize);
    assert!(matches!(
        run_import(&registry, &pool, false, T0).await,
        Err(OperationError::Directory(_))
    ));
}

pub async fn an_import_racing_live_sign_ups_leaves_one_owner_per_key<R: Registry>(registry: R) {
    let pool = MemoryDirectory::new(2);
    let names = ["river", "stone", "cloud", "ember", "frost", "grove"];
    for (i, raw) in names.iter().enumerate() {
        pool.add(user(&format!("old-{raw}"), i as i64, Some(raw)));
    }
    // New users sign up for the same names (another spelling) while the import runs.
    let sign_ups = async {
        let mut outcomes = Vec::new();
        for raw in names {
            let c = commitment(&raw.to_uppercase(), &format!("new-{raw}"), Contacts::none());
            outcomes.push(registry.commit(&c, T0).await.unwrap());
            tokio::task::yield_now().await;
        }
        outcomes
    };
    let (imported, signed_up) = tokio::join!(run_import(&registry, &pool, false, T0), sign_ups);
    let (outcomes, _) = imported.unwrap();
    for (raw, sign_up) in names.iter().zip(signed_up) {
        let state = registry
            .get(name(raw).key())
            .await
            .unwrap()
            .map(|c| c.state);
        let old = sub_of(&format!("old-{raw}"));
        let imported_it = matches!(outcomes[&old], ImportOutcome::Registered { .. });
        let signed_up_it = sign_up == CommitOutcome::Committed;
        assert!(imported_it != signed_up_it, "{raw}: exactly one of them");
        let winner = if imported_it {
            format!("old-{raw}")
        } else {
            format!("new-{raw}")
        };
        assert_eq!(state, Some(active(&winner)), "{raw}");
        if !imported_it {
            assert_eq!(
                outcomes[&old],
                ImportOutcome::Taken {
                    name: raw.to_string(),
                    taken_by: Some(sub_of(&winner)),
                    held_as: "active"
                }
            );
        }
    }
}

pub async fn reconcile_after_a_user_is_deleted_quarantines_the_name_until_it_ends<
    R: Registry + OwnerListing,
>(
    registry: R,
) {
    let pool = MemoryDirectory::new(2);
    for (i, user_name) in ["u-stays", "u-leaves", "u-other"].iter().enumerate() {
        pool.add(user(user_name, i as i64, None));
    }
    for (raw, user_name) in [
        ("Stays", "u-stays"),
        ("Leaves", "u-leaves"),
        ("Other", "u-other"),
    ] {
        registry
            .commit(&commitment(raw, user_name, Contacts::none()), T0)
            .await
            .unwrap();
    }
    pool.delete(&sub_of("u-leaves"));
    let run = |dry_run, now| run_reconcile(&registry, &pool, dry_run, now, &NoDeadline);
    let until = T0 + 100 + QUARANTINE;
    let expected = vec![(
        FormerOwner::Sub(sub_of("u-leaves")),
        ReconcileOutcome::Quarantined {
            name: "Leaves".into(),
            until,
        },
    )];
    let (dry, _) = run(true, T0 + 100).await;
    assert_eq!(dry, expected);
    assert!(
        registry
            .get(name("leaves").key())
            .await
            .unwrap()
            .unwrap()
            .owner_sub()
            .is_some(),
        "a dry run writes nothing"
    );

    let (reports, summary) = run(false, T0 + 100).await;
    assert_eq!(reports, expected);
    assert_eq!(
        (summary.owners, summary.in_pool, summary.quarantined),
        (3, 2, 1)
    );
    assert_eq!(
        registry
            .get(name("leaves").key())
            .await
            .unwrap()
            .unwrap()
            .state,
        ClaimState::Quarantined {
            previous_owner: sub_of("u-leaves"),
            until
        }
    );
    let (again, summary) = run(false, T0 + 200).await;
    assert!(again.is_empty(), "the name is no longer owned: {again:?}");
    assert_eq!(summary.owners, 2);

    let stranger = commitment("LEAVES", "u-stranger", Contacts::none());
    assert_eq!(
        registry.commit(&stranger, until - 1).await.unwrap(),
        CommitOutcome::Taken,
        "refused while the quarantine lasts"
    );
    assert_eq!(
        registry.commit(&stranger, until).await.unwrap(),
        CommitOutcome::Committed,
        "free from its end on"
    );
}

pub async fn listing_pages_through_every_owner_once<R: Registry + OwnerListing>(registry: R) {
    let users = ["u-1", "u-2", "u-3", "u-4", "u-5"];
    for (i, user_name) in users.iter().enumerate() {
        let raw = format!("owner_{}", ["a", "b", "c", "d", "e"][i]);
        registry
            .commit(&commitment(&raw, user_name, Contacts::none()), T0)
            .await
            .unwrap();
    }
    registry
        .release(&sub_of("u-3"), Some(T0 + 10), T0)
        .await
        .unwrap();
    registry
        .reserve(
            &integration_tests::contract::reservation("pending_one", "u-9", None, T0),
            T0,
        )
        .await
        .unwrap();
    let owners = all_owners(&registry, 2).await.unwrap();
    assert!(owners.legacy.is_empty());
    let mut listed: Vec<(String, String)> = owners
        .by_sub
        .into_iter()
        .map(|o| (o.sub, o.name.display))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("u-1", "owner_a"),
            ("u-2", "owner_b"),
            ("u-4", "owner_d"),
            ("u-5", "owner_e")
        ]
        .map(|(u, n)| (sub_of(u), n.to_owned()))
    );
}

pub async fn an_operator_blocks_shows_and_unblocks_a_name<R: Registry>(registry: R) {
    let policy = Policy::default();
    let ann = |reason| BlockRequest {
        by: "ops-ann",
        reason,
    };
    let blocked = admin::block(&registry, &policy, "AcmeCorp", ann(Some("brand")), T0)
        .await
        .unwrap();
    assert_eq!(
        (
            blocked.state,
            blocked.owner.as_deref(),
            blocked.reason.as_deref(),
            blocked.blocked_by.as_deref(),
            blocked.since
        ),
        (
            "blocked",
            Some("operator"),
            Some("brand"),
            Some("ops-ann"),
            Some(T0)
        )
    );
    let shown = admin::show_name(&registry, "acme_corp", T0).await.unwrap();
    assert_eq!(shown, blocked, "every spelling finds it");
    let c = commitment("Acme.Corp", "u-a", Contacts::none());
    assert_eq!(registry.commit(&c, T0).await.unwrap(), CommitOutcome::Taken);
    assert!(matches!(
        admin::block(&registry, &policy, "admin", ann(None), T0).await,
        Err(OperationError::InvalidName(_))
    ));
    assert!(matches!(
        release(&registry, "AcmeCorp", false, T0).await,
        Err(OperationError::NameBlocked)
    ));
    assert_eq!(
        admin::unblock(&registry, "ACMECORP").await.unwrap().state,
        "free"
    );
    assert!(matches!(
        admin::unblock(&registry, "ACMECORP").await,
        Err(OperationError::NoEntry)
    ));
    assert_eq!(
        registry.commit(&c, T0).await.unwrap(),
        CommitOutcome::Committed
    );
    assert!(matches!(
        admin::block(&registry, &policy, "AcmeCorp", ann(None), T0).await,
        Err(OperationError::NameHeld { state: "active" })
    ));
    assert!(matches!(
        admin::unblock(&registry, "AcmeCorp").await,
        Err(OperationError::NotBlocked)
    ));
}

pub async fn releasing_quarantines_then_release_now_frees_the_name<R: Registry>(registry: R) {
    let c = commitment("Alice", "u-a", Contacts::none());
    registry.commit(&c, T0).await.unwrap();
    let shown = admin::show_user(&registry, &sub_of("u-a")).await.unwrap();
    assert_eq!(shown.name.as_deref(), Some("Alice"));

    let released = release(&registry, "alice", false, T0 + 1).await.unwrap();
    assert_eq!(
        (released.state, released.quarantined_until),
        ("quarantined", Some(T0 + 1 + QUARANTINE))
    );
    assert_eq!(released.previous_owner, Some(sub_of("u-a")));
    assert!(matches!(
        admin::show_user(&registry, &sub_of("u-a")).await,
        Err(OperationError::NoName)
    ));
    let shown = admin::show_name(&registry, "Alice", T0 + 2).await.unwrap();
    assert_eq!(
        (shown.state, shown.live, shown.quarantined_until),
        ("quarantined", true, Some(T0 + 1 + QUARANTINE))
    );
    let again = release(&registry, "alice", false, T0 + 2).await.unwrap();
    assert_eq!(
        again.state, "quarantined",
        "releasing again changes nothing"
    );

    let freed = release(&registry, "alice", true, T0 + 3).await.unwrap();
    assert_eq!(freed.state, "free");
    assert!(registry.get(name("alice").key()).await.unwrap().is_none());

    registry.commit(&c, T0 + 4).await.unwrap();
    let freed = release(&registry, "ALICE", true, T0 + 5).await.unwrap();
    assert_eq!((freed.state, freed.quarantined_until), ("free", None));
    assert!(matches!(
        release(&registry, "alice", false, T0 + 6).await,
        Err(OperationError::NoEntry)
    ));
}

pub async fn an_administrator_renames_a_user_and_the_pool_follows<R: Registry>(registry: R) {
    let policy = Policy::default();
    let pool = MemoryDirectory::new(10);
    pool.add(user("u-a", 1, Some("Alice")));
    registry
        .commit(&commitment("Alice", "u-a", Contacts::none()), T0)
        .await
        .unwrap();
    let mirror = || {
        Some(Mirror {
            directory: &pool,
            backoff: NO_WAIT,
        })
    };
    let request = |name, force| AdminRename {
        sub: "sub-u-a",
        name,
        force,
        source: NameSource::PreferredUsername,
        case_sensitive_user_names: false,
    };
    let done = admin::rename(
        &registry,
        &policy,
        &lifecycle(),
        request("Alicia", false),
        mirror(),
        T0,
    )
    .await
    .unwrap();
    assert_eq!(
        (done.previous.as_deref(), done.attribute_set),
        (Some("Alice"), Some(true))
    );
    assert_eq!(
        pool.preferred_username("sub-u-a").as_deref(),
        Some("Alicia")
    );
    assert_eq!(
        registry
            .get(name("alice").key())
            .await
            .unwrap()
            .unwrap()
            .state,
        ClaimState::Quarantined {
            previous_owner: sub_of("u-a"),
            until: T0 + QUARANTINE
        }
    );

    let soon = admin::rename(
        &registry,
        &policy,
        &lifecycle(),
        request("Alison", false),
        mirror(),
        T0 + 60,
    )
    .await;
    assert!(matches!(
        soon,
        Err((OperationError::Cooldown { until }, None)) if until == T0 + 86_400
    ));
    let forced = admin::rename(
        &registry,
        &policy,
        &lifecycle(),
        request("Alison", true),
        mirror(),
        T0 + 60,
    )
    .await
    .unwrap();
    assert_eq!(forced.previous.as_deref(), Some("Alicia"));

    registry
        .commit(&commitment("Bobby", "u-b", Contacts::none()), T0)
        .await
        .unwrap();
    assert!(matches!(
        admin::rename(
            &registry,
            &policy,
            &lifecycle(),
            request("BOBBY", true),
            mirror(),
            T0 + 70
        )
        .await,
        Err((OperationError::NameTaken, None))
    ));
    assert!(matches!(
        admin::rename(
            &registry,
            &policy,
            &lifecycle(),
            request("a b", true),
            mirror(),
            T0 + 70
        )
        .await,
        Err((OperationError::InvalidName(_), None))
    ));

    // A sub the pool does not have: nothing is written.
    let stranger = AdminRename {
        sub: "sub-nobody",
        name: "Stranger",
        force: true,
        source: NameSource::PreferredUsername,
        case_sensitive_user_names: false,
    };
    assert!(matches!(
        admin::rename(
            &registry,
            &policy,
            &lifecycle(),
            stranger,
            mirror(),
            T0 + 80
        )
        .await,
        Err((OperationError::UserNotInPool, None))
    ));
    assert!(registry
        .get(name("stranger").key())
        .await
        .unwrap()
        .is_none());

    // Cognito fails after the registry moved: the answer says so, and the same rename again
    // finishes the job.
    pool.fail_updates(NO_WAIT.attempts as usize);
    let failed = admin::rename(
        &registry,
        &policy,
        &lifecycle(),
        request("Alfie", true),
        mirror(),
        T0 + 90,
    )
    .await;
    let Err((OperationError::Directory(_), Some(partial))) = failed else {
        panic!("the registry moved, the attribute did not: {failed:?}");
    };
    assert_eq!(
        (partial.username.as_str(), partial.attribute_set),
        ("Alfie", Some(false))
    );
    assert_eq!(
        pool.preferred_username("sub-u-a").as_deref(),
        Some("Alison")
    );
    let finished = admin::rename(
        &registry,
        &policy,
        &lifecycle(),
        request("Alfie", true),
        mirror(),
        T0 + 91,
    )
    .await
    .unwrap();
    assert_eq!(finished.attribute_set, Some(true));
    assert_eq!(pool.preferred_username("sub-u-a").as_deref(), Some("Alfie"));
}

/// Where names are Cognito usernames (`USERNAMES_SOURCE=username`), an administrator's rename is
/// refused before anything is written, as the API refuses users: the old name stays active and
/// the pool's attribute untouched.
pub async fn an_administrator_cannot_rename_where_names_are_cognito_usernames<R: Registry>(
    registry: R,
) {
    let policy = Policy::default();
    let pool = MemoryDirectory::new(10);
    pool.add(user("u-a", 1, None));
    registry
        .commit(&commitment("Alice", "u-a", Contacts::none()), T0)
        .await
        .unwrap();
    let refused = admin::rename(
        &registry,
        &policy,
        &lifecycle(),
        AdminRename {
            sub: "sub-u-a",
            name: "Alicia",
            force: true,
            source: NameSource::Username,
            case_sensitive_user_names: false,
        },
        Some(Mirror {
            directory: &pool,
            backoff: NO_WAIT,
        }),
        T0 + 10,
    )
    .await;
    let Err((error, None)) = refused else {
        panic!("a rename of a Cognito username went through: {refused:?}");
    };
    assert_eq!(error.code(), "name_immutable");
    assert!(error.to_string().contains("USERNAMES_SOURCE=username"));
    assert_eq!(state_of(&registry, "alice").await, Some(active("u-a")));
    assert_eq!(state_of(&registry, "alicia").await, None);
    assert_eq!(pool.preferred_username("sub-u-a"), None);
}

/// A first-version active entry of `user_name`, as that version stored it.
fn legacy(user_name: &str) -> ClaimState {
    ClaimState::Active {
        owner: Owner::LegacyUserName(user_name.to_owned()),
    }
}

async fn state_of<R: Registry>(registry: &R, raw: &str) -> Option<ClaimState> {
    registry
        .get(name(raw).key())
        .await
        .unwrap()
        .map(|c| c.state)
}

pub async fn reconcile_retires_a_first_version_name_only_when_no_user_has_its_user_name<
    R: Registry + OwnerListing + Seed,
>(
    registry: R,
) {
    for (raw, user_name) in [
        ("Vintage", "Old.Timer"),
        ("Keeper", "Keeper_1"),
        ("Latecomer", "Late.Comer"),
    ] {
        registry.seed(&entry(raw, legacy(user_name))).await;
    }
    registry
        .commit(&commitment("Modern", "u-modern", Contacts::none()), T0)
        .await
        .unwrap();
    let users = MemoryDirectory::new(2);
    users.add(user("u-modern", 1, Some("Modern")));
    // Old.Timer was deleted. The pool spells Keeper_1 in another case (a case-insensitive pool),
    // and its listing misses late.comer, whom AdminGetUser finds by the stored `userName`.
    users.add(user("KEEPER_1", 2, Some("Keeper")));
    users.add(user("late.comer", 3, None));
    let pool = Lagging {
        pool: &users,
        hidden: HashSet::from([sub_of("late.comer")]),
    };
    let until = T0 + 10 + QUARANTINE;
    let retired = vec![(
        FormerOwner::UserName("Old.Timer".into()),
        ReconcileOutcome::Quarantined {
            name: "Vintage".into(),
            until,
        },
    )];

    let (dry, _) = run_reconcile(&registry, &pool, true, T0 + 10, &NoDeadline).await;
    assert_eq!(dry, retired);
    assert_eq!(
        state_of(&registry, "vintage").await,
        Some(legacy("Old.Timer")),
        "a dry run writes nothing"
    );

    let (reports, summary) = run_reconcile(&registry, &pool, false, T0 + 10, &NoDeadline).await;
    assert_eq!(reports, retired);
    assert_eq!(
        (
            summary.owners,
            summary.legacy_owners,
            summary.in_pool,
            summary.quarantined,
            summary.complete
        ),
        (4, 3, 3, 1, true)
    );
    assert_eq!(
        state_of(&registry, "VINTAGE").await,
        Some(ClaimState::Quarantined {
            previous_owner: "Old.Timer".into(),
            until
        })
    );
    assert_eq!(
        state_of(&registry, "keeper").await,
        Some(legacy("Keeper_1"))
    );
    assert_eq!(
        state_of(&registry, "latecomer").await,
        Some(legacy("Late.Comer"))
    );
    let (again, summary) = run_reconcile(&registry, &pool, false, T0 + 20, &NoDeadline).await;
    assert!(again.is_empty(), "{again:?}");
    assert_eq!((summary.owners, summary.legacy_owners), (3, 2));

    // Nobody takes it during the quarantine, not even a newcomer under the old userName.
    for user_name in ["u-stranger", "Old.Timer"] {
        let c = commitment("Vintage", user_name, Contacts::none());
        assert_eq!(
            registry.commit(&c, until - 1).await.unwrap(),
            CommitOutcome::Taken,
            "{user_name}"
        );
    }
    let c = commitment("vintage", "u-stranger", Contacts::none());
    assert_eq!(
        registry.commit(&c, until).await.unwrap(),
        CommitOutcome::Committed,
        "free from its end on"
    );
}

pub async fn a_first_version_owner_who_signs_in_before_the_retirement_keeps_the_name<
    R: Registry + OwnerListing + Seed,
>(
    registry: R,
) {
    registry.seed(&entry("Keeper", legacy("Keeper_1"))).await;
    registry.seed(&entry("Other", legacy("Other_1"))).await;
    let key = name("keeper").key().clone();
    // The stored spelling only: another case is another holder as far as the write goes.
    assert!(!registry
        .retire_first_version(&key, "keeper_1", Some(T0 + QUARANTINE))
        .await
        .unwrap());
    // The owner signs in (the commit upgrades the entry to their sub) after reconcile listed it.
    let c = commitment("Keeper", "Keeper_1", Contacts::none());
    assert_eq!(
        registry.commit(&c, T0).await.unwrap(),
        CommitOutcome::Committed
    );
    assert!(!registry
        .retire_first_version(&key, "Keeper_1", Some(T0 + QUARANTINE))
        .await
        .unwrap());
    assert_eq!(
        state_of(&registry, "keeper").await,
        Some(active("Keeper_1"))
    );
    // A quarantine of zero frees a first-version name at once.
    assert!(registry
        .retire_first_version(name("other").key(), "Other_1", None)
        .await
        .unwrap());
    assert_eq!(state_of(&registry, "other").await, None);
}

/// A deadline that allows `n` more steps, then none: the time left before a Lambda deadline
/// running out, without waiting for it.
struct Steps(AtomicUsize);

impl Steps {
    fn new(n: usize) -> Self {
        Self(AtomicUsize::new(n))
    }
}

impl TimeLeft for Steps {
    fn time_left(&self) -> Duration {
        let took = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if took.is_ok() {
            Duration::from_secs(3600)
        } else {
            Duration::ZERO
        }
    }
}

pub async fn a_run_stopped_at_its_deadline_says_so_and_the_next_run_finishes_the_job<
    R: Registry + OwnerListing,
>(
    registry: R,
) {
    let pool = MemoryDirectory::new(2);
    let names = [
        "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf",
    ];
    for (i, raw) in names.iter().enumerate() {
        let user_name = format!("u-{}", raw.to_lowercase());
        pool.add(user(&user_name, i as i64, None));
        registry
            .commit(&commitment(raw, &user_name, Contacts::none()), T0)
            .await
            .unwrap();
    }
    let deleted = ["Bravo", "Charlie", "Echo", "Foxtrot", "Golf"];
    for raw in deleted {
        pool.delete(&sub_of(&format!("u-{}", raw.to_lowercase())));
    }

    // No time left, or only for the registry's listing: nothing looked at, nothing written.
    for (steps, stage, owners) in [(0, Stage::ListingRegistry, 0), (1, Stage::ListingPool, 7)] {
        let (reports, summary) =
            run_reconcile(&registry, &pool, false, T0, &Steps::new(steps)).await;
        assert!(reports.is_empty());
        assert_eq!(
            (
                summary.complete,
                summary.stopped,
                summary.owners,
                summary.unchecked
            ),
            (false, Some(stage), owners, owners)
        );
    }
    for raw in names {
        assert!(
            registry
                .get(name(raw).key())
                .await
                .unwrap()
                .unwrap()
                .owner_sub()
                .is_some(),
            "{raw} untouched"
        );
    }

    // Time for both listings and three owners: four are left for the next run.
    let (first, summary) = run_reconcile(&registry, &pool, false, T0, &Steps::new(2 + 3)).await;
    assert_eq!(
        (summary.complete, summary.stopped, summary.unchecked),
        (false, Some(Stage::CheckingOwners), 4)
    );
    assert_eq!(summary.in_pool + summary.quarantined, 3);
    assert_eq!(first.len(), summary.quarantined);
    assert!(
        !first.is_empty(),
        "at most two of the three were in the pool"
    );

    // The next day's run goes on from what is left and finishes.
    let day = 86_400;
    let (second, summary) = run_reconcile(&registry, &pool, false, T0 + day, &NoDeadline).await;
    assert!(summary.complete && summary.stopped.is_none() && summary.unchecked == 0);
    assert_eq!(summary.owners, 7 - first.len());
    assert_eq!(first.len() + second.len(), deleted.len());
    for raw in names {
        let state = state_of(&registry, raw).await;
        let was_deleted = deleted.contains(&raw);
        assert_eq!(
            matches!(state, Some(ClaimState::Quarantined { .. })),
            was_deleted,
            "{raw}: {state:?}"
        );
    }
}

macro_rules! operation_tests {
    ($make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                super::$case($make.await).await;
            }
        )+
    };
}

macro_rules! all_cases {
    ($make:expr) => {
        operation_tests!($make;
            importing_a_pool_gives_a_shared_key_to_the_earliest_account_then_a_second_run_changes_nothing,
            a_dry_run_reports_what_a_run_would_do_and_writes_nothing,
            an_import_stopped_halfway_then_run_again_ends_as_one_run_does,
            throttled_listing_waits_and_resumes_at_the_same_page,
            an_import_racing_live_sign_ups_leaves_one_owner_per_key,
            reconcile_after_a_user_is_deleted_quarantines_the_name_until_it_ends,
            reconcile_retires_a_first_version_name_only_when_no_user_has_its_user_name,
            a_first_version_owner_who_signs_in_before_the_retirement_keeps_the_name,
            a_run_stopped_at_its_deadline_says_so_and_the_next_run_finishes_the_job,
            listing_pages_through_every_owner_once,
            an_operator_blocks_shows_and_unblocks_a_name,
            releasing_quarantines_then_release_now_frees_the_name,
            an_administrator_renames_a_user_and_the_pool_follows,
            an_administrator_cannot_rename_where_names_are_cognito_usernames,
        );
    };
}

mod memory {
    all_cases!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    all_cases!(integration_tests::moto::moto_registry());
}

mod disk {
    all_cases!(integration_tests::disk::disk_registry());
}

/// A pool that takes `delay` to answer a lookup by `sub`.
struct Slow<'a> {
    pool: &'a MemoryDirectory,
    delay: Duration,
}

impl Directory for Slow<'_> {
    async fn users_page(&self, token: Option<&str>) -> Result<UsersPage, DirectoryError> {
        self.pool.users_page(token).await
    }
    async fn user_by_sub(&self, sub: &str) -> Result<Option<PoolUser>, DirectoryError> {
        tokio::time::sleep(self.delay).await;
        self.pool.user_by_sub(sub).await
    }
    async fn user_by_name(&self, user_name: &str) -> Result<Option<PoolUser>, DirectoryError> {
        self.pool.user_by_name(user_name).await
    }
    async fn set_preferred_username(&self, user: &str, value: &str) -> Result<(), DirectoryError> {
        self.pool.set_preferred_username(user, value).await
    }
    async fn clear_preferred_username(&self, user: &str) -> Result<(), DirectoryError> {
        self.pool.clear_preferred_username(user).await
    }
    async fn user_exists(&self, sub: &str) -> Result<bool, DirectoryError> {
        self.pool.user_exists(sub).await
    }
    async fn case_sensitive(&self) -> Result<bool, DirectoryError> {
        self.pool.case_sensitive().await
    }
}

/// A step still running at the deadline is cut short there, not waited for (memory store only:
/// the point is the time, and the same code runs on both).
#[tokio::test]
async fn a_step_that_outlasts_the_deadline_is_cut_short() {
    let registry = shared::registry::MemoryRegistry::new();
    registry
        .commit(&commitment("Gone", "u-gone", Contacts::none()), T0)
        .await
        .unwrap();
    let users = MemoryDirectory::new(10);
    let pool = Slow {
        pool: &users,
        delay: Duration::from_secs(30),
    };
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_secs(2);
    let (reports, summary) = run_reconcile(&registry, &pool, false, T0, &deadline).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited for the step"
    );
    assert!(reports.is_empty());
    assert_eq!(
        (summary.stopped, summary.unchecked),
        (Some(Stage::CheckingOwners), 1)
    );
    assert!(registry
        .get(name("gone").key())
        .await
        .unwrap()
        .unwrap()
        .owner_sub()
        .is_some());
}
