//! Races on every store: DynamoDB (moto, single-threaded like the real thing is atomic per item),
//! the memory store and the store on disk: concurrent reservations and commits of spellings of one
//! name leave exactly one owner, and concurrent replays of one request all get the same answer.

use integration_tests::contract::{
    commitment, email, name, pending_of, reservation, stored_holder, LIFETIME, T0,
};
use shared::policy::Username;
use shared::registry::{
    Claim, ClaimState, CommitOutcome, Commitment, Contacts, Owner, Registry, Reservation,
    ReserveOutcome,
};
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Barrier;

/// Contenders per race (the issue asks for at least 20).
const CONTENDERS: usize = 24;
/// Names each race is repeated over; each has an `l` and an `m` for confusable spellings.
const NAMES: &[&str] = &["melody", "samuel", "lemma", "marlowe", "emily"];

/// At least `CONTENDERS` distinct spellings of `base` that the policy must treat as `base`:
/// case changes, one separator inside, `1` for `l` and `rn` for `m` (UTS #39 confusables).
fn spellings(base: &str) -> Vec<String> {
    let chars: Vec<char> = base.chars().collect();
    let mut out: BTreeSet<String> = BTreeSet::new();
    let confusables = [
        base.replace('l', "1"),
        base.replace('m', "rn"),
        base.replace('l', "1").replace('m', "rn"),
    ];
    for form in std::iter::once(base.to_owned()).chain(confusables) {
        out.insert(form.to_uppercase());
        let mut title = form.clone();
        title[..1].make_ascii_uppercase();
        out.insert(title);
        out.insert(form);
    }
    // Separators inside the name and inside its `1`-for-`l` form (never between an `r` and an `n`
    // standing for `m`: that spelling is the policy suite's business, not a race's).
    let digit_form: Vec<char> = base.replace('l', "1").chars().collect();
    for form in [&chars, &digit_form] {
        for i in 1..form.len() {
            for separator in ['_', '-'] {
                let (head, tail) = form.split_at(i);
                out.insert(format!(
                    "{}{separator}{}",
                    head.iter().collect::<String>(),
                    tail.iter().collect::<String>()
                ));
            }
        }
    }
    let out: Vec<String> = out.into_iter().collect();
    assert!(
        out.len() >= CONTENDERS,
        "{base}: only {} spellings",
        out.len()
    );
    let key = name(base).key().clone();
    for spelling in &out {
        assert_eq!(
            name(spelling).key(),
            &key,
            "{spelling:?} must be the same name as {base:?}"
        );
    }
    out
}

/// Runs `tasks` at once: each waits at a barrier, then makes its request.
async fn all_at_once<T, F, Fut>(tasks: Vec<T>, run: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(tasks.len()));
    let run = Arc::new(run);
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            let (barrier, run) = (Arc::clone(&barrier), Arc::clone(&run));
            tokio::spawn(async move {
                barrier.wait().await;
                run(task).await
            })
        })
        .collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.expect("a race task panicked"));
    }
    outputs
}

fn owner(i: usize) -> String {
    format!("owner-{i}")
}

async fn reserve_all<R: Registry + Clone + 'static>(
    registry: &R,
    reservations: Vec<Reservation>,
    now: i64,
) -> Vec<(String, ReserveOutcome)> {
    let registry = registry.clone();
    all_at_once(reservations, move |r| {
        let registry = registry.clone();
        async move {
            let outcome = registry.reserve(&r, now).await.expect("reserve");
            (r.holder.user_name().to_owned(), outcome)
        }
    })
    .await
}

/// The `userName` that holds or owns an entry (owners' `sub`s are `sub-<userName>` here).
fn who(claim: &Claim) -> String {
    match &claim.state {
        // The holder is a keyed hash; its sealed `userName` says who it is.
        ClaimState::Pending { .. } => pending_of(claim).3.expect("a sealed holder"),
        ClaimState::Active {
            owner: Owner::Sub(sub),
        } => sub.trim_start_matches("sub-").to_owned(),
        other => panic!("unexpected {other:?}"),
    }
}

async fn holder<R: Registry>(registry: &R, username: &Username) -> (String, ClaimState) {
    let claim = registry
        .get(username.key())
        .await
        .expect("get")
        .expect("a claim");
    (who(&claim), claim.state)
}

async fn concurrent_spellings_of_a_free_name_leave_one_owner<R, F>(make: impl Fn() -> F)
where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    for base in NAMES {
        let registry = make().await;
        let reservations = spellings(base)
            .iter()
            .take(CONTENDERS)
            .enumerate()
            .map(|(i, spelling)| {
                reservation(spelling, &owner(i), Some(&format!("{i}@example.com")), T0)
            })
            .collect();
        let outcomes = reserve_all(&registry, reservations, T0).await;
        let winners: Vec<&String> = outcomes
            .iter()
            .filter(|(_, o)| *o == ReserveOutcome::Reserved)
            .map(|(who, _)| who)
            .collect();
        assert_eq!(winners.len(), 1, "{base}: winners {winners:?}");
        let (held_by, _) = holder(&registry, &name(base)).await;
        assert_eq!(
            &held_by, winners[0],
            "{base}: the registry agrees with the answers"
        );
    }
}

async fn concurrent_spellings_of_an_expired_name_leave_one_owner<R, F>(make: impl Fn() -> F)
where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    for base in NAMES {
        let registry = make().await;
        let stale = reservation(base, "stale-owner", Some("stale@example.com"), T0);
        assert_eq!(
            registry.reserve(&stale, T0).await.expect("reserve"),
            ReserveOutcome::Reserved
        );
        let now = T0 + LIFETIME + 1;
        let reservations = spellings(base)
            .iter()
            .take(CONTENDERS)
            .enumerate()
            .map(|(i, spelling)| reservation(spelling, &owner(i), None, now))
            .collect();
        let outcomes = reserve_all(&registry, reservations, now).await;
        let winners: Vec<&String> = outcomes
            .iter()
            .filter(|(_, o)| *o == ReserveOutcome::Reserved)
            .map(|(who, _)| who)
            .collect();
        assert_eq!(winners.len(), 1, "{base}: winners {winners:?}");
        assert_eq!(
            &holder(&registry, &name(base)).await.0,
            winners[0],
            "{base}"
        );
    }
}

async fn concurrent_commits_and_reservations_leave_one_owner<R, F>(make: impl Fn() -> F)
where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    // Post-confirmation commits (owners 0..) race pre-sign-up reservations (owners 100..) on a
    // name whose old reservation has expired.
    for base in NAMES {
        let registry = make().await;
        let stale = reservation(base, "stale-owner", None, T0);
        registry.reserve(&stale, T0).await.expect("reserve");
        let now = T0 + LIFETIME;
        let spellings = spellings(base);
        let tasks: Vec<(usize, String)> = spellings
            .iter()
            .take(CONTENDERS)
            .cloned()
            .enumerate()
            .collect();
        let racing = registry.clone();
        let outcomes = all_at_once(tasks, move |(i, spelling)| {
            let registry = racing.clone();
            async move {
                if i % 2 == 0 {
                    let c = commitment(&spelling, &owner(i), Contacts::none());
                    let won = registry.commit(&c, now).await.expect("commit");
                    (owner(i), won == CommitOutcome::Committed)
                } else {
                    let r = reservation(&spelling, &owner(100 + i), None, now);
                    let won = registry.reserve(&r, now).await.expect("reserve");
                    (owner(100 + i), won == ReserveOutcome::Reserved)
                }
            }
        })
        .await;
        let winners: Vec<&String> = outcomes
            .iter()
            .filter(|(_, won)| *won)
            .map(|(who, _)| who)
            .collect();
        assert_eq!(winners.len(), 1, "{base}: winners {winners:?}");
        assert_eq!(
            &holder(&registry, &name(base)).await.0,
            winners[0],
            "{base}"
        );
    }
}

async fn a_reservation_replayed_concurrently_gets_one_answer<R, F>(make: impl Fn() -> F)
where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    for base in NAMES {
        let registry = make().await;
        let replay = reservation(base, "owner-x", Some("x@example.com"), T0);
        let outcomes = reserve_all(&registry, vec![replay; CONTENDERS], T0).await;
        assert!(
            outcomes.iter().all(|(_, o)| *o == ReserveOutcome::Reserved),
            "{base}: {outcomes:?}"
        );
        let claim = registry
            .get(name(base).key())
            .await
            .expect("get")
            .expect("a claim");
        assert_eq!(
            pending_of(&claim),
            (
                stored_holder("owner-x"),
                T0 + LIFETIME,
                email("x@example.com"),
                Some("owner-x".to_owned())
            )
        );

        // Then post-confirmation, replayed the same way.
        let c = commitment(base, "owner-x", Contacts::none());
        let committing = registry.clone();
        let commits = all_at_once(vec![c; CONTENDERS], move |c: Commitment| {
            let registry = committing.clone();
            async move { registry.commit(&c, T0 + 5).await.expect("commit") }
        })
        .await;
        assert!(
            commits.iter().all(|o| *o == CommitOutcome::Committed),
            "{base}: {commits:?}"
        );
        assert_eq!(
            holder(&registry, &name(base)).await,
            (
                "owner-x".to_owned(),
                ClaimState::Active {
                    owner: Owner::Sub("sub-owner-x".into())
                }
            )
        );
    }
}

async fn replays_racing_other_owners_agree_with_each_other<R, F>(make: impl Fn() -> F)
where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    // Half the requests are one sign-up replayed, half are other people: the replays either all
    // win or all lose, and exactly one person holds the name.
    for base in NAMES {
        let registry = make().await;
        let spellings = spellings(base);
        let replay = reservation(base, "owner-x", Some("x@example.com"), T0);
        let reservations: Vec<Reservation> = (0..CONTENDERS)
            .map(|i| {
                if i % 2 == 0 {
                    replay.clone()
                } else {
                    reservation(&spellings[i], &owner(i), None, T0)
                }
            })
            .collect();
        let outcomes = reserve_all(&registry, reservations, T0).await;
        let replay_answers: Vec<&ReserveOutcome> = outcomes
            .iter()
            .filter(|(who, _)| who == "owner-x")
            .map(|(_, o)| o)
            .collect();
        assert!(
            replay_answers.windows(2).all(|w| w[0] == w[1]),
            "{base}: replays disagree: {outcomes:?}"
        );
        let winners: BTreeSet<&String> = outcomes
            .iter()
            .filter(|(_, o)| *o == ReserveOutcome::Reserved)
            .map(|(who, _)| who)
            .collect();
        assert_eq!(winners.len(), 1, "{base}: winners {winners:?}");
        let (held_by, _) = holder(&registry, &name(base)).await;
        assert!(
            winners.contains(&held_by),
            "{base}: held by {held_by}, winners {winners:?}"
        );
    }
}

async fn one_persons_two_sign_ups_racing_a_stranger_leave_one_owner<R, F>(make: impl Fn() -> F)
where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    // The same person signs up twice (a retry under a new userName, same email) while a stranger
    // signs up for the same name; every admitted sign-up then confirms at once, the person's two
    // with their verified email, the stranger's without it.
    const ROUNDS: usize = 4;
    for base in NAMES {
        for round in 0..ROUNDS {
            let registry = make().await;
            let person = "person@example.com";
            let contenders = vec![
                reservation(base, "first", Some(person), T0),
                reservation(base, "retry", Some(person), T0),
                reservation(base, "stranger", Some("stranger@example.com"), T0),
            ];
            let reserved = reserve_all(&registry, contenders, T0).await;
            let admitted: Vec<String> = reserved
                .iter()
                .filter(|(_, o)| *o != ReserveOutcome::Taken)
                .map(|(who, _)| who.clone())
                .collect();
            let committing = registry.clone();
            let committed = all_at_once(admitted.clone(), move |user: String| {
                let registry = committing.clone();
                let verified = if user == "stranger" {
                    Contacts::none()
                } else {
                    email("person@example.com")
                };
                let c = commitment(base, &user, verified);
                async move { (user, registry.commit(&c, T0 + 1).await.expect("commit")) }
            })
            .await;
            let winners: Vec<&String> = committed
                .iter()
                .filter(|(_, o)| *o == CommitOutcome::Committed)
                .map(|(who, _)| who)
                .collect();
            assert_eq!(
                winners.len(),
                1,
                "{base} #{round}: {reserved:?} {committed:?}"
            );
            let (owner, _) = holder(&registry, &name(base)).await;
            assert_eq!(&owner, winners[0], "{base} #{round}");
            if admitted.contains(&"stranger".to_owned()) {
                assert_eq!(
                    admitted,
                    ["stranger"],
                    "{base} #{round}: the stranger was first"
                );
            } else {
                assert_ne!(owner, "stranger", "{base} #{round}");
            }
        }
    }
}

async fn a_token_commit_racing_reservations_at_the_expiry_second_leaves_one_owner<R, F>(
    make: impl Fn() -> F,
) where
    R: Registry + Clone + 'static,
    F: Future<Output = R>,
{
    // An administrator's user signs in for the first time at the second their reservation
    // expires, while others sign up for the name: the commit of the holder's own (expired)
    // reservation and the new reservations are all allowed by their conditions; one wins.
    for base in NAMES {
        let registry = make().await;
        registry
            .reserve(&reservation(base, "desk", None, T0), T0)
            .await
            .expect("reserve");
        let expiry = T0 + LIFETIME;
        let spellings = spellings(base);
        let tasks: Vec<(usize, String)> = spellings
            .iter()
            .take(CONTENDERS)
            .cloned()
            .enumerate()
            .collect();
        let racing = registry.clone();
        let outcomes = all_at_once(tasks, move |(i, spelling)| {
            let registry = racing.clone();
            async move {
                if i == 0 {
                    let c = commitment(&spelling, "desk", Contacts::none());
                    let won = registry.commit(&c, expiry).await.expect("commit");
                    ("desk".to_owned(), won == CommitOutcome::Committed)
                } else {
                    let r = reservation(&spelling, &owner(i), None, expiry);
                    let won = registry.reserve(&r, expiry).await.expect("reserve");
                    (owner(i), won == ReserveOutcome::Reserved)
                }
            }
        })
        .await;
        let winners: Vec<&String> = outcomes
            .iter()
            .filter(|(_, won)| *won)
            .map(|(who, _)| who)
            .collect();
        assert_eq!(winners.len(), 1, "{base}: winners {winners:?}");
        assert_eq!(
            &holder(&registry, &name(base)).await.0,
            winners[0],
            "{base}"
        );
        let owned = registry
            .user("sub-desk")
            .await
            .expect("user")
            .and_then(|u| u.owned);
        assert_eq!(
            owned.is_some(),
            *winners[0] == "desk",
            "{base}: the user record agrees"
        );
    }
}

macro_rules! race_tests {
    ($make:expr) => {
        race_tests!(@cases $make;
            concurrent_spellings_of_a_free_name_leave_one_owner,
            concurrent_spellings_of_an_expired_name_leave_one_owner,
            concurrent_commits_and_reservations_leave_one_owner,
            a_reservation_replayed_concurrently_gets_one_answer,
            replays_racing_other_owners_agree_with_each_other,
            one_persons_two_sign_ups_racing_a_stranger_leave_one_owner,
            a_token_commit_racing_reservations_at_the_expiry_second_leaves_one_owner,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                super::$case(|| $make).await;
            }
        )+
    };
}

mod dynamodb {
    race_tests!(integration_tests::moto::moto_registry());
}

mod memory {
    race_tests!(async { std::sync::Arc::new(shared::registry::MemoryRegistry::new()) });
}

/// Every contender on one handle (its clones share it): the races in one process. Handles and
/// processes that share a file race in `tests/disk_store.rs`.
mod disk {
    race_tests!(integration_tests::disk::disk_registry());
}
