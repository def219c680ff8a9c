//! `usernames demo`: a narrated sign-up → confirm → sign-in walk-through on the embedded store,
//! through exactly the handlers the Lambda functions run.

use serde_json::{json, Value};
use shared::config::tokens::{ENV_ACCESS_TOKEN_USERNAME, ENV_SUPPRESS_CLAIMS};
use shared::config::{Settings, ENV_SOURCE};
use shared::registry::MemoryRegistry;
use shared::triggers::{dispatch, Triggers};
use std::collections::HashMap;
use std::process::ExitCode;

const MELODY: &str = "5a1c7f3e-melody";
const MALLORY: &str = "9e8d7c6b-mallory";

/// The settings the demo runs with: the display name masks email and phone in the ID token and
/// is copied into the V2 access token.
fn demo_settings() -> Result<Settings, shared::config::ConfigError> {
    let env: HashMap<String, String> = [
        (ENV_SOURCE, "preferred_username"),
        (
            ENV_SUPPRESS_CLAIMS,
            "email,email_verified,phone_number,phone_number_verified",
        ),
        (ENV_ACCESS_TOKEN_USERNAME, "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Settings::from_env(&env)
}

pub fn run() -> ExitCode {
    let settings = match demo_settings() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("usernames demo: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match crate::setup::runtime("demo") {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let triggers = Triggers::new(MemoryRegistry::new(), settings);
    let mut demo = Demo {
        triggers,
        surprises: 0,
    };
    runtime.block_on(demo.walk_through());
    if demo.surprises == 0 {
        say!("\nEvery step answered as expected.");
        ExitCode::SUCCESS
    } else {
        say!("\n{} step(s) did not answer as expected.", demo.surprises);
        ExitCode::from(1)
    }
}

struct Demo {
    triggers: Triggers<MemoryRegistry>,
    surprises: usize,
}

/// What a step expects the handlers to say: success or a rejection, with its outcome code.
#[derive(Clone, Copy)]
enum Expect {
    Accepted(&'static str),
    Rejected(&'static str),
}

impl Demo {
    async fn walk_through(&mut self) {
        say!("cognito-usernames demo: the Lambda handlers on the embedded store.\n");

        self.step("Melody signs up with the display name \"Melody_Rivers\".");
        self.sign_up(
            MELODY,
            "Melody_Rivers",
            "melody@example.com",
            Expect::Accepted("name_reserved"),
        )
        .await;

        self.step("Someone else tries \"melody.rivers\" (other case, other separator).");
        self.sign_up(
            "b2-copycat",
            "melody.rivers",
            "copy@example.com",
            Expect::Rejected("name_taken"),
        )
        .await;

        self.step("…and \"MeIody_Rivers\", with a capital I for the l.");
        self.sign_up(
            "c3-copycat",
            "MeIody_Rivers",
            "copy@example.com",
            Expect::Rejected("name_taken"),
        )
        .await;

        self.step("…and \"Меlody_Rivers\", whose first two letters are Cyrillic.");
        self.sign_up(
            "d4-copycat",
            "Меlody_Rivers",
            "copy@example.com",
            Expect::Rejected("mixed_scripts"),
        )
        .await;

        self.step("Someone tries the reserved name \"Adm1n\".");
        self.sign_up(
            "e5-copycat",
            "Adm1n",
            "copy@example.com",
            Expect::Rejected("reserved"),
        )
        .await;

        self.step("Melody confirms her email: her reservation is committed to her sub.");
        let confirmed = self
            .run(
                event(
                    "PostConfirmation_ConfirmSignUp",
                    MELODY,
                    "1",
                    attributes("Melody_Rivers", "melody@example.com"),
                ),
                Expect::Accepted("name_committed"),
            )
            .await;
        self.say_outcome(&confirmed);

        self.step(
            "Melody signs in (V1 token event): the ID token carries her name, not her email.",
        );
        let v1 = self
            .sign_in(MELODY, "Melody_Rivers", "1", "name_owned")
            .await;
        self.show_claims(&v1["response"]["claimsOverrideDetails"], "ID token");

        self.step("Melody signs in with V2 token events: the access token gets the name too.");
        let v2 = self
            .sign_in(MELODY, "Melody_Rivers", "2", "name_owned")
            .await;
        let details = &v2["response"]["claimsAndScopeOverrideDetails"];
        self.show_claims(&details["idTokenGeneration"], "ID token");
        self.show_claims(&details["accessTokenGeneration"], "access token");

        self.step("Melody resets her password: the confirmation touches no name.");
        let reset = self
            .run(
                event(
                    "PostConfirmation_ConfirmForgotPassword",
                    MELODY,
                    "1",
                    attributes("Melody_Rivers", "melody@example.com"),
                ),
                Expect::Accepted("no_action"),
            )
            .await;
        self.say_outcome(&reset);

        self.step("Mallory signs up as \"mallory_k\" and confirms.");
        self.sign_up(
            MALLORY,
            "mallory_k",
            "mallory@example.com",
            Expect::Accepted("name_reserved"),
        )
        .await;
        let confirmed = self
            .run(
                event(
                    "PostConfirmation_ConfirmSignUp",
                    MALLORY,
                    "1",
                    attributes("mallory_k", "mallory@example.com"),
                ),
                Expect::Accepted("name_committed"),
            )
            .await;
        self.say_outcome(&confirmed);

        self.step(
            "Mallory sets her preferred_username to \"Melody_Rivers\" with UpdateUserAttributes\n   (no trigger fires for that) and signs in: the token carries the name she owns.",
        );
        let bypass = self
            .sign_in(MALLORY, "Melody_Rivers", "1", "name_overridden")
            .await;
        self.show_claims(&bypass["response"]["claimsOverrideDetails"], "ID token");
    }

    fn step(&self, text: &str) {
        say!("\n-> {text}");
    }

    async fn sign_up(&mut self, user: &str, name: &str, email: &str, expect: Expect) {
        let answer = self
            .run(
                event("PreSignUp_SignUp", user, "1", attributes(name, email)),
                expect,
            )
            .await;
        self.say_outcome(&answer);
    }

    async fn sign_in(
        &mut self,
        user: &str,
        name: &str,
        version: &str,
        expect: &'static str,
    ) -> Value {
        let mut event = event(
            "TokenGeneration_Authentication",
            user,
            version,
            attributes(name, "someone@example.com"),
        );
        event["request"]["userAttributes"]["phone_number"] = json!("+447700900123");
        event["request"]["groupConfiguration"] = json!({"groupsToOverride": ["editors"], "iamRolesToOverride": [], "preferredRole": null});
        if version != "1" {
            event["request"]["scopes"] = json!(["openid", "profile"]);
        }
        match self.run(event, Expect::Accepted(expect)).await {
            Answer::Accepted { response, .. } => response,
            Answer::Rejected { .. } => Value::Null,
        }
    }

    /// Runs one event and checks it answered as the step expects.
    async fn run(&mut self, event: Value, expect: Expect) -> Answer {
        let dispatched = dispatch(&self.triggers, event).await;
        let answer = match dispatched.result {
            Ok(response) => Answer::Accepted {
                outcome: dispatched.outcome,
                response,
            },
            Err(e) => Answer::Rejected {
                code: dispatched.outcome,
                message: e.to_string(),
            },
        };
        let as_expected = match (&answer, expect) {
            (Answer::Accepted { outcome, .. }, Expect::Accepted(want)) => *outcome == want,
            (Answer::Rejected { code, .. }, Expect::Rejected(want)) => *code == want,
            _ => false,
        };
        if !as_expected {
            self.surprises += 1;
            say!("   UNEXPECTED:");
        }
        answer
    }

    fn say_outcome(&self, answer: &Answer) {
        match answer {
            Answer::Accepted { outcome, .. } => say!("   accepted ({outcome})"),
            Answer::Rejected { code, message } => {
                say!("   rejected ({code}): \"{message}\"")
            }
        }
    }

    fn show_claims(&self, generation: &Value, token: &str) {
        let added = &generation["claimsToAddOrOverride"];
        match added.get("preferred_username").and_then(Value::as_str) {
            Some(name) => say!("   {token}: preferred_username = \"{name}\""),
            None => say!("   {token}: no preferred_username"),
        }
        let suppressed: Vec<&str> = generation["claimsToSuppress"]
            .as_array()
            .map(|claims| claims.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !suppressed.is_empty() {
            say!("   {token}: suppressed {}", suppressed.join(", "));
        }
    }
}

enum Answer {
    Accepted {
        outcome: &'static str,
        response: Value,
    },
    Rejected {
        code: &'static str,
        message: String,
    },
}

fn attributes(name: &str, email: &str) -> Value {
    json!({"preferred_username": name, "email": email, "email_verified": "true"})
}

/// A Cognito event as the service sends it, with an empty response. The users of the demo sign
/// in with email, so their `userName` is their `sub`, which confirmation and sign-in carry.
fn event(trigger_source: &str, user: &str, version: &str, mut attributes: Value) -> Value {
    if !trigger_source.starts_with("PreSignUp_") {
        attributes["sub"] = json!(user);
    }
    let response = match (trigger_source.starts_with("TokenGeneration_"), version) {
        (true, "1") => json!({"claimsOverrideDetails": null}),
        (true, _) => json!({"claimsAndScopeOverrideDetails": null}),
        (false, _) => json!({}),
    };
    json!({
        "version": version,
        "triggerSource": trigger_source,
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_demo",
        "userName": user,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "demo-client"},
        "request": {"userAttributes": attributes},
        "response": response,
    })
}
