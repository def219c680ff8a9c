//! The HTTP API's routes (docs/api.md) through the shared router, on both stores (memory, and
//! DynamoDB on moto with a fresh table per case): races between renames and sign-ups, quarantine,
//! cooldown with `Retry-After`, the attribute mirror failing or refusing an alias, and what each
//! route costs in DynamoDB requests.

use integration_tests::contract::{
    commitment, entry, first_version, name, reservation, sub_of, Seed, T0,
};
use integration_tests::counter::RequestCounter;
use integration_tests::events::{token_name, User};
use integration_tests::moto::{fresh_table, moto_endpoint, MOTO_TIMEOUTS};
use integration_tests::registries::Broken;
use serde_json::{json, Value};
use shared::api::{
    route, Api, ApiRequest, ApiResponse, ApiSettings, AttributeMirror, Caller, MirrorError,
};
use shared::config::NameSource;
use shared::config::Settings;
use shared::policy::Policy;
use shared::registry::dynamodb::local_config;
use shared::registry::{
    Claim, ClaimState, Clock, Contacts, DynamoRegistry, ManualClock, MemoryRegistry, Registry,
    ReserveOutcome, UserRecord,
};
use shared::triggers::{dispatch, Triggers};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const DAY: i64 = 86_400;

/// A pool's attributes as the mirror set them; it can fail the next calls, or refuse aliases
/// another user of the pool has.
#[derive(Default)]
pub struct Pool {
    names: Mutex<HashMap<String, String>>,
    failures: AtomicUsize,
    aliases_of_others: Mutex<HashSet<String>>,
}

impl Pool {
    fn name_of(&self, user: &str) -> Option<String> {
        self.names.lock().unwrap().get(user).cloned()
    }
}

impl AttributeMirror for Pool {
    async fn set_name(&self, user: &str, name: &str) -> Result<(), MirrorError> {
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(MirrorError::Failed("ThrottlingException".into()));
        }
        if self
            .aliases_of_others
            .lock()
            .unwrap()
            .contains(&name.to_lowercase())
        {
            return Err(MirrorError::AliasExists);
        }
        self.names
            .lock()
            .unwrap()
            .insert(user.to_owned(), name.to_owned());
        Ok(())
    }

    async fn clear_name(&self, user: &str) -> Result<(), MirrorError> {
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(MirrorError::Failed("ThrottlingException".into()));
        }
        self.names.lock().unwrap().remove(user);
        Ok(())
    }
}

/// The API on a store, with a clock the case moves and a pool it inspects.
pub struct Stage<R: Registry> {
    pub api: Api<Arc<R>, Arc<Pool>>,
    pub registry: Arc<R>,
    pub clock: Arc<ManualClock>,
    pub pool: Arc<Pool>,
}

impl<R: Registry> Stage<R> {
    pub fn new(registry: R) -> Self {
        Self::with_settings(registry, ApiSettings::default())
    }

    pub fn with_settings(registry: R, settings: ApiSettings) -> Self {
        let registry = Arc::new(registry);
        let pool = Arc::new(Pool::default());
        let clock = Arc::new(ManualClock::new(T0));
        let mut api = Api::new(registry.clone(), pool.clone(), Policy::default(), settings);
        api.clock = clock.clone();
        Self {
            api,
            registry,
            clock,
            pool,
        }
    }

    /// A user who signed up with `raw` and confirmed: `sub_of(user_name)` owns it.
    async fn signed_up(&self, user_name: &str, raw: &str) -> Caller {
        let now = self.clock.now();
        self.registry
            .commit(&commitment(raw, user_name, Contacts::none()), now)
            .await
            .unwrap();
        Caller::new(sub_of(user_name))
    }

    async fn put(&self, caller: &Caller, raw: &str) -> ApiResponse {
        let body = json!({ "username": raw }).to_string();
        self.call("PUT", "/v1/me/username", Some(caller), body.as_bytes())
            .await
    }

    async fn delete(&self, caller: &Caller) -> ApiResponse {
        self.call("DELETE", "/v1/me/username", Some(caller), b"")
            .await
    }

    async fn availability(&self, encoded: &str) -> ApiResponse {
        self.call("GET", &format!("/v1/usernames/{encoded}"), None, b"")
            .await
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        caller: Option<&Caller>,
        body: &[u8],
    ) -> ApiResponse {
        let answer = route(
            &self.api,
            ApiRequest {
                method,
                path,
                caller,
                body,
                ..Default::default()
            },
        )
        .await;
        assert_answer_shape(&answer);
        integration_tests::openapi::assert_conforms(method, path, &answer);
        answer
    }

    async fn owned(&self, caller: &Caller) -> Option<String> {
        self.registry
            .user(&caller.sub)
            .await
            .unwrap()
            .and_then(|u| u.owned)
            .map(|o| o.display)
    }

    /// The callers' records and the names' entries, to compare the registry before and after.
    async fn snapshot(
        &self,
        callers: &[&Caller],
        names: &[&str],
    ) -> (Vec<Option<UserRecord>>, Vec<Option<Claim>>) {
        let mut records = Vec::new();
        for caller in callers {
            records.push(self.registry.user(&caller.sub).await.unwrap());
        }
        let mut claims = Vec::new();
        for raw in names {
            claims.push(self.registry.get(name(raw).key()).await.unwrap());
        }
        (records, claims)
    }

    /// Whether the name keeps others off it now.
    async fn held(&self, raw: &str) -> bool {
        let now = self.clock.now();
        self.registry
            .get(name(raw).key())
            .await
            .unwrap()
            .is_some_and(|c| c.is_live(now))
    }
}

/// Every answer is JSON in a named language; every error is `{"code","message"}` with a
/// sentence, plus `suggestions` only when the name is taken; never a 500.
fn assert_answer_shape(answer: &ApiResponse) {
    assert!(answer.status < 500 || answer.status == 503, "{answer:?}");
    assert!(header(answer, "content-language").is_some(), "{answer:?}");
    if answer.status >= 400 {
        let object = answer.body.as_object().expect("an object");
        let extra = match object["code"].as_str() {
            Some("name_taken") => {
                let suggestions = object["suggestions"].as_array().expect("suggestions");
                assert!(suggestions.iter().all(|s| s.is_string()), "{answer:?}");
                1
            }
            Some("not_display_form") => {
                assert!(object["suggestion"].is_string(), "{answer:?}");
                1
            }
            _ => 0,
        };
        assert_eq!(object.len(), 2 + extra, "{answer:?}");
        assert!(object["code"].as_str().is_some_and(|c| !c.is_empty()));
        assert!(object["message"]
            .as_str()
            .is_some_and(|m| m.ends_with('.') && !m.contains("Error")));
    }
}

fn header<'a>(answer: &'a ApiResponse, name: &str) -> Option<&'a str> {
    answer
        .headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

// --- the cases, each over any store ------------------------------------------------------------

pub async fn two_users_renaming_to_one_name_at_once_one_wins<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    let bob = stage.signed_up("bob", "Bobby").await;
    let (a, b) = tokio::join!(stage.put(&ann, "Melody"), stage.put(&bob, "melody"));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let (winner, loser, loser_name) = if a.status == 200 {
        (&ann, &bob, "Bobby")
    } else {
        (&bob, &ann, "Annabel")
    };
    assert_eq!(stage.owned(winner).await.unwrap().to_lowercase(), "melody");
    assert_eq!(stage.owned(loser).await.as_deref(), Some(loser_name));
    let refused = if a.status == 409 { &a } else { &b };
    assert_eq!(refused.body["code"], "name_taken");
}

pub async fn one_user_renaming_twice_at_once_gets_one_name<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    let (a, b) = tokio::join!(stage.put(&ann, "Harmony"), stage.put(&ann, "Cadence"));
    let won: Vec<&str> = [(&a, "Harmony"), (&b, "Cadence")]
        .iter()
        .filter(|(answer, _)| answer.status == 200)
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(won.len(), 1, "{a:?} {b:?}");
    let lost = if a.status == 200 { &b } else { &a };
    assert!(
        [409, 429].contains(&lost.status),
        "the other rename is refused: {lost:?}"
    );
    assert_eq!(stage.owned(&ann).await.as_deref(), Some(won[0]));
    let other = if won[0] == "Harmony" {
        "Cadence"
    } else {
        "Harmony"
    };
    assert!(!stage.held(other).await, "{other} is left free");
    assert!(stage.held("Annabel").await, "the old name is in quarantine");
}

pub async fn a_rename_and_a_sign_up_for_one_name_at_once_give_it_to_one<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    let now = stage.clock.now();
    let sign_up = reservation("Melody", "bob", Some("bob@example.com"), now);
    let (renamed, reserved) = tokio::join!(
        stage.put(&ann, "Melody"),
        stage.registry.reserve(&sign_up, now)
    );
    let reserved = reserved.unwrap();
    match renamed.status {
        200 => assert_eq!(reserved, ReserveOutcome::Taken),
        409 => assert_eq!(reserved, ReserveOutcome::Reserved),
        other => panic!("rename answered {other}: {renamed:?}"),
    }
}

pub async fn a_rename_reverted_within_quarantine_takes_the_old_name_back<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    let renamed = stage.put(&ann, "Harmony").await;
    assert_eq!(
        renamed.body,
        json!({"username": "Harmony", "previous": "Annabel"})
    );
    stage.clock.advance(DAY + 1);
    let back = stage.put(&ann, "Annabel").await;
    assert_eq!(
        back.body,
        json!({"username": "Annabel", "previous": "Harmony"})
    );
    assert_eq!(stage.owned(&ann).await.as_deref(), Some("Annabel"));
    assert_eq!(stage.pool.name_of(&ann.sub).as_deref(), Some("Annabel"));
}

pub async fn a_stranger_is_refused_a_quarantined_name_until_it_ends<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    let bob = stage.signed_up("bob", "Bobby").await;
    assert_eq!(stage.put(&ann, "Harmony").await.status, 200);

    let refused = stage.put(&bob, "annabel").await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.body["code"], "name_taken");
    let asked = stage.availability("Annabel").await;
    assert_eq!(asked.body["available"], false);
    assert_eq!(asked.body["code"], "name_taken");

    stage.clock.advance(14 * DAY);
    assert_eq!(stage.availability("Annabel").await.body["available"], true);
    let taken = stage.put(&bob, "Annabel").await;
    assert_eq!(
        taken.body,
        json!({"username": "Annabel", "previous": "Bobby"})
    );
}

pub async fn a_second_rename_within_the_cooldown_says_when_to_retry<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    assert_eq!(stage.put(&ann, "Harmony").await.status, 200);

    let early = stage.put(&ann, "Cadence").await;
    assert_eq!(early.status, 429);
    assert_eq!(early.body["code"], "rename_cooldown");
    assert_eq!(header(&early, "retry-after"), Some("86400"));
    assert!(early.body["message"].as_str().unwrap().contains("24 hours"));

    stage.clock.advance(3600);
    let later = stage.put(&ann, "Cadence").await;
    assert_eq!(header(&later, "retry-after"), Some("82800"));

    // A new spelling of one's own name is no rename: no cooldown, no quarantine.
    let respelled = stage.put(&ann, "HARMONY").await;
    assert_eq!(respelled.status, 200, "{respelled:?}");

    stage.clock.advance(82_800);
    assert_eq!(stage.put(&ann, "Cadence").await.status, 200);
}

pub async fn a_failed_mirror_answers_the_rename_and_a_retry_finishes_it<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    stage.pool.failures.store(1, Ordering::SeqCst);
    let first = stage.put(&ann, "Harmony").await;
    assert_eq!(
        first.body,
        json!({"username": "Harmony", "previous": "Annabel"})
    );
    // Tokens follow the registry: the user owns the new name though the attribute lags.
    assert_eq!(stage.owned(&ann).await.as_deref(), Some("Harmony"));
    assert_eq!(stage.pool.name_of(&ann.sub), None);

    let retry = stage.put(&ann, "Harmony").await;
    assert_eq!(retry.body, first.body, "the retry answers the same");
    assert_eq!(stage.pool.name_of(&ann.sub).as_deref(), Some("Harmony"));
    assert!(stage.held("Annabel").await);
}

pub async fn an_alias_the_pool_refuses_leaves_the_registry_as_before<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    stage
        .pool
        .aliases_of_others
        .lock()
        .unwrap()
        .extend(["harmony".to_string(), "rhythm".to_string()]);
    let names = ["Annabel", "Harmony", "Cadence"];
    let before = stage.snapshot(&[&ann], &names).await;

    let refused = stage.put(&ann, "Harmony").await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.body["code"], "name_taken");
    assert_eq!(
        stage.snapshot(&[&ann], &names).await,
        before,
        "Annabel active since sign-up, Harmony free, the record as it was"
    );
    assert!(!stage.held("Harmony").await, "the refused name is free");
    assert_eq!(stage.pool.name_of(&ann.sub), None);

    // The refused rename was no rename: no cooldown.
    let next = stage.put(&ann, "Cadence").await;
    assert_eq!(
        next.body,
        json!({"username": "Cadence", "previous": "Annabel"})
    );

    // A user without a name, and no record: none again.
    let carl = Caller::new(sub_of("carl"));
    assert_eq!(stage.put(&carl, "Rhythm").await.status, 409);
    assert_eq!(stage.registry.user(&carl.sub).await.unwrap(), None);
    assert!(!stage.held("Rhythm").await);
    assert_eq!(stage.put(&carl, "Carlos").await.status, 200);
}

pub async fn a_refused_alias_keeps_the_last_renames_cooldown_and_quarantine<R: Registry>(
    registry: R,
) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    assert_eq!(stage.put(&ann, "Harmony").await.status, 200);
    stage.clock.advance(DAY + 1);
    stage
        .pool
        .aliases_of_others
        .lock()
        .unwrap()
        .extend(["melody".to_string(), "annabel".to_string()]);
    let names = ["Annabel", "Harmony", "Melody", "Cadence"];
    let before = stage.snapshot(&[&ann], &names).await;

    // A new name the pool refuses.
    assert_eq!(stage.put(&ann, "Melody").await.body["code"], "name_taken");
    assert_eq!(stage.snapshot(&[&ann], &names).await, before);
    // Her old name, taken back from her quarantine: refused, and in her quarantine again.
    assert_eq!(stage.put(&ann, "Annabel").await.body["code"], "name_taken");
    assert_eq!(stage.snapshot(&[&ann], &names).await, before);
    let bob = stage.signed_up("bob", "Bobby").await;
    assert_eq!(stage.put(&bob, "Annabel").await.body["code"], "name_taken");

    // The rename before the refused ones is still the last one: the cooldown it started has
    // ended, so the next rename goes through at once.
    assert_eq!(stage.put(&ann, "Cadence").await.status, 200);
}

pub async fn with_the_username_source_names_cannot_change<R: Registry>(registry: R) {
    let settings = ApiSettings {
        name_source: NameSource::Username,
        ..ApiSettings::default()
    };
    let stage = Stage::with_settings(registry, settings);
    let ann = stage.signed_up("ann", "annabel").await;
    let names = ["annabel", "Harmony"];
    let before = stage.snapshot(&[&ann], &names).await;
    for answer in [
        stage.put(&ann, "Harmony").await,
        stage.put(&ann, "annabel").await,
        stage
            .call("PUT", "/v1/me/username", Some(&ann), b"not json")
            .await,
        stage.delete(&ann).await,
    ] {
        assert_eq!(answer.status, 403, "{answer:?}");
        assert_eq!(answer.body["code"], "name_immutable");
    }
    assert_eq!(stage.snapshot(&[&ann], &names).await, before);
    assert_eq!(stage.pool.name_of(&ann.sub), None, "nothing mirrored");
    // Not signed in is still 401; availability still answers.
    assert_eq!(
        stage
            .call("DELETE", "/v1/me/username", None, b"")
            .await
            .status,
        401
    );
    assert_eq!(
        stage.availability("ANNABEL").await.body["code"],
        "name_taken"
    );
    assert_eq!(stage.availability("Harmony").await.body["available"], true);
    assert_eq!(stage.availability("ab").await.body["code"], "too_short");
}

pub async fn availability_answers_free_taken_quarantined_and_invalid_names<R: Registry>(
    registry: R,
) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    let free = stage.availability("J%C3%BCrgen").await;
    assert_eq!(free.body, json!({"name": "Jürgen", "available": true}));
    let taken = stage.availability("ANNABEL").await;
    assert_eq!(taken.body["available"], false);
    assert_eq!(taken.body["code"], "name_taken");
    assert_eq!(taken.body["name"], "ANNABEL");
    let invalid = stage.availability("ab").await;
    assert_eq!(invalid.status, 200);
    assert_eq!(invalid.body["available"], false);
    assert_eq!(invalid.body["code"], "too_short");
    assert!(invalid.body["message"].as_str().unwrap().ends_with('.'));

    assert_eq!(
        stage.delete(&ann).await.body,
        json!({"previous": "Annabel"})
    );
    assert_eq!(stage.availability("annabel").await.body["available"], false);
    assert_eq!(stage.delete(&ann).await.body, json!({"previous": null}));

    let now = stage.clock.now();
    let pending = reservation("Pending_Pat", "pat", None, now);
    stage.registry.reserve(&pending, now).await.unwrap();
    assert_eq!(
        stage.availability("pending_pat").await.body["available"],
        false
    );
    stage.clock.advance(DAY);
    assert_eq!(
        stage.availability("pending_pat").await.body["available"],
        true,
        "an expired reservation is free"
    );
}

pub async fn bad_requests_get_a_code_and_a_sentence<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    /// Method, path, caller, body; the status and code expected.
    type Case<'a> = (&'a str, &'a str, Option<&'a Caller>, &'a [u8], u16, &'a str);
    let cases: [Case; 9] = [
        (
            "PUT",
            "/v1/me/username",
            None,
            br#"{"username":"x1"}"#,
            401,
            "unauthorized",
        ),
        ("DELETE", "/v1/me/username", None, b"", 401, "unauthorized"),
        (
            "PUT",
            "/v1/me/username",
            Some(&ann),
            b"{",
            400,
            "bad_request",
        ),
        (
            "PUT",
            "/v1/me/username",
            Some(&ann),
            br#"{"username":5}"#,
            400,
            "bad_request",
        ),
        (
            "PUT",
            "/v1/me/username",
            Some(&ann),
            br#"{"username":"a b"}"#,
            422,
            "whitespace",
        ),
        (
            "POST",
            "/v1/me/username",
            Some(&ann),
            b"",
            405,
            "method_not_allowed",
        ),
        (
            "DELETE",
            "/v1/usernames/x",
            None,
            b"",
            405,
            "method_not_allowed",
        ),
        (
            "GET",
            "/v1/usernames/%FF",
            None,
            b"",
            400,
            "bad_name_encoding",
        ),
        ("GET", "/v2/anything", None, b"", 404, "not_found"),
    ];
    for (method, path, caller, body, status, code) in cases {
        let answer = stage.call(method, path, caller, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {answer:?}");
        assert_eq!(answer.body["code"], code, "{method} {path}");
    }
    assert_eq!(stage.owned(&ann).await.as_deref(), Some("Annabel"));
}

/// A release removes the caller's `preferred_username` from the pool (no alias, no `GetUser`
/// shows it any more); when that fails the release stands, and the same request retried removes
/// it.
pub async fn a_release_removes_the_attribute_and_a_retry_finishes_it<R: Registry>(registry: R) {
    let stage = Stage::new(registry);
    let ann = stage.signed_up("ann", "Annabel").await;
    assert_eq!(stage.put(&ann, "Harmony").await.status, 200);
    assert_eq!(stage.pool.name_of(&ann.sub).as_deref(), Some("Harmony"));
    stage.pool.failures.store(1, Ordering::SeqCst);
    let released = stage.delete(&ann).await;
    assert_eq!(released.body, json!({"previous": "Harmony"}));
    assert_eq!(stage.owned(&ann).await, None);
    assert_eq!(
        stage.pool.name_of(&ann.sub).as_deref(),
        Some("Harmony"),
        "the removal failed"
    );
    let retried = stage.delete(&ann).await;
    assert_eq!(retried.body, json!({"previous": null}));
    assert_eq!(stage.pool.name_of(&ann.sub), None, "the retry removed it");
    assert!(stage.held("Harmony").await, "still in quarantine");
}

/// A user who still owns a first-version name (by `userName`, from before owners were `sub`s)
/// renames, or releases, before a sign-in upgraded it: the name is adopted first, so the rename
/// moves it into quarantine and the release gives it up; nobody keeps two names, and no later
/// sign-in claims the name they left.
pub async fn a_first_version_owner_who_renames_or_releases_keeps_one_name<R: Registry + Seed>(
    registry: R,
) {
    let stage = Stage::new(registry);
    for (raw, user_name) in [("Vintage", "dana"), ("Antique", "erin")] {
        stage
            .registry
            .seed(&entry(raw, first_version(user_name)))
            .await;
    }
    let dana = Caller {
        username: Some("dana".into()),
        ..Caller::new(sub_of("dana"))
    };
    let renamed = stage.put(&dana, "Modern").await;
    assert_eq!(
        renamed.body,
        json!({"username": "Modern", "previous": "Vintage"})
    );
    let vintage = stage.registry.get(name("Vintage").key()).await.unwrap();
    assert!(
        matches!(vintage.map(|c| c.state), Some(ClaimState::Quarantined { previous_owner, .. })
            if previous_owner == dana.sub),
        "the first-version name left by the rename, held for its owner"
    );
    assert_eq!(stage.owned(&dana).await.as_deref(), Some("Modern"));

    let erin = Caller {
        username: Some("erin".into()),
        ..Caller::new(sub_of("erin"))
    };
    let released = stage.delete(&erin).await;
    assert_eq!(released.body, json!({"previous": "Antique"}));
    assert!(stage.held("Antique").await);
    assert_eq!(stage.owned(&erin).await, None);

    // Their next sign-ins carry no first-version name, and claim none back.
    let mut triggers = Triggers::new(stage.registry.clone(), Settings::default());
    triggers.clock = stage.clock.clone();
    for (user_name, attribute, expected) in [
        ("dana", "Vintage", Some("Modern")),
        ("erin", "Antique", None),
    ] {
        let user =
            User::new(user_name, &sub_of(user_name)).sign_in("Authentication", Some(attribute));
        let answer = dispatch(&triggers, user).await.result.unwrap();
        assert_eq!(token_name(&answer).as_deref(), expected, "{user_name}");
    }
    assert!(stage.held("Antique").await && stage.held("Vintage").await);
}

macro_rules! api_cases {
    ($make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                super::$case($make.await).await;
            }
        )+
    };
    ($make:expr) => {
        api_cases!($make;
            two_users_renaming_to_one_name_at_once_one_wins,
            one_user_renaming_twice_at_once_gets_one_name,
            a_rename_and_a_sign_up_for_one_name_at_once_give_it_to_one,
            a_rename_reverted_within_quarantine_takes_the_old_name_back,
            a_stranger_is_refused_a_quarantined_name_until_it_ends,
            a_second_rename_within_the_cooldown_says_when_to_retry,
            a_failed_mirror_answers_the_rename_and_a_retry_finishes_it,
            an_alias_the_pool_refuses_leaves_the_registry_as_before,
            a_refused_alias_keeps_the_last_renames_cooldown_and_quarantine,
            with_the_username_source_names_cannot_change,
            availability_answers_free_taken_quarantined_and_invalid_names,
            bad_requests_get_a_code_and_a_sentence,
            a_release_removes_the_attribute_and_a_retry_finishes_it,
            a_first_version_owner_who_renames_or_releases_keeps_one_name,
        );
    };
}

mod memory {
    api_cases!(async { shared::registry::MemoryRegistry::new() });
}

mod dynamodb {
    api_cases!(integration_tests::moto::moto_registry());
}

mod disk {
    api_cases!(integration_tests::disk::disk_registry());
}

// --- store-specific ----------------------------------------------------------------------------

#[tokio::test]
async fn a_registry_that_is_down_answers_503_and_never_a_name() {
    let stage = Stage::new(Broken::DOWN);
    let ann = Caller::new("sub-ann");
    for answer in [
        stage.availability("Melody").await,
        stage.put(&ann, "Melody").await,
        stage.delete(&ann).await,
    ] {
        assert_eq!(answer.status, 503, "{answer:?}");
        assert_eq!(answer.body["code"], "registry_unavailable");
        assert!(!answer.body["message"].as_str().unwrap().contains("refused"));
    }
}

#[tokio::test]
async fn each_route_costs_the_dynamodb_requests_it_must() {
    let counter = RequestCounter::new();
    let config = local_config(moto_endpoint(), &MOTO_TIMEOUTS).interceptor(counter.clone());
    let client = aws_sdk_dynamodb::Client::from_conf(config.build());
    let table = fresh_table(&client).await;
    let stage = Stage::new(DynamoRegistry::new(client, table));
    // A user token names the user: a rename or release first looks up their first-version
    // names (one Query of the `by_owner` index).
    let ann = Caller {
        username: Some("ann".into()),
        ..stage.signed_up("ann", "Annabel").await
    };
    let costs: [(&str, &str, &[u8], &[&str]); 8] = [
        ("GET", "/v1/usernames/Melody", b"", &["GetItem"]),
        // A taken name: its suggestions are read in one consistent batch.
        (
            "GET",
            "/v1/usernames/annabel",
            b"",
            &["GetItem", "BatchGetItem"],
        ),
        ("GET", "/v1/usernames/ab", b"", &[]),
        (
            "PUT",
            "/v1/me/username",
            br#"{"username":"Melody"}"#,
            &["Query", "GetItem", "GetItem", "TransactWriteItems"],
        ),
        (
            "PUT",
            "/v1/me/username",
            br#"{"username":"Melody"}"#,
            &["Query", "GetItem"],
        ),
        (
            "PUT",
            "/v1/me/username",
            br#"{"username":"Cadence"}"#,
            &["Query", "GetItem"],
        ),
        ("PUT", "/v1/me/username", br#"{"username":"a b"}"#, &[]),
        (
            "DELETE",
            "/v1/me/username",
            b"",
            &["Query", "GetItem", "TransactWriteItems"],
        ),
    ];
    // The operator's word rules cost one GetItem per instance and minute (USERNAMES_RULES_CACHE),
    // paid here, so that each route below shows its own requests.
    counter.reset();
    stage.call("GET", "/v1/usernames/warm_up", None, b"").await;
    assert_eq!(counter.operations(), ["GetItem", "GetItem"]);
    for (method, path, body, operations) in costs {
        counter.reset();
        let answer = stage.call(method, path, Some(&ann), body).await;
        assert!(answer.status < 500, "{answer:?}");
        assert_eq!(
            counter.operations(),
            operations,
            "{method} {path} {}",
            String::from_utf8_lossy(body)
        );
    }
    // A name the pool refuses as an alias: the rename, then the one transaction that undoes it.
    let bob = Caller {
        username: Some("bob".into()),
        ..stage.signed_up("bob", "Bobby").await
    };
    stage
        .pool
        .aliases_of_others
        .lock()
        .unwrap()
        .insert("rhythm".into());
    counter.reset();
    let refused = stage.put(&bob, "Rhythm").await;
    assert_eq!(refused.status, 409);
    assert_eq!(
        counter.operations(),
        [
            "Query",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "TransactWriteItems",
            "BatchGetItem"
        ]
    );
}

/// The conformance check itself can fail: an answer the document does not describe.
#[test]
#[should_panic(expected = "does not conform")]
fn an_answer_off_the_document_fails_the_conformance_check() {
    let answer = ApiResponse {
        status: 200,
        headers: vec![("content-language", "en".into())],
        body: json!({"name": "Melody", "available": "yes"}),
        outcome: "available",
    };
    integration_tests::openapi::assert_conforms("GET", "/v1/usernames/Melody", &answer);
}

#[test]
#[should_panic(expected = "no content-language")]
fn an_answer_without_its_language_fails_the_conformance_check() {
    let answer = ApiResponse {
        status: 200,
        headers: vec![],
        body: json!({"name": "Melody", "available": true}),
        outcome: "available",
    };
    integration_tests::openapi::assert_conforms("GET", "/v1/usernames/Melody", &answer);
}

#[tokio::test]
async fn the_memory_store_case_runs_with_the_default_settings() {
    // The settings every case relies on: 14 days of quarantine, 24 hours of cooldown.
    let stage = Stage::new(MemoryRegistry::new());
    assert_eq!(stage.api.settings.quarantine_secs(), 14 * DAY);
    assert_eq!(stage.api.settings.cooldown_secs(), DAY);
}

// --- no request makes the router fail ----------------------------------------------------------

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn method() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("GET".to_string()),
            Just("PUT".to_string()),
            Just("DELETE".to_string()),
            Just("HEAD".to_string()),
            "[A-Z]{1,8}",
        ]
    }

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            "/v1/usernames/\\PC{0,40}",
            "/v1/usernames/(%[0-9A-Fa-f]{2}|[a-z_%./]){0,30}",
            Just("/v1/me/username".to_string()),
            "/v1/me/username[/?].{0,10}",
            "\\PC{0,60}",
        ]
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            "\\PC{0,40}".prop_map(|n| json!({ "username": n }).to_string().into_bytes()),
            any::<i64>().prop_map(|n| format!("{{\"username\":{n}}}").into_bytes()),
            Just(vec![b'x'; 5000]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn no_request_panics_or_answers_500(
            method in method(),
            path in path(),
            body in body(),
            signed_in in any::<bool>(),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let stage = Stage::new(MemoryRegistry::new());
                let caller = Caller::new("sub-fuzz");
                let answer = stage
                    .call(&method, &path, signed_in.then_some(&caller), &body)
                    .await;
                prop_assert!(answer.status != 500 && answer.status != 503);
                let _: &Value = &answer.body;
                Ok(())
            })?;
        }
    }
}
