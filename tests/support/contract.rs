//! The registry contract: what every `Registry` must do, written once over `R: Registry` and run
//! on each store by [`registry_contract_tests!`](crate::registry_contract_tests). Time is passed in
//! explicitly, so expiry is tested at exact instants.

use shared::policy::{Policy, Username, KEY_VERSION};
use shared::registry::{
    Claim, ClaimState, CommitOutcome, EmailHash, Registry, Reservation, ReserveOutcome, Timestamp,
};

/// The instant most cases start at.
pub const T0: Timestamp = 1_700_000_000;
/// How long a pending reservation lasts in these cases.
pub const LIFETIME: i64 = 24 * 60 * 60;

/// A name the default policy accepts; panics with the policy's verdict otherwise.
pub fn name(raw: &str) -> Username {
    Policy::default().evaluate(raw).unwrap_or_else(|v| {
        panic!(
            "the default policy rejects {raw:?} ({}); pick another test name",
            v.code()
        )
    })
}

/// A reservation made at `now` for the usual lifetime.
pub fn reservation(raw: &str, owner: &str, email: Option<&str>, now: Timestamp) -> Reservation {
    Reservation {
        username: name(raw),
        owner: owner.to_owned(),
        email_hash: email.map(EmailHash::of_email),
        expires_at: now + LIFETIME,
    }
}

/// Spellings of one name that the policy must treat as the same name: case, separators and
/// confusable look-alikes (UTS #39: `1` looks like `l`, `rn` like `m`).
pub const MELODY_VARIANTS: &[&str] = &[
    "melody", "Melody", "MELODY", "mel_ody", "mel.ody", "me-lody", "me1ody", "rnelody", "RNE1ODY",
    "Rne_1ody",
];

async fn claim<R: Registry>(registry: &R, raw: &str) -> Option<Claim> {
    registry.get(name(raw).key()).await.expect("get")
}

async fn reserve<R: Registry>(registry: &R, r: &Reservation, now: Timestamp) -> ReserveOutcome {
    registry.reserve(r, now).await.expect("reserve")
}

async fn commit<R: Registry>(
    registry: &R,
    raw: &str,
    owner: &str,
    now: Timestamp,
) -> CommitOutcome {
    registry
        .commit(&name(raw), owner, None, now)
        .await
        .expect("commit")
}

pub async fn reserving_a_free_name_holds_it_pending<R: Registry>(registry: R) {
    let r = reservation("alice", "user-a", Some("alice@example.com"), T0);
    assert_eq!(reserve(&registry, &r, T0).await, ReserveOutcome::Reserved);
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(held.key, *name("alice").key());
    assert_eq!(held.display, "alice");
    assert_eq!(held.owner, "user-a");
    assert_eq!(
        held.state,
        ClaimState::Pending {
            expires_at: T0 + LIFETIME
        }
    );
    assert_eq!(held.key_version, KEY_VERSION);
    assert_eq!(
        held.email_hash,
        Some(EmailHash::of_email("alice@example.com"))
    );
    assert!(
        claim(&registry, "bob").await.is_none(),
        "other names stay free"
    );
}

pub async fn a_live_pending_name_is_taken_for_others<R: Registry>(registry: R) {
    let a = reservation("alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &a, T0).await;
    let before = claim(&registry, "alice").await;
    for (owner, email) in [("user-b", Some("b@example.com")), ("user-c", None)] {
        let other = reservation("alice", owner, email, T0 + 1);
        assert_eq!(
            reserve(&registry, &other, T0 + 1).await,
            ReserveOutcome::Taken,
            "{owner}"
        );
    }
    assert_eq!(
        claim(&registry, "alice").await,
        before,
        "a refused reservation changes nothing"
    );
}

pub async fn reserving_again_is_idempotent<R: Registry>(registry: R) {
    let first = reservation("alice", "user-a", Some("a@example.com"), T0);
    assert_eq!(
        reserve(&registry, &first, T0).await,
        ReserveOutcome::Reserved
    );
    let held = claim(&registry, "alice").await;
    // A replay, now or a little later (Cognito retries), neither fails nor changes the claim.
    for later in [0, 1, 600] {
        let replay = reservation("alice", "user-a", Some("a@example.com"), T0 + later);
        assert_eq!(
            reserve(&registry, &replay, T0 + later).await,
            ReserveOutcome::Reserved
        );
        assert_eq!(
            claim(&registry, "alice").await,
            held,
            "replay {later} s later"
        );
    }
}

pub async fn an_active_name_is_never_reserved_by_another<R: Registry>(registry: R) {
    let a = reservation("alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &a, T0).await;
    assert_eq!(
        commit(&registry, "alice", "user-a", T0 + 5).await,
        CommitOutcome::Committed
    );
    // Long after the reservation would have expired, an active claim still holds.
    let much_later = T0 + 10 * LIFETIME;
    let b = reservation("alice", "user-b", Some("b@example.com"), much_later);
    assert_eq!(
        reserve(&registry, &b, much_later).await,
        ReserveOutcome::Taken
    );
    // The owner's own late sign-up replay is answered, and does not demote the claim to pending.
    let replay = reservation("alice", "user-a", Some("a@example.com"), much_later);
    assert_eq!(
        reserve(&registry, &replay, much_later).await,
        ReserveOutcome::Reserved
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(
        (held.owner.as_str(), held.state),
        ("user-a", ClaimState::Active)
    );
}

pub async fn an_expired_pending_name_can_be_taken_an_unexpired_one_cannot<R: Registry>(
    registry: R,
) {
    let a = reservation("alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &a, T0).await;
    let expiry = T0 + LIFETIME;
    let early = reservation("alice", "user-b", Some("b@example.com"), expiry - 1);
    assert_eq!(
        reserve(&registry, &early, expiry - 1).await,
        ReserveOutcome::Taken,
        "one second before expiry"
    );
    let on_time = reservation("alice", "user-b", Some("b@example.com"), expiry);
    assert_eq!(
        reserve(&registry, &on_time, expiry).await,
        ReserveOutcome::Reserved,
        "at expiry"
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(held.owner, "user-b");
    assert_eq!(
        held.state,
        ClaimState::Pending {
            expires_at: expiry + LIFETIME
        }
    );
    assert_eq!(held.email_hash, Some(EmailHash::of_email("b@example.com")));
    // The first owner lost it.
    let late = reservation("alice", "user-a", Some("other@example.com"), expiry);
    assert_eq!(
        reserve(&registry, &late, expiry).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "alice", "user-a", expiry).await,
        CommitOutcome::Taken
    );
}

pub async fn the_same_person_retrying_sign_up_takes_over_their_pending_name<R: Registry>(
    registry: R,
) {
    let first = reservation("alice", "generated-1", Some("alice@example.com"), T0);
    reserve(&registry, &first, T0).await;
    // The same email, spelled with other case and spaces, under a new generated userName.
    let retry = reservation(
        "alice",
        "generated-2",
        Some("  Alice@Example.COM "),
        T0 + 60,
    );
    assert_eq!(
        reserve(&registry, &retry, T0 + 60).await,
        ReserveOutcome::Reserved
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(held.owner, "generated-2");
    assert_eq!(
        held.state,
        ClaimState::Pending {
            expires_at: T0 + 60 + LIFETIME
        }
    );
    // Someone else, with another email or none, is still kept off.
    for (owner, email) in [
        ("stranger", Some("mallory@example.com")),
        ("no-email", None),
    ] {
        let other = reservation("alice", owner, email, T0 + 61);
        assert_eq!(
            reserve(&registry, &other, T0 + 61).await,
            ReserveOutcome::Taken,
            "{owner}"
        );
    }
    assert_eq!(
        commit(&registry, "alice", "generated-2", T0 + 62).await,
        CommitOutcome::Committed
    );
}

pub async fn the_same_email_never_takes_an_active_name<R: Registry>(registry: R) {
    let first = reservation("alice", "user-a", Some("alice@example.com"), T0);
    reserve(&registry, &first, T0).await;
    commit(&registry, "alice", "user-a", T0 + 1).await;
    let second = reservation("alice", "user-b", Some("alice@example.com"), T0 + 2);
    assert_eq!(
        reserve(&registry, &second, T0 + 2).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        claim(&registry, "alice").await.map(|c| c.owner),
        Some("user-a".to_owned())
    );
}

pub async fn committing_a_reservation_makes_it_active<R: Registry>(registry: R) {
    let r = reservation("alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &r, T0).await;
    assert_eq!(
        commit(&registry, "alice", "user-a", T0 + 30).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(held.owner, "user-a");
    assert_eq!(held.display, "alice");
    assert_eq!(held.state, ClaimState::Active);
    assert_eq!(held.key_version, KEY_VERSION);
    assert_eq!(
        held.email_hash, None,
        "the email hash is dropped once the claim is active"
    );
    assert!(held.is_live(T0 + 100 * LIFETIME));
}

pub async fn committing_without_a_reservation_claims_a_free_name<R: Registry>(registry: R) {
    assert_eq!(
        commit(&registry, "alice", "user-a", T0).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(
        (held.owner.as_str(), held.state, held.key_version),
        ("user-a", ClaimState::Active, KEY_VERSION)
    );
}

pub async fn committing_an_expired_reservation_claims_it_again_when_free<R: Registry>(registry: R) {
    // The owner's own reservation expired before confirmation.
    let own = reservation("alice", "user-a", None, T0);
    reserve(&registry, &own, T0).await;
    assert_eq!(
        commit(&registry, "alice", "user-a", T0 + 3 * LIFETIME).await,
        CommitOutcome::Committed
    );
    assert_eq!(
        claim(&registry, "alice").await.map(|c| c.state),
        Some(ClaimState::Active)
    );
    // Someone else's reservation expired: the name is free for the committing owner.
    let other = reservation("bob", "user-b", None, T0);
    reserve(&registry, &other, T0).await;
    assert_eq!(
        commit(&registry, "bob", "user-c", T0 + LIFETIME - 1).await,
        CommitOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "bob", "user-c", T0 + LIFETIME).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "bob").await.expect("a claim");
    assert_eq!(
        (held.owner.as_str(), held.state),
        ("user-c", ClaimState::Active)
    );
}

pub async fn committing_a_name_someone_else_holds_changes_nothing<R: Registry>(registry: R) {
    let a = reservation("alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &a, T0).await;
    let pending = claim(&registry, "alice").await;
    assert_eq!(
        commit(&registry, "alice", "user-b", T0 + 1).await,
        CommitOutcome::Taken
    );
    assert_eq!(claim(&registry, "alice").await, pending);
    commit(&registry, "alice", "user-a", T0 + 2).await;
    let active = claim(&registry, "alice").await;
    assert_eq!(
        commit(&registry, "alice", "user-b", T0 + 10 * LIFETIME).await,
        CommitOutcome::Taken
    );
    assert_eq!(claim(&registry, "alice").await, active);
}

pub async fn confirming_one_of_two_sign_ups_with_one_email_commits_the_name<R: Registry>(
    registry: R,
) {
    // The person signed up as user-a, then again as user-b (same email, new generated userName),
    // which took the reservation over; then they confirmed user-a's code.
    let email = "melody@example.com";
    reserve(
        &registry,
        &reservation("melody", "user-a", Some(email), T0),
        T0,
    )
    .await;
    let retry = reservation("melody", "user-b", Some(email), T0 + 60);
    assert_eq!(
        reserve(&registry, &retry, T0 + 60).await,
        ReserveOutcome::Reserved
    );

    let hash = EmailHash::of_email(email);
    let someone_else = EmailHash::of_email("mallory@example.com");
    assert_eq!(
        registry
            .commit(&name("melody"), "user-x", Some(&someone_else), T0 + 90)
            .await
            .expect("commit"),
        CommitOutcome::Taken
    );
    assert_eq!(
        registry
            .commit(&name("melody"), "user-a", Some(&hash), T0 + 120)
            .await
            .expect("commit"),
        CommitOutcome::Committed
    );
    let held = claim(&registry, "melody").await.expect("a claim");
    assert_eq!(
        (held.owner.as_str(), held.state, held.email_hash),
        ("user-a", ClaimState::Active, None)
    );
    // Once active, the same email hash takes nothing over.
    assert_eq!(
        registry
            .commit(&name("melody"), "user-b", Some(&hash), T0 + 180)
            .await
            .expect("commit"),
        CommitOutcome::Taken
    );
}

pub async fn committing_again_is_idempotent<R: Registry>(registry: R) {
    let r = reservation("alice", "user-a", None, T0);
    reserve(&registry, &r, T0).await;
    assert_eq!(
        commit(&registry, "alice", "user-a", T0 + 1).await,
        CommitOutcome::Committed
    );
    let active = claim(&registry, "alice").await;
    for later in [1, 2, 10 * LIFETIME] {
        assert_eq!(
            commit(&registry, "alice", "user-a", T0 + later).await,
            CommitOutcome::Committed
        );
        assert_eq!(
            claim(&registry, "alice").await,
            active,
            "replay at +{later} s"
        );
    }
}

pub async fn only_the_owner_releases_a_name<R: Registry>(registry: R) {
    let key = name("alice").key().clone();
    assert!(
        !registry.release(&key, "user-a").await.expect("release"),
        "nothing to release"
    );
    commit(&registry, "alice", "user-a", T0).await;
    assert!(!registry.release(&key, "user-b").await.expect("release"));
    assert!(
        claim(&registry, "alice").await.is_some(),
        "another owner cannot release it"
    );
    assert!(registry.release(&key, "user-a").await.expect("release"));
    assert!(claim(&registry, "alice").await.is_none());
    assert!(
        !registry.release(&key, "user-a").await.expect("release"),
        "released once"
    );
    let b = reservation("alice", "user-b", None, T0 + 1);
    assert_eq!(
        reserve(&registry, &b, T0 + 1).await,
        ReserveOutcome::Reserved,
        "free again"
    );
}

pub async fn claims_are_found_by_owner<R: Registry>(registry: R) {
    reserve(
        &registry,
        &reservation("alice", "user-a", Some("a@example.com"), T0),
        T0,
    )
    .await;
    commit(&registry, "zelda", "user-a", T0).await;
    commit(&registry, "bob", "user-b", T0).await;
    let found = registry
        .find_by_owner("user-a")
        .await
        .expect("find_by_owner");
    let mut expected = vec![
        claim(&registry, "alice").await.expect("alice"),
        claim(&registry, "zelda").await.expect("zelda"),
    ];
    expected.sort_by(|x, y| x.key.cmp(&y.key));
    assert_eq!(
        found, expected,
        "a pending and an active claim, by key, nothing of user-b"
    );
    assert!(registry
        .find_by_owner("nobody")
        .await
        .expect("find_by_owner")
        .is_empty());
    assert_eq!(
        registry
            .find_by_owner("user-b")
            .await
            .expect("find_by_owner")
            .len(),
        1
    );
}

pub async fn spelling_variants_are_one_name<R: Registry>(registry: R) {
    let base = name(MELODY_VARIANTS[0]);
    for variant in MELODY_VARIANTS {
        assert_eq!(
            name(variant).key(),
            base.key(),
            "{variant:?} must be the same name as {:?}",
            MELODY_VARIANTS[0]
        );
    }
    let first = reservation(MELODY_VARIANTS[1], "user-0", None, T0);
    assert_eq!(
        reserve(&registry, &first, T0).await,
        ReserveOutcome::Reserved
    );
    for (i, variant) in MELODY_VARIANTS.iter().enumerate().skip(2) {
        let owner = format!("user-{i}");
        let r = reservation(
            variant,
            &owner,
            Some(&format!("{owner}@example.com")),
            T0 + 1,
        );
        assert_eq!(
            reserve(&registry, &r, T0 + 1).await,
            ReserveOutcome::Taken,
            "{variant:?}"
        );
        assert_eq!(
            commit(&registry, variant, &owner, T0 + 1).await,
            CommitOutcome::Taken,
            "{variant:?}"
        );
    }
    let held = claim(&registry, MELODY_VARIANTS[0]).await.expect("a claim");
    assert_eq!(
        (held.owner.as_str(), held.display.as_str()),
        ("user-0", MELODY_VARIANTS[1])
    );
    // The owner commits under another spelling of the same name: one claim, now in that spelling.
    assert_eq!(
        commit(&registry, "MELODY", "user-0", T0 + 2).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "melody").await.expect("a claim");
    assert_eq!(
        (held.owner.as_str(), held.display.as_str(), held.state),
        ("user-0", "MELODY", ClaimState::Active)
    );
}

/// Declares one `#[tokio::test]` per contract case, each on a fresh store from `$make`
/// (an expression that evaluates to a future of the store).
#[macro_export]
macro_rules! registry_contract_tests {
    ($make:expr) => {
        $crate::registry_contract_tests!(@cases $make;
            reserving_a_free_name_holds_it_pending,
            confirming_one_of_two_sign_ups_with_one_email_commits_the_name,
            a_live_pending_name_is_taken_for_others,
            reserving_again_is_idempotent,
            an_active_name_is_never_reserved_by_another,
            an_expired_pending_name_can_be_taken_an_unexpired_one_cannot,
            the_same_person_retrying_sign_up_takes_over_their_pending_name,
            the_same_email_never_takes_an_active_name,
            committing_a_reservation_makes_it_active,
            committing_without_a_reservation_claims_a_free_name,
            committing_an_expired_reservation_claims_it_again_when_free,
            committing_a_name_someone_else_holds_changes_nothing,
            committing_again_is_idempotent,
            only_the_owner_releases_a_name,
            claims_are_found_by_owner,
            spelling_variants_are_one_name,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                $crate::contract::$case($make.await).await;
            }
        )+
    };
}
