//! The sequences of events that broke "a token carries only a name its user owns, and a name has
//! one owner" before owners were `sub`s (docs/registry.md), each run through the trigger dispatcher on the
//! memory store and on DynamoDB (moto): sign-up, retry, confirmation, deletion, sign-in.

use integration_tests::contract::{entry, first_version, Seed};
use integration_tests::events::{token_name, User};
use serde_json::{json, Value};
use shared::config::{NameSource, Settings};
use shared::registry::{ClaimState, Contacts, ManualClock, Owner, Registry};
use shared::triggers::pool::MemoryPool;
use shared::triggers::{dispatch, Triggers};
use std::sync::Arc;

const T0: i64 = 1_700_000_000;
const DAY: i64 = 86_400;

/// One store, a clock the test moves, the user pool, and handlers with the given settings on
/// them.
struct Run<S: Registry> {
    store: Arc<S>,
    clock: Arc<ManualClock>,
    /// The pool's users: as Cognito does, [`Run::send`] creates the user a pre-sign-up admits.
    pool: Arc<MemoryPool>,
    triggers: Triggers<Arc<S>>,
}

impl<S: Registry + Seed + 'static> Run<S> {
    fn new(store: S, settings: Settings) -> Self {
        let store = Arc::new(store);
        let clock = Arc::new(ManualClock::new(T0));
        let pool = Arc::new(MemoryPool::new());
        let triggers = Self::handlers(&store, &clock, &pool, settings);
        Self {
            store,
            clock,
            pool,
            triggers,
        }
    }

    fn handlers(
        store: &Arc<S>,
        clock: &Arc<ManualClock>,
        pool: &Arc<MemoryPool>,
        settings: Settings,
    ) -> Triggers<Arc<S>> {
        let mut triggers = Triggers::new(Arc::clone(store), settings).with_pool(pool.clone());
        triggers.clock = clock.clone();
        triggers
    }

    /// Other handlers (another configuration) on the same store, clock and pool.
    fn with(&self, settings: Settings) -> Triggers<Arc<S>> {
        Self::handlers(&self.store, &self.clock, &self.pool, settings)
    }

    /// The outcome code of one event, and whether Cognito was answered with success.
    async fn send(&self, event: Value) -> (&'static str, bool) {
        send(&self.triggers, &self.pool, event).await
    }

    /// A sign-in: the name the ID token gets (see [`token_name`]) and the outcome code.
    async fn sign_in(
        &self,
        user: User<'_>,
        kind: &str,
        attribute: Option<&str>,
    ) -> (Option<String>, &'static str) {
        let dispatched = dispatch(&self.triggers, user.sign_in(kind, attribute)).await;
        let answer = dispatched.result.expect("sign-in never fails");
        (token_name(&answer), dispatched.outcome)
    }

    async fn state_of(&self, raw: &str) -> Option<ClaimState> {
        let key = self
            .triggers
            .settings
            .policy
            .evaluate(raw)
            .expect("a valid name");
        self.store
            .get(key.key())
            .await
            .expect("get")
            .map(|c| c.state)
    }
}

/// One event through `triggers`; a pre-sign-up that succeeds creates its user in `pool`, as
/// Cognito does.
async fn send<R: Registry>(
    triggers: &Triggers<R>,
    pool: &MemoryPool,
    event: Value,
) -> (&'static str, bool) {
    let user_name = event["userName"].as_str().unwrap_or_default().to_owned();
    let signs_up = event["triggerSource"]
        .as_str()
        .is_some_and(|s| s.starts_with("PreSignUp_"));
    let dispatched = dispatch(triggers, event).await;
    if signs_up && dispatched.result.is_ok() {
        pool.add(&user_name);
    }
    (dispatched.outcome, dispatched.result.is_ok())
}

/// The sentence Cognito shows for a refused sign-up.
async fn refusal<R: Registry>(triggers: &Triggers<R>, event: Value) -> String {
    dispatch(triggers, event)
        .await
        .lambda_result()
        .expect_err("refused")
        .error_message
}

fn owned(name: &str) -> Option<String> {
    Some(name.to_owned())
}

fn active(sub: &str) -> Option<ClaimState> {
    Some(ClaimState::Active {
        owner: Owner::Sub(sub.to_owned()),
    })
}

/// Defect 1: a `preferred_username` changed with `UpdateUserAttributes`, blank, or not the pool's
/// name source never reaches a token as it is; the owned name does, attribute or not.
pub async fn a_bypassed_or_blank_attribute_never_reaches_a_token<S: Registry + Seed + 'static>(
    store: S,
) {
    let run = Run::new(store, Settings::default());
    let alice = User::new("u-alice", "sub-alice").email("alice@example.com");
    assert_eq!(
        run.send(alice.sign_up("SignUp", Some("Alice"))).await,
        ("name_reserved", true)
    );
    assert_eq!(
        run.send(alice.confirm(Some("Alice"), true, false)).await,
        ("name_committed", true)
    );
    assert_eq!(
        run.sign_in(alice, "Authentication", Some("Alice")).await,
        (owned("Alice"), "name_owned")
    );
    // Changed behind the registry's back: the token still says who she is.
    assert_eq!(
        run.sign_in(alice, "Authentication", Some("Zed")).await,
        (owned("Alice"), "name_overridden")
    );
    assert_eq!(
        run.sign_in(alice, "RefreshTokens", None).await,
        (owned("Alice"), "name_owned")
    );
    // A user who owns no name and sets a blank one.
    let nobody = User::new("u-nobody", "sub-nobody");
    for blank in ["", "  ", "\u{3000}", "\u{a0}"] {
        assert_eq!(
            run.sign_in(nobody, "Authentication", Some(blank)).await,
            (None, "name_blank"),
            "{blank:?}"
        );
    }
    assert_eq!(
        run.sign_in(nobody, "Authentication", None).await,
        (owned("<untouched>"), "name_absent")
    );
    assert_eq!(
        run.sign_in(nobody, "Authentication", Some("Zed")).await,
        (None, "name_unclaimed"),
        "a free name set with UpdateUserAttributes is not claimed by signing in"
    );
}

/// Defect 1, username pools: a linked or federated user's `userName` is no name, so an attribute
/// they set (or an IdP mapped) was passed through unchecked.
pub async fn a_federated_user_of_a_username_pool_cannot_smuggle_a_name<
    S: Registry + Seed + 'static,
>(
    store: S,
) {
    let settings = Settings {
        name_source: NameSource::Username,
        ..Settings::default()
    };
    let run = Run::new(store, settings);
    let bob = User::new("bob", "sub-bob");
    assert_eq!(
        run.send(bob.sign_up("SignUp", None)).await,
        ("name_reserved", true)
    );
    assert_eq!(
        run.send(bob.confirm(None, false, false)).await,
        ("name_committed", true)
    );
    assert_eq!(
        run.sign_in(bob, "Authentication", Some("Mallory")).await,
        (owned("bob"), "name_overridden")
    );
    let federated = User::new("Google_1098765", "sub-google");
    let mut event = federated.sign_in("Authentication", Some("Mallory"));
    event["request"]["userAttributes"]["identities"] = json!("[{\"providerName\":\"Google\"}]");
    let answer = dispatch(&run.triggers, event).await;
    assert_eq!(answer.outcome, "name_unclaimed");
    assert_eq!(token_name(&answer.result.unwrap()), None);
}

/// Defect 2: `bob` owns "Alice"; `bob` is deleted (no trigger fires); a new person signs up as
/// `bob` with the same name. The `userName` is the same, the `sub` is not.
pub async fn a_reused_user_name_never_inherits_a_name<S: Registry + Seed + 'static>(store: S) {
    let run = Run::new(store, Settings::default());
    let first = User::new("bob", "sub-bob-1");
    run.send(first.sign_up("SignUp", Some("Alice"))).await;
    assert_eq!(
        run.send(first.confirm(Some("Alice"), false, false)).await,
        ("name_committed", true)
    );
    run.clock.advance(30 * DAY);
    let newcomer = User::new("bob", "sub-bob-2");
    assert_eq!(
        run.send(newcomer.sign_up("SignUp", Some("Alice"))).await,
        ("name_taken", false)
    );
    assert_eq!(
        run.send(newcomer.confirm(Some("Alice"), false, false))
            .await,
        ("name_taken", true),
        "confirmation never fails, and commits nothing"
    );
    assert_eq!(
        run.sign_in(newcomer, "Authentication", Some("Alice")).await,
        (None, "name_not_owned")
    );
    assert_eq!(run.state_of("Alice").await, active("sub-bob-1"));
}

/// Defect 3: a federated user's first sign-in is admitted whatever happens to the mapped name.
pub async fn a_federated_first_sign_in_is_never_locked_out<S: Registry + Seed + 'static>(store: S) {
    let run = Run::new(store, Settings::default());
    let squatter = User::new("u-squatter", "sub-squatter").email("squat@example.com");
    run.send(squatter.sign_up("SignUp", Some("RiverStone")))
        .await;
    let federated = User::new("Google_1098765", "sub-river");
    assert_eq!(
        run.send(federated.sign_up("ExternalProvider", Some("riverstone")))
            .await,
        ("name_taken", true)
    );
    assert_eq!(
        run.send(federated.sign_up("ExternalProvider", Some("ab")))
            .await,
        ("too_short", true)
    );
    assert_eq!(
        run.sign_in(federated, "Authentication", Some("riverstone"))
            .await,
        (None, "name_not_owned")
    );
    // A free mapped name is reserved, and the first sign-in commits it (whether or not
    // post-confirmation ran for the federated user).
    let other = User::new("Facebook_77", "sub-brook");
    assert_eq!(
        run.send(other.sign_up("ExternalProvider", Some("Brook")))
            .await,
        ("name_reserved", true)
    );
    assert_eq!(
        run.sign_in(other, "Authentication", Some("Brook")).await,
        (owned("Brook"), "name_committed")
    );
}

/// Defect 4: knowing someone's email is not enough to take their pending name, nor to learn
/// that it is theirs. While the holder exists in the pool, a sign-up with their email is refused
/// with the very sentence a sign-up with any other email gets. Only when the holder's sign-up
/// failed (Cognito never created them) is the same email admitted as a retry, and even then only a
/// contact Cognito verified moves the name at confirmation; this deployment's own auto-verify
/// proves nothing.
pub async fn knowing_someones_email_is_not_enough<S: Registry + Seed + 'static>(store: S) {
    let run = Run::new(store, Settings::default());
    let email = "alice@example.com";
    let victim = User::new("u-victim", "sub-victim")
        .email(email)
        .phone("+15550100");
    let stranger = User::new("u-stranger", "sub-stranger")
        .email(email)
        .phone("+15550199");
    let guesser = User::new("u-guesser", "sub-guesser").email("someone.else@example.com");
    assert_eq!(
        run.send(victim.sign_up("SignUp", Some("Alice"))).await,
        ("name_reserved", true)
    );
    let lookups = run.pool.lookups();
    let right_email = refusal(&run.triggers, stranger.sign_up("SignUp", Some("Alice"))).await;
    let wrong_email = refusal(&run.triggers, guesser.sign_up("SignUp", Some("Alice"))).await;
    assert_eq!(right_email, "That username is already taken. [name_taken]");
    assert_eq!(
        right_email, wrong_email,
        "the answer says nothing about whose email it is"
    );
    assert_eq!(
        run.pool.lookups(),
        lookups + 1,
        "the pool is asked on a shared contact only"
    );
    // An administrator's user is held for 7 days: a day later, the same.
    let desk = User::new("u-desk", "sub-desk").email("desk@example.com");
    run.send(desk.sign_up("AdminCreateUser", Some("Desk_Name")))
        .await;
    run.clock.advance(DAY + 1);
    let knows_desk = User::new("u-knows-desk", "sub-knows").email("desk@example.com");
    assert_eq!(
        run.send(knows_desk.sign_up("SignUp", Some("Desk_Name")))
            .await,
        ("name_taken", false)
    );
    assert_eq!(
        run.send(victim.confirm(Some("Alice"), true, false)).await,
        ("name_committed", true)
    );
    assert_eq!(
        run.sign_in(victim, "Authentication", Some("Alice")).await,
        (owned("Alice"), "name_owned")
    );

    // A sign-up whose holder Cognito never created (it failed after its reservation landed):
    // the same email is admitted, but a stranger's confirmation with their own verified phone
    // gets nothing.
    run.pool.remove("u-victim");
    let failed = User::new("u-failed", "sub-failed")
        .email("bella@example.com")
        .phone("+15550111");
    assert_eq!(
        run.send(failed.sign_up("SignUp", Some("Bella"))).await,
        ("name_reserved", true)
    );
    run.pool.remove("u-failed");
    let stranger = User::new("u-stranger-b", "sub-stranger-b")
        .email("bella@example.com")
        .phone("+15550199");
    assert_eq!(
        run.send(stranger.sign_up("SignUp", Some("Bella"))).await,
        ("name_held_for_retry", true)
    );
    assert_eq!(
        run.send(stranger.confirm(Some("Bella"), false, true)).await,
        ("name_taken", true),
        "a phone the stranger verified is not the holder's email"
    );
    assert_eq!(
        run.sign_in(stranger, "Authentication", Some("Bella")).await,
        (None, "name_not_owned")
    );

    let mut auto_verify = Settings::default();
    auto_verify.sign_up.auto_verify_email = true;
    let triggers = run.with(auto_verify);
    let failed = User::new("u-failed-2", "sub-failed-2").email("cara@example.com");
    let stranger = User::new("u-stranger-2", "sub-stranger-2").email("cara@example.com");
    assert_eq!(
        send(&triggers, &run.pool, failed.sign_up("SignUp", Some("Cara"))).await,
        ("name_reserved", true)
    );
    run.pool.remove("u-failed-2");
    assert_eq!(
        send(
            &triggers,
            &run.pool,
            stranger.sign_up("SignUp", Some("Cara"))
        )
        .await,
        ("name_held_for_retry", true)
    );
    assert_eq!(
        dispatch(&triggers, stranger.confirm(Some("Cara"), true, false))
            .await
            .outcome,
        "name_taken",
        "an email this deployment marked verified itself proves nothing"
    );
}

/// Defect 5: an administrator's user keeps the name as long as the temporary password lives, and
/// the first sign-in claims it even once the reservation has expired or is gone, if it is free.
pub async fn an_administrators_user_claims_the_name_at_first_sign_in<
    S: Registry + Seed + 'static,
>(
    store: S,
) {
    let run = Run::new(store, Settings::default());
    let desk = User::new("u-desk", "sub-desk").email("desk@example.com");
    assert_eq!(
        run.send(desk.sign_up("AdminCreateUser", Some("SupportDesk")))
            .await,
        ("name_reserved", true)
    );
    run.clock.advance(2 * DAY);
    let rival = User::new("u-rival", "sub-rival").email("rival@example.com");
    assert_eq!(
        run.send(rival.sign_up("SignUp", Some("SupportDesk"))).await,
        ("name_taken", false),
        "held for 7 days, not 24 hours"
    );
    run.clock.advance(6 * DAY);
    assert_eq!(
        run.sign_in(desk, "NewPasswordChallenge", Some("SupportDesk"))
            .await,
        (owned("SupportDesk"), "name_committed"),
        "the expired reservation is claimed while free"
    );
    assert_eq!(run.state_of("SupportDesk").await, active("sub-desk"));
    // TTL deleted another one's reservation: the first sign-in claims the free name.
    let help = User::new("u-help", "sub-help");
    assert_eq!(
        run.sign_in(help, "NewPasswordChallenge", Some("BackOffice"))
            .await,
        (owned("BackOffice"), "name_committed")
    );
    // An ordinary sign-in claims nothing it did not reserve.
    let plain = User::new("u-plain", "sub-plain");
    assert_eq!(
        run.sign_in(plain, "Authentication", Some("FreeName")).await,
        (None, "name_unclaimed")
    );
}

/// Defect 6: the case of `userName` is not the same in every event of a case-insensitive pool.
pub async fn the_case_of_the_user_name_does_not_matter<S: Registry + Seed + 'static>(store: S) {
    let run = Run::new(store, Settings::default());
    let signing_up = User::new("Carol", "sub-carol");
    assert_eq!(
        run.send(signing_up.sign_up("SignUp", Some("Carol_Name")))
            .await,
        ("name_reserved", true)
    );
    assert_eq!(
        run.send(User::new("carol", "sub-carol").confirm(Some("Carol_Name"), false, false))
            .await,
        ("name_committed", true)
    );
    assert_eq!(
        run.sign_in(
            User::new("CAROL", "sub-carol"),
            "Authentication",
            Some("Carol_Name")
        )
        .await,
        (owned("Carol_Name"), "name_owned")
    );
    // An administrator's user whose first sign-in comes with another case commits too.
    let desk = User::new("Desk_User", "sub-desk");
    run.send(desk.sign_up("AdminCreateUser", Some("FrontDesk")))
        .await;
    assert_eq!(
        run.sign_in(
            User::new("desk_user", "sub-desk"),
            "Authentication",
            Some("FrontDesk")
        )
        .await,
        (owned("FrontDesk"), "name_committed")
    );
}

/// A case-sensitive pool (`CaseSensitive = true`, the default of Cognito's API and of CDK)
/// holds `alice_v` and `ALICE_V` as two people: the second is never taken for the first's retry,
/// confirms nothing of theirs and signs in without their name; nor is a first-version name of
/// `Dana_Owner` upgraded by `DANA_OWNER`'s sign-in.
pub async fn in_a_case_sensitive_pool_a_case_variant_is_another_user<
    S: Registry + Seed + 'static,
>(
    store: S,
) {
    let settings = Settings {
        case_sensitive_user_names: true,
        ..Settings::default()
    };
    let run = Run::new(store, settings);
    let alice = User::new("alice_v", "sub-alice").email("alice@example.com");
    let impostor = User::new("ALICE_V", "sub-impostor").email("impostor@example.com");
    assert_eq!(
        run.send(alice.sign_up("SignUp", Some("Alice_Name"))).await,
        ("name_reserved", true)
    );
    assert_eq!(
        run.send(impostor.sign_up("SignUp", Some("Alice_Name")))
            .await,
        ("name_taken", false),
        "not answered as alice_v's retry"
    );
    assert_eq!(
        run.send(impostor.confirm(Some("Alice_Name"), true, false))
            .await,
        ("name_taken", true)
    );
    assert_eq!(
        run.sign_in(impostor, "Authentication", Some("Alice_Name"))
            .await,
        (None, "name_not_owned")
    );
    assert_eq!(
        run.send(alice.confirm(Some("Alice_Name"), true, false))
            .await,
        ("name_committed", true)
    );
    assert_eq!(
        run.sign_in(alice, "Authentication", Some("Alice_Name"))
            .await,
        (owned("Alice_Name"), "name_owned")
    );

    run.store
        .seed(&entry("Dana_Name", first_version("Dana_Owner")))
        .await;
    assert_eq!(
        run.sign_in(
            User::new("DANA_OWNER", "sub-upper"),
            "Authentication",
            Some("Dana_Name")
        )
        .await,
        (None, "name_not_owned"),
        "another user of the pool"
    );
    assert_eq!(
        run.sign_in(
            User::new("Dana_Owner", "sub-dana"),
            "Authentication",
            Some("Dana_Name")
        )
        .await,
        (owned("Dana_Name"), "name_committed")
    );
    assert_eq!(run.state_of("Dana_Name").await, active("sub-dana"));
}

/// Items written by the first version (owner = `userName` as sent, no user record) are read, and
/// their owner's next sign-in or confirmation upgrades them with a conditional write.
pub async fn first_version_items_are_upgraded_by_their_owners<S: Registry + Seed + 'static>(
    store: S,
) {
    let run = Run::new(store, Settings::default());
    run.store
        .seed(&entry("Dana_Name", first_version("Dana")))
        .await;
    run.store
        .seed(&entry(
            "Erin_Name",
            ClaimState::Pending {
                holder: "Erin".into(),
                expires_at: T0 + DAY,
                contacts: Contacts::none(),
                sealed: None,
            },
        ))
        .await;
    let stranger = User::new("dana-2", "sub-stranger");
    assert_eq!(
        run.sign_in(stranger, "Authentication", Some("Dana_Name"))
            .await,
        (None, "name_not_owned")
    );
    let dana = User::new("dana", "sub-dana");
    assert_eq!(
        run.sign_in(dana, "Authentication", Some("Dana_Name")).await,
        (owned("Dana_Name"), "name_committed"),
        "upgraded, though the case of the userName differs"
    );
    assert_eq!(
        run.sign_in(dana, "RefreshTokens", Some("Dana_Name")).await,
        (owned("Dana_Name"), "name_owned")
    );
    assert_eq!(run.state_of("Dana_Name").await, active("sub-dana"));
    let erin = User::new("Erin", "sub-erin");
    assert_eq!(
        run.send(erin.confirm(Some("Erin_Name"), false, false))
            .await,
        ("name_committed", true)
    );
    assert_eq!(run.state_of("Erin_Name").await, active("sub-erin"));
}

macro_rules! ownership_tests {
    ($make:expr) => {
        ownership_tests!(@cases $make;
            a_bypassed_or_blank_attribute_never_reaches_a_token,
            a_federated_user_of_a_username_pool_cannot_smuggle_a_name,
            a_reused_user_name_never_inherits_a_name,
            a_federated_first_sign_in_is_never_locked_out,
            knowing_someones_email_is_not_enough,
            an_administrators_user_claims_the_name_at_first_sign_in,
            the_case_of_the_user_name_does_not_matter,
            in_a_case_sensitive_pool_a_case_variant_is_another_user,
            first_version_items_are_upgraded_by_their_owners,
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
    ownership_tests!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    ownership_tests!(integration_tests::moto::moto_registry());
}

mod disk {
    ownership_tests!(integration_tests::disk::disk_registry());
}
