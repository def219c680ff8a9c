//! The operator commands on pools as teams really run them (docs/operations.md), on both stores
//! against an in-memory pool: runs that last hours, listings that lag, owners who confirmed a
//! moment ago, case-sensitive pools, names their owners gave up, first-version owners, and the
//! documented order of attaching to a pool with users.

use integration_tests::contract::{
    commitment, entry, first_version, name, sub_of, Seed, QUARANTINE, T0,
};
use integration_tests::events::User;
use integration_tests::operators::{
    import_options, import_with, lifecycle, pool_user, reconcile_options, reconcile_with,
    unconfirmed_user, NO_WAIT,
};
use shared::config::Settings;
use shared::operations::admin::{self, Mirror};
use shared::operations::import::{ImportOptions, ImportOutcome};
use shared::operations::reconcile::{NoDeadline, ReconcileOptions, ReconcileOutcome};
use shared::operations::{check_case_rule, MemoryDirectory, OperationError, PoolUser};
use shared::registry::listing::OwnerListing;
use shared::registry::{
    Claim, ClaimState, Clock, Contacts, ManualClock, Owner, Registry, Timestamp,
};
use shared::triggers::pool::MemoryPool;
use shared::triggers::{dispatch, Triggers};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const HOUR: i64 = 60 * 60;
const DAY: i64 = 24 * HOUR;

/// A clock that moves `step` seconds every time it is read: a run that takes that long per user.
struct Stepping {
    next: AtomicI64,
    step: i64,
}

impl Stepping {
    fn new(start: Timestamp, step: i64) -> Self {
        Self {
            next: AtomicI64::new(start),
            step,
        }
    }
}

impl Clock for Stepping {
    fn now(&self) -> Timestamp {
        self.next.fetch_add(self.step, Ordering::SeqCst)
    }
}

async fn state_of<R: Registry>(registry: &R, raw: &str) -> Option<ClaimState> {
    registry
        .get(name(raw).key())
        .await
        .unwrap()
        .map(|c| c.state)
}

async fn claim_of<R: Registry>(registry: &R, raw: &str) -> Option<Claim> {
    registry.get(name(raw).key()).await.unwrap()
}

fn active(user_name: &str) -> Option<ClaimState> {
    Some(ClaimState::Active {
        owner: Owner::Sub(sub_of(user_name)),
    })
}

/// An import that takes an hour per user writes each reservation when it gets to it, so each
/// lasts its full lifetime from then, not from the start of the run.
pub async fn an_import_of_hours_gives_each_reservation_its_full_lifetime<R: Registry>(registry: R) {
    let pool = MemoryDirectory::new(10);
    for (i, user_name) in ["u-first", "u-second", "u-third"].iter().enumerate() {
        let raw = format!("Waiting_{i}");
        pool.add(unconfirmed_user(user_name, i as i64, Some(&raw)));
    }
    let clock = Stepping::new(T0, HOUR);
    let (outcomes, summary) = import_with(&registry, &pool, &import_options(false), &clock)
        .await
        .unwrap();
    assert_eq!(summary.reserved, 3, "{outcomes:?}");
    for (i, user_name) in ["u-first", "u-second", "u-third"].iter().enumerate() {
        let expires_at = T0 + i as i64 * HOUR + DAY;
        assert_eq!(
            outcomes[&sub_of(user_name)],
            ImportOutcome::Reserved {
                name: format!("Waiting_{i}"),
                expires_at
            }
        );
        assert!(matches!(
            state_of(&registry, &format!("Waiting_{i}")).await,
            Some(ClaimState::Pending { expires_at: e, .. }) if e == expires_at
        ));
    }
}

/// A reconcile that takes an hour per owner starts each quarantine when it retires the name, so
/// each lasts its full length.
pub async fn a_reconcile_of_hours_gives_each_quarantine_its_full_length<
    R: Registry + OwnerListing,
>(
    registry: R,
) {
    for user_name in ["u-a", "u-b", "u-c"] {
        let raw = format!("Left_{}", &user_name[2..]);
        registry
            .commit(&commitment(&raw, user_name, Contacts::none()), T0 - DAY)
            .await
            .unwrap();
    }
    let empty = MemoryDirectory::new(10);
    let clock = Stepping::new(T0, HOUR);
    let (reports, summary) = reconcile_with(
        &registry,
        &empty,
        &reconcile_options(false),
        &clock,
        &NoDeadline,
    )
    .await
    .unwrap();
    assert_eq!(summary.quarantined, 3);
    let mut ends: Vec<Timestamp> = reports
        .iter()
        .map(|(_, outcome)| match outcome {
            ReconcileOutcome::Quarantined { until, .. } => *until,
            other => panic!("{other:?}"),
        })
        .collect();
    ends.sort();
    assert_eq!(
        ends,
        [
            T0 + QUARANTINE,
            T0 + HOUR + QUARANTINE,
            T0 + 2 * HOUR + QUARANTINE
        ]
    );
}

/// `ListUsers` is eventually consistent: a user it does not show yet (nor find by `sub`) is
/// still found by `AdminGetUser`, and keeps their name.
pub async fn reconcile_never_retires_a_user_the_listing_missed<R: Registry + OwnerListing>(
    registry: R,
) {
    registry
        .commit(&commitment("Fresh", "u-fresh", Contacts::none()), T0 - DAY)
        .await
        .unwrap();
    let pool = MemoryDirectory::new(10);
    pool.add_unlisted(pool_user("u-fresh", 1, Some("Fresh")));
    let (reports, summary) = reconcile_with(
        &registry,
        &pool,
        &reconcile_options(false),
        &ManualClock::new(T0),
        &NoDeadline,
    )
    .await
    .unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    assert_eq!((summary.in_pool, summary.quarantined), (1, 0));
    assert_eq!(state_of(&registry, "Fresh").await, active("u-fresh"));
}

/// An owner whose name was committed within the grace period is left alone: the listing may not
/// show a user who confirmed a moment ago. Past it, a deleted owner's name is retired.
pub async fn reconcile_leaves_owners_committed_within_the_grace_period<
    R: Registry + OwnerListing,
>(
    registry: R,
) {
    registry
        .commit(&commitment("Moment", "u-moment", Contacts::none()), T0)
        .await
        .unwrap();
    let empty = MemoryDirectory::new(10);
    let options = ReconcileOptions {
        grace: Duration::from_secs(HOUR as u64),
        ..reconcile_options(false)
    };
    for (at, recent, quarantined) in [(T0 + 10 * 60, 1, 0), (T0 + HOUR, 0, 1)] {
        let (_, summary) = reconcile_with(
            &registry,
            &empty,
            &options,
            &ManualClock::new(at),
            &NoDeadline,
        )
        .await
        .unwrap();
        assert_eq!(
            (summary.recent, summary.quarantined),
            (recent, quarantined),
            "at {at}"
        );
    }
    assert!(matches!(
        state_of(&registry, "Moment").await,
        Some(ClaimState::Quarantined { .. })
    ));
}

/// In a case-sensitive pool `DANA_OWNER` is not the `Dana_Owner` who owns a first-version name:
/// the import upgrades it for `Dana_Owner` only, though `DANA_OWNER`'s account is older.
pub async fn a_case_sensitive_import_upgrades_only_the_exact_first_version_owner<
    R: Registry + Seed,
>(
    registry: R,
) {
    registry
        .seed(&entry("Dana_Name", first_version("Dana_Owner")))
        .await;
    let pool = MemoryDirectory::new(10);
    pool.set_case_sensitive(true);
    // Two users whose `userName`s differ by case only, with their own `sub`s.
    let upper = PoolUser {
        sub: "sub-upper".into(),
        ..pool_user("DANA_OWNER", 1, Some("Dana_Name"))
    };
    let exact = PoolUser {
        sub: "sub-exact".into(),
        ..pool_user("Dana_Owner", 2, Some("Dana_Name"))
    };
    pool.add(upper);
    pool.add(exact);
    let options = ImportOptions {
        case_sensitive_user_names: true,
        ..import_options(false)
    };
    check_case_rule(&pool, &NO_WAIT, true).await.unwrap();
    let (outcomes, _) = import_with(&registry, &pool, &options, &ManualClock::new(T0))
        .await
        .unwrap();
    assert!(
        matches!(&outcomes["sub-upper"], ImportOutcome::Taken { .. }),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes["sub-exact"],
        ImportOutcome::Registered {
            name: "Dana_Name".into()
        }
    );
    assert_eq!(
        state_of(&registry, "Dana_Name").await,
        Some(ClaimState::Active {
            owner: Owner::Sub("sub-exact".into())
        })
    );
}

/// A name its owner gave up waits in their quarantine: an import (which operators run again)
/// reports it as given up, refuses nothing, and writes nothing.
pub async fn an_import_leaves_a_name_given_up_given_up<R: Registry>(registry: R) {
    registry
        .commit(&commitment("Alice", "u-a", Contacts::none()), T0)
        .await
        .unwrap();
    let until = T0 + 1 + QUARANTINE;
    registry
        .release(&sub_of("u-a"), Some(until), T0 + 1)
        .await
        .unwrap();
    let given_up = claim_of(&registry, "Alice").await;
    // The pool still says Alice (the attribute was not removed).
    let pool = MemoryDirectory::new(10);
    pool.add(pool_user("u-a", 1, Some("Alice")));
    for dry_run in [true, false] {
        let (outcomes, summary) = import_with(
            &registry,
            &pool,
            &import_options(dry_run),
            &ManualClock::new(T0 + 2),
        )
        .await
        .unwrap();
        assert_eq!(
            outcomes[&sub_of("u-a")],
            ImportOutcome::GivenUp {
                name: "Alice".into(),
                quarantined_until: until
            },
            "dry run: {dry_run}"
        );
        assert_eq!(summary.given_up, 1);
        assert!(!summary.refused_any());
    }
    assert_eq!(claim_of(&registry, "Alice").await, given_up);
}

/// The documented order of attaching to a pool with users (docs/operations.md): import while
/// sign-ups are open, pause sign-ups, import again, attach the triggers, resume. Every account
/// that exists when the triggers start (confirmed or not, from before the first import or from
/// between the two) holds its name; no newcomer takes one; the unconfirmed user's confirmation
/// commits theirs.
pub async fn attaching_to_a_pool_with_users_leaves_no_window<R: Registry + 'static>(registry: R) {
    let registry = Arc::new(registry);
    let pool = MemoryDirectory::new(2);
    pool.add(pool_user("u-erin", 1, Some("Erin_Name")));
    pool.add(unconfirmed_user("u-una", 2, Some("Una_Name")));
    let (first, _) = import_with(
        &registry,
        &pool,
        &import_options(false),
        &ManualClock::new(T0),
    )
    .await
    .unwrap();
    assert!(matches!(
        first[&sub_of("u-una")],
        ImportOutcome::Reserved { .. }
    ));
    // Sign-ups are still open: Gil signs up (no trigger attached yet) and confirms.
    pool.add(pool_user("u-gil", 3, Some("Gil_Name")));
    // Sign-ups paused (AllowAdminCreateUserOnly): the second import sees every account.
    let (second, _) = import_with(
        &registry,
        &pool,
        &import_options(false),
        &ManualClock::new(T0 + 60),
    )
    .await
    .unwrap();
    assert_eq!(
        second[&sub_of("u-gil")],
        ImportOutcome::Registered {
            name: "Gil_Name".into()
        }
    );
    // The triggers attached, sign-ups resumed: a newcomer asks for each name.
    let users = Arc::new(MemoryPool::new());
    for user_name in ["u-erin", "u-una", "u-gil"] {
        users.add(user_name);
    }
    let mut triggers = Triggers::new(registry.clone(), Settings::default()).with_pool(users);
    triggers.clock = Arc::new(ManualClock::new(T0 + 120));
    let newcomer = User::new("u-new", "sub-new").email("new@example.com");
    for raw in ["Erin_Name", "Una_Name", "Gil_Name", "erin-name", "UNA_NAME"] {
        let answer = dispatch(&triggers, newcomer.sign_up("SignUp", Some(raw))).await;
        assert_eq!(answer.outcome, "name_taken", "{raw}");
    }
    // Una confirms at last: her name is committed.
    let una_sub = sub_of("u-una");
    let una = User::new("u-una", &una_sub);
    let confirmed = dispatch(&triggers, una.confirm(Some("Una_Name"), false, false)).await;
    assert_eq!(confirmed.outcome, "name_committed");
    for (raw, user_name) in [
        ("Erin_Name", "u-erin"),
        ("Una_Name", "u-una"),
        ("Gil_Name", "u-gil"),
    ] {
        assert_eq!(state_of(&*registry, raw).await, active(user_name), "{raw}");
    }
}

/// An operator releases a first-version name (owned by a `userName`) the way reconcile retires
/// one, and with a pool removes the owner's `preferred_username` too.
pub async fn an_operator_releases_names_and_their_attribute<R: Registry + Seed>(registry: R) {
    registry
        .seed(&entry("Vintage", first_version("Old.Timer")))
        .await;
    registry
        .commit(&commitment("Alice", "u-a", Contacts::none()), T0)
        .await
        .unwrap();
    let pool = MemoryDirectory::new(10);
    pool.add(pool_user("u-a", 1, Some("Alice")));
    pool.add(pool_user("Old.Timer", 2, Some("Vintage")));
    let mirror = || {
        Some(Mirror {
            directory: &pool,
            backoff: NO_WAIT,
        })
    };
    let released = admin::release(&registry, &lifecycle(), "Vintage", false, mirror(), T0 + 1)
        .await
        .unwrap();
    assert_eq!(
        (
            released.state,
            released.previous_owner.as_deref(),
            released.attribute_cleared
        ),
        ("quarantined", Some("Old.Timer"), Some(true))
    );
    assert_eq!(
        state_of(&registry, "Vintage").await,
        Some(ClaimState::Quarantined {
            previous_owner: "Old.Timer".into(),
            until: T0 + 1 + QUARANTINE
        })
    );
    assert_eq!(pool.preferred_username(&sub_of("Old.Timer")), None);

    // More failures than the command's retries.
    pool.fail_updates(NO_WAIT.attempts as usize);
    let Err((error, Some(partial))) =
        admin::release(&registry, &lifecycle(), "Alice", false, mirror(), T0 + 2).await
    else {
        panic!("a failed removal is reported");
    };
    assert_eq!(error.code(), "cognito_unavailable");
    assert_eq!(
        (partial.state, partial.attribute_cleared),
        ("quarantined", Some(false))
    );
    assert_eq!(
        pool.preferred_username(&sub_of("u-a")).as_deref(),
        Some("Alice")
    );
    // The registry let the name go; running the same command again removes the attribute.
    let again = admin::release(&registry, &lifecycle(), "Alice", false, mirror(), T0 + 3).await;
    assert!(
        matches!(again, Ok(ref f) if f.state == "quarantined"),
        "{again:?}"
    );
    assert_eq!(pool.preferred_username(&sub_of("u-a")), None);
}

/// The pool's case rule is checked before a run writes anything: a mismatch is refused with one
/// sentence naming the setting.
#[tokio::test]
async fn a_pool_whose_case_rule_differs_from_the_setting_is_refused() {
    let pool = MemoryDirectory::new(10);
    pool.set_case_sensitive(true);
    let refused = check_case_rule(&pool, &NO_WAIT, false).await.unwrap_err();
    assert!(matches!(
        refused,
        OperationError::CaseRuleMismatch {
            pool_case_sensitive: true
        }
    ));
    assert_eq!(refused.code(), "case_rule_mismatch");
    let sentence = refused.to_string();
    assert!(
        sentence.contains("USERNAMES_CASE_SENSITIVE_USERNAMES is false")
            && sentence.contains("set it to true"),
        "{sentence}"
    );
    assert!(check_case_rule(&pool, &NO_WAIT, true).await.is_ok());
    pool.set_case_sensitive(false);
    assert!(check_case_rule(&pool, &NO_WAIT, true).await.is_err());
}

macro_rules! pool_cases {
    ($make:expr) => {
        pool_cases!(@cases $make;
            an_import_of_hours_gives_each_reservation_its_full_lifetime,
            a_reconcile_of_hours_gives_each_quarantine_its_full_length,
            reconcile_never_retires_a_user_the_listing_missed,
            reconcile_leaves_owners_committed_within_the_grace_period,
            a_case_sensitive_import_upgrades_only_the_exact_first_version_owner,
            an_import_leaves_a_name_given_up_given_up,
            attaching_to_a_pool_with_users_leaves_no_window,
            an_operator_releases_names_and_their_attribute,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                super::$case($make.await).await;
            }
        )+
    };
}

mod memory {
    pool_cases!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    pool_cases!(integration_tests::moto::moto_registry());
}

mod disk {
    pool_cases!(integration_tests::disk::disk_registry());
}

/// On a real pool (moto's `cognito-idp`, email sign-in as Amplify sets it up): a user the
/// listing does not show yet is found by `AdminGetUser` with their `sub` and keeps their name;
/// once deleted, the name is retired.
#[tokio::test]
async fn on_a_real_pool_admin_get_user_finds_a_user_the_listing_missed() {
    use integration_tests::cognito::{add_user, cognito, delete_user, new_email_pool};
    use integration_tests::contract::holder;
    use integration_tests::operators::Lagging;
    use shared::operations::cognito::CognitoDirectory;
    use shared::registry::Commitment;
    let admin = cognito();
    let pool = new_email_pool(&admin).await;
    let sub = add_user(&admin, &pool, "fresh@example.com", None).await;
    let registry = integration_tests::moto::moto_registry().await;
    let c = Commitment {
        username: name("Fresh"),
        holder: holder(&sub),
        sub: sub.clone(),
        verified: Contacts::none(),
    };
    registry.commit(&c, T0 - DAY).await.unwrap();
    let directory = CognitoDirectory::new(cognito(), pool.clone());
    let lagging = Lagging {
        pool: &directory,
        hidden: std::collections::HashSet::from([sub.clone()]),
    };
    let options = reconcile_options(false);
    let clock = ManualClock::new(T0);
    let (reports, summary) = reconcile_with(&registry, &lagging, &options, &clock, &NoDeadline)
        .await
        .unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    assert_eq!(summary.in_pool, 1);
    delete_user(&admin, &pool, &sub).await;
    let (_, summary) = reconcile_with(&registry, &lagging, &options, &clock, &NoDeadline)
        .await
        .unwrap();
    assert_eq!(summary.quarantined, 1);
}
