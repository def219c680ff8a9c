//! Operator rules (`usernames block --contains`) on both stores, through the handlers: a rule
//! added in the table refuses look-alike compounds at the next sign-up, rename and availability
//! once a function's cache (at most a minute) has passed, without a redeploy; existing owners keep
//! their names; a rule removed frees them. Included by `operations.rs`.

use integration_tests::contract::{commitment, T0};
use serde_json::json;
use shared::api::mirror::NoMirror;
use shared::api::{Api, ApiSettings, Caller};
use shared::config::Settings;
use shared::messages::Locale;
use shared::policy::Policy;
use shared::registry::word_rules::{ContainsRule, RuleSettings, WordRules};
use shared::registry::{Contacts, ManualClock, Registry};
use shared::triggers::{handle, Triggers};
use std::sync::Arc;
use std::time::Duration;

fn sign_up(user_name: &str, name: &str) -> serde_json::Value {
    json!({
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_Xy7Kp2Lm9",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client-1"},
        "request": {"userAttributes": {"preferred_username": name}, "validationData": null},
        "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
    })
}

pub async fn a_rule_added_in_the_table_refuses_look_alike_compounds_within_a_minute<R>(store: R)
where
    R: Registry + WordRules,
{
    let store = Arc::new(store);
    let clock = Arc::new(ManualClock::new(T0));
    let settings = Settings {
        rules: RuleSettings {
            seeded: vec![ContainsRule::new("paypal").unwrap()],
            cache: Duration::from_secs(60),
        },
        ..Settings::default()
    };
    let mut triggers = Triggers::new(Arc::clone(&store), settings.clone());
    triggers.clock = clock.clone();
    let mut api = Api::new(
        Arc::clone(&store),
        NoMirror,
        Policy::default(),
        ApiSettings {
            rules: settings.rules.clone(),
            ..ApiSettings::default()
        },
    );
    api.clock = clock.clone();
    let refused_code = |result: Result<serde_json::Value, shared::triggers::TriggerError>| {
        result.err().map(|e| e.code())
    };

    // Before the rule: a support desk signs up and keeps its name throughout.
    store
        .commit(&commitment("support_desk", "desk", Contacts::none()), T0)
        .await
        .unwrap();
    assert_eq!(
        refused_code(handle(&triggers, sign_up("u0", "helpful_sam")).await),
        None
    );
    // The deployment's seeded word applies from the start.
    assert_eq!(
        refused_code(handle(&triggers, sign_up("u1", "PayPaI_0fficial")).await),
        Some("reserved")
    );

    store
        .add_contains_rule(&ContainsRule::new("support").unwrap())
        .await
        .unwrap();
    // Within the cache's minute the functions still use the rules they read.
    clock.advance(30);
    assert_eq!(
        refused_code(handle(&triggers, sign_up("u2", "supp0rt_team")).await),
        None
    );
    clock.advance(30);
    for (user, name) in [
        ("u3", "Supp0rt-Team"),
        ("u4", "5upp0rt_bob"),
        ("u5", "SUPPORT.bot"),
    ] {
        assert_eq!(
            refused_code(handle(&triggers, sign_up(user, name)).await),
            Some("reserved"),
            "{name}"
        );
    }
    let availability = api
        .availability("the_support_desk", Locale::En)
        .await
        .unwrap();
    assert_eq!(
        (availability.available, availability.code),
        (false, Some("reserved"))
    );
    let renamer = Caller::new(integration_tests::contract::sub_of("desk"));
    let renamed = api.rename(&renamer, "support_team").await.unwrap_err();
    assert_eq!(renamed.code(), "reserved");
    // The owner from before the rule keeps the name.
    let owned = store
        .user(&integration_tests::contract::sub_of("desk"))
        .await
        .unwrap()
        .and_then(|u| u.owned)
        .map(|o| o.display);
    assert_eq!(owned.as_deref(), Some("support_desk"));

    // Removed: free again from the next read on.
    assert!(store.remove_contains_rule("SUPPORT").await.unwrap());
    clock.advance(60);
    assert_eq!(
        refused_code(handle(&triggers, sign_up("u6", "Supp0rt-Crew")).await),
        None
    );
    assert!(
        api.availability("support_folks", Locale::En)
            .await
            .unwrap()
            .available
    );
}

macro_rules! word_rule_tests {
    ($make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                super::$case($make.await).await;
            }
        )+
    };
}

mod memory {
    word_rule_tests!(async { shared::registry::MemoryRegistry::new() };
        a_rule_added_in_the_table_refuses_look_alike_compounds_within_a_minute);
}

mod dynamodb {
    word_rule_tests!(integration_tests::moto::moto_registry();
        a_rule_added_in_the_table_refuses_look_alike_compounds_within_a_minute);
}

mod disk {
    word_rule_tests!(integration_tests::disk::disk_registry();
        a_rule_added_in_the_table_refuses_look_alike_compounds_within_a_minute);
}
