//! Pre-token-generation on the memory registry: what each V1/V2/V3 event answers, as exact JSON,
//! for owners, impostors, pending claims, configuration and a failing registry.

use integration_tests::moto::workspace_root;
use integration_tests::registries::Broken;
use serde_json::{json, Value};
use shared::config::{ConfigError, Settings};
use shared::policy::Username;
use shared::registry::{
    ClaimState, CommitOutcome, Commitment, Contacts, Holder, ManualClock, MemoryRegistry, Owner,
    Registry, Reservation, ReserveOutcome, Timestamp,
};
use shared::triggers::pre_token_generation::{answer, handle, TokenOutcome};
use shared::triggers::{dispatch, Triggers};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const NOW: Timestamp = 1_750_000_000;
const MELODY: &str = "5a1c7f3e-0b2d-4e6f-9a8b-1c2d3e4f5a6b";
const SUPPORT: &str = "8d2e4f6a-1b3c-4d5e-8f9a-0b1c2d3e4f5a";
const SOMEONE_ELSE: &str = "0f0e0d0c-0b0a-4909-8807-060504030201";

/// The memory store, counting the calls the handler makes.
type Counted = integration_tests::registries::Counted<MemoryRegistry>;

/// `(reads, commits, reserves)` so far.
fn calls(registry: &Counted) -> (usize, usize, usize) {
    let c = registry.calls();
    (c.reads, c.commits, c.reserves)
}

fn fixture(name: &str) -> Value {
    let path = workspace_root().join("events").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn settings(pairs: &[(&str, &str)]) -> Settings {
    let env: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_env(&env).unwrap()
}

fn triggers<R: Registry>(registry: R, settings: Settings) -> Triggers<R> {
    let mut triggers = Triggers::new(registry, settings);
    triggers.clock = Arc::new(ManualClock::new(NOW));
    triggers
}

fn name(settings: &Settings, raw: &str) -> Username {
    settings.policy.evaluate(raw).unwrap()
}

/// Seeds a pending claim, as pre-sign-up does (straight into the store, so not counted).
async fn reserve(
    store: &impl Registry,
    s: &Settings,
    raw: &str,
    owner: &str,
    expires_at: Timestamp,
) {
    let r = Reservation {
        username: name(s, raw),
        holder: Holder::new(
            owner,
            s.case_sensitive_user_names,
            &s.contact_key_or_development(),
        ),
        contacts: Contacts::none(),
        expires_at,
    };
    assert_eq!(
        store.reserve(&r, NOW - 60).await.unwrap(),
        ReserveOutcome::Reserved
    );
}

/// Seeds an active claim, as pre-sign-up and post-confirmation do, for the user whose
/// `userName` and `sub` are `owner` (as in email sign-in pools and the fixtures).
async fn own(store: &impl Registry, s: &Settings, raw: &str, owner: &str) {
    reserve(store, s, raw, owner, NOW + 3600).await;
    let commitment = Commitment {
        username: name(s, raw),
        holder: Holder::new(
            owner,
            s.case_sensitive_user_names,
            &s.contact_key_or_development(),
        ),
        sub: owner.to_owned(),
        verified: Contacts::none(),
    };
    assert_eq!(
        store.commit(&commitment, NOW - 30).await.unwrap(),
        CommitOutcome::Committed
    );
}

fn active(sub: &str) -> ClaimState {
    ClaimState::Active {
        owner: Owner::Sub(sub.to_owned()),
    }
}

/// `event` as the handler must answer it: unchanged but for `response`.
fn answered(event: &Value, response: Value) -> Value {
    let mut expected = event.clone();
    expected["response"] = response;
    expected
}

fn groups() -> Value {
    json!({
        "groupsToOverride": ["editors", "beta-testers"],
        "iamRolesToOverride": ["arn:aws:iam::123456789012:role/editors"],
        "preferredRole": "arn:aws:iam::123456789012:role/editors"
    })
}

async fn run<R: Registry>(t: &Triggers<R>, event: &Value) -> (Value, TokenOutcome) {
    answer(t, event.clone()).await.unwrap()
}

#[tokio::test]
async fn the_owner_gets_the_registry_display_form_and_keeps_groups_v1() {
    let t = triggers(Counted::default(), Settings::default());
    own(&t.registry.store, &t.settings, "Melody_Rivers", MELODY).await;
    let mut event = fixture("token-generation-v1-authentication.json");
    // Same name, other case: the token carries the form the registry holds.
    event["request"]["userAttributes"]["preferred_username"] = json!("melody_rivers");
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome, TokenOutcome::NameOwned);
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
                "claimsToSuppress": [],
                "groupOverrideDetails": groups()
            }})
        )
    );
    assert_eq!(calls(&t.registry), (1, 0, 0), "one read, no write");
}

#[tokio::test]
async fn the_owner_v2_and_v3_name_in_id_token_and_access_token_only_when_configured() {
    for file in [
        "token-generation-v2-authentication.json",
        "token-generation-v3-authentication.json",
    ] {
        let event = fixture(file);
        let t = triggers(MemoryRegistry::new(), Settings::default());
        own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
        let (out, outcome) = run(&t, &event).await;
        assert_eq!(outcome, TokenOutcome::NameOwned, "{file}");
        assert_eq!(
            out,
            answered(
                &event,
                json!({"claimsAndScopeOverrideDetails": {
                    "idTokenGeneration": {
                        "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
                        "claimsToSuppress": []
                    },
                    "accessTokenGeneration": {
                        "claimsToAddOrOverride": {},
                        "claimsToSuppress": [],
                        "scopesToAdd": [],
                        "scopesToSuppress": []
                    },
                    "groupOverrideDetails": groups()
                }})
            ),
            "{file}"
        );

        let t = triggers(
            MemoryRegistry::new(),
            settings(&[
                ("USERNAMES_ACCESS_TOKEN_USERNAME", "true"),
                (
                    "USERNAMES_ACCESS_TOKEN_CLAIMS",
                    "tenant=custom:tenant,custom:plan",
                ),
            ]),
        );
        own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
        let (out, _) = run(&t, &event).await;
        assert_eq!(
            out["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"],
            json!({
                "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers", "tenant": "t-0042"},
                "claimsToSuppress": [],
                "scopesToAdd": [],
                "scopesToSuppress": []
            }),
            "{file}: the user has no custom:plan, so no such claim"
        );
    }
}

#[tokio::test]
async fn a_name_changed_to_someone_elses_is_withheld() {
    let t = triggers(Counted::default(), Settings::default());
    own(
        &t.registry.store,
        &t.settings,
        "Melody_Rivers",
        SOMEONE_ELSE,
    )
    .await;
    // The user set preferred_username to another user's name with UpdateUserAttributes, in a
    // confusable spelling.
    let mut event = fixture("token-generation-v1-authentication.json");
    event["request"]["userAttributes"]["preferred_username"] = json!("MELODY-RIVERS");
    let before = t.registry.store.claims();
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome.code(), "name_not_owned");
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {},
                "claimsToSuppress": ["preferred_username"],
                "groupOverrideDetails": groups()
            }})
        )
    );
    assert_eq!(
        t.registry.store.claims(),
        before,
        "the registry is untouched"
    );

    let event = fixture("token-generation-v2-authentication.json");
    let t = triggers(
        MemoryRegistry::new(),
        settings(&[("USERNAMES_ACCESS_TOKEN_USERNAME", "true")]),
    );
    own(&t.registry, &t.settings, "Melody_Rivers", SOMEONE_ELSE).await;
    let (out, _) = run(&t, &event).await;
    let details = &out["response"]["claimsAndScopeOverrideDetails"];
    assert_eq!(
        details["idTokenGeneration"],
        json!({"claimsToAddOrOverride": {}, "claimsToSuppress": ["preferred_username"]})
    );
    assert_eq!(
        details["accessTokenGeneration"]["claimsToSuppress"],
        json!(["preferred_username"])
    );
    assert_eq!(
        details["accessTokenGeneration"]["claimsToAddOrOverride"],
        json!({})
    );
}

#[tokio::test]
async fn a_name_nobody_holds_is_withheld_and_not_claimed() {
    let t = triggers(Counted::default(), Settings::default());
    let event = fixture("token-generation-v1-authentication.json");
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome.code(), "name_unclaimed");
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {},
                "claimsToSuppress": ["preferred_username"],
                "groupOverrideDetails": groups()
            }})
        )
    );
    assert!(t.registry.store.claims().is_empty());
    assert_eq!(
        calls(&t.registry),
        (2, 0, 0),
        "the user's record, then the name"
    );

    // Someone else's expired reservation is nobody's: still withheld, and not taken over.
    let t = triggers(Counted::default(), Settings::default());
    reserve(
        &t.registry.store,
        &t.settings,
        "Melody_Rivers",
        SOMEONE_ELSE,
        NOW - 1,
    )
    .await;
    let (_, outcome) = run(&t, &event).await;
    assert_eq!(outcome.code(), "name_unclaimed");
    assert!(matches!(&t.registry.store.claims()[0].state,
        ClaimState::Pending { holder, .. }
            if *holder == integration_tests::contract::stored_holder(SOMEONE_ELSE)));
    assert_eq!(calls(&t.registry).1, 0);
}

#[tokio::test]
async fn an_admin_created_users_pending_claim_is_committed_at_first_sign_in() {
    // PreSignUp_AdminCreateUser reserved the name; post-confirmation never runs for this user.
    // The fixture has the lenient shapes: `groupConfiguration: {}`, `claimsOverrideDetails: {}`.
    let t = triggers(Counted::default(), Settings::default());
    reserve(
        &t.registry.store,
        &t.settings,
        "SupportDesk",
        SUPPORT,
        NOW + 3600,
    )
    .await;
    let event = fixture("token-generation-v1-new-password-challenge.json");
    let expected = answered(
        &event,
        json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"preferred_username": "SupportDesk"},
            "claimsToSuppress": [],
            "groupOverrideDetails": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}
        }}),
    );
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome, TokenOutcome::NameCommitted);
    assert_eq!(out, expected);
    let claims = t.registry.store.claims();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].state, active(SUPPORT));
    assert_eq!(claims[0].display, "SupportDesk");
    assert_eq!(
        calls(&t.registry),
        (2, 1, 0),
        "the rare path: two reads and one commit"
    );

    // Replayed (Cognito retries): the same answer, now from the user's record, no second write.
    let (again, outcome) = run(&t, &event).await;
    assert_eq!((again, outcome), (expected, TokenOutcome::NameOwned));
    assert_eq!(calls(&t.registry), (3, 1, 0));
}

#[tokio::test]
async fn the_users_own_expired_reservation_is_committed_when_still_free() {
    let t = triggers(MemoryRegistry::new(), Settings::default());
    reserve(&t.registry, &t.settings, "SupportDesk", SUPPORT, NOW - 1).await;
    let event = fixture("token-generation-v1-new-password-challenge.json");
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome, TokenOutcome::NameCommitted);
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"],
        json!({"preferred_username": "SupportDesk"})
    );
    assert_eq!(t.registry.claims()[0].state, active(SUPPORT));
}

#[tokio::test]
async fn groups_are_copied_and_absent_groups_left_alone() {
    let t = triggers(MemoryRegistry::new(), Settings::default());
    own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
    // groupConfiguration null: no groupOverrideDetails at all, which would strip groups.
    let event = fixture("token-generation-v1-hosted-auth.json");
    let (out, _) = run(&t, &event).await;
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
                "claimsToSuppress": []
            }})
        )
    );
    // Only lists, no preferredRole; and no `scopes` in a V2 refresh.
    let event = fixture("token-generation-v2-refresh-tokens.json");
    let (out, _) = run(&t, &event).await;
    assert_eq!(
        out["response"]["claimsAndScopeOverrideDetails"]["groupOverrideDetails"],
        json!({"groupsToOverride": ["editors"], "iamRolesToOverride": [], "preferredRole": null})
    );
}

#[tokio::test]
async fn pii_claims_are_suppressed_from_the_id_token_only() {
    let s = settings(&[(
        "USERNAMES_SUPPRESS_CLAIMS",
        "email,email_verified,phone_number,phone_number_verified",
    )]);
    let t = triggers(MemoryRegistry::new(), s);
    own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
    let event = fixture("token-generation-v1-authentication.json");
    let (out, _) = run(&t, &event).await;
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
                "claimsToSuppress": ["email", "email_verified", "phone_number", "phone_number_verified"],
                "groupOverrideDetails": groups()
            }})
        )
    );
    let event = fixture("token-generation-v2-authentication.json");
    let (out, _) = run(&t, &event).await;
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsAndScopeOverrideDetails": {
                "idTokenGeneration": {
                    "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
                    "claimsToSuppress": ["email", "email_verified", "phone_number", "phone_number_verified"]
                },
                "accessTokenGeneration": {
                    "claimsToAddOrOverride": {},
                    "claimsToSuppress": [],
                    "scopesToAdd": [],
                    "scopesToSuppress": []
                },
                "groupOverrideDetails": groups()
            }})
        )
    );
    // Suppression holds when the name is withheld too: the display name masks nothing then.
    let t = triggers(
        MemoryRegistry::new(),
        settings(&[("USERNAMES_SUPPRESS_CLAIMS", "email,phone_number")]),
    );
    let event = fixture("token-generation-v1-authentication.json");
    let (out, _) = run(&t, &event).await;
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToSuppress"],
        json!(["email", "phone_number", "preferred_username"])
    );
}

#[tokio::test]
async fn v1_events_never_touch_the_access_token() {
    let s = settings(&[
        ("USERNAMES_ACCESS_TOKEN_USERNAME", "true"),
        ("USERNAMES_ACCESS_TOKEN_CLAIMS", "tenant=custom:tenant"),
    ]);
    let t = triggers(MemoryRegistry::new(), s);
    own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
    let mut event = fixture("token-generation-v1-authentication.json");
    event["request"]["userAttributes"]["custom:tenant"] = json!("t-0042");
    let (out, _) = run(&t, &event).await;
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"preferred_username": "Melody_Rivers"},
                "claimsToSuppress": [],
                "groupOverrideDetails": groups()
            }})
        )
    );
}

#[test]
fn configuration_that_touches_a_forbidden_claim_stops_init() {
    for (var, value) in [
        ("USERNAMES_SUPPRESS_CLAIMS", "email,sub"),
        ("USERNAMES_SUPPRESS_CLAIMS", "cognito:username"),
        ("USERNAMES_SUPPRESS_CLAIMS", "auth_time"),
        ("USERNAMES_SUPPRESS_CLAIMS", "preferred_username"),
        ("USERNAMES_ACCESS_TOKEN_CLAIMS", "client_id=custom:client"),
        (
            "USERNAMES_ACCESS_TOKEN_CLAIMS",
            "cognito:groups=custom:role",
        ),
        ("USERNAMES_ACCESS_TOKEN_CLAIMS", "device_key=custom:device"),
        (
            "USERNAMES_ACCESS_TOKEN_CLAIMS",
            "preferred_username=nickname",
        ),
        ("USERNAMES_ACCESS_TOKEN_USERNAME", "sometimes"),
    ] {
        let env = HashMap::from([(var.to_string(), value.to_string())]);
        let err: ConfigError = Settings::from_env(&env).unwrap_err();
        assert_eq!(err.var, var, "{var}={value}");
        assert!(
            err.to_string().starts_with("invalid configuration: "),
            "{err}"
        );
    }
}

#[tokio::test]
async fn a_registry_that_is_down_withholds_the_name_and_sign_in_goes_on() {
    let s = settings(&[("USERNAMES_SUPPRESS_CLAIMS", "email")]);
    for (hangs, code) in [(false, "registry_unavailable"), (true, "registry_timeout")] {
        let mut t = triggers(Broken { hangs }, s.clone());
        t.settings.tokens.registry_budget = Duration::from_millis(50);
        let event = fixture("token-generation-v1-authentication.json");
        // The 50 ms budget must end a registry that hangs for an hour; the outer limit only
        // turns a broken budget into a failure instead of a stuck test.
        let (out, outcome) = tokio::time::timeout(Duration::from_secs(30), run(&t, &event))
            .await
            .expect("the registry budget ends the call");
        assert_eq!(outcome.code(), code);
        assert_eq!(
            out,
            answered(
                &event,
                json!({"claimsOverrideDetails": {
                    "claimsToAddOrOverride": {},
                    "claimsToSuppress": ["email", "preferred_username"],
                    "groupOverrideDetails": groups()
                }})
            )
        );
        let event = fixture("token-generation-v3-authentication.json");
        let via_dispatch = dispatch(&t, event.clone()).await;
        assert_eq!(via_dispatch.outcome, code);
        let out = via_dispatch.result.unwrap();
        assert_eq!(
            out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"],
            json!({"claimsToAddOrOverride": {}, "claimsToSuppress": ["email", "preferred_username"]})
        );
    }
}

#[tokio::test]
async fn client_credentials_pass_through_unchanged_without_a_registry_call() {
    let t = triggers(
        Counted::default(),
        settings(&[("USERNAMES_SUPPRESS_CLAIMS", "email")]),
    );
    let event = fixture("token-generation-v3-client-credentials.json");
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(
        (out, outcome),
        (event.clone(), TokenOutcome::ClientCredentials)
    );
    assert_eq!(calls(&t.registry), (0, 0, 0));
    // Only V3 has machine-to-machine events.
    for version in ["1", "2"] {
        let mut wrong = event.clone();
        wrong["version"] = json!(version);
        let err = handle(&t, wrong).await.unwrap_err();
        assert_eq!(err.code(), "client_credentials_outside_v3");
    }
}

#[tokio::test]
async fn a_user_without_a_name_costs_one_read() {
    let t = triggers(Counted::default(), Settings::default());
    let mut event = fixture("token-generation-v2-authentication.json");
    let attributes = event["request"]["userAttributes"].as_object_mut().unwrap();
    attributes.remove("preferred_username");
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome, TokenOutcome::NameAbsent);
    assert_eq!(
        out,
        answered(
            &event,
            json!({"claimsAndScopeOverrideDetails": {
                "idTokenGeneration": {"claimsToAddOrOverride": {}, "claimsToSuppress": []},
                "accessTokenGeneration": {
                    "claimsToAddOrOverride": {},
                    "claimsToSuppress": [],
                    "scopesToAdd": [],
                    "scopesToSuppress": []
                },
                "groupOverrideDetails": groups()
            }})
        )
    );
    assert_eq!(
        calls(&t.registry),
        (1, 0, 0),
        "one read: the user could own a name the attribute does not show"
    );
}

#[tokio::test]
async fn a_name_the_policy_rejects_is_withheld_after_one_read() {
    let t = triggers(Counted::default(), Settings::default());
    let mut event = fixture("token-generation-v1-authentication.json");
    // Longer than any policy allows.
    event["request"]["userAttributes"]["preferred_username"] = json!("m".repeat(200));
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome.code(), "name_invalid");
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToSuppress"],
        json!(["preferred_username"])
    );
    assert_eq!(calls(&t.registry), (1, 0, 0));
}

#[tokio::test]
async fn with_the_username_source_the_cognito_username_is_the_name() {
    let s = settings(&[("USERNAMES_SOURCE", "username")]);
    let t = triggers(MemoryRegistry::new(), s);
    own(&t.registry, &t.settings, "melody", "melody").await;
    let mut event = fixture("token-generation-v1-authentication.json");
    event["userName"] = json!("melody");
    event["request"]["userAttributes"]["sub"] = json!("melody");
    // A user-writable attribute cannot smuggle another name in: it is overridden.
    event["request"]["userAttributes"]["preferred_username"] = json!("SupportDesk");
    let (out, outcome) = run(&t, &event).await;
    assert_eq!(outcome, TokenOutcome::NameOverridden);
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"],
        json!({"preferred_username": "melody"})
    );
}

const USER_SOURCES: [&str; 5] = [
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
];

#[tokio::test]
async fn every_version_and_user_trigger_source_is_answered() {
    let t = triggers(MemoryRegistry::new(), Settings::default());
    own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
    for (version, key) in [
        ("1", "claimsOverrideDetails"),
        ("V1_0", "claimsOverrideDetails"),
        ("0", "claimsOverrideDetails"),
        ("2", "claimsAndScopeOverrideDetails"),
        ("V2_0", "claimsAndScopeOverrideDetails"),
        ("3", "claimsAndScopeOverrideDetails"),
        ("V3_0", "claimsAndScopeOverrideDetails"),
    ] {
        for source in USER_SOURCES {
            let mut event = fixture("token-generation-v1-authentication.json");
            event["version"] = json!(version);
            event["triggerSource"] = json!(source);
            let out = handle(&t, event.clone()).await.unwrap();
            let details = &out["response"][key];
            let id_claims = if key == "claimsOverrideDetails" {
                &details["claimsToAddOrOverride"]
            } else {
                &details["idTokenGeneration"]["claimsToAddOrOverride"]
            };
            assert_eq!(
                id_claims,
                &json!({"preferred_username": "Melody_Rivers"}),
                "{version} {source}"
            );
            assert_eq!(
                details["groupOverrideDetails"],
                groups(),
                "{version} {source}"
            );
            let mut rest = out.clone();
            rest["response"] = event["response"].clone();
            assert_eq!(rest, event, "{version} {source}: only the response changes");
        }
    }
}

#[tokio::test]
async fn fixtures_of_every_trigger_source_are_answered() {
    let t = triggers(MemoryRegistry::new(), Settings::default());
    own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
    own(&t.registry, &t.settings, "SupportDesk", SUPPORT).await;
    for (file, outcome) in [
        ("token-generation-v1-authentication.json", "name_owned"),
        ("token-generation-v1-hosted-auth.json", "name_owned"),
        (
            "token-generation-v1-new-password-challenge.json",
            "name_owned",
        ),
        ("token-generation-v2-authentication.json", "name_owned"),
        ("token-generation-v2-authenticate-device.json", "name_owned"),
        ("token-generation-v2-refresh-tokens.json", "name_owned"),
        ("token-generation-v3-authentication.json", "name_owned"),
        (
            "token-generation-v3-client-credentials.json",
            "client_credentials",
        ),
    ] {
        let dispatched = dispatch(&t, fixture(file)).await;
        assert_eq!(dispatched.outcome, outcome, "{file}");
        assert!(dispatched.result.is_ok(), "{file}");
    }
}

/// What a case changes in a good event, and the groups the answer must carry (`None`: no
/// `groupOverrideDetails` at all).
type LenientCase = (&'static str, fn(&mut Value), Option<Value>);

#[tokio::test]
async fn lenient_shapes_that_the_crate_rejects_are_answered() {
    let t = triggers(MemoryRegistry::new(), Settings::default());
    own(&t.registry, &t.settings, "Melody_Rivers", MELODY).await;
    let base = fixture("token-generation-v2-authentication.json");
    let no_groups =
        json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null});
    let cases: [LenientCase; 6] = [
        (
            "groupConfiguration {}",
            |e| e["request"]["groupConfiguration"] = json!({}),
            Some(no_groups.clone()),
        ),
        (
            "groupConfiguration null",
            |e| e["request"]["groupConfiguration"] = Value::Null,
            None,
        ),
        (
            "no groupConfiguration",
            |e| {
                e["request"]
                    .as_object_mut()
                    .unwrap()
                    .remove("groupConfiguration");
            },
            None,
        ),
        (
            "no scopes",
            |e| {
                e["request"].as_object_mut().unwrap().remove("scopes");
            },
            Some(groups()),
        ),
        ("response {}", |e| e["response"] = json!({}), Some(groups())),
        (
            "response null, clientMetadata null",
            |e| {
                e["response"] = Value::Null;
                e["request"]["clientMetadata"] = Value::Null;
            },
            Some(groups()),
        ),
    ];
    for (what, change, want_groups) in cases {
        let mut event = base.clone();
        change(&mut event);
        let out = handle(&t, event.clone())
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let details = &out["response"]["claimsAndScopeOverrideDetails"];
        assert_eq!(
            details["idTokenGeneration"]["claimsToAddOrOverride"],
            json!({"preferred_username": "Melody_Rivers"}),
            "{what}"
        );
        match want_groups {
            Some(groups) => assert_eq!(details["groupOverrideDetails"], groups, "{what}"),
            None => assert!(details.get("groupOverrideDetails").is_none(), "{what}"),
        }
    }
    // V1 with `claimsOverrideDetails: {}` already in the response (cognito-local sends a
    // prefilled one): replaced, other response keys kept.
    let mut event = fixture("token-generation-v1-authentication.json");
    event["response"] = json!({"claimsOverrideDetails": {}, "note": "kept"});
    let out = handle(&t, event).await.unwrap();
    assert_eq!(out["response"]["note"], json!("kept"));
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"],
        json!({"preferred_username": "Melody_Rivers"})
    );
}

#[tokio::test]
async fn events_that_cannot_be_answered_get_a_clear_error() {
    let t = triggers(Counted::default(), Settings::default());
    let base = fixture("token-generation-v1-authentication.json");
    let mut unknown_version = base.clone();
    unknown_version["version"] = json!("V4_0");
    let mut unknown_source = base.clone();
    unknown_source["triggerSource"] = json!("TokenGeneration_Teleport");
    let mut bad_request = base.clone();
    bad_request["request"] = json!(["not", "an", "object"]);
    for (event, code, message) in [
        (
            unknown_version,
            "unsupported_version",
            "Unsupported token generation event version V4_0: expected 1, 2 or 3 (V1_0, V2_0 or V3_0).",
        ),
        (
            unknown_source,
            "unsupported_trigger_source",
            "This function does not handle the token generation trigger source TokenGeneration_Teleport.",
        ),
        (bad_request, "malformed_event", "The Cognito event is malformed: request is not an object."),
    ] {
        let err = handle(&t, event).await.unwrap_err();
        assert_eq!((err.code(), err.to_string().as_str()), (code, message));
    }
    assert_eq!(calls(&t.registry), (0, 0, 0));
}
