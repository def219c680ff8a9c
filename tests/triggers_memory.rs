//! The sign-up triggers end to end through the shared dispatcher, on the in-memory registry:
//! every trigger source, rejections and their sentences, replays, retries, configuration, lenient
//! event shapes and every sign-up fixture in `events/`.

mod triggers_common;

use serde_json::{json, Value};
use shared::config::{NameSource, Settings};
use shared::messages::Locale;
use shared::registry::{ClaimState, MemoryRegistry, Registry};
use shared::triggers::pool::MemoryPool;
use shared::triggers::{dispatch, handle, TriggerError, Triggers};
use std::sync::Arc;
use std::time::Duration;
use triggers_common::*;

/// Handlers on a fresh memory store, with a pool in which no earlier sign-up's user exists (every
/// holder a collision asks about failed to sign up); see [`memory_pool`] to add some.
fn memory(settings: Settings) -> (Triggers<Arc<MemoryRegistry>>, Arc<MemoryRegistry>) {
    let (triggers, registry, _) = memory_pool(settings);
    (triggers, registry)
}

/// [`memory`], and the pool its handlers ask.
fn memory_pool(
    settings: Settings,
) -> (
    Triggers<Arc<MemoryRegistry>>,
    Arc<MemoryRegistry>,
    Arc<MemoryPool>,
) {
    let registry = Arc::new(MemoryRegistry::new());
    let pool = Arc::new(MemoryPool::new());
    let (triggers, _) = triggers_with(registry.clone(), settings);
    (triggers.with_pool(pool.clone()), registry, pool)
}

async fn outcome<R: Registry>(triggers: &Triggers<R>, event: Value) -> &'static str {
    dispatch(triggers, event).await.outcome
}

// --- pre-sign-up -------------------------------------------------------------------------------

#[tokio::test]
async fn sign_up_reserves_the_name_pending_for_the_configured_lifetime() {
    let mut settings = Settings::default();
    settings.sign_up.pending_ttl = Duration::from_secs(3600);
    let key = key_of(&settings, "Melody_Rivers");
    let (triggers, registry) = memory(settings);
    let event = sign_up(
        "uuid-1",
        Some("Melody.Rivers@Example.com"),
        Some("Melody_Rivers"),
    );

    let dispatched = dispatch(&triggers, event.clone()).await;
    assert_eq!(dispatched.outcome, "name_reserved");
    assert_eq!(
        dispatched.trigger_source.as_deref(),
        Some("PreSignUp_SignUp")
    );
    let response = dispatched.result.unwrap();
    assert_eq!(without_response(&response), without_response(&event));
    assert_eq!(
        response["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );

    let claims = registry.claims();
    assert_eq!(claims.len(), 1);
    let claim = &claims[0];
    assert_eq!(claim.key, key);
    assert_eq!(claim.display, "Melody_Rivers");
    assert_eq!(
        integration_tests::contract::pending_of(claim),
        (
            integration_tests::contract::stored_holder("uuid-1"),
            T0 + 3600,
            email_contacts("melody.rivers@example.com"),
            Some("uuid-1".to_owned())
        ),
        "held by the keyed hash of the userName, which is kept only sealed"
    );
}

#[tokio::test]
async fn admin_created_users_are_checked_and_reserved_as_long_as_their_temporary_password() {
    let (triggers, registry) = memory(Settings::default());
    let mut event = sign_up("uuid-admin", Some("desk@example.com"), Some("SupportDesk"));
    event["triggerSource"] = json!("PreSignUp_AdminCreateUser");
    assert_eq!(outcome(&triggers, event).await, "name_reserved");
    assert_eq!(who(&registry.claims()[0]), "uuid-admin");
    assert!(
        matches!(registry.claims()[0].state, ClaimState::Pending { expires_at, .. }
            if expires_at == T0 + 7 * 86_400),
        "the default temporary password lives 7 days: {:?}",
        registry.claims()[0].state
    );

    let mut rejected = sign_up("uuid-admin-2", None, Some("ab"));
    rejected["triggerSource"] = json!("PreSignUp_AdminCreateUser");
    let policy = Settings::default().policy.evaluate("ab").unwrap_err();
    let err = handle(&triggers, rejected).await.unwrap_err();
    assert_eq!(err.to_string(), policy.to_string());
}

#[tokio::test]
async fn federated_users_are_always_admitted_and_a_free_valid_name_is_reserved() {
    let mut settings = Settings::default();
    settings.sign_up.required = true;
    let (triggers, registry) = memory(settings);
    let mut unnamed = sign_up("Google_1098765", Some("river@example.com"), None);
    unnamed["triggerSource"] = json!("PreSignUp_ExternalProvider");
    assert_eq!(outcome(&triggers, unnamed).await, "name_absent");
    assert!(registry.claims().is_empty());

    let mut named = sign_up(
        "Google_2098765",
        Some("stone@example.com"),
        Some("RiverStone"),
    );
    named["triggerSource"] = json!("PreSignUp_ExternalProvider");
    assert_eq!(outcome(&triggers, named).await, "name_reserved");
    assert_eq!(who(&registry.claims()[0]), "Google_2098765");

    // Defect 3 of the ownership issue: someone who reserved a victim's IdP nickname, an invalid
    // mapped name or an outage must not lock a federated user out: admitted, name withheld.
    let before = registry.claims();
    let mut taken = sign_up("Facebook_77", Some("other@example.com"), Some("riverstone"));
    taken["triggerSource"] = json!("PreSignUp_ExternalProvider");
    let dispatched = dispatch(&triggers, taken.clone()).await;
    assert_eq!(dispatched.outcome, "name_taken");
    let admitted = dispatched.result.expect("admitted");
    assert_eq!(without_response(&admitted), without_response(&taken));
    let mut invalid = sign_up("Facebook_78", None, Some("ab"));
    invalid["triggerSource"] = json!("PreSignUp_ExternalProvider");
    let dispatched = dispatch(&triggers, invalid).await;
    assert_eq!(dispatched.outcome, "too_short");
    assert!(dispatched.result.is_ok());
    assert_eq!(registry.claims(), before, "nothing reserved for them");
    for broken in [DOWN, HANGING] {
        let (down, _) = triggers_with(broken, Settings::default());
        let mut event = sign_up("Google_3", None, Some("Brook"));
        event["triggerSource"] = json!("PreSignUp_ExternalProvider");
        let dispatched = dispatch(&down, event).await;
        assert!(dispatched.result.is_ok(), "{}", dispatched.outcome);
        assert!(dispatched.outcome.starts_with("registry_"));
    }
}

#[tokio::test]
async fn a_policy_violation_answers_with_the_policys_sentence_and_reserves_nothing() {
    let (triggers, registry) = memory(Settings::default());
    for raw in [
        "ab",
        "melody@example.com",
        "a_very_long_username_that_goes_on_and_on",
    ] {
        let violation = Settings::default().policy.evaluate(raw).unwrap_err();
        let err = handle(&triggers, sign_up("uuid-1", None, Some(raw)))
            .await
            .unwrap_err();
        assert!(matches!(err, TriggerError::Policy(_)), "{raw}: {err:?}");
        assert_eq!(err.to_string(), violation.to_string(), "{raw}");
        assert_eq!(err.code(), violation.code(), "{raw}");
        let body = err.lambda_error(Locale::En);
        assert_eq!(body.error_type, violation.code());
        assert_eq!(
            body.error_message,
            format!("{} [{}]", violation, violation.code())
        );
    }
    assert!(registry.claims().is_empty());
}

#[tokio::test]
async fn a_name_someone_holds_is_taken_in_any_spelling() {
    let (triggers, registry) = memory(Settings::default());
    handle(
        &triggers,
        sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers")),
    )
    .await
    .unwrap();
    for variant in ["Melody_Rivers", "melody_rivers", "MELODY_RIVERS"] {
        let err = handle(
            &triggers,
            sign_up("uuid-2", Some("b@example.com"), Some(variant)),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "name_taken", "{variant}");
        assert_eq!(err.to_string(), "That username is already taken.");
    }
    let claims = registry.claims();
    assert_eq!(claims.len(), 1);
    assert_eq!(who(&claims[0]), "uuid-1");
}

#[tokio::test]
async fn replaying_a_sign_up_gives_the_same_answer_and_state() {
    let (triggers, registry) = memory(Settings::default());
    let event = sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers"));
    let first = handle(&triggers, event.clone()).await.unwrap();
    let state = registry.claims();
    let again = handle(&triggers, event.clone()).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(registry.claims(), state);

    // Cognito retries while the first attempt still runs.
    let (a, b) = tokio::join!(handle(&triggers, event.clone()), handle(&triggers, event));
    assert_eq!(a.unwrap(), first);
    assert_eq!(b.unwrap(), first);
    assert_eq!(registry.claims(), state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ups_for_one_name_leave_one_owner() {
    let (triggers, registry) = memory(Settings::default());
    let triggers = Arc::new(triggers);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let name = if i % 2 == 0 {
            "Melody_Rivers"
        } else {
            "melody_rivers"
        };
        let event = sign_up(
            &format!("uuid-{i}"),
            Some(&format!("p{i}@example.com")),
            Some(name),
        );
        let triggers = Arc::clone(&triggers);
        tasks.spawn(async move { handle(&triggers, event).await.map_err(|e| e.code()) });
    }
    let answers = tasks.join_all().await;
    assert_eq!(
        answers.iter().filter(|a| a.is_ok()).count(),
        1,
        "{answers:?}"
    );
    assert!(answers
        .iter()
        .filter_map(|a| a.as_ref().err())
        .all(|code| *code == "name_taken"));
    assert_eq!(registry.claims().len(), 1);
}

#[tokio::test]
async fn retrying_a_failed_sign_up_with_the_same_email_is_not_locked_out_nor_takes_over() {
    let (triggers, registry) = memory(Settings::default());
    let first = sign_up(
        "uuid-first",
        Some("Melody@Example.com"),
        Some("Melody_Rivers"),
    );
    handle(&triggers, first).await.unwrap();

    // The client failed after pre-sign-up; the person signs up again and Cognito generates a new
    // userName. Their own pending reservation must not stand in the way.
    let retry = sign_up(
        "uuid-retry",
        Some("melody@example.com "),
        Some("Melody_Rivers"),
    );
    assert_eq!(outcome(&triggers, retry).await, "name_held_for_retry");
    assert_eq!(
        who(&registry.claims()[0]),
        "uuid-first",
        "nothing changes until a verified email proves it"
    );

    let stranger = sign_up(
        "uuid-stranger",
        Some("someone.else@example.com"),
        Some("Melody_Rivers"),
    );
    assert_eq!(outcome(&triggers, stranger).await, "name_taken");
    // Without an email there is nothing to recognise the person by.
    let no_email = sign_up("uuid-anon", None, Some("Melody_Rivers"));
    assert_eq!(outcome(&triggers, no_email).await, "name_taken");
    assert_eq!(who(&registry.claims()[0]), "uuid-first");
}

#[tokio::test]
async fn an_expired_reservation_frees_the_name() {
    let registry = Arc::new(MemoryRegistry::new());
    let mut settings = Settings::default();
    settings.sign_up.pending_ttl = Duration::from_secs(600);
    let (triggers, clock) = triggers_with(registry.clone(), settings);
    handle(
        &triggers,
        sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers")),
    )
    .await
    .unwrap();
    clock.advance(599);
    let late = sign_up("uuid-2", Some("b@example.com"), Some("Melody_Rivers"));
    assert_eq!(outcome(&triggers, late.clone()).await, "name_taken");
    clock.advance(1);
    assert_eq!(outcome(&triggers, late).await, "name_reserved");
    assert_eq!(who(&registry.claims()[0]), "uuid-2");
}

#[tokio::test]
async fn a_name_is_required_only_when_configured() {
    let (optional, registry) = memory(Settings::default());
    for event in [
        sign_up("uuid-1", Some("a@example.com"), None),
        sign_up("uuid-2", Some("b@example.com"), Some("")),
        sign_up("uuid-3", Some("c@example.com"), Some("   ")),
    ] {
        assert_eq!(outcome(&optional, event).await, "name_absent");
    }
    assert!(registry.claims().is_empty());

    let mut settings = Settings::default();
    settings.sign_up.required = true;
    let (required, _) = memory(settings);
    for event in [
        sign_up("uuid-1", Some("a@example.com"), None),
        sign_up("uuid-2", Some("b@example.com"), Some(" ")),
    ] {
        let err = handle(&required, event).await.unwrap_err();
        assert_eq!(err.code(), "name_required");
        assert_eq!(err.to_string(), "Choose a username.");
    }
}

#[tokio::test]
async fn the_cognito_username_can_be_the_name() {
    let settings = Settings {
        name_source: NameSource::Username,
        ..Settings::default()
    };
    let (triggers, registry) = memory(settings.clone());
    // The preferred_username attribute is not what this pool checks.
    let event = sign_up("Melody_Rivers", None, Some("SomethingElse"));
    assert_eq!(outcome(&triggers, event).await, "name_reserved");
    let claims = registry.claims();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].display, "Melody_Rivers");
    assert_eq!(who(&claims[0]), "Melody_Rivers");
    assert_eq!(claims[0].key, key_of(&settings, "Melody_Rivers"));

    // Cognito keeps userName unique only up to case; the registry adds separators and
    // look-alikes. (A case variant is the same userName, so the same holder.)
    let err = handle(&triggers, sign_up("melody.rivers", None, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "name_taken");
    let err = handle(&triggers, sign_up("ab", None, None))
        .await
        .unwrap_err();
    assert!(matches!(err, TriggerError::Policy(_)));

    // A federated user's generated userName is no name.
    let mut federated = sign_up("Google_1098765", None, None);
    federated["triggerSource"] = json!("PreSignUp_ExternalProvider");
    assert_eq!(outcome(&triggers, federated).await, "name_absent");

    assert_eq!(
        outcome(&triggers, confirm_sign_up("Melody_Rivers", None)).await,
        "name_committed"
    );
    assert_eq!(registry.claims()[0].state, active("Melody_Rivers"));
}

#[tokio::test]
async fn auto_confirm_and_auto_verify_follow_the_switches_and_the_attributes_given() {
    let mut settings = Settings::default();
    settings.sign_up.auto_confirm = true;
    settings.sign_up.auto_verify_email = true;
    settings.sign_up.auto_verify_phone = true;
    let (triggers, _) = memory(settings);

    let email_only = handle(
        &triggers,
        sign_up("uuid-1", Some("a@example.com"), Some("Alpha_One")),
    )
    .await
    .unwrap();
    assert_eq!(
        email_only["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false})
    );

    let mut phone_only = sign_up("uuid-2", None, None);
    phone_only["request"]["userAttributes"]["phone_number"] = json!("+447700900123");
    let answered = handle(&triggers, phone_only).await.unwrap();
    assert_eq!(
        answered["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": true})
    );

    let (off, _) = memory(Settings::default());
    let mut both = sign_up("uuid-3", Some("c@example.com"), None);
    both["request"]["userAttributes"]["phone_number"] = json!("+447700900124");
    both["response"] =
        json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": true});
    let answered = handle(&off, both).await.unwrap();
    assert_eq!(
        answered["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );
}

#[tokio::test]
async fn lenient_shapes_are_answered_and_everything_sent_comes_back() {
    let (triggers, _) = memory(Settings::default());
    let base = sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers"));
    let mut shapes = Vec::new();
    for response in [json!({}), Value::Null, json!({"futureFlag": true})] {
        let mut event = base.clone();
        event["response"] = response;
        shapes.push(event);
    }
    let mut no_response = base.clone();
    no_response.as_object_mut().unwrap().remove("response");
    shapes.push(no_response);
    let mut extras = base.clone();
    extras["unknownTopLevel"] = json!({"nested": [1, 2]});
    extras["request"]["userContextData"] = json!({"encodedData": "abc"});
    extras["request"]["clientMetadata"] = Value::Null;
    extras["request"]["userAttributes"]["custom:tenant"] = json!("acme");
    extras["request"]["userAttributes"]["nickname"] = Value::Null;
    extras["callerContext"] = Value::Null;
    shapes.push(extras);

    for event in shapes {
        let answered = handle(&triggers, event.clone()).await.unwrap_or_else(|e| {
            panic!("{event}: {e}");
        });
        assert_eq!(without_response(&answered), without_response(&event));
        let response = answered["response"].as_object().unwrap();
        assert_eq!(response["autoConfirmUser"], json!(false), "{event}");
        if let Some(sent) = event.get("response").and_then(Value::as_object) {
            for (key, value) in sent {
                if !key.starts_with("auto") {
                    assert_eq!(&response[key], value, "kept {key}");
                }
            }
        }
    }
}

#[tokio::test]
async fn events_that_are_not_cognito_events_get_a_clear_error() {
    let (triggers, registry) = memory(Settings::default());
    let cases = [
        (
            json!({"httpMethod": "GET", "path": "/"}),
            "missing_trigger_source",
        ),
        (json!([1, 2, 3]), "not_a_cognito_event"),
        (json!("PreSignUp_SignUp"), "not_a_cognito_event"),
        (
            json!({"triggerSource": "CustomMessage_SignUp"}),
            "unsupported_trigger_source",
        ),
        (
            json!({"triggerSource": "PreSignUp_Migrate"}),
            "unsupported_trigger_source",
        ),
        (
            json!({"triggerSource": "PostConfirmation_Other"}),
            "unsupported_trigger_source",
        ),
        (
            json!({"triggerSource": "PreSignUp_SignUp", "request": {"userAttributes": "x"}}),
            "malformed_event",
        ),
    ];
    for (event, code) in cases {
        let err = handle(&triggers, event.clone()).await.unwrap_err();
        assert_eq!(err.code(), code, "{event}");
        let message = err.to_string();
        assert!(message.ends_with('.'), "{message}");
        assert!(
            !message.contains("serde") && !message.contains("invalid type"),
            "{message}"
        );
    }
    let err = handle(&triggers, json!({"triggerSource": "CustomMessage_SignUp"}))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "This function does not handle the Cognito trigger source CustomMessage_SignUp."
    );
    assert!(registry.claims().is_empty());
}

#[tokio::test]
async fn a_registry_that_is_down_or_silent_denies_with_try_again() {
    let (down, _) = triggers_with(DOWN, Settings::default());
    let event = sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers"));
    let err = handle(&down, event.clone()).await.unwrap_err();
    assert_eq!(err.code(), "registry_unavailable");
    assert_eq!(
        err.to_string(),
        "We couldn't reach the username registry right now. Please try again."
    );

    let mut settings = Settings::default();
    settings.sign_up.registry_budget = Duration::from_millis(50);
    let (silent, _) = triggers_with(HANGING, settings);
    let err = handle(&silent, event).await.unwrap_err();
    assert_eq!(err.code(), "registry_timeout");
    assert_eq!(
        err.to_string(),
        "We couldn't reach the username registry in time. Please try again."
    );

    // Without a name there is nothing to reserve, so the registry is not asked.
    let answered = handle(&down, sign_up("uuid-2", Some("b@example.com"), None)).await;
    assert!(answered.is_ok());
}

#[tokio::test]
async fn token_generation_events_go_to_the_token_trigger() {
    let (triggers, registry) = memory(Settings::default());
    let event = json!({
        "version": "1",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_Xy7Kp2Lm9",
        "userName": "uuid-1",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client-1"},
        "request": {"userAttributes": {"sub": "uuid-1"}, "groupConfiguration": {}},
        "response": {}
    });
    let dispatched = dispatch(&triggers, event.clone()).await;
    assert_eq!(
        dispatched.trigger_source.as_deref(),
        Some("TokenGeneration_Authentication")
    );
    let answered = dispatched.result.unwrap();
    assert_eq!(without_response(&answered), without_response(&event));
    assert!(
        answered["response"]["claimsOverrideDetails"].is_object(),
        "{answered}"
    );
    assert!(registry.claims().is_empty());
}

// --- post-confirmation -------------------------------------------------------------------------

#[tokio::test]
async fn confirming_a_sign_up_commits_the_reservation() {
    let (triggers, registry) = memory(Settings::default());
    handle(
        &triggers,
        sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers")),
    )
    .await
    .unwrap();
    let event = confirm_sign_up("uuid-1", Some("Melody_Rivers"));
    let dispatched = dispatch(&triggers, event.clone()).await;
    assert_eq!(dispatched.outcome, "name_committed");
    assert_eq!(dispatched.result.unwrap(), event);
    let claims = registry.claims();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].state, active("uuid-1"));

    // Replays change nothing and answer the same.
    let state = registry.claims();
    let (a, b) = tokio::join!(
        handle(&triggers, event.clone()),
        handle(&triggers, event.clone())
    );
    assert_eq!(a.unwrap(), event);
    assert_eq!(b.unwrap(), event);
    assert_eq!(registry.claims(), state);
    // An active name is never taken over by a retried sign-up with the same email.
    let retry = sign_up("uuid-9", Some("a@example.com"), Some("Melody_Rivers"));
    assert_eq!(outcome(&triggers, retry).await, "name_taken");
}

#[tokio::test]
async fn the_same_person_confirming_either_of_two_sign_ups_gets_the_name() {
    let (triggers, registry, pool) = memory_pool(Settings::default());
    // confirm_sign_up's user has this email, verified.
    let email = Some("someone@example.com");
    // Their first sign-up went through: Cognito has that user, so a second sign-up with the
    // same email is refused as any other (the answer never tells whose email it is)...
    let first = sign_up("melody_rivers-first", email, Some("Melody_Rivers"));
    assert_eq!(outcome(&triggers, first).await, "name_reserved");
    pool.add("melody_rivers-first");
    let again = sign_up("melody_rivers-retry", email, Some("Melody_Rivers"));
    assert_eq!(outcome(&triggers, again).await, "name_taken");
    // ...and they confirm that first account: it holds the name.
    let event = confirm_sign_up("melody_rivers-first", Some("Melody_Rivers"));
    assert_eq!(outcome(&triggers, event).await, "name_committed");
    // Their first sign-up failed after its reservation landed (Cognito never created it): the
    // retry is admitted, and its verified email proves it is the same person.
    let first = sign_up("river_song-first", email, Some("River_Song"));
    assert_eq!(outcome(&triggers, first).await, "name_reserved");
    let retry = sign_up("river_song-retry", email, Some("River_Song"));
    assert_eq!(outcome(&triggers, retry).await, "name_held_for_retry");
    let event = confirm_sign_up("river_song-retry", Some("River_Song"));
    assert_eq!(outcome(&triggers, event).await, "name_committed");
    let owners: Vec<_> = registry
        .claims()
        .iter()
        .map(|c| (c.display.clone(), c.state.clone()))
        .collect();
    assert!(owners.contains(&("Melody_Rivers".into(), active("melody_rivers-first"))));
    assert!(owners.contains(&("River_Song".into(), active("river_song-retry"))));
}

#[tokio::test]
async fn a_lost_or_expired_reservation_is_claimed_again_when_free() {
    let registry = Arc::new(MemoryRegistry::new());
    let (triggers, clock) = triggers_with(registry.clone(), Settings::default());
    // No reservation at all (e.g. the name was set before the triggers were installed).
    assert_eq!(
        outcome(&triggers, confirm_sign_up("uuid-1", Some("First_Name"))).await,
        "name_committed"
    );
    // A reservation that expired before the user confirmed.
    handle(
        &triggers,
        sign_up("uuid-2", Some("b@example.com"), Some("Second_Name")),
    )
    .await
    .unwrap();
    clock.advance(2 * 86_400);
    assert_eq!(
        outcome(&triggers, confirm_sign_up("uuid-2", Some("Second_Name"))).await,
        "name_committed"
    );
    assert!(registry
        .claims()
        .iter()
        .all(|c| matches!(c.state, ClaimState::Active { .. })));
}

#[tokio::test]
async fn confirming_a_name_someone_else_holds_succeeds_and_changes_nothing() {
    let (triggers, registry) = memory(Settings::default());
    handle(
        &triggers,
        sign_up("uuid-1", Some("a@example.com"), Some("Melody_Rivers")),
    )
    .await
    .unwrap();
    let state = registry.claims();
    let event = confirm_sign_up("uuid-2", Some("melody_rivers"));
    let dispatched = dispatch(&triggers, event.clone()).await;
    assert_eq!(dispatched.outcome, "name_taken");
    assert_eq!(dispatched.result.unwrap(), event);
    assert_eq!(registry.claims(), state);
}

#[tokio::test]
async fn confirmation_without_a_usable_name_does_nothing() {
    let (triggers, registry) = memory(Settings::default());
    assert_eq!(
        outcome(&triggers, confirm_sign_up("uuid-1", None)).await,
        "name_absent"
    );
    // The policy may have changed since sign-up: the name is re-checked and not committed.
    assert_eq!(
        outcome(&triggers, confirm_sign_up("uuid-2", Some("ab"))).await,
        "name_invalid"
    );
    let mut federated = confirm_sign_up("Google_1098765", None);
    federated["request"]["userAttributes"]["cognito:user_status"] = json!("EXTERNAL_PROVIDER");
    assert_eq!(outcome(&triggers, federated).await, "name_absent");
    assert!(registry.claims().is_empty());
}

#[tokio::test]
async fn forgot_password_confirmation_makes_no_registry_call() {
    // A registry that fails every call shows that none is made.
    let (down, _) = triggers_with(DOWN, Settings::default());
    let event = confirm(
        "PostConfirmation_ConfirmForgotPassword",
        "uuid-1",
        Some("Melody_Rivers"),
    );
    let dispatched = dispatch(&down, event.clone()).await;
    assert_eq!(dispatched.outcome, "no_action");
    assert_eq!(dispatched.result.unwrap(), event);
}

#[tokio::test]
async fn confirmation_succeeds_when_the_registry_is_down_or_silent() {
    let event = confirm_sign_up("uuid-1", Some("Melody_Rivers"));
    let (down, _) = triggers_with(DOWN, Settings::default());
    let dispatched = dispatch(&down, event.clone()).await;
    assert_eq!(dispatched.outcome, "registry_unavailable");
    assert_eq!(dispatched.result.unwrap(), event);

    let mut settings = Settings::default();
    settings.sign_up.registry_budget = Duration::from_millis(50);
    let (silent, _) = triggers_with(HANGING, settings);
    let dispatched = dispatch(&silent, event.clone()).await;
    assert_eq!(dispatched.outcome, "registry_timeout");
    assert_eq!(dispatched.result.unwrap(), event);
}

#[tokio::test]
async fn confirmation_accepts_lenient_shapes() {
    let (triggers, _) = memory(Settings::default());
    let mut event = confirm_sign_up("uuid-1", Some("Melody_Rivers"));
    event.as_object_mut().unwrap().remove("response");
    event["request"]["clientMetadata"] = Value::Null;
    event["somethingNew"] = json!(1);
    let answered = handle(&triggers, event.clone()).await.unwrap();
    assert_eq!(answered["response"], json!({}));
    assert_eq!(without_response(&answered), event);
}

// --- fixtures ----------------------------------------------------------------------------------

#[tokio::test]
async fn every_sign_up_fixture_has_its_outcome() {
    // Run in this order on one store, as `usernames invoke` would.
    let expected = [
        ("pre-sign-up-signup.json", "name_reserved"),
        ("post-confirmation-confirm-sign-up.json", "name_committed"),
        (
            "post-confirmation-confirm-forgot-password.json",
            "no_action",
        ),
        ("pre-sign-up-admin-create-user.json", "name_reserved"),
        ("pre-sign-up-external-provider.json", "name_absent"),
    ];
    let mut on_disk: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("pre-sign-up-") || name.starts_with("post-confirmation-"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = expected.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every sign-up fixture needs an expected outcome here"
    );

    let (triggers, registry) = memory(Settings::default());
    for (file, want) in expected {
        let event = fixture(file);
        let dispatched = dispatch(&triggers, event.clone()).await;
        assert_eq!(dispatched.outcome, want, "{file}");
        let answered = dispatched.result.unwrap();
        assert_eq!(
            without_response(&answered),
            without_response(&event),
            "{file}"
        );
    }
    let claims = registry.claims();
    let summary: Vec<_> = claims
        .iter()
        .map(|c| (c.display.as_str(), c.state.clone()))
        .collect();
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert!(
        summary
            .iter()
            .any(|(d, s)| *d == "Melody_Rivers" && matches!(s, ClaimState::Active { .. })),
        "{summary:?}"
    );
    assert!(
        summary
            .iter()
            .any(|(d, s)| *d == "SupportDesk" && matches!(s, ClaimState::Pending { .. })),
        "{summary:?}"
    );
}
