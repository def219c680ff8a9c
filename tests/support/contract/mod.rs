//! The registry contract: what every `Registry` must do, written once over `R: Registry` and run
//! on each store by [`registry_contract_tests!`](crate::registry_contract_tests). Each case is a
//! sequence of events (sign-up, retry, confirm, sign-in...) written as the registry sees them.
//! Time is passed in explicitly, so expiry is tested at exact instants.

use shared::policy::{Policy, Username, KEY_VERSION};
use shared::registry::{
    BlockOutcome, BlockRequest, Claim, ClaimState, CommitOutcome, Commitment, ContactKey, Contacts,
    Holder, OwnedName, Owner, Registry, Rename, RenameOutcome, RenameUndo, Reservation,
    ReserveOutcome, Timestamp, UndoOutcome, UserRecord,
};
use std::future::Future;

mod pools;
pub use pools::*;

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

/// The contact hashes of an email (and no phone), under the development key.
pub fn email(address: &str) -> Contacts {
    Contacts {
        email: ContactKey::development().email(address),
        phone: None,
    }
}

/// The contact hashes of a phone number (and no email), under the development key.
pub fn phone(number: &str) -> Contacts {
    Contacts {
        email: None,
        phone: ContactKey::development().phone(number),
    }
}

/// The `sub` Cognito gives the user who signed up as `user_name` in these cases.
pub fn sub_of(user_name: &str) -> String {
    format!("sub-{}", user_name.to_lowercase())
}

/// `user_name` as the holder of a reservation in a case-insensitive pool (the template's), under
/// the development key.
pub fn holder(user_name: &str) -> Holder {
    Holder::new(user_name, false, &ContactKey::development())
}

/// `user_name` as the holder of a reservation in a case-sensitive pool.
pub fn case_sensitive_holder(user_name: &str) -> Holder {
    Holder::new(user_name, true, &ContactKey::development())
}

/// How a reservation of `user_name` (case-insensitive pool) stores its holder: a keyed hash.
pub fn stored_holder(user_name: &str) -> String {
    ContactKey::development().holder(&user_name.to_lowercase())
}

/// A reservation made at `now` for the usual lifetime, with the sign-up's email.
pub fn reservation(raw: &str, user_name: &str, with: Option<&str>, now: Timestamp) -> Reservation {
    Reservation {
        username: name(raw),
        holder: holder(user_name).sealed_by(&ContactKey::development()),
        contacts: with.map(email).unwrap_or_default(),
        expires_at: now + LIFETIME,
    }
}

/// A commitment of `user_name`'s name to its `sub`, with the contacts Cognito verified.
pub fn commitment(raw: &str, user_name: &str, verified: Contacts) -> Commitment {
    Commitment {
        username: name(raw),
        holder: holder(user_name),
        sub: sub_of(user_name),
        verified,
    }
}

/// A pending entry's holder, expiry and contacts, with its sealed `userName` opened (under the
/// development key): what a reservation must have written.
pub fn pending_of(claim: &Claim) -> (String, Timestamp, Contacts, Option<String>) {
    match &claim.state {
        ClaimState::Pending {
            holder,
            expires_at,
            contacts,
            sealed,
        } => (
            holder.clone(),
            *expires_at,
            contacts.clone(),
            sealed
                .as_deref()
                .and_then(|s| ContactKey::development().open(s)),
        ),
        other => panic!("not pending: {other:?}"),
    }
}

/// The `userName` a `HeldForRetry` answer names, opened; panics on any other answer.
pub fn held_for_retry_by(outcome: &ReserveOutcome) -> String {
    match outcome {
        ReserveOutcome::HeldForRetry { holder, sealed } => match sealed {
            Some(sealed) => ContactKey::development()
                .open(sealed)
                .expect("the sealed holder opens"),
            None => holder.clone(),
        },
        other => panic!("not held for retry: {other:?}"),
    }
}

/// Spellings of one name that the policy must treat as the same name: case, separators and
/// confusable look-alikes (UTS #39: `1` looks like `l`, `rn` like `m`).
pub const MELODY_VARIANTS: &[&str] = &[
    "melody", "Melody", "MELODY", "mel_ody", "mel.ody", "me-lody", "me1ody", "rnelody", "RNE1ODY",
    "Rne_1ody",
];

/// A store that can be put in a given state directly, as an older version or an operator left
/// it: entries the trait cannot write yet (first-version items, quarantines, blocks).
pub trait Seed {
    fn seed(&self, claim: &Claim) -> impl Future<Output = ()>;
    /// Puts `sub`'s user record as it is.
    fn seed_user(&self, sub: &str, record: &UserRecord) -> impl Future<Output = ()>;
}

impl Seed for shared::registry::MemoryRegistry {
    async fn seed(&self, claim: &Claim) {
        self.insert_raw(claim.clone());
    }

    async fn seed_user(&self, sub: &str, record: &UserRecord) {
        self.insert_user_raw(sub, record.clone());
    }
}

impl Seed for shared::registry::DiskRegistry {
    async fn seed(&self, claim: &Claim) {
        self.insert_raw(claim.clone()).await.expect("seed an entry");
    }

    async fn seed_user(&self, sub: &str, record: &UserRecord) {
        self.insert_user_raw(sub, record.clone())
            .await
            .expect("seed a user record");
    }
}

impl Seed for shared::registry::DynamoRegistry {
    async fn seed(&self, claim: &Claim) {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(crate::items::item_of(claim)))
            .send()
            .await
            .expect("seed an item");
    }

    async fn seed_user(&self, sub: &str, record: &UserRecord) {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(crate::items::user_item_of(sub, record)))
            .send()
            .await
            .expect("seed a user item");
    }
}

/// The state of a first-version active entry, owned by `user_name` as that version stored it
/// (no `sub`, no user record).
pub fn first_version(user_name: &str) -> ClaimState {
    ClaimState::Active {
        owner: Owner::LegacyUserName(user_name.to_owned()),
    }
}

/// An entry as `seed` takes it.
pub fn entry(raw: &str, state: ClaimState) -> Claim {
    let username = name(raw);
    Claim {
        key: username.key().clone(),
        display: username.display().to_owned(),
        state,
        key_version: KEY_VERSION,
        since: None,
    }
}

async fn claim<R: Registry>(registry: &R, raw: &str) -> Option<Claim> {
    registry.get(name(raw).key()).await.expect("get")
}

async fn owned<R: Registry>(registry: &R, user_name: &str) -> Option<OwnedName> {
    registry
        .user(&sub_of(user_name))
        .await
        .expect("user")
        .and_then(|u| u.owned)
}

async fn reserve<R: Registry>(registry: &R, r: &Reservation, now: Timestamp) -> ReserveOutcome {
    registry.reserve(r, now).await.expect("reserve")
}

async fn commit_as<R: Registry>(registry: &R, c: &Commitment, now: Timestamp) -> CommitOutcome {
    registry.commit(c, now).await.expect("commit")
}

/// `user_name` confirms: its name is committed to its `sub`, with no verified contact.
async fn commit<R: Registry>(
    registry: &R,
    raw: &str,
    user_name: &str,
    now: Timestamp,
) -> CommitOutcome {
    commit_as(registry, &commitment(raw, user_name, Contacts::none()), now).await
}

fn active(user_name: &str) -> ClaimState {
    ClaimState::Active {
        owner: Owner::Sub(sub_of(user_name)),
    }
}

pub async fn reserving_a_free_name_holds_it_pending<R: Registry>(registry: R) {
    let r = reservation("alice", "User-A", Some("alice@example.com"), T0);
    assert_eq!(reserve(&registry, &r, T0).await, ReserveOutcome::Reserved);
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(held.key, *name("alice").key());
    assert_eq!(held.display, "alice");
    assert_eq!(
        pending_of(&held),
        (
            stored_holder("user-a"),
            T0 + LIFETIME,
            email("alice@example.com"),
            Some("User-A".to_owned())
        ),
        "held by the keyed hash of the userName in lower case, the userName sealed as sent, \
         the email only as a keyed hash"
    );
    let ClaimState::Pending { holder, sealed, .. } = &held.state else {
        unreachable!()
    };
    assert!(
        !holder.to_lowercase().contains("user-a")
            && !sealed.as_deref().unwrap_or_default().contains("User-A"),
        "nothing stored names the user: {held:?}"
    );
    assert_eq!((held.key_version, held.since), (KEY_VERSION, None));
    assert!(held.is_live(T0 + LIFETIME - 1) && !held.is_live(T0 + LIFETIME));
    assert!(
        claim(&registry, "bob").await.is_none(),
        "other names stay free"
    );
    assert!(
        owned(&registry, "User-A").await.is_none(),
        "nobody owns it yet"
    );
}

pub async fn a_live_pending_name_is_taken_for_others<R: Registry>(registry: R) {
    let a = reservation("alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &a, T0).await;
    let before = claim(&registry, "alice").await;
    for (user_name, email) in [("user-b", Some("b@example.com")), ("user-c", None)] {
        let other = reservation("alice", user_name, email, T0 + 1);
        assert_eq!(
            reserve(&registry, &other, T0 + 1).await,
            ReserveOutcome::Taken,
            "{user_name}"
        );
        assert_eq!(
            commit(&registry, "alice", user_name, T0 + 1).await,
            CommitOutcome::Taken,
            "{user_name}"
        );
    }
    assert_eq!(
        claim(&registry, "alice").await,
        before,
        "a refused reservation or commit changes nothing"
    );
}

pub async fn reserving_again_is_idempotent<R: Registry>(registry: R) {
    let first = reservation("alice", "user-a", Some("a@example.com"), T0);
    assert_eq!(
        reserve(&registry, &first, T0).await,
        ReserveOutcome::Reserved
    );
    let held = claim(&registry, "alice").await;
    // A replay, now or a little later (Cognito retries), in any case of the userName, neither
    // fails nor changes the claim.
    for (later, user_name) in [(0, "user-a"), (1, "USER-A"), (600, "User-A")] {
        let replay = reservation("alice", user_name, Some("a@example.com"), T0 + later);
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

/// Defect 2 of the ownership issue: `bob` owns "alice"; `bob` is deleted (no trigger fires); a new
/// person signs up as `bob` with the same name. The `userName` matches, the `sub` does not.
pub async fn a_reused_user_name_never_gets_an_active_name<R: Registry>(registry: R) {
    reserve(&registry, &reservation("alice", "bob", None, T0), T0).await;
    assert_eq!(
        commit(&registry, "alice", "bob", T0 + 5).await,
        CommitOutcome::Committed
    );
    let much_later = T0 + 10 * LIFETIME;
    let newcomer = reservation("alice", "bob", None, much_later);
    assert_eq!(
        reserve(&registry, &newcomer, much_later).await,
        ReserveOutcome::Taken,
        "a new sign-up never re-reserves an active claim"
    );
    let stranger = Commitment {
        sub: "sub-of-the-new-bob".into(),
        ..commitment("alice", "bob", Contacts::none())
    };
    assert_eq!(
        commit_as(&registry, &stranger, much_later).await,
        CommitOutcome::Taken,
        "the same userName under another sub owns nothing"
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(held.state, active("bob"));
    assert_eq!(
        registry
            .user("sub-of-the-new-bob")
            .await
            .expect("user")
            .and_then(|u| u.owned),
        None
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
    assert_eq!(
        pending_of(&held),
        (
            stored_holder("user-b"),
            expiry + LIFETIME,
            email("b@example.com"),
            Some("user-b".to_owned())
        )
    );
    // The first holder lost it.
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

/// Invariant 5: the same person retrying a failed sign-up (same email or phone, new generated
/// `userName`) is admitted, but nothing changes until a verified contact proves it at commit.
pub async fn a_retry_with_the_same_contact_is_held_not_taken_over<R: Registry>(registry: R) {
    let first = reservation("alice", "generated-1", Some("alice@example.com"), T0);
    reserve(&registry, &first, T0).await;
    let held = claim(&registry, "alice").await;
    // The same email, spelled with other case and spaces, under a new generated userName.
    let retry = reservation(
        "alice",
        "generated-2",
        Some("  Alice@Example.COM "),
        T0 + 60,
    );
    assert_eq!(
        held_for_retry_by(&reserve(&registry, &retry, T0 + 60).await),
        "generated-1",
        "held for a retry, naming the earlier holder for the pool to look up"
    );
    assert_eq!(claim(&registry, "alice").await, held, "nothing changed");
    // Someone else, with another email or none, is kept off.
    for (user_name, email) in [
        ("stranger", Some("mallory@example.com")),
        ("no-email", None),
    ] {
        let other = reservation("alice", user_name, email, T0 + 61);
        assert_eq!(
            reserve(&registry, &other, T0 + 61).await,
            ReserveOutcome::Taken,
            "{user_name}"
        );
    }
    // The same phone number is the same person too (a phone sign-in pool).
    let by_phone = Reservation {
        contacts: phone("+1 555 0100"),
        ..reservation("bob", "generated-3", None, T0)
    };
    reserve(&registry, &by_phone, T0).await;
    let retry = Reservation {
        contacts: phone("+15550100"),
        ..reservation("bob", "generated-4", None, T0 + 5)
    };
    assert_eq!(
        held_for_retry_by(&reserve(&registry, &retry, T0 + 5).await),
        "generated-3"
    );
}

/// Defect 4: a commit takes over the same person's other pending sign-up only with a contact
/// Cognito verified. A stranger who knows the victim's email (in a pool that verifies phones, or
/// confirms by administrator) gets nothing.
pub async fn only_a_verified_contact_takes_over_a_pending_name<R: Registry>(registry: R) {
    let victim_email = "alice@example.com";
    reserve(
        &registry,
        &reservation("alice", "victim", Some(victim_email), T0),
        T0,
    )
    .await;
    let stranger = reservation("alice", "stranger", Some(victim_email), T0 + 1);
    assert_eq!(
        held_for_retry_by(&reserve(&registry, &stranger, T0 + 1).await),
        "victim"
    );
    assert_eq!(
        commit(&registry, "alice", "stranger", T0 + 2).await,
        CommitOutcome::Taken,
        "an unverified email proves nothing"
    );
    assert_eq!(
        commit_as(
            &registry,
            &commitment("alice", "stranger", email("mallory@example.com")),
            T0 + 2
        )
        .await,
        CommitOutcome::Taken,
        "another verified email proves nothing"
    );
    assert_eq!(owned(&registry, "stranger").await, None);
    assert_eq!(
        commit(&registry, "alice", "victim", T0 + 3).await,
        CommitOutcome::Committed
    );
    assert_eq!(
        claim(&registry, "alice").await.unwrap().state,
        active("victim")
    );
}

/// The same person signed up twice and confirmed the second account, whose email Cognito
/// verified: it takes the name over from the first, still pending.
pub async fn confirming_the_retry_with_a_verified_email_takes_the_name<R: Registry>(registry: R) {
    let address = "melody@example.com";
    reserve(
        &registry,
        &reservation("melody", "user-a", Some(address), T0),
        T0,
    )
    .await;
    let retry = reservation("melody", "user-b", Some(address), T0 + 60);
    assert_eq!(
        held_for_retry_by(&reserve(&registry, &retry, T0 + 60).await),
        "user-a"
    );
    assert_eq!(
        commit_as(
            &registry,
            &commitment("melody", "user-b", email(address)),
            T0 + 120
        )
        .await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "melody").await.expect("a claim");
    assert_eq!(held.state, active("user-b"));
    // Once active, the same verified email takes nothing over.
    assert_eq!(
        commit_as(
            &registry,
            &commitment("melody", "user-a", email(address)),
            T0 + 180
        )
        .await,
        CommitOutcome::Taken
    );
    assert_eq!(owned(&registry, "user-a").await, None);
}

pub async fn committing_records_the_owner_by_sub<R: Registry>(registry: R) {
    let r = reservation("Alice", "user-a", Some("a@example.com"), T0);
    reserve(&registry, &r, T0).await;
    assert_eq!(
        commit(&registry, "Alice", "user-a", T0 + 30).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(
        held,
        Claim {
            key: name("alice").key().clone(),
            display: "Alice".into(),
            state: active("user-a"),
            key_version: KEY_VERSION,
            since: Some(T0 + 30),
        },
        "the contact hashes are gone once the claim is active"
    );
    assert!(held.is_live(T0 + 100 * LIFETIME));
    assert_eq!(
        owned(&registry, "user-a").await,
        Some(OwnedName {
            key: name("alice").key().clone(),
            display: "Alice".into(),
            since: T0 + 30,
        })
    );
    assert_eq!(owned(&registry, "user-b").await, None);
}

pub async fn committing_without_a_reservation_claims_a_free_name<R: Registry>(registry: R) {
    assert_eq!(
        commit(&registry, "alice", "user-a", T0).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "alice").await.expect("a claim");
    assert_eq!(
        (held.state, held.key_version),
        (active("user-a"), KEY_VERSION)
    );
}

pub async fn committing_an_expired_reservation_claims_it_again_when_free<R: Registry>(registry: R) {
    // The holder's own reservation expired before confirmation.
    let own = reservation("alice", "user-a", None, T0);
    reserve(&registry, &own, T0).await;
    assert_eq!(
        commit(&registry, "alice", "user-a", T0 + 3 * LIFETIME).await,
        CommitOutcome::Committed
    );
    assert_eq!(
        claim(&registry, "alice").await.map(|c| c.state),
        Some(active("user-a"))
    );
    // Someone else's reservation expired: the name is free for the committing user.
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
    assert_eq!(
        claim(&registry, "bob").await.unwrap().state,
        active("user-c")
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
    assert_eq!(
        owned(&registry, "user-b").await,
        None,
        "no user record either"
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
    let record = owned(&registry, "user-a").await;
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
        assert_eq!(owned(&registry, "user-a").await, record);
    }
}

/// Invariant 1: a user holds at most one active name.
pub async fn a_user_owns_at_most_one_name<R: Registry>(registry: R) {
    commit(&registry, "alice", "user-a", T0).await;
    assert_eq!(
        commit(&registry, "bob", "user-a", T0 + 1).await,
        CommitOutcome::OwnsAnotherName
    );
    assert!(claim(&registry, "bob").await.is_none(), "bob stays free");
    assert_eq!(
        owned(&registry, "user-a").await.map(|o| o.display),
        Some("alice".to_owned())
    );
    // Another spelling of the same name is the same name, not another one.
    assert_eq!(
        commit(&registry, "ALICE", "user-a", T0 + 2).await,
        CommitOutcome::Committed
    );
    assert_eq!(
        owned(&registry, "user-a")
            .await
            .map(|o| (o.display, o.since)),
        Some(("ALICE".to_owned(), T0))
    );
    assert_eq!(claim(&registry, "alice").await.unwrap().display, "ALICE");
}

/// Defect 6: the case of `userName` may differ between sign-up and confirmation.
pub async fn the_holder_is_compared_without_case<R: Registry>(registry: R) {
    reserve(&registry, &reservation("alice", "Bob", None, T0), T0).await;
    assert_eq!(
        commit_as(
            &registry,
            &Commitment {
                sub: "sub-bob".into(),
                ..commitment("alice", "BOB", Contacts::none())
            },
            T0 + 1
        )
        .await,
        CommitOutcome::Committed
    );
    assert_eq!(
        claim(&registry, "alice").await.unwrap().state,
        active("bob")
    );
}

/// Items written by the first version (owner = `userName` as sent, no `sub`, an unkeyed email
/// hash) are read, and their owner's next commit upgrades them.
pub async fn first_version_items_are_read_and_upgraded<R: Registry + Seed>(registry: R) {
    let legacy_active = entry(
        "alice",
        ClaimState::Active {
            owner: Owner::LegacyUserName("Bob".into()),
        },
    );
    registry.seed(&legacy_active).await;
    assert_eq!(claim(&registry, "alice").await, Some(legacy_active.clone()));
    assert_eq!(
        reserve(&registry, &reservation("alice", "Bob", None, T0), T0).await,
        ReserveOutcome::Taken,
        "not even its own userName re-reserves an active claim"
    );
    assert_eq!(
        commit(&registry, "alice", "dave", T0).await,
        CommitOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "alice", "Bob", T0 + 1).await,
        CommitOutcome::Committed,
        "the owner's commit upgrades it"
    );
    assert_eq!(
        claim(&registry, "alice").await.unwrap().state,
        active("bob")
    );
    assert_eq!(
        owned(&registry, "bob").await.map(|o| o.display),
        Some("alice".to_owned())
    );

    let legacy_pending = entry(
        "carol",
        ClaimState::Pending {
            holder: "Carol".into(),
            expires_at: T0 + LIFETIME,
            contacts: Contacts {
                email: Some(shared::registry::ContactHash::from_stored("ab".repeat(32))),
                phone: None,
            },
            sealed: None,
        },
    );
    registry.seed(&legacy_pending).await;
    assert_eq!(
        reserve(&registry, &reservation("carol", "Carol", None, T0), T0).await,
        ReserveOutcome::Reserved,
        "a replay by the holder as sent"
    );
    assert_eq!(
        commit(&registry, "carol", "someone", T0 + 2).await,
        CommitOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "carol", "Carol", T0 + 2).await,
        CommitOutcome::Committed
    );
    assert_eq!(
        claim(&registry, "carol").await.unwrap().state,
        active("carol")
    );
}

/// A quarantine keeps everyone but its previous owner off until it ends; a block keeps everyone
/// off for good. The block is seeded as blocks were written before they named the operator, and
/// reads back without one.
pub async fn quarantined_and_blocked_names_are_held<R: Registry + Seed>(registry: R) {
    let until = T0 + 14 * LIFETIME;
    registry
        .seed(&entry(
            "alice",
            ClaimState::Quarantined {
                previous_owner: sub_of("user-a"),
                until,
            },
        ))
        .await;
    registry
        .seed(&entry(
            "acmecorp",
            ClaimState::Blocked {
                reason: Some("staff".into()),
                by: None,
            },
        ))
        .await;
    assert_eq!(
        reserve(&registry, &reservation("alice", "user-b", None, T0), T0).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "alice", "user-b", until - 1).await,
        CommitOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "alice", "user-a", T0 + 1).await,
        CommitOutcome::Taken,
        "not even the previous owner's commit: only a rename takes a name back"
    );
    registry
        .seed(&entry(
            "bob",
            ClaimState::Quarantined {
                previous_owner: sub_of("user-a"),
                until,
            },
        ))
        .await;
    assert_eq!(
        reserve(&registry, &reservation("bob", "user-c", None, until), until).await,
        ReserveOutcome::Reserved,
        "free once the quarantine ends"
    );
    for later in [T0, T0 + 1000 * LIFETIME] {
        assert_eq!(
            reserve(
                &registry,
                &reservation("acmecorp", "user-d", None, later),
                later
            )
            .await,
            ReserveOutcome::Taken
        );
        assert_eq!(
            commit(&registry, "acmecorp", "user-d", later).await,
            CommitOutcome::Taken
        );
    }
    assert_eq!(
        claim(&registry, "acmecorp").await.map(|c| c.state),
        Some(ClaimState::Blocked {
            reason: Some("staff".into()),
            by: None,
        })
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
        let user_name = format!("user-{i}");
        let r = reservation(
            variant,
            &user_name,
            Some(&format!("{user_name}@example.com")),
            T0 + 1,
        );
        assert_eq!(
            reserve(&registry, &r, T0 + 1).await,
            ReserveOutcome::Taken,
            "{variant:?}"
        );
        assert_eq!(
            commit(&registry, variant, &user_name, T0 + 1).await,
            CommitOutcome::Taken,
            "{variant:?}"
        );
    }
    assert_eq!(
        claim(&registry, MELODY_VARIANTS[0])
            .await
            .map(|c| c.display),
        Some(MELODY_VARIANTS[1].to_owned())
    );
    // The holder commits under another spelling of the same name: one claim, in that spelling.
    assert_eq!(
        commit(&registry, "MELODY", "user-0", T0 + 2).await,
        CommitOutcome::Committed
    );
    let held = claim(&registry, "melody").await.expect("a claim");
    assert_eq!(
        (held.display.as_str(), held.state),
        ("MELODY", active("user-0"))
    );
}

/// Fourteen days, the default quarantine.
pub const QUARANTINE: i64 = 14 * 24 * 60 * 60;

/// `user_name`'s rename to `raw` at `now`, with the default quarantine and `cooldown`.
pub fn rename_to(raw: &str, user_name: &str, now: Timestamp, cooldown: Option<i64>) -> Rename {
    Rename {
        sub: sub_of(user_name),
        to: name(raw),
        quarantine_until: now + QUARANTINE,
        cooldown,
    }
}

async fn rename<R: Registry>(
    registry: &R,
    raw: &str,
    user_name: &str,
    now: Timestamp,
    cooldown: Option<i64>,
) -> RenameOutcome {
    registry
        .rename(&rename_to(raw, user_name, now, cooldown), now)
        .await
        .expect("rename")
}

fn renamed(previous: Option<&str>) -> RenameOutcome {
    RenameOutcome::Renamed {
        previous: previous.map(str::to_owned),
    }
}

async fn record<R: Registry>(registry: &R, user_name: &str) -> Option<UserRecord> {
    registry.user(&sub_of(user_name)).await.expect("user")
}

pub async fn renaming_moves_the_user_and_quarantines_the_old_name<R: Registry>(registry: R) {
    commit(&registry, "alice", "user-a", T0).await;
    let at = T0 + 100;
    assert_eq!(
        rename(&registry, "bob", "user-a", at, Some(LIFETIME)).await,
        renamed(Some("alice"))
    );
    assert_eq!(
        record(&registry, "user-a").await,
        Some(UserRecord {
            owned: Some(OwnedName {
                key: name("bob").key().clone(),
                display: "bob".into(),
                since: at,
            }),
            renamed_at: Some(at),
            previous: Some("alice".into()),
        })
    );
    assert_eq!(
        claim(&registry, "bob").await.unwrap().state,
        active("user-a")
    );
    let quarantined = ClaimState::Quarantined {
        previous_owner: sub_of("user-a"),
        until: at + QUARANTINE,
    };
    assert_eq!(claim(&registry, "alice").await.unwrap().state, quarantined);
    // Replayed: the same answer, nothing moves.
    assert_eq!(
        rename(&registry, "bob", "user-a", at + 1, Some(LIFETIME)).await,
        renamed(Some("alice"))
    );
    // Nobody can grab the name its owner just left, until the quarantine ends.
    let until = at + QUARANTINE;
    let grab = reservation("alice", "user-b", None, until - 1);
    assert_eq!(
        reserve(&registry, &grab, until - 1).await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        commit(&registry, "alice", "user-b", until - 1).await,
        CommitOutcome::Taken
    );
    assert_eq!(
        rename(&registry, "alice", "user-b", until - 1, Some(LIFETIME)).await,
        RenameOutcome::Taken
    );
    assert_eq!(
        rename(&registry, "alice", "user-b", until, Some(LIFETIME)).await,
        renamed(None),
        "free once the quarantine ends"
    );
}

pub async fn renaming_back_and_respelling_cost_no_new_quarantine<R: Registry>(registry: R) {
    commit(&registry, "alice", "user-a", T0).await;
    rename(&registry, "bob", "user-a", T0 + 1, None).await;
    assert_eq!(
        rename(&registry, "alice", "user-a", T0 + 2, None).await,
        renamed(Some("bob")),
        "its previous owner takes a quarantined name back"
    );
    assert_eq!(
        claim(&registry, "alice").await.unwrap().state,
        active("user-a")
    );
    assert!(matches!(
        claim(&registry, "bob").await.unwrap().state,
        ClaimState::Quarantined { .. }
    ));
    let before = record(&registry, "user-a").await.unwrap();
    assert_eq!(
        rename(&registry, "ALICE", "user-a", T0 + 3, Some(LIFETIME)).await,
        renamed(Some("alice")),
        "a new spelling of one's own name: no cooldown"
    );
    let after = record(&registry, "user-a").await.unwrap();
    assert_eq!(
        after.owned.as_ref().map(|o| o.display.as_str()),
        Some("ALICE")
    );
    assert_eq!(
        (after.renamed_at, after.owned.map(|o| o.since)),
        (before.renamed_at, before.owned.map(|o| o.since))
    );
    let held = claim(&registry, "alice").await.unwrap();
    assert_eq!(
        (held.display.as_str(), held.state),
        ("ALICE", active("user-a"))
    );
}

pub async fn the_cooldown_counts_from_the_last_rename_or_release<R: Registry>(registry: R) {
    const DAY: i64 = 24 * 60 * 60;
    commit(&registry, "alice", "user-a", T0).await;
    assert_eq!(
        rename(&registry, "bob", "user-a", T0, Some(DAY)).await,
        renamed(Some("alice")),
        "the first rename after sign-up waits for nothing"
    );
    assert_eq!(
        rename(&registry, "carol", "user-a", T0 + 3600, Some(DAY)).await,
        RenameOutcome::Cooldown { until: T0 + DAY }
    );
    assert!(claim(&registry, "carol").await.is_none(), "nothing written");
    assert_eq!(
        rename(&registry, "carol", "user-a", T0 + DAY, Some(DAY)).await,
        renamed(Some("bob"))
    );
    let released = T0 + 2 * DAY;
    assert_eq!(
        registry
            .release(&sub_of("user-a"), Some(released + QUARANTINE), released)
            .await
            .expect("release"),
        Some("carol".to_owned())
    );
    assert_eq!(
        rename(&registry, "dave", "user-a", released + 1, Some(DAY)).await,
        RenameOutcome::Cooldown {
            until: released + DAY
        },
        "releasing then renaming is a rename"
    );
    assert_eq!(
        rename(&registry, "dave", "user-a", released + 1, None).await,
        renamed(None),
        "an operator's forced rename"
    );
}

pub async fn a_user_without_a_name_takes_one_by_rename<R: Registry>(registry: R) {
    assert_eq!(
        rename(&registry, "zed", "user-x", T0, Some(LIFETIME)).await,
        renamed(None)
    );
    assert_eq!(
        claim(&registry, "zed").await.unwrap().state,
        active("user-x")
    );
    assert_eq!(
        rename(&registry, "zed", "user-y", T0, Some(LIFETIME)).await,
        RenameOutcome::Taken
    );
    reserve(&registry, &reservation("yara", "user-p", None, T0), T0).await;
    assert_eq!(
        rename(&registry, "yara", "user-y", T0 + 1, Some(LIFETIME)).await,
        RenameOutcome::Taken,
        "a live pending reservation holds the name"
    );
    assert_eq!(
        record(&registry, "user-y").await.and_then(|u| u.owned),
        None
    );
}

pub async fn releasing_quarantines_or_frees_at_once<R: Registry>(registry: R) {
    commit(&registry, "alice", "user-a", T0).await;
    let until = T0 + QUARANTINE;
    assert_eq!(
        registry
            .release(&sub_of("user-a"), Some(until), T0)
            .await
            .expect("release"),
        Some("alice".to_owned())
    );
    assert_eq!(
        registry
            .release(&sub_of("user-a"), Some(until), T0)
            .await
            .expect("release"),
        None,
        "released once"
    );
    assert_eq!(
        record(&registry, "user-a").await.and_then(|u| u.owned),
        None
    );
    assert_eq!(
        claim(&registry, "alice").await.unwrap().state,
        ClaimState::Quarantined {
            previous_owner: sub_of("user-a"),
            until
        }
    );
    assert_eq!(
        rename(&registry, "alice", "user-a", T0 + 5, None).await,
        renamed(None),
        "taken back during its quarantine"
    );
    commit(&registry, "bob", "user-b", T0).await;
    assert_eq!(
        registry
            .release(&sub_of("user-b"), None, T0)
            .await
            .expect("release"),
        Some("bob".to_owned())
    );
    assert!(claim(&registry, "bob").await.is_none(), "freed at once");
    assert_eq!(
        reserve(&registry, &reservation("bob", "user-c", None, T0), T0).await,
        ReserveOutcome::Reserved
    );
}

/// A block holds the name for the operator, and keeps who blocked it, why and when; blocking
/// again updates all three.
pub async fn blocking_holds_a_name_for_the_operator<R: Registry>(registry: R) {
    let by = |by, reason| BlockRequest {
        by,
        reason: Some(reason),
    };
    let blocked = |by: &str, reason: &str| ClaimState::Blocked {
        reason: Some(reason.to_owned()),
        by: Some(by.to_owned()),
    };
    assert_eq!(
        registry
            .block(&name("AcmeCorp"), by("ops-ann", "brand"), T0)
            .await
            .expect("block"),
        BlockOutcome::Blocked
    );
    let entry = claim(&registry, "acme_corp").await.unwrap();
    assert_eq!(
        (entry.state, entry.since),
        (blocked("ops-ann", "brand"), Some(T0))
    );
    assert_eq!(
        reserve(&registry, &reservation("acme.corp", "user-a", None, T0), T0).await,
        ReserveOutcome::Taken,
        "every spelling"
    );
    assert_eq!(
        rename(&registry, "ACMECORP", "user-a", T0, None).await,
        RenameOutcome::Taken
    );
    assert_eq!(
        registry
            .block(&name("AcmeCorp"), by("ops-bob", "trademark"), T0 + 5)
            .await
            .expect("block"),
        BlockOutcome::Blocked
    );
    let entry = claim(&registry, "acmecorp").await.unwrap();
    assert_eq!(
        (entry.state, entry.since),
        (blocked("ops-bob", "trademark"), Some(T0 + 5))
    );
    commit(&registry, "alice", "user-a", T0).await;
    let owned = claim(&registry, "alice").await.unwrap();
    assert_eq!(
        registry
            .block(
                &name("Alice"),
                BlockRequest {
                    by: "ops-ann",
                    reason: None
                },
                T0
            )
            .await
            .expect("block"),
        BlockOutcome::Held(owned.clone())
    );
    assert!(!registry
        .unblock(name("alice").key())
        .await
        .expect("unblock"));
    assert_eq!(
        claim(&registry, "alice").await,
        Some(owned),
        "an owner keeps it"
    );
    assert!(registry
        .unblock(name("acmecorp").key())
        .await
        .expect("unblock"));
    assert_eq!(
        reserve(&registry, &reservation("acmecorp", "user-b", None, T0), T0).await,
        ReserveOutcome::Reserved
    );
    registry
        .release(&sub_of("user-a"), Some(T0 + QUARANTINE), T0)
        .await
        .expect("release");
    assert!(
        registry
            .unblock(name("alice").key())
            .await
            .expect("unblock"),
        "an operator may end a quarantine early"
    );
    assert!(claim(&registry, "alice").await.is_none());
}

/// `user_name`'s rename to `raw` at `now`, and what undoes it.
async fn rename_undoable<R: Registry>(
    registry: &R,
    raw: &str,
    user_name: &str,
    now: Timestamp,
    cooldown: Option<i64>,
) -> (RenameOutcome, Option<RenameUndo>) {
    registry
        .rename_with_undo(&rename_to(raw, user_name, now, cooldown), now)
        .await
        .expect("rename")
}

async fn undo<R: Registry>(registry: &R, undo: &RenameUndo) -> UndoOutcome {
    registry.undo_rename(undo).await.expect("undo")
}

/// The records of `users` and the entries of `names`, to compare a registry before and after.
async fn snapshot<R: Registry>(
    registry: &R,
    users: &[&str],
    names: &[&str],
) -> (Vec<Option<UserRecord>>, Vec<Option<Claim>>) {
    let mut records = Vec::new();
    for user in users {
        records.push(record(registry, user).await);
    }
    let mut claims = Vec::new();
    for raw in names {
        claims.push(claim(registry, raw).await);
    }
    (records, claims)
}

pub async fn undoing_a_rename_puts_back_exactly_what_it_wrote<R: Registry>(registry: R) {
    const DAY: i64 = 24 * 60 * 60;
    commit(&registry, "alice", "user-a", T0).await;
    let names = ["alice", "bob", "carol"];
    let before = snapshot(&registry, &["user-a"], &names).await;
    let (outcome, undone) = rename_undoable(&registry, "bob", "user-a", T0 + 100, Some(DAY)).await;
    assert_eq!(outcome, renamed(Some("alice")));
    let undone = undone.expect("a move can be undone");
    assert_eq!(undo(&registry, &undone).await, UndoOutcome::Undone);
    assert_eq!(
        snapshot(&registry, &["user-a"], &names).await,
        before,
        "alice active again since T0, bob freed (not quarantined), the record as it was"
    );
    assert_eq!(
        undo(&registry, &undone).await,
        UndoOutcome::Undone,
        "replayed: the same answer"
    );
    assert_eq!(snapshot(&registry, &["user-a"], &names).await, before);
    assert_eq!(
        reserve(
            &registry,
            &reservation("bob", "user-b", None, T0 + 101),
            T0 + 101
        )
        .await,
        ReserveOutcome::Reserved,
        "the refused name is free for anyone at once"
    );
    assert_eq!(
        rename(&registry, "carol", "user-a", T0 + 101, Some(DAY)).await,
        renamed(Some("alice")),
        "an undone rename starts no cooldown"
    );

    // A user who renamed before keeps that rename's instant, and their quarantined name.
    commit(&registry, "dora", "user-d", T0).await;
    rename(&registry, "erin", "user-d", T0, Some(DAY)).await;
    let names = ["dora", "erin", "fern"];
    let before = snapshot(&registry, &["user-d"], &names).await;
    assert_eq!(
        before.0[0].as_ref().and_then(|r| r.renamed_at),
        Some(T0),
        "{before:?}"
    );
    let (_, undone) = rename_undoable(&registry, "fern", "user-d", T0 + DAY, Some(DAY)).await;
    assert_eq!(
        undo(&registry, &undone.expect("undo")).await,
        UndoOutcome::Undone
    );
    assert_eq!(snapshot(&registry, &["user-d"], &names).await, before);
    assert_eq!(
        rename(&registry, "gail", "user-d", T0 + DAY + 1, Some(DAY)).await,
        renamed(Some("erin"))
    );

    // A user who had no name, and no record, has none again.
    let (outcome, undone) = rename_undoable(&registry, "zed", "user-z", T0, Some(DAY)).await;
    assert_eq!(outcome, renamed(None));
    assert_eq!(
        undo(&registry, &undone.expect("undo")).await,
        UndoOutcome::Undone
    );
    assert_eq!(record(&registry, "user-z").await, None);
    assert!(claim(&registry, "zed").await.is_none());

    // A new spelling: the display forms go back.
    commit(&registry, "hana", "user-h", T0).await;
    let before = snapshot(&registry, &["user-h"], &["hana"]).await;
    let (outcome, undone) = rename_undoable(&registry, "HANA", "user-h", T0 + 5, Some(DAY)).await;
    assert_eq!(outcome, renamed(Some("hana")));
    assert_eq!(
        claim(&registry, "hana").await.map(|c| c.display).as_deref(),
        Some("HANA")
    );
    assert_eq!(
        undo(&registry, &undone.expect("undo")).await,
        UndoOutcome::Undone
    );
    assert_eq!(snapshot(&registry, &["user-h"], &["hana"]).await, before);
}

pub async fn undoing_a_rename_that_took_a_name_back_quarantines_it_again<R: Registry>(registry: R) {
    commit(&registry, "alice", "user-a", T0).await;
    rename(&registry, "bob", "user-a", T0 + 1, None).await;
    let names = ["alice", "bob"];
    let before = snapshot(&registry, &["user-a"], &names).await;
    let quarantined = ClaimState::Quarantined {
        previous_owner: sub_of("user-a"),
        until: T0 + 1 + QUARANTINE,
    };
    assert_eq!(before.1[0].as_ref().map(|c| &c.state), Some(&quarantined));
    let (outcome, undone) = rename_undoable(&registry, "Alice", "user-a", T0 + 2, None).await;
    assert_eq!(outcome, renamed(Some("bob")), "taken back from quarantine");
    assert_eq!(
        undo(&registry, &undone.expect("undo")).await,
        UndoOutcome::Undone
    );
    assert_eq!(
        snapshot(&registry, &["user-a"], &names).await,
        before,
        "alice back in the user's quarantine, until the same instant, as it was spelled"
    );
    let grab = reservation("alice", "user-b", None, T0 + 3);
    assert_eq!(
        reserve(&registry, &grab, T0 + 3).await,
        ReserveOutcome::Taken,
        "nobody can grab it"
    );
}

pub async fn an_undo_never_overwrites_a_later_change<R: Registry>(registry: R) {
    commit(&registry, "alice", "user-a", T0).await;
    let (_, first) = rename_undoable(&registry, "bob", "user-a", T0 + 1, None).await;
    let first = first.expect("undo");
    // The user renames again (an operator's forced rename) before the undo runs.
    rename(&registry, "carol", "user-a", T0 + 2, None).await;
    let names = ["alice", "bob", "carol"];
    let later = snapshot(&registry, &["user-a"], &names).await;
    assert_eq!(undo(&registry, &first).await, UndoOutcome::Changed);
    assert_eq!(snapshot(&registry, &["user-a"], &names).await, later);

    // The user gives the name up before the undo runs.
    commit(&registry, "dora", "user-d", T0).await;
    let (_, renamed_away) = rename_undoable(&registry, "erin", "user-d", T0 + 1, None).await;
    registry
        .release(&sub_of("user-d"), Some(T0 + 2 + QUARANTINE), T0 + 2)
        .await
        .expect("release");
    let names = ["dora", "erin"];
    let later = snapshot(&registry, &["user-d"], &names).await;
    assert_eq!(
        undo(&registry, &renamed_away.expect("undo")).await,
        UndoOutcome::Changed
    );
    assert_eq!(snapshot(&registry, &["user-d"], &names).await, later);

    // An operator ends the old name's quarantine and someone else takes it.
    commit(&registry, "fern", "user-f", T0).await;
    let (_, moved) = rename_undoable(&registry, "gail", "user-f", T0 + 1, None).await;
    assert!(registry.unblock(name("fern").key()).await.expect("unblock"));
    commit(&registry, "fern", "user-g", T0 + 2).await;
    let names = ["fern", "gail"];
    let later = snapshot(&registry, &["user-f", "user-g"], &names).await;
    assert_eq!(
        undo(&registry, &moved.expect("undo")).await,
        UndoOutcome::Changed
    );
    assert_eq!(
        snapshot(&registry, &["user-f", "user-g"], &names).await,
        later,
        "user-g keeps fern, user-f keeps gail"
    );
}

/// Declares one `#[tokio::test]` per contract case, each on a fresh store from `$make`
/// (an expression that evaluates to a future of the store).
#[macro_export]
macro_rules! registry_contract_tests {
    ($make:expr) => {
        $crate::registry_contract_tests!(@cases $make;
            reserving_a_free_name_holds_it_pending,
            a_live_pending_name_is_taken_for_others,
            reserving_again_is_idempotent,
            a_reused_user_name_never_gets_an_active_name,
            an_expired_pending_name_can_be_taken_an_unexpired_one_cannot,
            a_retry_with_the_same_contact_is_held_not_taken_over,
            only_a_verified_contact_takes_over_a_pending_name,
            confirming_the_retry_with_a_verified_email_takes_the_name,
            committing_records_the_owner_by_sub,
            committing_without_a_reservation_claims_a_free_name,
            committing_an_expired_reservation_claims_it_again_when_free,
            committing_a_name_someone_else_holds_changes_nothing,
            committing_again_is_idempotent,
            a_user_owns_at_most_one_name,
            the_holder_is_compared_without_case,
            first_version_items_are_read_and_upgraded,
            quarantined_and_blocked_names_are_held,
            spelling_variants_are_one_name,
            renaming_moves_the_user_and_quarantines_the_old_name,
            renaming_back_and_respelling_cost_no_new_quarantine,
            the_cooldown_counts_from_the_last_rename_or_release,
            a_user_without_a_name_takes_one_by_rename,
            releasing_quarantines_or_frees_at_once,
            blocking_holds_a_name_for_the_operator,
            undoing_a_rename_puts_back_exactly_what_it_wrote,
            undoing_a_rename_that_took_a_name_back_quarantines_it_again,
            an_undo_never_overwrites_a_later_change,
            a_case_sensitive_pool_never_takes_one_case_for_another,
            a_first_version_owner_is_compared_as_the_pool_compares_user_names,
            clear_holders_of_earlier_versions_match_as_the_pool_compares,
            a_name_given_up_comes_back_only_by_rename,
            retiring_a_name_starts_no_cooldown,
            first_version_names_are_found_by_their_user_name,
            adopting_first_version_names_leaves_one_name,
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
